"""SLA deadlines and once-only SLA events, as pure functions."""

from services.responder.sla.policy import (
    BusinessCalendar,
    SlaEvent,
    SlaPolicy,
    add_business_time,
    business_time_between,
    compute_due_at,
    due_events,
    due_soon_at,
    event_key,
    next_check_at,
    remaining_time,
)

__all__ = [
    "BusinessCalendar",
    "SlaEvent",
    "SlaPolicy",
    "add_business_time",
    "business_time_between",
    "compute_due_at",
    "due_events",
    "due_soon_at",
    "event_key",
    "next_check_at",
    "remaining_time",
]
