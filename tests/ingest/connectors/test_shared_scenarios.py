"""The shared scenarios, run against every platform that takes replies.

Each test drives the real connector, the real poller and the real reply poster over HTTP
against the platform's fake, publishing to a real broker through a TCP proxy the test
can cut (a Kafka outage). Platform time (limiters, retry waits, the fakes' quotas) is a
virtual clock, so throttling storms and backoff cost no real seconds.

Scenarios: paging to the end; dedup across overlapping polls; an edited review flowing
again as an update of the same mention; a throttling storm (429 / 420 with their wait
headers) handled without loss and without coming back early; 5xx bursts and invalid
JSON; a broker outage mid-poll (nothing lost, the cursor stays, everything delivered
exactly once after it); posting and confirming a reply, never twice (redelivered
approval, lost answer); platform refusals as `replies.failed` with the user's reason;
wrong credentials making the source unhealthy.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import CollectorRegistry

from services.ingest.connectors.base import BaseConnector
from services.ingest.connectors.google_play import GooglePlayConnector
from services.ingest.connectors.http import LimiterRegistry, RetryPolicy
from services.ingest.connectors.ozon import OzonConnector
from services.ingest.connectors.wildberries import WildberriesConnector
from services.ingest.connectors.yandex_market import YandexMarketConnector
from services.ingest.main import MIGRATIONS
from services.ingest.mention.deletions import check_deleted_once
from services.ingest.metrics import IngestMetrics, make_ingest_metrics
from services.ingest.reply.handlers import handle_reply_approved
from services.ingest.reply.models import PostedReply
from services.ingest.reply.reconfirm import PassReport, reconfirm_once
from services.ingest.source.models import SourceState
from services.ingest.source.poller import PollReport, SourcePoller
from shared.broker import EmbeddedBroker, free_port
from shared.bus import Publisher, ensure_topics
from shared.connector import Capability, ConnectorError, SourceConfig
from shared.db import make_engine, make_sessionmaker, session_scope, upgrade_to_head
from shared.events import Envelope, MentionKind, ReplyApproved, decode, mention_id_for
from shared.topics import (
    MENTIONS_DELETED,
    MENTIONS_RAW,
    REPLIES_APPROVED,
    REPLIES_FAILED,
    REPLIES_PENDING,
    REPLIES_PUBLISHED,
    SOURCES,
    Topics,
)
from tests.fakes import google_play as gp
from tests.fakes import ozon as oz
from tests.fakes import wildberries as wb
from tests.fakes import yandex_market as ym
from tests.fakes.network import TcpProxy
from tests.fakes.server import CLIENT_TLS, FakeClock, FakePlatform, serve_app

#: Generous in attempts, but every wait is on the virtual clock.
POLICY = RetryPolicy(max_attempts=10, base_delay=0.5, max_delay=8.0, max_total=600.0)
NOW = datetime.now(UTC).replace(microsecond=0)


# --- the platforms ------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    case: str
    text: str
    expect: str  # in the reason the user sees
    setup: Callable[[Any, str], None] = lambda fake, ext: None
    edit: bool = False


@dataclass(frozen=True)
class Platform:
    """How the shared scenarios talk to one platform's fake."""

    id: str
    connector: type[BaseConnector]
    kind: MentionKind
    credentials: dict[str, str]
    bad_credentials: dict[str, str]
    options: dict[str, Any]
    page_size: int
    list_path: str
    post_path: str
    make_fake: Callable[[FakeClock], FakePlatform]
    #: Add item `i` published at `when`; return its external id.
    seed: Callable[[Any, int, datetime], str]
    #: What the platform shows as our answers to an item.
    replies: Callable[[Any, str], list[str]]
    #: How many times the platform carried out a post for an item.
    posts: Callable[[Any, str], int]
    delete: Callable[[Any, str], None]
    refusals: tuple[Refusal, ...]
    edit: Callable[[Any, str], None] | None = None
    #: A person answers item `ext` with `text` in the seller's cabinet.
    answer_elsewhere: Callable[[Any, str, str], None] = lambda fake, ext, text: None
    #: The platform's reply call is an upsert: resending it cannot double-post.
    upsert: bool = False

    @property
    def platform(self) -> str:
        return self.connector.platform


# Wildberries -----------------------------------------------------------------------------


def _wb_seed_feedback(fake: wb.FakeWildberries, i: int, when: datetime) -> str:
    fake.add_feedback(f"WbFb{i:04d}", when, text=f"Отзыв номер {i}", rating=1 + i % 5)
    return f"WbFb{i:04d}"


def _wb_seed_question(fake: wb.FakeWildberries, i: int, when: datetime) -> str:
    fake.add_question(f"WbQ{i:04d}", when, text=f"Вопрос номер {i}?")
    return f"WbQ{i:04d}"


def _wb_edit(fake: wb.FakeWildberries, ext: str) -> None:
    fake.feedbacks[ext]["text"] = "Порвалась после первой стирки"
    fake.feedbacks[ext]["productValuation"] = 1


def _wb_answer(store: dict[str, dict[str, Any]], ext: str) -> list[str]:
    answer = store[ext]["answer"] if ext in store else None
    return [answer["text"]] if answer else []


def _wb_posts(fake: wb.FakeWildberries, ext: str) -> int:
    return sum(1 for a in fake.answers if a["id"] == ext)


WB_FEEDBACKS = Platform(
    id="wildberries-feedbacks",
    connector=WildberriesConnector,
    kind=MentionKind.review,
    credentials={"token": wb.TOKEN},
    bad_credentials={"token": "expired-token"},
    options={"kinds": ["feedbacks"], "take": 5, "overlap_s": 3600},
    page_size=5,
    list_path="/api/v1/feedbacks",
    post_path="/api/v1/feedbacks/answer",
    make_fake=lambda clock: wb.FakeWildberries(clock=clock),
    seed=_wb_seed_feedback,
    replies=lambda fake, ext: _wb_answer(fake.feedbacks, ext),
    posts=_wb_posts,
    delete=lambda fake, ext: fake.feedbacks.pop(ext),
    edit=_wb_edit,
    answer_elsewhere=lambda fake, ext, text: fake.answer_in_cabinet(ext, text),
    refusals=(
        Refusal("too_long", "Спасибо! " * 560, "accepts 2..5000"),
        Refusal(
            "deleted", "Спасибо за отзыв!", "no longer exists", lambda f, e: f.feedbacks.pop(e)
        ),
        Refusal(
            "second_edit",
            "Исправили описание размера.",
            "Редактирование ответа недоступно",
            lambda f, e: (
                f.feedbacks[e].update(answer={"text": "Спасибо", "state": "wbRu"}),
                f.edits.update({e: 1}),
            ),
            edit=True,
        ),
    ),
)

