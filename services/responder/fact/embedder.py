"""Sentence embeddings for fact matching: the protocol, the sentiment service's HTTP
endpoint as one, and a cache of the facts' vectors per fact revision.

The sentiment service owns the encoder (services do not import each other): the
responder asks ``POST /api/embed`` and falls back to keywords on any error.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import httpx

from shared.logging import get_logger

log = get_logger(__name__)

Vector = Sequence[float]
#: The endpoint's own bounds (more texts are sent in several requests).
MAX_TEXTS = 64
MAX_CHARS = 2000


class EmbedderError(RuntimeError):
    """The embeddings could not be had; the caller falls back to keywords."""


class Embedder(Protocol):
    """Turns texts into vectors of one model, in order; cosine compares them."""

    async def embed(self, texts: Sequence[str]) -> Sequence[Vector]: ...


def cosine(a: Vector, b: Vector) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


class HttpEmbedder:
    """The sentiment service's ``POST /api/embed`` with a bearer token and a short timeout."""

    def __init__(self, client: httpx.AsyncClient, url: str, token: str, timeout_s: float) -> None:
        self._client = client
        self._url = url
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = timeout_s
        #: The model the vectors came from: a new model empties the fact cache.
        self.model: str | None = None

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), MAX_TEXTS):
            chunk = [t[:MAX_CHARS] for t in texts[start : start + MAX_TEXTS]]
            out.extend(await self._request(chunk))
        return out

    async def _request(self, texts: list[str]) -> list[list[float]]:
        try:
            response = await self._client.post(
                self._url, json={"texts": texts}, headers=self._headers, timeout=self._timeout
            )
        except httpx.HTTPError as exc:
            raise EmbedderError(f"embed endpoint unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise EmbedderError(f"embed endpoint answered {response.status_code}")
        try:
            body: Any = response.json()
            vectors = [[float(x) for x in v] for v in body["vectors"]]
            model = str(body.get("model") or "")
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbedderError("embed endpoint answered an unexpected body") from exc
        if len(vectors) != len(texts) or any(len(v) != len(vectors[0]) for v in vectors):
            raise EmbedderError("embed endpoint answered the wrong number or size of vectors")
        self.model = model
        return vectors


class FactVectorCache:
    """Vectors of fact wordings keyed by (model, fact id, revision, language, kind).

    An edit bumps the fact's revision, so a stale vector is never read again; the
    oldest entries go when the cache is full.
    """

    def __init__(self, max_entries: int = 20_000) -> None:
        self._entries: OrderedDict[tuple[str, ...], Vector] = OrderedDict()
        self._max = max_entries

    def get(self, key: tuple[str, ...]) -> Vector | None:
        vector = self._entries.get(key)
        if vector is not None:
            self._entries.move_to_end(key)
        return vector

    def put(self, key: tuple[str, ...], vector: Vector) -> None:
        self._entries[key] = vector
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
