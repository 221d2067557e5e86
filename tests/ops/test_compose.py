"""docker-compose.yml validates offline (`docker-compose config`) and has what ops need."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ops.support import DEPLOY, ROOT

COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = DEPLOY / "compose.env.example"
OTKLIK = {"ingest": 8001, "responder": 8002, "sentiment": 8003, "alerts": 8004}
WITH_DATABASE = {"ingest", "responder", "alerts"}


def compose_bin() -> str:
    path = shutil.which("docker-compose")
    if path is None:
        pytest.skip(
            "docker-compose missing: install the Debian `docker-compose` package "
            "(scripts/setup-system.sh)"
        )
    return path


def run_compose(*args: str, env_file: Path | None = ENV_EXAMPLE) -> subprocess.CompletedProcess:
    cmd = [compose_bin(), "--project-directory", str(ROOT), "-f", str(COMPOSE)]
    if env_file is not None:
        cmd += ["--env-file", str(env_file)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER")}
    env["HOME"] = env.get("HOME", "/tmp")
    return subprocess.run(
        [*cmd, *args], capture_output=True, text=True, timeout=60, check=False, cwd=ROOT, env=env
    )


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    result = run_compose("config")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_config_quiet_validates() -> None:
    result = run_compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_missing_secret_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = run_compose("config", "-q", env_file=empty)
    assert result.returncode != 0
    assert "API_TOKEN" in result.stderr or "PASSWORD" in result.stderr or "SECRET" in result.stderr


def test_kafka_runs_in_kraft_mode(config: dict[str, Any]) -> None:
    kafka = config["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "CONTROLLER" in env["KAFKA_CONTROLLER_LISTENER_NAMES"]
    assert "ZOOKEEPER" not in " ".join(env)
    assert any(
        v.endswith("/var/lib/kafka/data") or "kafka-data" in str(v)
        for v in map(str, kafka["volumes"])
    )
    assert "healthcheck" in kafka


def test_postgres_creates_one_database_per_service(config: dict[str, Any]) -> None:
    pg = config["services"]["postgres"]
    mounts = [str(v) for v in pg["volumes"]]
    assert any("docker-entrypoint-initdb.d" in m for m in mounts)
    script = (DEPLOY / "postgres" / "init-databases.sh").read_text()
    for name in WITH_DATABASE:
        assert f"create {name} " in script
    assert "healthcheck" in pg


def test_services_have_their_own_image_and_healthchecks(config: dict[str, Any]) -> None:
    services = config["services"]
    images = {services[name]["image"] for name in OTKLIK}
    assert len(images) == len(OTKLIK), images
    for name, port in OTKLIK.items():
        svc = services[name]
        assert svc["command"] == [f"services.{name}"]
        assert svc["build"]["dockerfile"] == "Dockerfile"
        assert svc["build"]["target"] == name
        assert svc["image"].startswith(f"otklik-{name}:")
        env = svc["environment"]
        assert env["HTTP_PORT"] == str(port)
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert " ".join(svc["healthcheck"]["test"]).count(f"{port}/ready") == 1
        assert svc["depends_on"]["kafka"]["condition"] == "service_healthy"
        if name in WITH_DATABASE:
            assert svc["depends_on"]["postgres"]["condition"] == "service_healthy"
            assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")
            assert f"/otklik_{name}" in env["DATABASE_URL"]
        assert svc["read_only"] is True
        assert svc["cap_drop"] == ["ALL"]


def test_prometheus_and_grafana_are_provisioned(config: dict[str, Any]) -> None:
    services = config["services"]
    prom_mounts = " ".join(str(v) for v in services["prometheus"]["volumes"])
    assert "deploy/prometheus/rules.yml" in prom_mounts
    assert "deploy/prometheus/prometheus.yml" in prom_mounts
    graf_mounts = " ".join(str(v) for v in services["grafana"]["volumes"])
    assert "deploy/grafana/provisioning" in graf_mounts
    assert "deploy/grafana/dashboards" in graf_mounts
    assert services["grafana"]["depends_on"]["prometheus"]["condition"] == "service_healthy"
    assert set(config["volumes"]) >= {
        "kafka-data",
        "postgres-data",
        "prometheus-data",
        "grafana-data",
    }


def test_bind_mounted_files_exist(config: dict[str, Any]) -> None:
    for name, svc in config["services"].items():
        for volume in svc.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else str(volume).split(":")[0]
            if source.startswith("/"):
                assert Path(source).exists(), f"{name}: {source} missing"


def test_prometheus_config_scrapes_every_service(tmp_path: Path) -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for name, port in OTKLIK.items():
        assert jobs[f"otklik-{name}"]["static_configs"][0]["targets"] == [f"{name}:{port}"]
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool missing: install the Debian `prometheus` package")
    config["rule_files"] = [str(DEPLOY / "prometheus" / "rules.yml")]
    local = tmp_path / "prometheus.yml"
    local.write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [promtool, "check", "config", str(local)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sample_configs_load_with_the_services_own_loaders() -> None:
    from services.alerts.owner.directory import load_directory
    from services.ingest.source.config import load_sources

    assert load_directory(DEPLOY / "config" / "alerts.yml").default_owner
    load_sources(DEPLOY / "config" / "sources.yml")


def dockerfile_stages() -> dict[str, str]:
    """The Dockerfile's stages by name: the text from each FROM to the next."""
    stages: dict[str, str] = {}
    name = ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        match = re.match(r"FROM \S+ AS (\S+)", line)
        if match:
            name = match.group(1)
            stages[name] = ""
        if name:
            stages[name] += line + "\n"
    return stages


def test_each_service_target_installs_only_its_own_extra() -> None:
    """Only the sentiment image carries the ML stack: the others install the core and
    their own extra, and none installs torch."""
    stages = dockerfile_stages()
    assert set(stages) == {"base", *OTKLIK}
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for name in OTKLIK:
        stage = stages[name]
        assert stage.startswith(f"FROM base AS {name}\n"), name
        installed = re.findall(r"requirements\.py ([\w ]+?) >", stage)
        assert installed == [name], (name, installed)
        assert name in extras
        assert ("torch" in stage) == (name == "sentiment"), name
        assert f'CMD ["services.{name}"]' in stage and "USER 10001:10001" in stage
        assert f"EXPOSE {OTKLIK[name]}" in stage
    assert '--index-url https://download.pytorch.org/whl/cpu "torch==2.13.0"' in stages["sentiment"]
    assert "encoder build" in stages["sentiment"]
    # The base stage installs nothing from the project (its extras come per target).
    assert "pip install" not in stages["base"]
    # The ML packages are in the sentiment extra only.
    ml = {"torch", "transformers", "onnxruntime", "onnx", "scikit-learn"}
    for name, deps in extras.items():
        names = {re.split(r"[<>=\[ ]", d, maxsplit=1)[0] for d in deps}
        assert bool(names & ml) == (name == "sentiment"), name


def test_dockerfile_runs_as_non_root_from_a_slim_base() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11-slim AS base" in text
    assert "useradd --uid 10001" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "tests", ".env"} <= set(ignored)
