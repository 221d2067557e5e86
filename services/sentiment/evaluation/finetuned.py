"""The project's review set through the service pipeline: the shipped review head vs a
model saved by `training/finetune.py --save DIR` (issue 14's fine-tuning comparison).

Here, not in training, because it scores with `evaluation.reviews` (evaluation may import
training, not the reverse).

Run: `python -m services.sentiment.evaluation.finetuned --save DIR [--threads 1]`.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from services.sentiment.training.encoders import DEFAULT_ENCODER_DIR
from services.sentiment.training.finetune import FinetunedClassifier, rss_mb


def compare(args: argparse.Namespace) -> dict[str, Any]:
    """The project's review set through the service pipeline: shipped head vs fine-tuned
    (text only and with stars; `text_model` = the model alone), plus each model's
    throughput on the set's texts in this same run."""
    import torch

    from services.sentiment.classifier.base import load_classifier
    from services.sentiment.evaluation.reviews import evaluate_reviews, load_reviews

    torch.set_num_threads(args.threads)
    saved = Path(args.save) / "top.pt"
    bias = torch.load(saved, map_location="cpu").get("decision_bias")
    if bias is None and args.report and Path(args.report).is_file():
        bias = json.loads(Path(args.report).read_text())["finetuned"]["decision_bias"]
    reviews = load_reviews()
    texts = [r.input(with_stars=False).full_text for r in reviews]
    out: dict[str, Any] = {}
    models = {
        "builtin": lambda: load_classifier("builtin"),
        "shipped-head": lambda: load_classifier("review-head"),
        "finetuned": lambda: FinetunedClassifier(Path(args.encoder_dir), saved, bias or [0, 0]),
    }
    for name, make in models.items():
        clf = make()
        clf.predict(texts[:16])
        start = time.perf_counter()
        clf.predict(texts)
        rate = len(texts) / (time.perf_counter() - start)
        res = evaluate_reviews(clf, reviews)["sentiment"]
        out[name] = {
            "model": f"{clf.name} ({clf.backend})",
            "texts_per_s": round(rate, 1),
            **{k: res[k] for k in ("text_only", "with_stars", "text_model")},
        }
        print(name, json.dumps(out[name]), flush=True)
    out["peak_rss_mb_both_loaded"] = round(rss_mb())
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--encoder-dir", default=str(DEFAULT_ENCODER_DIR))
    parser.add_argument("--save", required=True, help="directory holding top.pt")
    parser.add_argument("--report", default="", help="finetune's JSON report (offsets)")
    parser.add_argument("--threads", type=int, default=1)
    print(json.dumps(compare(parser.parse_args(argv)), indent=1), flush=True)


if __name__ == "__main__":
    main()
