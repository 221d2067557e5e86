"""How far an approved reply is from its draft (word-level normalised edit distance), and
which part of a draft each move wrote, found in texts the real engine drafted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from services.responder.config import ResponderSettings
from services.responder.queue_item.drafting import build_drafters
from services.responder.queue_item.edits import (
    LIGHT_MAX,
    move_edits,
    normalised_distance,
    sentences,
    split_by_moves,
    verdict,
    words,
)
from services.responder.queue_item.service import run_drafter
from shared.events import Classification, Mention, MentionKind, QuestionSpan, Sentiment


def test_distance_ignores_case_spacing_and_punctuation() -> None:
    draft = "Здравствуйте!\nСпасибо за отзыв. Ждём вас снова."
    assert normalised_distance(draft, "здравствуйте,  спасибо за отзыв — ждём вас снова") == 0.0
    assert verdict(0.0) == "unchanged"
    assert words("Тётя-Валя, {answer}!") == ["тётя-валя", "{answer}"]


def test_light_edit_and_rewrite_thresholds() -> None:
    draft = "Спасибо за отзыв! Рады, что чайник вам понравился. Ждём вас снова в нашем магазине."
    light = "Анна, спасибо за отзыв! Рады, что чайник вам понравился. Ждём вас снова."
    rewritten = "Анна, благодарим! Чайник и правда хорош: носик не капает, а ручка не греется."
    d_light, d_rewritten = normalised_distance(draft, light), normalised_distance(draft, rewritten)
    assert 0 < d_light <= LIGHT_MAX and verdict(d_light) == "light"
    assert d_rewritten > LIGHT_MAX and verdict(d_rewritten) == "rewritten"
    assert normalised_distance("", "") == 0.0
    # the answer written in place of the placeholder is the agent's job, not an edit
    asked = "Здравствуйте! Спасибо за вопрос. {answer} С уважением, Acme."
    filled = asked.replace("{answer}", "Да, инструкция на русском лежит в коробке.")
    assert normalised_distance(asked, filled) == 0.0
    assert verdict(normalised_distance(asked, filled.replace("Спасибо за", "Благодарим за"))) == (
        "light"
    )
    assert normalised_distance(asked, "Совсем другой ответ без всего.") == 1.0
    assert normalised_distance("Спасибо", "") == 1.0


def test_move_edits_compare_each_sentence_with_the_closest_published_one() -> None:
    parts = [
        ("greeting", "Здравствуйте!"),
        ("thanks", "Спасибо за отзыв."),
        ("invite", "Подписывайтесь на наш магазин, впереди много новинок."),
        ("sign_off", "С уважением, команда Acme."),
    ]
    published = (
        "Здравствуйте!\nСпасибо за отзыв. Носите с удовольствием!\nС уважением, команда Acme."
    )
    edits = {e.move: e for e in move_edits(parts, published)}
    assert edits["greeting"].verdict == "unchanged"
    assert edits["sign_off"].verdict == "unchanged"
    assert edits["invite"].verdict == "rewritten"
    assert edits["invite"].published == ""  # dropped: no sentence shares a word with it
    reworded = move_edits([("invite", "Ждём вас снова в нашем магазине.")], "Ждём вас снова!")
    assert reworded[0].published == "Ждём вас снова!" and reworded[0].verdict == "rewritten"
    assert sentences("Один. Два!\nТри?") == ["Один.", "Два!", "Три?"]


def test_split_by_moves_aligns_sentences_with_the_moves() -> None:
    phrasings = [
        ["Здравствуйте, {customer_name}!", "Здравствуйте!"],
        ["Спасибо за отзыв о «{product}».", "Спасибо!"],
        ["Жаль, что так вышло. Мы разберёмся.", "Простите нас."],
        ["С уважением, {brand}."],
    ]
    moves = ["greeting", "thanks", "apology", "sign_off"]
    text = (
        "Здравствуйте, Анна!\nСпасибо за отзыв о «Чайник 1,7 л». Жаль, что так вышло. "
        "Мы обязательно разберёмся.\nС уважением, Acme."
    )
    assert split_by_moves(text, moves, phrasings) == [
        ("greeting", "Здравствуйте, Анна!"),
        ("thanks", "Спасибо за отзыв о «Чайник 1,7 л»."),
        ("apology", "Жаль, что так вышло. Мы обязательно разберёмся."),  # two sentences
        ("sign_off", "С уважением, Acme."),
    ]
    # a move whose text comes from elsewhere still gets its sentence, in order
    assert split_by_moves(
        "Привет! Чайник хорош. Пока.",
        ["greeting", "praise", "sign_off"],
        [
            ["Привет!"],
            [],
            ["Пока."],
        ],
    ) == [("greeting", "Привет!"), ("praise", "Чайник хорош."), ("sign_off", "Пока.")]
    assert split_by_moves("Одна фраза.", ["greeting", "sign_off"], [["А"], ["Б"]]) is None
    assert split_by_moves(text, ["greeting"], []) is None
    assert sentences("Спасибо. {answer} Ждём вас.") == ["Спасибо.", "{answer}", "Ждём вас."]


@pytest.mark.parametrize(
    ("kind", "text", "sentiment", "rating", "family"),
    [
        (MentionKind.review, "Отличный чайник, быстро закипает", Sentiment.positive, 5, "positive"),
        (MentionKind.review, "Пришёл сломанный, брак", Sentiment.negative, 1, "negative"),
        (
            MentionKind.question,
            "Есть ли инструкция на русском?",
            Sentiment.neutral,
            None,
            "question",
        ),
        (MentionKind.review, "Great kettle, boils fast", Sentiment.positive, 5, "positive"),
    ],
)
async def test_engine_drafts_carry_family_parts_and_answers(
    kind: MentionKind, text: str, sentiment: Sentiment, rating: int | None, family: str
) -> None:
    drafter = build_drafters(ResponderSettings()).reply
    mention = Mention(
        mention_id=uuid.uuid4(),
        platform="wildberries",
        source_id="wb",
        external_id="1",
        kind=kind,
        text=text,
        rating=rating,
        published_at=datetime.now(UTC),
    )
    questions = [QuestionSpan(start=0, end=len(text), text=text)] if text.endswith("?") else []
    language = "en" if text.isascii() else "ru"
    classification = Classification(
        sentiment=sentiment, score=0.9, language=language, questions=questions
    )
    for seed in range(8):
        draft = await run_drafter(drafter, mention, classification, [], seed)
        assert draft.family == family
        assert draft.parts is not None, draft.text
        assert "".join(t for _, t in draft.parts).replace(" ", "") == "".join(draft.text.split())
        if family == "question":
            # no seller fact: a person writes the answer in place of the placeholder
            assert [(a.question, a.fact_id, a.text) for a in draft.answers] == [(text, None, "")]
            assert ("answer", "{answer}") in draft.parts
        else:
            assert draft.answers == ()
