"""Ozon, Yandex Market and Google Play connectors against their fakes over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.ingest.connectors.google_play import GooglePlayConnector
from services.ingest.connectors.http import LimiterRegistry, RetryPolicy
from services.ingest.connectors.ozon import OzonConnector
from services.ingest.connectors.yandex_market import YandexMarketConnector
from shared.connector import AlreadyAnswered, ConnectorError, ReplyRequest, SourceConfig
from shared.events import MentionKind, mention_id_for
from tests.fakes import google_play as gp
from tests.fakes import ozon as oz
from tests.fakes import yandex_market as ym
from tests.fakes.server import serve_app

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=5, base_delay=0.2, max_total=120)


def build(cls, platform, client, clock, url, credentials, **options):
    config = SourceConfig(
        source_id=f"{platform}-1",
        platform=platform,
        options={"base_url": url, **options},
        credentials=credentials,
    )
    return cls(config, client, limiters=LimiterRegistry(clock), clock=clock, policy=POLICY)


async def drain(conn, cursor=None):
    out = []
    for _ in range(100):
        page = await conn.fetch(cursor)
        out.extend(page.mentions)
        cursor = page.next_cursor
        if not page.has_more:
            break
    return out, cursor


# --- Ozon ---------------------------------------------------------------------------------

OZ_CREDS = {"client_id": oz.CLIENT_ID, "api_key": oz.API_KEY}


def ozon(client, clock, url, **options):
    options.setdefault("kinds", ["reviews"])  # the questions stream has its own tests
    return build(OzonConnector, "ozon", client, clock, url, OZ_CREDS, **options)


async def test_ozon_pages_with_last_id_and_resumes(client, clock) -> None:
    fake = oz.FakeOzon(clock=clock)
    for i in range(45):
        fake.add_review(T0 + timedelta(minutes=i), text=f"отзыв {i}", rid=f"r{i:03d}")
    async with serve_app(fake.app) as url:
        conn = ozon(client, clock, url, limit=20)
        first, cursor = await drain(conn)
        assert [m.external_id for m in first] == [f"r{i:03d}" for i in range(45)]
        bodies = fake.calls("POST", "/v1/review/list")
        assert len(bodies) == 3
        assert all(r.headers["client-id"] == oz.CLIENT_ID for r in fake.requests)
        assert all(r.headers["api-key"] == oz.API_KEY for r in fake.requests)
        fake.add_review(T0 + timedelta(days=1), rid="r999")
        later, _ = await drain(conn, cursor)
    assert [m.external_id for m in later] == ["r999"]
    m = first[0]
    assert m.mention_id == mention_id_for("ozon", "r000") and m.rating == 4
    assert m.product.sku == "1234567890" and m.published_at == T0


async def test_ozon_limit_is_clamped_to_20_100(client, clock) -> None:
    fake = oz.FakeOzon(clock=clock)
    fake.add_review(T0)
    async with serve_app(fake.app) as url:
        page = await ozon(client, clock, url, limit=5).fetch(None)
    assert len(page.mentions) == 1


async def test_ozon_missing_subscription_is_final_and_clear(client, clock) -> None:
    fake = oz.FakeOzon(clock=clock, subscription=False)
    async with serve_app(fake.app) as url:
        with pytest.raises(ConnectorError) as err:
            await ozon(client, clock, url).fetch(None)
    assert err.value.retryable is False
    assert "subscription" in str(err.value) and "Premium" in str(err.value)
    assert len(fake.requests) == 1


async def test_ozon_429_code_8_retried(client, clock) -> None:
    fake = oz.FakeOzon(clock=clock)
    fake.add_review(T0)
    fake.fail_next(2, "throttle")
    async with serve_app(fake.app) as url:
        page = await ozon(client, clock, url).fetch(None)
    assert len(page.mentions) == 1 and fake.throttled == 2


async def test_ozon_reply_create_confirm_edit_no_double_post(client, clock) -> None:
    fake = oz.FakeOzon(clock=clock, moderating=False)
    review = fake.add_review(T0, rid="rv1")
    async with serve_app(fake.app) as url:
        conn = ozon(client, clock, url)
        req = ReplyRequest(
            reply_id="a", external_id="rv1", kind=MentionKind.review, text="Спасибо!"
        )
        result = await conn.post_reply(req)
        assert result.external_reply_id and await conn.confirm_reply(req)
        again = await conn.post_reply(req)  # retried after a lost answer
        assert again.external_reply_id == result.external_reply_id
        assert len(fake.calls("POST", "/v1/review/comment/create")) == 1
        assert review["status"] == "PROCESSED"
        edit = ReplyRequest(
            reply_id="b",
            external_id="rv1",
            kind=MentionKind.review,
            text="Спасибо, заменим товар",
            edit=True,
        )
        await conn.post_reply(edit)
        assert await conn.confirm_reply(edit) and not await conn.confirm_reply(req)
    assert [c["text"] for c in fake.comments["rv1"]] == ["Спасибо, заменим товар"]
    assert len(fake.calls("POST", "/v1/review/comment/delete")) == 1


async def test_ozon_wrong_credentials(client, clock) -> None:
    fake = oz.FakeOzon(clock=clock)
    async with serve_app(fake.app) as url:
        conn = build(
            OzonConnector, "ozon", client, clock, url, {"client_id": oz.CLIENT_ID, "api_key": "bad"}
        )
        with pytest.raises(ConnectorError) as err:
            await conn.fetch(None)
    assert not err.value.retryable and "401" in str(err.value)


# --- Yandex Market ------------------------------------------------------------------------

YM_CREDS = {"api_key": ym.API_KEY}


def yandex(client, clock, url, **options):
    options.setdefault("kinds", ["reviews"])  # the questions stream has its own tests
    return build(
        YandexMarketConnector,
        "yandex_market",
        client,
        clock,
        url,
        YM_CREDS,
        business_id=ym.BUSINESS_ID,
        **options,
    )


async def test_yandex_page_tokens_overlap_and_dedup(client, clock) -> None:
    fake = ym.FakeYandexMarket(clock=clock)
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)  # within Market's window
    for i in range(1, 61):
        fake.add_feedback(i, t0 + timedelta(minutes=i))
    async with serve_app(fake.app) as url:
        conn = yandex(client, clock, url, limit=25, overlap_s=1800)
        first, cursor = await drain(conn)
        assert [m.external_id for m in first] == [str(i) for i in range(1, 61)]
        tokens = [r.query.get("pageToken") for r in fake.calls("POST")]
        assert tokens[0] is None and all(tokens[1:])
        assert all(r.headers["api-key"] == ym.API_KEY for r in fake.requests)
        fake.add_feedback(99, t0 + timedelta(hours=5))
        fake.feedbacks[0]["description"]["comment"] = "Изменил мнение"  # edited in place
        fake.feedbacks[-2]["description"]["comment"] = "Стало хуже"
        fake.feedbacks[-2]["statistics"]["rating"] = 2
        later, _ = await drain(conn, cursor)
    assert sorted(m.external_id for m in later) == ["60", "99"]  # #1 is outside the overlap
    edited = next(m for m in later if m.external_id == "60")
    orig = next(m for m in first if m.external_id == "60")
    assert edited.mention_id == orig.mention_id and edited.revision != orig.revision
    m = first[0]
    assert m.pros == "Лёгкий" and m.cons == "Дорогой" and m.product.sku == "SKU-1"


async def test_yandex_420_throttling_retried(client, clock) -> None:
    fake = ym.FakeYandexMarket(clock=clock)
    fake.add_feedback(1, T0)
    fake.fail_next(2, "throttle")
    async with serve_app(fake.app) as url:
        conn = yandex(client, clock, url)
        page = await conn.fetch(None)
    assert [m.external_id for m in page.mentions] == ["1"]
    assert conn.http.stats.throttled == 2 and conn.http.stats.by_status[420] == 2


async def test_yandex_reply_then_edit_in_place(client, clock) -> None:
    fake = ym.FakeYandexMarket(clock=clock)
    fake.add_feedback(7, T0)
    async with serve_app(fake.app) as url:
        conn = yandex(client, clock, url)
        req = ReplyRequest(reply_id="a", external_id="7", kind=MentionKind.review, text="Спасибо!")
        res = await conn.post_reply(req)
        assert await conn.confirm_reply(req)
        edit = ReplyRequest(
            reply_id="b",
            external_id="7",
            kind=MentionKind.review,
            text="Спасибо за отзыв!",
            edit=True,
        )
        res2 = await conn.post_reply(edit)
        assert res2.external_reply_id == res.external_reply_id
        assert await conn.confirm_reply(edit)
        with pytest.raises(ConnectorError) as err:
            await conn.post_reply(
                ReplyRequest(
                    reply_id="c", external_id="7", kind=MentionKind.review, text="x" * 4097
                )
            )
    assert len(fake.comments) == 1 and fake.comments[0]["text"] == "Спасибо за отзыв!"
    assert not err.value.retryable and "4097" in str(err.value)


async def test_yandex_persistent_500_retryable(client, clock) -> None:
    fake = ym.FakeYandexMarket(clock=clock)
    fake.fail_next(99, "500")
    async with serve_app(fake.app) as url:
        with pytest.raises(ConnectorError) as err:
            await yandex(client, clock, url).fetch(None)
    assert err.value.retryable


# --- Google Play --------------------------------------------------------------------------

GP_CREDS = {"access_token": gp.ACCESS_TOKEN}


def play(client, clock, url, **options):
    return build(
        GooglePlayConnector,
        "google_play",
        client,
        clock,
        url,
        GP_CREDS,
        package_name=gp.PACKAGE,
        **options,
    )


async def test_play_token_paging_dedup_and_edit(client, clock) -> None:
    fake = gp.FakeGooglePlay(clock=clock)
    now = datetime.now(UTC)
    for i in range(12):  # Play lists newest first: g0 .. g11
        fake.add_review(f"g{i}", text=f"Title {i}\tBody {i}", when=now - timedelta(minutes=i))
    async with serve_app(fake.app) as url:
        conn = play(client, clock, url, max_results=5)
        first, cursor = await drain(conn)
        assert [m.external_id for m in first] == [f"g{i}" for i in range(12)]
        assert first[0].text == "Title 0\nBody 0" and first[0].language_hint == "ru"
        assert all(r.headers["authorization"] == f"Bearer {gp.ACCESS_TOKEN}" for r in fake.requests)
        again, cursor = await drain(conn, cursor)
        assert again == []
        fake.add_review("g3", text="Now it crashes", rating=1)
        changed, _ = await drain(conn, cursor)
    assert [m.external_id for m in changed] == ["g3"]
    assert changed[0].mention_id == first[3].mention_id
    assert changed[0].revision != first[3].revision


async def test_play_reply_cap_and_confirm(client, clock) -> None:
    fake = gp.FakeGooglePlay(clock=clock)
    fake.add_review("g1")
    async with serve_app(fake.app) as url:
        conn = play(client, clock, url)
        with pytest.raises(ConnectorError) as err:
            await conn.post_reply(
                ReplyRequest(
                    reply_id="a", external_id="g1", kind=MentionKind.review, text="x" * 351
                )
            )
        assert not err.value.retryable and "350" in str(err.value)
        assert fake.replies == []
        req = ReplyRequest(reply_id="b", external_id="g1", kind=MentionKind.review, text="x" * 350)
        await conn.post_reply(req)
        assert await conn.confirm_reply(req)
        gone = ReplyRequest(reply_id="c", external_id="zz", kind=MentionKind.review, text="hi")
        with pytest.raises(ConnectorError) as err:
            await conn.post_reply(gone)
    assert not err.value.retryable and "no longer exists" in str(err.value)


async def test_play_faults_then_success(client, clock) -> None:
    fake = gp.FakeGooglePlay(clock=clock)
    fake.add_review("g1")
    fake.fail_next(1, "invalid_json")
    fake.fail_next(1, "throttle", delay=5)
    fake.fail_next(1, "503")
    async with serve_app(fake.app) as url:
        page = await play(client, clock, url).fetch(None)
    assert [m.external_id for m in page.mentions] == ["g1"]
    assert any(wait >= 5 for wait in clock.slept)


async def test_play_wrong_token(client, clock) -> None:
    fake = gp.FakeGooglePlay(clock=clock)
    async with serve_app(fake.app) as url:
        conn = build(
            GooglePlayConnector,
            "google_play",
            client,
            clock,
            url,
            {"access_token": "expired"},
            package_name=gp.PACKAGE,
        )
        with pytest.raises(ConnectorError) as err:
            await conn.fetch(None)
    assert not err.value.retryable and "invalid authentication" in str(err.value)


GP_OAUTH = {
    "client_id": gp.CLIENT_ID,
    "client_secret": gp.CLIENT_SECRET,
    "refresh_token": gp.REFRESH_TOKEN,
}


def play_oauth(client, clock, url, credentials=GP_OAUTH):
    return build(
        GooglePlayConnector,
        "google_play",
        client,
        clock,
        url,
        credentials,
        package_name=gp.PACKAGE,
        token_url=url + gp.TOKEN_PATH,
    )


async def test_play_access_tokens_from_a_refresh_token(client, clock) -> None:
    fake = gp.FakeGooglePlay(clock=clock)
    fake.add_review("g1")
    async with serve_app(fake.app) as url:
        conn = play_oauth(client, clock, url)
        first = await conn.fetch(None)
        assert [m.external_id for m in first.mentions] == ["g1"]
        [grant] = fake.calls("POST", gp.TOKEN_PATH)
        assert grant.headers["content-type"] == "application/x-www-form-urlencoded"
        await conn.fetch(first.next_cursor)
        assert len(fake.calls("POST", gp.TOKEN_PATH)) == 1  # reused while it lives
        clock.now += 3599 - 120  # close to its expiry: renewed before use
        await conn.fetch(None)
        assert len(fake.calls("POST", gp.TOKEN_PATH)) == 2
        fake.revoke_access_tokens()  # dead early: one 401, renewed, the call repeated
        req = ReplyRequest(reply_id="a", external_id="g1", kind=MentionKind.review, text="Спасибо!")
        await conn.post_reply(req)
        assert await conn.confirm_reply(req)
    assert len(fake.calls("POST", gp.TOKEN_PATH)) == 3
    assert len(fake.replies) == 1
    played = [r for r in fake.requests if r.path != gp.TOKEN_PATH]
    assert all(r.headers["authorization"].startswith("Bearer ya29.issued-") for r in played)


async def test_play_revoked_refresh_token_is_a_clear_final_error(client, clock) -> None:
    fake = gp.FakeGooglePlay(clock=clock, refresh_token="1//granted-later")
    async with serve_app(fake.app) as url:
        with pytest.raises(ConnectorError) as err:
            await play_oauth(client, clock, url).fetch(None)
        with pytest.raises(ConnectorError) as bad_client:
            await play_oauth(client, clock, url, {**GP_OAUTH, "client_secret": "wrong"}).fetch(None)
    message = str(err.value)
    assert not err.value.retryable and "invalid_grant" in message
    assert "Token has been expired or revoked" in message and "authorise the source" in message
    assert not bad_client.value.retryable and "invalid_client" in str(bad_client.value)
    for secret in (gp.CLIENT_SECRET, gp.REFRESH_TOKEN, "wrong"):
        assert secret not in message and secret not in str(bad_client.value)
    assert [r.path for r in fake.requests] == [gp.TOKEN_PATH] * 2  # not retried, no Play call


def test_play_needs_an_access_token_or_an_oauth_client() -> None:
    import httpx

    with pytest.raises(ConnectorError) as err:
        GooglePlayConnector(
            SourceConfig(
                source_id="gp",
                platform="google_play",
                options={"package_name": gp.PACKAGE},
                credentials={"client_id": gp.CLIENT_ID},
            ),
            httpx.AsyncClient(),
        )
    assert "missing: client_secret, refresh_token" in str(err.value)


# --- answered state (audit section 6, finding 1) ------------------------------------------


async def test_ozon_own_comment_on_unprocessed_review_counts_as_answered(client, clock) -> None:
    """Finding 1: `status` is a seller-side flag; an own comment means answered."""
    fake = oz.FakeOzon(clock=clock, moderating=False)
    fake.add_review(T0, rid="mine")
    fake.add_review(T0 + timedelta(minutes=1), rid="buyer")
    fake.add_review(T0 + timedelta(minutes=2), rid="open")
    fake.answer_in_cabinet("mine", "Спасибо!")
    fake.reviews[0]["status"] = "UNPROCESSED"  # answered, not marked processed
    fake.comments["buyer"] = [
        {"id": "c9", "text": "Согласен", "is_owner": False, "is_official": False}
    ]
    fake.reviews[1]["comments_amount"] = 1
    async with serve_app(fake.app) as url:
        mentions, _ = await drain(ozon(client, clock, url, status="ALL"))
    assert {m.external_id: m.answered for m in mentions} == {
        "mine": True,
        "buyer": False,
        "open": False,
    }
    # comments are read only for reviews that have some
    assert len(fake.calls("POST", "/v1/review/comment/list")) == 2


async def test_ozon_cabinet_answer_in_moderation_stops_the_post(client, clock) -> None:
    """Finding 1: Ozon lists a comment only after moderation; a processed review that
    counts more comments than are listed holds an answer in moderation."""
    fake = oz.FakeOzon(clock=clock, moderating=True)
    fake.add_review(T0, rid="rv1")
    fake.answer_in_cabinet("rv1", "Спасибо, разберёмся")
    async with serve_app(fake.app) as url:
        conn = ozon(client, clock, url)
        req = ReplyRequest(
            reply_id="a", external_id="rv1", kind=MentionKind.review, text="Спасибо!"
        )
        with pytest.raises(AlreadyAnswered) as err:
            await conn.post_reply(req)
    assert "awaiting moderation" in str(err.value) and not err.value.retryable
    assert fake.calls("POST", "/v1/review/comment/create") == []


async def test_yandex_answered_only_by_seller_or_brand_comments(client, clock) -> None:
    """Finding 1 (and 12): `commentsCount` counts buyers too; BRAND answers count."""
    fake = ym.FakeYandexMarket(clock=clock)
    for fid in (1, 2, 3, 4):
        fake.add_feedback(fid, T0 + timedelta(minutes=fid))
    fake.answer_in_cabinet(1, "Спасибо!")
    fake.answer_in_cabinet(2, "Спасибо от бренда", author_type="BRAND")
    fake.add_buyer_comment(3, "У меня так же")
    async with serve_app(fake.app) as url:
        mentions, _ = await drain(yandex(client, clock, url))
    assert {m.external_id: m.answered for m in mentions} == {
        "1": True,
        "2": True,
        "3": False,
        "4": False,
    }


async def test_yandex_seller_answer_on_a_later_comment_page_is_found(client, clock) -> None:
    """Finding 12: the comment list is paged; the seller's answer may not be on page 1."""
    fake = ym.FakeYandexMarket(clock=clock)
    fake.add_feedback(5, T0)
    for i in range(60):
        fake.add_buyer_comment(5, f"комментарий {i}")
    fake.answer_in_cabinet(5, "Спасибо!")
    async with serve_app(fake.app) as url:
        conn = yandex(client, clock, url)
        [m] = (await conn.fetch(None)).mentions
        assert m.answered is True
        req = ReplyRequest(reply_id="a", external_id="5", kind=MentionKind.review, text="Ещё")
        with pytest.raises(AlreadyAnswered):
            await conn.post_reply(req)


