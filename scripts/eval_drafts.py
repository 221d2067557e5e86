"""Draft evaluation: the real path (sentiment → facts → draft → lint) on the project's set.

    python scripts/eval_drafts.py [--cases PATH] [--facts PATH] [--show N] [--strict]

Reads services/responder/evaluation/draft_cases.jsonl and seller_facts.yaml, classifies each
review with the sentiment pipeline and its default (shipped) classifier, resolves the seller
facts for the case's SKU / brand / platform, matches each question to a fact, drafts the
reply (the shop's earlier drafts count as its recent replies) and lints it. Reports:
family correct, questions blocked or answered from a fact, problem named in complaints,
forbidden content, slot errors and the shop-wide sentence repeat rate, then every failure
with the case id, the review and the draft. A dev tool: it composes two services in one
process (as bench/ does); the services themselves never import each other.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.responder.draft.engine import (  # noqa: E402
    Draft,
    DraftSettings,
    draft_reply,
    find_questions,
)
from services.responder.draft.family import draft_family  # noqa: E402
from services.responder.draft.slots import _DANGLING  # noqa: E402
from services.responder.draft.variety import repeat_rate  # noqa: E402
from services.responder.fact.contract import FactAnswer, FactSet, SellerFact  # noqa: E402
from services.responder.lint import FORBIDDEN_CODES  # noqa: E402
from services.sentiment.classifier.base import load_classifier  # noqa: E402
from services.sentiment.classifier.pipeline import MentionInput, analyse  # noqa: E402
from shared.events import Classification, Mention, MentionKind, Product, mention_id_for  # noqa: E402

EVAL_DIR = ROOT / "services" / "responder" / "evaluation"
TARGETS = {"family": 0.97, "questions": 1.0, "problem": 0.90}
COMPLAINTS = {"negative", "neutral", "positive_remark"}
_CYR = re.compile(r"[А-Яа-яЁё]")
_QUOTED = re.compile(r"«([^«»]*)»")
_SHOP_BRAND = "Тёплый дом"
_SHOP_BRAND_EN = "Warm Home"


# --- seller facts ------------------------------------------------------------------------
def load_facts(path: Path) -> list[SellerFact]:
    """The facts file as SellerFact values (shape of seller_facts.yaml)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = data.get("facts", []) if isinstance(data, dict) else data
    out = []
    for item in items:
        platforms = item.get("platforms")
        out.append(
            SellerFact(
                id=str(item["id"]),
                topic=item["topic"],
                text={str(k): str(v) for k, v in (item.get("text") or {}).items()},
                sku=item.get("sku"),
                brand=item.get("brand"),
                platforms=tuple(platforms) if platforms else None,
            )
        )
    return out


def _stand_in_resolve(
    facts: Sequence[SellerFact], sku: str | None, brand: str | None, platform: str
) -> FactSet:
    """STAND-IN until the facts module lands: most specific fact per topic."""

    def level(f: SellerFact) -> int | None:
        if (f.sku and f.sku != sku) or (f.brand and f.brand != brand):
            return None
        if f.platforms and platform not in f.platforms:
            return None
        return (2 if f.sku else 1 if f.brand else 0) * 2 + (1 if f.platforms else 0)

    best: dict[str, tuple[int, SellerFact]] = {}
    for fact in facts:
        lv = level(fact)
        if lv is not None and (fact.topic not in best or lv > best[fact.topic][0]):
            best[fact.topic] = (lv, fact)
    return FactSet(tuple(f for _, f in sorted(best.values(), key=lambda t: -t[0])))


