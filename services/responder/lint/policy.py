"""Per-platform reply rules as data: length caps, forbidden content, editability.

Figures come from /work/shared/reference/marketplace-apis.md. Where the platform does not
document a rule, the value is our conservative assumption and says so in `notes`; every
value can be overridden from configuration (`load_platform_policies`) without code changes.

Contacts/links: Yandex Market documents that a reply "must not contain shop contacts or
links other than to Market" [C]. Wildberries and Ozon moderate replies under their seller
rules (no third-party contacts or links; answers that break them are rejected) — not in the
API specs, so marked as an assumption, but the safe default for a marketplace.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.reply_limits import DEFAULT_MAX_LENGTH, REPLY_LIMITS


class PlatformPolicy(BaseModel):
    """What one platform accepts as a reply; read by the lint and by the draft engine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    platform: str
    #: None: no known cap.
    max_length: int | None = Field(default=DEFAULT_MAX_LENGTH, ge=1)
    #: Question answers may have their own bounds (Yandex 5000).
    question_max_length: int | None = Field(default=None, ge=1)
    question_min_length: int | None = Field(default=None, ge=0)
    #: Google Business counts UTF-8 bytes (≈2048 Cyrillic characters in 4096 bytes).
    length_unit: Literal["chars", "bytes"] = "chars"
    min_length: int = Field(default=1, ge=0)
    forbid_links: bool = False
    forbid_contacts: bool = False
    #: Domains a link may point to even when links are forbidden (Yandex: links to Market).
    allowed_link_domains: tuple[str, ...] = ()
    #: False where a published answer cannot be edited (Ozon: delete + re-create only).
    editable: bool = True
    #: How a second public answer (a resolved case's follow-up) goes out: "replace" where a
    #: review holds one answer (Wildberries edits it once within 60 days, Google Play and
    #: Google Business upsert, App Store overwrites), "comment" where answers form a thread
    #: (Ozon comments, Yandex Market comments: the first answer stays).
    follow_up: Literal["replace", "comment"] = "replace"
    #: Platform strips HTML (Google Play): tags would show as nothing or break the text.
    strips_html: bool = False
    #: Where each figure comes from ([C] confirmed, [?] assumed).
    notes: str = ""

    def cap_for(self, kind: str) -> int | None:
        """The length cap for a review reply or a question answer."""
        if kind == "question" and self.question_max_length is not None:
            return self.question_max_length
        return self.max_length

    def min_for(self, kind: str) -> int:
        if kind == "question" and self.question_min_length is not None:
            return self.question_min_length
        return self.min_length


def _lengths(platform: str) -> dict[str, Any]:
    """The platform's reply length limits (`shared.reply_limits`, the connectors' too)."""
    limit = REPLY_LIMITS[platform]
    return {
        "max_length": limit.max_length,
        "min_length": limit.min_length,
        "question_max_length": limit.question_max_length,
        "question_min_length": limit.question_min_length,
        "length_unit": limit.length_unit,
    }


_MARKETPLACE_RULES = "no contacts or links in answers (marketplace moderation)"

DEFAULT_POLICIES: dict[str, PlatformPolicy] = {
    p.platform: p
    for p in (
        PlatformPolicy(
            platform="wildberries",
            **_lengths("wildberries"),
            forbid_links=True,
            forbid_contacts=True,
            notes="2..5000 chars [C]; edit once within 60 days [C]; " + _MARKETPLACE_RULES + " [?]",
        ),
        PlatformPolicy(
            platform="ozon",
            **_lengths("ozon"),
            forbid_links=True,
            forbid_contacts=True,
            editable=False,
            follow_up="comment",
            notes="review reply cap not documented [?], 3000 assumed; questions 2..3000 [C]; "
            "no edit: delete + create [C]; " + _MARKETPLACE_RULES + " [?]",
        ),
        PlatformPolicy(
            platform="yandex_market",
            **_lengths("yandex_market"),
            forbid_links=True,
            forbid_contacts=True,
            allowed_link_domains=("market.yandex.ru", "market.yandex.com"),
            follow_up="comment",
            notes="1..4096 chars, no shop contacts, links only to Market [C]; "
            "questions 1..5000 [C]",
        ),
        PlatformPolicy(
            platform="google_business",
            **_lengths("google_business"),
            notes="4096 UTF-8 bytes [C]",
        ),
        PlatformPolicy(
            platform="google_play",
            **_lengths("google_play"),
            strips_html=True,
            notes="~350 chars, HTML stripped [C]",
        ),
        PlatformPolicy(platform="app_store", **_lengths("app_store"), notes="cap undocumented [?]"),
        PlatformPolicy(platform="trustpilot", **_lengths("trustpilot"), notes="cap not found [?]"),
    )
}

#: Spellings other services may use for the same platform.
ALIASES: dict[str, str] = {
    "wb": "wildberries",
    "yandex": "yandex_market",
    "yandex-market": "yandex_market",
    "ym": "yandex_market",
    "gbp": "google_business",
    "google_business_profile": "google_business",
    "google-business": "google_business",
    "google-play": "google_play",
    "play": "google_play",
    "apple": "app_store",
    "appstore": "app_store",
    "app-store": "app_store",
}


def canonical_platform(platform: str) -> str:
    """Map an alias (wb, yandex, gbp...) to the key used in the policy table."""
    key = platform.strip().lower()
    return ALIASES.get(key, key)


def policy_for(
    platform: str, policies: Mapping[str, PlatformPolicy] | None = None
) -> PlatformPolicy:
    """The policy of a platform; an unknown platform gets a permissive default with a cap."""
    table = DEFAULT_POLICIES if policies is None else policies
    key = canonical_platform(platform)
    found = table.get(key)
    if found is not None:
        return found
    return PlatformPolicy(platform=key, notes="unknown platform: default policy")


class PolicyConfigError(ValueError):
    """A policy override file is wrong; the message names the file and the problem."""


M = TypeVar("M", bound=BaseModel)


def merge_platform_overrides(
    defaults: Mapping[str, M],
    model: type[M],
    source: Path | Mapping[str, Mapping[str, Any]] | None,
) -> dict[str, M]:
    """Per-platform defaults merged with overrides `{platform: {field: value}}` from a YAML
    file or a dict: a field not given keeps the default; a platform not in the table is
    added. Wrong input raises PolicyConfigError naming the file, the platform and the field."""
    table = dict(defaults)
    if source is None:
        return table
    name = "<mapping>"
    if isinstance(source, Path):
        name = str(source)
        try:
            raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise PolicyConfigError(f"{name}: {exc}") from exc
    else:
        raw = source
    if not isinstance(raw, Mapping):
        raise PolicyConfigError(f"{name}: expected a mapping of platform -> fields")
    for platform, fields in raw.items():
        key = canonical_platform(str(platform))
        if not isinstance(fields, Mapping):
            raise PolicyConfigError(f"{name}: {platform}: expected a mapping of fields")
        base = table.get(key) or model.model_validate({"platform": key})
        try:
            table[key] = model.model_validate(
                {**base.model_dump(), **dict(fields), "platform": key}
            )
        except ValidationError as exc:
            raise PolicyConfigError(f"{name}: {platform}: {exc}") from exc
    return table


def load_platform_policies(
    source: Path | Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, PlatformPolicy]:
    """Defaults merged with overrides: `{platform: {field: value}}` from a YAML file or a dict.

    A field not given keeps the default; a platform not in the table is added.
    """
    return merge_platform_overrides(DEFAULT_POLICIES, PlatformPolicy, source)
