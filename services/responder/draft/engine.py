"""Draft engine: a case-adapted reply from a script, never the same text twice.

Pure and deterministic for a given seed: the caller passes the mention, its
classification, the platform policy and the recent replies for the same product and
platform (it owns storage); the engine returns a Draft to show and lint in the queue.

Choices, and why:
- Language: a review in a language we have scripts for is answered in it (ru, en);
  anything else falls back to the platform's configured language, else `default_language`
  ("ru": the sellers' marketplaces are Russian-speaking, and uk/kk/be readers read Russian).
- Sentiment: when stars and text disagree the text wins (`text_sentiment`): a 5-star review
  with a complaint needs an apology, not a thank-you for the stars.
- Script: the matching script with the highest priority (aspect- and platform-specific
  variants outrank the generic ones); ties are drawn at random for variety.
- Anti-template: each attempt draws new phrasings (and optional moves); the draft is
  compared with the recent replies by character shingles; above the threshold it re-draws,
  up to `max_attempts`, and keeps the least similar lint-clean attempt.
- Questions: the factual answer is left as `{answer}` for a person to write; the lint keeps
  approval blocked until it is replaced (`Draft.needs_input`).
- Follow-ups: with `resolution` (the owner's note when a case is resolved) the engine drafts
  the public follow-up from the `follow_up` scripts, `{resolution}` filled from the note;
  the same language choice, anti-template re-draws and lint apply.
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from shared.events import Classification, Mention, MentionKind, Sentiment

from ..lint import LintIssue, PlatformPolicy, canonical_platform, lint_reply, policy_for
from ..script.loader import ScriptLibrary, load_scripts
from ..script.model import REQUIRED_MOVES, LanguageFile, MoveSpec, ScriptSpec, phrasing_slots
from .similarity import DEFAULT_SHINGLE, max_similarity, shingles

#: Which blamed aspect a reply addresses first: the one that costs the customer most.
PROBLEM_SEVERITY: tuple[str, ...] = (
    "counterfeit",
    "defect",
    "transit_damage",
    "quality",
    "size_fit",
    "smell_material",
    "delivery_speed",
    "packaging",
    "seller_service",
    "instructions_language",
    "price",
    "other",
)
ANSWER_PLACEHOLDER = "{answer}"
_NAME = re.compile(r"^[^\W\d_][^\W\d_'\-]{1,29}$", re.UNICODE)
_PRODUCT_MAX = 60


class DraftError(RuntimeError):
    """No script can produce a reply for this mention (scripts missing for a case)."""


@dataclass(frozen=True)
class DraftSettings:
    """Seller-level settings the drafts need; the lead maps them from service config."""

    brand: str = ""
    #: E-mail/phone/site of the seller's support; used only where the platform allows contacts.
    support_contact: str | None = None
    similarity_threshold: float = 0.5
    max_attempts: int = 12
    shingle_size: int = DEFAULT_SHINGLE
    default_language: str = "ru"
    #: Language for reviews in a language without scripts, per platform (e.g. google_play: en).
    platform_languages: Mapping[str, str] = field(default_factory=dict)
    #: Chance that an optional move is included; variety without losing required ones.
    optional_move_rate: float = 0.5


@dataclass(frozen=True)
class Draft:
    """A proposed reply plus what the queue shows next to it."""

    text: str
    language: str
    script_id: str
    moves: tuple[str, ...]
    #: Highest shingle similarity to any recent reply (0..1), and which one.
    similarity: float
    most_similar_index: int | None
    attempts: int
    seed: int
    lint: tuple[LintIssue, ...]
    #: Slots a person must fill before approval (question answers).
    needs_input: tuple[str, ...] = ()

    @property
    def lint_errors(self) -> tuple[LintIssue, ...]:
        return tuple(i for i in self.lint if i.severity == "error")


@lru_cache(maxsize=1)
def default_library() -> ScriptLibrary:
    """The shipped scripts, loaded and validated once per process."""
    return load_scripts()


@dataclass(frozen=True)
class _Case:
    """What the script choice and the slots depend on, derived once per mention."""

    language: str
    kind: str  # review | question
    sentiment: str
    rating: int | None
    platform: str
    liked: tuple[str, ...]
    problems: tuple[str, ...]
    contradiction: bool


@dataclass
class _Part:
    spec: MoveSpec
    options: list[str]  # rendered phrasings that can be filled
    chosen: str


def _seed_for(mention: Mention) -> int:
    return (mention.mention_id.int ^ zlib.crc32(mention.revision.encode())) % (2**63)


def _pick_language(
    mention: Mention,
    classification: Classification,
    library: ScriptLibrary,
    settings: DraftSettings,
) -> str:
    platform = canonical_platform(mention.platform)
    for candidate in (classification.language, (mention.language_hint or "")[:2].lower()):
        if candidate and library.has_language(candidate):
            return candidate
    for fallback in (settings.platform_languages.get(platform), settings.default_language):
        if fallback and library.has_language(fallback):
            return fallback
    if not library.languages:
        raise DraftError("no script languages loaded")
    return sorted(library.languages)[0]


def _case(mention: Mention, classification: Classification, language: str) -> _Case:
    sentiment = classification.sentiment
    if classification.rating_contradiction and classification.text_sentiment is not None:
        sentiment = classification.text_sentiment
    ordered = sorted(classification.aspects, key=lambda a: a.start)
    liked: list[str] = []
    for aspect in ordered:
        if aspect.polarity is Sentiment.positive and aspect.aspect != "other":
            if aspect.aspect not in liked:
                liked.append(aspect.aspect)
    blamed = {a.aspect for a in classification.aspects if a.polarity is Sentiment.negative}
    problems = [a for a in PROBLEM_SEVERITY if a in blamed]
    problems += sorted(blamed - set(PROBLEM_SEVERITY))
    return _Case(
        language=language,
        kind="question" if mention.kind is MentionKind.question else "review",
        sentiment=sentiment.value,
        rating=mention.rating,
        platform=canonical_platform(mention.platform),
        liked=tuple(liked),
        problems=tuple(problems),
        contradiction=classification.rating_contradiction,
    )


def _matches(script: ScriptSpec, case: _Case) -> bool:
    when = script.when
    if script.kind != case.kind:
        return False
    if script.sentiment is not None and script.sentiment.value != case.sentiment:
        return False
    if when.min_rating is not None and (case.rating is None or case.rating < when.min_rating):
        return False
    if when.max_rating is not None and (case.rating is None or case.rating > when.max_rating):
        return False
    if when.problem_aspects is not None and not set(when.problem_aspects) & set(case.problems):
        return False
    if when.problem_aspect is not None and when.problem_aspect != bool(case.problems):
        return False
    if when.liked_aspect is not None and when.liked_aspect != bool(case.liked):
        return False
    if when.platforms is not None and case.platform not in {
        canonical_platform(p) for p in when.platforms
    }:
        return False
    return when.rating_contradiction is None or when.rating_contradiction == case.contradiction


def resolution_sentence(note: str) -> str:
    """The owner's note as it reads inside a reply: one line, a capital, a full stop."""
    text = " ".join(note.split())
    if not text:
        raise DraftError("a follow-up needs the resolution note: what was done")
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


