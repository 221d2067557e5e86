"""Seller fact shapes: one validation for the YAML file and the API (a fact is a fact)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.responder.fact.contract import FactTopic

#: Languages a fact may be worded in: the languages the reply scripts are written in.
FactLanguage = Literal["ru", "en"]
FACT_LANGUAGES: tuple[str, ...] = ("ru", "en")
#: A reply is a few sentences; a fact is one or two of them.
MAX_TEXT = 600
MAX_KEYWORDS = 30
ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,99}$"
PLATFORM_PATTERN = r"^[a-z0-9_\-]{1,64}$"


def _clean_scope(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


class FactBody(BaseModel):
    """What a fact says and where it applies (everything but its id)."""

    model_config = ConfigDict(extra="forbid")

    topic: FactTopic
    #: language -> wording, as it may appear in a reply.
    text: dict[str, str]
    keywords: dict[str, list[str]] = Field(default_factory=dict)
    #: None = every platform.
    platforms: list[str] | None = Field(default=None, max_length=20)
    sku: str | None = Field(default=None, max_length=200)
    brand: str | None = Field(default=None, max_length=200)

    @field_validator("text")
    @classmethod
    def _text(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("empty: give the wording in at least one language (ru, en)")
        out: dict[str, str] = {}
        for lang, wording in value.items():
            _known_language(lang)
            wording = " ".join(str(wording).split())
            if not wording:
                raise ValueError(f"empty text for language {lang!r}")
            if len(wording) > MAX_TEXT:
                raise ValueError(
                    f"text for {lang!r} is too long ({len(wording)} characters, at most {MAX_TEXT})"
                )
            out[lang] = wording
        return out

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for lang, words in value.items():
            _known_language(lang)
            cleaned = [" ".join(str(w).split()) for w in words]
            if any(not w or len(w) > 60 for w in cleaned):
                raise ValueError(f"keywords for {lang!r}: each must be 1..60 characters")
            if len(cleaned) > MAX_KEYWORDS:
                raise ValueError(f"keywords for {lang!r}: at most {MAX_KEYWORDS}")
            out[lang] = cleaned
        return out

    @field_validator("platforms")
    @classmethod
    def _platforms(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        import re

        out = []
        for name in value:
            name = str(name).strip().lower()
            if not re.match(PLATFORM_PATTERN, name):
                raise ValueError(f"platform {name!r}: lower-case letters, digits, _ and - only")
            out.append(name)
        return sorted(set(out)) or None

    @field_validator("sku", "brand")
    @classmethod
    def _scope(cls, value: str | None) -> str | None:
        return _clean_scope(value)


def _known_language(lang: str) -> None:
    if lang not in FACT_LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(FACT_LANGUAGES)}")


class FactCreate(FactBody):
    id: str = Field(pattern=ID_PATTERN, description="stable id, e.g. returns-wildberries")


class FactUpdate(FactBody):
    #: The revision the editor saw: a newer one on the server refuses the edit (409).
    revision: int | None = Field(default=None, ge=1)


class FactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    topic: str
    text: dict[str, str]
    keywords: dict[str, list[str]]
    platforms: list[str] | None
    sku: str | None
    brand: str | None
    #: file = imported from the facts file and not edited since; ui = created or edited here.
    origin: str
    revision: int
    created_at: datetime
    updated_at: datetime
    updated_by: str


class FactPage(BaseModel):
    items: list[FactRead]
    total: int
    limit: int
    offset: int


class FactAuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    fact_id: str
    action: str
    actor: str
    actor_role: str
    created_at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    items: list[FactAuditRead]
    total: int
    limit: int
    offset: int


class MatchIn(BaseModel):
    """A question to try against the facts that apply to one product on one platform."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=2000)
    language: FactLanguage
    platform: str | None = Field(default=None, pattern=PLATFORM_PATTERN)
    sku: str | None = Field(default=None, max_length=200)
    brand: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _strip(self) -> MatchIn:
        self.sku = _clean_scope(self.sku)
        self.brand = _clean_scope(self.brand)
        return self


class FactUseRead(BaseModel):
    """Which fact a draft proposes as the answer to one question."""

    id: str
    topic: str
    question: str
    wording: str
    method: str
    score: float


class MatchResult(BaseModel):
    answer: FactUseRead | None
    #: The facts that apply, most specific first (ids).
    candidates: list[str]
