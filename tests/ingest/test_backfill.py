"""Backfill against the fake Wildberries over HTTP, a real broker and both databases:
exactly the in-range mentions reach `mentions.raw`, once; the live cursor stays put."""

from __future__ import annotations

import io
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import select

from services.ingest import backfill as cli
from services.ingest.config import IngestSettings
from services.ingest.main import MIGRATIONS
from services.ingest.source.backfill import DateRange
from services.ingest.source.models import SourceState
from shared.broker import EmbeddedBroker
from shared.db import make_engine, make_sessionmaker, session_scope, upgrade_to_head
from shared.events import decode, mention_id_for
from shared.topics import MENTIONS_RAW, Topics
from tests.fakes.server import serve_app
from tests.fakes.wildberries import TOKEN, FakeWildberries

DAY0 = datetime(2025, 3, 1, tzinfo=UTC)
LIVE_CURSOR = '{"live":"cursor"}'


def seed(fake: FakeWildberries) -> dict[str, date]:
    """Five reviews a day over seven days (1..7 March), one question on 4 March."""
    days: dict[str, date] = {}
    for d in range(7):
        for i in range(5):
            fid = f"fb-{d}-{i}"
            created = DAY0 + timedelta(days=d, hours=2 + i * 4, minutes=i)
            fake.add_feedback(fid, created, text=f"отзыв {d}/{i}")
            days[fid] = created.date()
    fake.add_question("q-mid", DAY0 + timedelta(days=3, hours=10))
    days["q-mid"] = (DAY0 + timedelta(days=3)).date()
    return days


def write_sources(path: Path, url: str) -> Path:
    path.write_text(
        "sources:\n"
        "  - id: wb-main\n"
        "    platform: wildberries\n"
        "    credentials: {token: '${WB_BACKFILL_TOKEN}'}\n"
        f"    options: {{base_url: '{url}', take: 4, overlap_s: 3600}}\n",
        encoding="utf-8",
    )
    return path


async def read_raw(broker: EmbeddedBroker, topic: str, settle_s: float = 1.5) -> list:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=broker.bootstrap_servers, auto_offset_reset="earliest"
    )
    await consumer.start()
    out: list = []
    try:
        quiet_until = time.monotonic() + settle_s
        deadline = time.monotonic() + 15
        while time.monotonic() < min(quiet_until, deadline):
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                out.extend(decode(r.value) for r in records)
                quiet_until = time.monotonic() + settle_s
    finally:
        await consumer.stop()
    return out


async def test_backfill_imports_range_once_and_leaves_live_cursor(
    broker: EmbeddedBroker,
    topic_prefix: str,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WB_BACKFILL_TOKEN", TOKEN)
    fake = FakeWildberries()  # real clock, 3 req/s burst 6 like WB
    days = seed(fake)
    # The live poller's state, as the service would have left it.
    await upgrade_to_head(MIGRATIONS, database_url)
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    async with session_scope(sessions) as session:
        session.add(
            SourceState(
                source_id="wb-main",
                platform="wildberries",
                cursor=LIVE_CURSOR,
                healthy=True,
                consecutive_failures=0,
                mentions_total=7,
            )
        )

    span = DateRange(date(2025, 3, 3), date(2025, 3, 5))
    expected = {
        str(mention_id_for("wildberries", k))
        for k, d in days.items()
        if d in (date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 5))
    }
    assert len(expected) == 16  # 3 days x 5 reviews + the question

    async with serve_app(fake.app) as url:
        settings = IngestSettings(
            kafka_bootstrap_servers=broker.bootstrap_servers,
            kafka_topic_prefix=topic_prefix,
            database_url=database_url,
            ingest_sources_file=write_sources(tmp_path / "sources.yml", url),
            log_json=False,
        )
        out = io.StringIO()
        first = await cli.run(
            settings, source_id="wb-main", span=span, progress_stream=out, configure_logs=False
        )
        assert (first.new, first.updated, first.duplicate) == (16, 0, 0)
        assert first.pages >= 4 and not first.truncated
        assert "wb-main: pages" in out.getvalue() and "new 16" in out.getvalue()
        # Bounded by date: the walk started at 3 March and stopped after 5 March.
        listed = fake.calls("GET", "/api/v1/feedbacks")
        assert listed[0].query["dateFrom"] == str(int(span.start.timestamp()))
        assert all(int(r.query.get("dateFrom", 0)) < span.end.timestamp() for r in listed)

        second = await cli.run(
            settings,
            source_id="wb-main",
            span=span,
            progress_stream=io.StringIO(),
            configure_logs=False,
        )
        assert (second.new, second.updated, second.duplicate) == (0, 0, 16)
    # A 429 from the fake (limiter at its exact edge) is waited out and retried: no loss.

    events = await read_raw(broker, Topics(topic_prefix).name(MENTIONS_RAW))
    published = [str(e.payload.mention.mention_id) for e in events]
    assert sorted(published) == sorted(expected)  # each in-range mention exactly once

    async with session_scope(sessions) as session:
        states = list((await session.execute(select(SourceState))).scalars())
    await engine.dispose()
    assert len(states) == 1
    state = states[0]
    assert state.source_id == "wb-main" and state.cursor == LIVE_CURSOR
    assert state.mentions_total == 7 and state.last_success_at is None