async def test_google_play_developer_reply_means_answered(client, clock) -> None:
    """Finding 1: any developerComment means answered; `:reply` would overwrite it."""
    fake = gp.FakeGooglePlay(clock=clock)
    fake.add_review("r1")
    fake.add_review("r2")
    fake.answer_in_cabinet("r1", "Thanks!")
    async with serve_app(fake.app) as url:
        conn = build(
            GooglePlayConnector,
            "google_play",
            client,
            clock,
            url,
            {"access_token": gp.ACCESS_TOKEN},
            package_name=gp.PACKAGE,
        )
        mentions, _ = await drain(conn)
    assert {m.external_id: m.answered for m in mentions} == {"r1": True, "r2": False}


async def test_yandex_long_pause_clamps_to_the_six_month_window(client, clock) -> None:
    """Finding 8: a watermark older than six months would make every request invalid
    (the source stuck unhealthy); the window is clamped to what Market serves."""
    import json

    now = datetime.now(UTC)
    fake = ym.FakeYandexMarket(clock=clock)
    fake.add_feedback(1, now - timedelta(days=200))  # out of Market's window
    fake.add_feedback(2, now - timedelta(days=10))
    stale = json.dumps({"wm": int((now - timedelta(days=400)).timestamp()), "seen": {}})
    async with serve_app(fake.app) as url:
        mentions, _ = await drain(yandex(client, clock, url), stale)
    assert [m.external_id for m in mentions] == ["2"]  # no 400, not stuck