WB_QUESTIONS = Platform(
    id="wildberries-questions",
    connector=WildberriesConnector,
    kind=MentionKind.question,
    credentials={"token": wb.TOKEN},
    bad_credentials={"token": "expired-token"},
    options={"kinds": ["questions"], "take": 5, "overlap_s": 3600},
    page_size=5,
    list_path="/api/v1/questions",
    post_path="/api/v1/questions",
    make_fake=lambda clock: wb.FakeWildberries(clock=clock),
    seed=_wb_seed_question,
    replies=lambda fake, ext: _wb_answer(fake.questions, ext),
    posts=_wb_posts,
    delete=lambda fake, ext: fake.questions.pop(ext),
    answer_elsewhere=lambda fake, ext, text: fake.answer_in_cabinet(ext, text),
    refusals=(
        Refusal("too_long", "Да. " * 1300, "accepts 1..5000"),
        Refusal("deleted", "Да, есть XL.", "no longer exists", lambda f, e: f.questions.pop(e)),
    ),
)


# Ozon ------------------------------------------------------------------------------------


def _oz_seed(fake: oz.FakeOzon, i: int, when: datetime) -> str:
    rid = f"0193f2a1-0000-7000-8000-{i:012d}"
    fake.add_review(when, text=f"Отзыв номер {i}", rating=1 + i % 5, rid=rid)
    return rid


def _oz_review(fake: oz.FakeOzon, ext: str) -> dict[str, Any]:
    return next(r for r in fake.reviews if r["id"] == ext)


def _oz_edit(fake: oz.FakeOzon, ext: str) -> None:
    _oz_review(fake, ext).update(text="Через неделю сломался", rating=1)


def _oz_delete(fake: oz.FakeOzon, ext: str) -> None:
    fake.reviews.remove(_oz_review(fake, ext))


def _oz_no_subscription(fake: oz.FakeOzon, ext: str) -> None:
    fake.subscription = False


OZON = Platform(
    id="ozon",
    connector=OzonConnector,
    kind=MentionKind.review,
    credentials={"client_id": oz.CLIENT_ID, "api_key": oz.API_KEY},
    bad_credentials={"client_id": oz.CLIENT_ID, "api_key": "revoked-key"},
    options={"limit": 20, "kinds": ["reviews"]},
    page_size=20,
    list_path="/v1/review/list",
    post_path="/v1/review/comment/create",
    # Moderation off here (comments show at once); the moderation scenarios turn it on.
    make_fake=lambda clock: oz.FakeOzon(clock=clock, moderating=False),
    seed=_oz_seed,
    replies=lambda fake, ext: [c["text"] for c in fake.comments.get(ext, [])],
    posts=lambda fake, ext: len(fake.comments.get(ext, [])),
    delete=_oz_delete,
    edit=_oz_edit,
    answer_elsewhere=lambda fake, ext, text: fake.answer_in_cabinet(ext, text),
    refusals=(
        Refusal("subscription", "Спасибо за отзыв!", "Premium", _oz_no_subscription),
        Refusal("deleted", "Спасибо за отзыв!", "no longer exists", _oz_delete),
    ),
)


def _oz_seed_question(fake: oz.FakeOzon, i: int, when: datetime) -> str:
    qid = f"0193f2a1-0000-7000-9000-{i:012d}"
    fake.add_question(when, text=f"Вопрос номер {i}?", qid=qid)
    return qid


def _oz_delete_question(fake: oz.FakeOzon, ext: str) -> None:
    fake.questions.remove(next(q for q in fake.questions if q["id"] == ext))


OZON_QUESTIONS = Platform(
    id="ozon-questions",
    connector=OzonConnector,
    kind=MentionKind.question,
    credentials={"client_id": oz.CLIENT_ID, "api_key": oz.API_KEY},
    bad_credentials={"client_id": oz.CLIENT_ID, "api_key": "revoked-key"},
    options={"kinds": ["questions"]},
    page_size=20,
    list_path="/v1/question/list",
    post_path="/v1/question/answer/create",
    make_fake=lambda clock: oz.FakeOzon(clock=clock, question_page=20),
    seed=_oz_seed_question,
    replies=lambda fake, ext: [a["text"] for a in fake.answers.get(ext, [])],
    posts=lambda fake, ext: fake.answers_created.count(ext),
    delete=_oz_delete_question,
    answer_elsewhere=lambda fake, ext, text: fake.answer_question_in_cabinet(ext, text),
    refusals=(
        Refusal("too_long", "Да. " * 800, "accepts 2..3000"),
        Refusal(
            "subscription",
            "Да, есть XL.",
            "question methods are not available",
            _oz_no_subscription,
        ),
        Refusal("deleted", "Да, есть XL.", "no longer exists", _oz_delete_question),
    ),
)


# Yandex Market ---------------------------------------------------------------------------


def _ym_seed(fake: ym.FakeYandexMarket, i: int, when: datetime) -> str:
    fake.add_feedback(1000 + i, when, comment=f"Отзыв номер {i}", rating=1 + i % 5)
    return str(1000 + i)


def _ym_feedback(fake: ym.FakeYandexMarket, ext: str) -> dict[str, Any]:
    return next(f for f in fake.feedbacks if f["feedbackId"] == int(ext))


def _ym_edit(fake: ym.FakeYandexMarket, ext: str) -> None:
    item = _ym_feedback(fake, ext)
    item["description"]["comment"] = "Через неделю сломался"
    item["statistics"]["rating"] = 1


def _ym_delete(fake: ym.FakeYandexMarket, ext: str) -> None:
    fake.feedbacks.remove(_ym_feedback(fake, ext))