def _customer_name(author: str | None, doc: LanguageFile) -> str | None:
    """A first name we can greet by, or None for placeholders, nicknames and noise."""
    if not author:
        return None
    generic = {g.lower() for g in doc.slots.generic_names}
    cleaned = " ".join(author.split())
    if cleaned.lower() in generic:
        return None
    first = cleaned.split(" ")[0].strip(".,")
    if not _NAME.match(first) or first.lower() in generic:
        return None
    return first[0].upper() + first[1:] if first.islower() else first


def _product(name: str | None) -> str | None:
    """A short product name that reads well in quotes; long card titles are cut."""
    if not name:
        return None
    short = name.split(",")[0].split(" / ")[0].strip().strip("«»\"' ")
    if len(short) > _PRODUCT_MAX:
        short = short[:_PRODUCT_MAX].rsplit(" ", 1)[0]
    return short or None


def _slot_values(
    mention: Mention,
    case: _Case,
    doc: LanguageFile,
    policy: PlatformPolicy,
    settings: DraftSettings,
) -> dict[str, str | None]:
    tables = doc.slots
    if policy.forbid_contacts or not settings.support_contact:
        route = tables.support_contact.in_platform
        contact = route.get(case.platform, route["default"])
    else:
        contact = tables.support_contact.direct.format(contact=settings.support_contact)
    return {
        "customer_name": _customer_name(mention.author, doc),
        "product": _product(mention.product.name),
        "brand": (settings.brand or mention.product.brand or "").strip() or None,
        "support_contact": contact,
        "order_hint": tables.order_hint.get(case.platform, tables.order_hint["default"]),
        "answer": ANSWER_PLACEHOLDER,
        "liked_aspect": None,
        "problem_aspect": None,
    }


