"""An in-process responder with a seller facts file, and question mentions sent through
the real classified-mention handler (the app's own drafter)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from prometheus_client import CollectorRegistry

from services.responder.main import create_app
from services.responder.metrics import make_responder_metrics
from services.responder.queue_item.handlers import handle_mentions_classified
from shared.events import Classification, MentionClassified, MentionKind, QuestionSpan, Sentiment
from tests.responder.insight.factories import due_in_24h, envelope, make_mention
from tests.responder.queue.queue_stack import TOKEN, Stack, settings_for

FACTS_YAML = """
shop: {name: "Мамина Радость", languages: [ru, en]}
facts:
  - id: returns-wildberries
    topic: returns
    platforms: [wildberries]
    text: {ru: "Верните товар через раздел «Покупки».", en: "Return it from Purchases."}
    keywords: {ru: [возврат, вернуть]}
  - id: size-sku-1
    topic: size_advice
    sku: SKU-1
    text: {ru: "Модель маломерит на размер.", en: "This model runs one size small."}
    keywords: {ru: [маломерит, размер], en: [run small, size]}
  - id: support-hours
    topic: support_hours
    text: {ru: "Поддержка отвечает с 9 до 18.", en: "Support answers 9 to 18."}
"""


def write_facts(tmp_path: Path, text: str = FACTS_YAML) -> Path:
    path = tmp_path / "facts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@asynccontextmanager
async def running_with_facts(
    broker: Any, topic_prefix: str, url: str, facts_file: Path | None, **extra: Any
) -> AsyncIterator[Stack]:
    settings = settings_for(broker, topic_prefix, url).model_copy(
        update={"responder_facts_file": facts_file, **extra}
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://test",
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as api:
            yield Stack(app, api)


async def ask(
    stack: Stack,
    external_id: str,
    text: str,
    *,
    question: str | None = None,
    kind: MentionKind = MentionKind.question,
    language: str = "ru",
    sku: str = "SKU-1",
) -> str:
    """A classified mention with a question, through the handler; returns its mention id."""
    mention = make_mention(
        external_id=external_id,
        text=text,
        kind=kind,
        sku=sku,
        rating=None if kind is MentionKind.question else 4,
        published_at=datetime.now(UTC),
    )
    spans = []
    if question:
        start = text.find(question)
        spans.append(QuestionSpan(start=start, end=start + len(question), text=question))
    classification = Classification(
        sentiment=Sentiment.neutral, score=0.8, language=language, questions=spans
    )
    ctx = stack.app.state.ctx
    await handle_mentions_classified(
        [envelope(MentionClassified(mention=mention, classification=classification))],
        sessions=ctx.runtime.sessions,
        drafter=ctx.drafter,
        deadline_for=due_in_24h,
        metrics=make_responder_metrics(CollectorRegistry()),
    )
    return str(mention.mention_id)
