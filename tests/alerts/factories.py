"""Small builders for mentions and classifications used across the alerts tests."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.events import Aspect, Classification, Mention, Product, Sentiment, mention_id_for


def mention(
    external_id: str = "1",
    *,
    platform: str = "wildberries",
    text: str = "Плохо",
    brand: str | None = "Acme",
    sku: str | None = "SKU-1",
    category: str | None = "kettles",
) -> Mention:
    return Mention(
        mention_id=mention_id_for(platform, external_id),
        platform=platform,
        source_id="src",
        external_id=external_id,
        text=text,
        product=Product(sku=sku, brand=brand, category=category),
        published_at=datetime(2025, 1, 1, tzinfo=UTC),
    )


def classification(
    sentiment: Sentiment = Sentiment.negative,
    *,
    language: str = "ru",
    aspects: tuple[tuple[str, Sentiment], ...] = (),
) -> Classification:
    return Classification(
        sentiment=sentiment,
        score=0.9,
        language=language,
        aspects=[Aspect(aspect=a, polarity=p, start=0, end=1, text="x") for a, p in aspects],
    )
