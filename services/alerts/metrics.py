"""Every metric the alerts service declares."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from shared.metrics import LATENCY_BUCKETS


@dataclass(frozen=True)
class AlertsMetrics:
    assignments: Counter
    notifications: Counter
    notification_seconds: Histogram
    notifications_pending: Gauge
    escalation_steps: Counter
    open_escalations: Gauge
    ack_seconds: Histogram
    crises: Counter
    active_crises: Gauge
    webhook_deliveries: Counter
    webhook_delivery_seconds: Histogram
    webhook_retries_pending: Gauge


def make_alerts_metrics(registry: CollectorRegistry) -> AlertsMetrics:
    return AlertsMetrics(
        assignments=Counter(
            "otklik_alerts_assignments_total",
            "Mentions assigned to an owner, by how (rule or default).",
            ["how"],
            registry=registry,
        ),
        notifications=Counter(
            "otklik_alerts_notifications_total",
            "Notification attempts by channel and result (ok, retry, failed: gave up).",
            ["channel", "result"],
            registry=registry,
        ),
        notification_seconds=Histogram(
            "otklik_alerts_notification_seconds",
            "From a notification's enqueueing (its step taken) to its delivery on a channel, "
            "retries included.",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        notifications_pending=Gauge(
            "otklik_alerts_notifications_pending",
            "Notifications in the outbox not yet delivered or given up (due or awaiting a retry).",
            registry=registry,
        ),
        escalation_steps=Counter(
            "otklik_alerts_escalation_steps_total",
            "Escalation steps taken, by ladder level and trigger.",
            ["level", "trigger"],
            registry=registry,
        ),
        open_escalations=Gauge(
            "otklik_alerts_open_escalations",
            "Escalations not yet acknowledged or closed.",
            registry=registry,
        ),
        ack_seconds=Histogram(
            "otklik_alerts_acknowledgement_seconds",
            "From an escalation's opening to its acknowledgement.",
            buckets=(30, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400),
            registry=registry,
        ),
        crises=Counter(
            "otklik_alerts_crises_total",
            "Crisis signals by outcome (opened, reopened, updated).",
            ["outcome"],
            registry=registry,
        ),
        active_crises=Gauge(
            "otklik_alerts_active_crises",
            "Crises open or acknowledged, not resolved.",
            registry=registry,
        ),
        webhook_deliveries=Counter(
            "otklik_alerts_webhook_deliveries_total",
            "Outbound webhook attempts by result (delivered, retry, failed, refused).",
            ["result"],
            registry=registry,
        ),
        webhook_delivery_seconds=Histogram(
            "otklik_alerts_webhook_delivery_seconds",
            "Time of one outbound webhook attempt, from connect to response.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        webhook_retries_pending=Gauge(
            "otklik_alerts_webhook_retries_pending",
            "Webhook deliveries that failed at least once and wait for another attempt.",
            registry=registry,
        ),
    )
