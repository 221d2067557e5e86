"""Aggregates on generated traffic: replays, edited reviews, late assignments, answers, SLA.

Handlers are driven directly with envelopes over a real database (SQLite and PostgreSQL);
the expected figures are computed here from the final truth of each mention, independently
of the aggregation code.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from insight.factories import due_in_24h, envelope, make_classification, make_mention, migrated
from services.responder.insight import handlers, queries
from services.responder.insight.schemas import InsightFilter
from services.responder.insight.service import QUOTES_PER_BUCKET
from shared.db import session_scope
from shared.events import (
    AlertRaised,
    AssignmentMade,
    Envelope,
    MentionClassified,
    MentionKind,
    ReplyPublished,
    Sentiment,
    SlaChanged,
    SlaState,
)

pytestmark = pytest.mark.postgres

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PLATFORMS = ("wildberries", "ozon", "yandex_market")
PRODUCTS = (("Acme", "A-1"), ("Acme", "A-2"), ("Bolt", "B-1"), ("Bolt", "B-2"))
ASPECTS = ("size", "delivery", "quality", "packaging")
OWNERS = (("o1", "Olga"), ("o2", "Ivan"), ("o3", "Mia"))
ALL = InsightFilter(date(2026, 1, 1), date(2026, 12, 31))


@dataclass
class Truth:
    """The final state of one generated mention, as the test knows it."""

    platform: str
    brand: str
    sku: str
    day: date
    kind: MentionKind
    sentiment: Sentiment
    rating: int | None
    aspects: set[tuple[str, Sentiment]]
    owner: str = ""
    answer_seconds: int | None = None
    due_seconds: int = 24 * 3600
    events: list[Envelope[Any]] = field(default_factory=list)
    stale: list[Envelope[Any]] = field(default_factory=list)


def _classified(rng: random.Random, i: int, rev: int, published: datetime, t: Truth) -> Any:
    words = {a: f"The {a} is {'great' if rng.random() < 0.5 else 'bad'}." for a in ASPECTS}
    chosen = rng.sample(ASPECTS, rng.randint(0, 2))
    aspects = [(a, rng.choice(list(Sentiment)), words[a]) for a in chosen]
    text = f"Review {i} rev {rev}. " + " ".join(words[a] for a in chosen)
    rating = None if t.kind is not MentionKind.review else rng.randint(1, 5)
    mention = make_mention(
        external_id=f"ext-{i}",
        platform=t.platform,
        text=text,
        rating=rating,
        brand=t.brand,
        sku=t.sku,
        name=f"Product {t.sku}",
        published_at=published,
        kind=t.kind,
    )
    sentiment = rng.choice(list(Sentiment))
    t.sentiment, t.rating = sentiment, rating
    t.aspects = {(a, p) for a, p, _ in aspects}
    return mention, MentionClassified(
        mention=mention, classification=make_classification(mention, sentiment, aspects)
    )


def generate(n: int, seed: int = 7) -> tuple[list[Truth], list[Envelope[Any]]]:
    rng = random.Random(seed)
    truths: list[Truth] = []
    for i in range(n):
        brand, sku = rng.choice(PRODUCTS)
        published = START + timedelta(days=rng.randint(0, 9), minutes=rng.randint(0, 600))
        kind = rng.choices(list(MentionKind), weights=(8, 1, 1))[0]
        t = Truth(
            rng.choice(PLATFORMS),
            brand,
            sku,
            published.date(),
            kind,
            Sentiment.neutral,
            None,
            set(),
        )
        occurred = published + timedelta(minutes=5)
        mention, first = _classified(rng, i, 1, published, t)
        t.events.append(envelope(first, occurred_at=occurred))
        if rng.random() < 0.3:  # the customer edits the review: a new revision
            mention, second = _classified(rng, i, 2, published, t)
            t.events.append(envelope(second, occurred_at=occurred + timedelta(hours=2)))
            t.stale.append(t.events[0])  # replayed after the edit: must not win
        mid = mention.mention_id
        if rng.random() < 0.7:
            for _ in range(rng.randint(1, 2)):  # sometimes reassigned
                owner_id, owner_name = rng.choice(OWNERS)
                t.owner = owner_id
                t.events.append(
                    envelope(
                        AssignmentMade(mention_id=mid, owner_id=owner_id, owner_name=owner_name)
                    )
                )
        answered: datetime | None = None
        if kind is not MentionKind.mention and rng.random() < 0.6:
            answered = published + timedelta(seconds=rng.randint(600, 40 * 3600))
            t.answer_seconds = int((answered - published).total_seconds())
            t.events.append(
                envelope(
                    ReplyPublished(
                        reply_id=uuid.uuid4(),
                        mention_id=mid,
                        platform=t.platform,
                        published_at=answered,
                    )
                )
            )
        if kind is not MentionKind.mention:
            due = published + timedelta(hours=24)
            state = None
            if answered is not None:
                state = SlaState.met if answered <= due else SlaState.breached
            elif rng.random() < 0.5:
                state = SlaState.breached
                t.answer_seconds = None
                t.due_seconds = -1  # marked breached without an answer
            if state is not None:
                t.events.append(
                    envelope(
                        SlaChanged(mention_id=mid, state=state, platform=t.platform, due_at=due)
                    )
                )
        truths.append(t)
    # Interleave mentions, keep each mention's own order (one Kafka key, one partition).
    queues = [list(t.events) for t in truths]
    stream: list[Envelope[Any]] = []
    while any(queues):
        q = rng.choice([q for q in queues if q])
        stream.append(q.pop(0))
    replays = rng.sample(stream, len(stream) // 3)
    stale = [e for t in truths for e in t.stale]
    return truths, stream + replays + stale + stream[: len(stream) // 4]


async def deliver(sessions: Any, events: list[Envelope[Any]], batched: bool = False) -> None:
    """One handler call per event, or (`batched`) runs of consecutive classified mentions
    handed to the batch handler as the consumer fetches them (up to 40 at a time)."""
    route = {
        MentionClassified.event_type: partial(
            handlers.handle_mention_classified, sessions=sessions, deadline_for=due_in_24h
        ),
        AssignmentMade.event_type: partial(handlers.handle_assignment_made, sessions=sessions),
        ReplyPublished.event_type: partial(handlers.handle_reply_published, sessions=sessions),
        SlaChanged.event_type: partial(handlers.handle_sla_changed, sessions=sessions),
        AlertRaised.event_type: partial(handlers.handle_alert_raised, sessions=sessions),
    }
    if not batched:
        for env in events:
            await route[env.type](env)
        return
    run: list[Envelope[Any]] = []
    for env in [*events, None]:
        if env is not None and env.type == MentionClassified.event_type and len(run) < 40:
            run.append(env)
            continue
        if run:
            await handlers.handle_mentions_classified(
                run, sessions=sessions, deadline_for=due_in_24h
            )
            run = []
        if env is not None and env.type == MentionClassified.event_type:
            run.append(env)
        elif env is not None:
            await route[env.type](env)


def sla_of(t: Truth) -> str | None:
    if t.kind is MentionKind.mention:
        return None
    if t.answer_seconds is not None:
        return "met" if t.answer_seconds <= 24 * 3600 else "breached"
    return "breached" if t.due_seconds < 0 else None


@pytest.mark.parametrize("batched", [False, True], ids=["one_by_one", "batched"])
async def test_aggregates_match_generated_traffic_with_replays_and_edits(
    databases: Any, batched: bool
) -> None:
    """Batched: the insights consumer's batch handler, one transaction per fetched run of
    classified mentions (replays and edits of one mention in one batch included)."""
    truths, stream = generate(240)
    async with migrated(await databases.new("insights")) as sessions:
        await deliver(sessions, stream, batched=batched)
        async with session_scope(sessions) as session:
            overview = await queries.overview(session, ALL)
            team = await queries.team(session, ALL)
            product = await queries.product(session, "A-1", ALL)
            brand_b = await queries.overview(
                session, InsightFilter(ALL.day_from, ALL.day_to, brand="Bolt")
            )

    by_platform = {r.platform: r for r in overview.by_platform}
    for p in PLATFORMS:
        mine = [t for t in truths if t.platform == p]
        assert by_platform[p].mentions == len(mine)
        for s in Sentiment:
            assert getattr(by_platform[p], s.value) == sum(t.sentiment is s for t in mine)
        rated = [t.rating for t in mine if t.rating is not None]
        assert by_platform[p].rating_count == len(rated)
        assert by_platform[p].rating_avg == pytest.approx(round(sum(rated) / len(rated), 2))
    assert overview.totals.mentions == len(truths)
    trend = {r.day: r.negative for r in overview.sentiment_trend}
    expected_trend = Counter(t.day for t in truths if t.sentiment is Sentiment.negative)
    assert {d: n for d, n in trend.items() if n} == dict(expected_trend)
    assert brand_b.totals.mentions == sum(t.brand == "Bolt" for t in truths)

    # Answers and SLA per owner (reassignment moved the counts to the last owner).
    per_owner: dict[str, Counter[str]] = defaultdict(Counter)
    for t in truths:
        if t.kind is MentionKind.mention:
            continue
        c = per_owner[t.owner]
        c["answerable"] += 1
        if t.answer_seconds is not None:
            c["answered"] += 1
            c["seconds"] += t.answer_seconds
            c["1h"] += t.answer_seconds <= 3600
        outcome = sla_of(t)
        if outcome:
            c[outcome] += 1
    owners = {o.owner_id: o for o in team.owners}
    assert set(owners) == set(per_owner)
    for owner_id, c in per_owner.items():
        row = owners[owner_id]
        assert (row.answerable, row.answered, row.answered_1h) == (
            c["answerable"],
            c["answered"],
            c["1h"],
        )
        assert (row.sla_met, row.sla_breached) == (c["met"], c["breached"])
        if c["answered"]:
            assert row.avg_answer_hours == pytest.approx(
                round(c["seconds"] / c["answered"] / 3600, 2)
            )
    names = {o.owner_id: o.owner_name for o in team.owners}
    assert names["o1"] == "Olga" and names[""] == "(unassigned)"
    met = sum(sla_of(t) == "met" for t in truths)
    breached = sum(sla_of(t) == "breached" for t in truths)
    assert (overview.sla.sla_met, overview.sla.sla_breached) == (met, breached)
    assert overview.sla.compliance == pytest.approx(round(met / (met + breached), 4))

    # Aspects of one product: the final revision's aspects only.
    expected_aspects: dict[str, Counter[str]] = defaultdict(Counter)
    for t in truths:
        if t.sku == "A-1":
            for aspect, polarity in t.aspects:
                expected_aspects[aspect][polarity.value] += 1
    got = {a.aspect: a for a in product.aspects if a.positive + a.neutral + a.negative}
    assert set(got) == set(expected_aspects)
    for aspect, c in expected_aspects.items():
        assert (got[aspect].positive, got[aspect].neutral, got[aspect].negative) == (
            c["positive"],
            c["neutral"],
            c["negative"],
        )
        assert len(got[aspect].complaint_quotes) <= QUOTES_PER_BUCKET
    negatives = [a.negative for a in product.weak_points]
    assert negatives == sorted(negatives, reverse=True)


async def test_edited_review_moves_counts_and_quotes(databases: Any) -> None:
    published = START
    before = make_mention(
        external_id="e1", text="The zip broke on day one.", rating=1, published_at=published
    )
    after = make_mention(
        external_id="e1",
        text="Seller replaced it, the zip is fine now.",
        rating=4,
        published_at=published,
    )
    async with migrated(await databases.new("insights")) as sessions:
        first = envelope(
            MentionClassified(
                mention=before,
                classification=make_classification(
                    before,
                    Sentiment.negative,
                    [("zip", Sentiment.negative, "The zip broke on day one")],
                ),
            ),
            occurred_at=published,
        )
        second = envelope(
            MentionClassified(
                mention=after,
                classification=make_classification(
                    after, Sentiment.positive, [("zip", Sentiment.positive, "the zip is fine now")]
                ),
            ),
            occurred_at=published + timedelta(hours=3),
        )
        await deliver(sessions, [first, first, second, first, second])
        async with session_scope(sessions) as session:
            product = await queries.product(session, "SKU-1", ALL)
    assert product.totals.mentions == 1
    assert (product.totals.positive, product.totals.negative) == (1, 0)
    assert product.totals.rating_avg == 4
    [zip_row] = product.aspects
    assert (zip_row.positive, zip_row.negative) == (1, 0)
    assert zip_row.praise_quotes == ["Seller replaced it, the zip is fine now."]
    assert zip_row.complaint_quotes == []
    assert product.weak_points == []


async def test_crisis_alerts_count_once(databases: Any) -> None:
    alert = AlertRaised(
        alert_id=uuid.uuid4(),
        kind="crisis",
        severity="critical",
        title="Negatives spike",
        details={"key": "brand:acme", "dimension": "brand"},
    )
    other = AlertRaised(alert_id=uuid.uuid4(), kind="escalation", title="x")
    async with migrated(await databases.new("insights")) as sessions:
        events = [envelope(alert, occurred_at=START), envelope(other, occurred_at=START)]
        await deliver(sessions, events + events)
        async with session_scope(sessions) as session:
            everything = await queries.overview(session, ALL)
            acme = await queries.overview(
                session, InsightFilter(ALL.day_from, ALL.day_to, brand="Acme")
            )
            bolt = await queries.overview(
                session, InsightFilter(ALL.day_from, ALL.day_to, brand="Bolt")
            )
    assert [(c.day, c.crises) for c in everything.crises] == [(START.date(), 1)]
    assert len(acme.crises) == 1 and bolt.crises == []


async def test_answer_before_the_mention_is_counted_when_it_arrives(databases: Any) -> None:
    mention = make_mention(external_id="late", published_at=START)
    async with migrated(await databases.new("insights")) as sessions:
        await deliver(
            sessions,
            [
                envelope(
                    ReplyPublished(
                        reply_id=uuid.uuid4(),
                        mention_id=mention.mention_id,
                        platform=mention.platform,
                        published_at=START + timedelta(hours=2),
                    )
                ),
                envelope(
                    MentionClassified(
                        mention=mention,
                        classification=make_classification(mention, Sentiment.positive),
                    )
                ),
            ],
        )
        async with session_scope(sessions) as session:
            overview = await queries.overview(session, ALL)
    assert overview.sla.answered == 1 and overview.sla.answered_4h == 1
    assert overview.sla.sla_met == 1 and overview.sla.avg_answer_hours == 2.0