def _ym_comments(fake: ym.FakeYandexMarket, ext: str) -> list[str]:
    return [c["text"] for c in fake.comments if c["feedbackId"] == int(ext)]


YANDEX = Platform(
    id="yandex_market",
    connector=YandexMarketConnector,
    kind=MentionKind.review,
    credentials={"api_key": ym.API_KEY},
    bad_credentials={"api_key": "revoked-key"},
    options={"business_id": ym.BUSINESS_ID, "limit": 5, "overlap_s": 3600, "kinds": ["reviews"]},
    page_size=5,
    list_path=f"/v2/businesses/{ym.BUSINESS_ID}/goods-feedback",
    post_path=f"/v2/businesses/{ym.BUSINESS_ID}/goods-feedback/comments/update",
    make_fake=lambda clock: ym.FakeYandexMarket(clock=clock),
    seed=_ym_seed,
    replies=_ym_comments,
    posts=lambda fake, ext: len(_ym_comments(fake, ext)),
    delete=_ym_delete,
    edit=_ym_edit,
    answer_elsewhere=lambda fake, ext, text: fake.answer_in_cabinet(int(ext), text),
    refusals=(
        Refusal("contacts", "Позвоните нам: +7 999 123-45-67", "must not contain shop contacts"),
        Refusal("link", "Подробнее: https://shop.example.ru/faq", "links other than to Market"),
        Refusal("too_long", "Спасибо! " * 456, "accepts 1..4096"),
        Refusal("deleted", "Спасибо за отзыв!", "no longer exists", _ym_delete),
    ),
)


def _ym_seed_question(fake: ym.FakeYandexMarket, i: int, when: datetime) -> str:
    fake.add_question(5000 + i, when, text=f"Вопрос номер {i}?")
    return str(5000 + i)


def _ym_answers(fake: ym.FakeYandexMarket, ext: str) -> list[str]:
    return [
        a["text"] for a in fake.answers if a["questionId"] == int(ext) and a["status"] != "DELETED"
    ]


def _ym_delete_question(fake: ym.FakeYandexMarket, ext: str) -> None:
    question = fake.question(int(ext))
    assert question is not None
    fake.questions.remove(question)


YANDEX_QUESTIONS = Platform(
    id="yandex_market-questions",
    connector=YandexMarketConnector,
    kind=MentionKind.question,
    credentials={"api_key": ym.API_KEY},
    bad_credentials={"api_key": "revoked-key"},
    options={
        "business_id": ym.BUSINESS_ID,
        "limit": 5,
        "overlap_s": 3600,
        "kinds": ["questions"],
    },
    page_size=5,
    list_path=f"/v1/businesses/{ym.BUSINESS_ID}/goods-questions",
    post_path=f"/v1/businesses/{ym.BUSINESS_ID}/goods-questions/update",
    make_fake=lambda clock: ym.FakeYandexMarket(clock=clock),
    seed=_ym_seed_question,
    replies=_ym_answers,
    posts=lambda fake, ext: fake.answers_created.count(int(ext)),
    delete=_ym_delete_question,
    answer_elsewhere=lambda fake, ext, text: fake.add_answer(int(ext), text),
    refusals=(
        Refusal("too_long", "Да. " * 1300, "accepts 1..5000"),
        Refusal("deleted", "Да, подойдёт.", "no longer exists", _ym_delete_question),
    ),
)


# Google Play -----------------------------------------------------------------------------


def _gp_seed(fake: gp.FakeGooglePlay, i: int, when: datetime) -> str:
    fake.add_review(f"gp:{i:04d}", text=f"Title {i}\tBody {i}", rating=1 + i % 5, when=when)
    return f"gp:{i:04d}"


def _gp_edit(fake: gp.FakeGooglePlay, ext: str) -> None:
    fake.add_review(ext, text="Now it crashes on start", rating=1)  # a new lastModified


def _gp_replies(fake: gp.FakeGooglePlay, ext: str) -> list[str]:
    review = fake.reviews.get(ext)
    if review is None:
        return []
    return [c["developerComment"]["text"] for c in review["comments"] if "developerComment" in c]


PLAY = Platform(
    id="google_play",
    connector=GooglePlayConnector,
    kind=MentionKind.review,
    credentials={"access_token": gp.ACCESS_TOKEN},
    bad_credentials={"access_token": "ya29.expired"},
    options={"package_name": gp.PACKAGE, "max_results": 5},
    page_size=5,
    list_path=f"/applications/{gp.PACKAGE}/reviews",
    post_path="",  # set per review: /applications/{package}/reviews/{id}:reply
    make_fake=lambda clock: gp.FakeGooglePlay(clock=clock),
    seed=_gp_seed,
    replies=_gp_replies,
    posts=lambda fake, ext: sum(1 for r in fake.replies if r["reviewId"] == ext),
    delete=lambda fake, ext: fake.reviews.pop(ext),
    edit=_gp_edit,
    answer_elsewhere=lambda fake, ext, text: fake.answer_in_cabinet(ext, text),
    upsert=True,
    refusals=(
        Refusal("too_long", "x" * 351, "accepts 1..350"),
        Refusal(
            "deleted", "Thanks for the review!", "no longer exists", lambda f, e: f.reviews.pop(e)
        ),
    ),
)

PLATFORMS = [WB_FEEDBACKS, WB_QUESTIONS, OZON, OZON_QUESTIONS, YANDEX, YANDEX_QUESTIONS, PLAY]
EDITABLE = [p for p in PLATFORMS if p.edit is not None]
REFUSALS = [pytest.param(p, r, id=f"{p.id}-{r.case}") for p in PLATFORMS for r in p.refusals]


def by_id(platforms: list[Platform]) -> Any:
    return pytest.mark.parametrize("p", platforms, ids=[p.id for p in platforms])


# --- the broker behind a proxy, the database, the rig --------------------------------------


@dataclass
class Kafka:
    broker: EmbeddedBroker
    proxy: TcpProxy

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.proxy.port}"


