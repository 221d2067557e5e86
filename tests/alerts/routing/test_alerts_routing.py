from __future__ import annotations

from pathlib import Path

import pytest

from services.alerts.owner.directory import DirectoryError, load_directory, load_directory_text
from services.alerts.routing.rules import RoutingRule, RuleMatch, route
from shared.events import Sentiment
from tests.alerts.factories import classification, mention

CONFIG = """\
default_owner: anna
people:
  - id: anna
    name: Anna
    timezone: Europe/Moscow
    deputy_id: boris
    contacts: {email: anna@example.com, telegram_chat_id: "12345"}
    quiet_hours: [{start: "22:00", end: "08:00"}]
  - id: boris
    name: Boris
  - id: vera
    name: Vera
teams:
  - id: support
    name: Support
    head_id: vera
    members: [anna, boris]
rules:
  - id: wb-delivery
    priority: 10
    match: {platform: wildberries, aspect: [delivery, courier], sentiment: negative}
    owner_id: boris
  - id: acme
    priority: 20
    match: {brand: [ACME]}
    team_id: support
  - id: english
    priority: 20
    match: {language: [en]}
    owner_id: vera
"""


def test_first_match_wins_in_priority_order() -> None:
    cfg = load_directory_text(CONFIG)
    heads = cfg.team_heads()
    neg_delivery = classification(aspects=(("delivery", Sentiment.negative),))
    d = route(mention(), neg_delivery, cfg.rules, cfg.default_owner, team_heads=heads)
    assert (d.owner_id, d.rule_id) == ("boris", "wb-delivery")
    # Not negative → first rule fails; brand matches case-insensitively; team head owns.
    pos = classification(
        Sentiment.positive, language="en", aspects=(("delivery", Sentiment.positive),)
    )
    d = route(mention(), pos, cfg.rules, cfg.default_owner, team_heads=heads)
    assert (d.owner_id, d.team_id, d.rule_id) == ("vera", "support", "acme")


def test_config_order_breaks_priority_ties_and_default_owner() -> None:
    cfg = load_directory_text(CONFIG)
    d = route(mention(brand="Other"), classification(language="en"), cfg.rules, cfg.default_owner)
    assert d.rule_id == "english"
    d = route(mention(brand=None, platform="ozon"), classification(), cfg.rules, cfg.default_owner)
    assert (d.owner_id, d.rule_id, d.team_id) == ("anna", None, None)


def test_empty_match_matches_anything_and_disabled_rules_skip() -> None:
    rules = [
        RoutingRule(id="off", priority=1, owner_id="x", enabled=False),
        RoutingRule(id="all", priority=2, owner_id="y"),
    ]
    assert route(mention(), classification(), rules, "z").rule_id == "all"


def test_any_of_lists() -> None:
    rule = RoutingRule(
        id="r", owner_id="o", match=RuleMatch(sku=["A", "SKU-1"], category=["kettles"])
    )
    assert route(mention(), classification(), [rule], "d").rule_id == "r"
    assert route(mention(sku="B"), classification(), [rule], "d").rule_id is None


def test_team_rule_without_known_head_falls_back_to_default() -> None:
    rule = RoutingRule(id="t", team_id="ghost")
    assert route(mention(), classification(), [rule], "dflt").owner_id == "dflt"


@pytest.mark.parametrize(
    ("patch", "path", "line"),
    [
        (("default_owner: anna", "default_owner: nobody"), "default_owner", 1),
        (("timezone: Europe/Moscow", "timezone: Mars/Olympus"), "people[0].timezone", 5),
        (("deputy_id: boris", "deputy_id: ghost"), "people[0].deputy_id", 6),
        (("head_id: vera", "head_id: ghost"), "teams[0].head_id", 16),
        (("members: [anna, boris]", "members: [anna, ghost]"), "teams[0].members[1]", 17),
        (("    owner_id: boris\n", "    owner_id: nobody\n"), "rules[0].owner_id", 22),
        (("sentiment: negative", "sentiment: furious"), "rules[0].match.sentiment[0]", 21),
        (
            ("priority: 20\n    match: {brand", "priority: high\n    match: {brand"),
            "rules[1].priority",
            24,
        ),
        (
            ('{start: "22:00", end: "08:00"}', '{start: "22:00", end: "22:00"}'),
            "people[0].quiet_hours[0]",
            8,
        ),
    ],
)
def test_config_errors_name_field_and_line(patch: tuple[str, str], path: str, line: int) -> None:
    text = CONFIG.replace(*patch)
    assert text != CONFIG
    with pytest.raises(DirectoryError) as info:
        load_directory_text(text, source="alerts.yaml")
    issue = next(i for i in info.value.issues if i.path == path)
    assert issue.line == line, info.value
    assert f"alerts.yaml:{line}: {path}" in str(info.value)


def test_config_missing_and_unknown_fields() -> None:
    with pytest.raises(DirectoryError) as info:
        load_directory_text("people:\n  - id: a\n    name: A\n    colour: red\n")
    paths = {i.path for i in info.value.issues}
    assert {"default_owner", "people[0].colour"} <= paths


def test_rule_needs_target_and_duplicate_ids() -> None:
    bad = CONFIG.replace("    owner_id: vera\n", "") + "  - id: acme\n    owner_id: anna\n"
    with pytest.raises(DirectoryError) as info:
        load_directory_text(bad)
    text = str(info.value)
    assert "rules[2]" in text and "owner_id or team_id" in text


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text("default_owner: a\npeople: [\n", encoding="utf-8")
    with pytest.raises(DirectoryError) as info:
        load_directory(path)
    assert str(path) in str(info.value)
    assert info.value.issues[0].line is not None


def test_load_from_file(tmp_path: Path) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    cfg = load_directory(path)
    directory = cfg.index()
    assert directory.deputy_of("anna") == "boris"
    assert directory.head_of("anna") == "vera"
    assert cfg.people[0].contacts.channels()[0] == "telegram"
