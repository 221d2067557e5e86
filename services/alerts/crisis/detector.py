"""Crisis detection: a spike of negatives per brand / product / aspect vs its own baseline.

Counts live in fixed-size time buckets per key (bounded memory at any traffic rate).
A key signals when the last `window` holds at least `min_volume` negatives and at least
`ratio` × what its previous `baseline` period predicts for one window, and it has not
signalled within `cooldown` (`judge`, over a key's summed `WindowCounts`).

The buckets live in the database so every replica adds to the same windows: `tally` is
what a batch of mentions adds, `judge` decides on the sums a query returns
(`crisis/store.py`). Both are pure: no clock, no I/O.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.events import Classification, Mention, Sentiment

DEFAULT_PLAYBOOK: tuple[str, ...] = (
    "Acknowledge the crisis and name one coordinator",
    "Read the sample reviews and confirm the common cause",
    "Check the product / batch / delivery partner named in the top aspects",
    "Publish one factual public answer; reply to each negative review individually",
    "Resolve the crisis once the negative rate is back to baseline",
)


@dataclass(frozen=True)
class CrisisConfig:
    window: timedelta = timedelta(hours=1)
    baseline: timedelta = timedelta(hours=24)
    bucket: timedelta = timedelta(minutes=1)
    min_volume: int = 5
    ratio: float = 3.0
    #: Floor of the expected negatives per window: a quiet key must not alert on 1 review.
    min_expected: float = 1.0
    cooldown: timedelta = timedelta(hours=6)
    #: Baseline history the detector must have watched before any signal: right after a
    #: (re)start with no saved state every busy key would otherwise look like a spike.
    min_history: timedelta = timedelta(hours=1)
    sample_size: int = 5
    sample_chars: int = 500
    top_aspects: int = 5
    dimensions: tuple[str, ...] = ("brand", "product", "aspect")
    #: Playbook steps per dimension; "*" is the fallback.
    playbooks: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {"*": DEFAULT_PLAYBOOK}
    )

    def __post_init__(self) -> None:
        if self.window <= timedelta(0) or self.baseline <= timedelta(0):
            raise ValueError("window and baseline must be positive")
        if self.bucket <= timedelta(0) or self.bucket > self.window:
            raise ValueError("bucket must be positive and not longer than window")
        if self.min_volume < 1 or self.ratio <= 0 or self.min_expected <= 0:
            raise ValueError("min_volume, ratio and min_expected must be positive")

    def playbook(self, dimension: str) -> list[str]:
        return list(self.playbooks.get(dimension) or self.playbooks.get("*") or ())


@dataclass
class Sample:
    at: float
    mention_id: str
    text: str


@dataclass(frozen=True)
class CrisisSignal:
    key: str
    dimension: str
    value: str
    detected_at: datetime
    window_start: datetime
    negatives: int
    total: int
    baseline_negatives: int
    #: Negatives per window the baseline predicts (after the `min_expected` floor).
    baseline_rate: float
    ratio: float
    top_aspects: list[tuple[str, int]]
    samples: list[dict[str, Any]]
    playbook: list[str]

    def evidence(self) -> dict[str, Any]:
        """JSON-ready details for AlertRaised.details."""
        data = asdict(self)
        data["detected_at"] = self.detected_at.isoformat()
        data["window_start"] = self.window_start.isoformat()
        data["top_aspects"] = [{"aspect": a, "count": c} for a, c in self.top_aspects]
        return data


def keys_for(
    mention: Mention, classification: Classification, dimensions: Iterable[str]
) -> list[tuple[str, bool, list[str]]]:
    """(key, is_negative, negative aspects) for each key the mention counts towards."""
    dims = set(dimensions)
    negative = classification.sentiment == Sentiment.negative
    neg_aspects = sorted(
        {
            a.aspect.strip().casefold()
            for a in classification.aspects
            if a.polarity == Sentiment.negative and a.aspect.strip()
        }
    )
    out: list[tuple[str, bool, list[str]]] = []
    brand = (mention.product.brand or "").strip().casefold()
    if "brand" in dims and brand:
        out.append((f"brand:{brand}", negative, neg_aspects))
    sku = (mention.product.sku or "").strip()
    if "product" in dims and sku:
        out.append((f"product:{sku}", negative, neg_aspects))
    if "aspect" in dims:
        all_aspects = {
            a.aspect.strip().casefold() for a in classification.aspects if a.aspect.strip()
        }
        for aspect in sorted(all_aspects):
            out.append(
                (
                    f"aspect:{aspect}",
                    aspect in neg_aspects,
                    [aspect] if aspect in neg_aspects else [],
                )
            )
    return out


@dataclass
class WindowCounts:
    """One key's counts over the current window and the baseline before it (summed from
    the stored buckets) and its recent negative samples."""

    negatives: int = 0
    total: int = 0
    baseline_negatives: int = 0
    aspects: Counter[str] = field(default_factory=Counter)
    samples: list[Sample] = field(default_factory=list)


def bucket_index(config: CrisisConfig, at: datetime) -> int:
    return int(at.timestamp() // config.bucket.total_seconds())


def window_edges(config: CrisisConfig, now: datetime) -> tuple[int, int]:
    """First bucket index of the current window and of the baseline before it: the window
    is the buckets overlapping (now - window, now], the baseline the ones before."""
    bucket_s = config.bucket.total_seconds()
    now_ts = now.timestamp()
    window_s, baseline_s = config.window.total_seconds(), config.baseline.total_seconds()
    cur_first = math.floor((now_ts - window_s) / bucket_s) + 1
    base_first = math.floor((now_ts - window_s - baseline_s) / bucket_s) + 1
    return cur_first, base_first


def judge(
    config: CrisisConfig,
    key: str,
    counts: WindowCounts,
    *,
    last_signal_at: float | None,
    started_at: float,
    now: datetime,
) -> CrisisSignal | None:
    """The signal of a key whose window spiked against its baseline (None: no spike, too
    little volume or history, or still cooling down from its last signal)."""
    now_ts = now.timestamp()
    if last_signal_at is not None and now_ts - last_signal_at < config.cooldown.total_seconds():
        return None
    if counts.negatives < config.min_volume:
        return None
    bucket_s = config.bucket.total_seconds()
    window_s, baseline_s = config.window.total_seconds(), config.baseline.total_seconds()
    cur_first, _ = window_edges(config, now)
    # Only history the detector actually watched counts as baseline time.
    span = min(baseline_s, max(0.0, cur_first * bucket_s - started_at))
    if span < config.min_history.total_seconds():
        return None
    predicted = counts.baseline_negatives * window_s / span if span > 0 else 0.0
    expected = max(config.min_expected, predicted)
    if counts.negatives < config.ratio * expected:
        return None
    dimension, _, value = key.partition(":")
    samples = [
        {
            "mention_id": s.mention_id,
            "text": s.text,
            "at": datetime.fromtimestamp(s.at, UTC).isoformat(),
        }
        for s in sorted(counts.samples, key=lambda s: s.at)[-config.sample_size :]
        if s.at >= cur_first * bucket_s
    ]
    return CrisisSignal(
        key=key,
        dimension=dimension,
        value=value,
        detected_at=now,
        window_start=datetime.fromtimestamp(cur_first * bucket_s, UTC),
        negatives=counts.negatives,
        total=counts.total,
        baseline_negatives=counts.baseline_negatives,
        baseline_rate=round(expected, 3),
        ratio=round(counts.negatives / expected, 3),
        top_aspects=counts.aspects.most_common(config.top_aspects),
        samples=samples,
        playbook=config.playbook(dimension),
    )


@dataclass
class Tally:
    """What a batch of new mentions adds: counts per (key, bucket, aspect), where the
    aspect "" row holds the key's negatives and total and an aspect row its negatives;
    and per key the newest `sample_size` negatives."""

    counts: dict[tuple[str, int, str], list[int]] = field(default_factory=dict)
    samples: dict[str, list[Sample]] = field(default_factory=dict)


def tally(
    config: CrisisConfig,
    observations: Iterable[tuple[Mention, Classification]],
    at: datetime,
) -> Tally:
    """Count new mentions at `at` (each observation once) for the stored windows."""
    out = Tally()
    index = bucket_index(config, at)
    for mention, classification in observations:
        for key, negative, aspects in keys_for(mention, classification, config.dimensions):
            row = out.counts.setdefault((key, index, ""), [0, 0])
            row[1] += 1
            if not negative:
                continue
            row[0] += 1
            for aspect in aspects:
                out.counts.setdefault((key, index, aspect), [0, 0])[0] += 1
            text = mention.full_text[: config.sample_chars]
            kept = out.samples.setdefault(key, [])
            kept.append(Sample(at=at.timestamp(), mention_id=str(mention.mention_id), text=text))
            del kept[: -config.sample_size]
    return out
