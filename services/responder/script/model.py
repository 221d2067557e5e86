"""The shape of a script file, validated with pydantic at load.

A language file holds a phrase library (phrasings per move, shared by its scripts), slot
phrase tables (aspect names in the grammatical form each slot needs, order hints, support
routes) and the scripts. A script is an ordered list of moves; each move renders one of its
phrasings with slots filled. Everything a reviewer of the copy may touch lives in YAML;
the vocabulary (moves, slots, aspects) lives here so a typo fails at load, not in a reply.
"""

from __future__ import annotations

import string
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from shared.aspects import ASPECTS, AspectName
from shared.events import Sentiment

MoveName = Literal[
    "greeting",
    "thanks",
    #: One concrete detail of the review echoed (who it was for, what it is used for).
    "detail",
    "liked_aspect",
    #: What the buyer praised, in their words («рады, что чай горячий до вечера»).
    "praise",
    #: The problem named (in the buyer's words when safe, else the aspect's own phrase).
    "acknowledge",
    #: Beside another problem: the buyer's messages to us went unanswered (the engine adds
    #: it after the acknowledgement; a script may place it itself).
    "unanswered",
    #: The buyer waits for a refund of an item already sent back (added like `unanswered`).
    "return_wait",
    #: The buyer was refused a return («возврат не принимают», "they refused my return"):
    #: passed to the team to look into (added like `unanswered`).
    "return_refused",
    #: The buyer says the item was dangerous (a wheel off a pram, a shock, a burn): a line
    #: that takes it as a safety matter (added like `unanswered`).
    "safety",
    #: The buyer's skin reacted (a rash, redness, itching): stop using it, see a doctor if
    #: it persists (added like `unanswered`).
    "skin",
    #: A second fault beside the main one, in the buyer's words (added like `unanswered`).
    "also",
    #: The buyer was charged twice (added like `unanswered`): passed to those who handle
    #: payments, never promised back.
    "charged_twice",
    #: The buyer suggests something («добавьте тёмную тему»): thanks for the idea, passed
    #: on (added before the closing lines, in any family).
    "suggestion",
    "apology",
    #: The real next step: the platform's route and the seller's facts (may be skipped).
    "next_step",
    "solution",
    "ask_details",
    "contact",
    "answer",
    #: A 4–5★ review's remark, acknowledged, and what the shop does with it.
    "remark",
    #: 1–2★ under a happy text: the star may be a slip.
    "slip_note",
    #: A warm last line without adverts.
    "closing",
    "invite",
    "sign_off",
    # The public follow-up of a resolved case (``kind: follow_up`` scripts).
    "thanks_patience",
    "what_was_done",
    "invite_back",
]
MOVES: frozenset[str] = frozenset(MoveName.__args__)  # type: ignore[attr-defined]

#: Moves whose text the engine computes (problem, answer, next step, detail): they need no
#: phrasings in the library, and a required one may still be skipped when nothing fits.
COMPUTED_MOVES: frozenset[str] = frozenset(
    {"acknowledge", "remark", "next_step", "answer", "detail", "liked_aspect", "praise"}
)

#: Slots a phrasing may use. `answer` is never filled by the engine: a question's answer is
#: written by a person, and the lint blocks approval while `{answer}` is still there.
#: `resolution` is what the owner wrote when resolving a case: filled in follow-ups only.
SLOTS: frozenset[str] = frozenset(
    {
        "customer_name",
        "product",
        "brand",
        "liked_aspect",
        "problem_aspect",
        "support_contact",
        "order_hint",
        "answer",
        "resolution",
        # The named problem (buyer's words or the aspect's phrase) and, when the buyer's
        # words form a clause, the same as a clause («Жаль, что {problem_that}»).
        "problem",
        "problem_that",
        "recipient",
        "use",
        # A member of staff the buyer thanked by name ("Sarah").
        "staff",
        "praise",
        # The buyer's idea as an infinitive phrase («добавить тёмную тему»).
        "suggestion",
        # A second fault of a complaint, as a clause («крышка в комплекте не та»).
        "also_that",
        # The cons field as the buyer wrote it, quoted where no clause could be echoed
        # («Катышки после первой стирки»).
        "cons_note",
        "return_route",
        "fact",
    }
)
#: Slots the engine can always fill (from settings and platform tables).
ALWAYS_FILLED: frozenset[str] = frozenset({"support_contact", "order_hint", "answer"})

