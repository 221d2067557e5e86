"""e5's sentence embedding: the mean of the token states under the attention mask, L2-normed.

The same recipe in torch (inside the exported ONNX graph and the torch backend) and in
numpy (checks), so every path pools identically.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: e5's input convention: "query: " for texts to be classified or searched with,
#: "passage: " for documents searched in.
QUERY = "query: "
PASSAGE = "passage: "


def mean_pool_torch(hidden: Any, mask: Any) -> Any:
    """(batch, seq, dim) states, (batch, seq) mask -> (batch, dim) unit vectors."""
    import torch

    weights = mask.unsqueeze(-1).to(hidden.dtype)
    summed = (hidden * weights).sum(dim=1)
    mean = summed / weights.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(mean, p=2.0, dim=1)


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of two (n, dim) arrays."""
    return np.asarray(np.sum(normalize_rows(a) * normalize_rows(b), axis=1), dtype=np.float64)
