"""The directory API: people, teams, routing rules and the default owner."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from services.alerts.deps import CurrentDirectoryDep, Sessions, require_admin
from services.alerts.owner import service as owner_service
from services.alerts.owner.directory import DirectoryError
from shared.db import session_scope
from shared.http import DomainError

router = APIRouter(prefix="/api", tags=["alerts"], dependencies=[Depends(require_admin)])


@router.get("/directory")
async def get_directory(directory: CurrentDirectoryDep) -> dict[str, Any]:
    """People, teams, routing rules and the default owner."""
    return {"version": directory.version, **directory.document.model_dump(mode="json")}


@router.put("/directory")
async def put_directory(
    sessions: Sessions,
    directory: CurrentDirectoryDep,
    document: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    """Replace the directory; refused as a whole (422, naming each field) if invalid."""
    document.pop("version", None)
    try:
        async with session_scope(sessions) as session:
            replaced, version = await owner_service.replace(session, document)
    except DirectoryError as exc:
        raise DomainError(str(exc), code="invalid_directory", status_code=422) from None
    directory.replace(replaced, version)
    return {"version": version, **replaced.model_dump(mode="json")}
