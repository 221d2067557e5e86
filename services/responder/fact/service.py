"""Seller facts over a session: list, read, create, update, delete (audited), and the
sync from the facts file. No commits here: the caller commits at its boundary.

The file rule: at start the file is upserted by id. A new id is inserted; a fact still as
imported (origin ``file``) takes the file's new wording; a fact created or edited in the
UI (origin ``ui``) is left as the owner wrote it; a fact deleted in the UI stays deleted;
a fact imported earlier that has left the file is deleted. Every change is audited (the
file's changes as actor ``facts-file``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.responder.fact.contract import FactTopic, SellerFact
from services.responder.fact.models import FactAudit, FactRecord
from services.responder.fact.schemas import FactBody, FactCreate, FactUpdate
from shared.events import utcnow
from shared.http import Conflict, NotFound

FILE_ACTOR = "facts-file"
CONTENT_FIELDS = ("topic", "text", "keywords", "platforms", "sku", "brand")


def snapshot(record: FactRecord) -> dict[str, Any]:
    """What the audit keeps of a fact: its content, origin and revision."""
    out: dict[str, Any] = {name: getattr(record, name) for name in CONTENT_FIELDS}
    out.update(origin=record.origin, revision=record.revision)
    return out


def to_seller_fact(record: FactRecord) -> SellerFact:
    return SellerFact(
        id=record.id,
        topic=cast(FactTopic, record.topic),
        text=dict(record.text),
        sku=record.sku,
        brand=record.brand,
        platforms=tuple(record.platforms) if record.platforms else None,
        keywords={lang: tuple(words) for lang, words in (record.keywords or {}).items()},
        revision=record.revision,
    )


def _content(body: FactBody) -> dict[str, Any]:
    return {name: getattr(body, name) for name in CONTENT_FIELDS}


def _audit(
    session: AsyncSession,
    *,
    fact_id: str,
    action: str,
    actor: str,
    role: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    session.add(
        FactAudit(
            fact_id=fact_id,
            action=action,
            actor=actor,
            actor_role=role,
            created_at=utcnow(),
            before=before,
            after=after,
        )
    )


@dataclass(frozen=True)
class FactFilter:
    topic: str | None = None
    sku: str | None = None
    brand: str | None = None
    platform: str | None = None
    q: str | None = None
    limit: int = 50
    offset: int = 0


async def list_facts(session: AsyncSession, f: FactFilter) -> tuple[list[FactRecord], int]:
    """Live facts by scope (shop-wide first, then brands, then products), topic and id."""
    conditions: list[Any] = [FactRecord.deleted.is_(False)]
    if f.topic:
        conditions.append(FactRecord.topic == f.topic)
    if f.sku:
        conditions.append(FactRecord.sku == f.sku)
    if f.brand:
        conditions.append(func.lower(FactRecord.brand) == f.brand.lower())
    where = and_(*conditions)
    total = (
        await session.execute(select(func.count()).select_from(FactRecord).where(where))
    ).scalar_one()
    rows = (
        (
            await session.execute(
                select(FactRecord)
                .where(where)
                .order_by(
                    FactRecord.sku.is_not(None),
                    FactRecord.brand.is_not(None),
                    FactRecord.brand,
                    FactRecord.sku,
                    FactRecord.topic,
                    FactRecord.id,
                )
            )
        )
        .scalars()
        .all()
    )
    # Platforms and texts are JSON: filtered here (a shop has hundreds of facts at most).
    if f.platform:
        rows = [r for r in rows if not r.platforms or f.platform in r.platforms]
        total = len(rows)
    if f.q:
        needle = f.q.casefold()
        rows = [
            r
            for r in rows
            if needle in r.id.casefold() or any(needle in t.casefold() for t in r.text.values())
        ]
        total = len(rows)
    return list(rows[f.offset : f.offset + f.limit]), int(total)


async def get_fact(session: AsyncSession, fact_id: str) -> FactRecord:
    record = await session.get(FactRecord, fact_id)
    if record is None or record.deleted:
        raise NotFound(f"no seller fact {fact_id!r}")
    return record


async def active_facts(session: AsyncSession) -> list[SellerFact]:
    rows = (
        await session.execute(
            select(FactRecord).where(FactRecord.deleted.is_(False)).order_by(FactRecord.id)
        )
    ).scalars()
    return [to_seller_fact(r) for r in rows]


async def create_fact(
    session: AsyncSession, *, fact_in: FactCreate, actor: str, role: str
) -> FactRecord:
    """A new fact; the id of a deleted fact may be used again (its history continues)."""
    now = utcnow()
    record = await session.get(FactRecord, fact_in.id)
    if record is not None and not record.deleted:
        raise Conflict(f"a seller fact with id {fact_in.id!r} already exists")
    if record is None:
        record = FactRecord(id=fact_in.id, revision=1, created_at=now)
        session.add(record)
    else:
        record.revision += 1
    for name, value in _content(fact_in).items():
        setattr(record, name, value)
    record.origin = "ui"
    record.deleted = False
    record.updated_at = now
    record.updated_by = actor
    _audit(
        session,
        fact_id=record.id,
        action="create",
        actor=actor,
        role=role,
        before=None,
        after=snapshot(record),
    )
    return record


async def update_fact(
    session: AsyncSession, *, fact_id: str, fact_in: FactUpdate, actor: str, role: str
) -> FactRecord:
    """Replace a fact's content; it is ``ui`` from now on (the file leaves it alone)."""
    record = await get_fact(session, fact_id)
    if fact_in.revision is not None and fact_in.revision != record.revision:
        raise Conflict(
            f"seller fact {fact_id!r} changed since revision {fact_in.revision} "
            f"(now {record.revision}); reload it"
        )
    before = snapshot(record)
    content = _content(fact_in)
    if all(before[name] == value for name, value in content.items()) and record.origin == "ui":
        return record  # nothing changed: no new revision, no audit line
    for name, value in content.items():
        setattr(record, name, value)
    record.origin = "ui"
    record.revision += 1
    record.updated_at = utcnow()
    record.updated_by = actor
    _audit(
        session,
        fact_id=fact_id,
        action="update",
        actor=actor,
        role=role,
        before=before,
        after=snapshot(record),
    )
    return record


async def delete_fact(session: AsyncSession, *, fact_id: str, actor: str, role: str) -> None:
    record = await get_fact(session, fact_id)
    before = snapshot(record)
    record.deleted = True
    record.origin = "ui"
    record.revision += 1
    record.updated_at = utcnow()
    record.updated_by = actor
    _audit(
        session, fact_id=fact_id, action="delete", actor=actor, role=role, before=before, after=None
    )


async def list_audit(
    session: AsyncSession, *, fact_id: str | None, limit: int, offset: int
) -> tuple[list[FactAudit], int]:
    """The audit trail, newest first."""
    where = FactAudit.fact_id == fact_id if fact_id else FactAudit.id.is_not(None)
    total = (
        await session.execute(select(func.count()).select_from(FactAudit).where(where))
    ).scalar_one()
    rows = (
        await session.execute(
            select(FactAudit)
            .where(where)
            .order_by(FactAudit.created_at.desc(), FactAudit.id.desc())
            .limit(limit)
            .offset(offset)
        )
    ).scalars()
    return list(rows), int(total)


@dataclass(frozen=True)
class SyncResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    #: In the file but edited or deleted in the UI: the UI's version stays.
    kept: int = 0


def _file_touch(record: FactRecord, now: datetime) -> None:
    """A change the facts file made: a new revision, by the file."""
    record.revision += 1
    record.updated_at = now
    record.updated_by = FILE_ACTOR


def _file_audit(
    session: AsyncSession, record: FactRecord, action: str, *, before: dict[str, Any] | None
) -> None:
    """The audit line of a change the facts file made (after: None once deleted)."""
    _audit(
        session,
        fact_id=record.id,
        action=action,
        actor=FILE_ACTOR,
        role="admin",
        before=before,
        after=None if record.deleted else snapshot(record),
    )


async def sync_from_file(session: AsyncSession, facts: Sequence[FactCreate]) -> SyncResult:
    """Apply the facts file by the rule in this module's docstring."""
    now = utcnow()
    records = {r.id: r for r in (await session.execute(select(FactRecord))).scalars()}
    created = updated = removed = kept = 0
    in_file = set()
    for fact in facts:
        in_file.add(fact.id)
        record = records.get(fact.id)
        content = _content(fact)
        if record is None:
            record = FactRecord(
                id=fact.id,
                origin="file",
                revision=1,
                deleted=False,
                created_at=now,
                updated_at=now,
                updated_by=FILE_ACTOR,
                **content,
            )
            session.add(record)
            _file_audit(session, record, "import", before=None)
            created += 1
            continue
        if record.origin != "file" or record.deleted:
            kept += 1
            continue
        before = snapshot(record)
        if all(before[name] == value for name, value in content.items()):
            continue
        for name, value in content.items():
            setattr(record, name, value)
        _file_touch(record, now)
        _file_audit(session, record, "import", before=before)
        updated += 1
    for record in records.values():
        if record.id not in in_file and record.origin == "file" and not record.deleted:
            before = snapshot(record)
            record.deleted = True
            _file_touch(record, now)
            _file_audit(session, record, "delete", before=before)
            removed += 1
    return SyncResult(created=created, updated=updated, removed=removed, kept=kept)
