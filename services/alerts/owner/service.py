"""The directory document: load, bootstrap from the directory file, replace (validated)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.alerts.owner.directory import Directory, parse_directory
from services.alerts.owner.models import DirectoryDocument
from shared.events import utcnow

DOCUMENT_ID = 1

#: Used when no directory file is given: one duty owner, so every mention has one.
FALLBACK_DIRECTORY: dict[str, Any] = {
    "default_owner": "duty",
    "people": [{"id": "duty", "name": "Duty manager", "role": "admin"}],
}


def validate(document: dict[str, Any], source: str = "<api>") -> Directory:
    """Raises DirectoryError naming every bad field."""
    return parse_directory(document, source=source)


async def load(session: AsyncSession) -> tuple[Directory, int]:
    row = await session.get(DirectoryDocument, DOCUMENT_ID)
    if row is None:
        return validate(FALLBACK_DIRECTORY, "<fallback>"), 0
    return validate(row.document, "<database>"), row.version


async def bootstrap(session: AsyncSession, directory: Directory | None) -> None:
    """First start: store the file's directory (later edits come through the API)."""
    if await session.get(DirectoryDocument, DOCUMENT_ID) is not None:
        return
    document = directory.model_dump(mode="json") if directory else FALLBACK_DIRECTORY
    session.add(
        DirectoryDocument(id=DOCUMENT_ID, version=1, document=document, updated_at=utcnow())
    )


async def newer(session: AsyncSession, version: int) -> tuple[Directory, int] | None:
    """The stored directory when it is newer than `version` (another replica replaced it)."""
    stored = await session.scalar(
        select(DirectoryDocument.version).where(DirectoryDocument.id == DOCUMENT_ID)
    )
    if stored is None or stored <= version:
        return None
    return await load(session)


async def replace(session: AsyncSession, document: dict[str, Any]) -> tuple[Directory, int]:
    directory = validate(document)
    # Locked: two replicas replacing it at once each get their own version number.
    row = await session.get(DirectoryDocument, DOCUMENT_ID, with_for_update=True)
    if row is None:
        row = DirectoryDocument(id=DOCUMENT_ID, version=0, document={}, updated_at=utcnow())
        session.add(row)
    row.version += 1
    row.document = directory.model_dump(mode="json")
    row.updated_at = utcnow()
    return directory, row.version
