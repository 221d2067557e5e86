"""Script files: shipped ones load and render; broken ones are refused with file and line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.responder.draft.engine import DraftSettings, draft_reply
from services.responder.script import (
    COMPUTED_MOVES,
    DEFAULT_SCRIPTS_DIR,
    REQUIRED_MOVES,
    ScriptError,
    ScriptSpec,
    load_scripts,
    parse_script_file,
)
from shared.aspects import ASPECTS
from shared.events import (
    Aspect,
    Classification,
    Mention,
    MentionKind,
    Product,
    Sentiment,
    mention_id_for,
)

RU = (DEFAULT_SCRIPTS_DIR / "ru.yaml").read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def broken(old: str, new: str) -> str:
    assert RU.count(old) == 1, old
    return RU.replace(old, new)


def test_shipped_scripts_load_in_ru_and_en():
    library = load_scripts()
    assert set(library.languages) >= {"ru", "en"}
    for doc in library.languages.values():
        families = {s.family for s in doc.scripts}
        assert families >= {"positive", "neutral", "negative", "question", "follow_up"}


_TEXTS = {
    "ru": {
        "positive": "Отличная вещь, всем рекомендую.",
        "positive_remark": "Отличная вещь, но молния заедает.",
        "neutral": "Нормально.",
        "negative": "Сломался через неделю.",
        "rating_slip": "Отличная вещь, всем рекомендую!",
        "question": "Из какого материала сделано?",
        "follow_up": "Сломался через неделю.",
        "detail": "Купила внучке, она довольна.",
    },
    "en": {
        "positive": "Great bag, would recommend.",
        "positive_remark": "Great bag, but the zip sticks.",
        "neutral": "It's fine.",
        "negative": "It broke after a week.",
        "rating_slip": "Great bag, would recommend!",
        "question": "What is it made of?",
        "follow_up": "It broke after a week.",
        "detail": "Bought it as a gift for my daughter, she loves it.",
    },
}


def _case_for(script: ScriptSpec, language: str) -> tuple[Mention, Classification]:
    """A mention and classification that the script's conditions select."""
    when = script.when
    family = script.family
    aspects: list[Aspect] = []
    text = _TEXTS[language]["detail" if when.detail else family]
    if when.liked_aspect:
        aspects.append(Aspect(aspect="price", polarity="positive", start=0, end=3, text="цена"))
    if when.problem_aspects:
        aspects.append(
            Aspect(aspect=when.problem_aspects[0], polarity="negative", start=4, end=8, text="x")
        )
    elif when.problem_aspect:
        aspects.append(Aspect(aspect="packaging", polarity="negative", start=4, end=8, text="x"))
    rating = {
        "positive": 5,
        "positive_remark": 5,
        "neutral": 3,
        "negative": 1,
        "rating_slip": 1,
        "follow_up": 1,
    }.get(family)
    if when.max_rating is not None:
        rating = when.max_rating
    platform = when.platforms[0] if when.platforms else "wildberries"
    kind = MentionKind.question if script.kind == "question" else MentionKind.review
    mention = Mention(
        mention_id=mention_id_for(platform, script.id),
        platform=platform,
        source_id="src",
        external_id=script.id,
        kind=kind,
        text=text,
        rating=None if kind is MentionKind.question else rating,
        author="Анна",
        product=Product(name="Чайник"),
        published_at=datetime(2025, 3, 1, tzinfo=UTC),
    )
    sentiment = {"positive": "positive", "neutral": "neutral"}.get(family, "negative")
    classification = Classification(
        sentiment=Sentiment(sentiment), score=0.9, language=language, aspects=aspects
    )
    return mention, classification


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_shipped_script_renders_with_its_required_moves(language):
    library = load_scripts()
    settings = DraftSettings(brand="Ромашка", support_contact="help@example.com")
    for script in library.languages[language].scripts:
        mention, classification = _case_for(script, language)
        for seed in range(5):
            draft = draft_reply(
                mention=mention,
                classification=classification,
                seed=seed,
                settings=settings,
                library=library,
                resolution="мы заменили чайник" if script.kind == "follow_up" else None,
                family=None if script.kind == "follow_up" else script.family,
            )
            assert draft.script_id == script.id, (script.id, draft.text)
            assert draft.language == language
            # Computed moves (acknowledge, answer...) may be skipped when nothing fits.
            assert REQUIRED_MOVES[script.family] - COMPUTED_MOVES <= set(draft.moves), script.id
            assert "{" not in draft.text.replace("{answer}", ""), draft.text
            if script.kind == "follow_up":
                assert "Мы заменили чайник." in draft.text


