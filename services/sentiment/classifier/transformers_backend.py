"""Any Hugging Face sequence-classification model, run through torch.

Texts are tokenized once without padding, sorted by token length and cut into batches,
each padded only to its own longest text (dynamic padding); results come back in the
caller's order. Runs on CUDA when available, else CPU.

Batch boundaries are not fixed-size slices of the sorted list: `token_budget_batches`
chooses them (exact dynamic programme over the sorted lengths) to minimise the padded
work plus a per-batch overhead, with at most `batch_size` texts per batch. On short, very
uneven texts (social posts: median ~17 tokens, a few of 200+) fixed slices padded most
short texts to the long ones' length; see the benchmark in docs/sentiment.md. Padding is
done in numpy (no per-batch `tokenizer.pad` over Python dicts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from services.sentiment.classifier.base import ModelLoadError, TextPrediction
from services.sentiment.classifier.labels import LABELS, mapping_matrix, softmax

#: Per-batch cost (framework call, kernel launches) counted as this many padded tokens.
BATCH_OVERHEAD_TOKENS = 32


def token_budget_batches(
    lengths: Sequence[int],
    batch_size: int,
    overhead_tokens: int = BATCH_OVERHEAD_TOKENS,
    attention_width: int | None = None,
    max_tokens: int | None = None,
) -> list[list[int]]:
    """Indices sorted by length (longest first) and split where it saves padded work.

    Cost of a batch = overhead_tokens + size * L * (1 + L / attention_width), L being its
    longest text (the quadratic attention term is dropped when attention_width is None).
    The split minimising the total over contiguous batches of <= batch_size texts is found
    exactly by dynamic programming (O(n * batch_size)). With `max_tokens`, no batch of two
    or more texts pads to more than that many tokens (size * L), which bounds activation
    memory; a single text longer than the budget still forms a batch of its own.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    n = len(order)
    if n == 0:
        return []
    sorted_len = [max(1, lengths[i]) for i in order]
    unit = [
        length * (1.0 + length / attention_width) if attention_width else float(length)
        for length in sorted_len
    ]
    best = [0.0] + [float("inf")] * n  # best[j]: cost of the first j texts
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        first = max(0, j - batch_size)
        if max_tokens is not None:
            # sorted_len is non-increasing, so (j - i) * sorted_len[i] shrinks as i grows
            while first < j - 1 and (j - first) * sorted_len[first] > max_tokens:
                first += 1
        for i in range(first, j):
            # texts i..j-1 together; the longest (first in sorted order) sets the padding
            cost = best[i] + overhead_tokens + (j - i) * unit[i]
            if cost < best[j]:
                best[j], cut[j] = cost, i
    batches: list[list[int]] = []
    j = n
    while j > 0:
        batches.append(order[cut[j] : j])
        j = cut[j]
    batches.reverse()
    return batches


class Tokenized:
    """Token ids of a batch of texts, unpadded, plus the bucketing over them."""

    def __init__(
        self,
        encodings: dict[str, list[list[int]]],
        pad_values: dict[str, int],
        *,
        left: bool = False,
    ) -> None:
        self.encodings = encodings
        self.lengths = [len(ids) for ids in encodings["input_ids"]]
        self.pad_values = pad_values
        self.left = left

    def batches(
        self, batch_size: int, attention_width: int | None = None, max_tokens: int | None = None
    ) -> list[tuple[list[int], dict[str, np.ndarray]]]:
        """(indices, padded int64 numpy inputs) per length bucket."""
        out = []
        chosen = token_budget_batches(
            self.lengths, batch_size, attention_width=attention_width, max_tokens=max_tokens
        )
        for idx in chosen:
            width = max(self.lengths[i] for i in idx)
            padded: dict[str, np.ndarray] = {}
            for key, rows in self.encodings.items():
                array = np.full((len(idx), width), self.pad_values.get(key, 0), dtype=np.int64)
                for r, i in enumerate(idx):
                    row = rows[i]
                    if self.left:
                        array[r, width - len(row) :] = row
                    else:
                        array[r, : len(row)] = row
                padded[key] = array
            out.append((idx, padded))
        return out


