from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from services.alerts.crisis.detector import CrisisConfig, CrisisDetector, CrisisSignal
from services.alerts.crisis.domain import (
    CrisisStatus,
    CrisisTransitionError,
    acknowledge,
    on_signal,
    reopen,
    resolve,
)
from shared.events import Sentiment
from tests.alerts.factories import classification, mention

START = datetime(2025, 3, 1, tzinfo=UTC)
NEG = Sentiment.negative


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def feed(
    det: CrisisDetector,
    clock: Clock,
    n: int,
    *,
    every: timedelta,
    brand: str = "Acme",
    sentiment: Sentiment = NEG,
    aspect: str = "leak",
    prefix: str = "m",
) -> list[CrisisSignal]:
    out: list[CrisisSignal] = []
    for i in range(n):
        clock.now += every
        m = mention(
            f"{prefix}{clock.now.timestamp()}-{i}", brand=brand, sku=None, text=f"<b>bad</b> {i}"
        )
        c = classification(sentiment, aspects=((aspect, sentiment),))
        out += det.observe(m, c)
    return out


def test_steady_traffic_never_alerts_then_one_alert_on_spike_none_in_cooldown() -> None:
    clock = Clock(START)
    det = CrisisDetector(CrisisConfig(dimensions=("brand",)), clock=clock)
    # 26 h of steady traffic: 3 negatives an hour (every 20 min), plus positives.
    steady = feed(det, clock, 26 * 3, every=timedelta(minutes=20))
    steady += feed(det, clock, 100, every=timedelta(seconds=1), sentiment=Sentiment.positive)
    assert steady == []
    spike = feed(det, clock, 30, every=timedelta(seconds=30), prefix="spike")
    assert len(spike) == 1
    sig = spike[0]
    assert sig.key == "brand:acme" and sig.dimension == "brand" and sig.value == "acme"
    assert sig.negatives >= sig.baseline_rate * 3 and sig.negatives >= 5
    assert 2.5 <= sig.baseline_rate <= 3.5  # its own history: ~3 per hour
    assert sig.total >= sig.negatives
    assert sig.top_aspects[0][0] == "leak"
    assert 0 < len(sig.samples) <= 5 and "<b>bad</b>" in sig.samples[-1]["text"]
    assert sig.playbook and sig.evidence()["top_aspects"][0]["aspect"] == "leak"
    # Still spiking inside the cool-down (6 h): no second alert.
    assert feed(det, clock, 60, every=timedelta(minutes=1), prefix="more") == []
    # After the cool-down, a fresh bigger spike alerts again.
    clock.now += timedelta(hours=6)
    assert len(feed(det, clock, 200, every=timedelta(seconds=5), prefix="again")) == 1


def test_minimum_volume() -> None:
    clock = Clock(START)
    det = CrisisDetector(
        CrisisConfig(dimensions=("brand",), min_volume=5, min_history=timedelta(0)), clock=clock
    )
    assert feed(det, clock, 4, every=timedelta(minutes=1)) == []
    assert len(feed(det, clock, 1, every=timedelta(minutes=1))) == 1


def test_warmup_and_short_history_baseline() -> None:
    clock = Clock(START)
    det = CrisisDetector(CrisisConfig(dimensions=("brand",), min_volume=3), clock=clock)
    # No saved state: 2 h at 10 negatives/hour is history, not a crisis.
    assert feed(det, clock, 20, every=timedelta(minutes=6)) == []
    # The baseline is 10/h from the 2 h watched, not 20 spread over 24 h: 12/h is normal.
    assert feed(det, clock, 12, every=timedelta(minutes=5)) == []
    spike = feed(det, clock, 40, every=timedelta(seconds=30))
    assert len(spike) == 1 and spike[0].baseline_rate >= 9


def test_aspect_and_product_keys() -> None:
    clock = Clock(START)
    det = CrisisDetector(
        CrisisConfig(min_volume=3, ratio=2.0, min_history=timedelta(0)), clock=clock
    )
    signals: list[CrisisSignal] = []
    for i in range(3):
        clock.now += timedelta(minutes=1)
        c = classification(
            Sentiment.neutral, aspects=(("Delivery", NEG), ("price", Sentiment.positive))
        )
        signals += det.observe(mention(str(i), brand="B", sku="S-9"), c)
    keys = {s.key for s in signals}
    assert keys == {"aspect:delivery"}  # neutral overall: brand/product not negative


def test_state_survives_restart() -> None:
    clock = Clock(START)
    cfg = CrisisConfig(dimensions=("brand",), min_history=timedelta(0))
    det = CrisisDetector(cfg, clock=clock)
    assert len(feed(det, clock, 10, every=timedelta(seconds=10))) == 1
    blob = json.dumps(det.snapshot())
    restored = CrisisDetector.from_snapshot(json.loads(blob), cfg, clock=clock)
    assert restored.snapshot() == det.snapshot()
    assert feed(restored, clock, 10, every=timedelta(seconds=10)) == []  # cool-down kept
    clock.now += timedelta(days=3)
    restored.prune()
    assert restored.snapshot()["keys"] == {}


def test_evaluate_all_and_config_validation() -> None:
    clock = Clock(START)
    det = CrisisDetector(CrisisConfig(dimensions=("brand",)), clock=clock)
    assert det.evaluate_all() == []
    with pytest.raises(ValueError):
        CrisisConfig(bucket=timedelta(hours=2))


def _signal(det_key: str = "brand:acme") -> CrisisSignal:
    clock = Clock(START)
    det = CrisisDetector(CrisisConfig(dimensions=("brand",), min_history=timedelta(0)), clock=clock)
    sig = feed(det, clock, 5, every=timedelta(seconds=1))
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
