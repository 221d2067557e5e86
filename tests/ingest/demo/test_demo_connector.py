"""The demo connector: paced replay, resumable cursor, loop mode, replies, file errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.ingest.demo.source import (
    DEFAULT_SAMPLE_PATH,
    DemoConfigError,
    DemoConnector,
    SampleFileError,
    load_sample,
)
from shared.connector import (
    Capability,
    Connector,
    ConnectorError,
    ReplyRequest,
    SourceConfig,
    factory_for,
)
from shared.events import MentionKind, mention_id_for

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SAMPLE = load_sample(DEFAULT_SAMPLE_PATH)
N = len(SAMPLE)


class FakeClock:
    """Monotonic clock the test moves by hand: rate limits without sleeping."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def make(
    clock: FakeClock | None = None, poll_interval_s: float = 60.0, **options: Any
) -> DemoConnector:
    config = SourceConfig("demo-1", "demo", poll_interval_s=poll_interval_s, options=options)
    return DemoConnector(config, clock=clock or FakeClock(), now=lambda: NOW)


async def drain(
    connector: DemoConnector, cursor: str | None, limit: int = 10_000
) -> tuple[list[str], str | None]:
    """Fetch until a page is empty; return all external ids and the last cursor."""
    ids: list[str] = []
    for _ in range(limit):
        page = await connector.fetch(cursor)
        cursor = page.next_cursor
        if not page.mentions:
            return ids, cursor
        ids.extend(m.external_id for m in page.mentions)
    raise AssertionError("did not drain")


# --- registry ------------------------------------------------------------------------------


def test_registered_as_demo_and_fits_protocol() -> None:
    connector = factory_for("demo")(SourceConfig("demo-1", "demo"), None)  # type: ignore[arg-type]
    assert isinstance(connector, DemoConnector)
    assert isinstance(connector, Connector)
    assert connector.platform == "demo" and Capability.reply in connector.capabilities
    assert connector.source_id == "demo-1"


# --- pacing --------------------------------------------------------------------------------


async def test_rate_limits_the_replay() -> None:
    clock = FakeClock()
    connector = make(clock, rate_per_minute=60, burst=0)
    first = await connector.fetch(None)
    assert first.mentions == [] and first.next_cursor == "0:0" and not first.has_more

    clock.advance(10)
    page = await connector.fetch(first.next_cursor)
    assert len(page.mentions) == 10 and page.next_cursor == "0:10"
    assert (await connector.fetch(page.next_cursor)).mentions == []

    clock.advance(0.5)
    assert (await connector.fetch(page.next_cursor)).mentions == []
    clock.advance(0.5)
    one = await connector.fetch(page.next_cursor)
    assert [m.external_id for m in one.mentions] == [SAMPLE[10].external_id]


async def test_slow_rate_accumulates_fractions() -> None:
    clock = FakeClock()
    connector = make(clock, rate_per_minute=6, burst=0)  # one item per 10 s
    cursor = None
    released = 0
    for _ in range(60):  # 60 s in 1 s steps
        clock.advance(1)
        page = await connector.fetch(cursor)
        cursor = page.next_cursor
        released += len(page.mentions)
    assert released == 6


async def test_burst_then_pages_with_has_more() -> None:
    connector = make(rate_per_minute=1, burst=25, page_size=10)
    sizes = []
    flags = []
    cursor = None
    for _ in range(3):
        page = await connector.fetch(cursor)
        sizes.append(len(page.mentions))
        flags.append(page.has_more)
        cursor = page.next_cursor
    assert sizes == [10, 10, 5]
    assert flags == [True, True, False]


async def test_backlog_is_capped_after_a_stall() -> None:
    clock = FakeClock()
    connector = make(clock, poll_interval_s=10, rate_per_minute=60, burst=0, page_size=1000)
    clock.advance(3600)  # an hour without polling: 3600 tokens would flood
    page = await connector.fetch(None)
    assert len(page.mentions) == 20  # two poll intervals' worth


# --- cursor --------------------------------------------------------------------------------


async def test_restart_resumes_without_loss_or_duplicates() -> None:
    clock = FakeClock()
    first = make(clock, rate_per_minute=60, burst=7, page_size=5)
    seen: list[str] = []
    cursor = None
    for _ in range(3):
        page = await first.fetch(cursor)
        seen.extend(m.external_id for m in page.mentions)
        cursor = page.next_cursor
    assert len(seen) == 7  # burst spent

    # "Crash": a fresh connector (fresh bucket) continues from the stored cursor.
    second = make(FakeClock(), rate_per_minute=60, burst=N, page_size=13)
    rest, last = await drain(second, cursor)
    everything = seen + rest
    assert everything == [item.external_id for item in SAMPLE]
    assert last == f"0:{N}"


