"""What the notification API reads."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    notification_id: str
    escalation_id: str | None
    recipient_id: str | None
    channel: str
    ok: bool
    status_code: int | None
    error: str | None
    latency_s: float
    attempts: int
    created_at: datetime
