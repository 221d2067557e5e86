"""Every metric ingest declares, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from shared.metrics import LATENCY_BUCKETS


@dataclass(frozen=True)
class IngestMetrics:
    mentions: Counter
    polls: Counter
    poll_seconds: Histogram
    source_healthy: Gauge
    source_last_success: Gauge
    replies: Counter
    push_requests: Counter


def make_ingest_metrics(registry: CollectorRegistry) -> IngestMetrics:
    return IngestMetrics(
        mentions=Counter(
            "otklik_ingest_mentions_total",
            "Mentions seen by ingest, by outcome (new, updated, duplicate).",
            ["platform", "source", "outcome"],
            registry=registry,
        ),
        polls=Counter(
            "otklik_ingest_polls_total",
            "Polls of a source, by result (ok, retryable_error, fatal_error).",
            ["platform", "source", "result"],
            registry=registry,
        ),
        poll_seconds=Histogram(
            "otklik_ingest_poll_seconds",
            "Time of one poll (fetch + publish + cursor store).",
            ["platform"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        source_healthy=Gauge(
            "otklik_ingest_source_healthy",
            "1 when the source's last polls succeeded, 0 when it keeps failing.",
            ["platform", "source"],
            registry=registry,
        ),
        source_last_success=Gauge(
            "otklik_ingest_source_last_success_timestamp_seconds",
            "Unix time of the source's last successful poll.",
            ["platform", "source"],
            registry=registry,
        ),
        replies=Counter(
            "otklik_ingest_replies_total",
            "Replies handled by ingest, by outcome (published, failed, duplicate, unconfirmed).",
            ["platform", "outcome"],
            registry=registry,
        ),
        push_requests=Counter(
            "otklik_ingest_push_requests_total",
            "Push endpoint requests by result (accepted, unauthorized, invalid).",
            ["result"],
            registry=registry,
        ),
    )
