"""Transformers + ONNX backends on a tiny model the test builds (no hub)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.sentiment.classifier import load_classifier
from services.sentiment.classifier.base import ModelLoadError
from services.sentiment.classifier.labels import LabelMappingError, mapping_matrix
from services.sentiment.classifier.onnx_backend import ONNX_TOLERANCE
from services.sentiment.classifier.transformers_backend import TransformersClassifier

TEXTS = ["good", "the very bad thing is awful awful awful", "ok", "", "great goods " * 40]


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({0: "NEGATIVE", 1: "NEUTRAL", 2: "POSITIVE"}, ["negative", "neutral", "positive"]),
        ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, ["negative", "neutral", "positive"]),
        ({0: "LABEL_0", 1: "LABEL_1"}, ["negative", "positive"]),
        (
            {0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"},
            ["negative", "negative", "neutral", "positive", "positive"],
        ),
        ({0: "neg", 1: "pos"}, ["negative", "positive"]),
        ({0: "speech", 1: "skip", 2: "negative"}, ["positive", "neutral", "negative"]),
    ],
)
def test_label_schemes(labels: dict[int, str], expected: list[str]) -> None:
    matrix = mapping_matrix(labels)
    order = ["positive", "neutral", "negative"]
    assert [order[int(row.argmax())] for row in matrix] == expected


def test_custom_label_map_and_unknown_labels() -> None:
    with pytest.raises(LabelMappingError):
        mapping_matrix({0: "joy", 1: "anger"})
    matrix = mapping_matrix({0: "joy", 1: "anger"}, {"joy": "positive", "anger": "negative"})
    assert matrix.tolist() == [[1, 0, 0], [0, 0, 1]]


def test_torch_backend_batching_truncation_and_order(tiny_bert: Path) -> None:
    clf = load_classifier(str(tiny_bert), backend="torch", max_length=16, batch_size=2)
    assert isinstance(clf, TransformersClassifier) and clf.backend == "torch"
    batched = clf.logits(TEXTS)
    one_by_one = np.vstack([clf.logits([t]) for t in TEXTS])
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)
    preds = clf.predict(TEXTS)
    assert len(preds) == len(TEXTS)
    for p in preds:
        assert abs(sum(p.scores.values()) - 1) < 1e-4
        assert p.score == max(p.scores.values())
    # truncation: 120 tokens are cut to 16, longer text changes nothing past the limit
    np.testing.assert_allclose(
        clf.logits(["great " * 100]), clf.logits(["great " * 200]), atol=1e-5
    )


def test_onnx_matches_torch(tiny_bert: Path, tmp_path: Path) -> None:
    from services.sentiment.classifier.onnx_backend import OnnxClassifier

    torch_clf = load_classifier(str(tiny_bert), backend="torch", max_length=32, batch_size=2)
    onnx_clf = OnnxClassifier.from_pretrained(
        str(tiny_bert), onnx_path=tmp_path / "m.onnx", max_length=32, batch_size=3
    )
    assert (tmp_path / "m.onnx").is_file()
    assert isinstance(torch_clf, TransformersClassifier)
    np.testing.assert_allclose(onnx_clf.logits(TEXTS), torch_clf.logits(TEXTS), atol=ONNX_TOLERANCE)
    assert [p.label for p in onnx_clf.predict(TEXTS)] == [p.label for p in torch_clf.predict(TEXTS)]


def test_onnx_through_factory_caches_next_to_model(tmp_path: Path, bert_builder) -> None:
    model_dir = bert_builder(tmp_path / "m", {0: "1 star", 1: "3 stars", 2: "5 stars"})
    clf = load_classifier(str(model_dir), backend="onnx")
    assert clf.name.startswith("onnx:")
    assert (model_dir / "onnx" / "model.onnx").is_file()
    assert len(clf.predict(["good", "bad"])) == 2


def test_auto_runs_int8_onnx_on_cpu_and_torch_when_export_fails(
    tmp_path: Path, bert_builder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("auto picks torch where CUDA is present")
    model_dir = bert_builder(tmp_path / "m", {0: "negative", 1: "positive"})
    clf = load_classifier(str(model_dir))
    assert clf.backend == "onnx-int8" and clf.name.startswith("onnx-int8:")
    assert (model_dir / "onnx" / "model.int8.onnx").is_file()

    other = bert_builder(tmp_path / "n", {0: "negative", 1: "positive"})

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("exporter cannot handle this architecture")

    monkeypatch.setattr(torch.onnx, "export", refuse)
    fallback = load_classifier(str(other))
    assert fallback.backend == "torch" and isinstance(fallback, TransformersClassifier)
    assert [p.label for p in fallback.predict(["good", "bad"])]
    with pytest.raises(ModelLoadError, match="the onnx backend cannot load it: exporter cannot"):
        load_classifier(str(other), backend="onnx")


def test_missing_hub_model_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError, match=r"no hub is reachable|cannot load"):
        load_classifier("nobody/does-not-exist-model")
    with pytest.raises(ModelLoadError):
        load_classifier("/nonexistent/dir")


# --- the int8 graph -----------------------------------------------------------------------


def _probabilities(predictions: list) -> np.ndarray:
    return np.array(
        [[p.scores[k] for k in ("positive", "neutral", "negative")] for p in predictions]
    )


def test_int8_agrees_with_torch_within_the_stated_tolerance(
    trained_tiny_bert: Path, tmp_path: Path
) -> None:
    from services.sentiment.classifier.onnx_backend import INT8_TOLERANCE, OnnxClassifier
    from tests.sentiment.conftest import labelled_texts

    texts = [t for t, _ in labelled_texts(200, seed=7)] + TEXTS
    torch_clf = load_classifier(str(trained_tiny_bert), backend="torch", max_length=32)
    int8 = OnnxClassifier.from_pretrained(
        str(trained_tiny_bert), onnx_path=tmp_path / "m.onnx", max_length=32, quantize=True
    )
    assert int8.backend == "onnx-int8" and int8.name.startswith("onnx-int8:")
    assert [p.name for p in tmp_path.iterdir()] == ["m.int8.onnx"]  # build files removed
    expected = torch_clf.predict(texts)
    got = int8.predict(texts)
    # the model really separates the classes, so agreement is not trivial
    assert {p.label for p in expected} == {"positive", "neutral", "negative"}
    assert max(p.score for p in expected) > 0.9
    diff = np.abs(_probabilities(got) - _probabilities(expected))
    assert diff.max() <= INT8_TOLERANCE
    assert diff.max() > 0  # it is a different (quantized) graph, not the float one
    for e, g in zip(expected, got, strict=True):
        ranked = sorted(e.scores.values(), reverse=True)
        if ranked[0] - ranked[1] > 2 * INT8_TOLERANCE:
            assert g.label == e.label


def test_int8_that_disagrees_is_refused_and_auto_falls_back_to_float_onnx(
    tmp_path: Path, bert_builder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    from services.sentiment.classifier import onnx_backend

    if torch.cuda.is_available():
        pytest.skip("auto picks torch where CUDA is present")
    monkeypatch.setattr(onnx_backend, "INT8_TOLERANCE", -1.0)  # nothing can agree
    model_dir = bert_builder(tmp_path / "m", {0: "negative", 1: "positive"})
    with pytest.raises(ModelLoadError, match=r"int8 quantization changes probabilities"):
        load_classifier(str(model_dir), backend="onnx-int8")
    assert not (model_dir / "onnx" / "model.int8.onnx").exists()
    clf = load_classifier(str(model_dir))
    assert clf.backend == "onnx"
    assert [p.name for p in (model_dir / "onnx").iterdir()] == ["model.onnx"]
