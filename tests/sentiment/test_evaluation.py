"""The evaluation command: metrics, the aspect sample, and a tiny slice of the held-out data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from services.sentiment.classifier.aspects import ASPECTS
from services.sentiment.evaluation.__main__ import main
from services.sentiment.evaluation.aspects import SAMPLE, evaluate_aspects, load_sample
from services.sentiment.evaluation.metrics import score
from services.sentiment.training import data

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
