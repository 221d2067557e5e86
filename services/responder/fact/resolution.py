"""Which facts apply to one mention: pure, most specific first (sku > brand > shop)."""

from __future__ import annotations

from collections.abc import Iterable

from services.responder.fact.contract import FactSet, SellerFact


def _specificity(
    fact: SellerFact, sku: str | None, brand: str | None, platform: str | None
) -> tuple[int, int] | None:
    """(scope level, platform-specific) or None when the fact does not apply."""
    if fact.sku is not None and (sku is None or fact.sku.strip() != sku.strip()):
        return None
    if fact.brand is not None and (
        brand is None or fact.brand.strip().casefold() != brand.strip().casefold()
    ):
        return None
    if fact.platforms is not None and (
        platform is None or platform.strip().lower() not in fact.platforms
    ):
        return None
    level = 2 if fact.sku is not None else 1 if fact.brand is not None else 0
    return level, 1 if fact.platforms is not None else 0


def resolve(
    facts: Iterable[SellerFact], sku: str | None, brand: str | None, platform: str | None
) -> FactSet:
    """The facts for one product on one platform, most specific first.

    Within a topic only the most specific facts survive: a product's own size advice
    hides the shop-wide one, so a draft never states both. Facts of topic ``other``
    are distinct statements and all stay.
    """
    scored: list[tuple[tuple[int, int], int, SellerFact]] = []
    for order, fact in enumerate(facts):
        spec = _specificity(fact, sku, brand, platform)
        if spec is not None:
            scored.append((spec, order, fact))
    best: dict[str, tuple[int, int]] = {}
    for spec, _, fact in scored:
        if fact.topic != "other" and spec > best.get(fact.topic, (-1, -1)):
            best[fact.topic] = spec
    kept = [
        (spec, order, fact)
        for spec, order, fact in scored
        if fact.topic == "other" or spec == best[fact.topic]
    ]
    kept.sort(key=lambda t: (-t[0][0], -t[0][1], t[1]))
    return FactSet(facts=tuple(fact for _, _, fact in kept))
