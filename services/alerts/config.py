"""Alerts settings."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr

from services.alerts.escalation.ladder import PolicySet
from shared.settings import ServiceSettings


class AlertsSettings(ServiceSettings):
    service_name: str = "alerts"
    http_port: int = Field(default=8004, ge=0, le=65535)

    #: People, teams, routing rules and the default owner (YAML); bootstraps the database.
    alerts_config_file: Path | None = None
    #: Every notification is also posted here (an ops channel, or a test receiver).
    alerts_webhook_url: str | None = None
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
    alerts_notify_max_attempts: int = Field(default=4, ge=1, le=20)
    alerts_notify_base_delay_s: float = Field(default=1.0, ge=0, le=600)
    alerts_http_timeout_s: float = Field(default=10.0, gt=0, le=120)
