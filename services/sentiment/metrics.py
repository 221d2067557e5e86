"""Every metric the sentiment service declares."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, Info

from shared.metrics import LATENCY_BUCKETS


@dataclass(frozen=True)
class SentimentMetrics:
    classified: Counter
    contradictions: Counter
    inference_seconds: Histogram
    model: Info
    head_reloads: Counter


def make_sentiment_metrics(registry: CollectorRegistry) -> SentimentMetrics:
    return SentimentMetrics(
        classified=Counter(
            "otklik_sentiment_mentions_classified_total",
            "Mentions classified, by sentiment and detected language.",
            ["sentiment", "language"],
            registry=registry,
        ),
        contradictions=Counter(
            "otklik_sentiment_rating_contradictions_total",
            "Mentions whose stars and text disagree.",
            registry=registry,
        ),
        inference_seconds=Histogram(
            "otklik_sentiment_inference_seconds",
            "Time to analyse one batch (model, language, aspects).",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        model=Info("otklik_sentiment_model", "The model the service runs.", registry=registry),
        head_reloads=Counter(
            "otklik_sentiment_head_reloads_total",
            "Review heads picked up while running (outcome loaded|failed).",
            ["outcome"],
            registry=registry,
        ),
    )
