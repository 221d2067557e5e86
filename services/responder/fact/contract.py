"""What the draft engine knows of seller facts: plain, in-memory values, no I/O.

The queue resolves the facts that apply to one mention (shop, brand, SKU, platform) into a
`FactSet` and matches each question of the review to at most one fact (`FactAnswer`)
before it calls the engine; the engine states only these facts, never invented ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

FactTopic = Literal[
    "returns",  # how a buyer returns an item on this platform
    "exchange",  # whether / how an exchange works (most marketplaces: return + reorder)
    "size_advice",  # «маломерит на размер», "order one size up"
    "manual",  # where the (Russian) manual is
    "material",  # composition, fabric, what it is made of
    "certificates",  # certificate or declaration of conformity
    "compatibility",  # which devices / models it fits
    "care",  # washing, cleaning, storage
    "warranty",  # warranty terms and how to claim
    "support_hours",  # when the shop's support answers
    "delivery",  # shipping terms the seller controls
    "other",
]
FACT_TOPICS: tuple[str, ...] = get_args(FactTopic)


@dataclass(frozen=True)
class SellerFact:
    """One statement the shop approved, in each language it was written in."""

    id: str
    topic: FactTopic
    #: language -> wording, as it may appear in a reply («Модель маломерит на размер.»).
    text: dict[str, str]
    #: Scope: None = any. The most specific matching fact wins (sku > brand > shop).
    sku: str | None = None
    brand: str | None = None
    platforms: tuple[str, ...] | None = None
    #: language -> words a question about it may use (the keyword fallback of matching).
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Bumped on every edit: cached embeddings of the wording are per (id, revision).
    revision: int = 1

    def wording(self, language: str) -> str | None:
        return self.text.get(language)


@dataclass(frozen=True)
class FactSet:
    """The facts that apply to one mention, most specific first."""

    facts: tuple[SellerFact, ...] = ()

    def by_topic(self, topic: str) -> SellerFact | None:
        return next((f for f in self.facts if f.topic == topic), None)

    def wording(self, topic: str, language: str) -> str | None:
        fact = self.by_topic(topic)
        return fact.wording(language) if fact else None


@dataclass(frozen=True)
class FactAnswer:
    """A fact proposed as the answer to one question; the agent confirms it before approval."""

    question: str
    fact: SellerFact
    #: The fact's wording in the reply's language.
    wording: str
    score: float
    method: Literal["embedding", "keyword"]


#: One entry per question of the classification, in order: the matched fact or None.
FactAnswers = Sequence[FactAnswer | None]
