"""The dead-letter tool over HTTP, for admins: list, inspect, replay a selection.

The same logic as `python -m shared.dlq` (`shared.dlq`: reading, selecting, replaying
into the original topic and partition), not a second implementation. A service mounts
the router behind its own admin check; replaying is idempotent in effect, because the
handlers are idempotent by event id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field, model_validator

from shared import dlq
from shared.http import DomainError, NotFound
from shared.settings import ServiceSettings
from shared.topics import ALL_TOPICS, Topics

TOPIC = "^(" + "|".join(t.replace(".", r"\.") for t in ALL_TOPICS) + ")$"
REASON = "^(undecodable|invalid|unhandled|exhausted)$"
#: Bytes of a record's value shown by the inspect call (reviews are short; poison is not).
SHOWN_VALUE = 65536


class DeadLetterRead(BaseModel):
    """One dead letter: where it sits, why it is there, where it came from."""

    ref: str
    reason: str
    group: str
    error_type: str
    error: str
    failed_at: str
    origin_topic: str
    origin_partition: str
    origin_offset: str

    @classmethod
    def of(cls, letter: dlq.DeadLetter, prefix: str) -> DeadLetterRead:
        return cls(
            ref=letter.ref.removeprefix(prefix),
            reason=letter.header("reason"),
            group=letter.header("group") or letter.header("service"),
            error_type=letter.header("error_type"),
            error=letter.header("error"),
            failed_at=letter.header("failed_at"),
            origin_topic=letter.header("topic").removeprefix(prefix),
            origin_partition=letter.header("partition"),
            origin_offset=letter.header("offset"),
        )


class DeadLetterDetail(DeadLetterRead):
    headers: dict[str, str]
    key: str | None
    #: The record as text (undecodable bytes replaced), cut at SHOWN_VALUE bytes.
    value: str | None
    value_bytes: int


class ReplayIn(BaseModel):
    """Which dead letters to send back: by reference, or by topic / reason / group."""

    refs: list[Annotated[str, Field(max_length=300)]] = Field(default_factory=list, max_length=1000)
    topic: Annotated[str | None, Field(pattern=TOPIC)] = None
    reason: Annotated[str | None, Field(pattern=REASON)] = None
    group: Annotated[str | None, Field(max_length=200)] = None
    dry_run: bool = False

    @model_validator(mode="after")
    def _some_selection(self) -> ReplayIn:
        if not (self.refs or self.topic or self.reason or self.group):
            raise ValueError("name refs, a topic, a reason or a group (no blind replay of all)")
        return self


class ReplayOut(BaseModel):
    replayed: int
    refs: list[str]
    dry_run: bool


def dlq_router(
    settings_of: Callable[[Request], ServiceSettings], *, admin: Sequence[Any]
) -> APIRouter:
    """The routes under /api/admin/dlq; `admin` are the dependencies that admit admins."""
    router = APIRouter(prefix="/api/admin/dlq", tags=["dead letters"], dependencies=list(admin))

    def where(request: Request) -> tuple[str, Topics]:
        settings = settings_of(request)
        return settings.kafka_bootstrap_servers, Topics(settings.kafka_topic_prefix)

    # (A default, not an Annotated alias: a local alias is unknown to FastAPI's resolver.)
    broker_of = Depends(where)

    @router.get("", response_model=list[DeadLetterRead])
    async def list_dead_letters(
        broker: tuple[str, Topics] = broker_of,
        topic: Annotated[str | None, Query(pattern=TOPIC)] = None,
        reason: Annotated[str | None, Query(pattern=REASON)] = None,
        group: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[DeadLetterRead]:
        """Dead letters, oldest first, filtered like `python -m shared.dlq list`."""
        bootstrap, topics = broker
        letters = await dlq.choose(bootstrap, topics, topic=topic, reason=reason, group=group)
        return [DeadLetterRead.of(d, topics.prefix) for d in letters[:limit]]

    @router.get("/{ref}", response_model=DeadLetterDetail)
    async def inspect_dead_letter(
        ref: Annotated[str, Path(max_length=300, pattern=r"^[\w.\-]+:\d{1,9}:\d{1,18}$")],
        broker: tuple[str, Topics] = broker_of,
    ) -> DeadLetterDetail:
        """One dead letter with every header, its key and its value."""
        bootstrap, topics = broker
        try:
            letter = await dlq.find(bootstrap, ref, prefix=topics.prefix)
        except ValueError as exc:
            raise DomainError(str(exc), code="not_a_dlq", status_code=400) from None
        if letter is None:
            raise NotFound(f"no dead letter {ref}")
        value = letter.value
        return DeadLetterDetail(
            **DeadLetterRead.of(letter, topics.prefix).model_dump(),
            headers=letter.headers,
            key=letter.key.decode(errors="replace") if letter.key is not None else None,
            value=value[:SHOWN_VALUE].decode(errors="replace") if value is not None else None,
            value_bytes=len(value or b""),
        )

    @router.post("/replay", response_model=ReplayOut)
    async def replay_dead_letters(
        selection: ReplayIn, broker: tuple[str, Topics] = broker_of
    ) -> ReplayOut:
        """Send the chosen records back to their original topic and partition.

        Undecodable ones are left out unless the reason asked for is `undecodable`.
        Idempotent in effect: a handled event that comes again changes nothing.
        """
        bootstrap, topics = broker
        chosen = dlq.replayable(
            await dlq.choose(
                bootstrap,
                topics,
                topic=selection.topic,
                reason=selection.reason,
                group=selection.group,
                refs=selection.refs,
            ),
            reason=selection.reason,
        )
        sent = 0 if selection.dry_run else await dlq.replay(bootstrap, chosen)
        return ReplayOut(
            replayed=sent,
            refs=[d.ref.removeprefix(topics.prefix) for d in chosen],
            dry_run=selection.dry_run,
        )

    return router
