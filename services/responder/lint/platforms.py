"""What a seller can publicly offer on each platform, and how: the platform truth as data.

Read by the draft engine (the real next step of a complaint: where a return is filed,
whether a star can be changed) and by the lint (an exchange promised where the platform
has none, a return offered where there are no returns). Like the policies next to it,
every value can be overridden from configuration (`load_platform_truths`).

Sources: ../shared/reference/marketplace-apis.md (answer editing) and the platforms' buyer
help (return routes). Wildberries has no direct exchange (return, then reorder); a defect
or transit-damage return on a marketplace is filed with photos in the return form, so a
reply never asks the buyer to send photos to the shop there.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.responder.lint.policy import canonical_platform, merge_platform_overrides


class PlatformTruth(BaseModel):
    """What one platform lets a seller promise in a public answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    platform: str
    #: A marketplace: the seller already has the order (article, date); never ask for them.
    marketplace: bool = False
    #: Buyers can return an item through the platform (then `return_route` says where).
    returns: bool = False
    #: Where a return is filed, per language, as it reads after "through" / «через».
    return_route: dict[str, str] = Field(default_factory=dict)
    #: Photos of a defect or damage go with the return form (not to the shop).
    return_photos: bool = False
    #: The seller can offer a direct exchange (another size/colour) on this platform.
    exchange: bool = False
    #: The buyer can change the stars of a published review (a slip can be fixed).
    rating_editable: bool = False
    #: How a published answer can change: "once" (WB: one edit), "none" (Ozon: delete and
    #: create again), "replace" (Google Play / Business: a new reply replaces the old one).
    answer_edit: Literal["once", "none", "replace", "free"] = "replace"
    #: An app store: problems go to the developers, there is no order to return.
    app_store: bool = False
    #: A review of a place (the shop's maps card): a visit, not an item bought.
    place: bool = False
    notes: str = ""

    def route(self, language: str) -> str | None:
        """The return route in `language`, or None where the platform has no returns."""
        if not self.returns:
            return None
        return self.return_route.get(language)


DEFAULT_TRUTHS: dict[str, PlatformTruth] = {
    t.platform: t
    for t in (
        PlatformTruth(
            platform="wildberries",
            marketplace=True,
            returns=True,
            return_route={
                "ru": "раздел «Покупки» в личном кабинете",
                "en": "the Purchases section of your Wildberries account",
            },
            return_photos=True,
            exchange=False,
            rating_editable=True,
            answer_edit="once",
            notes="no direct exchange: return + reorder; the answer can be edited once",
        ),
        PlatformTruth(
            platform="ozon",
            marketplace=True,
            returns=True,
            return_route={"ru": "раздел «Мои заказы»", "en": "My orders on Ozon"},
            return_photos=True,
            exchange=False,
            rating_editable=True,
            answer_edit="none",
            notes="answers cannot be edited: delete and re-create",
        ),
        PlatformTruth(
            platform="yandex_market",
            marketplace=True,
            returns=True,
            return_route={"ru": "раздел «Заказы» на Маркете", "en": "Orders on Yandex Market"},
            return_photos=True,
            exchange=False,
            rating_editable=True,
            answer_edit="free",
        ),
        PlatformTruth(
            platform="google_play",
            app_store=True,
            rating_editable=True,
            answer_edit="replace",
            notes="a reply replaces the previous one; no returns through a reply",
        ),
        PlatformTruth(platform="app_store", app_store=True, rating_editable=True),
        PlatformTruth(platform="google_business", answer_edit="replace", place=True),
        PlatformTruth(platform="yandex_maps", place=True),
        PlatformTruth(platform="2gis", place=True),
        PlatformTruth(platform="trustpilot", rating_editable=True),
    )
}


def truth_for(platform: str, truths: Mapping[str, PlatformTruth] | None = None) -> PlatformTruth:
    """The truth of a platform; an unknown one is a review site (no order actions)."""
    table = DEFAULT_TRUTHS if truths is None else truths
    key = canonical_platform(platform)
    return table.get(key) or PlatformTruth(platform=key, notes="unknown platform: review site")


def load_platform_truths(
    source: Path | Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, PlatformTruth]:
    """Defaults merged with overrides `{platform: {field: value}}` from YAML or a dict."""
    return merge_platform_overrides(DEFAULT_TRUTHS, PlatformTruth, source)
