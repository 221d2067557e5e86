"""Wildberries connector against the fake feedbacks-api over real HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from services.ingest.connectors.http import LimiterRegistry, RetryPolicy
from services.ingest.connectors.wildberries import WildberriesConnector
from shared.connector import Capability, ConnectorError, ReplyRequest, SourceConfig, factory_for
from shared.events import MentionKind, mention_id_for
from tests.fakes.server import serve_app
from tests.fakes.wildberries import TOKEN, FakeWildberries

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def make(client, url, clock, token=TOKEN, **options) -> WildberriesConnector:
    config = SourceConfig(
        source_id="wb-main",
        platform="wildberries",
        options={"base_url": url, **options},
        credentials={"token": token},
    )
    return WildberriesConnector(
        config,
        client,
        limiters=LimiterRegistry(clock),
        clock=clock,
        policy=RetryPolicy(max_attempts=5, base_delay=0.2, max_total=120),
    )


async def drain(conn, cursor=None, limit=100):
    mentions, pages = [], 0
    while True:
        page = await conn.fetch(cursor)
        mentions.extend(page.mentions)
        cursor = page.next_cursor
        pages += 1
        if not page.has_more or pages >= limit:
            return mentions, cursor, pages


async def test_paginates_both_streams_and_maps_fields(client, clock) -> None:
    fake = FakeWildberries(clock=clock)
    for i in range(25):
        fake.add_feedback(f"fb{i:02d}", T0 + timedelta(minutes=i), text=f"отзыв {i}")
    fake.add_question("q1", T0)
    async with serve_app(fake.app) as url:
        conn = make(client, url, clock, take=10)
        mentions, _, pages = await drain(conn)
    reviews = [m for m in mentions if m.kind == MentionKind.review]
    assert [m.external_id for m in reviews] == [f"fb{i:02d}" for i in range(25)]
    assert pages == 4  # 10 + 10 + 5 feedbacks, then questions
    first = reviews[0]
    assert first.mention_id == mention_id_for("wildberries", "fb00")
    assert first.platform == "wildberries" and first.source_id == "wb-main"
    assert first.rating == 5 and first.author == "Иван" and first.pros == "Удобная"
    assert first.cons is None and first.product.sku == "123456"
    assert first.product.brand == "Brand" and first.published_at == T0
    question = next(m for m in mentions if m.kind == MentionKind.question)
    assert question.external_id == "q1" and question.published_at.tzinfo is not None
    assert all(r.headers["authorization"] == TOKEN for r in fake.requests)
    listed = fake.calls("GET", "/api/v1/feedbacks")
    assert all(r.query["isAnswered"] == "false" and r.query["order"] == "dateAsc" for r in listed)


async def test_resume_overlap_dedup_and_new_items(client, clock) -> None:
    fake = FakeWildberries(clock=clock)
    for i in range(5):
        fake.add_feedback(f"a{i}", T0 + timedelta(seconds=i))
    async with serve_app(fake.app) as url:
        conn = make(client, url, clock, take=2, kinds=["feedbacks"])
        first, cursor, _ = await drain(conn)
        assert len(first) == 5
        # a poll with nothing new re-reads the overlap window but emits nothing
        before = len(fake.calls("GET", "/api/v1/feedbacks"))
        again, cursor, _ = await drain(conn, cursor)
        assert again == []
        first_call = fake.calls("GET", "/api/v1/feedbacks")[before]
        assert int(first_call.query["dateFrom"]) < T0.timestamp()
        fake.add_feedback("late", T0 + timedelta(seconds=2))  # same second as an old one
        fake.add_feedback("new", T0 + timedelta(hours=1))
        newer, cursor, _ = await drain(conn, cursor)
        assert sorted(m.external_id for m in newer) == ["late", "new"]
        assert len(json.loads(cursor)["feedbacks"]["seen"]) >= 2


async def test_resume_from_any_cursor_loses_nothing(client, clock) -> None:
    fake = FakeWildberries(clock=clock)
    for i in range(9):
        fake.add_feedback(f"c{i}", T0 + timedelta(seconds=i))
    async with serve_app(fake.app) as url:
        conn = make(client, url, clock, take=3, kinds=["feedbacks"])
        page1 = await conn.fetch(None)
        # the poller crashed before acking page 2: it resumes from page 1's cursor twice
        await conn.fetch(page1.next_cursor)
        rest, _, _ = await drain(conn, page1.next_cursor)
    ids = [m.external_id for m in [*page1.mentions, *rest]]
    assert sorted(ids) == [f"c{i}" for i in range(9)] and len(ids) == len(set(ids))


async def test_many_reviews_in_one_second_use_skip(client, clock) -> None:
    fake = FakeWildberries(clock=clock)
    for i in range(7):
        fake.add_feedback(f"s{i}", T0)
    async with serve_app(fake.app) as url:
        conn = make(client, url, clock, take=3, kinds=["feedbacks"])
        mentions, _, _ = await drain(conn)
    assert sorted(m.external_id for m in mentions) == [f"s{i}" for i in range(7)]


async def test_edited_review_same_id_new_revision(client, clock) -> None:
    fake = FakeWildberries(clock=clock)
    fake.add_feedback("e1", T0, text="Нормально", rating=4)
    async with serve_app(fake.app) as url:
        conn = make(client, url, clock, kinds=["feedbacks"])
        [before], cursor, _ = await drain(conn)
        fake.feedbacks["e1"]["text"] = "Порвалась через неделю"
        fake.feedbacks["e1"]["productValuation"] = 1
        [after], _, _ = await drain(conn, cursor)
    assert after.mention_id == before.mention_id
    assert after.revision != before.revision and after.rating == 1


async def test_limiter_keeps_under_3_rps_burst_6(client, clock) -> None:
    fake = FakeWildberries(clock=clock)
    for i in range(30):
        fake.add_feedback(f"r{i:02d}", T0 + timedelta(seconds=i))
    async with serve_app(fake.app) as url:
        conn = make(client, url, clock, take=3, kinds=["feedbacks"])
        start = clock.now
        mentions, _, pages = await drain(conn)
    assert len(mentions) == 30 and pages == len(fake.requests) > 10
    assert fake.throttled == 0
    assert clock.now - start == pytest.approx((pages - 5) / 3, abs=0.01)  # 1 token headroom


async def test_limiter_shared_by_two_sources_with_one_token(client, clock) -> None:
    fake = FakeWildberries(clock=clock)
    fake.add_feedback("x", T0)
    limiters = LimiterRegistry(clock)
    async with serve_app(fake.app) as url:
        conns = [
            WildberriesConnector(
                SourceConfig(
                    source_id=f"wb{i}",
                    platform="wildberries",
                    options={"base_url": url},
                    credentials={"token": TOKEN},
                ),
                client,
                limiters=limiters,
                clock=clock,
            )
            for i in range(2)
        ]
        for _ in range(6):
            for conn in conns:
                await conn.fetch(None)
    assert fake.throttled == 0
    assert len(fake.requests) == 12
    assert clock.now - 1000.0 == pytest.approx((12 - 5) / 3, abs=0.01)  # 1 token headroom


async def test_throttled_without_limiter_retries_with_header(client, clock) -> None:
    fake = FakeWildberries(clock=clock)
    fake.add_feedback("x", T0)
    async with serve_app(fake.app) as url:
        conn = make(client, url, clock, rate_per_s=1000, burst=1000, kinds=["feedbacks"])
        for _ in range(10):
            page = await conn.fetch(None)
            assert [m.external_id for m in page.mentions] == ["x"]
    assert fake.throttled > 0
    assert conn.http.stats.throttled == fake.throttled
    assert all(wait >= 1 for wait in clock.slept if wait > 0.2)


@pytest.mark.parametrize("kind", ["500", "invalid_json", "throttle"])
async def test_faults_retried_then_succeed(client, clock, kind) -> None:
    fake = FakeWildberries(clock=clock)
    fake.add_feedback("x", T0)
    fake.fail_next(3, kind)
    async with serve_app(fake.app) as url:
        page = await make(client, url, clock, kinds=["feedbacks"]).fetch(None)
    assert [m.external_id for m in page.mentions] == ["x"]
    assert len(fake.requests) == 4


async def test_persistent_5xx_is_retryable_error(client, clock) -> None:
    fake = FakeWildberries(clock=clock)
    fake.fail_next(50, "503")
    async with serve_app(fake.app) as url:
        with pytest.raises(ConnectorError) as err:
            await make(client, url, clock).fetch(None)
    assert err.value.retryable is True and "503" in str(err.value)
    assert len(fake.requests) == 5


async def test_wrong_token_is_not_retried(client, clock) -> None:
    fake = FakeWildberries(clock=clock)
    async with serve_app(fake.app) as url:
        with pytest.raises(ConnectorError) as err:
            await make(client, url, clock, token="wrong").fetch(None)
    assert err.value.retryable is False and "401" in str(err.value)
    assert "wrong" not in str(err.value)
    assert len(fake.requests) == 1


async def test_malformed_item_is_skipped_not_blocking(client, clock) -> None:
    fake = FakeWildberries(clock=clock)
    fake.add_feedback("good", T0)
    fake.add_feedback("bad", T0 + timedelta(seconds=1), text={"oops": 1})
    async with serve_app(fake.app) as url:
        page = await make(client, url, clock, kinds=["feedbacks"]).fetch(None)
    assert [m.external_id for m in page.mentions] == ["good"]
    assert page.skipped == 1 and "'text'" in page.skipped_reasons[0]


async def test_invalid_envelope_names_the_problem(client, clock) -> None:
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/api/v1/feedbacks")
    async def broken() -> dict:
        return {"data": {"countUnanswered": 1}, "error": False}

    async with serve_app(app) as url:
        with pytest.raises(ConnectorError) as err:
            await make(client, url, clock).fetch(None)
    assert "'data.feedbacks' is missing" in str(err.value) and not err.value.retryable


async def test_reply_review_posted_and_confirmed(client, clock) -> None:
    fake = FakeWildberries(clock=clock)
    fake.add_feedback("fb1", T0)
    async with serve_app(fake.app) as url:
        conn = make(client, url, clock)
        req = ReplyRequest(
            reply_id="r1", external_id="fb1", kind=MentionKind.review, text="Спасибо за отзыв!"
        )
        assert not await conn.confirm_reply(req)
        await conn.post_reply(req)
        assert await conn.confirm_reply(req)
        assert fake.feedbacks["fb1"]["answer"]["text"] == "Спасибо за отзыв!"
        edit = ReplyRequest(
            reply_id="r2",
            external_id="fb1",
            kind=MentionKind.review,
            text="Спасибо! Исправили размерную сетку.",
            edit=True,
        )
        await conn.post_reply(edit)
        assert await conn.confirm_reply(edit)
        assert [a["method"] for a in fake.answers] == ["POST", "PATCH"]
        # WB would accept an unknown id with 204: the item is read first instead
        ghost = ReplyRequest(
            reply_id="r3", external_id="nope", kind=MentionKind.review, text="Спасибо"
        )
        with pytest.raises(ConnectorError) as gone:
            await conn.post_reply(ghost)
        assert not gone.value.retryable and "no longer exists" in str(gone.value)
        assert not await conn.confirm_reply(ghost)
        assert [a["id"] for a in fake.answers] == ["fb1", "fb1"]  # nothing sent for it
        # poll no longer shows the answered review
        page = await conn.fetch(None)
        assert "fb1" not in {m.external_id for m in page.mentions}


async def test_reply_question_and_length_checks(client, clock) -> None:
    fake = FakeWildberries(clock=clock)
    fake.add_question("q1", T0)
    async with serve_app(fake.app) as url:
        conn = make(client, url, clock)
        req = ReplyRequest(
            reply_id="r", external_id="q1", kind=MentionKind.question, text="Да, есть"
        )
        await conn.post_reply(req)
        assert await conn.confirm_reply(req)
        assert fake.questions["q1"]["state"] == "wbRu"
        with pytest.raises(ConnectorError) as err:
            await conn.post_reply(
                ReplyRequest(
                    reply_id="x", external_id="q1", kind=MentionKind.review, text="x" * 5001
                )
            )
    assert not err.value.retryable and "5001" in str(err.value)


def test_registered_factory_builds_connector() -> None:
    import httpx

    import services.ingest.connectors  # noqa: F401

    conn = factory_for("wildberries")(
        SourceConfig(source_id="s", platform="wildberries", credentials={"token": "t"}),
        httpx.AsyncClient(),
    )
    assert conn.platform == "wildberries" and Capability.reply in conn.capabilities
    assert conn.http.base_url == "https://feedbacks-api.wildberries.ru"


async def test_rejected_answer_leaves_the_review_unanswered_and_fake_refuses_second_post(
    client, clock
) -> None:
    """Finding 5: an answer rejected by WB's moderation is no answer; a second POST over
    a live answer is refused by the platform (the connector never sends it)."""
    fake = FakeWildberries(clock=clock)
    fake.add_feedback("rej", T0, answer={"text": "Купите ещё", "state": "rejected"})
    fake.add_feedback("live", T0 + timedelta(minutes=1))
    fake.answer_in_cabinet("live", "Спасибо!")
    async with serve_app(fake.app) as url:
        conn = make(client, url, clock, kinds=["feedbacks"])
        page = await conn.fetch(json.dumps({"streams": ["feedbacks_answered"]}))
        assert {m.external_id: m.answered for m in page.mentions} == {
            "rej": False,
            "live": True,
        }
        status = await client.post(
            f"{url}/api/v1/feedbacks/answer",
            json={"id": "live", "text": "Второй ответ"},
            headers={"Authorization": TOKEN},
        )
        assert status.status_code == 400
        assert fake.feedbacks["live"]["answer"]["text"] == "Спасибо!"
        edit = ReplyRequest(
            reply_id="e", external_id="live", kind=MentionKind.review, text="Исправили", edit=True
        )
        fake.feedbacks["live"]["answer"]["editable"] = False
        with pytest.raises(ConnectorError) as err:
            await conn.post_reply(edit)
        assert "can no longer be edited" in str(err.value)


async def test_unknown_review_id_is_422_and_reads_as_deleted(client, clock) -> None:
    """Finding 4: WB answers 422 for an unknown id; the reply is refused as "no longer
    exists" (failure reason review_deleted), not as a raw HTTP 422."""
    from services.ingest.reply.handlers import failure_reason

    fake = FakeWildberries(clock=clock)
    async with serve_app(fake.app) as url:
        raw = await client.get(
            f"{url}/api/v1/feedback", params={"id": "gone"}, headers={"Authorization": TOKEN}
        )
        assert raw.status_code == 422 and raw.json()["error"] is True
        conn = make(client, url, clock)
        req = ReplyRequest(
            reply_id="r", external_id="gone", kind=MentionKind.review, text="Спасибо!"
        )
        with pytest.raises(ConnectorError) as err:
            await conn.post_reply(req)
        assert not await conn.confirm_reply(req)
    assert "no longer exists" in str(err.value) and not err.value.retryable
    assert failure_reason(err.value) == "review_deleted"
    assert fake.calls("POST", "/api/v1/feedbacks/answer") == []