class HFTokenized(Tokenized):
    """`Tokenized` through a Hugging Face tokenizer (its pad id and padding side)."""

    def __init__(self, tokenizer: Any, texts: Sequence[str], max_length: int) -> None:
        encodings: dict[str, list[list[int]]] = dict(
            tokenizer(list(texts), truncation=True, max_length=max_length, padding=False)
        )
        pad_id = tokenizer.pad_token_id
        super().__init__(
            encodings,
            {
                "input_ids": int(pad_id) if pad_id is not None else 0,
                "attention_mask": 0,
                "token_type_ids": int(getattr(tokenizer, "pad_token_type_id", 0) or 0),
            },
            left=getattr(tokenizer, "padding_side", "right") == "left",
        )
        self.tokenizer = tokenizer


def load_tokenizer(source: str) -> Any:
    """Tokenizer from a local dir or a cached hub id, with a clear error otherwise."""
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(source)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(_not_found(source, exc)) from exc


def _not_found(source: str, exc: Exception) -> str:
    if Path(source).exists():
        return f"cannot load model from {source}: {exc}"
    return (
        f"model {source!r} is neither a local directory nor in the Hugging Face cache, and no "
        f"hub is reachable: download it elsewhere and point SENTIMENT_MODEL at the directory "
        f"({exc.__class__.__name__})"
    )


class TransformersClassifier:
    """Batched, length-bucketed inference of an AutoModelForSequenceClassification."""

    backend = "torch"

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        name: str,
        max_length: int = 256,
        batch_size: int = 32,
        label_map: Mapping[str, str] | None = None,
        device: str | None = None,
    ) -> None:
        import torch

        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.model = model.to(self.device).eval()
        self.tokenizer = tokenizer
        self.max_length = min(max_length, _model_max_positions(model, max_length))
        self.batch_size = batch_size
        id2label = {int(k): str(v) for k, v in model.config.id2label.items()}
        self.matrix = mapping_matrix(id2label, label_map)
        self.name = name
        self.input_names = set(tokenizer.model_input_names)
        hidden = getattr(model.config, "hidden_size", None)
        # attention costs ~L/(3*hidden) of the dense layers per token (4*L*d vs 12*d^2)
        self.attention_width = 3 * hidden if isinstance(hidden, int) and hidden > 0 else None

    @classmethod
    def from_pretrained(
        cls,
        source: str,
        *,
        max_length: int = 256,
        batch_size: int = 32,
        label_map: Mapping[str, str] | None = None,
        device: str | None = None,
    ) -> TransformersClassifier:
        from transformers import AutoModelForSequenceClassification

        tokenizer = load_tokenizer(source)
        try:
            model = AutoModelForSequenceClassification.from_pretrained(source)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(_not_found(source, exc)) from exc
        return cls(
            model,
            tokenizer,
            name=f"hf:{Path(source).name if Path(source).exists() else source}",
            max_length=max_length,
            batch_size=batch_size,
            label_map=label_map,
            device=device,
        )

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw model logits for `texts`, in input order (used by tests and benchmarks)."""
        import torch

        tokens = HFTokenized(self.tokenizer, texts, self.max_length)
        num_labels = self.matrix.shape[0]
        out = np.zeros((len(texts), num_labels), dtype=np.float32)
        with torch.inference_mode():
            for idx, batch in tokens.batches(self.batch_size, self.attention_width):
                inputs = {
                    k: torch.from_numpy(v).to(self.device)
                    for k, v in batch.items()
                    if k in self.input_names
                }
                result = self.model(**inputs).logits.float().cpu().numpy()
                out[idx] = result
        return out

    def predict(self, texts: Sequence[str]) -> list[TextPrediction]:
        if not texts:
            return []
        probs = softmax(self.logits(texts)) @ self.matrix
        return [
            TextPrediction.from_scores(dict(zip(LABELS, row.tolist(), strict=True)))
            for row in probs
        ]


def _model_max_positions(model: Any, default: int) -> int:
    value = getattr(model.config, "max_position_embeddings", None)
    return int(value) if isinstance(value, int) and value > 0 else default
