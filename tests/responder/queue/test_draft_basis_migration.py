"""Migration 5e8a1f3c2b90 (after 5e2a8c4d1f07, the seller facts) on a database that
already holds queue items (SQLite and PostgreSQL): the rows keep their values, the new
columns start empty and the item's classification is rebuilt from the old columns; the
downgrade drops it all again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from services.responder.queue_item.models import QueueItem
from services.responder.queue_item.service import item_classification
from shared.db import alembic_config, make_engine, make_sessionmaker, session_scope
from shared.events import Sentiment
from tests.conftest import DatabaseFactory

pytestmark = pytest.mark.postgres

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "responder" / "migrations"
PREVIOUS = "5e2a8c4d1f07"  # seller facts, the head before this one
THIS = "5e8a1f3c2b90"
NEW_COLUMNS = {
    "classification",
    "draft_family",
    "draft_parts",
    "draft_answers",
    "draft_facts_used",
    "draft_fact_topics",
    "draft_generated",
    "follow_up_generated",
}
NEW_TABLES = {"draft_edits", "draft_move_edits", "phrasing_suggestions"}


async def migrate(url: str, target: str, *, down: bool = False) -> None:
    from alembic import command

    cfg = alembic_config(MIGRATIONS, url)
    step = command.downgrade if down else command.upgrade
    await asyncio.to_thread(step, cfg, target)


INSERT = text(
    "INSERT INTO queue_items (mention_id, platform, source_id, external_id, kind, revision,"
    " text, rating, product_sku, published_at, sentiment, sentiment_score, language, aspects,"
    " rating_contradiction, state, due_at, draft_text, draft_seed, reply_text, created_at,"
    " updated_at, follow_up_seed) VALUES (:id, 'wildberries', 'wb', :ext, 'review', '1', :text,"
    " 2, 'SKU-1', :at, 'negative', 0.8, 'ru', :aspects, false, :state, :due, 'Простите!', 0,"
    " :reply, :at, :at, 0)"
)


async def test_upgrade_keeps_existing_items(databases: DatabaseFactory) -> None:
    url = await databases.new("responder")
    await migrate(url, PREVIOUS)
    engine = make_engine(url)
    now = datetime.now(UTC)
    aspects = '[{"aspect": "defect", "polarity": "negative", "start": 0, "end": 4, "text": "Брак"}]'
    try:
        async with engine.begin() as conn:
            for n, state, reply in (
                (1, "open", None),
                (2, "published", "Простите, заменим."),
            ):
                await conn.execute(
                    INSERT,
                    {
                        "id": f"00000000-0000-0000-0000-00000000000{n}",
                        "ext": f"WB-{n}",
                        "text": "Брак, не включается",
                        "at": now,
                        "due": now + timedelta(hours=20),
                        "aspects": aspects,
                        "state": state,
                        "reply": reply,
                    },
                )
        await migrate(url, THIS)
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("queue_items")}
            )
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            indexes = await conn.run_sync(
                lambda c: {i["name"] for i in inspect(c).get_indexes("queue_items")}
            )
        assert NEW_COLUMNS <= columns and NEW_TABLES <= tables
        assert "ix_queue_items_replied" in indexes
        # The ORM model is the head's: later migrations (a4c2e9d17b35 adds the
        # supplements link) run too; the old rows get it empty.
        await migrate(url, "head")
        sessions = make_sessionmaker(engine)
        async with session_scope(sessions) as session:
            items: dict[str, QueueItem] = {}
            for n in ("1", "2"):
                item = await session.get(QueueItem, f"00000000-0000-0000-0000-00000000000{n}")
                assert item is not None
                items[n] = item
            for item in items.values():
                assert item.classification is None and item.draft_family is None
                assert item.draft_generated is None and item.draft_answers is None
                c = item_classification(item)  # rebuilt from the old columns
                assert c.sentiment is Sentiment.negative and c.aspects[0].aspect == "defect"
                assert c.questions == [] and not c.sarcasm
            assert items["1"].supplements is None and items["2"].supplements is None
            assert items["2"].reply_text == "Простите, заменим."
            assert items["1"].draft_text == "Простите!"
            # the new columns take values on the migrated rows
            items["1"].classification = c.model_dump(mode="json")
            items["1"].draft_answers = [{"question": "?", "fact_id": None, "text": "{answer}"}]
        await migrate(url, PREVIOUS, down=True)
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("queue_items")}
            )
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            count = await conn.scalar(text("SELECT count(*) FROM queue_items"))
        assert not (NEW_COLUMNS & columns) and not (NEW_TABLES & tables)
        assert "supplements" not in columns
        assert count == 2
    finally:
        await engine.dispose()
