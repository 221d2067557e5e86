"""Loading the sources file: which platforms to poll, with which credentials.

Credentials are never written in the file itself: a value `${WB_TOKEN}` is read from the
environment at start, and a missing variable stops the service with its name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.connector import SourceConfig

_ENV_REF = re.compile(r"^\$\{([A-Z_][A-Z0-9_]*)\}$")


class SourcesFileError(ValueError):
    pass


class _SourceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.\-]+$")
    platform: str = Field(min_length=1, max_length=64)
    poll_interval_s: float = Field(default=60.0, gt=0, le=86400)
    enabled: bool = True
    options: dict[str, Any] = Field(default_factory=dict)
    credentials: dict[str, str] = Field(default_factory=dict)


class _SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[_SourceEntry] = Field(default_factory=list)


def resolve_credentials(
    source_id: str, raw: Mapping[str, str], env: Mapping[str, str]
) -> dict[str, str]:
    resolved: dict[str, str] = {}
    for name, value in raw.items():
        match = _ENV_REF.match(value)
        if not match:
            raise SourcesFileError(
                f"source {source_id!r}: credential {name!r} must be an environment reference "
                "like ${VARIABLE}, not a literal secret"
            )
        variable = match.group(1)
        if variable not in env or not env[variable]:
            raise SourcesFileError(
                f"source {source_id!r}: credential {name!r} needs environment variable {variable}"
            )
        resolved[name] = env[variable]
    return resolved


def load_sources(path: Path, env: Mapping[str, str] | None = None) -> list[SourceConfig]:
    env = os.environ if env is None else env
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise SourcesFileError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SourcesFileError(f"{path}: not valid YAML: {exc}") from None
    try:
        parsed = _SourcesFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SourcesFileError(f"{path}: {where}: {first['msg']}") from None
    seen: set[str] = set()
    configs = []
    for entry in parsed.sources:
        if entry.id in seen:
            raise SourcesFileError(f"{path}: duplicate source id {entry.id!r}")
        seen.add(entry.id)
        configs.append(
            SourceConfig(
                source_id=entry.id,
                platform=entry.platform,
                poll_interval_s=entry.poll_interval_s,
                enabled=entry.enabled,
                options=entry.options,
                credentials=resolve_credentials(entry.id, entry.credentials, env),
            )
        )
    return configs