async def test_ozon_history_walk_reads_processed_reviews_too(client, clock) -> None:
    """Finding 9: the live source reads UNPROCESSED; a history import reads ALL (the
    processed ones come in answered) and does not resweep."""
    from services.ingest.source.backfill import DateRange, walk_for

    fake = oz.FakeOzon(clock=clock, moderating=False)
    fake.add_review(T0, rid="open")
    fake.add_review(T0 + timedelta(minutes=1), rid="done", status="PROCESSED")
    async with serve_app(fake.app) as url:
        conn = ozon(client, clock, url)
        live, _ = await drain(conn)
        span = DateRange(T0.date(), T0.date())
        history, cursor = await drain(conn, walk_for(conn, span).first_cursor())
        mention = ReplyRequest(
            reply_id="m", external_id="open", kind=MentionKind.mention, text="Да"
        )
        with pytest.raises(ConnectorError, match="cannot answer"):
            await conn.post_reply(mention)
    assert [m.external_id for m in live] == ["open"]
    assert {m.external_id: m.answered for m in history} == {"open": False, "done": True}
    assert '"status":"ALL"' in cursor


async def test_google_play_replies_use_their_own_quota_and_confirm_without_a_get(
    client, clock
) -> None:
    """Finding 6: 200 GET/h and 2,000 POST/day per app are separate quotas; a reply's
    confirmation reuses the `:reply` answer instead of spending a GET."""
    fake = gp.FakeGooglePlay(clock=clock)
    fake.add_review("r1")
    async with serve_app(fake.app) as url:
        conn = build(
            GooglePlayConnector,
            "google_play",
            client,
            clock,
            url,
            {"access_token": gp.ACCESS_TOKEN},
            package_name=gp.PACKAGE,
        )
        assert conn.http.limiter is not None and conn.post_http.limiter is not None
        # Whole quotas, bursts included, in any hour (day): never more, at most 2 % less.
        assert within_quota(conn.http.limiter, 200, 3600)
        assert within_quota(conn.post_http.limiter, 2000, 86400)
        gets_left = conn.http.limiter._tokens
        req = ReplyRequest(reply_id="a", external_id="r1", kind=MentionKind.review, text="Thanks!")
        await conn.post_reply(req)
        assert (await conn.check_reply(req)).state == "published"
        assert len(fake.calls("POST")) == 1
        assert len(fake.calls("GET")) == 1  # the read before posting; none to confirm
        assert conn.http.limiter._tokens == pytest.approx(gets_left - 1, abs=0.01)
        assert (await conn.check_reply(req)).state == "published"  # later: a real read
        assert len(fake.calls("GET")) == 2


