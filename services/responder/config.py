"""Responder settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from services.responder.sla.policy import BusinessCalendar
from services.responder.users import StaffRole
from shared.settings import KNOWN_SECRETS, ServiceSettings


class StaffAccount(BaseModel):
    """One member of staff: an argon2 hash (``python -m services.responder.users hash``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    password_hash: SecretStr = Field(min_length=1)
    role: StaffRole = StaffRole.agent

    @field_validator("password_hash")
    @classmethod
    def _argon2(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith("$argon2"):
            raise ValueError(
                "password_hash must be an argon2 hash (python -m services.responder.users hash)"
            )
        return value


def _dev_users() -> dict[str, StaffAccount]:
    return _staff({"admin": "otklik-dev-token"})


def _staff(value: Any) -> Any:
    """Accept {"name": {"password_hash": ..., "role": ...}} and, for development, the old
    {"name": "plain password"} form: such a user is an admin, hashed in memory here."""
    if not isinstance(value, dict):
        return value
    from services.responder.users import hash_password

    out: dict[str, Any] = {}
    for name, account in value.items():
        if isinstance(account, SecretStr):
            account = account.get_secret_value()
        if isinstance(account, str):
            account = StaffAccount(
                password_hash=SecretStr(hash_password(account)), role=StaffRole.admin
            )
        out[name] = account
    return out


class ResponderSettings(ServiceSettings):
    service_name: str = "responder"
    own_secrets: ClassVar[tuple[str, ...]] = ("api_token", "responder_session_secret")
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
    #: The shop's name as replies sign it («команда «Мамина Радость»»). Required when the
    #: service listens beyond loopback: without it drafts sign neutrally («команда
    #: магазина»), never with a product's own brand.
    responder_brand: str = ""
    #: E-mail / phone / site of the shop's support, offered only where a platform allows
    #: contacts (review sites); empty = none is offered.
    responder_support_contact: str = ""
    #: Drafts more similar than this to a recent reply (same product + platform) are re-drawn.
    responder_similarity_threshold: float = Field(default=0.5, gt=0, le=1)

    #: Seller facts file (YAML, see services/responder/fact/loader.py): validated at start,
    #: then upserted by id into the database unless edited in the UI (fact/service.py).
    responder_facts_file: Path | None = None
    #: The sentiment service's POST /api/embed (matching facts by meaning); unset = keywords.
    responder_embed_url: str | None = Field(default=None, pattern=r"^https?://")
    #: Bearer token for it; unset = this service's API token.
    responder_embed_token: SecretStr | None = None
    responder_embed_timeout_s: float = Field(default=2.0, gt=0, le=30)
    #: Cosine at or above which a fact answers a question; unset = the threshold calibrated
    #: for the model that embeds (fact/matching.py MODEL_THRESHOLDS; calibrate a new one
    #: with python -m services.responder.fact.calibrate).
    responder_facts_threshold: float | None = Field(default=None, gt=0, le=1)
    #: How stale the drafts' copy of the facts may be (edits here apply at once).
    responder_facts_refresh_s: float = Field(default=10.0, gt=0, le=3600)

    #: Staff who sign in: {"name": {"password_hash": "$argon2id$...", "role": "agent"}};
    #: roles agent | manager | admin ("owner" is read as manager). The dev form
    #: {"name": "password"} makes an admin.
    responder_users: dict[str, StaffAccount] = Field(default_factory=_dev_users)
    responder_session_secret: SecretStr = SecretStr("change-me-in-production")
    responder_session_hours: float = Field(default=12.0, gt=0)

    #: Weekly insights digest per brand: weekday (0 = Monday), local hour and time zone.
    responder_digest_enabled: bool = True
    responder_digest_weekday: int = Field(default=0, ge=0, le=6)
    responder_digest_hour: int = Field(default=9, ge=0, le=23)
    responder_digest_tz: str = "UTC"
    responder_digest_check_interval_s: float = Field(default=300.0, gt=0, le=86400)
    responder_digest_top_weak_points: int = Field(default=5, ge=1, le=50)

    @model_validator(mode="after")
    def _brand_outside_loopback(self) -> ResponderSettings:
        """A deployed responder must know whose name it signs replies with."""
        if not self.responder_brand.strip() and not self.binds_loopback_only():
            raise ValueError(
                f"RESPONDER_BRAND is not set but the responder listens on {self.http_host!r}: "
                "set RESPONDER_BRAND to the shop's name as replies should sign it "
                "(or listen on 127.0.0.1 for a local trial)"
            )
        return self

    def weak_secrets(self) -> Iterator[str]:
        """Also staff whose password is a published default (the dev admin included)."""
        yield from super().weak_secrets()
        from services.responder.users import verify_password

        for name, account in sorted(self.responder_users.items()):
            hashed = account.password_hash.get_secret_value()
            if any(verify_password(hashed, known) for known in sorted(KNOWN_SECRETS)):
                yield f"RESPONDER_USERS: {name}'s password is a published default value"

    @field_validator("responder_users", mode="before")
    @classmethod
    def _users(cls, value: Any) -> Any:
        return _staff(value)

    @field_validator("responder_digest_tz")
    @classmethod
    def _known_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value