def test_cli_names_known_sources_and_bad_dates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WB_BACKFILL_TOKEN", TOKEN)
    sources = write_sources(tmp_path / "sources.yml", "http://127.0.0.1:9")
    code = cli.main(
        [
            "--source",
            "nope",
            "--from",
            "2025-03-01",
            "--to",
            "2025-03-02",
            "--sources-file",
            str(sources),
        ]
    )
    assert code == 2
    assert "unknown source 'nope' (known: wb-main)" in capsys.readouterr().err

    code = cli.main(
        [
            "--source",
            "wb-main",
            "--from",
            "2025-03-05",
            "--to",
            "2025-03-01",
            "--sources-file",
            str(sources),
        ]
    )
    assert code == 2
    assert "--from 2025-03-05 is after --to 2025-03-01" in capsys.readouterr().err

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--source", "wb-main", "--from", "2025-02-30", "--to", "2025-03-01"])
    assert exit_info.value.code == 2
    assert "'2025-02-30' is not a date (YYYY-MM-DD)" in capsys.readouterr().err


async def test_backfill_includes_answered_history_marked_answered(
    broker: EmbeddedBroker, topic_prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WB_BACKFILL_TOKEN", TOKEN)
    fake = FakeWildberries(rate=None)
    answer = {"text": "Спасибо за отзыв!", "state": "wbRu", "editable": True}
    for i in range(3):
        fake.add_feedback(f"open-{i}", DAY0 + timedelta(hours=i))
        fake.add_feedback(f"done-{i}", DAY0 + timedelta(hours=i, minutes=30), answer=answer)
    fake.add_feedback("done-late", DAY0 + timedelta(days=5), answer=answer)  # out of range
    fake.add_question("q-open", DAY0 + timedelta(hours=5))
    fake.add_question("q-done", DAY0 + timedelta(hours=6))
    fake.questions["q-done"]["answer"] = {"text": "Да", "editable": True, "createDate": ""}
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}"
    span = DateRange(date(2025, 3, 1), date(2025, 3, 2))
    async with serve_app(fake.app) as url:
        settings = IngestSettings(
            kafka_bootstrap_servers=broker.bootstrap_servers,
            kafka_topic_prefix=topic_prefix,
            database_url=database_url,
            ingest_sources_file=write_sources(tmp_path / "sources.yml", url),
            log_json=False,
        )
        live = await cli.run(
            settings,
            source_id="wb-main",
            span=span,
            progress_stream=io.StringIO(),
            configure_logs=False,
        )
        assert live.new == 4  # unanswered only, as the poller reads them
        assert all(
            r.query["isAnswered"] == "false"
            for r in fake.requests
            if r.path != "/api/v1/feedbacks/archive"
        )
        history = await cli.run(
            settings,
            source_id="wb-main",
            span=span,
            progress_stream=io.StringIO(),
            configure_logs=False,
            include_answered=True,
        )
    assert (history.new, history.duplicate) == (4, 4)
    asked = {(r.path, r.query.get("isAnswered")) for r in fake.requests}
    assert ("/api/v1/feedbacks", "true") in asked and ("/api/v1/questions", "true") in asked
    events = await read_raw(broker, Topics(topic_prefix).name(MENTIONS_RAW))
    marked = {e.payload.mention.external_id: e.payload.mention.answered for e in events}
    assert marked == {
        "open-0": False,
        "open-1": False,
        "open-2": False,
        "q-open": False,
        "done-0": True,
        "done-1": True,
        "done-2": True,
        "q-done": True,
    }