async def test_yandex_quotas_are_per_method(client, clock) -> None:
    """Finding 11: Market's list (5,000/h), comment list (5,000/h) and comment update
    (1,000/h) quotas are separate; a reply does not spend the list's budget."""
    fake = ym.FakeYandexMarket(clock=clock)
    fake.add_feedback(7, T0)
    async with serve_app(fake.app) as url:
        conn = yandex(client, clock, url)
        buckets = (conn.http.limiter, conn.comments_http.limiter, conn.update_http.limiter)
        assert all(b is not None for b in buckets) and len({id(b) for b in buckets}) == 3
        assert within_quota(conn.update_http.limiter, 1000, 3600)
        assert within_quota(conn.comments_http.limiter, 5000, 3600)
        assert within_quota(conn.http.limiter, 5000, 3600)
        listed = conn.http.limiter._tokens
        req = ReplyRequest(reply_id="a", external_id="7", kind=MentionKind.review, text="Спасибо!")
        await conn.post_reply(req)
        assert conn.http.limiter._tokens == pytest.approx(listed, abs=0.05)
        assert len(fake.calls("POST", ym_update_path())) == 1


def within_quota(bucket, limit: int, window_s: float) -> bool:
    """The most a bucket lets through in any window is its capacity plus rate * window."""
    most = bucket.capacity + bucket.rate * window_s
    return 0.98 * limit <= most <= limit


