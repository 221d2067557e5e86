"""Sentence embeddings of training and evaluation texts, cached on disk by text hash.

Why: embedding is the expensive part of training a head (about 100 short texts/s on
2 cores); the same texts are embedded again by every training run, every evaluation and
every candidate. The cache is keyed by (encoder name, prefix, text), so a different
encoder never reads another's vectors. Shards are written atomically (temp file +
rename), so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from services.sentiment.training.data import PROJECT_ROOT, text_key

DEFAULT_CACHE_DIR = PROJECT_ROOT / "var" / "embeddings"


class Encoder(Protocol):
    """What the cache needs of a sentence encoder (`encoder.runtime.SentenceEncoder`)."""

    @property
    def name(self) -> str: ...
    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str], *, prefix: str = "query: ") -> np.ndarray: ...


class EmbeddingCache:
    """`embed(texts)` returns cached vectors and computes only the missing ones."""

    def __init__(self, encoder: Encoder, directory: Path | None = None) -> None:
        self.encoder = encoder
        # int8 and float graphs of one model give slightly different vectors: key on both
        label = f"{encoder.name}-{getattr(encoder, 'backend', '')}".rstrip("-")
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)
        self.directory = (directory or DEFAULT_CACHE_DIR) / safe
        self.directory.mkdir(parents=True, exist_ok=True)
        self.index: dict[int, np.ndarray] = {}
        for shard in sorted(self.directory.glob("shard-*.npz")):
            with np.load(shard, allow_pickle=False) as data:
                for key, vector in zip(data["keys"].tolist(), data["vectors"], strict=True):
                    self.index[int(key)] = vector

    @property
    def name(self) -> str:
        return self.encoder.name

    @property
    def dim(self) -> int:
        return self.encoder.dim

    @property
    def backend(self) -> str:
        return str(getattr(self.encoder, "backend", "cached"))

    @staticmethod
    def key(text: str, prefix: str) -> int:
        return text_key(prefix + "\x00" + text)

    def embed(
        self,
        texts: Sequence[str],
        *,
        prefix: str = "query: ",
        chunk: int = 256,
        progress: bool = False,
    ) -> np.ndarray:
        keys = [self.key(t, prefix) for t in texts]
        missing: dict[int, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self.index:
                missing.setdefault(key, text)
        todo = sorted(missing.items(), key=lambda kv: len(kv[1]))
        started = time.perf_counter()
        for start in range(0, len(todo), chunk):
            part = todo[start : start + chunk]
            vectors = self.encoder.embed([t for _, t in part], prefix=prefix)
            self._write([k for k, _ in part], vectors)
            if progress:
                done = start + len(part)
                rate = done / max(time.perf_counter() - started, 1e-9)
                print(f"  embedded {done}/{len(todo)} ({rate:.0f} texts/s)", flush=True)
        out = np.empty((len(texts), self.encoder.dim), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = self.index[key]
        return out

    def _write(self, keys: list[int], vectors: np.ndarray) -> None:
        vectors16 = np.asarray(vectors, dtype=np.float16)
        name = f"shard-{time.time_ns()}-{os.getpid()}.npz"
        tmp = self.directory / f".{name}.tmp"
        with tmp.open("wb") as handle:
            np.savez(handle, keys=np.asarray(keys, dtype=np.uint64), vectors=vectors16)
        tmp.replace(self.directory / name)
        for key, vector in zip(keys, vectors16, strict=True):
            self.index[key] = vector
