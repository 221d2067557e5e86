"""Learn from the shop's own rated reviews; switch the service's head only when it is better.

`python -m services.sentiment.training.self_train --reviews FILE [--head-dir DIR]
[--encoder-dir DIR] [--base] [--dry-run] [--every HOURS]`

FILE: JSON lines, one review each, with `text` and `rating` (1-5) and optional `pros` /
`cons`, at the top level or under `mention` / `payload.mention` (so a dump of
`mention.received` events, of the responder's `queue_items` rows as JSON, or the
project's review set all work). Reviews without stars are skipped (no weak label).

Steps:
1. Weak labels from stars (1-2 negative, 3 neutral, 4-5 positive); the text the service
   sees is text + pros + cons, as `Mention.full_text` joins them.
2. Contradictions excluded: a 4-5 star text the running head reads as negative with
   p >= 0.85, or a 1-2 star text it reads as positive with p >= 0.85 (a slip or a remark
   in the wrong place is not a label to learn from, nor one to be judged on).
3. A fixed held-out fifth (by text hash) is never trained on.
4. The candidate head: logistic regression on the encoder's vectors of the shop's reviews
   (with `--base`, plus the project's training corpora from ../shared/data), its class
   prior shifted towards the shop's own star balance.
5. Switch rule (`decide`): the candidate replaces the running head only if, on the shop's
   held-out reviews, its macro-F1 is at least MIN_GAIN higher and its negative recall
   at most RECALL_SLACK lower; and, on the project's labelled review set (when present),
   its macro-F1 is at most GUARD_SLACK lower. With fewer than MIN_HELD_OUT held-out
   reviews (or MIN_NEGATIVES negatives among them) nothing can be judged: no switch.
6. Switching writes the head into the active head directory (weights, then manifest,
   each via temp file + rename; the manifest carries the weights' sha256), which the
   running service polls between batches and reloads without a restart. Every decision is
   appended to `<head-dir>/self_train.jsonl`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from services.sentiment.classifier.base import DEFAULT_HEAD_DIR, LABELS
from services.sentiment.classifier.review_head import MANIFEST, REVIEW_HEAD_DIR, Head
from services.sentiment.training.data import stars_to_label, text_key
from services.sentiment.training.embeddings import EmbeddingCache, Encoder
from services.sentiment.training.head import (
    Dataset,
    balance_weights,
    prior_bias,
    three_class_scores,
)

MIN_GAIN = 0.01
RECALL_SLACK = 0.02
GUARD_SLACK = 0.02
MIN_HELD_OUT = 30
MIN_NEGATIVES = 5
CONTRADICTION_P = 0.85


class ReviewFileError(ValueError):
    """The reviews file cannot be read (names the line and what is wrong)."""


@dataclass(frozen=True)
class RatedReview:
    text: str
    rating: int

    @property
    def label(self) -> str:
        return stars_to_label(self.rating)


def _record(row: dict[str, Any]) -> dict[str, Any]:
    for path in (("payload", "mention"), ("mention",)):
        node: Any = row
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            return node
    return row


def read_reviews(lines: Iterable[str], source: str = "reviews") -> list[RatedReview]:
    """Rated reviews from JSON lines; unrated ones skipped, malformed ones an error."""
    out: list[RatedReview] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = _record(json.loads(line))
            if not isinstance(row, dict):
                raise ValueError("not a JSON object")
            rating = row.get("rating")
            if rating is None:
                continue
            if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
                raise ValueError(f"rating {rating!r} is not an integer 1..5")
            parts = [row.get("text"), row.get("pros"), row.get("cons")]
            if not all(p is None or isinstance(p, str) for p in parts):
                raise ValueError("text, pros and cons must be strings")
            text = "\n".join(p for p in parts if p)
        except (ValueError, AttributeError) as exc:
            raise ReviewFileError(f"{source}:{number}: {exc}") from exc
        if text.strip() and text not in seen:
            seen.add(text)
            out.append(RatedReview(text, rating))
    return out


def is_shop_held_out(text: str) -> bool:
    return text_key("shop\x00" + text) % 5 == 0


def _probs3(head: Head, embeddings: np.ndarray, texts: list[str]) -> np.ndarray:
    return head.class_probs(embeddings, texts) @ head.matrix


def exclude_contradictions(
    head: Head, reviews: list[RatedReview], embeddings: np.ndarray
) -> np.ndarray:
    """True where the stars are kept as a label (no confident contradiction)."""
    probs = _probs3(head, embeddings, [r.text for r in reviews])
    pos, neg = LABELS.index("positive"), LABELS.index("negative")
    stars = np.asarray([r.rating for r in reviews])
    bad = ((stars >= 4) & (probs[:, neg] >= CONTRADICTION_P)) | (
        (stars <= 2) & (probs[:, pos] >= CONTRADICTION_P)
    )
    return ~bad


def fit_candidate(train: Dataset, shop_prior: dict[str, float], *, c: float = 2.0) -> Head:
    assert train.embeddings is not None
    model = LogisticRegression(C=c, max_iter=500)
    model.fit(train.embeddings, train.labels, sample_weight=balance_weights(train))
    n = len(LABELS)
    weight = np.zeros((train.embeddings.shape[1], n), dtype=np.float32)
    bias = np.full(n, -30.0, dtype=np.float32)
    for row, k in enumerate(model.classes_):
        weight[:, k] = model.coef_[row]
        bias[k] = model.intercept_[row]
    head = Head(classes=list(LABELS), collapse={}, layers=[(weight, bias)], encoder={})
    head.logit_bias = prior_bias(train, shop_prior, 0.5)
    return head


@dataclass
class Decision:
    switch: bool
    reason: str
    candidate: dict[str, Any]
    current: dict[str, Any]


def decide(candidate: dict[str, Any], current: dict[str, Any]) -> Decision:
    """The switch rule (module docstring, step 5), on score dicts keyed by set name."""
    shop_new, shop_old = candidate.get("shop-held-out"), current.get("shop-held-out")
    if not shop_new or not shop_old:
        return Decision(False, "no held-out shop reviews to judge on", candidate, current)
    if shop_new["n"] < MIN_HELD_OUT or shop_new.get("negatives", 0) < MIN_NEGATIVES:
        return Decision(
            False,
            f"too few held-out shop reviews to judge ({shop_new['n']} reviews, "
            f"{shop_new.get('negatives', 0)} negative; need {MIN_HELD_OUT} / {MIN_NEGATIVES})",
            candidate,
            current,
        )
    gain = shop_new["macro_f1"] - shop_old["macro_f1"]
    if gain < MIN_GAIN:
        return Decision(
            False,
            f"shop held-out macro-F1 {shop_new['macro_f1']:.4f} vs running "
            f"{shop_old['macro_f1']:.4f}: gain {gain:+.4f} < {MIN_GAIN}",
            candidate,
            current,
        )
    if shop_new["negative_recall"] < shop_old["negative_recall"] - RECALL_SLACK:
        return Decision(
            False,
            f"shop held-out negative recall {shop_new['negative_recall']:.4f} falls below "
            f"running {shop_old['negative_recall']:.4f} - {RECALL_SLACK}",
            candidate,
            current,
        )
    guard_new, guard_old = candidate.get("project-reviews"), current.get("project-reviews")
    if guard_new and guard_old and guard_new["macro_f1"] < guard_old["macro_f1"] - GUARD_SLACK:
        return Decision(
            False,
            f"project review set macro-F1 {guard_new['macro_f1']:.4f} falls below running "
            f"{guard_old['macro_f1']:.4f} - {GUARD_SLACK}",
            candidate,
            current,
        )
    return Decision(
        True,
        f"shop held-out macro-F1 {shop_old['macro_f1']:.4f} -> {shop_new['macro_f1']:.4f}, "
        f"negative recall {shop_old['negative_recall']:.4f} -> "
        f"{shop_new['negative_recall']:.4f}",
        candidate,
        current,
    )


def _score(head: Head, embeddings: np.ndarray, texts: list[str], gold: list[str]) -> dict[str, Any]:
    scores = three_class_scores(gold, _probs3(head, embeddings, texts), binary=False)
    scores["negatives"] = sum(1 for g in gold if g == "negative")
    return scores


def self_train(
    reviews: list[RatedReview],
    encoder: Encoder,
    *,
    head_dir: Path,
    fallback_dir: Path = REVIEW_HEAD_DIR,
    cache: EmbeddingCache | None = None,
    base: Dataset | None = None,
    guard: tuple[list[str], list[str]] | None = None,
    dry_run: bool = False,
) -> Decision:
    """Train on `reviews`, compare with the running head, switch when the rule says so."""
    running_dir = head_dir if (head_dir / MANIFEST).is_file() else fallback_dir
    current = Head.load(running_dir)
    embed = cache.embed if cache is not None else encoder.embed
    texts = [r.text for r in reviews]
    embeddings = embed(texts, prefix=current.prefix) if texts else np.zeros((0, encoder.dim))
    keep = exclude_contradictions(current, reviews, embeddings) if texts else np.zeros(0, bool)
    held = np.asarray([is_shop_held_out(t) for t in texts], dtype=bool)
    labels = np.asarray([LABELS.index(r.label) for r in reviews], dtype=int)
    train_idx = np.flatnonzero(keep & ~held)
    test_idx = np.flatnonzero(keep & held)
    summary = {
        "reviews": len(reviews),
        "contradictions_excluded": int((~keep).sum()),
        "train": len(train_idx),
        "held_out": len(test_idx),
    }
    if len(train_idx) == 0 or len(set(labels[train_idx].tolist())) < 2:
        decision = Decision(
            False, "fewer than two classes among the shop's training reviews", {}, {}
        )
        _log(head_dir, decision, summary, dry_run)
        return decision
    train = Dataset(
        [texts[i] for i in train_idx],
        labels[train_idx],
        LABELS,
        np.ones(len(train_idx), dtype=np.float32),
        ["shop"] * len(train_idx),
        embeddings[train_idx],
    )
    if base is not None and base.embeddings is not None:
        train = Dataset(
            train.texts + base.texts,
            np.concatenate([train.labels, base.labels]),
            LABELS,
            np.concatenate([train.weights, base.weights * 0.5]),
            train.sources + base.sources,
            np.concatenate([train.embeddings, base.embeddings]),
        )
    counts = np.bincount(labels[keep], minlength=len(LABELS)).astype(float) + 1.0
    shop_prior = {lab: float(c / counts.sum()) for lab, c in zip(LABELS, counts, strict=True)}
    candidate = fit_candidate(train, shop_prior)
    candidate.encoder = dict(current.encoder)
    test_texts = [texts[i] for i in test_idx]
    test_gold = [LABELS[labels[i]] for i in test_idx]
    scores_new = {"shop-held-out": _score(candidate, embeddings[test_idx], test_texts, test_gold)}
    scores_old = {"shop-held-out": _score(current, embeddings[test_idx], test_texts, test_gold)}
    if guard is not None and guard[0]:
        guard_emb = embed(guard[0], prefix=current.prefix)
        scores_new["project-reviews"] = _score(candidate, guard_emb, guard[0], guard[1])
        scores_old["project-reviews"] = _score(current, guard_emb, guard[0], guard[1])
    decision = decide(scores_new, scores_old)
    if decision.switch and not dry_run:
        candidate.name = f"review-head-shop-{datetime.now(UTC):%Y%m%d%H%M%S}"
        candidate.save(
            head_dir,
            extra={
                "version": 1,
                "candidate": "self-train-lr",
                "trained_on": {"shop": summary, "base_corpora": base is not None},
                "label_rule": "stars 1-2 negative, 3 neutral, 4-5 positive; contradictions "
                f"(p >= {CONTRADICTION_P} against the stars under the running head) excluded",
                "prior": {"target": shop_prior, "shift": 0.5},
                "metrics": scores_new,
                "replaced": {"name": current.name, "metrics": scores_old},
                "selection": decision.reason,
            },
        )
    _log(head_dir, decision, summary, dry_run)
    return decision


def _log(head_dir: Path, decision: Decision, summary: dict[str, Any], dry_run: bool) -> None:
    entry = {
        "at": datetime.now(UTC).isoformat(),
        "switch": decision.switch and not dry_run,
        "dry_run": dry_run,
        "reason": decision.reason,
        "data": summary,
        "candidate": decision.candidate,
        "running": decision.current,
    }
    print(json.dumps(entry, ensure_ascii=False), flush=True)
    if not dry_run:
        head_dir.mkdir(parents=True, exist_ok=True)
        with (head_dir / "self_train.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.sentiment.training.self_train")
    parser.add_argument("--reviews", type=Path, required=True, help="JSON lines (see --help)")
    parser.add_argument("--head-dir", type=Path, default=DEFAULT_HEAD_DIR)
    parser.add_argument("--encoder-dir", default=None)
    parser.add_argument("--base", action="store_true", help="add the project's corpora")
    parser.add_argument("--dry-run", action="store_true", help="decide, write nothing")
    parser.add_argument("--every", type=float, default=0.0, help="repeat every N hours")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    from services.sentiment.training.encoders import resolve_encoder
    from services.sentiment.training.project_reviews import load_project_reviews

    encoder = resolve_encoder(args.encoder_dir, threads=args.threads)
    cache = EmbeddingCache(encoder)
    project = load_project_reviews()
    guard = ([r.full_text for r in project], [r.sentiment for r in project])
    while True:
        try:
            reviews = read_reviews(
                args.reviews.read_text(encoding="utf-8").splitlines(), str(args.reviews)
            )
        except (OSError, ReviewFileError) as exc:
            print(f"self_train: {exc}", file=sys.stderr)
            return 2
        base = None
        if args.base:
            from services.sentiment.training.head import embed_dataset, review_training_set

            base = review_training_set()
            embed_dataset(base, cache)
        self_train(
            reviews,
            encoder,
            head_dir=args.head_dir,
            cache=cache,
            base=base,
            guard=guard,
            dry_run=args.dry_run,
        )
        if args.every <= 0:
            return 0
        time.sleep(args.every * 3600)


if __name__ == "__main__":
    sys.exit(main())
