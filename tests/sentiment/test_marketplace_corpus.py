"""The project's own marketplace review corpus: schema, size, splits, and that it stays
disjoint from the project's evaluation set (no exact or near duplicates)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from services.sentiment.training import data
from services.sentiment.training.dedupe import near_duplicate_pairs, normalise
from services.sentiment.training.project_reviews import load_project_reviews


@pytest.fixture(scope="module")
def corpus() -> list[data.MarketplaceReview]:
    return data.marketplace_reviews()


def test_corpus_size_languages_and_variety(corpus: list[data.MarketplaceReview]) -> None:
    languages = Counter(r.language for r in corpus)
    assert languages["ru"] >= 1500 and languages["en"] >= 500
    assert len({r.category for r in corpus}) >= 11
    assert {r.platform for r in corpus} >= {"wildberries", "ozon", "yandex_market", "amazon"}
    assert Counter(r.stars for r in corpus).keys() == {1, 2, 3, 4, 5}
    assert sum(1 for r in corpus if r.pros or r.cons) >= 50
    assert sum(1 for r in corpus if r.rating_slip) >= 20
    assert len({r.id for r in corpus}) == len(corpus)
    lengths = [len(r.full_text.split()) for r in corpus]
    assert min(lengths) == 1 and max(lengths) >= 60


def test_labels_follow_stars_except_marked_rating_slips(
    corpus: list[data.MarketplaceReview],
) -> None:
    for r in corpus:
        assert (r.label == data.stars_to_label(r.stars)) != r.rating_slip, r.id


def test_corpus_is_disjoint_from_the_project_evaluation_set(
    corpus: list[data.MarketplaceReview],
) -> None:
    project = [r.full_text for r in load_project_reviews()]
    assert len(project) >= 300
    pairs = near_duplicate_pairs([r.full_text for r in corpus], project)
    assert pairs == [], [(corpus[i].id, project[j][:60], why) for i, j, why in pairs[:5]]


def test_corpus_has_no_near_duplicates_inside(corpus: list[data.MarketplaceReview]) -> None:
    pairs = near_duplicate_pairs([r.full_text for r in corpus])
    assert pairs == [], [(corpus[i].id, corpus[j].id, why) for i, j, why in pairs[:5]]


def test_splits_are_fixed_and_disjoint() -> None:
    train = data.marketplace_corpus(validation=False)
    validation = data.marketplace_corpus(validation=True)
    assert not {i.text for i in train} & {i.text for i in validation}
    share = len(validation) / (len(train) + len(validation))
    assert 0.15 < share < 0.25
    assert all(data.is_marketplace_validation(i.text) for i in validation)
    assert {i.source for i in train} == {data.MARKETPLACE_SOURCE}


def test_natural_validation_view_has_a_marketplace_balance() -> None:
    view = data.marketplace_natural_validation()
    validation = {i.text for i in data.marketplace_corpus(validation=True)}
    assert {i.text for i in view} <= validation
    counts = Counter(i.label for i in view)
    for label, share in data.MARKETPLACE_BALANCE.items():
        assert counts[label] / len(view) == pytest.approx(share, abs=0.02)
    assert view == data.marketplace_natural_validation()  # deterministic


def test_loader_rejects_an_unmarked_label_flip_and_bad_stars(tmp_path: Path) -> None:
    row = {"id": "x", "language": "ru", "stars": 1, "text": "Отлично", "label": "positive"}
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(data.MarketplaceCorpusError, match=r"c\.jsonl:1: .*rating_slip"):
        data.marketplace_reviews(path)
    path.write_text(json.dumps({**row, "rating_slip": True}) + "\n", encoding="utf-8")
    assert data.marketplace_reviews(path)[0].label == "positive"
    path.write_text(json.dumps({**row, "stars": 6}) + "\n", encoding="utf-8")
    with pytest.raises(data.MarketplaceCorpusError, match="stars"):
        data.marketplace_reviews(path)


def test_near_duplicates_are_found_by_text_and_by_shingles() -> None:
    left = [
        "Пришёл не тот цвет, заказывала бежевый, прислали серый!!",
        "Отличные наушники, звук чистый, бас мощный, держат заряд целый день",
        "👍👍",
        "Great sound, terrible battery",
    ]
    right = [
        "пришел не тот цвет заказывала бежевый прислали серый",  # punctuation, ё, case
        "Отличные наушники звук чистый бас мощный держат заряд весь день",  # one word swapped
        "👍",
        "Terrible sound, great battery life, would buy again",
    ]
    found = {(i, j) for i, j, _ in near_duplicate_pairs(left, right)}
    assert {(0, 0), (1, 1)} <= found
    assert (3, 3) not in found and (2, 2) not in found
    assert normalise("ВСЁ Супер!!!") == "все супер" and normalise("👍") == "👍"
    assert near_duplicate_pairs(["Норм", "норм!", "Брак"]) == [(0, 1, "exact")]


def test_training_set_takes_the_train_split_only_at_its_weight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The marketplace corpus enters `make train` as its training split, weighted; its
    validation split and the project's evaluation set never do (the other sources are
    stubbed out: this test is about the new one)."""
    from services.sentiment.training import head

    for name in ("rusentiment_train", "review_sentiment", "english"):
        monkeypatch.setattr(data, name, lambda *a, **k: data.Labelled())
    monkeypatch.setattr(data, "rusentitweet", lambda *a, **k: data.Labelled())
    monkeypatch.setattr(data, "review_corpus", lambda *a, **k: [])
    ds = head.review_training_set()
    assert set(ds.sources) == {data.MARKETPLACE_SOURCE}
    assert sorted(ds.texts) == sorted(i.text for i in data.marketplace_corpus(validation=False))
    assert set(ds.weights.tolist()) == {head.MARKETPLACE_WEIGHT}
    validation = {i.text for i in data.marketplace_corpus(validation=True)}
    project = {normalise(r.full_text) for r in load_project_reviews()}
    assert not validation & set(ds.texts)
    assert not project & {normalise(t) for t in ds.texts}
    assert len(head.review_training_set(marketplace_weight=0).texts) == 0
