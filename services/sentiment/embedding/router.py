"""``POST /api/embed``: sentence vectors from the encoder this instance loaded.

Bearer-token protected (the services' API token), bounded (at most 64 texts of at most
2000 characters), 503 when no encoder is loaded. The encoder runs off the event loop.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from services.sentiment.deps import require_admin
from services.sentiment.embedding.trigram import HashedTrigramEncoder
from shared.http import DomainError

MAX_TEXTS = 64
MAX_CHARS = 2000


class SentenceEncoder(Protocol):
    """Texts -> one vector each (a list of lists or a 2-D numpy array), in order."""

    def embed(self, texts: Sequence[str], prefix: str = "query: ") -> Any: ...


class EmbedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    texts: list[Annotated[str, Field(max_length=MAX_CHARS)]] = Field(
        min_length=1, max_length=MAX_TEXTS
    )


class EmbedOut(BaseModel):
    model: str
    vectors: list[list[float]]


class NoEncoder(DomainError):
    status_code = 503
    code = "no_encoder"


def build_encoder(
    spec: str, classifier_encoder: SentenceEncoder | None = None
) -> SentenceEncoder | None:
    """`auto` (the classifier's own sentence encoder, loaded once per process, else the
    trigram fallback), `none`, `trigram` (the offline fallback) or a local encoder
    directory, loaded with ``services.sentiment.classifier.encoder.runtime.load_encoder``."""
    if spec == "auto":
        return classifier_encoder if classifier_encoder is not None else HashedTrigramEncoder()
    if spec in ("", "none"):
        return None
    if spec == "trigram":
        return HashedTrigramEncoder()
    path = Path(spec)
    if not path.is_dir():
        raise ValueError(f"SENTIMENT_EMBEDDER: {spec!r} is not auto, none, trigram or a directory")
    runtime = importlib.import_module("services.sentiment.classifier.encoder.runtime")
    encoder: SentenceEncoder = runtime.load_encoder(path)
    return encoder


def encoder_name(encoder: SentenceEncoder) -> str:
    return str(getattr(encoder, "name", None) or type(encoder).__name__)


#: The services' API token guards it, as every API of the project.
router = APIRouter(prefix="/api", tags=["embeddings"], dependencies=[Depends(require_admin)])


@router.post("/embed", response_model=EmbedOut)
async def embed_texts(body: EmbedIn, request: Request) -> EmbedOut:
    """Vectors for up to 64 texts; 503 when this instance has no encoder."""
    encoder: SentenceEncoder | None = getattr(request.app.state, "encoder", None)
    if encoder is None:
        raise NoEncoder("no sentence encoder is loaded (SENTIMENT_EMBEDDER)")
    vectors = await asyncio.to_thread(encoder.embed, body.texts, "query: ")
    rows = [[float(x) for x in row] for row in vectors]
    return EmbedOut(model=encoder_name(encoder), vectors=rows)