_STAND_IN_KEYWORDS: dict[str, tuple[str, ...]] = {
    "returns": ("вернуть", "возврат", "return", "refund"),
    "exchange": ("обмен", "поменять", "exchange", "swap"),
    "size_advice": ("размер", "маломер", "большемер", "рост", "брать", "size", "fit"),
    "manual": ("инструкц", "manual", "instruction"),
    "material": (
        "материал",
        "состав",
        "ткань",
        "утеплит",
        "наполнит",
        "хлоп",
        "кожа",
        "leather",
        "material",
        "fabric",
        "made of",
        "filling",
        "cotton",
    ),
    "certificates": ("сертификат", "декларац", "certificat"),
    "compatibility": (
        "подойд",
        "подходит",
        "встан",
        "совмест",
        "compatib",
        "fit my",
        "work with",
        "fit a",
        "fit the",
    ),
    "care": ("стира", "мыть", "уход", "wash", "clean", "care"),
    "warranty": ("гарант", "warrant", "guarantee"),
    "support_hours": ("часы работы", "когда отвеча", "работаете", "hours", "support", "online"),
    "delivery": ("доставк", "delivery", "shipping"),
}


def _stand_in_match(question: str, facts: FactSet, language: str) -> FactAnswer | None:
    """STAND-IN until the facts module lands: a plain keyword match of question to topic."""
    q = question.lower()
    for fact in facts.facts:
        wording = fact.wording(language)
        if wording and any(k in q for k in _STAND_IN_KEYWORDS.get(fact.topic, ())):
            return FactAnswer(question, fact, wording, 1.0, "keyword")
    return None


class _InProcessTrigrams:
    """The sentiment service's default sentence encoder (what `make run` serves at
    /api/embed), called in-process: this dev tool composes the two services as bench/ does."""

    def __init__(self) -> None:
        from services.sentiment.embedding.trigram import HashedTrigramEncoder

        self._encoder = HashedTrigramEncoder()

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [list(map(float, row)) for row in self._encoder.embed(list(texts))]


def fact_functions() -> tuple[Callable[..., FactSet], Callable[..., list[FactAnswer | None]], str]:
    """The facts module's resolution and matching (embeddings, keyword fallback), or the
    stand-ins above when the module is not in this checkout."""
    try:
        from services.responder.fact.matching import match_all
        from services.responder.fact.resolution import resolve
    except ImportError:

        def stand_in(
            questions: Sequence[str], facts: FactSet, language: str
        ) -> list[FactAnswer | None]:
            return [_stand_in_match(q, facts, language) for q in questions]

        return _stand_in_resolve, stand_in, "stand-in keyword match"
    try:
        embedder: Any = _InProcessTrigrams()
        how = "facts module (trigram embeddings, keyword fallback)"
    except ImportError:
        embedder, how = None, "facts module (keyword matching)"

    def matched(questions: Sequence[str], facts: FactSet, language: str) -> list[FactAnswer | None]:
        return asyncio.run(match_all(list(questions), facts, language, embedder))

    return resolve, matched, how


# --- one case ----------------------------------------------------------------------------
@dataclass
class Result:
    case: dict[str, Any]
    draft: Draft
    family: str
    failures: list[str] = field(default_factory=list)


def mention_of(case: dict[str, Any]) -> Mention:
    product = case.get("product") or {}
    kind = MentionKind.question if case.get("kind") == "question" else MentionKind.review
    return Mention(
        mention_id=mention_id_for(case["platform"], case["id"]),
        platform=case["platform"],
        source_id="eval",
        external_id=case["id"],
        kind=kind,
        text=case.get("text") or "",
        pros=case.get("pros"),
        cons=case.get("cons"),
        rating=case.get("rating"),
        author=case.get("author"),
        product=Product(
            name=product.get("name"), sku=product.get("sku"), brand=product.get("brand")
        ),
        published_at=datetime(2026, 1, 1, tzinfo=UTC),
        language_hint=case.get("language"),
    )


