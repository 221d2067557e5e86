"""Facts for one draft: the facts that apply to the mention, and the one (if any) that
answers each of its questions. The queue calls this before it calls the draft engine."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.responder.fact.contract import FactAnswer, FactSet, SellerFact
from services.responder.fact.embedder import Embedder, FactVectorCache
from services.responder.fact.matching import MatchSettings, match_all
from services.responder.fact.resolution import resolve
from services.responder.fact.service import active_facts
from shared.db import session_scope
from shared.events import Classification, Mention, MentionKind


class FactCatalog:
    """The live facts, read from the database at most every `ttl_s` (replicas see each
    other's edits within it) and at once after an edit made here (`invalidate`)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        ttl_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._ttl = ttl_s
        self._clock = clock
        self._facts: tuple[SellerFact, ...] | None = None
        self._read_at = 0.0

    def bind(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        """The database, once the app's lifespan has opened it."""
        self._sessions = sessions
        self._facts = None

    def invalidate(self) -> None:
        self._facts = None

    async def facts(self) -> tuple[SellerFact, ...]:
        if self._facts is None or self._clock() - self._read_at > self._ttl:
            if self._sessions is None:
                raise RuntimeError("the fact catalog is not bound to a database yet")
            async with session_scope(self._sessions) as session:
                self._facts = tuple(await active_facts(session))
            self._read_at = self._clock()
        return self._facts


@dataclass(frozen=True)
class FactPlan:
    """What a draft may state: the applicable facts and one answer (or None) per question."""

    fact_set: FactSet
    questions: tuple[str, ...]
    answers: tuple[FactAnswer | None, ...]

    def uses(self) -> list[dict[str, Any]]:
        """The proposed answers as the item API shows them (``draft_facts``)."""
        return [
            {
                "id": a.fact.id,
                "topic": a.fact.topic,
                "question": a.question,
                "wording": a.wording,
                "method": a.method,
                "score": a.score,
            }
            for a in self.answers
            if a is not None
        ]


def questions_of(mention: Mention, classification: Classification) -> list[str]:
    """The questions a reply must answer: each one found in the text, and for a question
    mention the whole text (when no single question span already covers it)."""
    found = [" ".join(q.text.split()) for q in classification.questions if q.text.strip()]
    if mention.kind is MentionKind.question:
        whole = " ".join(mention.text.split())
        if whole and whole not in found:
            found.insert(0, whole)
    return list(dict.fromkeys(found))


@dataclass
class FactAnswerer:
    """Resolves and matches facts for a mention; the embedder may be absent or fail."""

    catalog: FactCatalog
    embedder: Embedder | None = None
    settings: MatchSettings = field(default_factory=MatchSettings)
    cache: FactVectorCache = field(default_factory=FactVectorCache)

    async def plan(self, mention: Mention, classification: Classification) -> FactPlan:
        fact_set = resolve(
            await self.catalog.facts(),
            sku=mention.product.sku,
            brand=mention.product.brand,
            platform=mention.platform,
        )
        questions = questions_of(mention, classification)
        answers = await match_all(
            questions,
            fact_set,
            classification.language,
            self.embedder,
            cache=self.cache,
            settings=self.settings,
        )
        return FactPlan(fact_set=fact_set, questions=tuple(questions), answers=tuple(answers))