async def test_refetching_a_cursor_gives_the_same_mentions() -> None:
    connector = make(rate_per_minute=60, burst=100, page_size=5)
    a = await connector.fetch("0:3")
    b = await connector.fetch("0:3")
    assert [m.mention_id for m in a.mentions] == [m.mention_id for m in b.mentions]
    assert [m.revision for m in a.mentions] == [m.revision for m in b.mentions]
    assert a.mentions[0].external_id == SAMPLE[3].external_id


async def test_exhausted_sample_without_loop_stays_put() -> None:
    connector = make(rate_per_minute=60, burst=1000, page_size=1000)
    page = await connector.fetch(None)
    assert len(page.mentions) == N and not page.has_more
    again = await connector.fetch(page.next_cursor)
    assert again.mentions == [] and again.next_cursor == f"0:{N}" and not again.has_more


@pytest.mark.parametrize("cursor", ["x", "1:2:3", "-1", "a:1"])
async def test_bad_cursor_is_a_permanent_error(cursor: str) -> None:
    with pytest.raises(ConnectorError) as info:
        await make().fetch(cursor)
    assert not info.value.retryable
    assert "cursor" in str(info.value)


async def test_bare_index_cursor_is_accepted() -> None:
    page = await make(burst=1).fetch("4")
    assert page.mentions[0].external_id == SAMPLE[4].external_id
    assert page.next_cursor == "0:5"


# --- loop mode -----------------------------------------------------------------------------


async def test_loop_gives_fresh_ids_each_round() -> None:
    connector = make(rate_per_minute=60, burst=1000, page_size=1000, loop=True)
    page = await connector.fetch(None)
    ids = [m.external_id for m in page.mentions]
    assert len(ids) == 1000 and page.has_more is False  # bucket spent; more would follow
    assert len(set(ids)) == len(ids)
    assert ids[N] == f"{SAMPLE[0].external_id}-r1"
    assert ids[2 * N] == f"{SAMPLE[0].external_id}-r2"
    assert len({m.mention_id for m in page.mentions}) == 1000
    rounds, index = divmod(1000, N)
    assert page.next_cursor == f"{rounds}:{index}"


async def test_loop_resumes_mid_round_and_wraps() -> None:
    connector = make(rate_per_minute=60, burst=10, page_size=10, loop=True)
    page = await connector.fetch(f"1:{N - 2}")
    ids = [m.external_id for m in page.mentions]
    assert ids[:3] == [
        f"{SAMPLE[N - 2].external_id}-r1",
        f"{SAMPLE[N - 1].external_id}-r1",
        f"{SAMPLE[0].external_id}-r2",
    ]
    assert page.next_cursor == "2:8"


async def test_loop_end_of_round_cursor_moves_to_next_round() -> None:
    connector = make(burst=1, loop=True)
    page = await connector.fetch(f"0:{N}")
    assert page.mentions[0].external_id == f"{SAMPLE[0].external_id}-r1"


# --- mention content -----------------------------------------------------------------------


async def test_published_at_spread_over_recent_hours_deterministically() -> None:
    connector = make(burst=2 * N, page_size=N, spread_hours=8)
    page = await connector.fetch(None)
    times = [m.published_at for m in page.mentions]
    assert all(NOW - timedelta(hours=8) <= t <= NOW for t in times)
    assert len(set(times)) > N // 2
    again = await connector.fetch(None)
    assert [m.published_at for m in again.mentions] == times


async def test_mentions_carry_sample_fields() -> None:
    connector = make(burst=N, page_size=N)
    page = await connector.fetch(None)
    for mention, item in zip(page.mentions, SAMPLE, strict=True):
        assert mention.platform == item.platform
        assert mention.source_id == "demo-1"
        assert mention.mention_id == mention_id_for(item.platform, item.external_id)
        assert (mention.text, mention.rating, mention.kind) == (item.text, item.rating, item.kind)
        assert mention.product == item.product
        assert mention.language_hint == item.lang


async def test_mention_platform_option_relabels() -> None:
    page = await make(burst=3, mention_platform="demo").fetch(None)
    assert {m.platform for m in page.mentions} == {"demo"}
    assert page.mentions[0].mention_id == mention_id_for("demo", SAMPLE[0].external_id)


async def test_path_option_reads_another_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(
        json.dumps([{"external_id": "x-1", "platform": "ozon", "rating": 4, "text": "ок"}]),
        encoding="utf-8",
    )
    connector = make(burst=5, path=str(path))
    page = await connector.fetch(None)
    assert [m.external_id for m in page.mentions] == ["x-1"]


