"""The directory in force: read by every message and request, replaced as a whole by the API."""

from __future__ import annotations

from dataclasses import dataclass

from services.alerts.owner.config import AlertsConfig


@dataclass
class CurrentDirectory:
    """The validated directory document and its version (0: the built-in fallback)."""

    config: AlertsConfig
    version: int

    def replace(self, config: AlertsConfig, version: int) -> None:
        self.config, self.version = config, version
