"""The directory document: load, bootstrap from the config file, replace (validated)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.alerts.owner.config import AlertsConfig, parse_config
from services.alerts.owner.models import DirectoryDocument
from shared.events import utcnow

DOCUMENT_ID = 1

#: Used when no configuration file is given: one duty owner, so every mention has one.
FALLBACK_CONFIG: dict[str, Any] = {
    "default_owner": "duty",
    "people": [{"id": "duty", "name": "Duty manager", "role": "admin"}],
}


def validate(document: dict[str, Any], source: str = "<api>") -> AlertsConfig:
    """Raises ConfigError naming every bad field."""
    return parse_config(document, source=source)


async def load(session: AsyncSession) -> tuple[AlertsConfig, int]:
    row = await session.get(DirectoryDocument, DOCUMENT_ID)
    if row is None:
        return validate(FALLBACK_CONFIG, "<fallback>"), 0
    return validate(row.document, "<database>"), row.version


async def bootstrap(session: AsyncSession, config: AlertsConfig | None) -> None:
    """First start: store the file's configuration (later edits come through the API)."""
    if await session.get(DirectoryDocument, DOCUMENT_ID) is not None:
        return
    document = config.model_dump(mode="json") if config else FALLBACK_CONFIG
    session.add(
        DirectoryDocument(id=DOCUMENT_ID, version=1, document=document, updated_at=utcnow())
    )


async def newer(session: AsyncSession, version: int) -> tuple[AlertsConfig, int] | None:
    """The stored directory when it is newer than `version` (another replica replaced it)."""
    stored = await session.scalar(
        select(DirectoryDocument.version).where(DirectoryDocument.id == DOCUMENT_ID)
    )
    if stored is None or stored <= version:
        return None
    return await load(session)


async def replace(session: AsyncSession, document: dict[str, Any]) -> tuple[AlertsConfig, int]:
    config = validate(document)
    # Locked: two replicas replacing it at once each get their own version number.
    row = await session.get(DirectoryDocument, DOCUMENT_ID, with_for_update=True)
    if row is None:
        row = DirectoryDocument(id=DOCUMENT_ID, version=0, document={}, updated_at=utcnow())
        session.add(row)
    row.version += 1
    row.document = config.model_dump(mode="json")
    row.updated_at = utcnow()
    return config, row.version
