"""A hashed bag of character trigrams: an honest lightweight sentence encoder.

No model file, deterministic, the same vectors on every machine: words that share
letters (inflections, typos) land near each other. It does not know meaning the way a
trained multilingual encoder does, so it is the offline fallback, not the default.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class HashedTrigramEncoder:
    """Texts -> L2-normalised vectors of hashed character trigram counts (log-scaled)."""

    def __init__(self, dim: int = 1024) -> None:
        self.dim = dim
        self.name = f"hashed-char-trigrams-{dim}"

    def _bucket(self, gram: str) -> int:
        digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "little") % self.dim

    def embed(self, texts: Sequence[str], prefix: str = "query: ") -> np.ndarray:
        """`prefix` is part of the encoder protocol (e5 models want one); trigrams ignore it."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower().replace("ё", "е")):
                padded = f" {word} "
                for i in range(len(padded) - 2):
                    out[row, self._bucket(padded[i : i + 3])] += 1.0
        np.log1p(out, out=out)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms
