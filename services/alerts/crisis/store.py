"""The crisis windows in the database, shared by every alerts replica.

Each replica adds the mentions of its partitions to per-bucket counts in the batch's own
transaction (`add_tally`: exactly once with the consumer's commit, whatever replica
consumed them). The windows are read whole by the one replica that holds the crisis lease
(`claim`): a single row leased through `claim_leases`, so each spike is judged, and its
crisis raised, once.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, select, true, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.alerts.crisis.detector import CrisisConfig, Sample, Tally, WindowCounts, window_edges
from services.alerts.crisis.models import CrisisCooldown, CrisisCount, CrisisLease, CrisisSample
from services.alerts.db import claim_leases
from shared.db import insert_ignore

LEASE_ID = 1


def _insert(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert


async def add_tally(session: AsyncSession, tally: Tally) -> None:
    """Add a batch's counts (one additive upsert, keys sorted so concurrent replicas lock
    the shared rows in the same order) and its samples."""
    if tally.counts:
        table: Any = CrisisCount.__table__
        stmt = _insert(session)(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key", "bucket", "aspect"],
            set_={c: table.c[c] + stmt.excluded[c] for c in ("negatives", "total")},
        )
        rows = [
            {"key": key, "bucket": bucket, "aspect": aspect, "negatives": neg, "total": total}
            for (key, bucket, aspect), (neg, total) in sorted(tally.counts.items())
        ]
        await session.execute(stmt, rows)
    samples = [
        {
            "key": key,
            "mention_id": s.mention_id,
            "at": datetime.fromtimestamp(s.at, UTC),
            "text": s.text,
        }
        for key, kept in sorted(tally.samples.items())
        for s in kept
    ]
    await insert_ignore(session, CrisisSample, samples, conflict_on=("key", "mention_id"))


async def ensure_lease(session: AsyncSession, now: datetime) -> None:
    """The lease row, made by the first replica to start (its start begins the watch)."""
    await insert_ignore(
        session,
        CrisisLease,
        {"id": LEASE_ID, "watched_since": now, "until": now, "claim": None},
        conflict_on=("id",),
    )


async def claim(session: AsyncSession, now: datetime, lease: timedelta) -> CrisisLease | None:
    """The crisis lease for this transaction (None: another replica is evaluating).

    On PostgreSQL the row stays locked until the transaction ends, so the others pass
    over it; `release` hands it back in the same transaction.
    """
    table: Table = CrisisLease.__table__  # type: ignore[assignment]
    token = await claim_leases(
        session,
        table,
        due=true(),
        until=table.c.until,
        claim=table.c.claim,
        now=now,
        limit=1,
        lease=lease,
    )
    if token is None:
        return None
    row = await session.get(CrisisLease, LEASE_ID, populate_existing=True)
    return row if row is not None and row.claim == token else None


async def release(session: AsyncSession, held: CrisisLease, now: datetime) -> None:
    await session.execute(
        update(CrisisLease)
        .where(CrisisLease.id == held.id, CrisisLease.claim == held.claim)
        .values(until=now, claim=None)
    )


async def read_windows(
    session: AsyncSession, config: CrisisConfig, now: datetime
) -> dict[str, WindowCounts]:
    """The counts of every key with at least `min_volume` negatives in its window (the
    only keys that can signal); aspects and samples are left to `add_evidence`."""
    cur_first, base_first = window_edges(config, now)
    window_negatives = func.sum(CrisisCount.negatives)
    rows = await session.execute(
        select(CrisisCount.key, window_negatives, func.sum(CrisisCount.total))
        .where(CrisisCount.aspect == "", CrisisCount.bucket >= cur_first)
        .group_by(CrisisCount.key)
        .having(window_negatives >= config.min_volume)
    )
    found = {
        key: WindowCounts(negatives=int(neg), total=int(total)) for key, neg, total in rows.all()
    }
    for keys in _chunks(sorted(found)):
        baseline = await session.execute(
            select(CrisisCount.key, func.sum(CrisisCount.negatives))
            .where(
                CrisisCount.key.in_(keys),
                CrisisCount.aspect == "",
                CrisisCount.bucket >= base_first,
                CrisisCount.bucket < cur_first,
            )
            .group_by(CrisisCount.key)
        )
        for key, neg in baseline.all():
            found[key].baseline_negatives = int(neg or 0)
    return found


async def add_evidence(
    session: AsyncSession, config: CrisisConfig, now: datetime, windows: dict[str, WindowCounts]
) -> None:
    """Fill in the window's aspects and the newest samples of these (signalling) keys."""
    cur_first, _ = window_edges(config, now)
    for key, counts in sorted(windows.items()):
        aspects = await session.execute(
            select(CrisisCount.aspect, func.sum(CrisisCount.negatives))
            .where(
                CrisisCount.key == key, CrisisCount.aspect != "", CrisisCount.bucket >= cur_first
            )
            .group_by(CrisisCount.aspect)
        )
        counts.aspects = Counter({aspect: int(n) for aspect, n in aspects.all()})
        samples = await session.execute(
            select(CrisisSample)
            .where(CrisisSample.key == key)
            .order_by(CrisisSample.at.desc(), CrisisSample.mention_id)
            .limit(config.sample_size)
        )
        counts.samples = [
            Sample(at=s.at.timestamp(), mention_id=s.mention_id, text=s.text)
            for s in samples.scalars()
        ]


async def cooldowns(session: AsyncSession, keys: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for chunk in _chunks(sorted(keys)):
        rows = await session.execute(
            select(CrisisCooldown.key, CrisisCooldown.last_signal_at).where(
                CrisisCooldown.key.in_(chunk)
            )
        )
        out.update({key: at.timestamp() for key, at in rows.all()})
    return out


async def mark_signalled(session: AsyncSession, keys: list[str], now: datetime) -> None:
    if not keys:
        return
    stmt = _insert(session)(CrisisCooldown)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"], set_={"last_signal_at": stmt.excluded.last_signal_at}
    )
    await session.execute(stmt, [{"key": key, "last_signal_at": now} for key in sorted(keys)])


async def prune(session: AsyncSession, config: CrisisConfig, now: datetime) -> None:
    """Forget counts older than the baseline, samples outside the window or past the
    newest `sample_size` of their key, and finished cool-downs."""
    _, base_first = window_edges(config, now)
    await session.execute(delete(CrisisCount).where(CrisisCount.bucket < base_first))
    await session.execute(delete(CrisisSample).where(CrisisSample.at < now - config.window))
    ranked = select(
        CrisisSample.key,
        CrisisSample.mention_id,
        func.row_number()
        .over(
            partition_by=CrisisSample.key,
            order_by=(CrisisSample.at.desc(), CrisisSample.mention_id),
        )
        .label("n"),
    ).subquery()
    await session.execute(
        delete(CrisisSample).where(
            tuple_(CrisisSample.key, CrisisSample.mention_id).in_(
                select(ranked.c.key, ranked.c.mention_id).where(ranked.c.n > config.sample_size)
            )
        )
    )
    await session.execute(
        delete(CrisisCooldown).where(CrisisCooldown.last_signal_at < now - config.cooldown)
    )


def _chunks(keys: list[str], size: int = 500) -> list[list[str]]:
    return [keys[i : i + size] for i in range(0, len(keys), size)]