def test_answered_history_is_refused_for_other_platforms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = tmp_path / "sources.yml"
    sources.write_text(
        "sources:\n  - id: feed\n    platform: rss\n    options: {url: 'http://127.0.0.1:9/'}\n",
        encoding="utf-8",
    )
    code = cli.main(
        [
            "--source",
            "feed",
            "--from",
            "2025-03-01",
            "--to",
            "2025-03-02",
            "--sources-file",
            str(sources),
            "--include-answered",
        ]
    )
    assert code == 2
    assert "--include-answered works for wildberries sources only, not rss" in (
        capsys.readouterr().err
    )


async def test_backfill_reads_reviews_archived_after_30_days(
    broker: EmbeddedBroker, topic_prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 5: WB moves a review unanswered for 30 days to its archive, where the review
    lists never show it again; a history import reads the archive too (oldest first, by
    offset, until past the range), and a customer's addition names its original."""
    monkeypatch.setenv("WB_BACKFILL_TOKEN", TOKEN)
    fake = FakeWildberries(rate=None)
    for i in range(6):  # take is 4: the archive takes two pages
        fake.add_feedback(f"old-{i}", DAY0 + timedelta(hours=i))
        fake.archive_feedback(f"old-{i}")
    answer = {"text": "Спасибо за отзыв!", "state": "wbRu", "editable": True}
    fake.add_feedback("done-0", DAY0 + timedelta(hours=1, minutes=30), answer=answer)
    fake.archive_feedback("done-0")  # answered: imported only with answered history
    fake.add_feedback("old-late", DAY0 + timedelta(days=9))  # archived, out of range
    fake.archive_feedback("old-late")
    fake.add_feedback("open-0", DAY0 + timedelta(hours=7))
    fake.supplement("old-1", "addition-1", DAY0 + timedelta(hours=8), "Дополняю: всё сломалось")
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}"
    span = DateRange(date(2025, 3, 1), date(2025, 3, 2))
    async with serve_app(fake.app) as url:
        settings = IngestSettings(
            kafka_bootstrap_servers=broker.bootstrap_servers,
            kafka_topic_prefix=topic_prefix,
            database_url=database_url,
            ingest_sources_file=write_sources(tmp_path / "sources.yml", url),
            log_json=False,
        )
        progress = await cli.run(
            settings,
            source_id="wb-main",
            span=span,
            progress_stream=io.StringIO(),
            configure_logs=False,
        )
    assert progress.new == 8
    assert len(fake.calls("GET", "/api/v1/feedbacks/archive")) == 2
    events = await read_raw(broker, Topics(topic_prefix).name(MENTIONS_RAW))
    mentions = {e.payload.mention.external_id: e.payload.mention for e in events}
    assert set(mentions) == {*(f"old-{i}" for i in range(6)), "open-0", "addition-1"}
    assert not any(m.answered for m in mentions.values())
    assert mentions["addition-1"].supplements == "old-1"
    assert mentions["old-1"].supplements is None
