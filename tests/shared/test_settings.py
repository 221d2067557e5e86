"""A wrong or missing setting stops a service at start, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.alerts.config import AlertsSettings
from services.ingest.config import IngestSettings
from services.responder.config import ResponderSettings
from shared.settings import InsecureSecrets, SettingsError, enforce_secret_policy, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_PARTITIONS", "many")
    with pytest.raises(SettingsError) as err:
        load_settings(IngestSettings)
    assert "KAFKA_PARTITIONS" in str(err.value)


def test_bad_database_url_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://localhost/x")
    with pytest.raises(SettingsError) as err:
        load_settings(IngestSettings)
    assert "DATABASE_URL" in str(err.value)


@pytest.mark.parametrize("service", ["ingest", "sentiment", "responder", "alerts"])
def test_service_process_refuses_to_start(service: str) -> None:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": "no-port-here", "HTTP_PORT": "1"}
    result = subprocess.run(
        [sys.executable, "-m", f"services.{service}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "KAFKA_BOOTSTRAP_SERVERS" in result.stderr


def test_default_database_is_a_sqlite_file_under_var(tmp_path: Path) -> None:
    settings = IngestSettings(var_dir=tmp_path)
    assert settings.resolved_database_url() == f"sqlite+aiosqlite:///{tmp_path / 'ingest.db'}"
    pg = IngestSettings(database_url="postgresql://u@h/db").resolved_database_url()
    assert pg == "postgresql+asyncpg://u@h/db"


STRONG = "k3v9-" + "x" * 30


def test_exposed_service_with_default_secrets_refuses_to_start() -> None:
    """Audit H3: with the defaults a forged admin cookie and a forged ack link worked."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("API_TOKEN", "ALERTS_", "INGEST_", "RESPONDER_"))
    }
    env.update({"HTTP_HOST": "0.0.0.0", "HTTP_PORT": "1", "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"})
    result = subprocess.run(
        [sys.executable, "-m", "services.alerts"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "refusing to listen on 0.0.0.0" in result.stderr
    assert "API_TOKEN is a published default value" in result.stderr
    assert "ALERTS_ACK_SECRET is a published default value" in result.stderr


def test_short_or_default_secrets_are_named_and_loopback_only_warns() -> None:
    exposed = AlertsSettings(
        http_host="0.0.0.0", api_token=STRONG, alerts_ack_secret="short-secret"
    )
    with pytest.raises(InsecureSecrets) as err:
        enforce_secret_policy(exposed)
    assert "ALERTS_ACK_SECRET is shorter than" in str(err.value)
    assert "API_TOKEN" not in str(err.value)
    local = AlertsSettings(http_host="127.0.0.1")
    assert len(enforce_secret_policy(local)) == 2
    assert (
        enforce_secret_policy(
            AlertsSettings(http_host="::", api_token=STRONG, alerts_ack_secret=STRONG)
        )
        == []
    )
    with pytest.raises(InsecureSecrets):
        enforce_secret_policy(
            IngestSettings(
                http_host="ingest.internal", api_token=STRONG, ingest_push_token="replace-me"
            )
        )


def test_responder_refuses_the_default_admin_password_when_exposed() -> None:
    settings = ResponderSettings(
        http_host="0.0.0.0",
        api_token=STRONG,
        responder_session_secret=STRONG,
        responder_brand="Тёплый дом",
    )
    with pytest.raises(InsecureSecrets) as err:
        enforce_secret_policy(settings)
    assert "RESPONDER_USERS: admin's password is a published default value" in str(err.value)
    custom = ResponderSettings(
        http_host="0.0.0.0",
        api_token=STRONG,
        responder_session_secret=STRONG,
        responder_users={"admin": "a-long-unguessable-passphrase"},
        responder_brand="Тёплый дом",
    )
    assert enforce_secret_policy(custom) == []
