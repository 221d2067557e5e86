"""The project's own offline model: hashed character + word n-grams, tf-idf, then dense layers.

Why this shape: no pretrained weights can be downloaded, the model must be small and
answer in well under a millisecond per text on 2 CPU cores. Features are stateless
(scikit-learn's HashingVectorizer, MurmurHash3 — no vocabulary to store); the learned
state is plain arrays in `weights.npz` (no pickle) and the recipe in `model.json`.

Artefact format "otklik-ngram/1":
- model.json: format, name, classes (the model's own, e.g. RuSentiment's five), collapse
  (model class -> positive/neutral/negative), features (HashingVectorizer parameters per
  block), layers (count), training notes and metrics.
- weights.npz: idf (float32, one per hashed feature), W0, b0, W1, b1, ... (W stored as
  float16, applied as float32). Logits = tfidf(x) @ W0 + b0 [@ W1 + b1 ...]; a linear model
  has one layer, a fastText-style model two (embedding, then classifier).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from services.sentiment.classifier.base import LABELS, ModelLoadError, TextPrediction
from services.sentiment.classifier.labels import softmax

FORMAT = "otklik-ngram/1"

_URL = re.compile(r"https?://\S+|www\.\S+")
_USER = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{2,}")
_DIGITS = re.compile(r"\d")


def normalise(text: str) -> str:
    """Lower-case, ё→е, URLs/users/digits masked, long letter runs shortened ("оооочень")."""
    text = text.lower().replace("ё", "е")
    text = _URL.sub(" url ", text)
    text = _USER.sub(" @user ", text)
    text = _DIGITS.sub("0", text)
    return _REPEAT.sub(r"\1\1", text)


DEFAULT_FEATURES: dict[str, dict[str, Any]] = {
    "char": {"analyzer": "char_wb", "ngram_range": [1, 5], "n_features": 2**18},
    "word": {
        "analyzer": "word",
        "ngram_range": [1, 2],
        "n_features": 2**17,
        "token_pattern": r"(?u)\b\w+\b|[()!?]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]",
    },
}


class NgramFeaturizer:
    """Text -> sublinear tf-idf over hashed n-gram blocks, each block L2-normalised."""

    def __init__(self, spec: dict[str, dict[str, Any]], idf: np.ndarray | None = None) -> None:
        self.spec = spec
        self.vectorizers = [
            HashingVectorizer(
                analyzer=params["analyzer"],
                ngram_range=tuple(params["ngram_range"]),
                n_features=int(params["n_features"]),
                token_pattern=params.get("token_pattern", r"(?u)\b\w\w+\b"),
                lowercase=False,
                alternate_sign=False,
                norm=None,
                dtype=np.float32,
            )
            for params in spec.values()
        ]
        self.sizes = [int(p["n_features"]) for p in spec.values()]
        self.idf = idf

    @property
    def n_features(self) -> int:
        return sum(self.sizes)

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        clean = [normalise(t) for t in texts]
        blocks = [v.transform(clean) for v in self.vectorizers]
        matrix = sp.hstack(blocks, format="csr", dtype=np.float32)
        matrix.data = np.log1p(matrix.data)
        return matrix

    def fit_idf(self, texts: Sequence[str]) -> NgramFeaturizer:
        counts = self.counts(texts)
        df = np.bincount(counts.indices, minlength=self.n_features).astype(np.float64)
        self.idf = (np.log((1 + counts.shape[0]) / (1 + df)) + 1.0).astype(np.float32)
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.idf is None:
            raise RuntimeError("featurizer has no idf: fit_idf first or load an artefact")
        matrix = self.counts(texts) @ sp.diags(self.idf)
        matrix = sp.csr_matrix(matrix, dtype=np.float32)
        start = 0
        parts = []
        for size in self.sizes:
            block = matrix[:, start : start + size]
            norms = np.sqrt(np.asarray(block.multiply(block).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            parts.append(sp.diags(1.0 / norms) @ block)
            start += size
        return sp.csr_matrix(sp.hstack(parts, format="csr"), dtype=np.float32)


@dataclass
class Layer:
    weight: np.ndarray  # (in, out), float32 in memory
    bias: np.ndarray


class LinearNgramClassifier:
    """Featurizer + dense layers + collapse of the model's classes to our three."""

    backend = "builtin"

    def __init__(
        self,
        featurizer: NgramFeaturizer,
        layers: list[Layer],
        classes: Sequence[str],
        collapse: dict[str, str],
        *,
        name: str = "builtin",
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.featurizer = featurizer
        self.layers = layers
        self.classes = list(classes)
        self.collapse = collapse
        self.name = name
        self.meta = meta or {}
        self.matrix = np.zeros((len(self.classes), len(LABELS)), dtype=np.float32)
        for i, cls in enumerate(self.classes):
            self.matrix[i, LABELS.index(collapse.get(cls, cls))] = 1.0

    def class_probs(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities over the model's own classes (e.g. RuSentiment's five)."""
        hidden: Any = self.featurizer.transform(texts)
        for layer in self.layers:
            hidden = np.asarray(hidden @ layer.weight) + layer.bias
        return softmax(np.asarray(hidden, dtype=np.float32))

    def predict(self, texts: Sequence[str]) -> list[TextPrediction]:
        if not texts:
            return []
        probs = self.class_probs(texts) @ self.matrix
        return [
            TextPrediction.from_scores(dict(zip(LABELS, row.tolist(), strict=True)))
            for row in probs
        ]

    def save(self, directory: Path, extra: dict[str, Any] | None = None) -> None:
        """Write model.json + weights.npz (float16 weights, compressed)."""
        directory.mkdir(parents=True, exist_ok=True)
        assert self.featurizer.idf is not None
        arrays: dict[str, np.ndarray] = {"idf": self.featurizer.idf.astype(np.float32)}
        for i, layer in enumerate(self.layers):
            arrays[f"W{i}"] = layer.weight.astype(np.float16)
            arrays[f"b{i}"] = layer.bias.astype(np.float32)
        np.savez_compressed(directory / "weights.npz", **arrays)  # type: ignore[arg-type]
        manifest = {
            "format": FORMAT,
            "name": self.name,
            "classes": self.classes,
            "collapse": self.collapse,
            "features": self.featurizer.spec,
            "layers": len(self.layers),
            **self.meta,
            **(extra or {}),
        }
        (directory / "model.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))

    @classmethod
    def load(cls, directory: Path) -> LinearNgramClassifier:
        manifest_path = directory / "model.json"
        if not manifest_path.is_file():
            raise ModelLoadError(
                f"no built-in model in {directory}: run `python -m services.sentiment.training`"
            )
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("format") != FORMAT:
            raise ModelLoadError(f"{directory}: format {manifest.get('format')!r}, want {FORMAT}")
        with np.load(directory / "weights.npz", allow_pickle=False) as data:
            idf = data["idf"].astype(np.float32)
            layers = [
                Layer(data[f"W{i}"].astype(np.float32), data[f"b{i}"].astype(np.float32))
                for i in range(int(manifest["layers"]))
            ]
        meta = {k: manifest[k] for k in ("trained_on", "metrics", "version") if k in manifest}
        return cls(
            NgramFeaturizer(manifest["features"], idf),
            layers,
            manifest["classes"],
            manifest["collapse"],
            name=manifest.get("name", "builtin"),
            meta=meta,
        )
