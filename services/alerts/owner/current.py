"""The directory in force: read by every message and request, replaced as a whole by the API."""

from __future__ import annotations

from dataclasses import dataclass

from services.alerts.owner.directory import Directory


@dataclass
class CurrentDirectory:
    """The validated directory and its version (0: the built-in fallback)."""

    document: Directory
    version: int

    def replace(self, document: Directory, version: int) -> None:
        self.document, self.version = document, version