def test_every_aspect_has_problem_copy_in_every_language():
    library = load_scripts()
    for doc in library.languages.values():
        assert set(doc.problems) == set(ASPECTS)
        for copy in doc.problems.values():
            assert copy.acknowledge and copy.remark and copy.steps and copy.generic


def test_missing_problem_copy_is_refused():
    start = RU.index("  noise:\n    generic:")
    end = RU.index("  quality:\n    generic:")
    with pytest.raises(ScriptError, match="missing problem copy for aspects: noise"):
        parse_script_file(RU[:start] + RU[end:], "ru.yaml")


def test_unknown_phrase_group_is_refused():
    text = broken("        use: thanks_slip\n", "        use: thanks_slipp\n")
    with pytest.raises(ScriptError, match="phrase group 'thanks_slipp'"):
        parse_script_file(text, "ru.yaml")


def test_scripts_dir_is_configurable(tmp_path: Path):
    (tmp_path / "ru.yaml").write_text(RU, encoding="utf-8")
    library = load_scripts(tmp_path)
    assert list(library.languages) == ["ru"]


def test_unknown_slot_names_file_and_line():
    text = broken('"Пусть прослужит долго."', '"Всего доброго, {customer_nam}!"')
    with pytest.raises(ScriptError) as info:
        parse_script_file(text, "scripts/ru.yaml")
    err = info.value
    assert err.path == "scripts/ru.yaml"
    assert err.line == line_of(text, "{customer_nam}")
    assert "unknown slot {customer_nam}" in str(err)
    assert str(err).startswith(f"scripts/ru.yaml:{err.line}:")


def test_unknown_move_names_line():
    text = broken(
        "moves: [greeting, thanks_patience, what_was_done, invite_back, sign_off]",
        "moves: [greeting, thanks_patience, what_was_done, invitation, sign_off]",
    )
    with pytest.raises(ScriptError) as info:
        parse_script_file(text, "ru.yaml")
    assert info.value.line == line_of(text, "invitation")
    assert "invitation" in str(info.value)


def test_missing_required_move_names_line():
    old = "      - move: thanks\n        use: thanks_slip\n"
    text = broken(old, "")
    with pytest.raises(ScriptError) as info:
        parse_script_file(text, "ru.yaml")
    assert info.value.line == line_of(text, "  - id: rating_slip") + 3  # its `moves:`
    assert "missing required move(s) thanks" in str(info.value)


def test_optional_required_move_is_refused():
    text = broken(
        "      - slip_note\n      - sign_off\n",
        "      - move: slip_note\n        optional: true\n      - sign_off\n",
    )
    with pytest.raises(ScriptError, match="missing required move"):
        parse_script_file(text, "ru.yaml")


def test_empty_phrasing_list_names_line():
    start = RU.index("  invite:\n")
    end = RU.index("  sign_off:\n", start)
    text = RU[:start] + "  invite: []\n" + RU[end:]
    with pytest.raises(ScriptError) as info:
        parse_script_file(text, "ru.yaml")
    assert info.value.line == line_of(text, "invite: []")
    assert "at least 1 item" in str(info.value)


def test_empty_phrasing_string_is_refused():
    text = broken('"Пусть прослужит долго."', '"  "')
    with pytest.raises(ScriptError, match="empty phrasing"):
        parse_script_file(text, "ru.yaml")


