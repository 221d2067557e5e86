"""Resolution (most specific first, platform-filtered) and matching: keywords in Russian
and English (inflections, typos), by meaning through the sentiment service's real
/api/embed, the keyword fallback when the endpoint is down, and the match quality on the
labelled pairs (precision and recall printed with -s)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.responder.fact.calibrate import report
from services.responder.fact.contract import FactSet, FactTopic, SellerFact
from services.responder.fact.embedder import EmbedderError, FactVectorCache, HttpEmbedder
from services.responder.fact.matching import MatchSettings, match, match_all, match_keywords
from services.responder.fact.resolution import resolve
from services.sentiment.config import SentimentSettings
from services.sentiment.embedding.trigram import HashedTrigramEncoder
from services.sentiment.main import create_app as create_sentiment
from tests.fakes.server import serve_app

HERE = Path(__file__).parent
DEMO = HERE.parents[2] / "services" / "responder" / "fact" / "demo_facts.yaml"
TOKEN = "embed-test-token"


def sf(
    fact_id: str,
    topic: FactTopic,
    ru: str = "Текст.",
    en: str | None = "Text.",
    *,
    sku: str | None = None,
    brand: str | None = None,
    platforms: tuple[str, ...] | None = None,
    keywords: dict[str, tuple[str, ...]] | None = None,
    revision: int = 1,
) -> SellerFact:
    text = {"ru": ru} | ({"en": en} if en else {})
    return SellerFact(
        id=fact_id,
        topic=topic,
        text=text,
        sku=sku,
        brand=brand,
        platforms=platforms,
        keywords=keywords or {},
        revision=revision,
    )


SHOP = [
    sf("returns-any", "returns", "Верните через личный кабинет.", "Return it from your account."),
    sf(
        "returns-wb",
        "returns",
        "Верните через «Покупки».",
        "Return it from Purchases.",
        platforms=("wildberries",),
    ),
    sf("size-shop", "size_advice", "Размеры стандартные.", "Sizes are standard."),
    sf("size-brand", "size_advice", "Бренд маломерит.", "The brand runs small.", brand="Acme"),
    sf(
        "size-sku",
        "size_advice",
        "Модель маломерит на размер.",
        "This model runs one size small.",
        sku="SKU-1",
        brand="Acme",
        keywords={"ru": ("маломерит",), "en": ("runs small",)},
    ),
    sf(
        "manual",
        "manual",
        "Инструкция на русском — в коробке.",
        None,
        keywords={"ru": ("инструкция",)},
    ),
    sf("care-shop", "care", "Стирать при 30 °C.", "Wash at 30 °C."),
    sf("other-1", "other", "Подарочная упаковка бесплатно.", "Gift wrap is free."),
    sf("other-2", "other", "Доставим к празднику.", "Delivered in time.", brand="Acme"),
]


def ids(fact_set: FactSet) -> list[str]:
    return [f.id for f in fact_set.facts]


# --- resolution ---------------------------------------------------------------------------


def test_most_specific_first_and_one_scope_per_topic() -> None:
    fact_set = resolve(SHOP, sku="SKU-1", brand="acme", platform="wildberries")
    assert ids(fact_set) == ["size-sku", "other-2", "returns-wb", "manual", "care-shop", "other-1"]
    assert fact_set.wording("size_advice", "ru") == "Модель маломерит на размер."


def test_brand_then_shop_when_no_product_fact() -> None:
    fact_set = resolve(SHOP, sku="SKU-9", brand="Acme", platform="ozon")
    assert fact_set.by_topic("size_advice").id == "size-brand"  # type: ignore[union-attr]
    assert fact_set.by_topic("returns").id == "returns-any"  # type: ignore[union-attr]
    other = resolve(SHOP, sku=None, brand="Other", platform=None)
    assert ids(other) == ["returns-any", "size-shop", "manual", "care-shop", "other-1"]


def test_platform_filter() -> None:
    only_wb = [f for f in SHOP if f.id == "returns-wb"]
    assert ids(resolve(only_wb, sku=None, brand=None, platform="ozon")) == []
    assert ids(resolve(only_wb, sku=None, brand=None, platform="Wildberries")) == ["returns-wb"]
    assert ids(resolve(only_wb, sku=None, brand=None, platform=None)) == []


# --- keywords -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        ("Подскажите, эта модель маломерит?", "ru", "size-sku"),
        ("Маломерят ли кроссовки?", "ru", "size-sku"),  # another form of the verb
        ("Какой размер брать, если обычно ношу М?", "ru", "size-sku"),  # topic keyword
        ("Как оформить вазврат?", "ru", "returns-wb"),  # a typo
        ("Можно ли вернуть, если не подошло?", "ru", "returns-wb"),
        ("Где инструкцию найти?", "ru", "manual"),  # accusative → lemma
        ("Где инструкция на русском?", "ru", "manual"),
        ("Как стирать, при какой температуре?", "ru", "care-shop"),
        ("Does it run small?", "en", "size-sku"),
        ("How do I get a refund?", "en", "returns-wb"),
        ("How do I retrun it?", "en", "returns-wb"),  # swapped letters
        ("Can I wash it in a machine?", "en", "care-shop"),
    ],
)
def test_keyword_match(question: str, language: str, expected: str) -> None:
    fact_set = resolve(SHOP, sku="SKU-1", brand="Acme", platform="wildberries")
    answer = match_keywords(question, fact_set, language)
    assert answer is not None, question
    assert (answer.fact.id, answer.method) == (expected, "keyword")
    assert answer.wording == answer.fact.text[language]
    assert 0 < answer.score <= 1


def test_keyword_no_match_and_no_translation() -> None:
    fact_set = resolve(SHOP, sku="SKU-1", brand="Acme", platform="wildberries")
    assert match_keywords("Есть ли синий цвет?", fact_set, "ru") is None
    assert match_keywords("Когда будет скидка?", fact_set, "ru") is None
    # The manual fact has no English wording: an English question never gets it.
    assert match_keywords("Where is the manual (инструкция)?", fact_set, "en") is None
    assert match_keywords("Где инструкция?", fact_set, "uk") is None


@pytest.mark.parametrize(
    "question",
    [
        "Когда будет в наличии 52 размер?",
        "Будут ли другие размеры?",
        "Is there a bigger size? 41 is the largest listed",
        "Will you restock the size M?",
    ],
)
async def test_a_stock_question_is_left_to_a_person(question: str) -> None:
    """Read-throughs 48–49: «Когда будет в наличии 52 размер?» got the size advice (the
    words "size" and «размер» are its keywords), and approval was not blocked."""
    fact_set = resolve(SHOP, sku="SKU-1", brand="Acme", platform="wildberries")
    language = "en" if question.isascii() else "ru"
    assert match_keywords(question, fact_set, language) is None
    encoder = HashedTrigramEncoder()

    class _Near:
        model = "hashed-char-trigrams"

        async def embed(self, texts: Sequence[str]) -> list[list[float]]:
            return [list(map(float, row)) for row in encoder.embed(list(texts))]

    settings = MatchSettings(threshold=-1.0)  # any fact would do by meaning
    assert await match(question, fact_set, language, _Near(), settings=settings) is None


# --- by meaning, through the real endpoint ------------------------------------------------


@pytest.fixture
async def embed_url(broker: Any, topic_prefix: str) -> AsyncIterator[str]:
    """The sentiment service in-process with the hashed trigram encoder, over HTTP."""
    settings = SentimentSettings(
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        kafka_session_timeout_ms=6000,
        api_token=TOKEN,
        log_json=False,
    )
    app = create_sentiment(settings, encoder=HashedTrigramEncoder())
    async with app.router.lifespan_context(app), serve_app(app) as url:
        yield f"{url}/api/embed"


class CountingEmbedder:
    """Wraps the HTTP embedder to count the texts sent (the cache's effect)."""

    def __init__(self, inner: HttpEmbedder) -> None:
        self.inner = inner
        self.sent: list[str] = []

    @property
    def model(self) -> str | None:
        return self.inner.model

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.sent.extend(texts)
        return await self.inner.embed(texts)


async def test_embedding_match_through_the_endpoint(embed_url: str) -> None:
    fact_set = resolve(SHOP, sku="SKU-1", brand="Acme", platform="wildberries")
    async with httpx.AsyncClient() as client:
        embedder = CountingEmbedder(HttpEmbedder(client, embed_url, TOKEN, timeout_s=10))
        cache = FactVectorCache()
        settings = MatchSettings(threshold=0.3)
        answers = await match_all(
            ["Модель маломерит на размер или нет?", "Есть ли синий цвет?"],
            fact_set,
            "ru",
            embedder,
            cache=cache,
            settings=settings,
        )
        first, second = answers
        assert first is not None and first.method == "embedding"
        assert first.fact.id == "size-sku" and first.score >= 0.3
        assert second is None or second.method == "keyword"  # nothing close; no keyword either
        assert second is None
        assert embedder.model == "hashed-char-trigrams-1024"
        sent_first = len(embedder.sent)
        # Fact vectors are cached per fact revision: the next question sends itself only.
        await match("Как вернуть товар?", fact_set, "ru", embedder, cache=cache, settings=settings)
        assert len(embedder.sent) == sent_first + 1
        # An edited fact (new revision) is embedded again.
        edited = FactSet(
            tuple(
                sf("size-sku", "size_advice", "Модель большемерит.", sku="SKU-1", revision=2)
                if f.id == "size-sku"
                else f
                for f in fact_set.facts
            )
        )
        await match("Маломерит?", edited, "ru", embedder, cache=cache, settings=settings)
        assert "Модель большемерит." in embedder.sent


async def test_endpoint_auth_bounds_and_no_encoder(
    embed_url: str, broker: Any, topic_prefix: str
) -> None:
    async with httpx.AsyncClient() as client:
        ok = await client.post(
            embed_url,
            json={"texts": ["привет", "hello"]},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert ok.status_code == 200
        body = ok.json()
        assert len(body["vectors"]) == 2 and len(body["vectors"][0]) == 1024
        assert (await client.post(embed_url, json={"texts": ["x"]})).status_code == 401
        auth = {"Authorization": f"Bearer {TOKEN}"}
        too_many = await client.post(embed_url, json={"texts": ["x"] * 65}, headers=auth)
        assert too_many.status_code == 422 and "texts" in too_many.text
        too_long = await client.post(embed_url, json={"texts": ["x" * 2001]}, headers=auth)
        assert too_long.status_code == 422 and "texts.0" in too_long.text
        empty = await client.post(embed_url, json={"texts": []}, headers=auth)
        assert empty.status_code == 422
    settings = SentimentSettings(
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        kafka_session_timeout_ms=6000,
        api_token=TOKEN,
        log_json=False,
        sentiment_embedder="none",
    )
    bare = create_sentiment(settings)
    async with bare.router.lifespan_context(bare), serve_app(bare) as url:
        async with httpx.AsyncClient() as client:
            refused = await client.post(
                f"{url}/api/embed",
                json={"texts": ["x"]},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "no_encoder"
        # The responder's client turns it into a fallback, not a failure.
        async with httpx.AsyncClient() as client:
            embedder = HttpEmbedder(client, f"{url}/api/embed", TOKEN, timeout_s=5)
            with pytest.raises(EmbedderError, match="503"):
                await embedder.embed(["x"])
            fact_set = resolve(SHOP, sku="SKU-1", brand="Acme", platform="wildberries")
            answer = await match("Маломерит?", fact_set, "ru", embedder)
            assert answer is not None and answer.method == "keyword"


async def test_fallback_to_keywords_when_the_endpoint_is_down() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fact_set = resolve(SHOP, sku="SKU-1", brand="Acme", platform="wildberries")
    async with httpx.AsyncClient() as client:
        embedder = HttpEmbedder(client, f"http://127.0.0.1:{port}/api/embed", TOKEN, 0.5)
        answers = await match_all(
            ["Как оформить возврат?", "Есть ли синий?"], fact_set, "ru", embedder
        )
    assert answers[0] is not None
    assert (answers[0].fact.id, answers[0].method) == ("returns-wb", "keyword")
    assert answers[1] is None


async def test_match_quality_on_the_labelled_pairs(embed_url: str) -> None:
    """The figures in the report: keywords alone, and embedding-then-keywords."""
    pairs = HERE / "match_pairs.jsonl"
    async with httpx.AsyncClient() as client:
        embedder = HttpEmbedder(client, embed_url, TOKEN, timeout_s=30)
        result = await report(DEMO, pairs, embedder)
    assert result.embedding is not None and result.combined is not None
    print()
    print(result.keyword.line("keywords only"))
    print(result.embedding.line("embedding only (trigram)"))
    print(result.combined.line("embedding, then keywords"))
    assert result.keyword.precision >= 0.95 and result.keyword.recall >= 0.85
    assert result.combined.precision >= 0.95 and result.combined.recall >= 0.85
    assert result.combined.negatives_answered == 0
    assert result.combined.threshold == pytest.approx(
        MatchSettings().threshold_of(embedder.model or "")
    )
