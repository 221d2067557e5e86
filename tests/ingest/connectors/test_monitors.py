"""HTML review-site monitor and RSS/Atom feed connectors (monitor-only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.ingest.connectors.html_monitor import HtmlMonitorConnector
from services.ingest.connectors.http import LimiterRegistry, RetryPolicy
from services.ingest.connectors.rss import RssConnector
from shared.connector import (
    Capability,
    ConnectorError,
    ReplyNotSupported,
    ReplyRequest,
    SourceConfig,
)
from shared.events import MentionKind
from tests.fakes.server import serve_app
from tests.fakes.sites import SITE_SELECTORS, FakeFeed, FakeReviewSite

POLICY = RetryPolicy(max_attempts=4, base_delay=0.1, max_total=60)


def site(client, clock, url, listing="/reviews/brand", **options):
    config = SourceConfig(
        source_id="otzovik-brand",
        platform="html_monitor",
        options={
            "url": f"{url}{listing}",
            "selectors": SITE_SELECTORS,
            "date_format": "%d.%m.%Y",
            "brand": "Brand",
            **options,
        },
    )
    return HtmlMonitorConnector(
        config, client, limiters=LimiterRegistry(clock), clock=clock, policy=POLICY
    )


async def test_site_follows_next_links_and_maps(client, clock) -> None:
    fake = FakeReviewSite(clock=clock)
    for i in range(8):
        fake.add(f"r{i}", f"Заголовок {i}", f"Текст отзыва {i}", rating=(i % 5) + 1)
    async with serve_app(fake.app) as url:
        conn = site(client, clock, url)
        page = await conn.fetch(None)
    assert len(fake.requests) == 3  # 3 + 3 + 2 reviews
    assert sorted(m.external_id for m in page.mentions) == sorted(f"r{i}" for i in range(8))
    m = next(m for m in page.mentions if m.external_id == "r0")
    assert m.text == "Заголовок 0\nТекст отзыва 0" and m.rating == 1 and m.pros == "Цена"
    assert m.url == f"{url}/review_r0.html" and m.product.brand == "Brand"
    assert m.published_at.tzinfo is not None and m.published_at.day == 12
    assert not page.has_more and Capability.reply not in conn.capabilities


async def test_site_bounded_pages_stop_early_and_edits(client, clock) -> None:
    fake = FakeReviewSite(clock=clock)
    for i in range(12):
        fake.add(f"r{i}", f"T{i}", f"B{i}")
    async with serve_app(fake.app) as url:
        conn = site(client, clock, url, max_pages=2)
        first = await conn.fetch(None)
        assert len(first.mentions) == 6 and len(fake.requests) == 2
        fake.add("new", "Новый", "Свежий отзыв")
        fake.reviews[3]["body"] = "Отредактировано"  # an old review on page 2, edited
        before = len(fake.requests)
        second = await conn.fetch(first.next_cursor)
    ids = [m.external_id for m in second.mentions]
    assert "new" in ids and fake.reviews[3]["id"] in ids
    old = next(m for m in first.mentions if m.external_id == fake.reviews[3]["id"])
    new = next(m for m in second.mentions if m.external_id == old.external_id)
    assert new.mention_id == old.mention_id and new.revision != old.revision
    assert len(fake.requests) - before == 2


async def test_site_bad_item_skipped_and_reply_unsupported(client, clock) -> None:
    fake = FakeReviewSite(clock=clock)
    fake.add("ok", "Норм", "Хорошо")
    fake.add("baddate", "Дата", "Кривая", date="когда-то давно")
    fake.add("", "Без id", "Нет атрибута")
    async with serve_app(fake.app) as url:
        conn = site(client, clock, url)
        page = await conn.fetch(None)
        with pytest.raises(ReplyNotSupported):
            await conn.post_reply(
                ReplyRequest(reply_id="x", external_id="ok", kind=MentionKind.review, text="hi")
            )
    assert [m.external_id for m in page.mentions] == ["ok"]
    assert page.skipped == 2


async def test_site_5xx_retried(client, clock) -> None:
    fake = FakeReviewSite(clock=clock)
    fake.add("a", "T", "B")
    fake.fail_next(2, "503")
    async with serve_app(fake.app) as url:
        page = await site(client, clock, url).fetch(None)
    assert [m.external_id for m in page.mentions] == ["a"]


def feed_conn(client, clock, url, **options):
    config = SourceConfig(
        source_id="news",
        platform="rss",
        options={"url": f"{url}/feed.xml", "keywords": ["Otklik"], **options},
    )
    return RssConnector(config, client, limiters=LimiterRegistry(clock), clock=clock, policy=POLICY)


@pytest.mark.parametrize("atom", [False, True])
async def test_feed_keywords_dedup_and_kind(client, clock, atom) -> None:
    fake = FakeFeed(clock=clock, atom=atom)
    now = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    fake.add("n1", "Otklik raises a round", "<p>Brand news</p>", now)
    fake.add("n2", "Weather today", "Rain", now + timedelta(hours=1))
    fake.add("n3", "Review of tools", "We tried OTKLIK for a month", now + timedelta(hours=2))
    async with serve_app(fake.app) as url:
        conn = feed_conn(client, clock, url)
        first = await conn.fetch(None)
        assert sorted(m.external_id for m in first.mentions) == ["n1", "n3"]
        assert all(m.kind == MentionKind.mention for m in first.mentions)
        n1 = next(m for m in first.mentions if m.external_id == "n1")
        assert n1.text == "Otklik raises a round\nBrand news" and n1.published_at == now
        assert n1.url == "https://news.example/n1"
        again = await conn.fetch(first.next_cursor)
        assert again.mentions == []
        fake.add("n4", "Otklik again", "", now + timedelta(hours=3))
        third = await conn.fetch(again.next_cursor)
    assert [m.external_id for m in third.mentions] == ["n4"]


async def test_feed_not_a_feed_is_an_error(client, clock) -> None:
    fake = FakeReviewSite(clock=clock)  # serves HTML, not a feed
    async with serve_app(fake.app) as url:
        config = SourceConfig(
            source_id="news", platform="rss", options={"url": f"{url}/reviews/brand"}
        )
        conn = RssConnector(config, client, limiters=LimiterRegistry(clock), clock=clock)
        with pytest.raises(ConnectorError) as err:
            await conn.fetch(None)
        with pytest.raises(ReplyNotSupported):
            await conn.confirm_reply(
                ReplyRequest(reply_id="x", external_id="n", kind=MentionKind.mention, text="hi")
            )
    assert "not a readable RSS/Atom feed" in str(err.value)


def test_all_platforms_registered() -> None:
    import services.ingest.connectors  # noqa: F401
    from shared.connector import registered_platforms

    assert {"wildberries", "ozon", "yandex_market", "html_monitor", "rss", "google_play"} <= set(
        registered_platforms()
    )


# --- a monitor that says when it is blind (audit section 6, finding 10) --------------------


async def test_site_follows_a_redirect_instead_of_reading_zero_reviews(client, clock) -> None:
    fake = FakeReviewSite(clock=clock)
    for i in range(4):
        fake.add(f"r{i}", f"T{i}", f"B{i}")
    async with serve_app(fake.app) as url:
        conn = site(client, clock, url, listing="/old/reviews/brand")
        page = await conn.fetch(None)
    assert sorted(m.external_id for m in page.mentions) == ["r0", "r1", "r2", "r3"]


async def test_site_captcha_page_is_an_error_naming_it(client, clock) -> None:
    fake = FakeReviewSite(clock=clock, captcha=True)
    fake.add("r0", "T0", "B0")
    async with serve_app(fake.app) as url:
        with pytest.raises(ConnectorError) as err:
            await site(client, clock, url).fetch(None)
    assert "captcha" in str(err.value) and "blind" in str(err.value)
    assert err.value.retryable is False  # the poller marks the source unhealthy at once


async def test_site_with_no_reviews_after_having_some_is_an_error(client, clock) -> None:
    fake = FakeReviewSite(clock=clock)
    fake.add("r0", "T0", "B0")
    async with serve_app(fake.app) as url:
        conn = site(client, clock, url)
        first = await conn.fetch(None)
        assert len(first.mentions) == 1
        fake.item_class = "review-card"  # the site was redesigned
        with pytest.raises(ConnectorError) as err:
            await conn.fetch(first.next_cursor)
        assert "lists no reviews although earlier polls found some" in str(err.value)
        fresh = site(client, clock, url)  # a new source with nothing before: just empty
        assert (await fresh.fetch(None)).mentions == []


async def test_site_russian_month_names_and_relative_dates(client, clock) -> None:
    fake = FakeReviewSite(clock=clock)
    fake.add("abs", "T", "B", date="12 марта 2025 г.")
    fake.add("short", "T", "B", date="3 сент. 2024, 14:05")
    fake.add("yday", "T", "B", date="вчера в 10:15")
    fake.add("ago", "T", "B", date="2 дня назад")
    fake.add("iso", "T", "B", date="12.03.2025")
    async with serve_app(fake.app) as url:
        page = await site(client, clock, url, max_pages=3).fetch(None)
    assert page.skipped == 0, page.skipped_reasons
    got = {m.external_id: m.published_at for m in page.mentions}
    msk = got["abs"].tzinfo
    assert (got["abs"].year, got["abs"].month, got["abs"].day) == (2025, 3, 12)
    assert (got["short"].month, got["short"].day, got["short"].hour) == (9, 3, 14)
    now = datetime.now(UTC).astimezone(msk)
    assert got["yday"].date() == (now - timedelta(days=1)).date() and got["yday"].hour == 10
    assert abs((now - timedelta(days=2)) - got["ago"]) < timedelta(minutes=5)
    assert got["iso"].day == 12


def test_russian_dates_without_a_year_and_garbage() -> None:
    from zoneinfo import ZoneInfo

    from services.ingest.connectors.ru_dates import parse_ru_date

    msk = ZoneInfo("Europe/Moscow")
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert parse_ru_date("28 декабря", now, msk) == datetime(2025, 12, 28, tzinfo=msk)
    assert parse_ru_date("5 января", now, msk) == datetime(2026, 1, 5, tzinfo=msk)
    assert parse_ru_date("сегодня", now, msk) == datetime(2026, 1, 10, tzinfo=msk)
    assert parse_ru_date("неделю назад", now, msk) == now.astimezone(msk) - timedelta(weeks=1)
    assert parse_ru_date("5 минут назад", now, msk) == now.astimezone(msk) - timedelta(minutes=5)
    for garbage in ("31 февраля 2025", "12 бармаглота 2025", "давно", ""):
        assert parse_ru_date(garbage, now, msk) is None, garbage