def test_bad_yaml_names_line():
    text = broken('    - "Приятного использования!"', '\t- "Приятного использования!"')
    with pytest.raises(ScriptError) as info:
        parse_script_file(text, "ru.yaml")
    assert info.value.line == line_of(text, "Приятного использования")
    assert "bad YAML" in str(info.value)


def test_unknown_key_and_malformed_braces_are_refused():
    with pytest.raises(ScriptError, match="Extra inputs"):
        parse_script_file(
            broken("  - id: positive_generic\n", "  - id: positive_generic\n    colour: red\n")
        )
    with pytest.raises(ScriptError, match="malformed braces"):
        parse_script_file(broken('"Пусть прослужит долго."', '"Всего доброго! {"'))


def test_required_move_needs_a_phrasing_without_optional_slots():
    text = broken('    - "Здравствуйте!"\n    - "Добрый день!"\n', "")
    with pytest.raises(ScriptError, match="always-filled slots"):
        parse_script_file(text, "ru.yaml")


def test_missing_aspect_phrase_is_refused():
    text = broken('    counterfeit: "подлинностью"\n', "")
    with pytest.raises(ScriptError, match="missing aspect phrases: counterfeit"):
        parse_script_file(text, "ru.yaml")


def test_duplicate_script_id_is_refused():
    text = broken("  - id: positive_detail\n", "  - id: positive_liked\n")
    with pytest.raises(ScriptError, match="duplicate script id 'positive_liked'"):
        parse_script_file(text, "ru.yaml")


def test_loading_a_directory_names_the_broken_file(tmp_path: Path):
    (tmp_path / "en.yaml").write_text(
        (DEFAULT_SCRIPTS_DIR / "en.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    bad = tmp_path / "ru.yaml"
    bad.write_text(broken('"Пусть прослужит долго."', '"{oops}"'), encoding="utf-8")
    with pytest.raises(ScriptError) as info:
        load_scripts(tmp_path)
    assert info.value.path == str(bad)
    assert str(bad) in str(info.value)


def test_two_files_for_one_language_are_refused(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(RU, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(RU, encoding="utf-8")
    with pytest.raises(ScriptError, match="already defined"):
        load_scripts(tmp_path)


def test_empty_directory_is_refused(tmp_path: Path):
    with pytest.raises(ScriptError, match="no script files"):
        load_scripts(tmp_path)


# --- resolution scripts (the public follow-up of a resolved case) ------------------------


def test_follow_up_must_state_what_was_done():
    text = broken('    - "Что мы сделали: {resolution}"\n', '    - "Что мы сделали, то сделали."\n')
    with pytest.raises(ScriptError) as info:
        parse_script_file(text, "ru.yaml")
    assert "every what_was_done phrasing must contain {resolution}" in str(info.value)
    assert "follow_up_generic" in str(info.value)


def test_resolution_slot_is_refused_outside_follow_ups():
    text = broken('"Пусть прослужит долго."', '"Хорошего дня! {resolution}"')
    with pytest.raises(ScriptError) as info:
        parse_script_file(text, "ru.yaml")
    assert "uses {resolution}, which is filled only in follow_up scripts" in str(info.value)
    assert "positive_detail" in str(info.value)


def test_follow_up_needs_its_required_moves():
    old = "moves: [greeting, thanks_patience, what_was_done, invite_back, sign_off]"
    new = "moves: [greeting, thanks_patience, what_was_done, sign_off]"
    text = broken(old, new)
    with pytest.raises(ScriptError) as info:
        parse_script_file(text, "ru.yaml")
    assert info.value.line == line_of(text, new)
    assert "missing required move(s) invite_back for a follow_up script" in str(info.value)


def test_follow_up_needs_an_unconditional_fallback():
    text = broken(
        "  - id: follow_up_generic\n    kind: follow_up\n"
        "    moves: [greeting, thanks_patience, what_was_done, invite_back, sign_off]\n",
        "",
    )
    with pytest.raises(ScriptError, match=r"no unconditional fallback script .*follow_up"):
        parse_script_file(text, "ru.yaml")