def slot_errors(case: dict[str, Any], draft: Draft, generic: set[str]) -> list[str]:
    text = draft.text
    errors = []
    if draft.language == "en" and _CYR.search(text):
        errors.append("Cyrillic inside an English reply")
    if text.count("«") != text.count("»") or text.count('"') % 2:
        errors.append("unbalanced quotes")
    for quoted in _QUOTED.findall(text):
        words = quoted.split()
        if words and (words[-1].lower() in _DANGLING or re.search(r"\d[,.]$", quoted)):
            errors.append(f"cut title «{quoted}»")
    author = (case.get("author") or "").strip()
    first_line = text.splitlines()[0] if text else ""
    if author:
        head = author.split()[0].strip(".,").lower()
        if (
            author.lower() in generic or head in generic or head in {"тётя", "тетя", "ип", "дядя"}
        ) and (re.search(rf"(?i)\b{re.escape(head)}\b", first_line)):
            errors.append(f"generic name greeted ({author})")
    return errors


def evaluate(
    cases: list[dict[str, Any]], facts: list[SellerFact]
) -> tuple[list[Result], dict[str, Any]]:
    resolve, match, how = fact_functions()  # match: questions -> one answer (or None) each
    classifier = load_classifier(None)
    classified: list[Classification] = analyse(
        [MentionInput(mention_of(c).full_text, c.get("rating"), c.get("language")) for c in cases],
        classifier,
    )
    settings = DraftSettings(brand=_SHOP_BRAND, english_brand=_SHOP_BRAND_EN)
    generic = {
        "покупатель", "покупательница", "гость", "анонимный", "аноним", "пользователь",
        "клиент", "customer", "user", "guest", "anonymous", "a google user", "buyer",
    }  # fmt: skip
    shop_replies: list[str] = []
    results: list[Result] = []
    for case, classification in zip(cases, classified, strict=True):
        mention = mention_of(case)
        product = case.get("product") or {}
        fact_set = resolve(facts, product.get("sku"), product.get("brand"), case["platform"])
        questions = find_questions(mention, classification)
        language = case.get("language") or "ru"
        answers = match(questions, fact_set, language) if questions else []
        draft = draft_reply(
            mention=mention,
            classification=classification,
            recent_replies=shop_replies[-200:],
            settings=settings,
            facts=fact_set,
            answers=answers,
        )
        shop_replies.append(draft.text)
        result = Result(case, draft, draft_family(mention, classification))
        gold = case.get("gold") or {}
        if draft.family != gold.get("family"):
            result.failures.append(f"family {draft.family} ≠ gold {gold.get('family')}")
        if gold.get("asks"):
            ok = bool(draft.answers) and all(
                a.fact_id or "{answer}" in draft.text for a in draft.answers
            )
            if not ok:
                result.failures.append("question neither answered from a fact nor blocked")
            elif gold.get("fact_topic") and not draft.facts_used and "{answer}" in draft.text:
                result.failures.append(
                    f"answerable from a fact ({gold['fact_topic']}) but left to a person"
                )
        if gold.get("family") in COMPLAINTS and gold.get("problem_words"):
            low = draft.text.lower().replace("ё", "е")
            if not any(w.lower().replace("ё", "е") in low for w in gold["problem_words"]):
                result.failures.append("problem not named")
        forbidden = [i for i in draft.lint if i.code in FORBIDDEN_CODES]
        for issue in forbidden:
            start, end = issue.span or (0, 0)
            result.failures.append(f"forbidden {issue.code}: «{draft.text[start:end]}»")
        for error in slot_errors(case, draft, generic):
            result.failures.append(f"slot: {error}")
        results.append(result)

    def share(pred: Callable[[Result], bool], among: Callable[[Result], bool]) -> tuple[int, int]:
        pool = [r for r in results if among(r)]
        return sum(1 for r in pool if pred(r)), len(pool)

    def gold(r: Result) -> dict[str, Any]:
        return r.case.get("gold") or {}

    metrics = {
        "facts": how,
        "family": share(lambda r: r.draft.family == gold(r).get("family"), lambda r: True),
        "questions": share(
            lambda r: not any("question neither" in f for f in r.failures),
            lambda r: bool(gold(r).get("asks")),
        ),
        "answered_from_fact": share(
            lambda r: bool(r.draft.facts_used) and "{answer}" not in r.draft.text,
            lambda r: bool(gold(r).get("asks") and gold(r).get("fact_topic")),
        ),
        "problem": share(
            lambda r: "problem not named" not in r.failures,
            lambda r: gold(r).get("family") in COMPLAINTS and bool(gold(r).get("problem_words")),
        ),
        "forbidden": sum(1 for r in results for i in r.draft.lint if i.code in FORBIDDEN_CODES),
        "slot_errors": sum(1 for r in results for f in r.failures if f.startswith("slot:")),
        "repeat_rate": repeat_rate(
            shop_replies, exempt=[t for f in facts for t in f.text.values()]
        ),
        "lengths": sorted(len(r.draft.text) for r in results),
    }
    return results, metrics