# --- replies -------------------------------------------------------------------------------


def reply(external_id: str, text: str = "Спасибо за отзыв!", **kw: Any) -> ReplyRequest:
    return ReplyRequest(
        reply_id=kw.pop("reply_id", "r-1"),
        external_id=external_id,
        kind=MentionKind.review,
        text=text,
        **kw,
    )


async def test_post_then_confirm_and_idempotent_repost() -> None:
    connector = make()
    ext = SAMPLE[0].external_id
    request = reply(ext)
    assert await connector.confirm_reply(request) is False
    result = await connector.post_reply(request)
    assert result.external_reply_id == "demo-reply-r-1"
    assert result.published_at == NOW
    assert await connector.confirm_reply(request) is True
    assert await connector.post_reply(request) == result
    assert connector.replies[ext].text == request.text


async def test_second_answer_needs_edit() -> None:
    connector = make()
    ext = SAMPLE[1].external_id
    await connector.post_reply(reply(ext))
    with pytest.raises(ConnectorError) as info:
        await connector.post_reply(reply(ext, "Другой ответ", reply_id="r-2"))
    assert not info.value.retryable
    edited = reply(ext, "Исправленный ответ", reply_id="r-2", edit=True)
    await connector.post_reply(edited)
    assert await connector.confirm_reply(edited) is True
    assert await connector.confirm_reply(reply(ext)) is False
    assert connector.replies[ext].edits == 1


async def test_reply_to_unknown_mention_is_refused() -> None:
    with pytest.raises(ConnectorError):
        await make().post_reply(reply("nope-42"))
    # Looped copies are known only when looping.
    looped = f"{SAMPLE[0].external_id}-r3"
    with pytest.raises(ConnectorError):
        await make().post_reply(reply(looped))
    await make(loop=True).post_reply(reply(looped))


async def test_aclose_is_harmless() -> None:
    await make().aclose()


# --- broken configuration ------------------------------------------------------------------


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "sample.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def good(i: int, **overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"external_id": f"t-{i}", "platform": "ozon", "rating": 5, "text": "ok"}
    item.update(overrides)
    return item


@pytest.mark.parametrize(
    ("items", "index", "field"),
    [
        ([good(0), good(1), good(2, rating=7)], 2, "rating"),
        ([good(0), {"external_id": "t-1", "platform": "ozon", "rating": 3}], 1, "text"),
        ([good(0, platform="Not A Platform")], 0, "platform"),
        ([good(0), good(1, kind="question")], 1, "rating"),  # a question with stars
        ([good(0), good(1, rating=None)], 1, "rating"),  # a review without stars
        ([good(0, colour="red")], 0, "colour"),  # unknown field: a typo
        ([good(0, product={"sku": 5})], 0, "product.sku"),
        ([good(0), good(1, external_id="t-0")], 1, "external_id"),  # duplicate
        ([good(0, external_id="t-0-r2")], 0, "external_id"),  # reserved suffix
        ([good(0), "just a string"], 1, "(item)"),
    ],
)
def test_broken_file_names_item_and_field(
    tmp_path: Path, items: list[Any], index: int, field: str
) -> None:
    path = write(tmp_path, items)
    with pytest.raises(SampleFileError) as info:
        load_sample(path)
    message = str(info.value)
    assert f"item {index}" in message
    assert f"'{field}'" in message
    assert str(path) in message


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('[{"external_id": "a",', "not valid JSON at line 1"),
        ('{"items": []}', "JSON array"),
        ("[]", "no items"),
    ],
)
def test_broken_file_shape(tmp_path: Path, content: str, needle: str) -> None:
    with pytest.raises(SampleFileError, match=needle):
        load_sample(write(tmp_path, content))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SampleFileError, match="cannot read"):
        make(path=str(tmp_path / "absent.json"))


def test_broken_file_fails_connector_construction(tmp_path: Path) -> None:
    path = write(tmp_path, [good(0), good(1, rating=0)])
    with pytest.raises(DemoConfigError, match=r"item 1 \('t-1'\): field 'rating'"):
        make(path=str(path))


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"rate_per_minute": 0}, "rate_per_minute"),
        ({"rate_per_minte": 5}, "rate_per_minte"),
        ({"loop": "sometimes"}, "loop"),
        ({"page_size": 0}, "page_size"),
    ],
)
def test_bad_options_are_named(options: dict[str, Any], field: str) -> None:
    with pytest.raises(DemoConfigError) as info:
        make(**options)
    assert f"option '{field}'" in str(info.value)
