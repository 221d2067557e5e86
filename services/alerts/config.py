"""Alerts settings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator

from services.alerts.crisis.detector import CrisisConfig
from services.alerts.escalation.ladder import PolicySet
from services.alerts.webhook.retry import DEFAULT_SCHEDULE, parse_schedule
from shared.settings import ServiceSettings


class AlertsSettings(ServiceSettings):
    service_name: str = "alerts"
    own_secrets: ClassVar[tuple[str, ...]] = ("api_token", "alerts_ack_secret")
    http_port: int = Field(default=8004, ge=0, le=65535)
    #: Records per fetch. A classified batch costs a fixed number of statements and
    #: commits whatever its size, so on a backlog 500 takes about a fifth less CPU per
    #: mention than the common 200; a steady trickle still goes as it comes.
    kafka_batch_max_records: int = Field(default=500, ge=1, le=10000)

    #: The directory: people, teams, routing rules and the default owner (YAML); bootstraps
    #: the database. ALERTS_CONFIG_FILE, its former name, is still read.
    alerts_directory_file: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("alerts_directory_file", "alerts_config_file"),
    )
    #: Every notification is also posted to this hook URL (an ops channel, a test receiver).
    #: ALERTS_WEBHOOK_URL, its former name, is still read.
    alerts_hook_url: str | None = Field(
        default=None, validation_alias=AliasChoices("alerts_hook_url", "alerts_webhook_url")
    )
    #: Destinations in private/loopback ranges are refused unless allowed here.
    alerts_allow_private_destinations: bool = False
    alerts_destination_allowlist: list[str] = Field(default_factory=list)

    #: Signs acknowledgement links in notifications.
    alerts_ack_secret: SecretStr = SecretStr("change-me-in-production")
    alerts_ack_link_hours: float = Field(default=72.0, gt=0)
    alerts_public_url: str = "http://127.0.0.1:8004"

    alerts_telegram_token: SecretStr | None = None
    alerts_telegram_api: str = "https://api.telegram.org"
    alerts_smtp_host: str | None = None
    alerts_smtp_port: int = Field(default=587, ge=1, le=65535)
    alerts_smtp_tls: Literal["none", "starttls", "implicit"] = "starttls"
    alerts_smtp_username: str | None = None
    alerts_smtp_password: SecretStr | None = None
    alerts_smtp_sender: str = "otklik@localhost"

    alerts_escalation_policies: PolicySet = Field(default_factory=PolicySet)
    #: How often due escalation steps and webhook retries are looked for.
    alerts_tick_interval_s: float = Field(default=5.0, gt=0, le=3600)
    #: How long one replica's ticker holds the due escalations it claimed; when it dies,
    #: another replica takes them over after this.
    alerts_escalation_lease_s: float = Field(default=30.0, ge=1, le=3600)
    alerts_notify_max_attempts: int = Field(default=4, ge=1, le=20)
    alerts_notify_base_delay_s: float = Field(default=1.0, ge=0, le=600)
    alerts_http_timeout_s: float = Field(default=10.0, gt=0, le=120)
    #: Notifications sent at once by the dispatcher (over one shared HTTP client).
    alerts_notify_concurrency: int = Field(default=16, ge=1, le=1024)

    #: Crisis detection windows, volumes and cool-down (seconds-scale in tests).
    alerts_crisis: CrisisConfig = Field(default_factory=CrisisConfig)

    #: Outbound webhooks: seconds to wait after each failed attempt; then give up.
    alerts_webhook_retry_schedule_s: list[float] = Field(
        default_factory=lambda: [d.total_seconds() for d in DEFAULT_SCHEDULE],
        min_length=1,
        max_length=30,
    )
    alerts_webhook_timeout_s: float = Field(default=10.0, gt=0, le=120)
    #: Due deliveries taken per pass, and sent at once.
    alerts_webhook_batch: int = Field(default=100, ge=1, le=10000)
    alerts_webhook_concurrency: int = Field(default=16, ge=1, le=256)
    #: Bounds of one replay from Kafka (events read, seconds spent).
    alerts_webhook_replay_max_events: int = Field(default=10000, ge=1, le=1_000_000)
    alerts_webhook_replay_timeout_s: float = Field(default=30.0, gt=0, le=600)

    @field_validator("alerts_webhook_retry_schedule_s")
    @classmethod
    def _positive_delays(cls, value: list[float]) -> list[float]:
        parse_schedule(value)
        return value

    def webhook_retry_schedule(self) -> tuple[timedelta, ...]:
        return parse_schedule(self.alerts_webhook_retry_schedule_s)
