"""ONNX Runtime execution of a Hugging Face classifier: the faster CPU path.

The torch model is exported once (torch.onnx.export, opset 17, dynamic batch and sequence
axes) to `<model dir>/onnx/model.onnx`, or to a given path, or, when the model directory is
not writable, to a cache dir. Tokenization, bucketing and label mapping are the torch
backend's, so both produce the same probabilities within float32 tolerance
(|Δlogit| ≤ 1e-4 on the tests' model).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from services.sentiment.classifier.base import ModelLoadError, TextPrediction
from services.sentiment.classifier.labels import LABELS, mapping_matrix, softmax
from services.sentiment.classifier.transformers_backend import (
    HFTokenized,
    _not_found,
    load_tokenizer,
)

#: Agreement promised with the torch backend, on logits (absolute).
ONNX_TOLERANCE = 1e-4


def default_onnx_path(source: str) -> Path:
    """Next to the model if writable, else under $XDG_CACHE_HOME/otklik/onnx/."""
    local = Path(source)
    if local.is_dir() and os.access(local, os.W_OK):
        return local / "onnx" / "model.onnx"
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "otklik" / "onnx"
    digest = hashlib.sha256(str(local.resolve() if local.exists() else source).encode())
    return cache / digest.hexdigest()[:16] / "model.onnx"


def export_onnx(model: Any, tokenizer: Any, path: Path) -> Path:
    """Export `model` with dynamic batch/sequence axes; returns the written path."""
    import torch

    names = [n for n in tokenizer.model_input_names if n != "position_ids"]
    sample = tokenizer(["export sample", "a"], padding=True, return_tensors="pt")
    args = tuple(sample[n] for n in names)
    axes: dict[str, dict[int, str]] = {n: {0: "batch", 1: "sequence"} for n in names}
    axes["logits"] = {0: "batch"}
    path.parent.mkdir(parents=True, exist_ok=True)
    model = model.cpu().eval()

    class _Wrapper(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, inputs, strict=True))).logits

    tmp = path.with_suffix(".tmp.onnx")
    with torch.inference_mode(False), torch.no_grad():
        torch.onnx.export(
            _Wrapper(),
            args,
            str(tmp),
            input_names=names,
            output_names=["logits"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    tmp.replace(path)
    return path


class OnnxClassifier:
    """Same contract as TransformersClassifier; runs on onnxruntime's CPU provider."""

    backend = "onnx"

    def __init__(
        self,
        session: Any,
        tokenizer: Any,
        id2label: Mapping[int, str],
        *,
        name: str,
        max_length: int = 256,
        batch_size: int = 32,
        label_map: Mapping[str, str] | None = None,
    ) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.batch_size = batch_size
        self.matrix = mapping_matrix(id2label, label_map)
        self.name = name
        self.input_names = [i.name for i in session.get_inputs()]

    @classmethod
    def from_pretrained(
        cls,
        source: str,
        *,
        onnx_path: Path | None = None,
        max_length: int = 256,
        batch_size: int = 32,
        label_map: Mapping[str, str] | None = None,
        threads: int | None = None,
    ) -> OnnxClassifier:
        import onnxruntime as ort
        from transformers import AutoConfig, AutoModelForSequenceClassification

        tokenizer = load_tokenizer(source)
        try:
            config = AutoConfig.from_pretrained(source)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(_not_found(source, exc)) from exc
        path = onnx_path or default_onnx_path(source)
        if not path.is_file():
            model = AutoModelForSequenceClassification.from_pretrained(source)
            export_onnx(model, tokenizer, path)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        session = ort.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        positions = getattr(config, "max_position_embeddings", max_length)
        return cls(
            session,
            tokenizer,
            {int(k): str(v) for k, v in config.id2label.items()},
            name=f"onnx:{Path(source).name if Path(source).exists() else source}",
            max_length=min(max_length, int(positions)),
            batch_size=batch_size,
            label_map=label_map,
        )

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        tokens = HFTokenized(self.tokenizer, texts, self.max_length)
        out = np.zeros((len(texts), self.matrix.shape[0]), dtype=np.float32)
        for idx, batch in tokens.batches(self.batch_size):
            feeds = {n: batch[n] for n in self.input_names}
            out[idx] = self.session.run(["logits"], feeds)[0]
        return out

    def predict(self, texts: Sequence[str]) -> list[TextPrediction]:
        if not texts:
            return []
        probs = softmax(self.logits(texts)) @ self.matrix
        return [
            TextPrediction.from_scores(dict(zip(LABELS, row.tolist(), strict=True)))
            for row in probs
        ]
