"""A wrong or missing setting stops a service at start, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.ingest.config import IngestSettings
from shared.settings import SettingsError, load_settings

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
