"""What the escalation API reads and takes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from services.alerts.escalation.models import Escalation


class EscalationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    mention_id: str
    status: str
    owner_id: str
    reason: str
    title: str
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    next_wakeup_at: datetime | None
    steps_done: list[str] = []

    @classmethod
    def of(cls, row: Escalation) -> EscalationRead:
        """The row with the keys of the steps already taken (from the ladder's state)."""
        read = cls.model_validate(row)
        return read.model_copy(update={"steps_done": sorted(row.state.get("done_keys") or [])})


class AckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str = "api"