@pytest.fixture(scope="module")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kafka]:
    """A broker of its own that advertises a cuttable proxy (the session broker cannot)."""
    port = free_port()
    proxy = TcpProxy(upstream_port=port).start()
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    broker = EmbeddedBroker(port=port, advertised_port=proxy.port, log_path=log).start()
    try:
        yield Kafka(broker, proxy)
    finally:
        proxy.close()
        broker.stop()


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrating per test is slow)."""
    import asyncio

    path = tmp_path_factory.mktemp("db") / "ingest.db"
    asyncio.run(upgrade_to_head(MIGRATIONS, f"sqlite+aiosqlite:///{path}"))
    return path


@dataclass
class Env:
    kafka: Kafka
    topics: Topics
    publisher: Publisher
    sessions: Any
    metrics: IngestMetrics
    registry: CollectorRegistry
    http: httpx.AsyncClient
    consumer: AIOKafkaConsumer

    async def read(self, logical: str) -> list[Envelope[Any]]:
        """Everything on a topic (one partition), read to its end offset."""
        tp = TopicPartition(self.topics.name(logical), 0)
        self.consumer.assign([tp])
        await self.consumer.seek_to_beginning(tp)
        end = (await self.consumer.end_offsets([tp]))[tp]
        out: list[Envelope[Any]] = []
        while await self.consumer.position(tp) < end:
            batch = await self.consumer.getmany(tp, timeout_ms=500)
            out.extend(decode(r.value) for r in batch.get(tp, []))
        return out


@pytest.fixture
async def env(kafka: Kafka, migrated_db: Path, tmp_path: Path) -> AsyncIterator[Env]:
    kafka.proxy.restore()
    topics = Topics(f"s{uuid.uuid4().hex[:10]}.")
    await ensure_topics(
        kafka.bootstrap,
        [
            topics.name(t)
            for t in (
                MENTIONS_RAW,
                MENTIONS_DELETED,
                REPLIES_APPROVED,
                REPLIES_PUBLISHED,
                REPLIES_FAILED,
                REPLIES_PENDING,
                SOURCES,
            )
        ],
        partitions=1,
    )
    db = tmp_path / "ingest.db"
    shutil.copy(migrated_db, db)
    engine = make_engine(f"sqlite+aiosqlite:///{db}")
    publisher = Publisher(
        bootstrap_servers=kafka.bootstrap,
        topics=topics,
        producer_name="ingest",
        request_timeout_ms=1000,
    )
    await publisher.start()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap, enable_auto_commit=False, fetch_max_wait_ms=50
    )
    await consumer.start()
    registry = CollectorRegistry()
    try:
        async with httpx.AsyncClient(verify=CLIENT_TLS) as http:
            yield Env(
                kafka=kafka,
                topics=topics,
                publisher=publisher,
                sessions=make_sessionmaker(engine),
                metrics=make_ingest_metrics(registry),
                registry=registry,
                http=http,
                consumer=consumer,
            )
    finally:
        kafka.proxy.restore()
        await consumer.stop()
        await publisher.stop()
        await engine.dispose()


@dataclass
class Rig:
    p: Platform
    env: Env
    fake: Any
    clock: FakeClock
    connector: BaseConnector
    poller: SourcePoller
    ids: list[str] = field(default_factory=list)

    def seed(self, count: int, start: datetime | None = None) -> list[str]:
        start = start or NOW - timedelta(hours=2)
        first = len(self.ids)
        new = [
            self.p.seed(self.fake, first + i, start + timedelta(minutes=first + i))
            for i in range(count)
        ]
        self.ids.extend(new)
        return new

    async def poll(self) -> PollReport:
        return await self.poller.poll_once()

    async def state(self) -> SourceState:
        state = await self.poller.state()
        assert state is not None
        return state

    async def raw(self) -> list[Any]:
        return [e.payload.mention for e in await self.env.read(MENTIONS_RAW)]

    def list_calls(self) -> int:
        return len(self.fake.calls(path=self.p.list_path))

    def approved(self, ext: str, text: str, *, edit: bool = False) -> ReplyApproved:
        return ReplyApproved(
            reply_id=uuid.uuid4(),
            mention_id=mention_id_for(self.p.platform, ext),
            platform=self.p.platform,
            source_id=self.connector.source_id,
            external_id=ext,
            kind=self.p.kind,
            text=text,
            approved_by="anna",
            edit=edit,
        )

    async def deliver(self, envelope: Envelope[Any]) -> None:
        """What ingest's consumer does with one `replies.approved` message."""
        await handle_reply_approved(
            envelope,
            sessions=self.env.sessions,
            publisher=self.env.publisher,
            connectors={self.connector.source_id: self.connector},
            metrics=self.env.metrics,
        )

    def post_path(self, ext: str) -> str:
        return self.p.post_path or f"/applications/{gp.PACKAGE}/reviews/{ext}:reply"


@asynccontextmanager
async def rig(
    p: Platform,
    env: Env,
    *,
    credentials: dict[str, str] | None = None,
    fake_setup: Callable[[Any], None] | None = None,
    **options: Any,
) -> AsyncIterator[Rig]:
    clock = FakeClock()
    fake = p.make_fake(clock)
    fake.rate = None  # each scenario says when the platform throttles
    if fake_setup is not None:
        fake_setup(fake)
    async with serve_app(fake.app) as url:
        config = SourceConfig(
            source_id=f"{p.id}-main",
            platform=p.platform,
            poll_interval_s=1,
            options={"base_url": url, **p.options, **options},
            credentials=credentials or p.credentials,
        )
        connector = p.connector(
            config, env.http, limiters=LimiterRegistry(clock), clock=clock, policy=POLICY
        )
        poller = SourcePoller(
            config=config,
            connector=connector,
            sessions=env.sessions,
            publisher=env.publisher,
            metrics=env.metrics,
            unhealthy_after=3,
            max_backoff_s=1,
        )
        yield Rig(p, env, fake, clock, connector, poller)


