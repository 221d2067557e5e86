"""What the push endpoint accepts: one mention, or `{"mentions": [...]}`."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from shared.events import Mention, MentionKind, Product, mention_id_for

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


class MentionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")
    external_id: str = Field(min_length=1, max_length=256)
    source_id: str = Field(default="push", min_length=1, max_length=128)
    kind: MentionKind = MentionKind.review
    # pros and cons come before text: text's validator reads them.
    pros: str | None = Field(default=None, max_length=10000)
    cons: str | None = Field(default=None, max_length=10000)
    #: May be empty when pros or cons carry the review (Wildberries delivers such).
    text: str = Field(default="", max_length=20000, validate_default=True)
    rating: int | None = Field(default=None, ge=1, le=5)
    author: str | None = Field(default=None, max_length=200)
    product: Product = Field(default_factory=Product)
    url: str | None = Field(default=None, max_length=2000)
    published_at: datetime
    language_hint: str | None = Field(default=None, max_length=8)

    @model_validator(mode="before")
    @classmethod
    def _clean_control_characters(cls, data: Any) -> Any:
        """NUL and other C0 controls (tab and newlines kept) are dropped from every string:
        PostgreSQL refuses NUL, and no review means them."""
        return _clean(data)

    @field_validator("text")
    @classmethod
    def _has_content(cls, text: str, info: ValidationInfo) -> str:
        parts = (text, info.data.get("pros"), info.data.get("cons"))
        if not any(part and part.strip() for part in parts):
            raise ValueError("a mention needs text, pros or cons (all are empty)")
        return text

    def to_mention(self) -> Mention:
        return Mention(
            mention_id=mention_id_for(self.platform, self.external_id),
            **self.model_dump(),
        )


class MentionBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mentions: Annotated[list[MentionIn], Field(min_length=1)]


class PushResult(BaseModel):
    accepted: int
    new: int
    updated: int
    duplicate: int
    mention_ids: list[str]