def ym_update_path() -> str:
    return f"/v2/businesses/{ym.BUSINESS_ID}/goods-feedback/comments/update"


# --- questions on Ozon and Yandex Market (issue 15 item 7) ---------------------------------


async def test_ozon_source_reads_reviews_then_questions_and_resumes_an_old_cursor(
    client, clock
) -> None:
    """Both streams in one source; a cursor stored before questions existed (reviews'
    state at the top level) resumes the reviews where they were."""
    import json

    fake = oz.FakeOzon(clock=clock)
    for i in range(3):
        fake.add_review(T0 + timedelta(minutes=i), rid=f"r{i}")
    fake.add_question(T0, qid="q-open")
    done = fake.add_question(T0 + timedelta(minutes=1), qid="q-done")
    done["status"] = "PROCESSED"
    old = json.dumps({"last_id": "", "seen": {}})
    async with serve_app(fake.app) as url:
        conn = build(OzonConnector, "ozon", client, clock, url, OZ_CREDS, limit=20)
        live, cursor = await drain(conn, old)
        history, _ = await drain(conn, json.dumps({"status": "ALL", "resweep": False}))
    assert [(m.kind, m.external_id) for m in live] == [
        (MentionKind.review, "r0"),
        (MentionKind.review, "r1"),
        (MentionKind.review, "r2"),
        (MentionKind.question, "q-open"),  # the processed one is not on the to-do list
    ]
    assert {m.external_id: m.answered for m in history if m.kind == MentionKind.question} == {
        "q-open": False,
        "q-done": True,
    }
    assert json.loads(cursor)["stream"] == "reviews"