def test_tokens_of_one_seller_share_one_budget() -> None:
    """Finding 11: WB limits per seller account; two tokens of one seller (the `sid`
    claim) must not double the rate."""
    import base64

    import httpx

    def jwt(sid: str, n: int) -> str:
        body = base64.urlsafe_b64encode(json.dumps({"sid": sid, "n": n}).encode()).decode()
        return f"eyJhbGciOiJFUzI1NiJ9.{body.rstrip('=')}.sig"

    registry = LimiterRegistry()
    client = httpx.AsyncClient()

    def conn(token: str) -> WildberriesConnector:
        config = SourceConfig(
            source_id=token[-12:], platform="wildberries", credentials={"token": token}
        )
        return WildberriesConnector(config, client, limiters=registry)

    a, b, c = conn(jwt("seller-1", 1)), conn(jwt("seller-1", 2)), conn(jwt("seller-2", 3))
    assert a.http.limiter is b.http.limiter
    assert a.http.limiter is not c.http.limiter
    assert conn("plain-token").http.limiter is not a.http.limiter


async def test_a_customers_addition_names_the_review_it_supplements(client, clock) -> None:
    """Audit 6 #12: WB lists a customer's addition as a new review carrying its
    original's id; the mention links to it instead of reading as an unrelated review."""
    fake = FakeWildberries(clock=clock)
    fake.add_feedback("orig", T0, text="Пришла без ремня")
    fake.supplement("orig", "added", T0 + timedelta(days=2), "Дополняю: ремень так и не прислали")
    async with serve_app(fake.app) as url:
        mentions, _, _ = await drain(make(client, url, clock, kinds=["feedbacks"]))
    linked = {m.external_id: m.supplements for m in mentions}
    assert linked == {"orig": None, "added": "orig"}
