"""Settings common to every service; each service subclasses `ServiceSettings`.

Values come from the environment and `.env`. A wrong or missing value stops the
service at start with a message naming the variable (see `load_settings`).
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Values shipped as defaults or examples: whoever read the docs knows them.
KNOWN_SECRETS = frozenset(
    {"otklik-dev-token", "change-me-in-production", "replace-me", "changeme", "secret"}
)
#: Shorter secrets can be guessed offline from one signed cookie or link.
MIN_SECRET_LENGTH = 24


class ServiceSettings(BaseSettings):
    """What every service needs: broker, topics, database, HTTP, logging."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_nested_delimiter="__")

    #: Name used as Kafka client id, consumer group, metrics prefix and log `service`.
    service_name: str = "otklik"

    kafka_bootstrap_servers: str = Field(default="127.0.0.1:9092", min_length=3)
    kafka_topic_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9._\-]*$")
    kafka_consumer_group: str | None = None
    kafka_partitions: int = Field(default=3, ge=1, le=1000)
    kafka_replication_factor: int = Field(default=1, ge=1, le=10)
    kafka_create_topics: bool = True
    #: Tansu answers a join after half of this; Kafka's own minimum is 6000.
    kafka_session_timeout_ms: int = Field(default=10000, ge=1000, le=300000)
    kafka_batch_max_records: int = Field(default=200, ge=1, le=10000)
    kafka_batch_timeout_ms: int = Field(default=200, ge=1, le=60000)
    #: After a poll brings records, wait up to this long for more to fill the batch: fewer,
    #: larger transactions and model passes for a bounded added latency (0: no wait).
    kafka_batch_linger_ms: int = Field(default=20, ge=0, le=5000)
    #: How long the broker may hold a fetch that finds nothing new. The embedded broker
    #: does not answer early when records arrive, so this bounds each hop's delay
    #: (aiokafka's 500 ms added ~110 ms median, ~250 ms p95 per hop); idle, a consumer
    #: sends one fetch per this many ms.
    kafka_fetch_max_wait_ms: int = Field(default=50, ge=1, le=10000)
    #: Attempts of a handler on transient errors before the message goes to the DLQ.
    kafka_handler_max_attempts: int = Field(default=5, ge=1, le=100)
    kafka_retry_backoff_s: float = Field(default=0.2, gt=0, le=60)
    #: How long a publish waits for the broker's acknowledgement before it is an outage
    #: (the push API then answers 503 with Retry-After, a consumer pauses).
    kafka_publish_timeout_s: float = Field(default=5.0, gt=0, le=120)
    #: While a dependency is away a partition waits, retrying at most this far apart.
    kafka_infra_backoff_max_s: float = Field(default=30.0, gt=0, le=600)
    #: A bad deploy must not drain a topic into the DLQ: stop after this many in a row.
    kafka_dlq_max_consecutive: int = Field(default=1000, ge=1)

    database_url: str = ""
    database_echo: bool = False

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)
    #: Request bodies above this are refused with 413 (the push batch is the largest).
    http_max_body_bytes: int = Field(default=12 * 1024 * 1024, ge=1024, le=1024**3)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True

    #: Token that guards the admin and staff APIs (Authorization: Bearer ...).
    api_token: SecretStr = SecretStr("otklik-dev-token")

    var_dir: Path = PROJECT_ROOT / "var"

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _hosts(cls, value: str) -> str:
        for host in value.split(","):
            name, sep, port = host.strip().rpartition(":")
            if not sep or not name or not port.isdigit():
                raise ValueError(f"expected host:port[,host:port], got {host!r}")
        return value

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, value: str) -> str:
        allowed = ("sqlite+aiosqlite://", "postgresql+asyncpg://", "postgresql://")
        if value and not value.startswith(allowed):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// "
                f"(got scheme {value.split(':', 1)[0]!r})"
            )
        return value

    #: Our own secrets (tokens, signing keys) that the start-up policy checks; a
    #: service adds its own. Third-party credentials (SMTP, bots) are not ours to judge.
    own_secrets: ClassVar[tuple[str, ...]] = ("api_token",)

    def weak_secrets(self) -> Iterator[str]:
        """One line per own secret that is a known default or too short."""
        for name in self.own_secrets:
            value = getattr(self, name, None)
            if value is None:
                continue
            text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
            env = name.upper()
            if text in KNOWN_SECRETS:
                yield f"{env} is a published default value"
            elif len(text) < MIN_SECRET_LENGTH:
                yield f"{env} is shorter than {MIN_SECRET_LENGTH} characters"

    def binds_loopback_only(self) -> bool:
        """127.0.0.0/8, ::1 and localhost: a local trial, not a deployment."""
        host = self.http_host.strip().strip("[]").lower()
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False  # a host name (or 0.0.0.0 spelled otherwise): reachable from outside

    @property
    def group_id(self) -> str:
        return self.kafka_consumer_group or f"{self.kafka_topic_prefix}otklik-{self.service_name}"

    def resolved_database_url(self) -> str:
        """The configured URL, or the service's own SQLite file under `var/`."""
        url = self.database_url
        if not url:
            self.var_dir.mkdir(parents=True, exist_ok=True)
            return f"sqlite+aiosqlite:///{self.var_dir / (self.service_name + '.db')}"
        if url.startswith("postgresql://"):
            return "postgresql+asyncpg://" + url.removeprefix("postgresql://")
        return url


S = TypeVar("S", bound=ServiceSettings)


class SettingsError(SystemExit):
    pass


def format_settings_error(cls: type[BaseSettings], exc: ValidationError) -> str:
    prefix = cls.model_config.get("env_prefix", "") or ""
    lines = [f"invalid configuration for {cls.__name__}:"]
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"])
        env = (prefix + field.replace(".", "__")).upper()
        lines.append(f"  {env}: {err['msg']}")
    return "\n".join(lines)


def load_settings(cls: type[S], **overrides: object) -> S:
    """Build settings or exit with a message that names each bad variable."""
    try:
        return cls(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        message = format_settings_error(cls, exc)
        print(message, file=sys.stderr)
        raise SettingsError(message) from None


class InsecureSecrets(SettingsError):
    pass


def enforce_secret_policy(settings: ServiceSettings) -> list[str]:
    """Refuse to serve beyond loopback with a default or short secret; below it, the
    weaknesses are returned for a warning (development on one machine)."""
    weak = list(settings.weak_secrets())
    if weak and not settings.binds_loopback_only():
        message = "\n".join(
            [
                f"refusing to listen on {settings.http_host} with insecure secrets:",
                *(f"  {line}" for line in weak),
                "  set each to a random value (openssl rand -hex 24), "
                "or bind HTTP_HOST=127.0.0.1 for local development",
            ]
        )
        print(message, file=sys.stderr)
        raise InsecureSecrets(message)
    return weak
