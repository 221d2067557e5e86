"""The crisis rules on the pure functions the service uses: `tally` counts each batch,
the tallies are summed per window the way `store.read_windows` / `add_evidence` sum the
stored rows, and `judge` decides per key as `flows.judge_windows` does (cool-downs, the
watch start). The database side of the same flow is in test_crisis_windows.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.alerts.crisis.detector import (
    CrisisConfig,
    CrisisSignal,
    Sample,
    WindowCounts,
    judge,
    tally,
    window_edges,
)
from services.alerts.crisis.domain import (
    CrisisStatus,
    CrisisTransitionError,
    acknowledge,
    on_signal,
    reopen,
    resolve,
)
from shared.events import Classification, Mention, Sentiment
from tests.alerts.factories import classification, mention

START = datetime(2025, 3, 1, tzinfo=UTC)
NEG = Sentiment.negative


@dataclass
class Windows:
    """The stored windows in memory: tallies added up per (key, bucket, aspect) as
    `store.add_tally` upserts them, samples per key, each key's last signal."""

    config: CrisisConfig
    watched_since: datetime
    counts: dict[tuple[str, int, str], list[int]] = field(default_factory=dict)
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    last_signal_at: dict[str, float] = field(default_factory=dict)

    def count(self, batch: Iterable[tuple[Mention, Classification]], at: datetime) -> None:
        added = tally(self.config, batch, at)
        for row, (negatives, total) in added.counts.items():
            summed = self.counts.setdefault(row, [0, 0])
            summed[0] += negatives
            summed[1] += total
        for key, kept in added.samples.items():
            self.samples.setdefault(key, []).extend(kept)

    def read(self, now: datetime) -> dict[str, WindowCounts]:
        cur_first, base_first = window_edges(self.config, now)
        out: dict[str, WindowCounts] = {}
        for (key, bucket, aspect), (negatives, total) in self.counts.items():
            if bucket < base_first:
                continue
            counts = out.setdefault(key, WindowCounts())
            if bucket < cur_first:
                counts.baseline_negatives += negatives if not aspect else 0
            elif aspect:
                counts.aspects[aspect] += negatives
            else:
                counts.negatives += negatives
                counts.total += total
        for key, counts in out.items():
            newest = sorted(self.samples.get(key, []), key=lambda s: s.at)
            counts.samples = newest[-self.config.sample_size :]
        return out

    def judge(self, now: datetime) -> list[CrisisSignal]:
        signals = [
            signal
            for key, counts in sorted(self.read(now).items())
            if (
                signal := judge(
                    self.config,
                    key,
                    counts,
                    last_signal_at=self.last_signal_at.get(key),
                    started_at=self.watched_since.timestamp(),
                    now=now,
                )
            )
        ]
        self.last_signal_at.update({s.key: now.timestamp() for s in signals})
        return signals


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now


def feed(
    windows: Windows,
    clock: Clock,
    n: int,
    *,
    every: timedelta,
    brand: str = "Acme",
    sentiment: Sentiment = NEG,
    aspect: str = "leak",
    prefix: str = "m",
) -> list[CrisisSignal]:
    """One mention every `every`, each counted and then judged (a tick per mention)."""
    out: list[CrisisSignal] = []
    for i in range(n):
        clock.now += every
        m = mention(
            f"{prefix}{clock.now.timestamp()}-{i}", brand=brand, sku=None, text=f"<b>bad</b> {i}"
        )
        c = classification(sentiment, aspects=((aspect, sentiment),))
        windows.count([(m, c)], clock.now)
        out += windows.judge(clock.now)
    return out


def brand_windows(clock: Clock, **config: Any) -> Windows:
    """Brand keys only, watched from the clock's now."""
    return Windows(CrisisConfig(dimensions=("brand",), **config), watched_since=clock.now)


def test_steady_traffic_never_alerts_then_one_alert_on_spike_none_in_cooldown() -> None:
    clock = Clock(START)
    windows = brand_windows(clock)
    # 26 h of steady traffic: 3 negatives an hour (every 20 min), plus positives.
    steady = feed(windows, clock, 26 * 3, every=timedelta(minutes=20))
    steady += feed(windows, clock, 100, every=timedelta(seconds=1), sentiment=Sentiment.positive)
    assert steady == []
    spike_from = clock.now
    spike = feed(windows, clock, 30, every=timedelta(seconds=30), prefix="spike")
    assert len(spike) == 1
    sig = spike[0]
    assert spike_from < sig.detected_at <= clock.now
    assert sig.key == "brand:acme" and sig.dimension == "brand" and sig.value == "acme"
    assert sig.negatives >= sig.baseline_rate * 3 and sig.negatives >= 5
    assert 2.5 <= sig.baseline_rate <= 3.5  # its own history: ~3 per hour
    assert sig.total >= sig.negatives
    assert sig.top_aspects[0][0] == "leak"
    assert 0 < len(sig.samples) <= 5 and "<b>bad</b>" in sig.samples[-1]["text"]
    assert all(s["mention_id"] and s["at"] >= sig.window_start.isoformat() for s in sig.samples)
    evidence = sig.evidence()
    assert sig.playbook and evidence["top_aspects"][0]["aspect"] == "leak"
    assert evidence["detected_at"] == sig.detected_at.isoformat()
    # Still spiking inside the cool-down (6 h): no second alert.
    assert feed(windows, clock, 60, every=timedelta(minutes=1), prefix="more") == []
    # After the cool-down, a fresh bigger spike alerts again.
    clock.now += timedelta(hours=6)
    assert len(feed(windows, clock, 200, every=timedelta(seconds=5), prefix="again")) == 1