Family = Literal[
    "positive",
    "positive_remark",
    "neutral",
    "negative",
    "rating_slip",
    "question",
    "follow_up",
]
#: Moves each family's scripts must contain as required (not optional) moves.
REQUIRED_MOVES: dict[str, frozenset[str]] = {
    "positive": frozenset({"greeting", "thanks", "sign_off"}),
    "positive_remark": frozenset({"greeting", "thanks", "remark", "sign_off"}),
    "neutral": frozenset({"greeting", "thanks", "sign_off"}),
    "negative": frozenset({"greeting", "acknowledge", "sign_off"}),
    "rating_slip": frozenset({"greeting", "thanks", "slip_note", "sign_off"}),
    "question": frozenset({"greeting", "answer", "sign_off"}),
    #: The public follow-up once a case is resolved: say thanks for the patience, what was
    #: done (from the owner's resolution note) and invite the customer back.
    "follow_up": frozenset(
        {"greeting", "thanks_patience", "what_was_done", "invite_back", "sign_off"}
    ),
}
#: Slots filled only in follow-up scripts, and the follow-up move that must state them.
FOLLOW_UP_SLOT = "resolution"
FOLLOW_UP_SLOT_MOVE = "what_was_done"


def phrasing_slots(text: str) -> list[str]:
    """Slot names used by a phrasing; raises ValueError for malformed braces or formats."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(
            f"malformed braces in {text!r}: {exc} (write {{{{ }}}} for a brace)"
        ) from exc
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion:
            raise ValueError(f"slot {{{name}}} in {text!r}: format specs are not allowed")
        names.append(name)
    return names


def _check_phrasing(text: str) -> str:
    if not text.strip():
        raise ValueError("empty phrasing")
    for name in phrasing_slots(text):
        if name not in SLOTS:
            known = ", ".join(sorted(SLOTS))
            raise ValueError(f"unknown slot {{{name}}} (known: {known})")
    return text


Phrasing = Annotated[str, AfterValidator(_check_phrasing)]
PhrasingList = Annotated[list[Phrasing], Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MoveSpec(_Strict):
    """One step of a script; without `phrasings` it uses the language's phrase library."""

    move: MoveName
    optional: bool = False
    phrasings: PhrasingList | None = None
    #: A named phrase group of the library to draw from instead of the move's own
    #: (e.g. `sign_off_complaint`: a sign-off that suits a complaint).
    use: str | None = None


class When(_Strict):
    """Conditions for picking a script; all given conditions must hold."""

    min_rating: int | None = Field(default=None, ge=1, le=5)
    max_rating: int | None = Field(default=None, ge=1, le=5)
    #: Any of these aspects blamed by the customer (negative polarity).
    problem_aspects: list[AspectName] | None = Field(default=None, min_length=1)
    #: A detail of the review (recipient, use) was found.
    detail: bool | None = None
    #: Any aspect blamed at all.
    problem_aspect: bool | None = None
    #: The customer praised something we can name.
    liked_aspect: bool | None = None
    platforms: list[str] | None = Field(default=None, min_length=1)
    rating_contradiction: bool | None = None


