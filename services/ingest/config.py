"""Ingest settings (env prefix none; variables shared with every service plus these)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr

from shared.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    service_name: str = "ingest"
    own_secrets: ClassVar[tuple[str, ...]] = (
        "api_token",
        "ingest_push_token",
        "ingest_push_hmac_secret",
    )
    http_port: int = Field(default=8001, ge=0, le=65535)

    #: YAML list of sources (platform, credentials by env reference, poll interval, options).
    ingest_sources_file: Path | None = None
    #: Adds the demo source that replays sample reviews (what `make run` shows).
    ingest_demo_enabled: bool = False
    ingest_demo_rate_per_minute: float = Field(default=30.0, gt=0, le=60000)
    ingest_demo_loop: bool = False

    #: Push endpoint auth: bearer token, or HMAC-SHA256 over "timestamp.body".
    ingest_push_token: SecretStr | None = None
    ingest_push_hmac_secret: SecretStr | None = None
    ingest_push_max_batch: int = Field(default=500, ge=1, le=10000)
    #: How old a signed push may be (its signature is remembered that long: no replay).
    ingest_push_max_skew_s: int = Field(default=300, ge=1, le=3600)
    #: How far in the future a signed push's timestamp may be (clock drift only).
    ingest_push_max_future_skew_s: int = Field(default=30, ge=0, le=600)

    #: Consecutive failed polls before a source is marked unhealthy.
    ingest_unhealthy_after: int = Field(default=3, ge=1, le=100)
    #: Longest pause between polls of a failing source.
    ingest_max_backoff_s: float = Field(default=600.0, gt=0)
    ingest_http_timeout_s: float = Field(default=20.0, gt=0, le=300)