async def test_yandex_questions_window_is_clamped_to_one_month(client, clock) -> None:
    """Market's questions filter spans at most a month: an old watermark (a long pause)
    reads the month Market serves instead of failing forever."""
    import json

    now = datetime.now(UTC)
    fake = ym.FakeYandexMarket(clock=clock)
    fake.add_question(1, now - timedelta(days=40))
    fake.add_question(2, now - timedelta(days=3))
    stale = json.dumps(
        {"stream": "questions", "questions": {"wm": int(now.timestamp()) - 9_000_000}}
    )
    async with serve_app(fake.app) as url:
        conn = yandex(client, clock, url, kinds=["questions"])
        mentions, _ = await drain(conn, stale)
    assert [(m.kind, m.external_id) for m in mentions] == [(MentionKind.question, "2")]


# --- Google Play service accounts (issue 15 item 4, audit section 6, finding 7) ------------


def service_account_key(email: str, token_uri: str):
    """A key file as the Play Console's linked Google Cloud project hands it out, with a
    fresh RSA key; returns the file's JSON and the public half for the fake."""
    import json

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "otklik-test",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": email,
        "client_id": "1000000000000000000001",
        "token_uri": token_uri,
    }
    return json.dumps(info), key.public_key()


SA_EMAIL = "otklik-play@otklik-test.iam.gserviceaccount.com"