class ScriptSpec(_Strict):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9_\-]+$")
    #: The family this script answers; reviews may give `sentiment` instead (old form).
    for_family: Family | None = Field(default=None, alias="family")
    #: review / question: the first answer; follow_up: the public post once a case is resolved.
    kind: Literal["review", "question", "follow_up"] = "review"
    #: Required for reviews; questions and follow-ups may leave it out (any sentiment).
    sentiment: Sentiment | None = None
    #: Among matching scripts the highest priority wins; ties are drawn at random.
    priority: int = 0
    when: When = Field(default_factory=When)
    moves: list[MoveSpec] = Field(min_length=1)

    @field_validator("moves", mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        """`- greeting` is shorthand for `- {move: greeting}`."""
        if isinstance(value, list):
            return [{"move": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _shape(self) -> ScriptSpec:
        if self.kind == "review" and self.sentiment is None and self.for_family is None:
            raise ValueError("a review script needs a family (or a sentiment)")
        return self

    @property
    def family(self) -> str:
        """The family this script answers: it also fixes the required-move set."""
        if self.kind in ("question", "follow_up"):
            return self.kind
        if self.for_family is not None:
            return self.for_family
        assert self.sentiment is not None
        return self.sentiment.value

    def guaranteed_slots(self) -> frozenset[str]:
        """Slots the conditions of this script promise to be fillable."""
        extra: set[str] = set()
        if self.when.liked_aspect:
            extra.add("liked_aspect")
        if self.when.problem_aspects or self.when.problem_aspect:
            extra.update({"problem_aspect", "problem"})
        if self.family in ("negative", "positive_remark"):
            extra.add("problem")
        if self.kind == "follow_up":
            extra.add(FOLLOW_UP_SLOT)
        return ALWAYS_FILLED | extra


class SupportContactTable(_Strict):
    """How to tell the customer where to write: `direct` wraps the seller's contact."""

    direct: Annotated[str, Field(min_length=1, pattern=r"\{contact\}")]
    #: Per platform, with a required `default`: the route inside the platform.
    in_platform: dict[str, str]

    @model_validator(mode="after")
    def _default(self) -> SupportContactTable:
        if "default" not in self.in_platform:
            raise ValueError("in_platform needs a 'default' entry")
        return self


def _require_all_aspects(table: dict[str, str]) -> dict[str, str]:
    missing = [a for a in ASPECTS if a not in table]
    if missing:
        raise ValueError(f"missing aspect phrases: {', '.join(missing)}")
    empty = [a for a, phrase in table.items() if not phrase.strip()]
    if empty:
        raise ValueError(f"empty aspect phrases: {', '.join(empty)}")
    return table


AspectTable = Annotated[dict[AspectName, str], AfterValidator(_require_all_aspects)]


class SlotTables(_Strict):
    """Words that go into slots, in the grammatical form the slot's phrasings need."""

    #: Object of "you liked/noted ..." (Russian: accusative, «оценили быструю доставку»).
    liked_aspect: AspectTable
    #: After "a problem with ..." (Russian: instrumental, «проблема с упаковкой»).
    problem_aspect: AspectTable
    #: What to send us to find the order; per platform with a required `default`.
    order_hint: dict[str, str]
    support_contact: SupportContactTable
    #: Author names that are placeholders, not names ("Покупатель", "A Google user").
    generic_names: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _default(self) -> SlotTables:
        if "default" not in self.order_hint:
            raise ValueError("order_hint needs a 'default' entry")
        return self


StepKind = Literal[
    "return", "return_photos", "exchange", "size", "compatibility", "manual", "certificates",
    "care", "material", "warranty", "card", "check_batch", "pass_on", "delivery",
    "delivery_missing", "delivery_conduct", "app", "contact", "reach_us", "reach_us_place",
]  # fmt: skip
STEP_KINDS: tuple[str, ...] = StepKind.__args__  # type: ignore[attr-defined]


class ProblemCopy(_Strict):
    """Everything a reply says about one blamed aspect, in one language."""

    #: The problem as a nominative noun phrase («посторонний запах»): fills {problem}.
    generic: str = Field(min_length=2)
    #: A complaint named without the buyer's words (full sentences, apology included).
    acknowledge: PhrasingList
    #: A 4–5★ remark: acknowledged, and what the shop does with it (only true actions).
    remark: PhrasingList
    #: The next steps, in order of preference; the first that the platform and the seller's
    #: facts allow is used.
    steps: list[StepKind] = Field(min_length=1)


def _require_every_aspect(table: dict[str, ProblemCopy]) -> dict[str, ProblemCopy]:
    missing = [a for a in ASPECTS if a not in table]
    if missing:
        raise ValueError(f"missing problem copy for aspects: {', '.join(missing)}")
    return table


class LanguageFile(_Strict):
    language: str = Field(pattern=r"^[a-z]{2}$")
    phrasings: dict[MoveName | str, PhrasingList] = Field(default_factory=dict)
    #: Per blamed aspect: how the reply names it and what it offers (every aspect).
    problems: Annotated[dict[AspectName, ProblemCopy], AfterValidator(_require_every_aspect)]
    #: Per next-step kind: phrasings ({return_route}, {fact}, {support_contact}).
    steps: dict[StepKind, PhrasingList]
    slots: SlotTables
    scripts: list[ScriptSpec] = Field(min_length=1)
