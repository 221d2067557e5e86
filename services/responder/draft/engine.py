"""Draft engine: the reply a careful person would write, from scripts and true facts only.

Pure and deterministic for a given seed: the caller passes the mention, its
classification, the seller facts matched to it, the platform policy and the shop's recent
replies (it owns storage); the engine returns a Draft to show and lint in the queue.

Choices, and why:
- Family (`family.draft_family`): the stars choose it (4–5★ positive, 3★ neutral, 1–2★
  negative); the text adds a remark under 4–5★, a slip under 1–2★, sarcasm (a complaint).
  "Another draft" (the queue API) draws again with a new seed and the previous text
  among the recent replies.
- Language: a review in a language we have scripts for is answered in it (ru, en);
  anything else falls back to the platform's configured language, else `default_language`.
- The problem is named in the buyer's words when they are safe to repeat (`details`),
  otherwise with the aspect's own phrase from the script file; the next step comes from
  the platform truth table (where a return is filed, whether there is an exchange) and
  the seller's facts; a step that needs a missing fact is skipped, never invented.
- Questions: every question gets an answer part: the matched fact's wording (the agent
  confirms it) or `{answer}`, which keeps approval blocked (`Draft.needs_input`).
- Variety: each attempt draws new phrasings; the draft is compared sentence by sentence
  with the shop's recent replies and by character shingles; the engine re-draws up to
  `max_attempts` and keeps the attempt with the fewest lint errors, then repeats.
- Follow-ups: with `resolution` the engine drafts the public follow-up of a resolved case.
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise

from services.responder.draft.details import (
    EMOJI,
    FUNCTION_WORDS,
    MARKED_REMARK,
    PHRASAL_END,
    SHORT_REVIEW_WORDS,
    SMELL_WORDS,
    Detail,
    cons_note,
    consumable,
    find_detail,
    find_suggestion,
    fits_app,
    fits_consumable,
    fits_place,
    fits_plural,
    fits_review,
    guess_aspect,
    plural_goods,
    praise_echo,
    problem_clause,
    repeated_stems,
    safe_echo,
    shares_stem,
)
from services.responder.draft.family import (
    _COMPLAINT,
    _MILD,
    _PRAISE,
    _TAKEN_BACK,
    HURT_WORDS,
    TAKEN_BACK_WORDS,
    UPDATE,
    blamed_aspects,
    draft_family,
    found_cue,
    own_story,
    substantive_cons,
    text_cues,
)
from services.responder.draft.recent import default_index
from services.responder.draft.similarity import DEFAULT_SHINGLE, normalise
from services.responder.draft.slots import (
    _DANGLING,
    brand_for,
    customer_name,
    has_cyrillic,
    product_for,
)
from services.responder.draft.variety import (
    NEAR_WINDOW,
    body,
    repeat_penalty,
    repeated_sentences,
    sentences,
)
from services.responder.fact.contract import FactAnswers, FactSet
from services.responder.fact.keywords import finite_verb, grammatical_number, part_of_speech
from services.responder.lint import (
    LintContext,
    LintIssue,
    PlatformPolicy,
    PlatformTruth,
    canonical_platform,
    lint_reply,
    policy_for,
    truth_for,
)
from services.responder.script.loader import ScriptLibrary, load_scripts
from services.responder.script.model import (
    REQUIRED_MOVES,
    LanguageFile,
    MoveSpec,
    ScriptSpec,
    phrasing_slots,
)
from shared.aspects import ASPECTS
from shared.events import Classification, Mention, MentionKind, Sentiment

ANSWER_PLACEHOLDER = "{answer}"
#: Steps that state a seller fact of the same topic.
FACT_STEPS: dict[str, str] = {
    "size": "size_advice",
    "compatibility": "compatibility",
    "manual": "manual",
    "certificates": "certificates",
    "care": "care",
    "material": "material",
    "warranty": "warranty",
}
#: Under a 4–5★ remark only facts are offered (no return offer under a rave).
_REMARK_STEPS = frozenset(FACT_STEPS)
_RETURN_STEPS = frozenset({"return", "return_photos", "exchange"})
#: Faults that leave the buyer without what was ordered, whatever the stars.
_NOT_RECEIVED = frozenset({"missing_parts", "wrong_item"})
#: Faults that can break the item outright; said with a breakage verb under 4–5★ ("but the
#: zipper on the front pocket broke after a month") they are no "fair point" to pass on.
_CAN_BREAK = frozenset({"defect", "not_working", "leak", "transit_damage"})
_BROKE = re.compile(
    r"\b(?:broke|broken|snapped|cracked|tore|ripped|died|dead|stopped\s+working|quit|dented|"
    r"crushed|smashed|shattered|"
    r"came\s+(?:off|apart)|fell\s+(?:off|apart)|leaks?|leaked)\b|(?<![а-яё])(?:сломал|слома[нл]|"
    r"порвал|лопнул|треснул|отвалил|оторвал|перестал\w*\s+(?:работать|включаться|заряжать)|"
    r"протека|протёк|протек|сгорел)",
    re.IGNORECASE,
)


#: Remarks a 4–5★ buyer may send the item back for (they say they will).
_EXCHANGED_FOR = frozenset(
    {"size_fit", "colour_mismatch", "description_mismatch", "compatibility", "quality", "other"}
)


def _put_right(case: _Case) -> bool:
    """A remark under 4–5★ that needs the way to put it right, not thanks for a note: a part
    never sent, a wrong item, or something that broke."""
    if case.looks_used:
        return True  # «банка пришла вскрытая»: a hygiene matter, not a note for the team
    if not case.problems:
        return False
    aspect = case.problems[0]
    if case.giving_back and aspect in _EXCHANGED_FOR:
        return True  # "the waist is way too big… will have to exchange": the way to do it
    return aspect in _NOT_RECEIVED or (
        aspect in _CAN_BREAK and case.echo is not None and _BROKE.search(case.echo) is not None
    )


_MAX_STEPS = 2
#: Under this many words a praise is terse («Норм, заряжает быстро»): no gushing line.
_TERSE_WORDS = 6
#: Remarks a 3★ buyer lives with (weight, noise, a design quirk): no return offer under them.
_LIVED_WITH = frozenset({"quality", "noise", "price", "other", "instructions_language"})
#: After this many attempts an older repeat is accepted: phrasings are already drawn
#: freshest first, so further attempts rarely find better and cost time.
_SETTLE_AFTER = 3
_RHETORICAL = re.compile(
    r"кто\s+(?:собирал|упаковывал|проверял|отправлял)|куда\s+смотр|как\s+так|зачем|за\s+что|где\s+совесть|серь[её]зно|это\s+нормально|и\s+это\s+\w+\?|"
    r"вы\s+издеваетесь|seriously|are\s+you\s+kidding|how\s+could|why\s+would\s+anyone|really\?",
    re.IGNORECASE,
)
#: A question asked without a question mark («Как настроить температуру — непонятно»).
_ASKING = re.compile(
    r"(?:подскажите|скажите|как\s+\w+(?:ть|ться)\b|можно\s+ли|есть\s+ли|где\s+(?:найти|взять|скачать)|"
    r"how\s+do\s+(?:i|you)|can\s+i\b|is\s+there\b|which\s+size|what\s+size)",
    re.IGNORECASE,
)
_QUESTION = re.compile(r"[^.!?\n]*\?+", re.UNICODE)
_VERBISH = re.compile(
    r"(?<![а-яё])[а-яё]+(?:ет|ют|ит|ят|ат|ут|ла|ло|ли|лся|лась|лось|лись|ается|ется|ится)"
    r"(?![а-яё])|(?<![а-яё])(?:не|нет|был|была|было|были)(?![а-яё])|"
    r"\b(?:is|are|was|were|does|doesn't|did|didn't|won't|can't|isn't|aren't|wasn't|has|"
    r"have|had|broke|came|fell|tore|took|got|leaks|smells|sticks|squeaks|rattles|runs|fits)\b|"
    r"(?<=\w )\w+ed\b",
    re.IGNORECASE,
)


class DraftError(RuntimeError):
    """No script can produce a reply for this mention (scripts missing for a case)."""


@dataclass(frozen=True)
class DraftSettings:
    """Seller-level settings the drafts need; the service maps them from its settings."""

    brand: str = ""
    #: The brand as English replies sign it (a Cyrillic brand is left out of English).
    english_brand: str = ""
    #: English names of products whose card title is Cyrillic: {sku or title: name}.
    english_titles: Mapping[str, str] = field(default_factory=dict)
    #: E-mail/phone/site of the seller's support; used only where the platform allows contacts.
    support_contact: str | None = None
    similarity_threshold: float = 0.5
    max_attempts: int = 12
    shingle_size: int = DEFAULT_SHINGLE
    default_language: str = "ru"
    #: Language for reviews in a language without scripts, per platform (e.g. google_play: en).
    platform_languages: Mapping[str, str] = field(default_factory=dict)
    #: Chance that an optional move is included; variety without losing required ones.
    optional_move_rate: float = 0.75
    #: The invite ("we'd be glad to see you again") is rare, and only under praise.
    invite_rate: float = 0.15
    #: Past this many characters optional moves are dropped (readable replies).
    soft_max_chars: int = 430
    #: Under this many characters the optional moves a draw left out come back (a reply of
    #: two stock lines reads cold; the rubric asks for roughly 250–400 characters).
    soft_min_chars: int = 220
    #: Platform truths (overrides of `lint.platforms.DEFAULT_TRUTHS`).
    truths: Mapping[str, PlatformTruth] | None = None


@dataclass(frozen=True)
class AnswerPart:
    """One question of the review and what the draft answers to it."""

    question: str  # the customer's question as written
    fact_id: str | None  # the seller fact proposed as the answer, None = a person writes it
    text: str  # the fact's wording in the reply; "" when a person must write it


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
    #: positive | positive_remark | neutral | negative | rating_slip | question | follow_up
    family: str = "positive"
    answers: tuple[AnswerPart, ...] = ()
    facts_used: tuple[str, ...] = ()
    #: Sentences that already stand in one of the recent replies.
    repeated_sentences: tuple[str, ...] = ()
    #: The aspect the reply names as the problem, and the detail of the review it echoes.
    problem_aspect: str | None = None
    detail: str | None = None
    #: (move, the text it wrote), in order: what each move of the script put in the reply.
    part_texts: tuple[tuple[str, str], ...] = ()

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
    kind: str  # review | question | follow_up
    family: str
    rating: int | None
    platform: str
    liked: tuple[str, ...]
    problems: tuple[str, ...]
    detail: Detail | None
    #: The complaint in the buyer's words, when safe to repeat.
    echo: str | None = None
    #: The review's length in words (a one-liner is not thanked as "detailed").
    words: int = 0
    #: The text names a fault («высыпания по всему лицу») even where no echo is safe:
    #: asking "what went wrong" would ask for what the review already says.
    names_fault: bool = False
    #: The buyer has already sent the item back or waits for the refund: the way to return
    #: it is no next step for them.
    returning: bool = False
    #: The buyer says they can no longer send it back («бирки срезала»): no return route.
    cannot_return: bool = False
    #: Charged for an order or a payment that failed (not twice): its own payments line.
    charged_unplaced: bool = False
    #: The buyer followed the care label and it still failed: care advice would blame them.
    followed_care: bool = False
    #: The goods are used up (cosmetics, food): no wish that they serve long.
    consumable: bool = False
    #: The buyer names the goods in the plural ("these sheets"): no English line says "it".
    plural: bool = False
    #: The order never reached the buyer (a delivery complaint, not a late arrival).
    not_arrived: bool = False
    #: The delivery complaint is how the courier behaved, not how long it took.
    rude_courier: bool = False
    #: The buyer has already stopped using it («перестала пользоваться», "had to stop").
    stopped_using: bool = False
    #: The item came used («пришёл б/у», "someone else's fingerprints").
    looks_used: bool = False
    #: A positive review updated after the fault was put right («UPD: продавец заменил»).
    updated: bool = False
    #: Who or what the danger concerns: "child", "power" (burnt, overheated), or "".
    danger_to: str = ""
    #: The buyer says the item is going back («верну», "it's going back").
    giving_back: bool = False
    #: The review speaks of a smell (the smell-and-material lines say "smell" then).
    smell: bool = False
    #: Someone was hurt (a cut, a burn): they are asked after before anything else.
    hurt: bool = False
    #: A smell the buyer says has gone («запах выветрился за день», "it fades after a
    #: minute"): a note for other buyers, not a fault to be sorry for.
    smell_passed: bool = False
    #: The buyer makes do with it («нормально за свои деньги», "does the job"): a 3★ that
    #: keeps it is not shown the way out.
    makes_do: bool = False
    #: The buyer says the stars were a slip («поставила случайно», "meant to give 5").
    slip_said: bool = False
    #: The buyer has already written or called us: "get in touch" is no next step.
    already_wrote: bool = False
    #: The buyer has had the money back («деньги вернули», "got a refund").
    refunded: bool = False
    #: Lines for what the buyer says beside the main problem (`EXTRA_MOVES`), in order.
    extras: tuple[str, ...] = ()
    #: A second fault in the buyer's words, as a clause (`second_fault`).
    also: str | None = None
    #: The buyer's idea as an infinitive phrase (`find_suggestion`).
    suggestion: str | None = None


@dataclass
class _Part:
    spec: MoveSpec
    options: list[str]
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


def find_questions(mention: Mention, classification: Classification) -> list[str]:
    """The questions the draft must answer: the classifier's spans; for a classification
    without the draft signals (schema version 1), '?' sentences.

    A question mention is one question as a whole. Rhetorical questions in a complaint
    («как так можно?») ask for no answer and are left out.
    """
    if classification.questions or classification.signals:
        return [q.text.strip() for q in classification.questions if q.text.strip()]
    if mention.kind is MentionKind.question:
        return [mention.text.strip()] if mention.text.strip() else []
    found = []
    for m in _QUESTION.finditer(mention.full_text):
        text = m.group(0).strip(" )(—-,")
        if len(text) >= 8 and not _RHETORICAL.search(text):
            found.append(text)
    for sentence in re.split(r"(?<=[.!?…])\s+|\n+", mention.full_text):
        sentence = sentence.strip()
        if sentence and "?" not in sentence and _ASKING.match(sentence):
            found.append(sentence.rstrip(".!… "))
    return found


def _cons_echo(cons: str | None) -> str | None:
    """The cons field in the buyer's words: a comma piece that reads as a clause, else the
    whole field («Длинные, пришлось подшивать» → «пришлось подшивать»)."""
    if not cons:
        return None
    for candidate in [*re.split(r"\s*[,;\n]\s*|(?<=[.!?…])\s+", cons), cons]:
        echo = safe_echo(candidate)
        if echo and not _PRAISE_WORD.search(echo):
            return echo
    return None


_SMELL = re.compile(SMELL_WORDS, re.IGNORECASE)


#: English words that say something is wrong beside the cue lists' faults: a negation,
#: "too", a comparison, a shortfall or an adjective of a fault ("the sleeves are short").
_EN_FAULT_HINT = re.compile(
    r"\b(?:not|no|never|nothing|without|too|than|only|barely|hardly|lack\w*|less|fewer|"
    r"short|long|tight|loose|thin|small|big|large|huge|tiny|heavy|flimsy|cheap\w*|weak|slow|"
    r"hard|stiff|rough|scratchy|itchy|wobbly|dull|blurry|faint|dim|sticky|greasy|cold|hot|"
    r"noisy|loud|uneven|crooked|bent|warped|dirty|stain\w*|wet|damp|mou?ld\w*|rot\w*|rust\w*|"
    r"broken|broke|stuck|loose|dead|died|dies|fail\w*|stopp?\w*|wrong|off|late|lost|"
    r"missing|gone|worse|worst|bad|poor\w*|useless|impossible|difficult|awkward|"
    r"uncomfortable|painful|sharp|leak\w*|crack\w*|peel\w*|chipp?\w*|fad\w*|shr[iu]nk|"
    r"rip\w*|tor[en]|split|snap\w*|bubbl\w*|smell\w*|stink\w*|burn\w*|overheat\w*|sting\w*|"
    r"hurt\w*|pinch\w*|irritat\w*|scratch\w*|sore|blister\w*|chaf\w*|jam\w*|clog\w*|"
    r"\w+n't|cannot)\b|"
    # "took 15 days to arrive", "support takes a full day to answer"
    r"\b(?:took|takes?|taking)\s+(?:\w+\s+){0,3}(?:days?|weeks?|months?|hours?|ages|forever)\b",
    re.IGNORECASE,
)


def names_fault(echo: str) -> bool:
    """An English echo says what is wrong (a Russian one is trusted to its cue lists:
    «ткань тонкая», «рукава короткие» carry the fault in words no short list holds)."""
    if re.search(r"[а-яё]", echo, re.IGNORECASE):
        return True
    return bool(
        found_cue(_COMPLAINT, echo) or found_cue(_MILD, echo) or _EN_FAULT_HINT.search(echo)
    )


def _problems(
    classification: Classification, family: str, text: str, cons: str | None = None
) -> tuple[list[str], str | None]:
    """Blamed aspects, most severe first, and the complaint in the buyer's words.

    Complaint families only: praise never gets a "problem". Without a blamed aspect from
    the classifier the aspect is guessed from the complaint's words, else "other".
    """
    if family not in ("negative", "neutral", "positive_remark"):
        return [], None
    blamed = set(blamed_aspects(classification))
    ordered = [a for a in ASPECTS if a in blamed and a != "other"]
    # "I ordered my regular size 28" blamed the size; "stretched out after an hour" is the
    # fault: an aspect whose every clause names no fault goes after one whose clause does
    faultless = {
        name
        for name in ordered
        if all(
            a.clause and not names_fault(a.clause)
            for a in classification.aspects
            if a.aspect == name and a.polarity is Sentiment.negative
        )
    }
    if faultless and len(faultless) < len(ordered):
        ordered = [a for a in ordered if a not in faultless] + [
            a for a in ordered if a in faultless
        ]
    # "gets hot enough to burn your fingers… smelled like melting plastic": the danger leads,
    # whatever the aspects' usual order
    dangerous = [
        name
        for name in ordered
        if any(
            a.clause and _DANGER.search(a.clause) and not _HURT.search(a.clause)
            for a in classification.aspects
            if a.aspect == name and a.polarity is Sentiment.negative
        )
    ]
    if dangerous and dangerous[0] != ordered[0]:
        ordered = [dangerous[0], *[a for a in ordered if a != dangerous[0]]]
    aspect_echo = problem_clause(text, classification.aspects, ordered[0]) if ordered else None
    if aspect_echo and _PRAISE_WORD.search(aspect_echo):
        aspect_echo = None
    # Clauses from the sentiment service (schema v2) are trusted; a span-derived clause
    # without a complaint word loses to a clause that has one.
    trusted = any(a.clause for a in classification.aspects)
    if aspect_echo and not names_fault(aspect_echo):
        aspect_echo = None  # "I purchased because of the sound quality" names no fault
    if aspect_echo and (
        len(aspect_echo.split()) == 1
        or (
            re.match(r"[а-яё]", aspect_echo, re.IGNORECASE)
            and (
                finite_verb(aspect_echo.split()[0].lower())
                # «жёсткое после стирки»: an adjective whose noun was left before the «но»
                or part_of_speech(aspect_echo.split()[0].lower())[0] in ("ADJF", "ADJS")
            )
        )
    ):
        # «линяют», «пахнут резиной»: the cue lists' clause may carry its subject
        # («полотенца линяют», «кроссовки пахнут резиной»)
        fuller = complaint_echo(text, family)
        if fuller and aspect_echo.lower() in fuller.lower():
            aspect_echo = fuller
    if aspect_echo and (
        len(aspect_echo.split()) == 1
        # «пришло две»: a count with no noun says nothing on its own
        or re.fullmatch(r"\S+\s+(?:два|две|три|один|одна|одно|\d+)", aspect_echo, re.IGNORECASE)
    ):
        # «Но кабель в комплекте всего метр, маловато»: the sentence says what is too small
        sentence = next(
            (s for s in re.split(r"(?<=[.!?…])\s+", text) if aspect_echo.lower() in s.lower()),
            None,
        )
        whole = safe_echo(sentence) if sentence else None
        if sentence and (not whole or len(whole.split()) > _FULLER_WORDS):
            # «…три насадки, пришло две — венчика нет»: from the echo to the sentence's end
            at = sentence.lower().find(aspect_echo.lower())
            tail = safe_echo(sentence[at:]) if at > 0 else None
            # (the buyer's dash would meet the reply's own: «пришло две, венчика нет — это…»)
            whole = re.sub(r"\s+[—–-]\s+", ", ", tail) if tail else whole
        if (
            whole
            and len(whole.split()) <= _FULLER_WORDS
            and not _PRAISE_WORD.search(whole)
            # «шумноват, но для такой цены норм»: the buyer waves it away after the «но»
            and not re.search(
                r"(?<![а-яё])(?:но|а|однако)(?![а-яё])|\b(?:but|though)\b", whole, re.I
            )
        ):
            aspect_echo = whole
    if aspect_echo and (trusted or _COMPLAINT.search(aspect_echo) or _MILD.search(aspect_echo)):
        echo: str | None = aspect_echo
        from_cues = False
    else:
        cue_echo = complaint_echo(text, family) or _cons_echo(cons)
        if cue_echo and _LIMITED.fullmatch(cue_echo.strip()):
            # «…часов шесть, не больше»: the limit alone says nothing; its sentence does
            sentence = next(
                (s for s in re.split(r"(?<=[.!?…])\s+", text) if cue_echo in s.lower()), None
            )
            cue_echo = safe_echo(sentence) if sentence else None
        echo = cue_echo or aspect_echo
        from_cues = cue_echo is not None
    if family == "negative" and guess_aspect(text) == "counterfeit":
        # Doubts about authenticity are answered as such, never by repeating the words.
        return ["counterfeit", *[a for a in ordered if a != "counterfeit"]], None
    guessed = guess_aspect(echo) if echo else guess_aspect(text) if family == "negative" else None
    if guessed and (from_cues or not ordered or ASPECTS.index(guessed) < ASPECTS.index(ordered[0])):
        ordered = [guessed, *[a for a in ordered if a != guessed]]
    if not ordered and (echo or blamed or family == "negative"):
        ordered = [guessed or "other"]
    if "smell_material" in ordered and not _SMELL.search(text):
        # the aspect holds the material too («дорого для куска пластика», "cheap plastic"):
        # with no smell in the words, the lines that say "the unpleasant smell" would state
        # a complaint the buyer never made; the quality's lines fit
        ordered = list(dict.fromkeys("quality" if a == "smell_material" else a for a in ordered))
    return ordered, echo


#: Praise of these is thanked only where its clause says something good: their words
#: (a seller, a delivery, a box, a price) are said in passing as often as in praise.
_SAID_WITH_PRAISE = frozenset({"seller_service", "delivery_speed", "packaging", "price"})


#: Aspects whose liked line names them in general words («вы оценили качество», "the
#: material"): thanked only where the buyer's clause names them too.
_NAMED_BY: dict[str, re.Pattern[str]] = {
    "quality": re.compile(
        r"качеств|сделан|пошив|сш[иы]т|сборк|прочн|добротн|надёжн|надежн|крепк|"
        r"quality|made|build|built|craftsmanship|sturdy|solid|durable|well-made",
        re.IGNORECASE,
    ),
    "smell_material": re.compile(
        r"материал|ткан|кож[аеиу]|хлоп|лён|лен[аеу]?\b|шерст|пластик|металл|пахн|запах|аромат|"
        r"material|fabric|leather|cotton|linen|wool|plastic|metal|smell|scent",
        re.IGNORECASE,
    ),
}


def _liked(classification: Classification) -> list[str]:
    """Praised aspects in text order; a name outside the vocabulary (an event from a newer
    or a foreign producer) is left out, as "other" is: no phrase names it."""
    liked: list[str] = []
    for aspect in sorted(classification.aspects, key=lambda a: a.start):
        if (
            aspect.aspect in _SAID_WITH_PRAISE
            and aspect.clause
            and not _PRAISE.search(aspect.clause)
        ):
            continue  # «долго выбирала между тремя продавцами» praises no service
        named = _NAMED_BY.get(aspect.aspect)
        if named is not None and aspect.clause and not named.search(aspect.clause):
            continue  # «лампа топчик, свет тёплый» praised the light, not "the quality"
        if (
            aspect.polarity is Sentiment.positive
            and aspect.aspect != "other"
            and aspect.aspect in ASPECTS
        ):
            if aspect.aspect not in liked:
                liked.append(aspect.aspect)
    return liked


_DANGLING_CUT = _DANGLING | {
    "как", "что", "так", "чтобы", "который", "которая", "when", "that", "than", "it", "he",
    "she", "they", "his", "her", "its", "every", "each", "some", "any", "time", "got",
    "received", "came", "пришёл", "пришла", "пришло", "пришли", "прислали", "уже", "ещё",
    "еще", "даже", "тоже", "опять", "снова", "вот", "only", "just", "nearly", "almost",
    "barely", "less", "more", "lacks", "lack", "lacking", "needs", "wants", "slightly",
    "somewhat", "rather", "quite", "very", "really", "too", "so", "pretty", "fairly",
} | FUNCTION_WORDS  # fmt: skip
#: Feelings, not problems: «раздражает ужасно» names no fault to acknowledge.
_EMOTION = re.compile(
    r"ужас|кошмар|отврат|разочаров|раздража|бесит|опасн|terrible|awful|disappoint|annoying|"
    r"dangerous|horrible|rubbish|garbage|junk|trash|фигн|хлам|барахл",
    re.IGNORECASE,
)


#: A praise word makes a clause no complaint to echo: «Жаль, что хорошо что не загорелся».
_PRAISE_WORD = re.compile(
    r"(?<![а-яё])(?:хорош\w*|отличн\w*|супер|класс\w*|прекрасн\w*|замечательн\w*|спасибо|"
    r"благодар\w*|понравил\w*|нравится|рад[аы]?|доволь\w*|в\s+восторге)(?![а-яё])|"
    r"(?<![а-яё])(?:шикарн\w*|восхитительн\w*|обалденн\w*|потрясающ\w*|идеальн\w*|огонь|"
    r"топ|бомба|кайф|пушка|супер\w*|это\s+(?:большой\s+|огромный\s+|жирный\s+)?плюс)(?![а-яё])|"
    r"\b(?:good|great|glad|thanks?|love|loved|perfect|nice|excellent|amazing|awesome|"
    r"fantastic|wonderful|lovely|brilliant|superb|gorgeous|beautiful|cute|adorable|stunning|"
    r"flattering|worth\s+it|worth\s+the|positives?|loves|likes|enjoys|adores|nifty|neat|"
    r"handy|impressive|works\s+(?:fine|well|ok|okay)|(?:is|was|it's|its)\s+fine)\b",
    re.IGNORECASE,
)


#: The words that announce a remark are not the remark («Only gripe: the controls…»).
_MARKER = re.compile(
    r"(?:the\s+)?(?:only|one|my|minor|main|biggest)\s+(?:gripe|complaint|con|niggle|quibble|"
    r"issue|downside|problem)|(?:единственн\w+|один|главн\w+)\s+(?:минус|недостаток|нюанс)|"
    r"одно\s+но|единственное|(?:the\s+)?only\s+thing|из\s+минусов|минусы?|минус\s+один|"
    # «Одна звёздочка минус — клипсы не те»: the star taken off announces the remark
    r"(?:одна\s+)?зв[её]здочк\w*\s+минус|минус\s+(?:одна\s+)?зв[её]зд\w*",
    re.IGNORECASE,
)


_NEGATED_WORD = re.compile(
    r"\b(?:isn't|aren't|wasn't|weren't|not|never|no)\s+(?:so\s+|very\s+|that\s+|too\s+|as\s+)?\w+|"
    r"(?<![а-яё])не\s+(?:очень\s+|так\s+|слишком\s+)?[а-яё]+",
    re.IGNORECASE,
)


def _praises(echo: str) -> bool:
    """A praise word outside a negation ("the sound quality isn't great" praises nothing)."""
    return _PRAISE_WORD.search(_NEGATED_WORD.sub(" ", echo)) is not None


#: The buyer's workaround that failed: something else did not work, not the item.
_WORKAROUND = re.compile(
    r"\b(?:a\s+|another\s+|other\s+)?different\s+\w+\s+(?:just\s+|simply\s+)?(?:doesn'?t|didn'?t|won'?t|"
    r"does\s+not|did\s+not)\s+work|\banother\s+\w+\s+(?:just\s+)?(?:doesn'?t|didn'?t|won'?t)\s+work|"
    r"(?<![а-яё])друг(?:ой|ая|ое|ие)\s+[а-яё]+\s+(?:тоже\s+)?не\s+(?:подош|подход|работа)",
    re.IGNORECASE,
)
#: The buyer wrote to us and heard nothing back («ноль ответа», "never replied").
_SILENCE = re.compile(
    r"не\s+отвеча|не\s+ответил|ноль\s+(?:ответа|реакции)|без\s+ответа|игнор|молч(?:а|ит|ат|ание)|"
    r"(?:чат|писал\w*|написал\w*|продавц\w*|поддержк\w*)[^.!?]{0,40}(?<![а-яё])тишина|"
    r"never\s+(?:answered|replied|responded|got\s+back)|no\s+(?:reply|response|answer)|"
    r"на\s+контакт\s+не\s+ид|не\s+выходит\s+на\s+связь|"
    r"ignor(?:ed|ing|es)|ghosted|didn'?t\s+(?:reply|respond|answer)|никто\s+не\s+ответ|"
    r"(?:nobody|no\s+one)\s+(?:ever\s+)?(?:replied|answered|responded|got\s+back|answers|replies|"
    r"responds)|"
    r"(?:didn'?t|did\s+not|never)\s+(?:get|got|receive|hear)\s+(?:a\s+|any\s+)?(?:response|reply|answer)|"
    r"heard\s+nothing\s+back|(?:emailed|messaged|wrote)\s+[^.!?]{0,30}\b(?:nothing|no\s+reply)|"
    # "I have written to your customer service… but to no avail"
    r"(?:written|wrote|emailed|contacted|asked)\b[^.!?]{0,80}\bto\s+no\s+avail|"
    r"(?:писал\w*|обращал\w*)[^.!?]{0,60}безрезультатно",
    re.IGNORECASE,
)


#: The buyer says the way back is closed («вернуть уже не могу, бирки срезала», "can't
#: return it, I threw the box away"): the return route would be a reply nobody read.
_CANNOT_RETURN = re.compile(
    r"(?:вернуть|сдать|возврат\w*)\s+(?:\w+\s+){0,2}?(?:уже\s+)?(?:не\s+(?:могу|можем|получится|выйдет|примут|принимают)|нельзя|невозможно)|"
    r"(?:не\s+(?:могу|получится)|нельзя)\s+(?:уже\s+)?(?:вернуть|сдать)|"
    r"\b(?:can'?t|cannot|couldn'?t|unable\s+to|too\s+late\s+to)\s+(?:even\s+)?(?:return|send)\s+(?:it|them)\b|"
    r"\b(?:return\s+window|return\s+period)\s+(?:has\s+|had\s+)?(?:closed|passed|expired|ended)|"
    # the buyer keeps it: «возвращать лень, носить буду», "not worth returning, I'll keep it"
    r"(?:возвращать|вернуть|сдавать|возиться\s+с\s+возвратом)\s+(?:\w+\s+)?(?:лень|не\s+буду|не\s+стану)|"
    r"(?:оставлю|оставила|оставил)\s+(?:себе|так)|(?:носить|пользоваться)\s+буду|буду\s+(?:носить|пользоваться)|"
    r"\b(?:i'?ll|i\s+will|going\s+to|decided\s+to)\s+keep\s+(?:it|them)\b|"
    r"\bnot\s+(?:worth|bothering)\s+(?:returning|sending)|"
    # an order cancelled before it came: nothing to send back
    r"(?<![а-яё])(?:заказ\s+(?:\w+\s+)?отменил\w*|отменил\w*\s+(?:\w+\s+)?заказ)|"
    r"\b(?:order\s+(?:was\s+|got\s+)?cancel+ed|cancel+ed\s+(?:my|the)\s+order)\b|"
    # thrown away already («выкинула от греха подальше», "binned it")
    r"(?<![а-яё])(?:выкинул|выбросил)\w*(?!\s+(?:бы|деньги))|\b(?:threw|thrown)\s+(?:it|them)\s+(?:away|out|in\s+the\s+(?:bin|trash))\b|"
    r"\bbinned\s+(?:it|them)\b",
    re.IGNORECASE,
)
#: A return already under way («жду возврат уже 2 недели», "still waiting for my refund").
_RETURNING = re.compile(
    r"жду\s+(?:уже\s+)?(?:возврат|деньги)|(?:оформил|сдал|отправил)\w*\s+(?:\w+\s+)?"
    r"(?:возврат|обратно)|возврат\w*\s+(?:уже\s+)?(?:оформил|оформлен|сдал)\w*|"
    r"вернул[аи]?\s+(?:товар|его|её|ее|их|обратно)|"
    r"жд[уёе]\w*\s+(?:\w+\s+)?(?:ответа|решения|одобрения)\s+по\s+возврат|"
    # «продавец помог оформить возврат»: done with the seller's help
    r"помог\w*\s+(?:\w+\s+)?оформить\s+возврат|"
    # «вернула.» with no object: sent back («чтобы вернули!» is a demand, not a return)
    r"(?<![а-яё])(?<!чтобы\s)(?<!чтоб\s)(?<!пусть\s)(?<!если\s)вернул[аи]?(?=\s*(?:[.!,;]|$))|"
    r"деньги\s+(?:до\s+сих\s+пор\s+|так\s+и\s+)?не\s+(?:вернули|пришли|вернули)|"
    r"waiting\s+(?:for|on)\s+(?:a|my|the)\s+refund|already\s+(?:returned|sent\s+(?:it|them)\s+back)|"
    r"refund\s+(?:still|hasn'?t|has\s+not|never)|still\s+no\s+refund|"
    r"\b(?:had\s+to\s+return|i\s+returned|i'?m\s+returning)\s+(?:it|them|this(?:\s+one)?|these)\b|"
    # "Returned it." / "Returned." opening its sentence: the buyer has sent it back
    r"(?:^|[.!?]\s+)returned(?:\s+(?:it|them)\b|\s*[.!]|\s*$)|"
    r"\b(?:i\s+)?(?:sent|sending)\s+(?:it|them)\s+back\b|"
    # "Sent the dryer back three weeks ago", «Вернула фен 12 дней назад»
    r"\bsent\s+(?:the|my)\s+\w+\s+back\b|\breturned\s+(?:the|my)\s+\w+|"
    # refused at the pick-up point: it never left («отказалась на пункте выдачи»)
    r"(?<![а-яё])отказал\w*\s+(?:сразу\s+)?(?:от\s+(?:него|неё|нее|них|товара|заказа)\s+)?(?:(?:на|в)\s+(?:пункте|пвз|пвп|примерке)|на\s+месте)|"
    # sent back through the pick-up point («вернула через пвз»)
    r"(?<![а-яё])вернул[аи]?\s+(?:его\s+|её\s+|ее\s+|их\s+)?(?:через|в)\s+(?:пвз|пункт\w*|постамат)|"
    r"(?<![а-яё])(?:не\s+стал\w*\s+забирать|оставил\w*\s+(?:его\s+|её\s+|ее\s+|их\s+)?(?:на|в)\s+(?:пункте|пвз))|"
    r"\brefused\s+(?:the\s+)?(?:delivery|parcel|package)\b|"
    r"(?<![а-яё])вернул[аи]?\s+[а-яё]+\s+(?:\d+|неделю|месяц|вчера)|"
    r"(?:haven'?t|have\s+not|never)\s+(?:got|received|seen)\s+(?:my|the|a)\s+refund",
    re.IGNORECASE,
)
#: The return was refused («возврат не принимают», «отказали в возврате», "they refused my
#: return"): not the buyer keeping it, a case for the team to look into.
_RETURN_REFUSED = re.compile(
    r"возврат\w*\s+(?:\w+\s+)?не\s+(?:принимают|приняли|принял\w*|одобрил\w*|оформляют)|"
    r"(?:отказали|отказал\w*|отказывают)\s+(?:\w+\s+){0,2}?в\s+возврат\w*|отказ\w*\s+в\s+возврат|"
    r"в\s+возврат\w*\s+(?:\w+\s+)?отказ\w*|"
    r"\b(?:refused|rejected|denied|declined)\s+(?:my|the|our)\s+(?:return|refund)|"
    r"\b(?:return|refund)\s+(?:request\s+)?(?:was\s+|got\s+|has\s+been\s+)(?:refused|rejected|denied|declined)|"
    r"\b(?:won'?t|will\s+not|wouldn'?t|refuse\s+to)\s+(?:accept|take)\s+(?:the|my|a)\s+return",
    re.IGNORECASE,
)
#: Words of a material: «пахнет приятно» without them praised the scent, not the material.
_MATERIAL = re.compile(
    r"материал|ткан|кож[аеиу]|хлоп|шерст|пластик|металл|material|fabric|leather|cotton|wool|"
    r"plastic|metal",
    re.IGNORECASE,
)
_SCENT = {"ru": "приятный аромат", "en": "the pleasant scent"}
#: The buyer makes do with it («нормально за свои деньги», "does the job for the price").
_MAKES_DO = re.compile(
    r"за\s+свои\s+деньги|для\s+своей\s+цены|за\s+(?:эту|такую)\s+цену\s+(?:норм|ок|пойд|сойд)|"
    r"(?<![а-яё])(?:пойд[её]т|сойд[её]т)(?![а-яё])|\bfor\s+the\s+price\b|\bdoes\s+the\s+job\b|"
    r"\bcan'?t\s+complain\b",
    re.IGNORECASE,
)
#: A smell that went away («запах выветрился за день», "it goes away after a minute").
_SMELL_PASSED = re.compile(
    r"(?:запах|пахл\w*|пахнет|пахнут|воня\w*)[^.!?]{0,60}?(?:уш[её]л|выветрил\w*|прош[её]л|"
    r"пропал|исчез|улетучил\w*|уходит|выветривается|проходит)|"
    r"(?:уш[её]л|выветрил\w*|прош[её]л|пропал|исчез)\s+(?:\w+\s+)?запах|"
    r"\b(?:smell|odou?r|scent)[^.!?]{0,60}?(?:goes\s+away|went\s+away|(?:is|was)\s+gone|fades|faded|"
    r"disappear\w*|aired\s+out|wears\s+off|wore\s+off|dissipat\w*)|"
    r"\b(?:goes|went)\s+away\s+after|\baired\s+(?:it\s+|them\s+)?out\b",
    re.IGNORECASE,
)
#: The buyer says they followed the care instructions («стирала по инструкции»).
_FOLLOWED_CARE = re.compile(
    r"(?:like|as)\s+the\s+(?:label|tag|instructions?)\s+(?:says|said)|followed\s+the\s+(?:care\s+)?"
    r"(?:instructions|label)|according\s+to\s+the\s+(?:label|instructions)|"
    r"по\s+инструкции|по\s+(?:бирке|ярлыку|этикетке)|как\s+(?:указано|написано|рекомендовано)\s+на\s+"
    r"(?:бирке|ярлыке|этикетке)|соблюдал\w*\s+(?:все\s+)?(?:рекомендац|инструкц|услови)",
    re.IGNORECASE,
)
#: A recipient line that claims nothing about how the gift was taken.
_HOPE = re.compile(r"наилучшие\s+пожелания|надеемся|best\s+wishes|we\s+hope", re.IGNORECASE)
#: …and one that only hopes: wrong where the review already says it was a hit.
_HOPING = re.compile(r"надеемся|we\s+hope", re.IGNORECASE)
#: The order has not reached the buyer at all (a delivery complaint that is no delay).
_NOT_ARRIVED = re.compile(
    r"never\s+(?:arrived|came|received|got\s+it|showed\s+up)|"
    r"(?:hasn'?t|has\s+not|didn'?t|did\s+not|haven'?t)\s+(?:arrived?|come|turned\s+up|received)|"
    r"where\s+is\s+my\s+(?:order|parcel|package)|still\s+(?:waiting|not\s+here|hasn'?t|nothing|no\s+(?:sign|parcel|package|order))|tracking\s+(?:has\s+not|hasn'?t|not)\s+(?:been\s+)?(?:updated|moved|changed)|"
    r"(?:parcel|package|order)\s+(?:went|got|is|was)\s+(?:missing|lost)|lost\s+in\s+(?:the\s+)?"
    r"(?:post|mail|transit)|says\s+delivered\s+but|"
    # "tracking said delivered… It was NOT delivered", «статус «доставлен», а в пункте его нет»
    r"(?:said|says|shows?|showed|marked\s+(?:as\s+)?)\s*delivered\b[^.!?]{0,40}[.!?]?\s*(?:it\s+)?(?:was\s+not|wasn'?t|never|but)|"
    r"\b(?:was|is)\s+not\s+delivered\b|"
    r"статус\w*\s+«?доставлен\w*»?[^.!?]{0,40}(?:нет|не\s+(?:было|получил\w*))|"
    r"(?<![а-яё])(?:так\s+и\s+|до\s+сих\s+пор\s+|ещё\s+|еще\s+)?не\s+(?:пришёл|пришел|пришла|"
    r"пришло|пришли|дош[её]л|дошла|дошло|дошли|доставили|привезли|получил\w*)(?![а-яё])|"
    r"где\s+(?:мой\s+|моя\s+)?(?:заказ|посылк)|(?:посылк|заказ)\w*\s+(?:\w+\s+)?(?:пропал|потерял)|"
    r"трек\s+не\s+(?:обновл|меня|двига)|статус\s+(?:\w+\s+){0,2}в\s+пути|до\s+сих\s+пор\s+(?:нет|жду)",
    re.IGNORECASE,
)
#: The buyer speaks of time: a delivery complaint about a wait, not only about a courier.
_LATE = re.compile(
    r"долг|задерж|опозд|недел|месяц|позже|дольше|ждал|ждать|вместо|\blate\b|later|delay|"
    r"weeks?\b|took\s+(?:ages|forever|long)|waited|forever",
    re.IGNORECASE,
)
#: The item reached the buyer used (sold as new).
_LOOKS_USED = re.compile(
    r"\b(?:(?:a|an|is|was|looks?|looked|clearly|obviously|already|been)\s+used\b(?!\s+(?:it|to|for|this|them|that|daily|every|once|twice)\b)|"
    r"second-hand|pre-owned|someone\s+else'?s\s+(?:fingerprints|hair|makeup|stuff)|previously\s+used|"
    # "there is no way that the dress i received is new", "it was worn", "deodorant stains"
    r"no\s+way\s+(?:that\s+)?(?:\w+\s+){0,5}?(?:is|was)\s+new|(?:has|had)\s+been\s+worn|"
    r"(?:deodorant|makeup|make-up)\s+(?:stains|marks))|"
    r"(?<![а-яё])(?:б/у|бу(?![а-яё])|(?:был[аои]?|уже)\s+в\s+(?:употреблении|использовании)|"
    r"след\w*\s+(?:использования|носки|эксплуатации)|кто-то\s+уже\s+(?:носил|пользовал)|"
    r"ношен\w*|(?:явно|точно)\s+не\s+нов\w*|"
    # a jar or a tube that came opened («банка пришла вскрытая», "the seal was broken")
    r"(?:пришл\w*|был\w*)\s+(?:уже\s+)?вскрыт\w*|вскрыт\w*\s+(?:банк|упаковк|тюбик|флакон)|"
    r"без\s+(?:защитной\s+)?(?:пленки|плёнки|мембраны|пломбы)|"
    r"пломб\w*\s+(?:была\s+)?(?:сорван|нарушен))|"
    r"\b(?:seal\s+(?:was\s+)?(?:broken|missing|opened)|(?:arrived|came)\s+(?:already\s+)?opened|"
    r"no\s+(?:safety\s+)?seal)\b",
    re.IGNORECASE,
)
#: Money taken twice («деньги списались два раза», "charged me twice").
_CHARGED_TWICE = re.compile(
    r"списал\w*\s+(?:\w+\s+){0,2}(?:дважды|два\s+раза|2\s+раза|повторно)|"
    r"(?:дважды|два\s+раза|повторно)\s+списал\w*|двойн\w+\s+списани\w*|"
    r"\bcharged\s+(?:me\s+|us\s+)?(?:twice|two\s+times|double)|double[- ]charged|charged\s+again\b",
    re.IGNORECASE,
)
#: The money was taken but the order or the payment failed («деньги списались, а заказ не
#: оформился», "the app says payment failed but the money is gone"): the same people look
#: into it, and a line about a second charge would say what did not happen.
_CHARGED_UNPLACED = re.compile(
    r"деньги\s+(?:\w+\s+){0,2}?(?:списал\w*|сняли|ушли)[^.!?]{0,40}(?:заказ|оплат)\w*\s+"
    r"(?:не\s+(?:оформил|прош|создал|появил)\w*|нет)|"
    r"(?:оплата|платёж|платеж)\s+не\s+прош\w*[^.!?]{0,40}(?:деньги|средства)\s+(?:\w+\s+)?"
    r"(?:списал|сняли|ушли)\w*|"
    r"\bpayment\s+(?:failed|didn'?t\s+go\s+through|was\s+declined)\b[^.!?]{0,60}\b(?:money|charged|"
    r"taken|gone|debited)\b|\b(?:charged|money\s+(?:was\s+)?taken)\b[^.!?]{0,40}\border\s+"
    r"(?:was\s+never|wasn'?t|never\s+got|didn'?t\s+get)\s+(?:placed|created|confirmed)",
    re.IGNORECASE,
)
#: The buyer will send it back.
_GIVING_BACK = re.compile(
    r"\b(?:(?:it'?s|is|they'?re|are)\s+going\s+back|sending\s+(?:it|them)\s+back|will\s+(?:be\s+)?"
    r"return(?:ing|ed)?|(?:i'?ll|i\s+will|going\s+to)\s+return|"
    # "Will have to exchange for a smaller size"
    r"(?:will|i'?ll|going\s+to|have\s+to|need\s+to)\s+(?:have\s+to\s+|need\s+to\s+)?exchange|"
    r"(?:will\s+be|i'?m|i\s+am)\s+(?:exchanging|returning|sending\s+(?:it|them)\s+back)|"
    r"(?:will|i'?ll|have\s+to|need\s+to)\s+(?:have\s+to\s+)?send\s+(?:it|them)\s+back)\b|"
    r"(?<![а-яё])(?:возвращаю|верну(?:\s+(?:его|её|ее|их|обратно))?|сдам\s+(?:обратно|назад)|"
    r"оформлю\s+возврат|буду\s+возвращать|пойд[её]т\s+(?:на\s+)?возврат|обменяю|буду\s+менять|"
    r"прид[её]тся\s+(?:менять|обменять|поменять|вернуть|возвращать|сдать))(?![а-яё])",
    re.IGNORECASE,
)
#: A closing line that wishes the item a long life with the buyer.
_KEEPS_SERVING = re.compile(
    r"keep|serv|long\s+time|for\s+years|favourite|uses|enjoy|служ|радует|радовать|пользова|"
    r"использовани|долго|"
    # "Otherwise, we hope it does everything you need", «плюсы будут перевешивать»
    r"otherwise|everything\s+you\s+need|the\s+rest|остальн|плюсы|перевешива",
    re.IGNORECASE,
)
#: Praise that carries its own limit: a condition or a span it lasted.
_CONDITIONAL_PRAISE = re.compile(
    r"\b(?:when|if|unless|until|as\s+long\s+as)\b|\bfor\s+(?:about\s+|only\s+|just\s+)?(?:a|\d+)\s+"
    r"(?:days?|weeks?|months?|hours?)\b|(?<![а-яё])(?:если|когда|пока|первые|только\s+первые|"
    r"не\s+больше|не\s+дольше|от\s+силы|максимум)(?![а-яё])|\b(?:at\s+most|tops)\b|"
    # "we got the 8-9 and it fits like a 10-11": a size off, not praise of the fit
    r"\bfits?\s+(?:more\s+)?like\s+(?:an?\s+)?(?:size\s+)?(?:\d+|xs|s|m|l|xl|xxl|small|medium|large)\b|"
    r"(?<![а-яё])(?:сид\w+|мер\w+)\s+как\s+(?:\d|xs|s|m|l|xl)",
    re.IGNORECASE,
)
#: A limit put on what the buyer says works («часов шесть, не больше», "6 hours at most").
_LIMITED = re.compile(
    r"(?<![а-яё])(?:не\s+больше|не\s+дольше|от\s+силы)(?![а-яё])|\b(?:at\s+most|tops)\b",
    re.IGNORECASE,
)
_CHILD = re.compile(
    r"(?<![а-яё])(?:реб[её]н\w*|дет(?:и|ей|ям|ск)\w*|сын\w*|доч\w*|малыш\w*|внук\w*|внучк\w*)|"
    r"\b(?:child|children|kid|kids|toddler|baby|babies|infant|son|daughter|grandson|granddaughter|"
    r"\d+\s*(?:-\s*)?(?:month|mo|week)s?(?:\s*-\s*|\s+)old|little\s+one|"
    r"(?:[1-9]|1[0-4])\s*(?:-\s*)?(?:year|yr)s?(?:\s*-\s*|\s+)old)\b|"
    r"(?<![а-яё])(?:младен\w*|\d+\s*(?:-?\s*)?(?:месяч|месяц)\w*)",
    re.IGNORECASE,
)
_POWER = re.compile(
    r"заряж\w*[^.!?]{0,40}грее|"
    r"(?<![а-яё])(?:вздул\w*|раздул\w*|вспух\w*|сгорел\w*|горел(?:ым|ого|ой)|пал[её]н\w*|гар(?:и|ью|ь)(?![а-яё])|дым\w*|искр\w*|перегрева\w*|"
    r"раскаля\w*|оплав\w*|расплав\w*|током|розетк\w*)|\b(?:burnt\s+out|burned\s+out|burning\s+smell|"
    r"smell\w*\s+(?:of\s+|like\s+)?burn\w*|smok\w*|spark\w*|overheat\w*|melt\w*|scorching|"
    r"electric\w*\s+shock|shocked\s+me|caught\s+fire|fire\s+hazard|socket|outlet|fuses?|"
    r"dead\s+short|short[- ]circuit\w*|shorted|scald\w*|boiling\s+water)\b|"
    r"(?<![а-яё])(?:ошпар|кипят)",
    re.IGNORECASE,
)


def _danger_to(text: str) -> str:
    """Whom a danger concerns first: a child, or a device to switch off. Read only where
    the review tells of a danger (`safety` among the extras)."""
    if _POWER.search(text):
        # «адаптер оплавился… ребёнок спал рядом»: not to be plugged in at all, by anyone
        return "power"
    return "child" if _CHILD.search(text) else ""


#: The buyer already stopped using the product.
_STOPPED_USING = re.compile(
    r"\b(?:had\s+to\s+stop|stopped\s+using|quit\s+using|no\s+longer\s+using|threw\s+it\s+(?:out|away)|"
    r"binned\s+it)\b|(?<![а-яё])(?:перестал[аи]?\s+(?:им\s+|ей\s+|его\s+)?(?:пользоваться|наносить|мазать)|"
    r"больше\s+не\s+(?:пользуюсь|наношу|мажу)|выбросил[аи]?|выкинул[аи]?|пришлось\s+(?:прекратить|бросить|смыть))",
    re.IGNORECASE,
)
#: A line about the wait: wrong where the courier's conduct is the whole complaint.
_DELAY_LINE = re.compile(
    r"задержк|позже|дольше|больше\s+времени|сроках|delay|longer|took\s+a\s+while|to\s+arrive",
    re.IGNORECASE,
)
#: An acknowledgement that takes the order as delivered: wrong for one that never came.
_ARRIVED_LATE = re.compile(
    r"приехал|доставка\s+заняла|took\s+(?:longer|so\s+long|a\s+while)|to\s+arrive",
    re.IGNORECASE,
)
#: The buyer says the item put someone at risk.
_DANGER = re.compile(
    r"(?<![а-яё])(?:опасн|небезопасн|травм|поранил|порезал|обж[её]г|обожгл|ожог|"
    # a charger that runs hot: «заряжает, но греется сильно»
    r"заряж\w*[^.!?]{0,40}(?:(?:сильно|очень)\s+грее\w*|грее\w*\s+(?:сильно|очень))|"
    # a kettle that spits boiling water or burns the hand that opens it
    r"boiling\s+water\s+(?:shoots|sprays|spits|spurts|gushes|comes)\s+out|"
    r"(?:hard|impossible|difficult)\s+to\s+\w+(?:\s+\w+)?\s+without\s+(?:burning|getting\s+burn\w*|scalding)|"
    r"\bscald\w*|кипят\w*\s+(?:брызж|выплёскива|выплескива|льётся|льется|бь[её]т)|ошпар\w*|"
    # «мотор воняет гарью… боюсь пользоваться»
    r"гар(?:ью|ь)(?![а-яё])|(?:боюсь|страшно)\s+(?:им\s+)?(?:пользоваться|включать)|"
    # a kettle that never switches itself off: «страшно оставлять»
    r"(?:страшно|боюсь|опасно)\s+оставлять|(?:чайник|утюг|обогреватель|плитка)\s+(?:\w+\s+)?"
    r"не\s+(?:выключается|отключается)|"
    r"(?:ребён\w*|ребен\w*|сын|дочь|дочка|малыш)\s+(?:\w+\s+)?упал|"
    r"удар\w*\s+током|бь[её]т(?:ся)?\s+током|бить(?:ся)?\s+током|бил[аои]?(?:сь)?\s+током|"
    r"шарахн\w*\s+током|током\s+(?:бь|бил|удар|шарах)|возгоран|пожар|загорел[аоси]?(?![а-яё]))|"
    r"\b(?:dangerous|unsafe|not\s+safe|injur\w*|electric\s+shock|shocked\s+me|caught\s+fire|"
    r"afraid\s+to\s+leave\s+it|is\s+(?:this|it|that)\s+(?:even\s+|really\s+)?safe\b|"
    r"(?:specks?|flakes?|shavings|bits)\s+of\s+metal|metal\s+(?:specks?|flakes?|shavings)|"
    r"(?<![а-яё])(?:металлическ\w+\s+)?(?:стружк|опилк)\w*|"
    r"(?:это|он|она)\s+(?:вообще\s+)?безопасн|blew\s+(?:out\s+)?(?:a\s+|the\s+|two\s+)?fuses?|dead\s+short|"
    r"short[- ]circuit\w*|shorted\s+out|(?:kettle|iron|heater)\s+(?:never\s+|won'?t\s+|doesn'?t\s+)"
    r"(?:switch(?:es)?|turns?|shuts?)\s+(?:itself\s+)?off|" + HURT_WORDS + r"|"
    r"fire\s+hazard|choking|safety\s+hazard|burn(?:ed|t)\s+(?:my|me|him|her)|spark(?:s|ed|ing)?|"
    r"melted|(?:could|might)\s+have\s+(?:started|caused)\s+a\s+fire|smok(?:ed|ing|es)|"
    r"(?:could|might)\s+(?:have\s+)?(?:choked|choke|swallowed|swallow)|"
    r"(?:bugs|insects|weevils|maggots|larvae)\s+(?:in|inside|crawling)|"
    r"(?:ended\s+up|got|went)\s+in\s+(?:[\w']+\s+){0,5}mouth|"
    r"(?:could|might)\s+have\s+caused\s+an?\s+(?:accident|crash)|"
    r"fell\s+(?:off\s+)?(?:\w+\s+){0,4}while\s+(?:i\s+was\s+)?driving|"
    r"(?:could|might)\s+have\s+(?:set|burned|burnt)\s+(?:\w+\s+){0,2}(?:on\s+fire|down)|"
    r"with\s+(?:my|the)\s+(?:son|daughter|baby|child|kid|toddler)\s+(?:still\s+)?in\s+it)\b|"
    # a pram or a car seat that failed with the child in it («с ребенком внутри»)
    r"(?<![а-яё])с\s+(?:ребенком|ребёнком|малышом|сыном|дочкой|дочерью)\s+(?:внутри|в\s+ней|в\s+нём|в\s+нем)|"
    r"(?<![а-яё])(?:мошкар|жучк|личинк|червяк|таракан)\w*\s+(?:\w+\s+)?(?:полз|внутри|в\s+корм|в\s+крупе|в\s+пачке)|"
    # a charger or a heater too hot to touch («раскаляется», "gets scorching hot")
    r"\b(?:overheat\w*|scorching(?:\s+hot)?|too\s+hot\s+to\s+(?:touch|hold)|"
    r"hot\s+enough\s+to\s+(?:burn|melt|scald)|fire\s+waiting\s+to\s+happen|"
    r"(?:smell\w*|stink\w*)\s+(?:of\s+|like\s+)?melting|"
    r"(?:dangerously|burning|extremely)\s+hot)\b|"
    r"(?<![а-яё])(?:раскаля\w*|раскалил\w*|перегрева\w*|обжигающ\w*|не\s+дотронуться)|"
    # burning wiring («запах палёной проводки», "smelled like burning plastic")
    r"(?<![а-яё])(?:запах\w*\s+(?:гари|пал[её]н|горел|жжён|жжен)|пал[её]н\w*\s+проводк|"
    r"горел\w*\s+проводк|дым\w*\s+(?:пош[её]л|повалил|ид[её]т))|"
    r"\b(?:burning\s+smell|smell\w*\s+(?:of\s+|like\s+)?burn\w*)\b|"
    r"(?<![а-яё])(?:расплавил|оплавил|задымил)\w*|"
    # a swollen battery («павербанк вздулся», "the battery is swollen")
    r"(?<![а-яё])(?:вздул|раздул|вспух)\w*|\b(?:battery|power\s*bank|phone|case)\s+(?:\w+\s+)?"
    r"(?:swelled|swollen|puffed\s+up|bulging)\b|"
    # a coating that flakes into the food («покрытие полезло хлопьями прямо в яичницу»)
    r"(?<![а-яё])(?:покрыти\w*|хлопь\w*|кусочк\w*|частиц\w*)\s+[^.!?]{0,40}в\s+(?:еду|еде|яичниц\w*|"
    r"блюд\w*|суп\w*|каш\w*|тарелк\w*|пищ\w*|картошк\w*|картофел\w*|мяс\w*)|"
    r"\b(?:coating|non-?stick)\b[^.!?]{0,40}\b(?:into|in)\s+(?:the\s+|my\s+|our\s+)?(?:food|eggs|meal|pan)\b|"
    # "the handle came off while the basket was full of hot oil"
    r"\b(?:full\s+of|with)\s+(?:hot|boiling)\s+(?:oil|water|coffee|tea|soup|wax)\b|"
    r"(?<![а-яё])(?:искр(?:ит|ило|ить|ой|ы)|(?:вылетел\w*|посыпал\w*|полетел\w*)\s+искр\w*|"
    r"искр\w*\s+(?:вылетел|посыпал|полетел)\w*|пал[её]н\w*\s+пластик\w*)|"
    # a small part near a child's mouth («чуть не засунул в рот», "nearly swallowed it")
    r"(?<![а-яё])(?:чуть\s+не\s+(?:засунул|проглотил|подавил)\w*|засунул\w*\s+в\s+рот|подавил[аи]?с[ья])|"
    r"\b(?:nearly|almost)\s+(?:swallowed|choked)\b|"
    # a skin reaction: a health matter («пошла сыпь», "broke out in a rash")
    r"(?<![а-яё])(?:(?:пошла|появилась|высыпала|вылезла)\s+(?:\w+\s+)?сыпь|сыпь\s+(?:на|по|после)|"
    r"аллергическ\w+\s+реакци|(?<!нет\s)аллерги[яю]\s+(?:на|после|от))|"
    r"\b(?:(?:broke|broken)\s+out\s+in\s+(?:a\s+)?(?:rash|hives)|allergic\s+reaction|"
    r"(?:gave|got)\s+(?:me\s+|my\s+\w+\s+)?(?:a\s+)?(?:rash|hives|burns?))\b",
    re.IGNORECASE,
)
#: A fact that sends the buyer to write to us («напишите в чат продавца», "message the
#: seller"): no next step for a buyer whose messages went unanswered.
_WRITE_TO_US = re.compile(
    r"напишите|написать\s+нам|в\s+чат|обратитесь|свяжитесь|message\s+(?:us|the\s+seller)|"
    r"contact\s+us|write\s+to\s+us|get\s+in\s+touch",
    re.IGNORECASE,
)
#: The buyer has already written or called us ("took 5 emails to get a reply"): asking
#: them to get in touch again is no next step.
_ALREADY_WROTE = re.compile(
    r"\b(?:e-?mails?|e-?mailed|messaged|messages|wrote\s+to|called|phoned|rang|contacted|"
    r"chat(?:ted)?|support\s+ticket)\b|(?<![а-яё])(?:писал\w*|написал\w*|звонил\w*|"
    r"дозвон\w*|обращал\w*|обратил\w*|чат\w*|переписк\w*)(?![а-яё])",
    re.IGNORECASE,
)
#: The money came back already («деньги вернули через неделю», "got a full refund").
_REFUNDED = re.compile(
    r"(?<![а-яё])(?:деньги\s+(?:\w+\s+)?(?:вернули|пришли|вернулись)|вернули\s+деньги|"
    r"(?:возврат|деньги)\s+(?:\w+\s+)?(?:получил\w*|пришл\w*))|"
    r"\b(?:(?:got|received|had)\s+(?:a\s+|my\s+)?(?:full\s+)?refund|(?:was|been)\s+refunded|"
    r"refund\s+(?:came|arrived|went\s+through))\b",
    re.IGNORECASE,
)
#: Aspects of the service rather than the goods: their complaint goes to the team, not to
#: "the people responsible for this item".
_NOT_THE_GOODS = frozenset({"seller_service", "delivery_speed", "price"})
_STATIC = re.compile(r"электризу|static", re.IGNORECASE)
#: Lines a draft adds for what the buyer says beside the main problem, in this order: a
#: danger, a second fault in the buyer's words, our silence, the wait for a refund (after
#: the acknowledgement), an idea for the shop or the app (before the closing lines, in any
#: family) — phrase groups of these names.
EXTRA_MOVES = (
    "safety",
    "skin",
    "also",
    "charged_twice",
    "unanswered",
    "return_wait",
    "return_refused",
    "suggestion",
)
#: The buyer's skin reacted to the product: the reply asks them to stop using it.
_SKIN = re.compile(
    r"аллерги|(?<![а-яё])сыпь|высыпа|обсыпа|обсыпал|покраснени|покраснел|раздражени|(?<![а-яё])зуд|чеш[еу]тся|"
    r"щиплет|пощипыва|жж[её]т|жжени|красн\w*\s+пятн|пятн\w*\s+(?:на|по)\s+(?:\w+\s+)?(?:лиц|кож|тел)|"
    r"\b(?:rash|hives|itch(?:y|ing|es)?|allergic|redness|irritation|burning\s+sensation|"
    r"broke\s+(?:me\s+)?out|breakout|swelling|swollen)\b",
    re.IGNORECASE,
)
#: A reaction no fabric explains: an itchy sweater is the wool's fault, a rash is the body's.
_SKIN_REACTION = re.compile(
    r"аллерги|(?<![а-яё])сыпь|высыпа|обсыпа|покраснени|покраснел|красн\w*\s+пятн|"
    r"\b(?:rash|hives|allergic|redness|burning\s+sensation|breakout|broke\s+(?:me\s+)?out|"
    r"swelling|swollen)\b",
    re.IGNORECASE,
)
#: What is worn, not put on the skin: its itch is a material complaint.
_FABRIC = re.compile(
    r"свитер|шерст|ткан|бирк|(?<![а-яё])шв[ыа]|(?<![а-яё])шов|кофт|шарф|носк|колг|плать|"
    r"\b(?:sweater|jumper|wool|woollen|woolen|fabric|material|knit|tag|label|seams?|scarf|"
    r"socks?|dress|shirt|cardigan|blanket|hat|mittens?|gloves?|tags|labels|bra|underwear|"
    r"intimates|leggings|top|skirt|jeans|pants|trousers)\b",
    re.IGNORECASE,
)
#: Words that make light of a danger («как это неприятно», "how frustrating").
_MILD_WORDS = re.compile(
    r"неприятн|неудобн|досадн|разочаров|огорча|inconvenien|frustrat|annoying|disappoint|unhappy",
    re.IGNORECASE,
)
#: Waiting for the money back (not "the seller never answered"): said of the refund.
#: Words of an expectation (a line around an echo that has one must not say it again).
_EXPECTED = re.compile(r"ожида|(?<![а-яё])ждал|expect", re.IGNORECASE)
#: How the item is made, not a fault («нет кнопок», "you have to talk to Alexa", "only works
#: with the app"): the reply is sorry it does not suit, it does not concede a fault.
_DESIGN_TRAIT = re.compile(
    r"^(?:there\s+(?:are|is|were|was)\s+no|you\s+(?:have|need)\s+to|it\s+(?:only\s+works|"
    r"doesn'?t\s+have|does\s+not\s+have|has\s+no)|(?:it\s+|you\s+)?(?:can'?t|cannot)\s+"
    r"(?:adjust|change|turn\s+off|disable|choose|set)|нет\s+(?:кнопок|кнопки|режима|функции|"
    r"подсветки|таймера|регулировки)|(?:приходится|нужно|надо)\s+)",
    re.IGNORECASE,
)
#: A line that says we are glad («Рады, что…», «Здорово, что…», "So glad…"): a draft
#: carries at most this many.
_GLAD_LINE = re.compile(
    r"^(?:рады|очень рады|приятно|очень приятно|здорово|хорошо, что|отлично|нам приятно|"
    r"нам очень приятно|для нас важно|so glad|glad|great to hear|lovely to|happy to hear|"
    r"we're glad|we're delighted|so pleased|really pleased|good to (?:know|hear)|it's great|"
    r"nice to hear|it's lovely)",
    re.IGNORECASE,
)
_GLAD_LINES = 2
#: An echo that opens on the order («вы заказали 43 размер, а пришёл 41»)…
_ORDER_FIRST = re.compile(r"вы\s+заказ|you\s+ordered", re.IGNORECASE)
#: …is said on its own, not after «жаль, что» / "sorry that".
_REGRET_THAT = re.compile(
    r"(?:жаль|сожалеем|простите|извините|неприятно)[^.!?]{0,15}?\s+что\s+вы\s+заказ|"
    r"sorry\s+(?:to\s+\w+\s+)?(?:that\s+)?you\s+ordered",
    re.IGNORECASE,
)
#: Remarks about what is not the item (the parcel's speed, the service, the price).
_NOT_THE_ITEM = frozenset({"delivery_speed", "seller_service", "price"})
#: A line that speaks of the item itself («сделать товар лучше», "who look after this item").
_OF_THE_ITEM = re.compile(r"товар|вещ[ьиь]|this\s+item|the\s+product", re.IGNORECASE)
#: An acknowledgement that concedes a fault.
_CONCEDES = re.compile(
    r"not\s+how\s+it\s+should\s+be|shouldn'?t\s+happen|should\s+not\s+happen|"
    r"быть\s+не\s+должно|не\s+должно\s+быть",
    re.IGNORECASE,
)
#: Someone was rude to the buyer («курьер хамил», "the courier was rude").
_RUDENESS = re.compile(r"хам|груб|нагруби|наорал|послал|\brude\b|\byell|\bshout", re.IGNORECASE)
_WAITING = re.compile(
    r"(?:жд[уёе]\w*|до\s+сих\s+пор|так\s+и\s+не)[^.!?]{0,40}(?:возврат|деньг)|"
    r"(?:возврат|деньг)\w*[^.!?]{0,30}(?:до\s+сих\s+пор|так\s+и\s+не|не\s+(?:вернули|пришли)|жд)|"
    r"(?:waiting|still|never)[^.!?]{0,40}(?:refund|money)|"
    r"(?:refund|money)[^.!?]{0,30}(?:still|never|hasn'?t|has\s+not|yet)|"
    r"(?:haven'?t|have\s+not|never)\s+(?:got|received|seen)\s+(?:my|the|a)\s+refund",
    re.IGNORECASE,
)


#: A safety cut-out that worked («выключился сам от перегрева», "the thermal cut-out kicked
#: in"): the device protected itself.
_PROTECTED = re.compile(
    r"(?:выключил|отключил|вырубил)\w*\s+(?:сам\w*\s+)?(?:от|из-за|при)\s+перегрев\w*|"
    r"сработала?\s+(?:термо)?защита|\b(?:thermal\s+)?(?:cut-?out|protection)\s+(?:kicked\s+in|"
    r"worked|tripped)|\bshut\s+(?:itself\s+)?off\s+(?:to\s+cool|when\s+it\s+overheat\w*)",
    re.IGNORECASE,
)
_DOCTORS_RU = r"(?<![а-яё])(?:врач|педиатр|дерматолог|аллерголог|доктор)"
_DOCTORS_EN = r"\b(?:doctor|pediatrician|paediatrician|dermatologist|gp)"
#: A doctor named: what they said is a diagnosis, no fault to echo.
_DOCTOR = re.compile(rf"{_DOCTORS_RU}|{_DOCTORS_EN}\b", re.IGNORECASE)
#: The buyer already saw a doctor («педиатр сказала», "the doctor said").
_SAW_DOCTOR = re.compile(
    rf"{_DOCTORS_RU}\w*\s+(?:\w+\s+)?(?:сказал|поставил|назначил|подтвердил)|"
    rf"{_DOCTORS_EN}\s+(?:\w+\s+)?(?:said|confirmed|diagnosed|prescribed)",
    re.IGNORECASE,
)
#: Someone was hurt: a cut, a burn, a scald («порезалась», "cut my finger").
_HURT = re.compile(HURT_WORDS, re.IGNORECASE)


def _extras(
    family: str,
    problems: Sequence[str],
    echo: str | None,
    text: str,
    returning: bool,
    also: str | None = None,
    suggestion: str | None = None,
) -> tuple[str, ...]:
    """Which of `EXTRA_MOVES` a review needs."""
    text = own_story(text)
    if family not in ("negative", "neutral"):
        # «удобная, но я об неё порезалась»: under any stars someone got hurt
        hurt = family == "positive_remark" and _HURT.search(text) is not None
        return tuple(m for m, on in (("safety", hurt), ("suggestion", bool(suggestion))) if on)
    wanted = {
        "suggestion": suggestion is not None,
        "also": also is not None,
        "return_wait": returning and _WAITING.search(text) is not None,
        "return_refused": _RETURN_REFUSED.search(text) is not None,
        "unanswered": _unanswered(problems, echo, text),
        # static from a fleece blanket «бьёт током» is no danger
        # (a compressor that «выключился сам от перегрева» was protected, not a danger)
        "safety": (
            _DANGER.search(_PROTECTED.sub(" ", text)) is not None or _HURT.search(text) is not None
        )
        and not _STATIC.search(text),
        # «аллергии не было» is no reaction; a buyer who saw a doctor is not sent to one
        "skin": found_cue(_SKIN, text)
        and (found_cue(_SKIN_REACTION, text) or _FABRIC.search(text) is None)
        and not _SAW_DOCTOR.search(text),
        # (not where the double charge is the complaint the acknowledgement names)
        "charged_twice": (
            _CHARGED_TWICE.search(text) is not None or _CHARGED_UNPLACED.search(text) is not None
        )
        and not (echo and _CHARGED_TWICE.search(echo))
        and (not problems or problems[0] != "seller_service"),
    }
    return tuple(move for move in EXTRA_MOVES if wanted[move])


#: Faults a second line may name beside the main one (not the service, the delivery or
#: the price: those have lines or steps of their own, nor a doubt about authenticity).
_SECOND_FAULTS = frozenset(
    "wrong_item not_working defect missing_parts transit_damage leak compatibility "
    "description_mismatch colour_mismatch shrinkage size_fit smell_material noise quality "
    "packaging instructions_language".split()
)


def second_fault(
    classification: Classification,
    text: str,
    problems: Sequence[str],
    echo: str | None,
    language: str,
) -> str | None:
    """A second fault of a complaint, in the buyer's words as a clause («крышка в комплекте
    не та»), when it stands in a clause of its own: one named fault out of two reads as if
    the other went unread ("stopped working … and the lid hinge snapped too")."""
    if not problems or problems[0] == "counterfeit":
        return None
    main = [a.clause for a in classification.aspects if a.aspect == problems[0] and a.clause]
    for name in problems[1:]:
        if name not in _SECOND_FAULTS:
            continue
        clauses = [a.clause for a in classification.aspects if a.aspect == name and a.clause]
        if not clauses or set(clauses) & set(main):
            continue  # the same clause: the main echo already says it
        phrase = problem_clause(text, classification.aspects, name)
        if (
            phrase is None
            or _PRAISE_WORD.search(phrase)
            or _EMOTION.search(phrase)
            or _DOCTOR.search(phrase)  # «педиатр сказала аллергическая реакция»: a diagnosis
        ):
            continue  # «раздражает ужасно» is how it felt, not a second fault
        if not (found_cue(_COMPLAINT, phrase) or found_cue(_MILD, phrase)):
            continue  # «стирала по инструкции» is what the buyer did, not a fault
        if echo and (phrase.lower() in echo.lower() or echo.lower() in phrase.lower()):
            continue
        clause = _as_clause(phrase, language)
        if clause and echo and _said_already(clause, echo, language):
            continue  # "Sorry it won't work. And we're sorry it won't work, too."
        # «болтается» alone names no part: a second line needs its subject
        if (
            clause
            and len(clause.split()) >= 2
            and len(clause) <= 60
            and not (language == "ru" and _noun_left_out(clause))
        ):
            return clause
    return _another_complaint(text, echo, language) if echo else None


def _noun_left_out(phrase: str) -> bool:
    """«правый болтается»: an adjective stands for the noun («ботинок») the buyer left to
    the reader; a second line of ours needs it said."""
    words = phrase.lower().split()
    return (
        len(words) > 1
        and part_of_speech(words[0].strip(",."))[0] in ("ADJF", "ADJS")
        and finite_verb(words[1].strip(",."))
    )


def _another_complaint(text: str, echo: str, language: str) -> str | None:
    """A second fault the aspects gave one name ("rust spots after a week" and "the block
    has a crack" are both defects): a complaint clause of its own that shares no word
    stem with the first."""
    for clause in _clauses(text):
        if not found_cue(_COMPLAINT, clause) or _EMOTION.search(clause):
            continue
        for candidate in _candidates(clause, _COMPLAINT):
            if _cuts_phrasal(clause, candidate):
                continue
            phrase = safe_echo(candidate)
            if phrase is None or _PRAISE_WORD.search(phrase) or _MARKER.fullmatch(phrase):
                continue
            if _DOCTOR.search(phrase):
                break  # «педиатр сказала аллергическая реакция»: a diagnosis, not a fault
            if shares_stem(phrase, echo) or not names_fault(phrase):
                break  # the same fault in other words, or no fault: the next clause
            first = phrase.split()[0].lower()
            if language == "ru" and (first == "не" or finite_verb(first)):
                break  # «заняла вдвое дольше обещанного»: its subject (the delivery) is cut
            if language == "ru" and _noun_left_out(phrase):
                break
            said = _as_clause(phrase, language)
            if said and _said_already(said, echo, language):
                break
            if said and _TO_SOMEONE.search(said):
                break  # "your son can't get it over his head": what the fault did to them
            if said and len(said.split()) >= 3 and len(said) <= 60:
                return said
            break
    return None


def _said_already(clause: str, echo: str, language: str) -> bool:
    """The second fault's clause says what the first already said, word for word."""
    first = normalise(_as_clause(echo, language) or echo)
    second = normalise(clause)
    return second in first or first in second


_TO_SOMEONE = re.compile(
    r"\b(?:you|your|his|her|him|them|my|me|we|our)\b|(?<![а-яё])(?:вы|вам|вас|ваш\w*|его|её|ей|ему)(?![а-яё])",
    re.IGNORECASE,
)


def _unanswered(problems: Sequence[str], echo: str | None, text: str) -> bool:
    """A complaint about our silence beside another problem: the acknowledgement names the
    main problem («аккумулятор держит минут 10»), and the silence needs its own apology;
    alone, the silence is the problem the acknowledgement names."""
    if not problems or not _SILENCE.search(text) or (echo and _SILENCE.search(echo)):
        return False  # (the silence is heard by its words, whatever aspects came with it)
    return problems[0] != "seller_service" or echo is not None


def _names_fault(text: str) -> bool:
    """The review says what went wrong, not only how it felt («Ужасно» names nothing)."""
    return text_cues(text).complaint and any(
        not _EMOTION.search(m.group(0)) for m in _COMPLAINT.finditer(text)
    )


_DISMISSIVE = re.compile(
    r"ушёл|ушел|прош[её]л|выветрил|исчез|went\s+away|gone\s+now|(?:was|is)\s+gone\b|мелоч|не\s+страшно|не\s+критично|в\s+целом|за\s+эту\s+цену|нормально|оставил|"
    r"not\s+a\s+(?:huge|big)\s+deal|keeping\s+it|overall|for\s+the\s+price|still|"
    r"no\s+big\s+deal|не\s+мешает|" + TAKEN_BACK_WORDS,
    re.IGNORECASE,
)
_CONTRAST = re.compile(
    r",?\s+(?:но|однако|хотя|а\s+вот|but|though|although|however)\s+", re.IGNORECASE
)


def _with_title_subject(echo: str, title: str | None) -> str:
    """«Воняют резиной на всю квартиру» under «Коврики автомобильные…»: a Russian echo that
    opens on its verb, with no subject of its own, gets the card title's head noun where the
    two agree in number («коврики воняют резиной»)."""
    words = echo.split()
    head = (title or "").split()[:1]
    if not words or not head:
        return echo
    noun = head[0].lower().strip(',.«»"')
    at = next(
        (
            i
            for i, w in enumerate(words[:3])
            if part_of_speech(w.lower())[0] not in ("ADVB", "PRCL") and w.lower() != "не"
        ),
        None,
    )
    if at is None or not finite_verb(words[at].lower()):
        return echo
    if any(part_of_speech(w.lower().strip(".,!?")) == ("NOUN", "nomn") for w in words):
        return echo  # the echo names its own subject
    number = grammatical_number(words[at].lower(), "VERB")
    if number is None or grammatical_number(noun, "NOUN") != number:
        return echo
    return f"{noun} {echo}"


def _with_subject(first: str, verb_first: str) -> str:
    """«Полотенца мягкие но линяют»: the clause after «но» opens on its verb, and its subject
    is the noun the sentence opened on: «полотенца линяют»."""
    head = first.split()
    words = verb_first.split()
    if len(head) < 2 or not words:
        return verb_first
    verb = words[1] if words[0].lower() == "не" and len(words) > 1 else words[0]
    noun, adjective = head[0].lower(), head[1].lower().strip(",.!")
    if (
        (
            finite_verb(verb.lower().strip(",.!"))
            # «полотенце большое но жёсткое после стирки»: an adjective after «но» too
            or part_of_speech(verb.lower().strip(",.!")) in (("ADJF", "nomn"), ("ADJS", None))
        )
        # (the sentence's first word: «полотенца» reads as a genitive as often as not)
        and part_of_speech(noun)[0] == "NOUN"
        and part_of_speech(adjective)[0] in ("ADJF", "ADJS")
    ):
        return f"{noun} {verb_first}"
    return verb_first


_LEADING_BUT = re.compile(r"^(?:but|though|however|но|а|хотя)\b,?\s*", re.IGNORECASE)


def _clauses(text: str) -> list[str]:
    """Sentences split at contrast and list commas, questions left out, in text order.

    A remark the buyer takes back in the same sentence («…but I like it more») is left
    out too: it is no complaint to be sorry for.
    """
    out: list[str] = []
    # «Сын (6 лет) порезал палец»: a short aside in brackets is no sentence end (a lone
    # «)» after a sentence is a smile, and ends it)
    text = re.sub(r"\s*\([^()]{1,25}\)(?=\s)", "", text)
    sentences = re.split(r"(?<=[.!?…)])\s+|\n+|\s*" + EMOJI + r"+\s*", text)
    for sentence, following in zip(sentences, [*sentences[1:], ""], strict=True):
        if sentence.strip().endswith("?"):
            continue
        if _TAKEN_BACK.match(_LEADING_BUT.sub("", following.strip())) or _TAKEN_BACK.match(
            _LEADING_BUT.sub("", sentence.strip())
        ):
            continue  # "the keys are a bit noisy. But I have no problem with that."
        parts = _CONTRAST.split(sentence, maxsplit=1)
        if len(parts) == 2 and _TAKEN_BACK.match(parts[1].strip()):
            sentence = parts[1]
        split = _CLAUSE_BREAK.split(sentence)
        pieces = [split[0]]
        for separator, piece in zip(split[1::2], split[2::2], strict=True):
            if separator.strip().lower() in ("when", "if", "unless") and _ONLY.search(pieces[-1]):
                # "only turns on when you opt in via the app": the condition is the point
                pieces[-1] = f"{pieces[-1]}{separator}{piece}"
            elif separator.strip(" ,").lower() in ("но", "а", "однако"):
                pieces.append(_with_subject(pieces[0], piece))
            elif (
                separator.strip().lower() == "and"
                and not _VERBISH.search(pieces[-1])
                and not _EN_VERB_FORM.search(pieces[-1])
            ):
                # "This film and its cast are dated": one subject of two nouns, no clause
                pieces[-1] = f"{pieces[-1]}{separator}{piece}"
            else:
                pieces.append(piece)
        out.extend(piece.strip() for piece in pieces if piece.strip())
    return out


_CLAUSE_BREAK = re.compile(
    r"(\s*[;:—–]\s+|\s*-{2,}\s*|,\s*(?:но|однако|хотя|but|and|though)\s+|"
    # «1) молния заедает 2) ремень пришит криво»: a numbered list
    r"\s+\d{1,2}[).]\s+|"
    # ("does nothing but restart": "but" there is "except", the fault goes on)
    r"(?<!nothing)(?<!anything)\s+(?:но|хотя|but|even\s+though|although|when|which)\s+|"
    r"\s+and\s+(?=(?:it|they|the|everything|one)\b)|"
    # "…keeps losing wifi and customer service was no help": a second subject and its verb
    r"\s+and\s+(?=[a-z]+\s+(?:[a-z]+\s+)?(?:is|was|are|were|has|had|keeps|kept)\b))"
)
_ONLY = re.compile(r"\bonly\b", re.IGNORECASE)
_EN_VERB_FORM = re.compile(r"\b(?:\w+ing|keeps?|can|will|would|won't|can't)\b", re.IGNORECASE)


#: A cue that ends on what arrived ("ordered black, got …"): the words after it are the fault.
_RECEIVED_END = re.compile(r"\b(?:got|received|came|sent)$", re.IGNORECASE)
_TAKES_IT = frozenset(
    "received got bought ordered returned used washed tried close closed open opened shut charge "
    "charged restart restarted update updated".split()
)


def _dangles(words: Sequence[str]) -> bool:
    """The last word hangs ("сгорел вместе", "broke a") unless it ends a phrasal verb."""
    last = words[-1].lower().strip(".,*\"'“”")
    if len(words) >= 2 and words[-2].lower() == "never":
        return False  # "never received", "never came"
    if last in ("it", "them") and len(words) >= 2 and words[-2].lower() in _TAKES_IT:
        return False  # "never received it": the object, not a cut
    return last in _DANGLING_CUT and not PHRASAL_END.search(" ".join(words).strip(".,"))


#: Words that lead up to a clause's subject, not part of it.
_LEAD_INS = frozenset("а и но там тут вот ну да ещё еще так что".split())


#: Words that open an English noun phrase: where a subject cut from its clause starts.
_EN_DET = frozenset("the my its their our both his her a an".split())


def _candidates(clause: str, pattern: re.Pattern[str] | None) -> list[str]:
    """Comma pieces of the clause, the clause cut after its cue word, the whole clause.

    A short clause whose second half is a contrast («цвет на фото бежевый, а в жизни
    серый») goes first: its halves alone lose the subject.
    """
    out = re.split(r"(?<!\d),\s*|,(?!\d)\s*|,\s+", clause)
    if re.match(
        r"(?:заказ(?:ал|ывал)\w*|ordered)\b[^,]{1,30},\s*(?:пришл|пришел|пришёл|прислали|got\b|received\b)",
        clause,
        re.IGNORECASE,
    ):
        out.insert(0, clause)  # «Заказывала М, пришла XS»: a half alone says neither
    if (
        len(clause) <= 50
        and re.search(r",\s*(?:а|and)\s", clause, re.IGNORECASE)
        and not _PRAISE.search(clause)
    ):
        out.insert(0, clause)
    if pattern is not None:
        m = pattern.search(clause)
        if m:
            end = m.end()
            while end < len(clause) and not clause[end].isspace() and clause[end] not in ",;:":
                end += 1
            rest = re.split(r"[,;]", clause[end:], maxsplit=1)[0].split()
            # Russian often puts the subject after the verb («оторвалась лямка»): keep a
            # few words; English is subject–verb: stop right after the cue word.
            order: tuple[int, ...] = (
                (5, 4, 3, 2, 1, 0)
                # "ordered black, got bright pink": what came is the object, said in full
                if re.search(r"[а-яё]", clause, re.IGNORECASE) or _RECEIVED_END.search(m.group(0))
                else (0, 1, 2, 3)
            )
            russian = re.search(r"[а-яё]", clause, re.IGNORECASE) is not None
            if russian:
                # «не магнитится детали разваливаются ребенок в слезах», unpunctuated: the
                # words after the cue stop before the next clause's subject and verb
                verb = next(
                    (i for i, w in enumerate(rest) if finite_verb(w.strip(".,!").lower())), None
                )
                if verb is not None:
                    if verb and rest[verb - 1].lower() == "не":
                        verb -= 1  # «винтов не хватает»: the clause starts before its «не»
                    order = tuple(e for e in order if e <= max(0, verb - 1))
            for extra in order:
                words = rest[:extra]
                while words and _dangles(words):
                    words.pop()
                out.append((clause[:end] + " " + " ".join(words)).strip())
            if russian:
                # the subject before the cue, without what led up to it («а там половина
                # магнитов не магнитится» → «половина магнитов не магнитится»)
                before = clause[: m.start()].split()
                for back in (3, 2, 1):
                    lead = before[-back:] if len(before) >= back else []
                    while lead and lead[0].lower().strip(",") in _LEAD_INS:
                        lead = lead[1:]
                    if lead:
                        out.append(" ".join([*lead, clause[m.start() : end]]))
            if not russian:
                # "worked great for 2 months then the motor died": the subject before the
                # cue, from its determiner on, without the praise that led up to it
                before = clause[: m.start()].split()
                det = next(
                    (b for b in (1, 2, 3) if len(before) >= b and before[-b].lower() in _EN_DET),
                    None,
                )
                if det is not None:
                    for extra in order:
                        tail = (clause[m.start() : end] + " " + " ".join(rest[:extra])).strip()
                        out.append(" ".join([*before[-det:], tail]))
            # From the cue word on («щиплет глаза» out of «после него щиплет глаза»); in
            # English only from a verb ("leaks everywhere"): "loud I can't hear" lost its
            # subject.
            start = clause.rfind(" ", 0, m.start()) + 1
            if russian or _EN_VERB_FIRST.match(clause[start:]):
                for extra in order:
                    out.append((clause[start:end] + " " + " ".join(rest[:extra])).strip())
    out.append(clause)
    trimmed = []
    for candidate in out:
        words = candidate.split()
        while words and _dangles(words):
            words.pop()
        trimmed.append(" ".join(words))
    return [c for c in trimmed if c and (pattern is None or pattern.search(c))]


#: An echo this short says less than the line made for its case («не пришло»).
_SHORT_ECHO = 4
#: The most words a whole clause may have to stand in for a one-word echo.
_FULLER_WORDS = 9
#: Words of a clause that tells the purchase or praises the service, never a fault.
_NO_FAULT = re.compile(
    r"подар|купил|заказал|заказыв|брал[аи]?\s|взял[аи]?\s|быстр|вовремя|в\s+срок|"
    r"\b(?:gift|present|bought|ordered|quick|quickly|fast|on\s+time|early|promptly|fine|ok|okay|"
    r"alright|decent|good|nice|works|worked|christmas|birthday|anniversary|positives?)\b|"
    r"(?<![а-яё])(?:нормальн|норм\b|неплох|работает)",
    re.IGNORECASE,
)
#: What follows a cut that ends a phrasal verb early ("broke | me out", "gave | up").
_PHRASAL_REST = re.compile(
    r"^\s*(?:(?:me|my\s+\w+|him|her|us|them|it)\s+)?(?:out|up|off|down|in|apart)\b|"
    # "all the seams are sewn | , quite obviously, inside out": the fault is the last words
    r"^[\s,]*(?:(?:quite|very|so)\s+)?(?:(?:obviously|clearly)\s*,?\s*)?"
    r"(?:inside\s+out|upside\s+down|back\s+to\s+front|backwards|the\s+wrong\s+way)\b",
    re.IGNORECASE,
)


def _cuts_phrasal(clause: str, candidate: str) -> bool:
    """The candidate ends where the clause goes on with its verb's particle, or where
    "nothing" goes on with its "but" ("does nothing | but restart and freeze")."""
    at = clause.find(candidate)
    if at < 0:
        return False
    rest = clause[at + len(candidate) :]
    if re.search(r"\b(?:nothing|anything)$", candidate, re.IGNORECASE) and re.match(
        r"\s+(?:but|except)\b", rest, re.IGNORECASE
    ):
        return True
    return _PHRASAL_REST.match(rest) is not None


def complaint_echo(text: str, family: str) -> str | None:
    """The buyer's complaint in their own words, found by the cue lists; None if unsafe.

    First a clause with a complaint word, then (under a remark or a mixed review) one
    with a milder word or right after a "but", then, under 1–2★, the first sentence.
    """
    clauses = _clauses(text)
    for clause in clauses:
        # "The only negative we have on this product is the terrible sound quality"
        said = MARKED_REMARK.match(clause)
        if said:
            echo = safe_echo(clause[said.end() :])
            if echo and not _praises(echo):
                return echo
    for marker, remark in pairwise(clauses):
        # "Only gripe: the crevice nozzle is a bit short": what the marker announces
        if _MARKER.fullmatch(marker.strip(" .:")):
            for candidate in _candidates(remark, None):
                echo = safe_echo(candidate)
                if echo and not _PRAISE_WORD.search(echo):
                    return echo
    for pattern in (_COMPLAINT, _MILD):
        found: list[str] = []
        for clause in clauses:
            if _WORKAROUND.search(clause):
                continue  # "trying to use a different belt just doesn't work": not the item
            # «no leaks and easy to clean» is praise: a negated cue names no complaint
            if found_cue(pattern, clause) and not (
                _EMOTION.search(clause) and not guess_aspect(clause) and len(clause.split()) < 4
            ):
                for candidate in _candidates(clause, pattern):
                    if _cuts_phrasal(clause, candidate):
                        continue  # "this serum broke" cut from "broke me out in bumps"
                    echo = safe_echo(candidate)
                    if echo and not _PRAISE_WORD.search(echo) and not _MARKER.fullmatch(echo):
                        if len(echo.split()) == 1 and clause.rstrip(" .!?…)").lower().endswith(
                            echo.lower()
                        ):
                            # «кабель всего метр, маловато»: one word says nothing alone
                            fuller = safe_echo(clause)
                            if (
                                fuller
                                and len(fuller.split()) <= _FULLER_WORDS
                                and not _PRAISE_WORD.search(fuller)
                            ):
                                echo = fuller
                        found.append(echo)
                        break
        if found:
            # Several complaints: name the one that costs the buyer most.
            def severity(item: tuple[int, str]) -> tuple[int, int]:
                aspect = guess_aspect(item[1])
                # A complaint we cannot place comes after the ones we can, in text order.
                return (ASPECTS.index(aspect) if aspect else len(ASPECTS), item[0])

            return min(enumerate(found), key=severity)[1]
    if family in ("positive_remark", "neutral"):
        # "Good, but …": what follows the "but" is the remark, unless it waves it away.
        for sentence in re.split(r"(?<=[.!?…])\s+", text):
            parts = _CONTRAST.split(sentence, maxsplit=1)
            if len(parts) != 2 or sentence.strip().endswith("?") or _DISMISSIVE.search(parts[1]):
                continue
            pieces = re.split(r"\s*[,;:—–]\s*", parts[1])
            candidates = [pieces[0], parts[1]]
            if _PRAISE_WORD.search(parts[1]):
                # «шумодав не как у эирподсов, но за такие деньги огонь»: a concession, the
                # remark stands before the "but"
                before = re.split(r"[,;:—–)]\s*|\s+[-–—]\s+", parts[0].strip(" ,"))
                candidates = [before[-1]]
            for candidate in candidates:
                echo = safe_echo(candidate)
                if echo and not _PRAISE_WORD.search(echo):
                    return echo
    if family == "negative" and clauses:
        for candidate in _candidates(clauses[0], None):
            echo = safe_echo(candidate)
            # Under 1–2★ a praise word in the first clause is irony: never repeat it; nor
            # the story of the purchase («дочке подарили на день рождения») or what went
            # well ("delivery was quick"): sorry for those reads as if nobody read on.
            if (
                echo
                and not _PRAISE.search(echo)
                and not _NO_FAULT.search(echo)
                and names_fault(echo)
            ):
                return echo
    return None


_EN_VERB_FIRST = re.compile(
    r"^(?:broke|came|fell|tore|took|arrived|stopped|started|keeps|won't|doesn't|didn't|isn't|wasn't|"
    r"leaks|leaked|smells|sticks|squeaks|rattles|stops|dies|died|feels|looks|cracked|snapped|"
    r"shrank|faded|ripped|split|melted|overheats|failed|lasted|peeled|crashes|freezes|grew|"
    r"rubs|hurts|pinches|takes|stings|turns|turned|shuts|shut|switches|switched|goes|went|"
    r"gets|got|runs|heats|charges|works|worked|(?:gave|left|made)\s+(?:you|your\s+\w+|him|her|them)\b|"
    # "toasts unevenly", "sheds everywhere", "flickers at night"
    r"leaves|toasts|cooks|boils|cuts|slices|blends|dries|cleans|drains|drips|fogs|slips|wobbles|jams|"
    r"pills|sheds|fades|bleeds|fits|sits|pinches|tears|rips|stains|scratches|bends|warps|rusts|"
    r"chips|buzzes|hums|beeps|blinks|flickers|restarts|lags|disconnects|drops|loses|resets|"
    r"unpairs|scratched|dented|bent|burns|burned|"
    r"only\s+(?:plays|works|worked|charges|charged|lasts|lasted))\b",
    re.IGNORECASE,
)
_EN_SUBJECT_VERB = re.compile(
    # ("only 2 of the 3 you ordered arrived")
    r"^(?:only\s+\d+\s+of\s+|only\s+)?(?:the|your|this|these|its|it|they|one|both|each|"
    r"everything|nothing|two|three|four|some|several|half|all|most)\s+(?:[\w-]+\s+){0,4}?"
    r"(?:[\w-]+(?:s|ed)|pop|come|fall|keep|break|leak|smell|squeak|broke|tore|split|snapped|"
    r"fell|came|wore|stopped|ripped|cracked|grew|won't|doesn't|didn't|isn't|wasn't|can't)\b"
    r"(?!\s+of\b)",
    re.IGNORECASE,
)
_EN_LEADING_TIME = re.compile(
    r"^((?:after|since|ever\s+since)\s+(?:the\s+|a\s+|my\s+|one\s+|two\s+|three\s+)?"
    r"(?:\w+\s+){0,2}?(?:update|wash|washes|washing|use|uses|day|days|week|weeks|month|months)|"
    # "by Sunday it just clicks and does nothing"
    r"(?:by|on|within)\s+(?:the\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"day\s+\w+|next\s+(?:day|morning|week)|end\s+of\s+the\s+(?:day|week|month)|"
    r"(?:a|one|two|three)\s+(?:day|week|month)s?))"
    r",?\s+((?:you|it|they|the)\s.+)$",
    re.IGNORECASE,
)
_ANOTHER_THAT = re.compile(
    r"^(?:another|yet\s+another|one\s+more)\s+[\w'-]+\s+(?:that|which)\s+(.+)$", re.IGNORECASE
)
_EN_ADJ_FIRST = re.compile(
    r"^(?:way|much|far|too|very|really|so|quite|a\s+bit|rather)\b", re.IGNORECASE
)


#: A part named without its article before its verb ("app crashes", "lid leaks", "battery
#: drains fast"): in our voice it takes "the".
_BARE_PART = re.compile(
    r"^(?:app|battery|screen|lid|zip|zipper|handle|strap|cable|charger|motor|button|light|camera|"
    r"speaker|display|fan|pump|seal|cap|plug|remote|case|cord|hinge|clasp|buckle|sole|heel|seam|"
    r"fabric|material|paint|coating|glass|bottle|kettle|blender|phone|headset|mic|microphone|"
    r"wheel|door|drawer|timer|thermostat|filter|nozzle|spout|valve|switch|sensor|bluetooth|wifi)"
    r"\s+(?:[a-z]+s|won't|doesn't|isn't|can't|keeps|stopped|broke|died|cracked|snapped|leaked)\b",
    re.IGNORECASE,
)


def _as_clause(echo: str, language: str) -> str | None:
    """The echo as a clause that follows "sorry" / «жаль, что», or None for a noun phrase."""
    echo = re.sub(
        r"[,;]?\s+(?:though|however|too|anyway|тоже|впрочем)$", "", echo, flags=re.IGNORECASE
    )
    if language == "en":
        lead = _EN_LEADING_TIME.match(echo)
        if lead and re.match(r"(?:by|on|within)\s", lead.group(1), re.IGNORECASE):
            echo = lead.group(2)  # "by Sunday it just clicks": when is the buyer's story
        elif lead:  # "after the last update you can't log in" → "you can't log in after …"
            echo = f"{lead.group(2)} {lead.group(1)[0].lower()}{lead.group(1)[1:]}"
        if _EN_VERB_FIRST.match(echo) or re.match(
            r"^(?:sometimes|often|always|constantly|randomly|occasionally|still|also)\s+\w+s\b",
            echo,
            re.IGNORECASE,
        ):
            return "it " + echo  # "(it) sometimes turns itself off"
        if _EN_ADJ_FIRST.match(echo):
            return "it's " + echo
        if _EN_SUBJECT_VERB.match(echo):
            return echo
        if re.match(
            r"^(?!(?:was|is|has|does|this|its|always|sometimes|less|loss|glass|class)\b)[a-z]+s\s+"
            r"(?:[a-z]+\s+)?(?:[a-z]+ed|split|came|broke|fell|tore|wore|burst|keep|won't|don't|didn't)\b",
            echo,
            re.IGNORECASE,
        ):
            return "the " + echo[0].lower() + echo[1:]  # "seams split open" → "the seams …"
        if _BARE_PART.match(echo):
            return "the " + echo[0].lower() + echo[1:]  # "app crashes when…" → "the app …"
        missing = re.match(r"^missing\s+(?:the\s+)?(.+)$", echo, re.IGNORECASE)
        if missing:  # "Missing the 3 smallest torx bits" → "the 3 smallest torx bits were missing"
            thing = missing.group(1)
            verb = "were" if re.search(r"s\b", thing.split()[-1]) else "was"
            return f"the {thing} {verb} missing"
        arrived = re.match(r"^no\s+(.+?)\s+(arrived|came)$", echo, re.IGNORECASE)
        if arrived:  # "No light bulb arrived" → "the light bulb never arrived"
            return f"the {arrived.group(1)} never {arrived.group(2)}"
        plural = re.match(
            r"^no\s+(?:\w+\s+)?\w+[^s\W]s\b(?!\s+(?:cable|case|box|kit|pack)\b)",
            echo,
            re.IGNORECASE,
        )
        if re.match(r"^no\s+\w+", echo, re.IGNORECASE):
            # "no diffuser in the box", "no batteries included"
            return ("there were " if plural else "there was ") + echo
        said = _ANOTHER_THAT.match(echo)
        if said and _as_clause(said.group(1), language) == "it " + said.group(1):
            return "it " + said.group(1)  # "another pair that only plays in the left ear"
        if re.match(
            r"^(?:another|yet\s+another|one\s+more)\b|^(?:[\w'-]+\s+){1,2}(?:that|which|who)\s",
            echo,
            re.IGNORECASE,
        ):
            return None  # "another kettle that leaks from the bottom" names, it does not say
        if re.match(
            r"^(?:it's|they're|there's|there\s+is|you\s+\w+|(?:it|they)\s+(?:can't|won't|doesn't|didn't|isn't|"
            r"wasn't|is|was|are|were|keeps|kept|quit|broke|\w+s|\w+ed)|(?:[\w'-]+\s+){1,6}?(?:is|are|was|were|"
            r"has|have|had|doesn't|didn't|won't|can't|isn't|wasn't|keeps|kept|stopped|broke|"
            r"cracked|snapped|tore|ripped|fell|came|leaked|leaks|peeled|shrank|faded|died|started|"
            r"began|tastes|smells|feels|looks|sounds|dies|drains|lasts|overheats|wobbles|slips|"
            r"sticks|squeaks|rattles|stops|breaks|jams|drips|fogs|tears|rips|melted|burned|"
            r"burnt|sparked|caught|creaks|creaked|arrived|came|went|turned|got|became|seems|"
            r"seemed|scratches|scratched|bent|warped|rusted|rusts|cracks|smelled|smelt|tasted|"
            r"takes|took|needs|needed|shows|showed|charges|charged))\b",
            echo,
        ):
            # A telegraphic subject ("left earbud stopped…") takes the article it lacks.
            head = echo.split()[0].lower()
            if head in ("never", "always", "barely", "hardly", "only"):
                return "it " + echo[0].lower() + echo[1:]  # "Never arrived." → "it never arrived"
            if head.endswith("ly") or head in ("maybe", "just", "still", "also", "even"):
                return None  # "probably won't rebuy": an adverb, no subject to take "the"
            if head in _NO_SUBJECT_HEADS or (
                head in FUNCTION_WORDS and head not in _EN_DETERMINERS
            ):
                return None  # "(two) of them have been sent off", "yours broke": cut subjects
            if len(head) > 4 and head.endswith("ed"):
                return "it " + echo  # "smelled like burning plastic and then died"
            if head not in _EN_DETERMINERS and not head.endswith("'s") and head[:1].isalpha():
                return "the " + echo
            return echo
        return None
    return echo if _is_clause(echo) else None


_NO_SUBJECT_HEADS = frozenset("yours mine ours theirs hers his whose".split())
_EN_DETERMINERS = frozenset(
    "the a an your this these that those its their it they there everything nothing "
    "something one both each every all some no you he she his her they're we're i'm "
    "there's it's".split()
)


def _is_clause(phrase: str) -> bool:
    return bool(_VERBISH.search(phrase))


def resolution_sentence(note: str) -> str:
    """The owner's note as it reads inside a reply: one line, a capital, a full stop."""
    text = " ".join(note.split())
    if not text:
        raise DraftError("a follow-up needs the resolution note: what was done")
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


@lru_cache(maxsize=8192)
def _template(phrasing: str) -> tuple[tuple[str, ...], str | None]:
    """The slots of a phrasing, parsed once (phrasings are filled on every attempt), and
    the finished text of one without slots or braces (most of them: nothing to fill)."""
    names = tuple(phrasing_slots(phrasing))
    plain = not names and "{" not in phrasing and "}" not in phrasing
    return names, (phrasing[:1].upper() + phrasing[1:]) if plain else None


def _fill(phrasing: str, values: Mapping[str, str | None]) -> str | None:
    names, finished = _template(phrasing)
    if finished is not None:
        return finished
    if any(values.get(n) is None for n in names):
        return None
    text = phrasing.format_map({n: values[n] for n in names})
    return text[0].upper() + text[1:] if text else text


def _options(phrasings: Sequence[str], values: Mapping[str, str | None]) -> list[str]:
    return [t for t in (_fill(p, values) for p in phrasings) if t is not None]


def _assemble(parts: Sequence[_Part]) -> str:
    """Greeting on its own line, body as one paragraph, sign-off on its own line."""
    head: list[str] = []
    tail: list[str] = []
    body = [p.chosen for p in parts]
    if parts and parts[0].spec.move == "greeting":
        head = [body.pop(0)]
    if len(parts) > 1 and parts[-1].spec.move == "sign_off":
        tail = [body.pop()]
    chunks = [*head, " ".join(b for b in body if b), *tail]
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


@dataclass(frozen=True)
class _Plan:
    """Everything computed once per mention that the moves draw from."""

    values: dict[str, str | None]
    #: Per step kind chosen for this mention: the rendered options.
    steps: list[tuple[str, list[str]]]
    answers: tuple[AnswerPart, ...]
    facts_used: tuple[str, ...]
    echo: bool


def _steps(
    case: _Case,
    doc: LanguageFile,
    truth: PlatformTruth,
    facts: FactSet,
    values: Mapping[str, str | None],
    settings: DraftSettings,
    policy: PlatformPolicy,
    answered_topics: frozenset[str] = frozenset(),
) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """The next steps the platform and the seller's facts allow, in the aspect's order."""
    if not case.problems or case.family not in ("negative", "neutral", "positive_remark"):
        return [], []
    aspect = case.problems[0]
    wanted = list(doc.problems[aspect].steps)  # type: ignore[index]
    if truth.app_store:
        # An app's faults go to its developers; service, price, delivery to the team.
        people = {"seller_service", "delivery_speed", "price", "packaging"}
        wanted = [s for s in wanted if s in FACT_STEPS] + (
            ["pass_on"] if aspect in people else ["app"]
        )
    if answered_topics & {"returns", "exchange"} or case.returning or case.cannot_return:
        # The answer to "how do I return / exchange it" already gives the route.
        wanted = [s for s in wanted if s not in ("return", "return_photos", "exchange")]
    if case.family == "positive_remark":
        # «Ночник хороший, но пульта в коробке не было»: the buyer is happy yet short of what
        # was paid for; the way to put it right stays (a remark about a seam gets none)
        keep = _REMARK_STEPS | (_RETURN_STEPS if _put_right(case) else frozenset())
        wanted = [s for s in wanted if s in keep]
    elif case.family == "negative" and aspect == "shrinkage":
        # washing advice under a 1–2★ shrink reads as if the buyer washed it wrong
        wanted = [s for s in wanted if s != "care"]
    elif case.family == "neutral" and (aspect in _LIVED_WITH or case.makes_do):
        # "Does the job, but the button is in a dumb spot": a 3★ buyer who keeps using it
        # is not shown the way out; the remark goes to the team
        wanted = [s for s in wanted if s not in ("return", "return_photos", "exchange")]
    if case.looks_used:
        # a used item sent is no note on the listing: it goes to the team
        wanted = list(dict.fromkeys("pass_on" if s == "card" else s for s in wanted))
    out: list[tuple[str, list[str]]] = []
    used: list[str] = []
    route = truth.route(case.language)
    returns_fact = facts.by_topic("returns")
    for kind in wanted:
        if len(out) >= _MAX_STEPS:
            break
        phrasings: Sequence[str] = doc.steps.get(kind, [])  # type: ignore[call-overload]
        local = dict(values)
        if kind == "care" and case.followed_care:
            continue  # "washed on cold like the label says": the care advice blames them
        if kind in FACT_STEPS:
            fact = facts.by_topic(FACT_STEPS[kind])
            wording = fact.wording(case.language) if fact else None
            if not fact or not wording:
                continue
            if "unanswered" in case.extras and _WRITE_TO_US.search(wording):
                continue  # they wrote and heard nothing: "write to us" is no next step
            local["fact"] = wording.strip()
            used.append(fact.id)
        elif kind in ("return", "return_photos", "exchange"):
            if kind == "exchange":
                exchange = facts.by_topic("exchange")
                wording = exchange.wording(case.language) if exchange else None
                if exchange and wording:
                    out.append((kind, [wording.strip()]))
                    used.append(exchange.id)
                    continue
                if truth.exchange or not route:
                    continue
            if returns_fact and returns_fact.wording(case.language):
                if any(k in ("return", "return_photos", "exchange") for k, _ in out):
                    continue
                out.append((kind, [str(returns_fact.wording(case.language)).strip()]))
                used.append(returns_fact.id)
                continue
            if not route:
                continue
            if kind == "return_photos" and not truth.return_photos:
                phrasings = doc.steps.get("return", [])
            local["return_route"] = route
        elif kind == "app" and not truth.app_store:
            continue
        elif kind == "delivery" and case.not_arrived and case.refunded:
            # «деньги вернули через неделю»: nothing left for dispatch to look for; how the
            # delivery went goes to those who work with the delivery service
            phrasings = doc.steps.get("delivery_conduct") or phrasings
        elif kind == "delivery" and case.not_arrived:
            phrasings = doc.steps.get("delivery_missing") or phrasings
        elif kind == "delivery" and case.rude_courier:
            phrasings = doc.steps.get("delivery_conduct") or phrasings
        options = _options(phrasings, local)
        if truth.app_store or (kind == "pass_on" and aspect in _NOT_THE_GOODS):
            # an app has no "item": the people "responsible for this item" are no step there;
            # nor for a refund, a chat agent or a wait at the counter
            options = [o for o in options if fits_app(o)] or options
        elif truth.place:
            # a visit to the shop: no "people behind this product"
            options = [o for o in options if fits_place(o)] or options
        if options:
            out.append((kind, options))
    if (
        not any(k in ("return", "return_photos", "exchange") for k, _ in out)
        and case.family == "negative"
        and "unanswered" not in case.extras
        and (settings.support_contact or "").strip()
        and not policy.forbid_contacts
        and not truth.marketplace
        and len(out) < _MAX_STEPS
    ):
        contact = doc.slots.support_contact.direct.format(contact=settings.support_contact)
        options = _options(doc.steps.get("contact", []), {**values, "support_contact": contact})
        if options:
            out.append(("contact", options))
    elif _reach_us(case, out, truth, policy, settings):
        # A review site with no return route and no contact configured: a complaint there
        # still gets a way to us ("passing it on" alone leaves the buyer nowhere to go).
        kind = "reach_us_place" if truth.place else "reach_us"
        options = _options(doc.steps.get(kind, []), values)  # type: ignore[call-overload]
        if options:
            out.append((kind, options))
    return out, used


def _reach_us(
    case: _Case,
    out: list[tuple[str, list[str]]],
    truth: PlatformTruth,
    policy: PlatformPolicy,
    settings: DraftSettings,
) -> bool:
    """Whether a complaint needs the invitation to write to us: a 1–2★ (or unrated negative)
    review on a site where we can neither point to a return nor give a contact."""
    return (
        case.family == "negative"
        and not any(k in ("return", "return_photos", "exchange", "contact") for k, _ in out)
        and "unanswered" not in case.extras
        and not (settings.support_contact or "").strip()
        and not policy.forbid_contacts
        and not truth.marketplace
        and not truth.app_store
        and not truth.returns
        and len(out) < _MAX_STEPS
        and not case.returning
        and not case.cannot_return
        and not case.giving_back  # "it's going back": the return is under way
        and not case.already_wrote
    )


def _puts_right(spec: MoveSpec, plan: _Plan) -> bool:
    """A next step that puts the item right (a return, an exchange): never left out by the
    draw ("Will have to exchange for a smaller size" needs the way to do it)."""
    return spec.move == "next_step" and any(
        kind in ("return", "return_photos", "exchange") for kind, _ in plan.steps
    )


def _without_questions(text: str) -> str:
    """The review without its questions (sentences that end in «?»)."""
    return " ".join(s for s in re.split(r"(?<=[.!?…])\s+", text) if not s.rstrip().endswith("?"))


def _praise_of(text: str, language: str, case: _Case) -> str | None:
    """What the buyer praised, in their words, for a review that praises; never a fault
    ("Good to know the right earbud keeps disconnecting" was a praise echo)."""
    if case.family not in ("positive", "positive_remark", "rating_slip"):
        return None
    praise = praise_echo(text, language)
    if praise is None or found_cue(_COMPLAINT, praise) or found_cue(_MILD, praise):
        return None
    if language == "ru" and not has_cyrillic(praise):
        return None
    if _CONDITIONAL_PRAISE.search(praise):
        # "true to size when the quality control works", "works for about 10 days"
        return None
    sentence = next(
        (s for s in re.split(r"(?<=[.!?…])\s+", text) if praise.lower() in s.lower()), ""
    )
    if _LIMITED.search(sentence):
        return None  # «тепло держит часов шесть, не больше»: the limit is the remark
    if case.echo and (praise in case.echo or case.echo in praise):
        return None
    return praise


def _plan(
    mention: Mention,
    classification: Classification,
    case: _Case,
    doc: LanguageFile,
    policy: PlatformPolicy,
    truth: PlatformTruth,
    settings: DraftSettings,
    facts: FactSet,
    answers: FactAnswers,
) -> _Plan:
    language = case.language
    text = mention.full_text
    english = settings.english_titles.get(mention.product.sku or "") or settings.english_titles.get(
        mention.product.name or ""
    )
    values: dict[str, str | None] = {
        "customer_name": customer_name(
            mention.author, language, frozenset(g.lower() for g in doc.slots.generic_names)
        ),
        # An app store's "product" is the app itself: «отзыв о товаре «…»» would be wrong.
        "product": None
        if truth.app_store
        else product_for(mention.product.name, language, english),
        # Without a configured brand the reply signs neutrally: never the product's brand.
        "brand": brand_for(settings.brand, language, settings.english_brand or None),
        "support_contact": None,
        "order_hint": None,
        "answer": ANSWER_PLACEHOLDER,
        "liked_aspect": None,
        "problem_aspect": None,
        "problem": None,
        "problem_that": None,
        "recipient": None,
        "use": None,
        "return_route": None,
        "fact": None,
        "suggestion": case.suggestion,
        "also_that": case.also,
        "praise": _praise_of(text, language, case),
    }
    if case.detail is not None:
        values[case.detail.kind] = case.detail.value
    if case.liked:
        values["liked_aspect"] = doc.slots.liked_aspect[case.liked[0]]  # type: ignore[index]
        if case.liked[0] == "smell_material" and case.smell and not _MATERIAL.search(text):
            values["liked_aspect"] = _SCENT[language]  # «пахнет приятно» praised no material
    echo = False
    if case.problems:
        aspect = case.problems[0]
        values["problem_aspect"] = doc.slots.problem_aspect[aspect]  # type: ignore[index]
        phrase = case.echo
        if phrase is not None:
            echo = True
            values["problem"] = phrase
            values["problem_that"] = _as_clause(phrase, language)
        else:
            values["problem"] = doc.problems[aspect].generic  # type: ignore[index]
        values["cons_note"] = cons_note(substantive_cons(mention))
    parts: list[AnswerPart] = []
    answered: list[str] = []
    for i, question in enumerate(find_questions(mention, classification)):
        matched = answers[i] if i < len(answers) else None
        if matched is not None and matched.wording.strip():
            parts.append(AnswerPart(question, matched.fact.id, matched.wording.strip()))
            answered.append(matched.fact.id)
        elif parts and parts[-1].fact_id and _FOLLOW_UP.match(question.strip()):
            # "Is there a warranty? How do I claim it": the fact that answered the first
            # says how; an `{answer}` after it would ask a person for what is already said
            parts.append(AnswerPart(question, parts[-1].fact_id, parts[-1].text))
        else:
            parts.append(AnswerPart(question, None, ""))
    # A fact that answers a question is not stated again as a next step.
    step_facts = FactSet(tuple(f for f in facts.facts if f.id not in answered))
    answered_topics = frozenset(f.topic for f in facts.facts if f.id in answered) | frozenset(
        a.fact.topic for a in answers if a is not None and a.fact.id in answered
    )
    steps, used = _steps(case, doc, truth, step_facts, values, settings, policy, answered_topics)
    if parts and steps:
        steps = steps[:1]
    used = [*answered, *used]
    return _Plan(
        values=values,
        steps=steps,
        answers=tuple(parts),
        facts_used=tuple(dict.fromkeys(used)),
        echo=echo,
    )


#: A question that only asks how to use the answer before it ("How do I claim it?",
#: «А как её оформить?»): it names nothing of its own.
_FOLLOW_UP = re.compile(
    r"^(?:and\s+|so\s+|а\s+|и\s+|ну\s+)?(?:how|where|как|где|куда)\s+(?:do\s+i\s+|can\s+i\s+|"
    r"would\s+i\s+|мне\s+|можно\s+|её\s+|ее\s+|его\s+|это\s+)?(?:claim|apply\s+for|use|"
    r"оформить|сделать|воспользоваться|получить)(?:\s+(?:it|this|that|one|её|ее|его|это))?"
    r"\s*[?!.]*$",
    re.IGNORECASE,
)


def _answer_text(plan: _Plan) -> str | None:
    """The answer parts as one passage: facts as written, one `{answer}` for the rest."""
    if not plan.answers:
        return None
    chunks: list[str] = []
    for part in plan.answers:
        chunk = part.text or ANSWER_PLACEHOLDER
        if chunk in chunks and (chunk != ANSWER_PLACEHOLDER or chunks[-1] == ANSWER_PLACEHOLDER):
            continue
        chunks.append(chunk)
    return " ".join(chunks)


def _idea_is_the_remark(case: _Case) -> bool:
    """A review whose only remark is an idea («было бы здорово добавить …»): the idea's
    line stands where the acknowledgement or the remark would."""
    return case.suggestion is not None and not case.problems


_SORRY = re.compile(r"\bsorry\b|\bapolog|жаль|извин|простите", re.IGNORECASE)


_SLIP_SAID = re.compile(
    r"(?:поставил[аи]?|нажал[аи]?|ткнул[аи]?)\s+(?:\w+\s+)?(?:случайно|по\s+ошибке)|"
    r"(?:случайно|по\s+ошибке)\s+(?:поставил|нажал|ткнул)\w*|хотел[аи]?\s+(?:поставить\s+)?(?:пять|5)|"
    r"\bmeant\s+to\s+(?:give|leave|put)\s+(?:it\s+)?(?:5|five|4|four)|\bclicked\s+the\s+wrong\b|"
    r"\b(?:by\s+mistake|accidentally)\s+(?:gave|clicked|rated)|wrong\s+(?:star|rating)",
    re.IGNORECASE,
)


def _hurt_group(case: _Case) -> str:
    """«сын порезал палец»: the child is named, not "you"."""
    return "acknowledge_hurt_child" if case.danger_to == "child" else "acknowledge_hurt"


_SAYS_SMELL = re.compile(r"запах|smell|odou?r", re.IGNORECASE)


def _of_smell(case: _Case, options: list[str]) -> list[str]:
    """The smell-and-material lines that speak of what the buyer spoke of: the smell where
    they smelt one («запах на любителя» is no «замечание о материале»), else the material."""
    if not case.problems or case.problems[0] != "smell_material":
        return options
    return [o for o in options if bool(_SAYS_SMELL.search(o)) == case.smell] or options


def _move_options(
    spec: MoveSpec,
    script: ScriptSpec,
    doc: LanguageFile,
    case: _Case,
    plan: _Plan,
    truth: PlatformTruth,
    rng: random.Random,
) -> list[str]:
    """The rendered phrasings a move can take in this case; [] = the move is skipped."""
    values = plan.values
    library = doc.phrasings
    if spec.move == "ask_details" and (
        case.words >= SHORT_REVIEW_WORDS
        or case.echo
        or case.names_fault
        or plan.answers  # they asked what they need («Как оформить возврат?»): answer that
    ):
        # A review that names its problem, or runs to a dozen words, has said what it had to
        # say: asking for it reads as if nobody read it.
        return []
    if spec.move == "thanks" and case.updated:
        return _options(library.get("thanks_update", []), values) or _options(
            spec.phrasings or [], values
        )
    if spec.use == "positive_extra" and case.words < _TERSE_WORDS:
        # «Норм, заряжает быстро»: "reviews like yours inspire the whole team" overdoes it
        return []
    if spec.phrasings is not None:
        return _options(spec.phrasings, values)
    move = spec.move
    if move in ("acknowledge", "remark") and _idea_is_the_remark(case):
        return []  # the buyer's idea is the remark: its own line thanks for it
    if move == "remark" and "safety" in case.extras:
        # «удобная, но я об неё порезалась»: the person first, no remark for the team
        return _options(library.get(_hurt_group(case), []), values)
    if move == "remark" and _put_right(case):
        move = "acknowledge"  # a part never sent, a broken zip: no idea for the team
    if (
        move in ("acknowledge", "remark")
        and case.smell_passed
        and case.problems
        and case.problems[0] == "smell_material"
        and case.family in ("positive_remark", "neutral")
    ):
        # "it does have a weird smell at first but it goes away": a note for other buyers
        passed = _options(library.get("remark_smell_passed", []), values)
        if passed:
            return passed
    if move == "acknowledge":
        if not case.problems:
            return _options(library.get("acknowledge", []), values)
        aspect = case.problems[0]
        own = _of_smell(case, _options(doc.problems[aspect].acknowledge, values))  # type: ignore[index]
        if case.looks_used and aspect not in ("counterfeit", "missing_parts"):
            # (a part missing from an opened box: the missing part is what to be sorry for)
            # "a used case with someone else's fingerprints": not "the defect", nor transit;
            # «прислали явно б/у» echoed would confirm what only the seller can check
            return _options(library.get("acknowledge_used", []), values) or own
        if "safety" in case.extras and case.hurt:
            # «сын порезал палец»: the person first, never "we understand your frustration";
            # «зарядка грелась так что обожгла руку»: the fault named beside the burn
            if not case.echo:
                group = _hurt_group(case)
            elif _HURT.search(case.echo):
                group = "acknowledge_hurt_named"
            else:
                group = f"{_hurt_group(case)}_echo"
            hurt = _options(library.get(group, []), values) or _options(
                library.get(_hurt_group(case), []), values
            )
            if hurt:
                return hurt
        if case.not_arrived and (not plan.echo or len((case.echo or "").split()) <= _SHORT_ECHO):
            # "tracking said delivered… it was NOT delivered": a lost order, not a delay
            lost = _options(library.get("acknowledge_not_arrived", []), values)
            if lost:
                return lost
        if (
            "safety" in case.extras
            and plan.echo
            and (_DANGER.search(case.echo or "") or case.danger_to == "child")
        ):
            # "the charger started sparking": a danger named, not "that shouldn't happen"
            danger = _options(library.get("acknowledge_danger", []), values)
            if danger:
                return danger
        if (
            "safety" in case.extras
            and not case.hurt
            and not values.get("problem_that")
            and aspect != "counterfeit"  # the doubt is answered; the safety line follows
        ):
            # "gets hot enough to burn… a fire waiting to happen" with no echo to carry: a
            # danger all the same, not "the smell spoils the experience"
            danger = _options(library.get("acknowledge_danger_plain", []), values)
            if danger:
                return danger
        if "skin" in case.extras and (not plan.echo or not values.get("problem_that")):
            # "broke me out in bumps": the reaction, not "the quality", is what we are sorry for
            return _options(library.get("acknowledge_skin", []), values) or own
        if plan.echo:
            group = "acknowledge_neutral_echo" if case.family == "neutral" else "acknowledge_echo"
            echoed = _options(library.get(group, []), values)
            return echoed or own
        return own
    if move == "remark":
        if not case.problems:
            return _options(library.get("remark", []), values)
        aspect = case.problems[0]
        own = _of_smell(case, _options(doc.problems[aspect].remark, values))  # type: ignore[index]
        echoed = _options(library.get("remark_echo", []), values) if plan.echo else []
        if plan.echo and case.echo and found_cue(_COMPLAINT, case.echo):
            # "the unit falls off the window": a fault, not "a fair point" to pass on
            echoed = [o for o in echoed if _SORRY.search(o)] or echoed
        elif plan.echo and case.rating == 5:
            # "the lid button is a bit stiff" under 5★: a tip taken, not an apology
            echoed = [o for o in echoed if not _SORRY.search(o)] or echoed
        # «Недостатки: Катышки после первой стирки»: the buyer's own note, quoted, says more
        # than the aspect's name where it reads as no clause
        return echoed or _options(library.get("remark_cons", []), values) or own
    if move == "next_step":
        if not plan.steps:
            return []
        return [" ".join(rng.choice(options) for _kind, options in plan.steps)]
    if move == "answer":
        answer = _answer_text(plan)
        if answer is None:
            return []
        if case.family == "question":
            return _options(library.get("answer_intro", ["{answer}"]), {**values, "answer": answer})
        return _options(library.get("answer_intro", ["{answer}"]), {**values, "answer": answer})
    if move == "detail":
        if case.detail is None:
            return []
        options = _options(library.get(f"detail_{case.detail.kind}", []), values)
        if case.detail.kind == "recipient":
            # "made your sister happy" only where the review says so; else best wishes
            if case.detail.liked:
                options = [o for o in options if not _HOPING.search(o)]
            else:
                options = [o for o in options if _HOPE.search(o)]
        return options
    if move == "safety" and move in case.extras and case.danger_to and case.stopped_using:
        # "Threw it out immediately": no "don't plug it in again" to a buyer who binned it
        return _options(library.get("safety", []), values)
    if move == "safety" and move in case.extras and case.danger_to and not case.returning:
        # (an item already sent back needs no "don't switch it on")
        # a child at risk, a device that burnt: say what to do first
        return _options(library.get(f"safety_{case.danger_to}", []), values) or _options(
            library.get("safety", []), values
        )
    if (
        move == "safety"
        and move in case.extras
        and not case.stopped_using
        and not case.returning
        and not case.giving_back
        and not case.hurt
    ):
        # "the handle came off full of hot oil… I've glued it back on": stop using it first
        return _options(library.get("safety_stop", []), values) or _options(
            library.get("safety", []), values
        )
    if move == "charged_twice" and move in case.extras and case.charged_unplaced:
        # charged for an order that never went through: not "a second charge"
        return _options(library.get("charged_unplaced", []), values)
    if move == "skin" and case.stopped_using and move in case.extras:
        # "I had to stop after 3 days": asking them to stop reads as if nobody read it
        return _options(library.get("skin_stopped", []), values)
    if move in EXTRA_MOVES:
        return _options(library.get(move, []), values) if move in case.extras else []
    if move == "slip_note":
        group = "slip_note" if truth.rating_editable else "slip_note_locked"
        if truth.rating_editable and case.slip_said:
            group = "slip_note_said"  # «звезду поставила случайно»: no "it may have"
        return _options(library.get(group, []), values)
    if move == "praise":
        praise = values.get("praise")
        if not praise:
            return []
        options = _options(library.get("praise_echo", []), values)
        # the frame must not repeat the buyer's word («Приятно читать, что к телу приятная»)
        return [o for o in options if not shares_stem(o.replace(praise, " "), praise)] or options
    if move == "invite" and (plan.answers or case.family != "positive"):
        return []
    if move == "liked_aspect" and values.get("praise"):
        # The buyer's own praise is the echo: a second one ("…, and the quality") stacks.
        return []
    options = _options(library.get(spec.use or move, []), values)
    if move in ("thanks", "closing"):
        # Lines the review contradicts go; the shipped copy always leaves some (tested).
        options = [
            o for o in options if fits_review(o, case.rating, case.words, bool(case.liked))
        ] or options
    if move == "greeting" and values.get("customer_name"):
        # A buyer who signed with a real name is greeted by it.
        named = [o for o in options if str(values["customer_name"]) in o]
        return named or options
    if move == "sign_off" and values.get("brand"):
        # With a brand configured, the reply signs with it (not "the shop's team").
        branded = [o for o in options if str(values["brand"]) in o]
        return branded or options
    return options


def _matches(script: ScriptSpec, case: _Case) -> bool:
    when = script.when
    if case.kind == "follow_up":
        if script.kind != "follow_up":
            return False
    elif script.family != case.family:
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
    if when.detail is not None and when.detail != (case.detail is not None):
        return False
    if when.platforms is not None and case.platform not in {
        canonical_platform(p) for p in when.platforms
    }:
        return False
    return True


@lru_cache(maxsize=16384)
def _option_keys(option: str) -> tuple[str, ...]:
    return tuple(normalise(x) for x in sentences(option))


def _age(option: str, ages: Mapping[str, int]) -> int:
    """How many replies ago the shop last used a sentence of this phrasing (big = never)."""
    found = [ages[k] for k in _option_keys(option) if k in ages]
    return min(found) if found else 1_000_000


def _freshest(options: Sequence[str], ages: Mapping[str, int]) -> list[str]:
    """The phrasings the shop has not used lately: fresh ones, else the least recent.
    The draft picks one of them at random."""
    if not ages:
        return list(options)
    scored = [(min(_age(o, ages), NEAR_WINDOW * 3), o) for o in options]
    best = max(score for score, _ in scored)
    return [o for score, o in scored if score == best]


def _render(
    script: ScriptSpec,
    doc: LanguageFile,
    case: _Case,
    plan: _Plan,
    truth: PlatformTruth,
    rng: random.Random,
    policy: PlatformPolicy,
    settings: DraftSettings,
    ages: Mapping[str, int] | None = None,
    cache: dict[int, list[str]] | None = None,
    freshest: dict[int, list[str]] | None = None,
) -> list[_Part] | None:
    ages = ages or {}
    cache = {} if cache is None else cache
    freshest = {} if freshest is None else freshest
    parts: list[_Part] = []
    moves = list(script.moves)
    # A question inside a review is answered even when the script has no answer move.
    if plan.answers and not any(m.move == "answer" for m in moves):
        at = next(
            (i for i, m in enumerate(moves) if m.move in ("closing", "invite", "sign_off")),
            len(moves),
        )
        moves.insert(at, MoveSpec(move="answer"))
    # What the buyer says beside the main problem gets its own line after the apology; an
    # idea, after all that is said about the review itself.
    at = next((i + 1 for i, m in enumerate(moves) if m.move in ("acknowledge", "remark")), 1)
    last = next(
        (i for i, m in enumerate(moves) if m.move in ("closing", "invite", "sign_off")),
        len(moves),
    )
    for extra in reversed(case.extras):
        if any(m.move == extra for m in moves):
            continue
        if extra == "suggestion":
            moves.insert(last, MoveSpec(move=extra))
        else:
            moves.insert(at, MoveSpec(move=extra))
            last += 1  # the closing lines moved one down
    left_out: list[tuple[int, _Part]] = []
    for spec in moves:
        # The rendered phrasings depend on the mention only (a next step draws per attempt).
        key = id(spec)
        cacheable = spec.move != "next_step" and any(m is spec for m in script.moves)
        if not cacheable or key not in cache:
            options = _move_options(spec, script, doc, case, plan, truth, rng)
            if truth.app_store:
                # the customer reviewed an app: lines about goods bought go where others fit
                options = [o for o in options if fits_app(o)] or options
            elif truth.place:
                # a shop's maps card: the review is of a visit, not of an item bought
                options = [o for o in options if fits_place(o)] or (
                    [] if spec.optional else options
                )
            elif case.consumable:
                # a cream is used up, not worn: no «пусть служит», no «вещь»
                options = [o for o in options if fits_consumable(o)] or options
            if case.plural and case.language == "en" and spec.move != "acknowledge":
                # "these sheets": not "we hope it keeps serving you well" (an echo's own "it"
                # is the buyer's)
                options = [o for o in options if fits_plural(o)] or options
            if spec.move == "acknowledge" and (
                "safety" in case.extras or (case.echo and _RUDENESS.search(case.echo))
            ):
                # a danger is not an inconvenience, nor is a courier's rudeness
                options = [o for o in options if not _MILD_WORDS.search(o)] or options
            if (
                spec.move in ("acknowledge", "remark")
                and case.echo
                and (_DESIGN_TRAIT.search(case.echo) or not found_cue(_COMPLAINT, case.echo))
            ):
                # "there are no buttons for volume", "smaller than you expected": how it is
                # made or what was hoped for; a fault is conceded only where one is named
                options = [o for o in options if not _CONCEDES.search(o)] or options
            if spec.move in ("acknowledge", "remark") and case.echo and _EXPECTED.search(case.echo):
                # «меньше, чем вы ожидали — это не то, чего вы ждали»: expectation said once
                options = [o for o in options if len(_EXPECTED.findall(o)) < 2] or options
            if spec.move == "remark" and case.problems and case.problems[0] in _NOT_THE_ITEM:
                # «Минусы: долгая доставка»: the remark is the delivery, not "the product"
                options = [o for o in options if not _OF_THE_ITEM.search(o)] or options
            if (
                spec.move in ("acknowledge", "remark")
                and case.echo
                and _ORDER_FIRST.match(case.echo)
            ):
                # «жаль, что вы заказали 43 размер, а пришёл 41» reads as regret for the order
                options = [o for o in options if not _REGRET_THAT.search(o)] or options
            if spec.move in ("acknowledge", "remark") and case.not_arrived:
                options = [o for o in options if not _ARRIVED_LATE.search(o)] or options
            if spec.move in ("acknowledge", "remark") and case.rude_courier:
                options = [o for o in options if not _DELAY_LINE.search(o)] or options
            if spec.move in ("acknowledge", "remark", "liked_aspect", "praise", "closing") and any(
                p.spec.move == "thanks" for p in parts
            ):
                # «Благодарим за отзыв… Спасибо, что поделились»: one thanks is enough
                options = [o for o in options if not _THANKS_ANY.search(o)] or (
                    [] if spec.optional else options
                )
            if spec.move in ("praise", "liked_aspect", "closing") and (
                sum(1 for p in parts if _GLAD_LINE.match(p.chosen)) >= _GLAD_LINES
            ):
                # «Очень приятно читать такие отзывы… Здорово, что пуховик лёгкий… Приятно, что
                # вещь оправдала ожидания»: stacked "glad" lines read as a template
                options = [o for o in options if not _GLAD_LINE.match(o)] or (
                    [] if spec.optional else options
                )
            if spec.move == "closing" and (case.returning or case.giving_back):
                # "sadly, it's going back": no wish that it serve them long
                # no wish that it serve them long to a buyer sending it back: thanks instead
                options = (
                    [o for o in options if not _KEEPS_SERVING.search(o)]
                    or list(doc.phrasings.get("closing_complaint", []))
                    or options
                )
            if cacheable:
                cache[key] = options
        else:
            options = cache[key]
        if spec.move == "closing" and "safety" in case.extras:
            # a danger is not feedback "that helps us do better"
            options = [o for o in options if not _HELPS.search(o)] or options
        if spec.move == "closing" and any(_HELPS.search(p.chosen) for p in parts):
            # «такие замечания помогают нам… Такие отзывы помогают нам»: said once
            options = [o for o in options if not _HELPS.search(o)] or (
                [] if spec.optional else options
            )
        if not options:
            if (
                spec.optional
                or spec.use == "positive_extra"
                or spec.move
                in (
                    "next_step",
                    "detail",
                    "answer",
                    "praise",
                    *EXTRA_MOVES,
                )
            ):
                continue
            if spec.move in ("acknowledge", "remark") and _idea_is_the_remark(case):
                continue  # the idea's own line stands for it
            return None
        # The freshest phrasings of a cached move stay the same for the whole draft.
        kept = freshest.get(key) if cacheable else None
        if kept is None:
            kept = _freshest(options, ages)
            if cacheable:
                freshest[key] = kept
        if spec.move == "closing":
            # (the closing's options depend on this attempt's thanks: «помогают» said once)
            kept = [o for o in kept if o in options] or _freshest(options, ages)
        part = _Part(spec, options, rng.choice(kept))
        if spec.optional and spec.move != "answer" and not _puts_right(spec, plan):
            rate = settings.invite_rate if spec.move == "invite" else settings.optional_move_rate
            if rng.random() >= rate:
                if spec.move != "invite":
                    left_out.append((len(parts), part))
                continue
        parts.append(part)
    if plan.answers:
        parts = [p for p in parts if p.spec.move != "invite"]
    # Too short to read as written by a person: the left-out moves come back, in order.
    for offset, (at, part) in enumerate(left_out):
        if len(_assemble(parts)) >= settings.soft_min_chars or plan.answers:
            break
        parts.insert(at + offset, part)
    cap = policy.cap_for(case.kind)
    parts = _fit(parts, cap, policy)
    # Aim for a readable length (the rubric's 250–400 characters): past the soft cap the
    # optional moves go first, from the end.
    while len(_assemble(parts)) > settings.soft_max_chars:
        optional = [
            i
            for i, p in enumerate(parts)
            if p.spec.optional and p.spec.move != "answer" and not _puts_right(p.spec, plan)
        ]
        if not optional:
            break
        del parts[optional[-1]]
    return parts


def _is_fact(sentence: str, fact_texts: Sequence[str]) -> bool:
    """A sentence of a seller fact: stated as the seller wrote it, so it may repeat."""
    return any(sentence in text for text in fact_texts)


_THANKS = re.compile(r"спасибо|благодар|\bthank", re.IGNORECASE)
_HELPS = re.compile(r"помога|помогут|помож|\bhelps?\b", re.IGNORECASE)
#: Thanks said any way («ценим, что…», "we appreciate…").
_THANKS_ANY = re.compile(r"спасибо|благодар|ценим|\bthank|\bappreciat|\bgrateful", re.IGNORECASE)


def _opener_repeats(text: str, allowed: str = "") -> int:
    """Sentences of one reply that open with the same word («Рады… Рады…») or say the
    same three words twice («спасибо, что написали… спасибо, что написали»), or repeat a
    word across adjacent sentences (not one of `allowed`, the review's and facts'): canned."""
    openers = [s.split()[0].lower().strip(",.!") for s in sentences(text) if s.split()]
    inner = body(text)
    words = normalise(inner).split()
    trigrams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    inner_sentences = sentences(inner)
    thanks = sum(1 for s in inner_sentences if _THANKS.search(s))
    return (
        len(openers)
        - len(set(openers))
        + len(trigrams)
        - len(set(trigrams))
        + max(0, thanks - 2)
        + repeated_stems(inner_sentences, allowed)
    )


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
    facts: FactSet | None = None,
    answers: FactAnswers = (),
    family: str | None = None,
) -> Draft:
    """Draft a reply for one mention.

    `recent_replies`: the shop's latest published/approved replies, oldest first
    (shop-wide: repetition is checked sentence by sentence against all of them); a
    `RecentReplies.window` of them saves re-deriving each reply per draft in a batch.
    `seed`: None derives it from the mention. `facts`: the seller facts that apply;
    `answers`: one entry per question of the classification (FactAnswer or None);
    `family`: force the family (another draft keeps the stored one). `resolution`: draft
    the public follow-up of a resolved case.
    """
    settings = settings or DraftSettings()
    library = library or default_library()
    policy = platform_policy or policy_for(mention.platform)
    truth = truth_for(mention.platform, settings.truths)
    facts = facts or FactSet()
    seed = _seed_for(mention) if seed is None else seed
    rng = random.Random(seed)
    language = _pick_language(mention, classification, library, settings)
    doc = library.languages[language]
    chosen_family = family or draft_family(mention, classification)
    kind = "question" if mention.kind is MentionKind.question else "review"
    if resolution is not None:
        kind = "follow_up"
    detail = None
    if chosen_family in ("positive", "positive_remark", "rating_slip"):
        # "Does it work with the pad in my car?": a question's words are no detail of use
        detail = find_detail(_without_questions(mention.full_text), language)
    problems, echo = _problems(
        classification, chosen_family, mention.full_text, substantive_cons(mention)
    )
    if echo and language == "ru" and not has_cyrillic(echo):
        echo = None  # «podoshva otkleilas» typed in Latin stays the buyer's: we name the aspect
    if echo and language == "ru":
        echo = _with_title_subject(echo, mention.product.name)
    returning = _RETURNING.search(mention.full_text) is not None
    cannot_return = _CANNOT_RETURN.search(mention.full_text) is not None
    also = (
        second_fault(classification, mention.full_text, problems, echo, language)
        if chosen_family == "negative"
        else None
    )
    if also and _HURT.search(also):
        also = None  # "Split lip and a chipped tooth": the hurt line asks after them
    suggestion = find_suggestion(mention.full_text) if chosen_family != "question" else None
    case = _Case(
        language=language,
        kind=kind,
        family=chosen_family,
        rating=mention.rating,
        platform=canonical_platform(mention.platform),
        liked=tuple(_liked(classification)),
        problems=tuple(problems),
        detail=detail,
        echo=echo,
        words=len(mention.full_text.split()),
        names_fault=_names_fault(mention.full_text),
        returning=returning,
        cannot_return=cannot_return,
        charged_unplaced=_CHARGED_UNPLACED.search(mention.full_text) is not None
        and _CHARGED_TWICE.search(mention.full_text) is None,
        consumable=consumable(mention.product.name, mention.full_text),
        plural=plural_goods(mention.product.name, mention.full_text),
        followed_care=_FOLLOWED_CARE.search(mention.full_text) is not None,
        not_arrived=bool(problems)
        and problems[0] == "delivery_speed"
        and _NOT_ARRIVED.search(mention.full_text) is not None,
        stopped_using=_STOPPED_USING.search(mention.full_text) is not None,
        looks_used=_LOOKS_USED.search(mention.full_text) is not None,
        danger_to=_danger_to(mention.full_text),
        giving_back=_GIVING_BACK.search(mention.full_text) is not None,
        smell=_SMELL.search(mention.full_text) is not None,
        hurt=_HURT.search(own_story(mention.full_text)) is not None,
        smell_passed=_SMELL_PASSED.search(mention.full_text) is not None,
        makes_do=_MAKES_DO.search(mention.full_text) is not None,
        slip_said=_SLIP_SAID.search(mention.full_text) is not None,
        already_wrote=_ALREADY_WROTE.search(mention.full_text) is not None,
        refunded=_REFUNDED.search(mention.full_text) is not None,
        updated=chosen_family == "positive" and UPDATE.search(mention.full_text) is not None,
        rude_courier=bool(problems)
        and problems[0] == "delivery_speed"
        and _RUDENESS.search(mention.full_text) is not None
        and _LATE.search(mention.full_text) is None,
        extras=_extras(
            chosen_family, problems, echo, mention.full_text, returning, also, suggestion
        ),
        also=also,
        suggestion=suggestion,
    )
    candidates = [s for s in doc.scripts if _matches(s, case)]
    if not candidates:
        raise DraftError(f"no {language} script for a {chosen_family} {kind} on {case.platform}")
    priorities = sorted({s.priority for s in candidates}, reverse=True)
    tiers = [[s for s in candidates if s.priority == p] for p in priorities]
    plan = _plan(mention, classification, case, doc, policy, truth, settings, facts, answers)
    if resolution is not None:
        plan.values["resolution"] = resolution_sentence(resolution)
    recent = default_index(settings.shingle_size).window(recent_replies)
    recent_sentences = recent.sentence_set()
    sentence_ages = recent.sentence_ages()
    fact_topics = frozenset(f.topic for f in facts.facts)
    fact_texts = [t for f in facts.facts for t in f.text.values()]
    fact_keys = [normalise(t) for t in fact_texts]
    context = LintContext(
        family="follow_up" if resolution is not None else chosen_family,
        rating=mention.rating,
        truth=truth,
        fact_topics=fact_topics,
        problem_named=bool(case.problems),
        asks=bool(plan.answers),
        seller_wordings=tuple(fact_texts),
    )

    # Fact wordings may repeat (they are the seller's words): not counted as repeats.
    facts_joined = "\x00".join(fact_keys)  # one substring test per sentence, not one per fact
    countable_ages = (
        {k: v for k, v in sentence_ages.items() if k not in facts_joined}
        if facts_joined
        else sentence_ages
    )
    own = " ".join([mention.full_text, *fact_texts])
    options_cache: dict[int, list[str]] = {}
    freshest_cache: dict[int, list[str]] = {}
    best: tuple[tuple[int, int, float], Draft] | None = None
    improved_at = 0
    attempt = 0
    for attempt in range(1, max(1, settings.max_attempts) + 1):
        rendered: tuple[ScriptSpec, list[_Part]] | None = None
        for tier in tiers:
            order = list(tier)
            rng.shuffle(order)
            for script in order:
                parts = _render(
                    script,
                    doc,
                    case,
                    plan,
                    truth,
                    rng,
                    policy,
                    settings,
                    sentence_ages,
                    options_cache,
                    freshest_cache,
                )
                if parts is None:
                    continue
                present = {p.spec.move for p in parts}
                skippable = {"acknowledge", "remark"} if not case.problems else set()
                if not (REQUIRED_MOVES[script.family] - present - skippable - {"answer"}):
                    rendered = (script, parts)
                    break
            if rendered:
                break
        if rendered is None:
            raise DraftError(f"no script could fill its required moves for {case}")
        script, parts = rendered
        text = _assemble(parts)
        # Score: (blocking lint errors, repeats, similarity), lowest wins. Cheapest first:
        # an attempt that cannot beat the best so far, even with no lint error, and cannot
        # end the search is not measured further (the result is the same).
        weight = repeat_penalty(text, countable_ages) + NEAR_WINDOW * _opener_repeats(text, own)
        # Good enough: no lint error, nothing the last replies said, not a near copy
        # (an older repeat alone costs less than another attempt is worth).
        settled = weight == 0 or (weight < NEAR_WINDOW and attempt >= _SETTLE_AFTER)
        if best is None or settled or (0, weight) <= best[0][:2]:
            sim, where = recent.most_similar(text)
            ends = settled and sim < settings.similarity_threshold
            if best is None or ends or (0, weight, sim) < best[0]:
                issues = lint_reply(
                    text,
                    policy,
                    kind=case.kind if kind != "follow_up" else "review",
                    context=context,
                )
                score = (_blocking(issues), weight, sim)
                if best is None or score < best[0]:
                    repeats = [
                        r
                        for r in repeated_sentences(text, recent_sentences)
                        if not _is_fact(r, fact_texts)
                    ]
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
                        family=context.family or chosen_family,
                        answers=plan.answers,
                        facts_used=plan.facts_used,
                        repeated_sentences=tuple(repeats),
                        problem_aspect=case.problems[0] if case.problems else None,
                        detail=case.detail.value if case.detail else None,
                        part_texts=tuple((p.spec.move, p.chosen) for p in parts),
                    )
                    best = (score, draft)
                    improved_at = attempt
                if score[0] == 0 and ends:
                    break
        # A short reply (a question's, mostly the placeholder) stays close to other short
        # ones whatever is drawn: past twice the settling attempts the best clean one stands.
        # So does one that the last settling attempts could not better: every phrasing of
        # some move was used lately, and further draws only shuffle the same repeats.
        if (
            attempt >= 2 * _SETTLE_AFTER
            and best[0][0] == 0
            and (best[0][1] < NEAR_WINDOW or attempt - improved_at >= _SETTLE_AFTER)
        ):
            break
    assert best is not None
    return replace(best[1], attempts=attempt)