def play_service_account(client, clock, url, credentials):
    return build(
        GooglePlayConnector,
        "google_play",
        client,
        clock,
        url,
        credentials,
        package_name=gp.PACKAGE,
    )


async def test_play_service_account_key_file_gets_tokens_by_jwt_bearer(
    client, clock, tmp_path, caplog
) -> None:
    """Play's documented setup: a service account's key file; the fake token endpoint
    verifies the assertion's RS256 signature with the account's public key."""
    import logging

    caplog.set_level(logging.DEBUG)
    fake = gp.FakeGooglePlay(clock=clock)
    fake.add_review("g1")
    async with serve_app(fake.app) as url:
        content, public = service_account_key(SA_EMAIL, url + gp.TOKEN_PATH)
        fake.link_service_account(SA_EMAIL, public)
        key_file = tmp_path / "play-key.json"
        key_file.write_text(content)
        conn = play_service_account(client, clock, url, {"service_account_file": str(key_file)})
        first = await conn.fetch(None)
        assert [m.external_id for m in first.mentions] == ["g1"]
        [grant] = fake.calls("POST", gp.TOKEN_PATH)
        assert grant.headers["content-type"] == "application/x-www-form-urlencoded"
        await conn.fetch(None)
        assert len(fake.calls("POST", gp.TOKEN_PATH)) == 1  # reused while it lives
        fake.revoke_access_tokens()  # dead early: one 401, a new assertion, a new token
        req = ReplyRequest(reply_id="a", external_id="g1", kind=MentionKind.review, text="Спасибо!")
        await conn.post_reply(req)
        assert len(fake.calls("POST", gp.TOKEN_PATH)) == 2
        # the same key given as the file's content (a secret mounted as a variable)
        inline = play_service_account(client, clock, url, {"service_account_json": content})
        assert [m.external_id for m in (await inline.fetch(None)).mentions] == ["g1"]
    played = [r for r in fake.requests if r.path != gp.TOKEN_PATH]
    assert all(r.headers["authorization"].startswith("Bearer ya29.issued-") for r in played)
    secret_lines = [line for line in content.splitlines() if "PRIVATE KEY" not in line]
    logged = caplog.text
    assert "ya29.issued-" not in logged and "assertion" not in logged
    assert not any(line in logged for line in secret_lines if len(line) > 40)


