"""What the push endpoint accepts: one mention, or `{"mentions": [...]}`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.events import Mention, MentionKind, Product, mention_id_for


class MentionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")
    external_id: str = Field(min_length=1, max_length=256)
    source_id: str = Field(default="push", min_length=1, max_length=128)
    kind: MentionKind = MentionKind.review
    text: str = Field(min_length=1, max_length=20000)
    pros: str | None = Field(default=None, max_length=10000)
    cons: str | None = Field(default=None, max_length=10000)
    rating: int | None = Field(default=None, ge=1, le=5)
    author: str | None = Field(default=None, max_length=200)
    product: Product = Field(default_factory=Product)
    url: str | None = Field(default=None, max_length=2000)
    published_at: datetime
    language_hint: str | None = Field(default=None, max_length=8)

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
