"""Every metric the responder declares."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


@dataclass(frozen=True)
class ResponderMetrics:
    items: Counter
    drafts: Counter
    open_items: Gauge
    sla_events: Counter
    time_to_answer: Histogram
    approvals: Counter


def make_responder_metrics(registry: CollectorRegistry) -> ResponderMetrics:
    return ResponderMetrics(
        items=Counter(
            "otklik_responder_queue_items_total",
            "Queue items by outcome (opened, updated, duplicate, answered_elsewhere).",
            ["platform", "sentiment", "outcome"],
            registry=registry,
        ),
        drafts=Counter(
            "otklik_responder_drafts_total",
            "Drafts written, by sentiment and language.",
            ["sentiment", "language"],
            registry=registry,
        ),
        open_items=Gauge(
            "otklik_responder_open_items",
            "Items waiting for an answer, by SLA state (ok, due_soon, breached).",
            ["platform", "sla_state"],
            registry=registry,
        ),
        sla_events=Counter(
            "otklik_responder_sla_events_total",
            "SLA events published (due_soon, breached, met).",
            ["platform", "state"],
            registry=registry,
        ),
        time_to_answer=Histogram(
            "otklik_responder_time_to_answer_seconds",
            "From the review's publication to our answer's publication.",
            ["platform"],
            buckets=(600, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 604800),
            registry=registry,
        ),
        approvals=Counter(
            "otklik_responder_approvals_total",
            "Replies approved in the queue.",
            ["platform"],
            registry=registry,
        ),
    )


@dataclass(frozen=True)
class InsightMetrics:
    """The insights' own metrics (kept apart so the queue's metrics stay as they are)."""

    events: Counter
    digests: Counter


def make_insight_metrics(registry: CollectorRegistry) -> InsightMetrics:
    return InsightMetrics(
        events=Counter(
            "otklik_responder_insight_events_total",
            "Events applied to the insight aggregates (changed or unchanged: a replay).",
            ["event_type", "outcome"],
            registry=registry,
        ),
        digests=Counter(
            "otklik_responder_insight_digests_total",
            "Weekly digests published, by outcome (sent, failed).",
            ["outcome"],
            registry=registry,
        ),
    )
