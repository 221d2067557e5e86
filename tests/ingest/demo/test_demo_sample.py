"""The bundled demo sample: valid, varied enough to exercise the whole pipeline."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from services.ingest.demo.source import DEFAULT_SAMPLE_PATH, DemoConnector, SampleItem, load_sample
from shared.connector import SourceConfig
from shared.events import MentionKind

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sample() -> tuple[SampleItem, ...]:
    return load_sample(DEFAULT_SAMPLE_PATH)


def test_file_validates_and_is_big_enough(sample: tuple[SampleItem, ...]) -> None:
    assert len(sample) >= 90
    assert len({item.external_id for item in sample}) == len(sample)


def test_languages_mostly_russian_some_english(sample: tuple[SampleItem, ...]) -> None:
    langs = Counter(item.lang for item in sample)
    assert set(langs) == {"ru", "en"}
    share_ru = langs["ru"] / len(sample)
    assert 0.5 <= share_ru <= 0.7, share_ru


def test_every_rating_and_questions(sample: tuple[SampleItem, ...]) -> None:
    reviews = [item for item in sample if item.kind == MentionKind.review]
    questions = [item for item in sample if item.kind == MentionKind.question]
    assert {item.rating for item in reviews} == {1, 2, 3, 4, 5}
    assert len(questions) >= 3
    assert all(item.rating is None for item in questions)


def test_several_platforms_products_and_brands(sample: tuple[SampleItem, ...]) -> None:
    platforms = {item.platform for item in sample}
    assert {"wildberries", "ozon", "yandex_market", "otzovik", "google_play"} <= platforms
    skus = {item.product.sku for item in sample}
    brands = {item.product.brand for item in sample}
    categories = {item.product.category for item in sample}
    assert len(skus) >= 5
    assert 2 <= len(brands) <= 3
    assert {"clothing", "headphones", "toys", "cosmetics"} <= categories
    assert all(item.product.sku and item.product.name for item in sample)
    assert all(item.author for item in sample)


def test_wb_style_pros_and_cons_present(sample: tuple[SampleItem, ...]) -> None:
    with_pros_cons = [item for item in sample if item.pros or item.cons]
    assert len(with_pros_cons) >= 10
    assert any(item.platform == "wildberries" for item in with_pros_cons)


def test_hostile_texts_included(sample: tuple[SampleItem, ...]) -> None:
    texts = [f"{item.text} {item.pros or ''} {item.cons or ''} {item.author}" for item in sample]
    assert any("<script>" in text for text in texts)
    assert any(len(item.text) >= 5000 for item in sample)
    assert any("{{" in text for text in texts)  # template injection for the Jinja UI


async def test_every_item_becomes_a_mention(sample: tuple[SampleItem, ...]) -> None:
    config = SourceConfig("demo", "demo", options={"burst": 1000, "page_size": 1000})
    connector = DemoConnector(config, clock=lambda: 0.0, now=lambda: NOW, sample=sample)
    page = await connector.fetch(None)
    assert len(page.mentions) == len(sample)
    assert [m.external_id for m in page.mentions] == [item.external_id for item in sample]


def test_exercises_the_draft_signals(sample: tuple[SampleItem, ...]) -> None:
    """The demo shows what drafts must handle: questions inside reviews (some a seller fact
    answers: returns, exchange, size, manual, material, care, warranty, certificates,
    compatibility, support hours), sarcasm, remarks, generic author names
    and long card titles with a decimal comma."""
    reviews = [item for item in sample if item.kind == MentionKind.review]
    asking = [item for item in reviews if "?" in item.text]
    assert len(asking) >= 12
    assert {item.lang for item in asking} == {"ru", "en"}
    texts = " ".join(item.text for item in sample)
    for cue in (
        "Как поменять",
        "как стирать",
        "Как вернуть",
        "сертификат",
        "инструкцию на русском",
    ):
        assert cue in texts, cue
    for cue in ("Подарок мечты 👍", "запах ушёл", "позже обещанного", "не подделка?", "smelled"):
        assert cue in texts, cue
    authors = {item.author for item in sample}
    assert {"Покупатель", "Гость", "Тётя Валя", "ИП Петров", "A Google user"} <= authors
    assert any(
        len(item.product.name or "") > 80 and "1,7 л" in (item.product.name or "")
        for item in sample
    )