def test_minimum_volume() -> None:
    clock = Clock(START)
    windows = brand_windows(clock, min_volume=5, min_history=timedelta(0))
    assert feed(windows, clock, 4, every=timedelta(minutes=1)) == []
    assert len(feed(windows, clock, 1, every=timedelta(minutes=1))) == 1


def test_samples_only_from_the_window() -> None:
    clock = Clock(START)
    ten = timedelta(minutes=10)
    windows = brand_windows(clock, window=ten, baseline=ten, min_volume=3, min_history=ten)
    assert feed(windows, clock, 2, every=timedelta(minutes=1), prefix="old") == []
    clock.now += timedelta(minutes=30)
    spike = feed(windows, clock, 3, every=timedelta(seconds=10), prefix="new")
    assert len(spike) == 1 and spike[0].negatives == 3
    # Newest 5 of the key, but the 2 before the window are not evidence of this spike.
    assert [s["text"] for s in spike[0].samples] == [f"<b>bad</b> {i}" for i in range(3)]


def test_warmup_and_short_history_baseline() -> None:
    clock = Clock(START)
    windows = brand_windows(clock, min_volume=3)
    # Just started watching: 2 h at 10 negatives/hour is history, not a crisis.
    assert feed(windows, clock, 20, every=timedelta(minutes=6)) == []
    # The baseline is 10/h from the 2 h watched, not 20 spread over 24 h: 12/h is normal.
    assert feed(windows, clock, 12, every=timedelta(minutes=5)) == []
    spike = feed(windows, clock, 40, every=timedelta(seconds=30))
    assert len(spike) == 1 and spike[0].baseline_rate >= 9


def test_aspect_and_product_keys() -> None:
    clock = Clock(START)
    windows = Windows(
        CrisisConfig(min_volume=3, ratio=2.0, min_history=timedelta(0)), watched_since=START
    )
    signals: list[CrisisSignal] = []
    for i in range(3):
        clock.now += timedelta(minutes=1)
        c = classification(
            Sentiment.neutral, aspects=(("Delivery", NEG), ("price", Sentiment.positive))
        )
        windows.count([(mention(str(i), brand="B", sku="S-9"), c)], clock.now)
        signals += windows.judge(clock.now)
    # Every key the mentions count towards, with only the negative aspect's negatives.
    counted = windows.read(clock.now)
    assert {k: (w.negatives, w.total) for k, w in counted.items()} == {
        "brand:b": (0, 3),
        "product:S-9": (0, 3),
        "aspect:delivery": (3, 3),
        "aspect:price": (0, 3),
    }
    keys = {s.key for s in signals}
    assert keys == {"aspect:delivery"}  # neutral overall: brand/product not negative
    assert signals[0].top_aspects == [("delivery", 3)]


def test_cooldown_is_per_key_and_ends() -> None:
    clock = Clock(START)
    windows = brand_windows(clock, min_history=timedelta(0))
    assert len(feed(windows, clock, 10, every=timedelta(seconds=10))) == 1
    # The same brand keeps spiking: cooling down. Another brand spikes: its own alert.
    assert feed(windows, clock, 10, every=timedelta(seconds=10)) == []
    other = feed(windows, clock, 10, every=timedelta(seconds=10), brand="Zeta", prefix="z")
    assert [s.key for s in other] == ["brand:zeta"]
    clock.now += windows.config.cooldown
    again = feed(windows, clock, 20, every=timedelta(seconds=10), prefix="again")
    assert [s.key for s in again] == ["brand:acme"]


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        CrisisConfig(bucket=timedelta(hours=2))
    with pytest.raises(ValueError):
        CrisisConfig(window=timedelta(0))
    with pytest.raises(ValueError):
        CrisisConfig(min_volume=0)


def _signal(det_key: str = "brand:acme") -> CrisisSignal:
    clock = Clock(START)
    sig = feed(brand_windows(clock, min_history=timedelta(0)), clock, 5, every=timedelta(seconds=1))
    assert sig and sig[0].key == det_key
    return sig[0]


def test_crisis_entity_lifecycle_and_reopen_rules() -> None:
    sig = _signal()
    now = START
    crisis, outcome = on_signal(None, sig, now, new_id="c1")
    assert outcome == "opened" and crisis.status == CrisisStatus.open
    crisis, outcome = on_signal(crisis, sig, now + timedelta(minutes=5), new_id="c2")
    assert outcome == "updated" and crisis.id == "c1" and len(crisis.evidence) == 2
    crisis = acknowledge(crisis, "anna", now)
    assert acknowledge(crisis, "boris", now).acknowledged_by == "anna"
    crisis = resolve(crisis, "anna", now + timedelta(hours=1))
    with pytest.raises(CrisisTransitionError):
        acknowledge(crisis, "anna", now)
    again, outcome = on_signal(crisis, sig, now + timedelta(hours=5), new_id="c3")
    assert (outcome, again.id, again.status, again.reopen_count) == (
        "reopened",
        "c1",
        CrisisStatus.open,
        1,
    )
    assert again.acknowledged_by is None
    later, outcome = on_signal(crisis, sig, now + timedelta(days=3), new_id="c4")
    assert (outcome, later.id, later.reopen_count) == ("opened", "c4", 0)
    assert reopen(crisis, "vera", now).status == CrisisStatus.open
    with pytest.raises(CrisisTransitionError):
        reopen(again, "vera", now)
