"""Backfill of a Yandex Market source over more than six months (audit finding 8):
Market refuses a `dateTimeFrom`..`dateTimeTo` span over six months, so the history
walk reads the range in consecutive windows of at most 180 days, both bounds sent,
each paged by `pageToken`. Against the fake over HTTP, a real broker and SQLite."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import httpx
import pytest

from services.ingest import backfill as cli
from services.ingest.config import IngestSettings
from services.ingest.connectors.yandex_market import MAX_WINDOW_S
from services.ingest.source.backfill import DateRange
from shared.broker import EmbeddedBroker
from shared.topics import MENTIONS_RAW, Topics
from tests.fakes import yandex_market as ym
from tests.fakes.server import serve_app
from tests.ingest.test_backfill import read_raw

#: About fourteen months: three windows (180 + 180 + the rest).
SPAN = DateRange(date(2024, 1, 10), date(2025, 3, 9))
LIST_PATH = f"/v2/businesses/{ym.BUSINESS_ID}/goods-feedback"


def write_sources(path: Path, url: str) -> Path:
    path.write_text(
        "sources:\n"
        "  - id: ym-main\n"
        "    platform: yandex_market\n"
        "    credentials: {api_key: '${YM_BACKFILL_KEY}'}\n"
        f"    options: {{base_url: '{url}', business_id: {ym.BUSINESS_ID}, limit: 7,\n"
        "      kinds: [reviews, questions], reaction_status: NEED_REACTION,\n"
        "      rate_per_s: 50, comments_rate_per_s: 50}\n",
        encoding="utf-8",
    )
    return path


def seed(fake: ym.FakeYandexMarket) -> dict[int, datetime]:
    """A review every four days from a month before the range to a month after it, and
    one on each edge: the range's first and last second, the seconds just outside it,
    and the seconds on and next to each window boundary."""
    when: dict[int, datetime] = {}
    moment = SPAN.start - timedelta(days=31, hours=5)
    fid = 1
    while moment < SPAN.end + timedelta(days=31):
        when[fid] = moment
        fid += 1
        moment += timedelta(days=4, hours=1, minutes=7)
    second = timedelta(seconds=1)
    edges = [SPAN.start, SPAN.start - second, SPAN.end, SPAN.end - second]
    first_from = SPAN.start - second  # Market's bounds are exclusive
    for k in (1, 2):
        boundary = first_from + timedelta(seconds=k * MAX_WINDOW_S - (k - 1))
        edges += [boundary - second, boundary, boundary + second]
    for moment in edges:
        when[fid] = moment
        fid += 1
    for fid, moment in sorted(when.items(), key=lambda kv: (kv[1], kv[0])):
        fake.add_feedback(fid, moment, comment=f"отзыв {fid}")
    return when


async def test_backfill_walks_fourteen_months_in_six_month_windows(
    broker: EmbeddedBroker, topic_prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YM_BACKFILL_KEY", ym.API_KEY)
    fake = ym.FakeYandexMarket()
    when = seed(fake)
    fake.add_question(1, SPAN.start + timedelta(days=40))  # questions stay out of history
    answered = sorted(f for f, t in when.items() if t in SPAN)[::9]
    for fid in answered:
        fake.answer_in_cabinet(fid, "Спасибо за отзыв!")
    expected = {str(f) for f, t in when.items() if t in SPAN}
    assert len(expected) > 100 and len(expected) < len(when) - 10

    async with serve_app(fake.app) as url:
        settings = IngestSettings(
            kafka_bootstrap_servers=broker.bootstrap_servers,
            kafka_topic_prefix=topic_prefix,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}",
            ingest_sources_file=write_sources(tmp_path / "sources.yml", url),
            log_json=False,
        )
        progress = await cli.run(
            settings,
            source_id="ym-main",
            span=SPAN,
            progress_stream=io.StringIO(),
            configure_logs=False,
        )
    assert not progress.truncated
    assert (progress.new, progress.duplicate) == (len(expected), 0)

    # Every list request is one window: both bounds, at most 180 days, inside the range
    # (widened by the one exclusive second at its start); consecutive windows meet.
    filters = fake.feedback_filters
    assert filters and all("dateTimeFrom" in f and "dateTimeTo" in f for f in filters)
    assert {f["reactionStatus"] for f in filters} == {"ALL"}  # history reads answered too
    windows = sorted(
        {
            (datetime.fromisoformat(f["dateTimeFrom"]), datetime.fromisoformat(f["dateTimeTo"]))
            for f in filters
        }
    )
    assert all(0 < (to - frm).total_seconds() <= MAX_WINDOW_S for frm, to in windows)
    assert len(windows) == 3
    assert windows[0][0] == SPAN.start - timedelta(seconds=1) and windows[-1][1] == SPAN.end
    assert all(a[1] - b[0] == timedelta(seconds=1) for a, b in pairwise(windows))
    assert len(filters) > len(windows)  # windows were paged by pageToken
    assert not fake.calls("POST", f"/v1/businesses/{ym.BUSINESS_ID}/goods-questions")

    events = await read_raw(broker, Topics(topic_prefix).name(MENTIONS_RAW))
    published = [e.payload.mention.external_id for e in events]
    assert sorted(published) == sorted(expected)  # each in-range review exactly once
    marked = {e.payload.mention.external_id for e in events if e.payload.mention.answered}
    assert marked == {str(f) for f in answered}


async def test_fake_refuses_a_span_over_six_months_as_market_does() -> None:
    """The fake answers a span over six months with Market's 400 and error body; a span
    of 180 days is taken and `dateTimeTo` bounds the answer (exclusive)."""
    fake = ym.FakeYandexMarket()
    to = datetime(2024, 9, 1, tzinfo=UTC)
    fake.add_feedback(1, to - timedelta(days=10))
    fake.add_feedback(2, to)  # on the exclusive upper bound
    async with serve_app(fake.app) as url, httpx.AsyncClient(base_url=url) as client:
        headers = {"Api-Key": ym.API_KEY}

        async def ask(days: int) -> httpx.Response:
            body = {
                "dateTimeFrom": (to - timedelta(days=days)).isoformat(),
                "dateTimeTo": to.isoformat(),
            }
            return await client.post(LIST_PATH, json=body, headers=headers)

        refused = await ask(200)
        assert refused.status_code == 400
        assert refused.json()["status"] == "ERROR" and refused.json()["errors"][0]["code"]
        taken = await ask(180)
        assert taken.status_code == 200
        assert [f["feedbackId"] for f in taken.json()["result"]["feedbacks"]] == [1]


def test_a_questions_only_source_is_refused_with_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """History imports reviews: a source that reads only questions is a usage error
    (exit 2, one line), before anything is started — not a traceback."""
    monkeypatch.setenv("YM_BACKFILL_KEY", "key")
    sources = tmp_path / "sources.yml"
    sources.write_text(
        "sources:\n"
        "  - id: ym-questions\n"
        "    platform: yandex_market\n"
        "    credentials: {api_key: '${YM_BACKFILL_KEY}'}\n"
        f"    options: {{base_url: 'http://127.0.0.1:9', business_id: {ym.BUSINESS_ID},\n"
        "      kinds: [questions]}\n",
        encoding="utf-8",
    )
    code = cli.main(
        [
            "--standalone",
            "--source",
            "ym-questions",
            "--from",
            "2025-03-01",
            "--to",
            "2025-03-02",
            "--sources-file",
            str(sources),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "history imports reviews; this source reads none" in err
    assert "Traceback" not in err