def once_each(mentions: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for m in mentions:
        counts[m.external_id] = counts.get(m.external_id, 0) + 1
    return counts


def full_batch(p: Platform) -> int:
    """Two and a half pages."""
    return 2 * p.page_size + p.page_size // 2


# --- scenarios: polling -------------------------------------------------------------------


@by_id(PLATFORMS)
async def test_pages_to_the_end_and_dedups_overlapping_polls(p: Platform, env: Env) -> None:
    async with rig(p, env) as r:
        ids = r.seed(full_batch(p))
        report = await r.poll()
        assert report.error is None and report.new == len(ids)
        assert r.list_calls() >= 3  # really paged
        assert once_each(await r.raw()) == dict.fromkeys(ids, 1)
        state = await r.state()
        assert state.cursor and state.mentions_total == len(ids) and state.healthy

        calls = r.list_calls()
        again = await r.poll()  # re-reads the overlap window: nothing new
        assert again.error is None and again.new == again.updated == 0
        assert r.list_calls() > calls
        assert len(await r.raw()) == len(ids)

        # one more, published in the same minute as the newest one already seen
        [late] = r.seed(1, start=NOW - timedelta(hours=2) - timedelta(minutes=1))
        third = await r.poll()
        assert third.error is None and third.new == 1 and third.updated == 0
        assert once_each(await r.raw()) == dict.fromkeys([*ids, late], 1)


@by_id(EDITABLE)
async def test_edited_review_flows_again_as_update_of_same_mention(p: Platform, env: Env) -> None:
    assert p.edit is not None
    async with rig(p, env) as r:
        ids = r.seed(3)
        assert (await r.poll()).new == 3
        p.edit(r.fake, ids[1])
        report = await r.poll()
        assert report.error is None and (report.new, report.updated) == (0, 1)
        versions = [m for m in await r.raw() if m.external_id == ids[1]]
        assert len(versions) == 2
        before, after = versions
        assert after.mention_id == before.mention_id == mention_id_for(p.platform, ids[1])
        assert after.revision != before.revision and after.rating == 1
        assert (await r.poll()).updated == 0  # and only once


@by_id(PLATFORMS)
async def test_throttling_storm_is_waited_out_without_loss(p: Platform, env: Env) -> None:
    def storm(fake: FakePlatform) -> None:
        fake.rate, fake.burst = 0.5, 1  # one request per 2 s, no burst

    # Our own limiter opened wide, so the platform's throttling is what paces us.
    async with rig(p, env, fake_setup=storm, rate_per_s=1000, burst=1000) as r:
        ids = r.seed(full_batch(p))
        report = await r.poll()
        assert report.error is None, report.error
        assert once_each(await r.raw()) == dict.fromkeys(ids, 1)
        assert r.fake.throttled >= 2
        assert r.connector.http.stats.throttled == r.fake.throttled
        assert r.fake.early == 0  # never came back before the advertised wait
        if r.fake.advertises_wait:
            assert max(r.clock.slept) >= 2
        assert r.env.registry.get_sample_value(
            "otklik_ingest_throttled_total", {"platform": p.platform, "source": f"{p.id}-main"}
        ) == float(r.fake.throttled)


@by_id([p for p in PLATFORMS if p.platform != "ozon"])  # Ozon's 429 names no wait
async def test_quota_outlasting_the_retries_is_waited_out_by_the_poller(
    p: Platform, env: Env
) -> None:
    async with rig(p, env) as r:
        r.seed(2)
        r.fake.fail_next(1000, "throttle", delay=900)  # "come back in 15 minutes"
        report = await r.poll()
        assert report.error is not None and report.retry_after is not None
        assert report.retry_after >= 900 and len(r.fake.requests) == 1  # not hammered
        assert (await r.state()).healthy

        sleeps: list[float] = []
        waited = asyncio.Event()

        async def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            waited.set()
            await asyncio.Event().wait()  # the test ends the poller here

        poller = SourcePoller(
            config=r.connector.config,
            connector=r.connector,
            sessions=env.sessions,
            publisher=env.publisher,
            metrics=env.metrics,
            unhealthy_after=3,
            max_backoff_s=1,
            sleep=sleep,
        )
        task = asyncio.create_task(poller.run())
        try:
            await asyncio.wait_for(waited.wait(), timeout=30)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        assert sleeps[0] >= 900  # the platform's wait, not the 1 s backoff
        assert len(r.fake.requests) == 2


@by_id(PLATFORMS)
async def test_5xx_bursts_and_invalid_json_are_retried(p: Platform, env: Env) -> None:
    async with rig(p, env) as r:
        ids = r.seed(full_batch(p))
        r.fake.fail_next(3, "503", path=p.list_path)
        r.fake.fail_next(1, "invalid_json", path=p.list_path)
        r.fake.fail_next(2, "500", path=p.list_path)
        report = await r.poll()
        assert report.error is None, report.error
        assert r.fake.faults == []
        assert once_each(await r.raw()) == dict.fromkeys(ids, 1)
        cursor = (await r.state()).cursor

        # a burst longer than the retries: the poll fails, retryable; the cursor stays
        r.fake.fail_next(1000, "502", path=p.list_path)
        failed = await r.poll()
        assert failed.error is not None and "502" in failed.error
        state = await r.state()
        assert state.cursor == cursor and state.consecutive_failures == 1 and state.healthy
        r.fake.faults.clear()
        [new] = r.seed(1)
        ok = await r.poll()
        assert ok.error is None and ok.new == 1
        assert once_each(await r.raw()) == dict.fromkeys([*ids, new], 1)
        assert (await r.state()).consecutive_failures == 0


@by_id(PLATFORMS)
async def test_broker_outage_mid_poll_loses_nothing(p: Platform, env: Env) -> None:
    async with rig(p, env) as r:
        ids = r.seed(full_batch(p))

        def cut_on_second_page(request: Any) -> None:
            if request.path == p.list_path and r.list_calls() == 2:
                env.kafka.proxy.cut()  # Kafka goes away while page 2 is being fetched

        r.fake.on_request = cut_on_second_page
        with pytest.raises(Exception) as outage:
            await r.poll()
        assert not isinstance(outage.value, ConnectorError)  # the broker, not the platform
        assert env.kafka.proxy.is_cut
        state = await r.state()
        assert state.mentions_total == p.page_size  # page 1 only
        first_page_cursor = state.cursor
        assert first_page_cursor is not None and state.healthy

        r.fake.on_request = None
        env.kafka.proxy.restore()
        report = await r.poll()
        assert report.error is None and report.new == len(ids) - p.page_size
        assert (await r.state()).cursor != first_page_cursor
        delivered = await env.read(MENTIONS_RAW)
        assert once_each([e.payload.mention for e in delivered]) == dict.fromkeys(ids, 1)
        assert len({e.event_id for e in delivered}) == len(ids)


@by_id(PLATFORMS)
async def test_wrong_credentials_make_the_source_unhealthy(p: Platform, env: Env) -> None:
    async with rig(p, env, credentials=p.bad_credentials) as r:
        r.seed(2)
        report = await r.poll()
        assert report.error is not None
        assert "rejected the source's credentials" in report.error and "401" in report.error
        for secret in p.bad_credentials.values():
            if secret not in (oz.CLIENT_ID,):
                assert secret not in report.error
        assert len(r.fake.requests) == 1  # not retried
        state = await r.state()
        assert not state.healthy and state.last_error == report.error
        [event] = await env.read(SOURCES)
        assert event.payload.source_id == f"{p.id}-main" and event.payload.healthy is False
        assert "credentials" in event.payload.error
        labels = {"platform": p.platform, "source": f"{p.id}-main"}
        assert env.registry.get_sample_value("otklik_ingest_source_healthy", labels) == 0
        assert await env.read(MENTIONS_RAW) == []


# --- scenarios: replies -------------------------------------------------------------------


async def published_and_failed(env: Env) -> tuple[list[Any], list[Any]]:
    return await env.read(REPLIES_PUBLISHED), await env.read(REPLIES_FAILED)


@by_id(PLATFORMS)
async def test_reply_posted_confirmed_and_never_posted_twice(p: Platform, env: Env) -> None:
    async with rig(p, env) as r:
        first, second = r.seed(2)
        await r.poll()

        # an approval delivered twice (a redelivery after a consumer restart)
        text = "Спасибо за отзыв! Рады, что подошло."
        approved = r.approved(first, text)
        envelope = env.publisher.envelope(approved)
        for _ in range(2):
            await env.publisher.publish_envelopes(REPLIES_APPROVED, [envelope])
        deliveries = await env.read(REPLIES_APPROVED)
        assert [d.event_id for d in deliveries] == [envelope.event_id] * 2
        for delivery in deliveries:
            await r.deliver(delivery)
        assert p.replies(r.fake, first) == [text]
        assert p.posts(r.fake, first) == 1
        published, failed = await published_and_failed(env)
        assert failed == [] and len(published) == 2
        assert {e.event_id for e in published} == {published[0].event_id}  # same outcome
        outcome = published[0].payload
        assert outcome.reply_id == approved.reply_id and outcome.platform == p.platform
        if p.platform in ("ozon", "yandex_market"):  # the platform's comment id
            assert outcome.external_reply_id
        async with session_scope(env.sessions) as session:
            record = await session.get(PostedReply, str(approved.reply_id))
            assert record is not None and record.status == "published"

        # the answer to the post is lost (the platform did post): not resent blindly
        lost_text = "Спасибо! Передали замечание производству."
        lost = env.publisher.envelope(r.approved(second, lost_text))
        r.fake.fail_next(1, "lost", path=r.post_path(second))
        if p.upsert:
            await r.deliver(lost)  # resending an upsert is harmless
        elif Capability.hides_unmoderated in p.connector.capabilities:
            await r.deliver(lost)  # read back at once; never resent (no idempotency)
            assert p.posts(r.fake, second) == 1
        else:
            with pytest.raises(ConnectorError) as unknown:
                await r.deliver(lost)
            assert unknown.value.retryable  # the consumer redelivers it...
            assert p.posts(r.fake, second) == 1
            await r.deliver(lost)  # ...and the read-back finds the answer there
            assert p.posts(r.fake, second) == 1
        assert p.replies(r.fake, second) == [lost_text]
        published, failed = await published_and_failed(env)
        assert failed == [] and len(published) == 3
        assert published[-1].payload.reply_id == lost.payload.reply_id


@pytest.mark.parametrize(("p", "refusal"), REFUSALS)
async def test_platform_refusal_becomes_replies_failed_with_reason(
    p: Platform, refusal: Refusal, env: Env
) -> None:
    async with rig(p, env) as r:
        [ext] = r.seed(1)
        refusal.setup(r.fake, ext)
        approved = r.approved(ext, refusal.text, edit=refusal.edit)
        envelope = env.publisher.envelope(approved)
        await r.deliver(envelope)
        published, failed = await published_and_failed(env)
        assert published == [] and len(failed) == 1
        outcome = failed[0].payload
        assert outcome.reply_id == approved.reply_id and outcome.retryable is False
        assert refusal.expect in outcome.error, outcome.error
        assert p.platform in outcome.error or "Ozon" in outcome.error
        assert p.replies(r.fake, ext) in ([], ["Спасибо"])  # nothing new was posted
        async with session_scope(env.sessions) as session:
            record = await session.get(PostedReply, str(approved.reply_id))
            assert record is not None and record.status == "failed"
        # redelivered: refused again without another call to the platform
        calls = len(r.fake.requests)
        await r.deliver(envelope)
        assert len(r.fake.requests) == calls


async def test_answer_held_in_moderation_is_not_posted_again_on_reapproval(env: Env) -> None:
    """Finding 2: Ozon lists a seller's comment only after moderation. The post is
    pending (not failed), and approving the same answer again must not post it twice."""
    async with rig(OZON, env, fake_setup=lambda fake: setattr(fake, "moderating", True)) as r:
        [ext] = r.seed(1)
        await r.poll()

        def posts() -> int:
            return len(r.fake.calls(path=OZON.post_path))

        text = "Спасибо за отзыв! Заменим товар, напишите номер заказа в чат."
        await r.deliver(env.publisher.envelope(r.approved(ext, text)))
        published, failed = await published_and_failed(env)
        assert published == [] and failed == []
        [pending] = await env.read(REPLIES_PENDING)
        assert pending.payload.state == "pending_moderation"
        assert pending.payload.external_reply_id  # Ozon's comment id
        assert posts() == 1

        again = r.approved(ext, text)  # the agent presses approve once more
        await r.deliver(env.publisher.envelope(again))
        assert posts() == 1
        published, failed = await published_and_failed(env)
        assert published == [] and failed == []
        assert "not posted again" in (await env.read(REPLIES_PENDING))[-1].payload.detail

        r.fake.pass_moderation()
        third = r.approved(ext, text)
        await r.deliver(env.publisher.envelope(third))
        assert posts() == 1 and OZON.replies(r.fake, ext) == [text]
        published, _ = await published_and_failed(env)
        assert [e.payload.reply_id for e in published] == [third.reply_id]
        assert published[0].payload.external_reply_id  # the comment id of the first post


# --- scenarios: moderation (audit section 6, findings 2 and 3) ----------------------------


@dataclass(frozen=True)
class Moderated:
    p: Platform
    hold: Callable[[Any], None]
    #: The platform's moderation decides on the held answer to `ext`.
    decide: Callable[[Any, str, bool], None]


def _wb_decide(fake: wb.FakeWildberries, ext: str, shown: bool) -> None:
    fake.moderate(ext, "wbRu" if shown else "rejected")


def _oz_decide(fake: oz.FakeOzon, ext: str, shown: bool) -> None:
    if shown:
        fake.pass_moderation()
    else:
        fake.in_moderation.clear()  # refused: Ozon never lists it (and says nothing)


MODERATED = [
    Moderated(WB_FEEDBACKS, lambda f: setattr(f, "answer_state", "reviewRequired"), _wb_decide),
    Moderated(OZON, lambda f: setattr(f, "moderating", True), _oz_decide),
]


def by_moderated() -> Any:
    return pytest.mark.parametrize("m", MODERATED, ids=[m.p.id for m in MODERATED])


async def reconfirm(r: Rig, **kwargs: Any) -> PassReport:
    return await reconfirm_once(
        sessions=r.env.sessions,
        publisher=r.env.publisher,
        connectors={r.connector.source_id: r.connector},
        metrics=r.env.metrics,
        **kwargs,
    )


async def record_of(env: Env, reply_id: Any) -> PostedReply:
    async with session_scope(env.sessions) as session:
        record = await session.get(PostedReply, str(reply_id))
        assert record is not None
        return record


@by_moderated()
async def test_reply_in_moderation_is_pending_then_published(m: Moderated, env: Env) -> None:
    async with rig(m.p, env, fake_setup=m.hold) as r:
        [ext] = r.seed(1)
        await r.poll()
        text = "Спасибо за отзыв! Рады, что подошло."
        approved = r.approved(ext, text)
        await r.deliver(env.publisher.envelope(approved))
        published, failed = await published_and_failed(env)
        assert published == [] and failed == []  # not "published", not "failed"
        [pending] = await env.read(REPLIES_PENDING)
        assert pending.payload.reply_id == approved.reply_id
        assert pending.payload.state == "pending_moderation"
        assert (await record_of(env, approved.reply_id)).status == "pending"

        report = await reconfirm(r)  # still held: nothing changes, nothing is posted
        assert report.still_pending == 1 and report.published == 0
        assert len(r.fake.calls(path=m.p.post_path)) == 1

        m.decide(r.fake, ext, True)
        report = await reconfirm(r)
        assert report.published == 1 and len(r.fake.calls(path=m.p.post_path)) == 1
        assert m.p.replies(r.fake, ext) == [text]
        [shown] = (await published_and_failed(env))[0]
        assert shown.payload.reply_id == approved.reply_id
        assert (await record_of(env, approved.reply_id)).status == "published"
        assert (await reconfirm(r)).published == 0  # settled once


@by_moderated()
async def test_reply_refused_by_moderation_is_reported_rejected(m: Moderated, env: Env) -> None:
    async with rig(m.p, env, fake_setup=m.hold) as r:
        [ext] = r.seed(1)
        await r.poll()
        approved = r.approved(ext, "Спасибо за отзыв! Рады, что подошло.")
        await r.deliver(env.publisher.envelope(approved))
        m.decide(r.fake, ext, False)
        if m.p.platform == "wildberries":  # WB says so
            report = await reconfirm(r)
            assert report.rejected == 1
        else:  # Ozon never lists it: given up after the window
            assert (await reconfirm(r)).still_pending == 1
            report = await reconfirm(r, now=datetime.now(UTC) + timedelta(hours=73))
            assert report.expired == 1
        published, failed = await published_and_failed(env)
        assert published == [] and len(failed) == 1
        outcome = failed[0].payload
        assert outcome.reply_id == approved.reply_id and outcome.retryable is False
        expect = "rejected" if m.p.platform == "wildberries" else "did not show the answer"
        assert expect in outcome.error, outcome.error
        assert (await record_of(env, approved.reply_id)).status == "failed"


async def test_lost_post_on_ozon_is_never_sent_again(env: Env) -> None:
    """Finding 2: after a lost answer, Ozon's list cannot tell "not posted" from "in
    moderation": the reply waits (outcome unknown) instead of being posted again."""
    async with rig(OZON, env, fake_setup=lambda fake: setattr(fake, "moderating", True)) as r:
        [ext] = r.seed(1)
        await r.poll()
        text = "Спасибо за отзыв! Заменим товар."
        envelope = env.publisher.envelope(r.approved(ext, text))
        r.fake.fail_next(1, "lost", path=OZON.post_path)
        await r.deliver(envelope)
        [pending] = await env.read(REPLIES_PENDING)
        assert pending.payload.state == "outcome_unknown"
        await r.deliver(envelope)  # redelivered: re-announced, not re-posted
        assert len(r.fake.calls(path=OZON.post_path)) == 1

        other = r.approved(ext, "Другой текст ответа, пока первый на модерации.")
        await r.deliver(env.publisher.envelope(other))  # a new, different answer: refused
        assert len(r.fake.calls(path=OZON.post_path)) == 1
        _, failed = await published_and_failed(env)
        assert "still awaiting" in failed[-1].payload.error and not failed[-1].payload.retryable

        r.fake.pass_moderation()
        assert (await reconfirm(r)).published == 1
        assert OZON.replies(r.fake, ext) == [text]


# --- scenarios: answers written elsewhere (audit section 6, findings 1 and 5) ------------


@by_id(PLATFORMS)
async def test_review_answered_on_the_platform_comes_in_answered(p: Platform, env: Env) -> None:
    """Finding 1: a review the seller already answered opens no queue item (the responder
    skips `answered` mentions), so it cannot get a second public answer."""
    async with rig(p, env) as r:
        done, todo = r.seed(2)
        p.answer_elsewhere(r.fake, done, "Спасибо за отзыв! Команда магазина")
        report = await r.poll()
        assert report.error is None, report.error
        seen = {m.external_id: m.answered for m in await r.raw()}
        assert seen[todo] is False
        assert seen.get(done, True) is True  # WB's unanswered list leaves it out altogether


@by_id(PLATFORMS)
async def test_answer_written_in_the_cabinet_stops_the_post(p: Platform, env: Env) -> None:
    """Findings 1 and 5: the seller answers in the cabinet while the draft waits; approving
    the draft posts nothing and says why; an explicit edit replaces that answer."""
    async with rig(p, env) as r:
        [ext] = r.seed(1)
        await r.poll()
        assert [m.answered for m in await r.raw()] == [False]
        human = "Спасибо за отзыв! Уже связались с вами. Команда магазина"
        p.answer_elsewhere(r.fake, ext, human)
        before = len(r.fake.calls(path=r.post_path(ext)))

        approved = r.approved(ext, "Спасибо за отзыв! Рады, что понравилось.")
        await r.deliver(env.publisher.envelope(approved))
        published, failed = await published_and_failed(env)
        assert published == [] and len(failed) == 1
        outcome = failed[0].payload
        assert outcome.retryable is False
        assert "already answered on the platform" in outcome.error, outcome.error
        assert len(r.fake.calls(path=r.post_path(ext))) == before  # nothing posted
        assert p.replies(r.fake, ext) == [human]  # the person's answer stands
        assert (
            env.registry.get_sample_value(
                "otklik_ingest_reply_failures_total",
                {"platform": p.platform, "reason": "already_answered"},
            )
            == 1.0
        )

        edit = "Исправили: заменим товар, номер заказа не нужен."
        await r.deliver(env.publisher.envelope(r.approved(ext, edit, edit=True)))
        published, _ = await published_and_failed(env)
        assert len(published) == 1
        assert p.replies(r.fake, ext) == [edit]


@by_id([OZON, YANDEX])
async def test_follow_up_comment_after_our_own_answer_is_posted(p: Platform, env: Env) -> None:
    """Finding 1: on comment threads our own first answer does not count as "answered
    elsewhere": a resolved case's follow-up goes out as a second comment."""
    async with rig(p, env) as r:
        [ext] = r.seed(1)
        await r.poll()
        first = "Спасибо за отзыв! Разберёмся и вернёмся с ответом."
        await r.deliver(env.publisher.envelope(r.approved(ext, first)))
        follow_up = "Вернулись с ответом: товар заменили, спасибо за терпение."
        await r.deliver(env.publisher.envelope(r.approved(ext, follow_up)))
        published, failed = await published_and_failed(env)
        assert failed == [] and len(published) == 2
        assert p.replies(r.fake, ext) == [first, follow_up]


# --- scenarios: reviews deleted on the platform (audit section 7 "Deleted reviews") ------


@by_id([p for p in PLATFORMS if p.platform != "google_play"])
async def test_review_deleted_on_the_platform_is_announced_once(p: Platform, env: Env) -> None:
    """Item 6: a review gone from the platform (YM by feedbackIds, WB 422, Ozon 404)
    becomes `mention.deleted`; answered ones are not asked about; once is enough."""
    async with rig(p, env) as r:
        gone, kept, answered = r.seed(3)
        await r.poll()
        text = "Спасибо за отзыв! Рады, что подошло."
        if p.platform == "ozon":
            r.fake.moderating = False
        await r.deliver(env.publisher.envelope(r.approved(answered, text)))
        p.delete(r.fake, gone)
        connectors = {r.connector.source_id: r.connector}
        calls = len(r.fake.requests)
        report = await check_deleted_once(
            sessions=env.sessions, publisher=env.publisher, connectors=connectors
        )
        assert report.errors == [] and report.checked == 2  # not the one we answered
        [event] = await env.read(MENTIONS_DELETED)
        assert event.payload.mention_id == mention_id_for(p.platform, gone)
        assert event.payload.external_id == gone
        assert "deleted by the customer or the platform" in event.payload.reason
        asked = len(r.fake.requests) - calls
        assert 1 <= asked <= 2  # one batch read (YM) or one read per review

        again = await check_deleted_once(
            sessions=env.sessions, publisher=env.publisher, connectors=connectors
        )
        assert again.checked == 1 and again.deleted == []  # only `kept` is still asked about
        assert len(await env.read(MENTIONS_DELETED)) == 1
        assert kept not in again.deleted


# --- Wildberries token hygiene ----------------------------------------------------------


def wb_jwt(**claims: Any) -> str:
    """A token shaped like WB's (a JWT); the fake compares it whole, nobody verifies it."""
    import base64
    import json

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'ES256', 'kid': '20250101v1'})}.{part(claims)}.c2lnbmF0dXJl"


