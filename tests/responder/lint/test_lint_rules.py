"""Per-platform lint: each rule fires where the platform forbids it, and only there."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.responder.lint import (
    DEFAULT_POLICIES,
    PolicyConfigError,
    canonical_platform,
    has_errors,
    lint_reply,
    load_platform_policies,
    policy_for,
)

OK_RU = "Здравствуйте! Спасибо за отзыв. С уважением, команда магазина."


def codes(text: str, platform: str, kind: str = "review") -> list[str]:
    return [i.code for i in lint_reply(text, policy_for(platform), kind=kind)]


def test_clean_reply_passes_everywhere_but_ozon_warns():
    for platform in DEFAULT_POLICIES:
        issues = lint_reply(OK_RU, policy_for(platform))
        assert not has_errors(issues), (platform, issues)
    ozon = lint_reply(OK_RU, policy_for("ozon"))
    assert [(i.code, i.severity) for i in ozon] == [("no_edit", "warning")]
    assert "cannot be edited; delete + re-create only" in ozon[0].message


@pytest.mark.parametrize("text", ["", "   \n "])
def test_empty_is_an_error(text):
    assert codes(text, "wildberries") == ["empty"]


def test_min_length_wildberries():
    assert codes("Ок", "wildberries") == []
    assert codes("!", "wildberries") == ["too_short"]


@pytest.mark.parametrize(
    ("platform", "cap"),
    [("wildberries", 5000), ("yandex_market", 4096), ("google_play", 350), ("ozon", 3000)],
)
def test_length_caps(platform, cap):
    assert "too_long" not in codes("а" * cap, platform)
    issues = lint_reply("а" * (cap + 1), policy_for(platform))
    too_long = [i for i in issues if i.code == "too_long"]
    assert too_long and too_long[0].severity == "error"
    assert too_long[0].span == (cap, cap + 1)


def test_google_business_counts_bytes():
    cyrillic = "я" * 2048  # 4096 bytes
    assert "too_long" not in codes(cyrillic, "google_business")
    issues = lint_reply(cyrillic + "я", policy_for("google_business"))
    (too_long,) = [i for i in issues if i.code == "too_long"]
    assert "4096 bytes" in too_long.message
    assert too_long.span == (2048, 2049)
    assert "too_long" not in codes("a" * 4096, "google_business")


def test_question_caps_differ():
    assert "too_long" in codes("а" * 3001, "ozon", kind="question")
    assert "too_long" not in codes("а" * 4500, "yandex_market", kind="question")
    assert "too_long" in codes("а" * 4500, "yandex_market", kind="review")


@pytest.mark.parametrize(
    ("snippet", "code"),
    [
        ("https://shop.example.com/sale", "link"),
        ("www.romashka.ru", "link"),
        ("romashka.ru/catalog", "link"),
        ("help@romashka.ru", "email"),
        ("+7 (916) 123-45-67", "phone"),
        ("8 916 123 45 67", "phone"),
        ("89161234567", "phone"),
        ("t.me/romashka_shop", "contact"),
        ("@romashka_shop", "contact"),
    ],
)
def test_marketplaces_forbid_links_and_contacts(snippet, code):
    text = f"Напишите нам: {snippet}, поможем."
    for platform in ("wildberries", "ozon", "yandex_market"):
        issues = lint_reply(text, policy_for(platform))
        found = [i for i in issues if i.code == code]
        assert found, (platform, snippet, issues)
        start, end = found[0].span or (0, 0)
        assert snippet.startswith(text[start:end]) or text[start:end] in snippet
    # Google Business allows contacts and links.
    assert not has_errors(lint_reply(text, policy_for("google_business")))


def test_email_is_not_also_reported_as_a_link():
    assert codes("Пишите на help@romashka.ru", "wildberries") == ["email"]


def test_yandex_allows_links_to_market():
    assert "link" not in codes("Смотрите https://market.yandex.ru/product/1", "yandex_market")
    assert "link" in codes("Смотрите https://romashka.ru/product/1", "yandex_market")


def test_prices_and_dates_are_not_phones():
    text = "Цена 1 500 ₽, заказ от 01.03.2025, размер 44-46, артикул 123456."
    assert codes(text, "wildberries") == []


def test_unfilled_slots_are_errors():
    issues = lint_reply("Здравствуйте, {customer_name}! {answer}", policy_for("ozon"))
    slots = [i for i in issues if i.code == "unfilled_slot"]
    assert [i.span for i in slots] == [(14, 29), (31, 39)]
    assert all(i.severity == "error" for i in slots)
    assert "write the answer" in slots[1].message


def test_google_play_warns_about_html():
    issues = lint_reply("Спасибо за <b>отзыв</b>!", policy_for("google_play"))
    assert [i.code for i in issues] == ["html", "html"]
    assert not has_errors(issues)


def test_aliases_and_unknown_platforms():
    assert canonical_platform("WB") == "wildberries"
    assert canonical_platform("yandex") == "yandex_market"
    assert policy_for("gbp").length_unit == "bytes"
    unknown = policy_for("otzovik")
    assert unknown.max_length == 3000 and not unknown.forbid_links


def test_policies_are_configurable(tmp_path: Path):
    path = tmp_path / "policies.yaml"
    path.write_text("ozon:\n  max_length: 1000\notzovik:\n  forbid_links: true\n")
    policies = load_platform_policies(path)
    assert policies["ozon"].max_length == 1000
    assert policies["ozon"].editable is False  # untouched fields keep their defaults
    assert policies["otzovik"].forbid_links
    assert "too_long" in [i.code for i in lint_reply("а" * 1001, policies["ozon"])]
    assert load_platform_policies({"wb": {"max_length": 10}})["wildberries"].max_length == 10
    with pytest.raises(PolicyConfigError, match="max_length"):
        load_platform_policies({"ozon": {"max_length": "lots"}})
    with pytest.raises(PolicyConfigError, match="bogus"):
        load_platform_policies({"ozon": {"bogus": 1}})
