"""Metrics every service exposes, declared once against an explicit registry.

Names follow `otklik_<thing>_<unit>`; labels are bounded (service, topic, event type,
outcome, route template) — never a mention id or free text.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


@dataclass(frozen=True)
class BusMetrics:
    handled: Counter
    failed: Counter
    dead_lettered: Counter
    handler_seconds: Histogram
    batch_size: Histogram
    lag: Gauge
    produced: Counter
    last_poll: Gauge
    infrastructure_errors: Counter
    paused: Gauge


@dataclass(frozen=True)
class HttpMetrics:
    requests: Counter
    seconds: Histogram


@dataclass(frozen=True)
class CommonMetrics:
    registry: CollectorRegistry
    bus: BusMetrics
    http: HttpMetrics
    up: Gauge


def make_common_metrics(service: str, registry: CollectorRegistry | None = None) -> CommonMetrics:
    """One set per process (tests pass a fresh registry per app)."""
    reg = registry or CollectorRegistry()
    # Memory, CPU, open files and GC of the process: what the dashboard's resource panels read.
    ProcessCollector(registry=reg)
    PlatformCollector(registry=reg)
    GCCollector(registry=reg)
    bus = BusMetrics(
        handled=Counter(
            "otklik_consumer_messages_handled_total",
            "Messages a consumer handled successfully.",
            ["service", "topic", "event_type"],
            registry=reg,
        ),
        failed=Counter(
            "otklik_consumer_messages_failed_total",
            "Handler attempts that raised (retried or dead-lettered).",
            ["service", "topic", "reason"],
            registry=reg,
        ),
        dead_lettered=Counter(
            "otklik_consumer_messages_dead_lettered_total",
            "Messages sent to the topic's dead-letter topic.",
            ["service", "topic", "reason"],
            registry=reg,
        ),
        handler_seconds=Histogram(
            "otklik_consumer_handler_seconds",
            "Time to handle one batch of messages, commit included.",
            ["service", "topic"],
            buckets=LATENCY_BUCKETS,
            registry=reg,
        ),
        batch_size=Histogram(
            "otklik_consumer_batch_messages",
            "Messages per fetched batch.",
            ["service", "topic"],
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
            registry=reg,
        ),
        lag=Gauge(
            "otklik_consumer_lag_messages",
            "Messages between the partition's end and the consumer's position.",
            ["service", "topic", "partition"],
            registry=reg,
        ),
        produced=Counter(
            "otklik_producer_messages_total",
            "Messages produced and acknowledged by the broker.",
            ["service", "topic"],
            registry=reg,
        ),
        last_poll=Gauge(
            "otklik_consumer_last_poll_timestamp_seconds",
            "Unix time of the consumer's last fetch (liveness follows poll progress).",
            ["service"],
            registry=reg,
        ),
        infrastructure_errors=Counter(
            "otklik_consumer_infrastructure_errors_total",
            "Times a partition paused because a dependency (database, broker, platform) "
            "was unavailable; its messages wait, they are not dead-lettered.",
            ["service", "topic", "reason"],
            registry=reg,
        ),
        paused=Gauge(
            "otklik_consumer_paused_partitions",
            "Partitions now waiting for a dependency to come back.",
            ["service"],
            registry=reg,
        ),
    )
    http = HttpMetrics(
        requests=Counter(
            "otklik_http_requests_total",
            "HTTP requests served.",
            ["service", "method", "route", "status"],
            registry=reg,
        ),
        seconds=Histogram(
            "otklik_http_request_seconds",
            "HTTP request duration.",
            ["service", "method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=reg,
        ),
    )
    up = Gauge(
        "otklik_service_info", "Always 1; labels say which service runs.", ["service"], registry=reg
    )
    up.labels(service=service).set(1)
    return CommonMetrics(registry=reg, bus=bus, http=http, up=up)
