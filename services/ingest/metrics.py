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
    credential_expiry: Gauge
    replies: Counter
    push_requests: Counter
    throttled: Counter
    limiter_wait_seconds: Counter
    reply_post_seconds: Histogram
    reply_failures: Counter


#: A post may wait for the rate limiter and retry for up to the policy's 120 s budget.
REPLY_POST_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

#: Bounded `reason` values of `otklik_ingest_reply_failures_total`.
REPLY_FAILURE_REASONS = (
    "not_configured",
    "monitor_only",
    "text_length",
    "subscription_missing",
    "review_deleted",
    "unauthorized",
    "rejected",
    "transient",
    "unconfirmed",
    "already_answered",
    "earlier_pending",
)


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
        credential_expiry=Gauge(
            "otklik_ingest_credential_expiry_timestamp_seconds",
            "Unix time the source's API token expires, read from the token (WB JWT exp).",
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
        throttled=Counter(
            "otklik_ingest_throttled_total",
            "Throttled answers (HTTP 429/420) a platform gave a source's calls; each is "
            "waited out (Retry-After) and retried.",
            ["platform", "source"],
            registry=registry,
        ),
        limiter_wait_seconds=Counter(
            "otklik_ingest_limiter_wait_seconds_total",
            "Seconds a source's calls waited for our own per-account rate limiter.",
            ["platform", "source"],
            registry=registry,
        ),
        reply_post_seconds=Histogram(
            "otklik_ingest_reply_post_seconds",
            "Time of one reply post to the platform (retries and rate-limit waits included).",
            ["platform"],
            buckets=REPLY_POST_BUCKETS,
            registry=registry,
        ),
        reply_failures=Counter(
            "otklik_ingest_reply_failures_total",
            "Replies that could not be posted (or not yet), by reason.",
            ["platform", "reason"],
            registry=registry,
        ),
    )