async def test_wildberries_token_expiry_is_warned_ahead(env: Env) -> None:
    expires = NOW + timedelta(days=3, hours=2)
    token = wb_jwt(exp=int(expires.timestamp()), sid="seller-7", id=str(uuid.uuid4()))
    async with rig(
        WB_FEEDBACKS,
        env,
        credentials={"token": token},
        fake_setup=lambda fake: setattr(fake, "token", token),
    ) as r:
        r.seed(1)
        report = await r.poll()
        assert report.error is None, report.error
        warning = r.poller.warning
        assert warning is not None and "expires on" in warning and "in 3 d" in warning
        assert token not in warning  # never the secret
        labels = {"platform": "wildberries", "source": "wildberries-feedbacks-main"}
        assert env.registry.get_sample_value(
            "otklik_ingest_credential_expiry_timestamp_seconds", labels
        ) == float(int(expires.timestamp()))
        assert (await r.state()).healthy  # a warning, not an outage


async def test_wildberries_token_far_from_expiry_gives_no_warning(env: Env) -> None:
    token = wb_jwt(exp=int((NOW + timedelta(days=120)).timestamp()), sid="seller-7")
    async with rig(
        WB_FEEDBACKS,
        env,
        credentials={"token": token},
        fake_setup=lambda fake: setattr(fake, "token", token),
    ) as r:
        await r.poll()
        assert r.poller.warning is None