async def test_play_service_account_with_a_key_google_does_not_know_is_refused(
    client, clock, tmp_path
) -> None:
    fake = gp.FakeGooglePlay(clock=clock)
    async with serve_app(fake.app) as url:
        content, _ = service_account_key(SA_EMAIL, url + gp.TOKEN_PATH)
        _, other = service_account_key(SA_EMAIL, url + gp.TOKEN_PATH)
        fake.link_service_account(SA_EMAIL, other)  # the account's key was rotated
        conn = play_service_account(client, clock, url, {"service_account_json": content})
        with pytest.raises(ConnectorError) as err:
            await conn.fetch(None)
    message = str(err.value)
    assert not err.value.retryable and "Invalid JWT Signature" in message
    assert "google_play-1" in message and "service account's key" in message
    assert [r.path for r in fake.requests] == [gp.TOKEN_PATH]  # no Play call, not retried


@pytest.mark.parametrize(
    ("write", "expect"),
    [
        (None, "cannot be read (FileNotFoundError)"),
        ("{not json", "it is not JSON"),
        ('{"type": "authorized_user"}', "not a service-account key"),
        (
            '{"type": "service_account", "client_email": "a@b", "token_uri": "https://t",'
            ' "private_key": "-----BEGIN PRIVATE KEY-----\\nc2VjcmV0LWtleS1ieXRlcw==\\n'
            '-----END PRIVATE KEY-----\\n"}',
            "private_key is not a readable PEM RSA key",
        ),
        ('{"type": "service_account", "private_key": "x"}', "missing fields"),
    ],
    ids=["missing", "not-json", "not-a-service-account", "bad-key", "missing-fields"],
)
def test_play_bad_service_account_key_file_names_the_source_and_file(
    tmp_path, write, expect
) -> None:
    import httpx

    key_file = tmp_path / "play-key.json"
    if write is not None:
        key_file.write_text(write)
    with pytest.raises(ConnectorError) as err:
        GooglePlayConnector(
            SourceConfig(
                source_id="play-main",
                platform="google_play",
                options={"package_name": gp.PACKAGE},
                credentials={"service_account_file": str(key_file)},
            ),
            httpx.AsyncClient(),
        )
    message = str(err.value)
    assert not err.value.retryable
    assert "'play-main'" in message and str(key_file) in message and expect in message
    assert "c2VjcmV0" not in message  # never the key


async def test_yandex_all_questions_mode_marks_the_ones_the_seller_answered(client, clock) -> None:
    """With `need_answer: false` every question of the month is read; a new one the
    seller (shop, brand or vendor) already answered comes in answered, a buyer's answer
    does not count."""
    now = datetime.now(UTC)
    fake = ym.FakeYandexMarket(clock=clock)
    for qid in (1, 2, 3):
        fake.add_question(qid, now - timedelta(days=2, minutes=qid))
    fake.add_answer(1, "Да, подойдёт", author_type="VENDOR")
    fake.add_answer(2, "У меня подошло", author_type="USER")
    async with serve_app(fake.app) as url:
        conn = yandex(client, clock, url, kinds=["questions"], need_answer=False)
        mentions, cursor = await drain(conn)
        again, _ = await drain(conn, cursor)
        asked = len(fake.calls("POST", f"/v1/businesses/{ym.BUSINESS_ID}/goods-questions/answers"))
    assert {m.external_id: m.answered for m in mentions} == {"1": True, "2": False, "3": False}
    assert again == [] and asked == 3  # answers are asked for new questions only
