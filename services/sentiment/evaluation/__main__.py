"""`python -m services.sentiment.evaluation [--backend B] [--model PATH]`.

Default: the shipped built-in model. With --model pointing at a Hugging Face model dir and
no --backend, torch, onnx and onnx-int8 are all evaluated (the int8 graph's accuracy
cost shows beside the float ones). Prints accuracy, macro-F1 and confusion
matrices per held-out set, the project's review set through the service pipeline
(sentiment with and without stars, aspect P/R/F1 per aspect and micro, question P/R/F1,
sarcasm / rating-slip / remark flags) and aspect P/R/F1 on the labelled aspect sample;
--json writes everything to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from services.sentiment.classifier.base import BACKENDS, load_classifier
from services.sentiment.evaluation.aspects import evaluate_aspects
from services.sentiment.evaluation.metrics import DATASETS, evaluate, load_sets
from services.sentiment.evaluation.reviews import (
    REVIEWS,
    evaluate_reviews,
    load_reviews,
    print_reviews,
)
from services.sentiment.training import data


def _backends(args: argparse.Namespace) -> list[str]:
    if args.backend:
        return [args.backend]
    if args.model and (Path(args.model) / "config.json").is_file():
        return ["torch", "onnx", "onnx-int8"]
    return ["builtin"]


def _print_scores(backend: str, results: dict[str, Any]) -> None:
    print(f"\n== {backend}: {results['model']}")
    for name in DATASETS:
        if name not in results:
            continue
        r = results[name]
        extra = (
            f"  5-class weighted F1 {r['weighted_f1_5class']:.4f}"
            if "weighted_f1_5class" in r
            else ""
        )
        print(
            f"{name:12s} n={r['n']:5d}  acc {r['accuracy']:.4f}  macro-F1 {r['macro_f1']:.4f}"
            f"{extra}  ({r['seconds']:.1f} s)"
        )
        width = max(len(lab) for lab in r["labels"])
        print(" " * (width + 8) + " ".join(f"{lab[:8]:>8s}" for lab in r["labels"]))
        for lab, row in zip(r["labels"], r["confusion"], strict=True):
            print(f"    gold {lab:{width}s} " + " ".join(f"{v:8d}" for v in row))


def _print_aspects(result: dict[str, Any]) -> None:
    print(f"\n== aspects (extract_aspects) on {result['reviews']} hand-labelled reviews")
    rows = [("all", result), *result["by_language"].items()]
    for name, r in rows:
        a = r["aspect_only"]
        print(
            f"{name:4s} aspect+polarity P {r['precision']:.3f} R {r['recall']:.3f} "
            f"F1 {r['f1']:.3f} | aspect only P {a['precision']:.3f} R {a['recall']:.3f} "
            f"F1 {a['f1']:.3f} | span overlap {r['span_overlap']:.3f} "
            f"(gold {r['n_gold']}, predicted {r['n_pred']})"
        )
    for aspect, r in result["by_aspect"].items():
        print(
            f"  {aspect:22s} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f} "
            f"(gold {r['n_gold']})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.sentiment.evaluation")
    parser.add_argument("--backend", choices=[b for b in BACKENDS if b != "auto"])
    parser.add_argument("--model", help="model dir (HF or built-in format); default: shipped")
    parser.add_argument("--sets", default=",".join(DATASETS), help="comma-separated subset")
    parser.add_argument("--limit", type=int, help="evaluate an evenly spaced slice per set")
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write all results here")
    parser.add_argument("--show-errors", action="store_true", help="list aspect misses")
    parser.add_argument(
        "--reviews", type=Path, default=REVIEWS, help="the project's labelled review set"
    )
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    report: dict[str, Any] = {"backends": {}}
    names = [n for n in args.sets.split(",") if n]
    unknown = set(names) - set(DATASETS)
    if unknown:
        parser.error(f"unknown sets {sorted(unknown)}; choose from {DATASETS}")
    have_data = data.data_dir().is_dir()
    if not have_data:
        print(f"no data at {data.data_dir()} (../shared/data): classification skipped")
    reviews = load_reviews(args.reviews) if args.reviews.is_file() else None
    if reviews is None:
        print(f"no review set at {args.reviews}: project review evaluation skipped")
    sets = load_sets(names, args.limit) if have_data else {}
    for backend in _backends(args) if have_data or reviews else []:
        clf = load_classifier(args.model, backend=backend, max_length=args.max_length)
        if have_data:
            id2label = None
            if args.model and (Path(args.model) / "config.json").is_file():
                from transformers import AutoConfig

                config = AutoConfig.from_pretrained(args.model)
                id2label = {int(k): str(v) for k, v in config.id2label.items()}
            results = evaluate(clf, sets, id2label=id2label)
            report["backends"][backend] = results
            _print_scores(backend, results)
        if reviews:
            review_scores = evaluate_reviews(clf, reviews)
            review_errors = review_scores.pop("errors")
            report.setdefault("project_reviews", {})[backend] = review_scores
            print_reviews(review_scores)
            if args.show_errors:
                for e in review_errors:
                    print(f"  [{e['id']}] {e['rating']}★ {e['text']!r}")
                    print(
                        f"    sentiment gold/pred {e['sentiment']} missed {e['missed']} "
                        f"spurious {e['spurious']} flags {e['flags']}"
                    )
                    if e["questions"][0] != e["questions"][1]:
                        print(f"    questions gold {e['questions'][0]} pred {e['questions'][1]}")
    aspects = evaluate_aspects()
    errors = aspects.pop("errors")
    report["aspects"] = aspects
    _print_aspects(aspects)
    if args.show_errors:
        for e in errors:
            print(f"  {e['text']}\n    missed {e['missed']} spurious {e['spurious']}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