def _pct(pair: tuple[int, int]) -> str:
    ok, total = pair
    return f"{ok}/{total} = {100 * ok / total:.1f} %" if total else "n/a"


def report(results: list[Result], metrics: dict[str, Any], show: int) -> bool:
    lengths = metrics["lengths"]
    print(f"cases: {len(results)}   facts: {metrics['facts']}")
    print(f"family correct:                 {_pct(metrics['family'])}   (target ≥ 97 %)")
    print(f"questions blocked or answered:  {_pct(metrics['questions'])}   (target 100 %)")
    print(f"  answered from a fact:         {_pct(metrics['answered_from_fact'])}")
    print(f"problem named in complaints:    {_pct(metrics['problem'])}   (target ≥ 90 %)")
    print(f"forbidden content findings:     {metrics['forbidden']}   (target 0)")
    print(f"slot errors:                    {metrics['slot_errors']}   (target 0)")
    print(f"shop-wide sentence repeat rate: {100 * metrics['repeat_rate']:.1f} %")
    if lengths:
        print(
            f"reply length: median {lengths[len(lengths) // 2]}, "
            f"min {lengths[0]}, max {lengths[-1]} characters"
        )
    failed = [r for r in results if r.failures]
    print(f"\nfailures: {len(failed)} case(s)")
    for r in failed:
        print(
            f"\n[{r.case['id']}] {r.case['platform']} {r.case.get('rating')}★ — "
            + "; ".join(r.failures)
        )
        print("  review: " + " ".join((r.case.get("text") or "").split()))
        print("  draft:  " + r.draft.text.replace("\n", " / "))
    for r in results[:show]:
        print(f"\n--- {r.case['id']} {r.case['platform']} {r.case.get('rating')}★ {r.draft.family}")
        print("  review: " + " ".join((r.case.get("text") or "").split()))
        print("  " + r.draft.text.replace("\n", "\n  "))
    fam_ok, fam_n = metrics["family"]
    q_ok, q_n = metrics["questions"]
    p_ok, p_n = metrics["problem"]
    return (
        (not fam_n or fam_ok / fam_n >= TARGETS["family"])
        and q_ok == q_n
        and (not p_n or p_ok / p_n >= TARGETS["problem"])
        and metrics["forbidden"] == 0
        and metrics["slot_errors"] == 0
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=EVAL_DIR / "draft_cases.jsonl")
    parser.add_argument("--facts", type=Path, default=EVAL_DIR / "seller_facts.yaml")
    parser.add_argument("--show", type=int, default=0, help="print the first N drafts too")
    parser.add_argument("--only", default="", help="only cases whose id contains this")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    for path in (args.cases, args.facts):
        if not path.is_file():
            print(
                f"missing {path}: the draft evaluation set is not in this checkout", file=sys.stderr
            )
            return 2
    cases = []
    for number, line in enumerate(args.cases.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                cases.append(json.loads(line))
            except json.JSONDecodeError as exc:
                print(f"{args.cases}:{number}: not JSON ({exc})", file=sys.stderr)
                return 2
    cases = [c for c in cases if args.only in c.get("id", "")]
    results, metrics = evaluate(cases, load_facts(args.facts))
    passed = report(results, metrics, args.show)
    print("\nall targets met" if passed else "\nsome targets missed")
    return 1 if args.strict and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
