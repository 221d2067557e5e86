"""Precision / recall of classifier/aspects.py `extract_aspects` on a hand-labelled sample.

`aspect_sample.jsonl` (written for this project, not taken from any data set): one short
marketplace review per line, `{"lang", "text", "aspects": [{"aspect", "polarity",
"span"}]}`, the span being the words of the text that name the aspect. Gold labels were
written by reading each review, not by running the extractor.

Scores: a predicted aspect matches a gold one with the same (aspect, polarity) in the same
review (multiset matching); `aspect_only` ignores polarity; `span_overlap` is the share of
matched pairs whose predicted span overlaps the gold span (character ranges).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.events import Sentiment

SAMPLE = Path(__file__).with_name("aspect_sample.jsonl")


@dataclass(frozen=True)
class GoldAspect:
    aspect: str
    polarity: str
    start: int
    end: int


@dataclass
class Item:
    lang: str
    text: str
    gold: list[GoldAspect]


def load_sample(path: Path = SAMPLE) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        gold = []
        for a in row["aspects"]:
            start = row["text"].find(a["span"])
            if start < 0:
                raise ValueError(f"span {a['span']!r} not in {row['text']!r}")
            gold.append(GoldAspect(a["aspect"], a["polarity"], start, start + len(a["span"])))
        items.append(Item(row.get("lang", "other"), row["text"], gold))
    return items


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def evaluate_aspects(items: list[Item] | None = None) -> dict[str, Any]:
    """P/R/F1 (aspect+polarity, aspect only), span overlap, per language and per aspect."""
    from services.sentiment.classifier.aspects import extract_aspects

    items = load_sample() if items is None else items
    totals: Counter[str] = Counter()
    per_lang: dict[str, Counter[str]] = {}
    per_aspect: dict[str, Counter[str]] = {}
    errors: list[dict[str, Any]] = []
    for item in items:
        # neutral default: polarity must come from the text's words, not from a classifier
        pred = extract_aspects(item.text, default=Sentiment.neutral)
        pred_keys = [(a.aspect, a.polarity.value) for a in pred]
        remaining = list(item.gold)
        tp = overlap = 0
        unmatched_pred = []
        for a, key in zip(pred, pred_keys, strict=True):
            hit = next((g for g in remaining if (g.aspect, g.polarity) == key), None)
            if hit is None:
                unmatched_pred.append(key)
                continue
            remaining.remove(hit)
            tp += 1
            overlap += int(a.start < hit.end and hit.start < a.end)
        gold_aspects = Counter(g.aspect for g in item.gold)
        pred_aspects = Counter(k[0] for k in pred_keys)
        tp_aspect = sum((gold_aspects & pred_aspects).values())
        counts = Counter(
            tp=tp, pred=len(pred), gold=len(item.gold), overlap=overlap, tp_aspect=tp_aspect
        )
        totals += counts
        per_lang.setdefault(item.lang, Counter()).update(counts)
        for g in item.gold:
            per_aspect.setdefault(g.aspect, Counter())["gold"] += 1
        for key in pred_keys:
            per_aspect.setdefault(key[0], Counter())["pred"] += 1
        for g in item.gold:
            if g not in remaining:
                per_aspect[g.aspect]["tp"] += 1
        if remaining or unmatched_pred:
            errors.append(
                {
                    "text": item.text,
                    "missed": [(g.aspect, g.polarity) for g in remaining],
                    "spurious": unmatched_pred,
                }
            )

    def summary(c: Counter[str]) -> dict[str, Any]:
        return {
            **_prf(c["tp"], c["pred"], c["gold"]),
            "aspect_only": _prf(c["tp_aspect"], c["pred"], c["gold"]),
            "span_overlap": round(c["overlap"] / c["tp"], 4) if c["tp"] else 0.0,
            "n_gold": c["gold"],
            "n_pred": c["pred"],
        }

    return {
        "reviews": len(items),
        **summary(totals),
        "by_language": {lang: summary(c) for lang, c in sorted(per_lang.items())},
        "by_aspect": {
            a: _prf(c["tp"], c["pred"], c["gold"]) | {"n_gold": c["gold"]}
            for a, c in sorted(per_aspect.items())
        },
        "errors": errors,
    }
