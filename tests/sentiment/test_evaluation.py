"""The evaluation command: metrics, the aspect sample, and a tiny slice of the held-out data."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from services.sentiment.classifier.base import load_classifier
from services.sentiment.evaluation.__main__ import main
from services.sentiment.evaluation.aspects import SAMPLE, evaluate_aspects, load_sample
from services.sentiment.evaluation.metrics import score
from services.sentiment.evaluation.reviews import (
    REVIEWS,
    ReviewSetError,
    evaluate_reviews,
    load_reviews,
    match_questions,
)
from services.sentiment.training import data
from shared.aspects import ASPECTS
from shared.events import QuestionSpan

needs_data = pytest.mark.skipif(
    not (data.data_dir() / "rusentiment" / "rusentiment_test.csv").is_file(),
    reason=f"held-out data not found at {data.data_dir()} (../shared/data): "
    "data-dependent evaluation skipped",
)


def test_score_counts_and_confusion() -> None:
    gold = ["positive", "neutral", "negative", "negative"]
    pred = ["positive", "negative", "negative", "neutral"]
    s = score(gold, pred, ["positive", "neutral", "negative"])
    assert s.accuracy == 0.5
    assert s.confusion == [[1, 0, 0], [0, 0, 1], [0, 1, 1]]
    assert s.macro_f1 == pytest.approx((1.0 + 0.0 + 0.5) / 3, abs=1e-4)


def test_aspect_sample_is_well_formed() -> None:
    items = load_sample()
    assert len(items) >= 60
    assert {i.lang for i in items} == {"ru", "en"}
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for a in row["aspects"]:
            assert a["aspect"] in ASPECTS
            assert a["polarity"] in {"positive", "negative", "neutral"}
            assert a["span"] in row["text"]
    covered = {g.aspect for i in items for g in i.gold}
    assert covered == set(ASPECTS)


def test_aspect_scores_on_sample() -> None:
    result = evaluate_aspects()
    assert result["reviews"] >= 60
    for key in ("precision", "recall", "f1", "span_overlap"):
        assert 0.0 <= result[key] <= 1.0
    # regression floors well under the measured figures (docs/sentiment.md)
    assert result["aspect_only"]["recall"] >= 0.8
    assert result["f1"] >= 0.5
    assert result["span_overlap"] >= 0.9
    assert set(result["by_language"]) == {"en", "ru"}


def test_aspect_matching_is_on_aspect_and_polarity() -> None:
    items = load_sample()[:1]
    items[0].gold = [type(items[0].gold[0])("delivery_speed", "negative", 0, 8)]
    result = evaluate_aspects(items)
    assert result["precision"] == 0.0
    assert result["aspect_only"]["recall"] == 1.0


@needs_data
def test_builtin_on_a_tiny_slice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "eval.json"
    assert main(["--candidates", "builtin", "--limit", "60", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    builtin = report["backends"]["builtin"]
    assert set(builtin) >= {"rusentiment", "english", "reviews", "tweets"}
    ru = builtin["rusentiment"]
    assert ru["n"] == 60 and sum(map(sum, ru["confusion"])) == 60
    assert "weighted_f1_5class" in ru
    assert builtin["english"]["labels"] == ["positive", "negative"]
    assert builtin["english"]["accuracy"] > 0.6  # the shipped model, not chance
    printed = capsys.readouterr().out
    assert "gold positive" in printed and "aspect+polarity" in printed


@needs_data
def test_hf_model_dir_evaluates_every_hf_backend(bert_builder: Any, tmp_path: Path) -> None:
    # its own copy: the ONNX export is cached next to the model
    model = bert_builder(tmp_path / "bert", {0: "negative", 1: "neutral", 2: "positive"})
    out = tmp_path / "eval.json"
    args = ["--model", str(model), "--limit", "12", "--sets", "rusentiment,english"]
    assert main([*args, "--json", str(out)]) == 0
    backends = json.loads(out.read_text())["backends"]
    assert set(backends) == {"torch", "onnx", "onnx-int8"}
    # the same model through the float paths gives the same confusion matrices
    torch_confusion = backends["torch"]["rusentiment"]["confusion"]
    assert torch_confusion == backends["onnx"]["rusentiment"]["confusion"]
    int8 = backends["onnx-int8"]["rusentiment"]
    assert int8["n"] == backends["torch"]["rusentiment"]["n"] and "macro_f1" in int8


@needs_data
def test_five_class_hf_model_gets_weighted_f1_on_every_backend(
    bert_builder: Any, tmp_path: Path
) -> None:
    labels = dict(enumerate(data.RU5))
    model = bert_builder(tmp_path / "bert5", labels)
    out = tmp_path / "eval.json"
    assert (
        main(["--model", str(model), "--limit", "8", "--sets", "rusentiment", "--json", str(out)])
        == 0
    )
    backends = json.loads(out.read_text())["backends"]
    for backend in ("torch", "onnx", "onnx-int8"):
        assert "weighted_f1_5class" in backends[backend]["rusentiment"]


# --- the project's review set (evaluation/reviews.py) ---------------------------------


_ROW = {
    "id": "ru-x", "language": "ru", "platform": "ozon", "rating": 5, "text": "Течёт крышка.",
    "pros": None, "cons": None, "sentiment": "negative",
    "aspects": [{"aspect": "leak", "polarity": "negative", "term": "Течёт"}],
    "questions": [], "sarcasm": False, "rating_slip": False, "remark": False,
}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sentiment": "bad"}, "reviews.jsonl:1: sentiment 'bad'"),
        ({"rating": 7}, "reviews.jsonl:1: rating 7 is not 1..5"),
        ({"aspects": [{"aspect": "colour", "polarity": "negative"}]}, "not one of shared"),
        ({"aspects": [{"aspect": "leak", "polarity": "meh"}]}, "aspect polarity 'meh'"),
        ({"questions": "где?"}, "questions must be a list"),
    ],
)
def test_review_set_errors_name_the_line(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = tmp_path / "reviews.jsonl"
    path.write_text(json.dumps(_ROW | change, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(ReviewSetError, match=re.escape(message)):
        load_reviews(path)
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(ReviewSetError, match=re.escape("reviews.jsonl:1: not JSON")):
        load_reviews(path)


def test_question_matching_is_one_to_one_by_overlap() -> None:
    text = "Куртка тёплая. Как стирать? Будет ли XL?"
    spans = [QuestionSpan(start=15, end=27, text="Как стирать?")]
    assert match_questions(text, ["Как стирать?", "Будет ли XL?"], spans) == 1
    assert match_questions(text, ["как стирать"], spans) == 1  # case, punctuation
    assert match_questions(text, ["стирать как это?"], spans) == 1  # not verbatim: shared words
    assert match_questions(text, [], spans) == 0


def test_review_scores_on_a_small_file(tmp_path: Path) -> None:
    path = tmp_path / "reviews.jsonl"
    rows = [
        _ROW,
        _ROW | {"id": "ru-y", "rating": 1, "text": "Отличный товар, рекомендую!",
                "sentiment": "positive", "rating_slip": True,
                "aspects": [{"aspect": "other", "polarity": "positive", "term": "товар"}]},
        _ROW | {"id": "ru-z", "rating": None, "text": "Подскажите, как стирать?",
                "sentiment": "neutral", "aspects": [], "questions": ["Подскажите, как стирать?"]},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    result = evaluate_reviews(load_classifier(None, backend="builtin"), load_reviews(path))
    assert result["reviews"] == 3
    assert result["aspects"]["by_aspect"]["leak"] == {
        "precision": 1.0, "recall": 1.0, "f1": 1.0, "n_gold": 1,
    }  # fmt: skip
    assert result["questions"]["f1"] == 1.0
    assert result["flags"]["rating_slip"]["recall"] == 1.0
    # a 5-star leak is a remark; the gold said no remark, so the row is listed
    assert [e["id"] for e in result["errors"]] == ["ru-x"]
    assert result["errors"][0]["flags"] == {"remark": (False, True)}


@pytest.mark.skipif(not REVIEWS.is_file(), reason="the project's review set is not here")
def test_project_review_set_floors(capsys: pytest.CaptureFixture[str]) -> None:
    result = evaluate_reviews(load_classifier(None, backend="builtin"), load_reviews())
    assert result["reviews"] >= 300
    # regression floors under the measured figures (docs/sentiment.md, "Signals")
    assert result["aspects"]["f1"] >= 0.78
    assert result["questions"]["f1"] >= 0.9
    assert result["sentiment"]["with_stars"]["accuracy"] >= 0.88
    for flag in ("sarcasm", "rating_slip", "remark"):
        assert result["flags"][flag]["f1"] >= 0.8, flag


def test_main_reports_the_review_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "reviews.jsonl"
    path.write_text(json.dumps(_ROW, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "eval.json"
    args = ["--sets", "rusentiment", "--limit", "2", "--reviews", str(path), "--json", str(out)]
    assert main([*args, "--show-errors"]) == 0
    printed = capsys.readouterr().out
    assert "project review set: 1 reviews" in printed and "questions P" in printed
    assert "[ru-x]" in printed  # --show-errors lists the review
    report = json.loads(out.read_text())
    assert report["project_reviews"]["builtin"]["aspects"]["n_gold"] == 1


def test_training_and_metrics_read_the_committed_review_set() -> None:
    """The loader used by `make train` (final selection) and by the `project-reviews` set
    of `make eval` finds the committed file; it returns [] only when the file is absent,
    so a wrong path would silently drop the set from both."""
    from services.sentiment.training.project_reviews import PROJECT_REVIEWS, load_project_reviews

    assert PROJECT_REVIEWS.resolve() == REVIEWS.resolve()
    reviews = load_project_reviews()
    assert len(reviews) == len(load_reviews()) >= 300
