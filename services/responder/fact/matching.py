"""Which fact answers a question: by meaning (sentence embeddings), else by keywords.

The embedding matcher compares the question with each fact's wording and with its
topic's description (a question in a buyer's words) and takes the best cosine at or above
the threshold. Without an embedder, when it fails, or when no fact reaches the threshold,
the keyword matcher looks for the fact's own keywords and its topic's keywords among the
question's lemmas, forgiving one typo in words of five letters or more (its precision is
high: a keyword hit is a safe second chance). `FactAnswer.method` says which matched.

A fact without a wording in the reply's language is never proposed: nothing is translated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from services.responder.fact.contract import FactAnswer, FactSet, SellerFact
from services.responder.fact.embedder import (
    Embedder,
    EmbedderError,
    FactVectorCache,
    Vector,
    cosine,
)
from services.responder.fact.keywords import TOPIC_DESCRIPTIONS, TOPIC_KEYWORDS, lemma, words
from shared.logging import get_logger

log = get_logger(__name__)

#: Cosine at or above which a fact answers a question, per embedding model: each model has
#: its own cosine scale (e5 puts unrelated sentences near 0.75, trigrams near 0.2).
#: Calibrated (max F0.5 of embedding-then-keywords, the middle of the best plateau) on
#: tests/responder/fact/match_pairs.jsonl with `python -m services.responder.fact.calibrate`;
#: RESPONDER_FACTS_THRESHOLD overrides it for every model.
MODEL_THRESHOLDS: dict[str, float] = {
    "multilingual-e5-small": 0.90,
    "hashed-char-trigrams": 0.57,
}
#: A model the table does not know: strict, so an uncalibrated encoder proposes little.
DEFAULT_THRESHOLD = 0.90
FACT_KEYWORD_WEIGHT = 1.0
TOPIC_KEYWORD_WEIGHT = 0.6
#: One topic keyword is enough; a fact's own keyword counts more.
KEYWORD_MIN = 0.6


def threshold_for(model: str) -> float:
    """The calibrated threshold of `model` (names may carry a suffix: «…-256»)."""
    for name, value in MODEL_THRESHOLDS.items():
        if model == name or model.startswith(name + "-"):
            return value
    return DEFAULT_THRESHOLD


@dataclass(frozen=True)
class MatchSettings:
    #: None: the calibrated threshold of the model that embedded (`threshold_for`).
    threshold: float | None = None

    def threshold_of(self, model: str) -> float:
        return self.threshold if self.threshold is not None else threshold_for(model)


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = 0
    edits = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        edits += 1
        if edits > 1:
            return False
        if len(a) == len(b):
            if i + 1 < len(a) and a[i] == b[j + 1] and a[i + 1] == b[j]:  # swapped letters
                i += 2
                j += 2
                continue
            i += 1
        j += 1
    return edits + (len(b) - j) + (len(a) - i) <= 1


def _similar(token: str, keyword: str) -> bool:
    if token == keyword:
        return True
    return min(len(token), len(keyword)) >= 5 and _edit_distance_at_most_one(token, keyword)


def _phrase_lemmas(phrase: str) -> list[str]:
    return [lemma(w) for w in words(phrase)]


def _has_phrase(tokens: Sequence[tuple[str, str]], phrase: str) -> bool:
    """Every word of the phrase (as a lemma) is among the question's words or lemmas."""
    parts = _phrase_lemmas(phrase)
    return bool(parts) and all(
        any(_similar(lem, p) or _similar(surface, p) for surface, lem in tokens) for p in parts
    )


def keyword_score(question: str, fact: SellerFact) -> float:
    """Weighted hits of the fact's keywords and its topic's keywords in the question."""
    tokens = [(w, lemma(w)) for w in words(question)]
    if not tokens:
        return 0.0
    score = 0.0
    for phrases in fact.keywords.values():
        score += FACT_KEYWORD_WEIGHT * sum(_has_phrase(tokens, p) for p in phrases)
    for phrases in TOPIC_KEYWORDS.get(fact.topic, {}).values():
        score += TOPIC_KEYWORD_WEIGHT * sum(_has_phrase(tokens, p) for p in phrases)
    return score


def _eligible(fact_set: FactSet, language: str) -> list[SellerFact]:
    return [f for f in fact_set.facts if f.wording(language)]


#: A question about what is in stock («когда будет 52 размер?», "is there a bigger size?"):
#: no topic holds stock, and a size or care fact near it in words would answer another
#: question; a person answers it.
_STOCK = re.compile(
    r"в\s+наличи|поступлени|завоз|поступит|появит\w*\s+(?:в\s+продаж|снова|ещ[её])|"
    r"когда\s+(?:будет|будут|появ\w+|привез\w+|заве?з\w+)|(?:будет|будут)\s+ли\s+(?:\w+\s+)?(?:размер|цвет)|"
    r"есть\s+ли\s+(?:\w+\s+)?(?:больш|меньш)\w*\s+размер|"
    r"\b(?:restock|back\s+in\s+stock|in\s+stock|out\s+of\s+stock|sold\s+out|"
    r"(?:is|are)\s+there\s+(?:a|any)\s+(?:bigger|larger|smaller|other)\s+(?:size|colou?r)s?|"
    r"(?:will|do)\s+you\s+(?:have|get|make|stock)\s+(?:it\s+|this\s+|them\s+)?(?:in\s+)?(?:a\s+)?"
    r"(?:bigger|larger|smaller|size|colou?r))",
    re.IGNORECASE,
)


