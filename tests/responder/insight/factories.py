"""Small factories for insight tests: mentions, classifications, envelopes, a migrated DB."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import make_engine, make_sessionmaker, upgrade_to_head
from shared.events import (
    Aspect,
    Classification,
    Envelope,
    Mention,
    MentionKind,
    Payload,
    Product,
    Sentiment,
    mention_id_for,
)

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "responder" / "migrations"


@asynccontextmanager
async def migrated(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The responder's schema at head in a fresh database, and its sessions."""
    await upgrade_to_head(MIGRATIONS, url)
    engine = make_engine(url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


def make_mention(
    *,
    external_id: str,
    platform: str = "wildberries",
    text: str = "Fine.",
    rating: int | None = 5,
    brand: str | None = "Acme",
    sku: str | None = "SKU-1",
    name: str | None = "Acme kettle",
    published_at: datetime,
    kind: MentionKind = MentionKind.review,
) -> Mention:
    return Mention(
        mention_id=mention_id_for(platform, external_id),
        platform=platform,
        source_id=f"{platform}-main",
        external_id=external_id,
        kind=kind,
        text=text,
        rating=rating,
        product=Product(sku=sku, name=name, brand=brand),
        published_at=published_at,
    )


def make_classification(
    mention: Mention,
    sentiment: Sentiment,
    aspects: list[tuple[str, Sentiment, str]] = (),  # type: ignore[assignment]
) -> Classification:
    """Aspects as (aspect, polarity, span of the mention's text)."""
    found = []
    for name, polarity, span in aspects:
        start = max(0, mention.full_text.find(span))
        found.append(
            Aspect(aspect=name, polarity=polarity, start=start, end=start + len(span), text=span)
        )
    return Classification(sentiment=sentiment, score=0.9, language="en", aspects=found)


def envelope(
    payload: Payload, *, occurred_at: datetime | None = None, event_id: uuid.UUID | None = None
) -> Envelope[Any]:
    kwargs: dict[str, Any] = {}
    if occurred_at is not None:
        kwargs["occurred_at"] = occurred_at
    return Envelope[Any](
        event_id=event_id or uuid.uuid4(),
        type=payload.event_type,
        schema_version=payload.schema_version,
        producer="test",
        payload=payload,
        **kwargs,
    )


def due_in_24h(mention: Mention) -> datetime:
    return mention.published_at + timedelta(hours=24)
