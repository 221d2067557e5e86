"""Match quality on labelled question/fact pairs, and the threshold that suits an encoder.

    python -m services.responder.fact.calibrate --facts FACTS.yaml --pairs PAIRS.jsonl \
        [--embed-url http://127.0.0.1:8003/api/embed --token TOKEN]

Each pair line: {"question", "language", "platform", "sku", "brand", "fact": id or null}.
Precision = proposed facts that are the right one; recall = questions with a fact that
got it. The threshold chosen maximises F0.5 (a wrong fact costs more than a missing one:
the agent must notice and remove it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from services.responder.fact.contract import FactAnswer, SellerFact
from services.responder.fact.embedder import Embedder, FactVectorCache, HttpEmbedder
from services.responder.fact.loader import load_facts_file
from services.responder.fact.matching import MatchSettings, match_all
from services.responder.fact.resolution import resolve


@dataclass(frozen=True)
class Pair:
    question: str
    language: str
    platform: str | None
    sku: str | None
    brand: str | None
    fact: str | None


@dataclass(frozen=True)
class Quality:
    threshold: float | None
    proposed: int
    correct: int
    positives: int
    negatives_answered: int

    @property
    def precision(self) -> float:
        return self.correct / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.positives if self.positives else 1.0

    def f_beta(self, beta: float = 0.5) -> float:
        p, r = self.precision, self.recall
        return (1 + beta**2) * p * r / (beta**2 * p + r) if p + r else 0.0

    def line(self, method: str) -> str:
        at = f" at {self.threshold:.2f}" if self.threshold is not None else ""
        return (
            f"{method}{at}: precision {self.precision:.3f} ({self.correct}/{self.proposed}), "
            f"recall {self.recall:.3f} ({self.correct}/{self.positives}), "
            f"answers to no-fact questions {self.negatives_answered}"
        )


def load_pairs(path: Path) -> list[Pair]:
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw: dict[str, Any] = json.loads(line)
            pairs.append(
                Pair(
                    question=str(raw["question"]),
                    language=str(raw["language"]),
                    platform=raw.get("platform"),
                    sku=raw.get("sku"),
                    brand=raw.get("brand"),
                    fact=raw.get("fact"),
                )
            )
        except (ValueError, KeyError) as exc:
            raise SystemExit(f"{path}:{number}: not a pair ({exc})") from exc
    return pairs


Answers = Sequence[tuple[str | None, float]]


def quality(
    pairs: Sequence[Pair],
    answers: Answers,
    threshold: float | None,
    fallback: Answers | None = None,
) -> Quality:
    """Below the threshold the embedding proposes nothing and `fallback` (keywords) may."""
    proposed = correct = negatives = 0
    for index, (pair, (fact_id, score)) in enumerate(zip(pairs, answers, strict=True)):
        if threshold is not None and score < threshold:
            fact_id = fallback[index][0] if fallback is not None else None
        if fact_id is None:
            continue
        proposed += 1
        correct += fact_id == pair.fact
        negatives += pair.fact is None
    positives = sum(p.fact is not None for p in pairs)
    return Quality(threshold, proposed, correct, positives, negatives)


async def answers_for(
    pairs: Sequence[Pair], facts: Sequence[SellerFact], embedder: Embedder | None
) -> list[tuple[str | None, float]]:
    """Each pair's best fact and score (no threshold: the sweep applies one)."""
    out: list[tuple[str | None, float]] = []
    cache = FactVectorCache()
    settings = MatchSettings(threshold=-1.0)
    for pair in pairs:
        fact_set = resolve(facts, sku=pair.sku, brand=pair.brand, platform=pair.platform)
        (answer,) = await match_all(
            [pair.question], fact_set, pair.language, embedder, cache=cache, settings=settings
        )
        out.append(_pick(answer))
    return out


def _pick(answer: FactAnswer | None) -> tuple[str | None, float]:
    return (answer.fact.id, answer.score) if answer else (None, 0.0)


def best_threshold(pairs: Sequence[Pair], answers: Answers, fallback: Answers) -> Quality:
    """The threshold of the best F0.5 of embedding-then-keywords: the middle of the best
    plateau, so that a slightly different question set does not fall off its edge."""
    candidates = [quality(pairs, answers, t / 100, fallback) for t in range(5, 96)]
    top = max(round(q.f_beta(), 6) for q in candidates)
    best = [q for q in candidates if round(q.f_beta(), 6) == top]
    return best[len(best) // 2]


def to_facts(path: Path) -> list[SellerFact]:
    from services.responder.fact.contract import FactTopic

    out = []
    for fact in load_facts_file(path).facts:
        topic: FactTopic = fact.topic
        out.append(
            SellerFact(
                id=fact.id,
                topic=topic,
                text=fact.text,
                sku=fact.sku,
                brand=fact.brand,
                platforms=tuple(fact.platforms) if fact.platforms else None,
                keywords={k: tuple(v) for k, v in fact.keywords.items()},
            )
        )
    return out


@dataclass(frozen=True)
class Report:
    keyword: Quality
    #: Embedding alone at the chosen threshold, and embedding then keywords (production).
    embedding: Quality | None = None
    combined: Quality | None = None


async def report(facts_path: Path, pairs_path: Path, embedder: Embedder | None) -> Report:
    facts = to_facts(facts_path)
    pairs = load_pairs(pairs_path)
    keywords = await answers_for(pairs, facts, None)
    keyword = quality(pairs, keywords, None)
    if embedder is None:
        return Report(keyword)
    vectors = await answers_for(pairs, facts, embedder)
    combined = best_threshold(pairs, vectors, keywords)
    return Report(keyword, quality(pairs, vectors, combined.threshold), combined)


async def _main(args: argparse.Namespace) -> int:
    async with httpx.AsyncClient() as client:
        embedder = (
            HttpEmbedder(client, args.embed_url, args.token, timeout_s=30.0)
            if args.embed_url
            else None
        )
        result = await report(args.facts, args.pairs, embedder)
    print(result.keyword.line("keywords only"))
    if result.embedding is not None and result.combined is not None:
        model = getattr(embedder, "model", "")
        print(result.embedding.line(f"embedding only ({model})"))
        print(result.combined.line("embedding, then keywords below the threshold"))
        print(f"threshold (max F0.5 of the combination): {result.combined.threshold:.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.responder.fact.calibrate")
    parser.add_argument("--facts", type=Path, required=True)
    parser.add_argument("--pairs", type=Path, required=True)
    parser.add_argument("--embed-url")
    parser.add_argument("--token", default="otklik-dev-token")
    return asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