def asks_stock(question: str) -> bool:
    return _STOCK.search(question) is not None


def match_keywords(question: str, fact_set: FactSet, language: str) -> FactAnswer | None:
    """The fact whose keywords the question uses most (the most specific on a tie)."""
    if asks_stock(question):
        return None
    best: tuple[float, SellerFact] | None = None
    for fact in _eligible(fact_set, language):
        score = keyword_score(question, fact)
        if score >= KEYWORD_MIN and (best is None or score > best[0]):
            best = (score, fact)
    if best is None:
        return None
    score, fact = best
    return FactAnswer(
        question=question,
        fact=fact,
        wording=fact.wording(language) or "",
        score=round(min(1.0, score / 2.0), 4),
        method="keyword",
    )


def fact_texts(fact: SellerFact, language: str) -> list[tuple[str, str]]:
    """(kind, text) pairs the question is compared with: the wording and the topic's ask."""
    out = [("wording", fact.wording(language) or "")]
    description = TOPIC_DESCRIPTIONS.get(fact.topic, {}).get(language, "")
    if description:
        out.append(("topic", description))
    return out


def best_by_vectors(
    question: Vector, candidates: Sequence[tuple[SellerFact, Sequence[Vector]]], threshold: float
) -> tuple[SellerFact, float] | None:
    """The fact whose closest text is nearest the question, if at or above the threshold."""
    best: tuple[SellerFact, float] | None = None
    for fact, vectors in candidates:
        score = max((cosine(question, v) for v in vectors), default=0.0)
        if score >= threshold and (best is None or score > best[1]):
            best = (fact, score)
    return best


def _model_of(embedder: Embedder) -> str:
    return str(getattr(embedder, "model", None) or type(embedder).__name__)


async def _fact_vectors(
    facts: Sequence[SellerFact],
    language: str,
    question_vectors: Sequence[Vector],
    embedder: Embedder,
    cache: FactVectorCache,
    pending_questions: Sequence[str],
) -> tuple[list[Vector], list[tuple[SellerFact, list[Vector]]]]:
    """Embed the questions and every fact text not cached yet, in one request."""
    model = _model_of(embedder)
    keys: list[tuple[SellerFact, list[tuple[str, ...]]]] = []
    missing: dict[tuple[str, ...], str] = {}
    for fact in facts:
        fact_keys: list[tuple[str, ...]] = []
        for kind, text in fact_texts(fact, language):
            key = (model, fact.id, str(fact.revision), language, kind)
            fact_keys.append(key)
            if cache.get(key) is None:
                missing[key] = text
        keys.append((fact, fact_keys))
    texts = [*pending_questions, *missing.values()]
    vectors = list(await embedder.embed(texts)) if texts else []
    if len(vectors) != len(texts):
        raise EmbedderError("the embedder answered the wrong number of vectors")
    questions = [*question_vectors, *vectors[: len(pending_questions)]]
    new_model = _model_of(embedder)  # an HTTP embedder learns its model on the first call
    for (_, fact_id, revision, lang, kind), vector in zip(
        missing, vectors[len(pending_questions) :], strict=True
    ):
        cache.put((new_model, fact_id, revision, lang, kind), vector)
    candidates = []
    for fact, fact_keys in keys:
        found = [cache.get((new_model, *k[1:])) for k in fact_keys]
        candidates.append((fact, [v for v in found if v is not None]))
    return questions, candidates


async def match_all(
    questions: Sequence[str],
    fact_set: FactSet,
    language: str,
    embedder: Embedder | None,
    *,
    cache: FactVectorCache | None = None,
    settings: MatchSettings | None = None,
) -> list[FactAnswer | None]:
    """One answer (or None) per question; one embedding request for all of them."""
    settings = settings or MatchSettings()
    facts = _eligible(fact_set, language)
    if not questions or not facts:
        return [None] * len(questions)
    if embedder is not None:
        try:
            question_vectors, candidates = await _fact_vectors(
                facts,
                language,
                [],
                embedder,
                cache if cache is not None else FactVectorCache(),
                list(questions),
            )
        except EmbedderError as exc:
            log.warning("fact matching falls back to keywords", error=str(exc))
        except Exception as exc:  # a broken embedder must not stop a draft
            log.warning("fact matching falls back to keywords", error=type(exc).__name__)
        else:
            out: list[FactAnswer | None] = []
            threshold = settings.threshold_of(_model_of(embedder))
            for question, vector in zip(questions, question_vectors, strict=True):
                if asks_stock(question):
                    out.append(None)
                    continue
                best = best_by_vectors(vector, candidates, threshold)
                out.append(
                    FactAnswer(
                        question=question,
                        fact=best[0],
                        wording=best[0].wording(language) or "",
                        score=round(best[1], 4),
                        method="embedding",
                    )
                    if best
                    else match_keywords(question, fact_set, language)
                )
            return out
    return [match_keywords(q, fact_set, language) for q in questions]


async def match(
    question: str,
    fact_set: FactSet,
    language: str,
    embedder: Embedder | None,
    *,
    cache: FactVectorCache | None = None,
    settings: MatchSettings | None = None,
) -> FactAnswer | None:
    """The fact that answers one question, or None."""
    (answer,) = await match_all(
        [question], fact_set, language, embedder, cache=cache, settings=settings
    )
    return answer