def _fill(phrasing: str, values: Mapping[str, str | None]) -> str | None:
    names = phrasing_slots(phrasing)
    if any(values.get(n) is None for n in names):
        return None
    text = phrasing.format_map({n: values[n] for n in names})
    return text[0].upper() + text[1:] if text else text


def _assemble(parts: Sequence[_Part]) -> str:
    """Greeting on its own line, body as one paragraph, sign-off on its own line."""
    head: list[str] = []
    tail: list[str] = []
    body = [p.chosen for p in parts]
    if parts and parts[0].spec.move == "greeting":
        head = [body.pop(0)]
    if len(parts) > 1 and parts[-1].spec.move == "sign_off":
        tail = [body.pop()]
    chunks = [*head, " ".join(body), *tail]
    return "\n".join(c for c in chunks if c)


def _length(text: str, policy: PlatformPolicy) -> int:
    return len(text.encode()) if policy.length_unit == "bytes" else len(text)


def _fit(parts: list[_Part], cap: int | None, policy: PlatformPolicy) -> list[_Part]:
    """Under a length cap: drop optional moves from the end, then take the shortest phrasings."""
    if cap is None or _length(_assemble(parts), policy) <= cap:
        return parts
    parts = list(parts)
    while _length(_assemble(parts), policy) > cap:
        optional = [i for i, p in enumerate(parts) if p.spec.optional]
        if not optional:
            break
        del parts[optional[-1]]
    if _length(_assemble(parts), policy) > cap:
        for part in parts:
            part.chosen = min(part.options, key=len)
    return parts


def _render(
    script: ScriptSpec,
    doc: LanguageFile,
    base: Mapping[str, str | None],
    case: _Case,
    rng: random.Random,
    policy: PlatformPolicy,
    settings: DraftSettings,
) -> list[_Part] | None:
    values = dict(base)
    if case.liked:
        liked: str = rng.choice(case.liked)
        values["liked_aspect"] = doc.slots.liked_aspect[liked]  # type: ignore[index]
    targeted = [a for a in case.problems if a in (script.when.problem_aspects or case.problems)]
    if targeted:
        values["problem_aspect"] = doc.slots.problem_aspect[targeted[0]]  # type: ignore[index]
    parts: list[_Part] = []
    for spec in script.moves:
        phrasings = spec.phrasings if spec.phrasings is not None else doc.phrasings[spec.move]
        options = [t for t in (_fill(p, values) for p in phrasings) if t is not None]
        if not options:
            if spec.optional:
                continue
            return None
        if spec.optional and rng.random() >= settings.optional_move_rate:
            continue
        parts.append(_Part(spec, options, rng.choice(options)))
    return _fit(parts, policy.cap_for(case.kind), policy)


def _blocking(issues: Sequence[LintIssue]) -> int:
    """Errors that a re-draw could avoid (an `{answer}` placeholder is expected)."""
    return sum(
        1
        for i in issues
        if i.severity == "error"
        and not (i.code == "unfilled_slot" and ANSWER_PLACEHOLDER in i.message)
    )


