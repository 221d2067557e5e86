"""Responder settings."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator

from services.responder.sla.policy import BusinessCalendar
from shared.settings import ServiceSettings


class ResponderSettings(ServiceSettings):
    service_name: str = "responder"
    http_port: int = Field(default=8002, ge=0, le=65535)

    #: Hours to answer a review, by default and per platform (e.g. {"google_play": 48}).
    responder_sla_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    responder_sla_hours_by_platform: dict[str, float] = Field(default_factory=dict)
    #: Due-soon warnings, hours before the deadline.
    responder_sla_leads_hours: list[float] = Field(default_factory=lambda: [4.0, 1.0])
    #: Optional business-hours calendar (JSON): {"tz": "Europe/Moscow", "start": "09:00",
    #: "end": "18:00", "workdays": [0,1,2,3,4], "holidays": ["2026-01-01"]}.
    responder_business_calendar: BusinessCalendar | None = None
    responder_sla_sweep_interval_s: float = Field(default=30.0, gt=0, le=3600)

    responder_scripts_dir: Path | None = None
    responder_brand: str = "Otklik"
    responder_support_contact: str = "the chat in your order"
    #: Drafts more similar than this to a recent reply (same product + platform) are re-drawn.
    responder_similarity_threshold: float = Field(default=0.5, gt=0, le=1)

    #: Staff who sign in to the reply-queue UI: {"name": "password"}.
    responder_users: dict[str, SecretStr] = Field(
        default_factory=lambda: {"admin": SecretStr("otklik-dev-token")}
    )
    responder_session_secret: SecretStr = SecretStr("change-me-in-production")
    responder_session_hours: float = Field(default=12.0, gt=0)

    #: Weekly insights digest per brand: weekday (0 = Monday), local hour and time zone.
    responder_digest_enabled: bool = True
    responder_digest_weekday: int = Field(default=0, ge=0, le=6)
    responder_digest_hour: int = Field(default=9, ge=0, le=23)
    responder_digest_tz: str = "UTC"
    responder_digest_check_interval_s: float = Field(default=300.0, gt=0, le=86400)
    responder_digest_top_weak_points: int = Field(default=5, ge=1, le=50)

    @field_validator("responder_digest_tz")
    @classmethod
    def _known_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value
