"""Quotas as the platforms define them, against fakes that enforce them (audit #6, #11):
Google Play's 200 GET an hour and 2,000 POST a day per app, Market's per-method hourly
quotas, Wildberries' reduced limits for basic tokens. Time is the shared virtual clock:
an hour of polling costs a second or two."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.ingest.connectors.google_play import GooglePlayConnector
from services.ingest.connectors.http import LimiterRegistry, RetryPolicy
from services.ingest.connectors.wildberries import WildberriesConnector
from services.ingest.connectors.yandex_market import YandexMarketConnector
from shared.connector import ConnectorError, ReplyRequest, SourceConfig
from shared.events import MentionKind
from shared.rate import window_rate
from tests.fakes import google_play as gp
from tests.fakes import wildberries as wb
from tests.fakes import yandex_market as ym
from tests.fakes.server import FakeClock, serve_app

POLICY = RetryPolicy(max_attempts=5, base_delay=0.2, max_total=120)


def connector(cls, platform, client, clock, url, credentials, **options):
    config = SourceConfig(
        source_id=f"{platform}-q",
        platform=platform,
        options={"base_url": url, **options},
        credentials=credentials,
    )
    return cls(config, client, limiters=LimiterRegistry(clock), clock=clock, policy=POLICY)


def play(client, clock, url, **options) -> GooglePlayConnector:
    creds = {"access_token": gp.ACCESS_TOKEN}
    return connector(
        GooglePlayConnector,
        "google_play",
        client,
        clock,
        url,
        creds,
        package_name=gp.PACKAGE,
        **options,
    )


def most_in_window(stamps: list[float], window_s: float) -> int:
    """The most requests any `window_s` seconds held (a sliding window over the log)."""
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= window_s:
            start += 1
        best = max(best, end - start + 1)
    return best


def stamped(fake, clock: FakeClock) -> list[float]:
    stamps: list[float] = []
    fake.on_request = lambda _recorded: stamps.append(clock.monotonic())
    return stamps


async def sweep(conn, cursor=None) -> tuple[list, str | None, int]:
    """One poll: pages until the connector says the sweep is done."""
    out, pages = [], 0
    for _ in range(100):
        page = await conn.fetch(cursor)
        pages += 1
        out.extend(page.mentions)
        cursor = page.next_cursor
        if not page.has_more:
            break
    return out, cursor, pages


async def test_play_sweep_stops_at_the_first_page_with_nothing_new(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """Play lists newest first: once a page has nothing new, older pages have nothing
    new either, so a quiet poll costs one GET of the 200 an hour, not a full sweep."""
    fake = gp.FakeGooglePlay(clock=clock)
    now = datetime.now(UTC)
    for i in range(20):
        fake.add_review(f"p{i:02d}", when=now - timedelta(hours=i + 1))
    async with serve_app(fake.app) as url:
        conn = play(client, clock, url, max_results=5)
        first, cursor, pages = await sweep(conn)
        assert len(first) == 20 and pages == 4
        quiet, cursor, pages = await sweep(conn, cursor)
        assert quiet == [] and pages == 1
        fake.add_review("p-new", when=now)  # on top of page 1
        fake.add_review("p07", text="Edited: it crashes now", rating=1, when=now)
        changed, cursor, pages = await sweep(conn, cursor)
        assert sorted(m.external_id for m in changed) == ["p-new", "p07"]
        assert pages == 2  # page 1 had news; page 2 had none: stop
    assert len(fake.calls("GET")) == 4 + 1 + 2


async def test_play_polls_an_hour_and_more_within_the_get_quota(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """Back-to-back polls for 1.5 hours: never a 429 from the hourly GET quota, and
    nearly all of it used (the bucket's burst counts against the hour). The quota is
    scaled down (40 an hour, both sides) to keep the test short; the default buckets'
    fit to 200/h and 2,000/day is checked in test_marketplaces."""
    fake = gp.FakeGooglePlay(clock=clock)
    fake.quotas["get"] = (40, 3600.0)
    fake.add_review("p1")
    stamps = stamped(fake, clock)
    async with serve_app(fake.app) as url:
        conn = play(client, clock, url, rate_per_s=window_rate(40, 3600, 2), burst=2)
        cursor = None
        end = clock.monotonic() + 5400
        while clock.monotonic() < end:
            _, cursor, _ = await sweep(conn, cursor)
    assert fake.throttled == 0
    assert 39 <= most_in_window(stamps, 3600) <= 40
    assert len(stamps) >= 58  # 1.5 h at the quota's pace


async def test_play_replies_for_a_day_within_the_post_quota(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """Replies back to back (edits: no read first) for a day and more: no 429 from the
    daily POST quota (scaled down to 60 a day, both sides), which stays apart from the
    hourly GET one."""
    fake = gp.FakeGooglePlay(clock=clock)
    fake.quotas["post"] = (60, 86400.0)
    for i in range(5):
        fake.add_review(f"r{i}")
    stamps = stamped(fake, clock)
    async with serve_app(fake.app) as url:
        conn = play(client, clock, url, post_rate_per_s=window_rate(60, 86400, 6), post_burst=6)
        for n in range(80):
            await conn.post_reply(
                ReplyRequest(
                    reply_id=f"a{n}",
                    external_id=f"r{n % 5}",
                    kind=MentionKind.review,
                    text=f"Спасибо! #{n}",
                    edit=True,
                )
            )
    assert fake.throttled == 0
    assert len(fake.calls("POST")) == 80 and fake.calls("GET") == []
    assert 58 <= most_in_window(stamps, 86400) <= 60
    assert clock.monotonic() - stamps[0] > 86400  # the 80 took more than a day


async def test_yandex_market_fake_throttles_past_a_method_quota(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """Market's fake answers 420 past a method's hourly quota (throttling is on by
    default); a connector paced to that quota polls for 1.5 hours without one."""
    fake = ym.FakeYandexMarket(clock=clock)
    assert fake.quotas["list"] == (5000, 3600.0) and fake.quotas["update"] == (1000, 3600.0)
    fake.quotas["list"] = (30, 3600.0)  # scaled down: the same check, fewer requests
    fake.add_feedback(1, datetime.now(UTC) - timedelta(days=1))
    stamps = stamped(fake, clock)
    creds = {"api_key": ym.API_KEY}
    async with serve_app(fake.app) as url:
        greedy = connector(
            YandexMarketConnector,
            "yandex_market",
            client,
            clock,
            url,
            creds,
            business_id=ym.BUSINESS_ID,
            rate_per_s=1.0,
            burst=4,
        )
        for _ in range(30):
            await greedy.http.request("POST", greedy.prefix, json_body={})
        with pytest.raises(ConnectorError) as err:  # the 31st: wait an hour, says Market
            await greedy.http.request("POST", greedy.prefix, json_body={})
        assert "HTTP 420" in str(err.value) and err.value.retryable
        assert fake.throttled >= 1
        fake.throttled, fake.windows = 0, {}
        stamps.clear()
        paced = connector(
            YandexMarketConnector,
            "yandex_market",
            client,
            clock,
            url,
            creds,
            business_id=ym.BUSINESS_ID,
            rate_per_s=window_rate(30, 3600, 4),
            burst=4,
            kinds=["reviews"],  # the questions list has a quota of its own
        )
        cursor = None
        end = clock.monotonic() + 5400
        while clock.monotonic() < end:
            _, cursor, _ = await sweep(paced, cursor)
    assert fake.throttled == 0
    assert 28 <= most_in_window(stamps, 3600) <= 30


def jwt(claims: dict) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJFUzI1NiJ9.{body}.sig"


async def test_wildberries_basic_token_keeps_to_its_reduced_limits(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    """Finding 11: a basic token (`acc` 1) has reduced limits; the connector reads the
    token's kind and uses them (configurable per source) instead of 3 req/s burst 6."""
    basic = jwt({"sid": "seller-7", "acc": 1, "exp": 2_000_000_000})
    fake = wb.FakeWildberries(clock=clock, rate=1.0, burst=1, token=basic)
    fake.add_feedback("f1", datetime.now(UTC) - timedelta(hours=1))
    async with serve_app(fake.app) as url:
        conn = connector(WildberriesConnector, "wildberries", client, clock, url, {"token": basic})
        cursor = None
        for _ in range(12):
            page = await conn.fetch(cursor)
            cursor = page.next_cursor
        assert fake.throttled == 0 and len(fake.requests) == 12
        tuned = connector(
            WildberriesConnector,
            "wildberries",
            client,
            clock,
            url,
            {"token": basic},
            basic_rate_per_s=0.5,
            basic_burst=2,
        )
        assert tuned.http.limiter is not None and tuned.http.limiter.rate == 0.5
        personal = jwt({"sid": "seller-8", "acc": 3})
        full = connector(
            WildberriesConnector, "wildberries", client, clock, url, {"token": personal}
        )
        assert full.http.limiter is not None
        assert (full.http.limiter.rate, full.http.limiter.burst) == (3.0, 6)
