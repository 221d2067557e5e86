"""Any Hugging Face sequence-classification model, run through torch.

Texts are tokenized once without padding, sorted by token length and batched, so each
batch is padded only to its own longest text (dynamic padding); results come back in the
caller's order. Runs on CUDA when available, else CPU.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from services.sentiment.classifier.base import ModelLoadError, TextPrediction
from services.sentiment.classifier.batching import length_buckets
from services.sentiment.classifier.labels import LABELS, mapping_matrix, softmax


class HFTokenized:
    """Token ids of a batch of texts, unpadded, plus the bucketing over them."""

    def __init__(self, tokenizer: Any, texts: Sequence[str], max_length: int) -> None:
        self.tokenizer = tokenizer
        self.encodings: dict[str, list[list[int]]] = dict(
            tokenizer(list(texts), truncation=True, max_length=max_length, padding=False)
        )
        self.lengths = [len(ids) for ids in self.encodings["input_ids"]]

    def batches(self, batch_size: int) -> list[tuple[list[int], dict[str, np.ndarray]]]:
        """(indices, padded numpy inputs) per length bucket."""
        out = []
        for idx in length_buckets(self.lengths, batch_size):
            features = [{k: v[i] for k, v in self.encodings.items()} for i in idx]
            padded = self.tokenizer.pad(features, padding=True, return_tensors="np")
            out.append((idx, {k: np.asarray(v, dtype=np.int64) for k, v in padded.items()}))
        return out


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
            for idx, batch in tokens.batches(self.batch_size):
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
