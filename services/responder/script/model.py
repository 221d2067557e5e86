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

from shared.events import Sentiment

MoveName = Literal[
    "greeting",
    "thanks",
    "liked_aspect",
    "acknowledge",
    "apology",
    "solution",
    "ask_details",
    "contact",
    "answer",
    "invite",
    "sign_off",
    # The public follow-up of a resolved case (``kind: follow_up`` scripts).
    "thanks_patience",
    "what_was_done",
    "invite_back",
]
MOVES: frozenset[str] = frozenset(MoveName.__args__)  # type: ignore[attr-defined]

AspectName = Literal[
    "quality",
    "size_fit",
    "delivery_speed",
    "packaging",
    "transit_damage",
    "defect",
    "price",
    "seller_service",
    "instructions_language",
    "counterfeit",
    "smell_material",
    "other",
]
ASPECTS: tuple[str, ...] = AspectName.__args__  # type: ignore[attr-defined]

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
    }
)
#: Slots the engine can always fill (from settings and platform tables).
ALWAYS_FILLED: frozenset[str] = frozenset({"support_contact", "order_hint", "answer"})

#: Moves each kind of script must contain as required (not optional) moves.
REQUIRED_MOVES: dict[str, frozenset[str]] = {
    "positive": frozenset({"greeting", "thanks", "invite", "sign_off"}),
    "neutral": frozenset({"greeting", "thanks", "sign_off"}),
    "negative": frozenset({"greeting", "apology", "solution", "ask_details", "sign_off"}),
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


class When(_Strict):
    """Conditions for picking a script; all given conditions must hold."""

    min_rating: int | None = Field(default=None, ge=1, le=5)
    max_rating: int | None = Field(default=None, ge=1, le=5)
    #: Any of these aspects blamed by the customer (negative polarity).
    problem_aspects: list[AspectName] | None = Field(default=None, min_length=1)
    #: Any aspect blamed at all.
    problem_aspect: bool | None = None
    #: The customer praised something we can name.
    liked_aspect: bool | None = None
    platforms: list[str] | None = Field(default=None, min_length=1)
    rating_contradiction: bool | None = None


class ScriptSpec(_Strict):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9_\-]+$")
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
        if self.kind == "review" and self.sentiment is None:
            raise ValueError("a review script needs a sentiment")
        return self

    @property
    def family(self) -> str:
        """positive / neutral / negative / question / follow_up: the required-move set."""
        if self.kind in ("question", "follow_up"):
            return self.kind
        assert self.sentiment is not None
        return self.sentiment.value

    def guaranteed_slots(self) -> frozenset[str]:
        """Slots the conditions of this script promise to be fillable."""
        extra: set[str] = set()
        if self.when.liked_aspect:
            extra.add("liked_aspect")
        if self.when.problem_aspects or self.when.problem_aspect:
            extra.add("problem_aspect")
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


class LanguageFile(_Strict):
    language: str = Field(pattern=r"^[a-z]{2}$")
    phrasings: dict[MoveName, PhrasingList] = Field(default_factory=dict)
    slots: SlotTables
    scripts: list[ScriptSpec] = Field(min_length=1)