def draft_reply(
    *,
    mention: Mention,
    classification: Classification,
    platform_policy: PlatformPolicy | None = None,
    recent_replies: Sequence[str] = (),
    seed: int | None = None,
    settings: DraftSettings | None = None,
    library: ScriptLibrary | None = None,
    resolution: str | None = None,
) -> Draft:
    """Draft a reply for one mention.

    `recent_replies`: the latest published/approved replies for the same product and
    platform (the caller chooses the window, e.g. the last 100). `seed`: None derives it
    from the mention, so the same mention drafts the same text until regenerated.
    `resolution`: draft the public follow-up of a resolved case from the owner's note.
    """
    settings = settings or DraftSettings()
    library = library or default_library()
    policy = platform_policy or policy_for(mention.platform)
    seed = _seed_for(mention) if seed is None else seed
    rng = random.Random(seed)
    language = _pick_language(mention, classification, library, settings)
    doc = library.languages[language]
    case = _case(mention, classification, language)
    if resolution is not None:
        case = replace(case, kind="follow_up")
    candidates = [s for s in doc.scripts if _matches(s, case)]
    if not candidates:
        raise DraftError(
            f"no {language} script for a {case.sentiment} {case.kind} on {case.platform}"
        )
    priorities = sorted({s.priority for s in candidates}, reverse=True)
    tiers = [[s for s in candidates if s.priority == p] for p in priorities]
    base = _slot_values(mention, case, doc, policy, settings)
    if resolution is not None:
        base["resolution"] = resolution_sentence(resolution)
    recent = [shingles(r, settings.shingle_size) for r in recent_replies]

    best: tuple[tuple[int, float], Draft] | None = None
    for attempt in range(1, max(1, settings.max_attempts) + 1):
        rendered: tuple[ScriptSpec, list[_Part]] | None = None
        for tier in tiers:
            order = list(tier)
            rng.shuffle(order)
            for script in order:
                parts = _render(script, doc, base, case, rng, policy, settings)
                if parts is not None and not (
                    REQUIRED_MOVES[script.family] - {p.spec.move for p in parts}
                ):
                    rendered = (script, parts)
                    break
            if rendered:
                break
        if rendered is None:
            raise DraftError(f"no script could fill its required moves for {case}")
        script, parts = rendered
        text = _assemble(parts)
        sim, where = max_similarity(shingles(text, settings.shingle_size), recent)
        issues = lint_reply(text, policy, kind=case.kind)
        draft = Draft(
            text=text,
            language=language,
            script_id=script.id,
            moves=tuple(p.spec.move for p in parts),
            similarity=round(sim, 4),
            most_similar_index=where,
            attempts=attempt,
            seed=seed,
            lint=tuple(issues),
            needs_input=("answer",) if ANSWER_PLACEHOLDER in text else (),
        )
        score = (_blocking(issues), sim)
        if best is None or score < best[0]:
            best = (score, draft)
        if score[0] == 0 and sim < settings.similarity_threshold:
            break
    assert best is not None
    chosen = best[1]
    return replace(chosen, attempts=attempt)


def regenerate(
    previous: Draft,
    *,
    mention: Mention,
    classification: Classification,
    platform_policy: PlatformPolicy | None = None,
    recent_replies: Sequence[str] = (),
    seed: int | None = None,
    settings: DraftSettings | None = None,
    library: ScriptLibrary | None = None,
) -> Draft:
    """A different draft on demand: a new seed, and the previous text counts as recent."""
    next_seed = previous.seed + 1 if seed is None else seed
    avoid = [*recent_replies, previous.text]
    for offset in range(20):
        draft = draft_reply(
            mention=mention,
            classification=classification,
            platform_policy=platform_policy,
            recent_replies=avoid,
            seed=next_seed + offset,
            settings=settings,
            library=library,
        )
        if draft.text != previous.text:
            return draft
    return draft
