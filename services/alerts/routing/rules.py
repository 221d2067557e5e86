"""Routing: which person owns a classified mention.

First matching rule (by `priority`, then config order) wins; when none matches the
default owner does, so every mention always has exactly one responsible person.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.events import Classification, Mention, Sentiment

_ID = r"^[A-Za-z0-9_.\-]+$"


class RuleMatch(BaseModel):
    """Conditions of a rule. Each list is any-of; an empty list matches anything.

    Text comparisons are case-insensitive (brands and categories are typed by people).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    platform: list[str] = Field(default_factory=list)
    brand: list[str] = Field(default_factory=list)
    sku: list[str] = Field(default_factory=list)
    category: list[str] = Field(default_factory=list)
    aspect: list[str] = Field(default_factory=list)
    sentiment: list[Sentiment] = Field(default_factory=list)
    language: list[str] = Field(default_factory=list)

    @field_validator("platform", "brand", "sku", "category", "aspect", "language", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        # A single scalar in YAML (`brand: Acme`) is the one-element list people mean.
        return [value] if isinstance(value, str) else value

    @field_validator("sentiment", mode="before")
    @classmethod
    def _listify_sentiment(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class RoutingRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64, pattern=_ID)
    #: Lower runs first; ties keep configuration order.
    priority: int = 100
    match: RuleMatch = Field(default_factory=RuleMatch)
    owner_id: str | None = Field(default=None, max_length=64, pattern=_ID)
    team_id: str | None = Field(default=None, max_length=64, pattern=_ID)
    enabled: bool = True

    @model_validator(mode="after")
    def _target(self) -> RoutingRule:
        if not self.owner_id and not self.team_id:
            raise ValueError("a rule needs owner_id or team_id (the team head owns then)")
        return self


class RouteDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    owner_id: str
    team_id: str | None = None
    #: None when the default owner took the mention.
    rule_id: str | None = None


def _norm(values: Sequence[str]) -> set[str]:
    return {v.strip().casefold() for v in values}


def _any_of(wanted: Sequence[str], actual: Sequence[str | None]) -> bool:
    if not wanted:
        return True
    have = {a.strip().casefold() for a in actual if a}
    return bool(_norm(wanted) & have)


def matches(rule: RoutingRule, mention: Mention, classification: Classification) -> bool:
    """Whether every non-empty condition of the rule holds for this mention."""
    m = rule.match
    product = mention.product
    return (
        _any_of(m.platform, [mention.platform])
        and _any_of(m.brand, [product.brand])
        and _any_of(m.sku, [product.sku])
        and _any_of(m.category, [product.category])
        and _any_of(m.aspect, [a.aspect for a in classification.aspects])
        and (not m.sentiment or classification.sentiment in m.sentiment)
        and _any_of(m.language, [classification.language])
    )


def ordered(rules: Sequence[RoutingRule]) -> list[RoutingRule]:
    """Rules in evaluation order: priority ascending, stable for equal priorities."""
    return sorted(rules, key=lambda r: r.priority)


def route(
    mention: Mention,
    classification: Classification,
    rules: Sequence[RoutingRule],
    default_owner: str,
    *,
    team_heads: dict[str, str] | None = None,
) -> RouteDecision:
    """Pick the owner: first enabled matching rule, else `default_owner`.

    A rule naming only a team is owned by that team's head (`team_heads[team_id]`);
    if the head is unknown the default owner takes it, so routing never fails.
    """
    for rule in ordered(rules):
        if not rule.enabled or not matches(rule, mention, classification):
            continue
        owner = rule.owner_id or (team_heads or {}).get(rule.team_id or "")
        if owner:
            return RouteDecision(owner_id=owner, team_id=rule.team_id, rule_id=rule.id)
    return RouteDecision(owner_id=default_owner, team_id=None, rule_id=None)
