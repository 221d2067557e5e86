"""Insights API over the real app (its lifespan on a real broker and database): filters,
validation naming the bad field, CSV export with formula cells defused, and the event
stream reaching the aggregates through the insights consumer group."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from insight.factories import envelope, make_classification, make_mention, migrated
from insight.test_insight_aggregates import deliver
from services.responder.config import ResponderSettings
from services.responder.insight.router import safe_cell
from services.responder.main import create_app
from shared.bus import Publisher
from shared.events import AssignmentMade, MentionClassified, ReplyPublished, Sentiment
from shared.topics import ASSIGNMENTS, MENTIONS_CLASSIFIED, REPLIES_PUBLISHED, Topics

pytestmark = pytest.mark.postgres

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer otklik-dev-token"}
RANGE = {"from": "2026-03-01", "to": "2026-03-31"}


def settings_for(broker: Any, topic_prefix: str, url: str, **extra: Any) -> ResponderSettings:
    return ResponderSettings(
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        database_url=url,
        kafka_session_timeout_ms=6000,
        responder_digest_enabled=False,
        log_json=False,
        **extra,
    )


def sample_events() -> list[Any]:
    """Three mentions on two platforms; one hostile text; one answered by Olga."""
    m1 = make_mention(
        external_id="1",
        platform="wildberries",
        text='=HYPERLINK("http://evil") The size runs small.',
        rating=2,
        published_at=DAY,
    )
    m2 = make_mention(
        external_id="2", platform="ozon", rating=5, published_at=DAY, sku="SKU-2", brand="Bolt"
    )
    m3 = make_mention(
        external_id="3", platform="wildberries", rating=4, published_at=DAY + timedelta(days=1)
    )
    return [
        envelope(
            MentionClassified(
                mention=m1,
                classification=make_classification(
                    m1, Sentiment.negative, [("size", Sentiment.negative, "The size runs small")]
                ),
            )
        ),
        envelope(
            MentionClassified(
                mention=m2, classification=make_classification(m2, Sentiment.positive)
            )
        ),
        envelope(
            MentionClassified(mention=m3, classification=make_classification(m3, Sentiment.neutral))
        ),
        envelope(AssignmentMade(mention_id=m1.mention_id, owner_id="o1", owner_name="@Olga")),
        envelope(
            ReplyPublished(
                reply_id=uuid.uuid4(),
                mention_id=m1.mention_id,
                platform="wildberries",
                published_at=DAY + timedelta(hours=3),
            )
        ),
    ]


@pytest.fixture
async def client(
    broker: Any, topic_prefix: str, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    async with migrated(database_url) as sessions:
        await deliver(sessions, sample_events())
    app = create_app(settings_for(broker, topic_prefix, database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=AUTH
        ) as c:
            yield c


async def test_overview_filters(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/insights/overview", params=RANGE)).json()
    assert {r["platform"]: r["mentions"] for r in body["by_platform"]} == {
        "ozon": 1,
        "wildberries": 2,
    }
    assert body["totals"]["negative"] == 1 and body["sla"]["answered"] == 1
    assert body["sla"]["sla_met"] == 1 and body["sla"]["compliance"] == 1.0

    only_wb = (
        await client.get("/api/insights/overview", params={**RANGE, "platform": "wildberries"})
    ).json()
    assert [r["platform"] for r in only_wb["by_platform"]] == ["wildberries"]
    bolt = (await client.get("/api/insights/overview", params={**RANGE, "brand": "Bolt"})).json()
    assert bolt["totals"]["mentions"] == 1
    sku = (await client.get("/api/insights/overview", params={**RANGE, "product": "SKU-1"})).json()
    assert sku["totals"]["mentions"] == 2 and sku["sla"]["answered"] == 1
    one_day = (
        await client.get(
            "/api/insights/overview", params={"from": "2026-03-03", "to": "2026-03-03"}
        )
    ).json()
    assert one_day["totals"]["mentions"] == 1
    empty = (
        await client.get(
            "/api/insights/overview", params={"from": "2025-01-01", "to": "2025-01-02"}
        )
    ).json()
    assert empty["totals"]["mentions"] == 0 and empty["by_platform"] == []


async def test_product_platform_team(client: httpx.AsyncClient) -> None:
    product = (await client.get("/api/insights/products/SKU-1", params=RANGE)).json()
    assert product["weak_points"][0]["aspect"] == "size"
    assert (
        product["weak_points"][0]["negative"] == 1
        and product["weak_points"][0]["negative_share"] == 1.0
    )
    assert product["aspects"][0]["complaint_quotes"] == [
        '=HYPERLINK("http://evil") The size runs small.'
    ]
    platform = (await client.get("/api/insights/platforms/wildberries", params=RANGE)).json()
    assert platform["totals"]["mentions"] == 2 and platform["complaints"][0]["aspect"] == "size"
    team = (await client.get("/api/insights/team", params=RANGE)).json()
    olga = next(o for o in team["owners"] if o["owner_id"] == "o1")
    assert (
        olga["owner_name"] == "@Olga" and olga["answered"] == 1 and olga["avg_answer_hours"] == 3.0
    )


BAD_FILTERS = [
    ({"from": "2026-13-01"}, "query.from"),
    ({"to": "yesterday"}, "query.to"),
    ({"from": "2026-03-10", "to": "2026-03-01"}, "query.from"),
    ({"from": "2000-01-01", "to": "2026-03-01"}, "query.from"),
    ({"platform": "Wild Berries"}, "query.platform"),
    ({"brand": "x" * 201}, "query.brand"),
    ({"format": "xlsx"}, "query.format"),
    ({"format": "csv", "table": "nope"}, "query.table"),
]


async def test_bad_filters_are_422_naming_the_field(client: httpx.AsyncClient) -> None:
    for path in ("/api/insights/overview", "/api/insights/team", "/api/insights/products/SKU-1"):
        for params, field in BAD_FILTERS:
            response = await client.get(path, params=params)
            assert response.status_code == 422, (path, params)
            body = response.json()["error"]
            assert body["code"] == "validation_error"
            assert field in body["message"], (path, params, body)
    bad_platform = await client.get("/api/insights/platforms/No%20Such")
    assert bad_platform.status_code == 422 and "path.platform_name" in bad_platform.text


async def test_csv_exports_every_table_with_formulas_defused(client: httpx.AsyncClient) -> None:
    for path, tables in {
        "/api/insights/overview": (
            "by_platform",
            "sentiment_trend",
            "sla_by_platform",
            "crises",
            "top_products",
        ),
        "/api/insights/products/SKU-1": (
            "aspects",
            "weak_points",
            "rating_trend",
            "by_platform",
            "quotes",
        ),
        "/api/insights/platforms/wildberries": (
            "sentiment_trend",
            "sla_trend",
            "by_brand",
            "top_products",
            "complaints",
        ),
        "/api/insights/team": ("owners", "sla_by_platform"),
    }.items():
        for table in tables:
            response = await client.get(path, params={**RANGE, "format": "csv", "table": table})
            assert response.status_code == 200, (path, table, response.text)
            assert response.headers["content-type"].startswith("text/csv")
            assert "attachment" in response.headers["content-disposition"]
            header = next(csv.reader(io.StringIO(response.text)))
            assert header, (path, table)
        same = await client.get(f"{path}/csv", params={**RANGE, "table": tables[0]})
        assert same.status_code == 200
    quotes = await client.get(
        "/api/insights/products/SKU-1/csv", params={**RANGE, "table": "quotes"}
    )
    quote_rows = list(csv.DictReader(io.StringIO(quotes.text)))
    assert quote_rows[0]["quote"] == '\'=HYPERLINK("http://evil") The size runs small.'
    owners = list(
        csv.DictReader(io.StringIO((await client.get("/api/insights/team/csv", params=RANGE)).text))
    )
    assert {r["owner_name"] for r in owners} >= {"'@Olga"}
    by_platform = list(
        csv.DictReader(
            io.StringIO((await client.get("/api/insights/overview/csv", params=RANGE)).text)
        )
    )
    assert {r["platform"]: int(r["mentions"]) for r in by_platform} == {"ozon": 1, "wildberries": 2}


async def test_api_requires_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/insights/overview", headers={"Authorization": ""})
    assert response.status_code == 401


def test_safe_cell() -> None:
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(bad).startswith("'")
    assert safe_cell("fine") == "fine" and safe_cell(-3) == -3 and safe_cell(None) is None


async def test_events_on_kafka_reach_the_aggregates(
    broker: Any, topic_prefix: str, database_url: str
) -> None:
    """End to end: the insights consumer group reads the topics the queue also reads."""
    app = create_app(settings_for(broker, topic_prefix, database_url))
    async with app.router.lifespan_context(app):
        publisher = Publisher(
            bootstrap_servers=broker.bootstrap_servers,
            topics=Topics(topic_prefix),
            producer_name="test",
        )
        await publisher.start()
        try:
            events = sample_events()
            await publisher.publish_envelopes(MENTIONS_CLASSIFIED, events[:3])
            await publisher.publish_envelopes(ASSIGNMENTS, [events[3]])
            await publisher.publish_envelopes(REPLIES_PUBLISHED, [events[4]])
            await publisher.publish_envelopes(MENTIONS_CLASSIFIED, events[:3])  # redelivered
        finally:
            await publisher.stop()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=AUTH
        ) as c:
            body: dict[str, Any] = {}
            for _ in range(150):
                body = (await c.get("/api/insights/overview", params=RANGE)).json()
                if body["totals"]["mentions"] >= 3 and body["sla"]["answered"] >= 1:
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)  # the redelivered copies must not add anything
            body = (await c.get("/api/insights/overview", params=RANGE)).json()
    assert body["totals"]["mentions"] == 3
    assert body["sla"]["answered"] == 1


async def test_a_sku_with_a_slash_has_its_product_page_api_and_csv(
    broker: Any, topic_prefix: str, database_url: str
) -> None:
    """Audit L9: SKUs like "KET/17-W" gave 404 (the route took one path segment)."""
    mention = make_mention(external_id="s1", rating=1, published_at=DAY, sku="KET/17-W")
    classified = MentionClassified(
        mention=mention,
        classification=make_classification(
            mention, Sentiment.negative, [("leak", Sentiment.negative, "It leaks")]
        ),
    )
    async with migrated(database_url) as sessions:
        await deliver(sessions, [envelope(classified)])
    app = create_app(settings_for(broker, topic_prefix, database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers=AUTH
        ) as client:
            product = await client.get("/api/insights/products/KET/17-W", params=RANGE)
            assert product.status_code == 200, product.text
            assert product.json()["aspects"][0]["aspect"] == "leak"
            csv = await client.get(
                "/api/insights/products/KET/17-W/csv", params={**RANGE, "table": "quotes"}
            )
            assert csv.status_code == 200 and "leak" in csv.text, csv.text
            # The page's route matches too (it sends a bearer-only caller to sign in).
            page = await client.get("/insights/products/KET/17-W")
            assert page.status_code == 303, page.text
            assert page.headers["location"] == "/login?next=%2Finsights%2Fproducts%2FKET%2F17-W"
