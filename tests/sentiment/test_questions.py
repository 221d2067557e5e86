"""Question detection inside reviews: with and without «?», rhetorical ones left out."""

from __future__ import annotations

import pytest

from services.sentiment.classifier.questions import find_questions, whole_text_question


def asked(text: str) -> list[str]:
    return [q.text for q in find_questions(text)]


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("Будет ли поставка в декабре?", "Будет ли поставка в декабре?"),
        ("Отличная куртка. А есть такая же в чёрном?", "А есть такая же в чёрном?"),
        ("Подойдёт ли на рост 170?)) Очень нравится", "Подойдёт ли на рост 170?))"),
        ("Does it come with a charger? Looks great", "Does it come with a charger?"),
        ("Запах сильный, это нормально?", "Запах сильный, это нормально?"),
    ],
)
def test_question_marks(text: str, question: str) -> None:
    assert asked(text) == [question]


@pytest.mark.parametrize(
    "text",
    [
        "подскажите размер на рост 170",
        "Подскажите пожалуйста а 128 рост брать или 134",
        "Как стирать",
        "Где инструкция на русском",
        "будет ли поставка в декабре",
        "Какой размер брать на 44",
        "не подскажете, есть ли гарантия",
        "Хочу уточнить срок гарантии",
        "Можно ли стирать в машинке",
        "when will you restock the navy one",
        "Does it come with a charger",
        "How do I reset it",
        "Any tips on washing it",
        "Please advise which size to order",
    ],
)
def test_questions_without_a_question_mark(text: str) -> None:
    assert asked(text) == [text]


def test_a_request_after_a_comma_starts_the_question() -> None:
    assert asked("Всё подошло, подскажите, как стирать") == ["подскажите, как стирать"]


@pytest.mark.parametrize(
    "text",
    [
        "Когда получила, сразу примерила.",
        "Как и ожидалось, всё отлично",
        "Какая красота!",
        "Где-то через неделю сломалось",
        "Would recommend to anyone",
        "Does the job.",
        "Does the job for the car seats and dog hair.",
        "What a lovely dress",
        "What I like most is the colour",
        "Отличный чайник, рекомендую",
        "",
    ],
)
def test_statements_are_not_questions(text: str) -> None:
    assert asked(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Размер не тот. И как это носить??",
        "Вы серьёзно? Пришло разбитое",
        "Пришло через месяц. За что?",
        "Оригинал? Да конечно. Логотип кривой",
        "Что это за запах? Воняет химией",
        "Зачем писать неправду?",
        "Ну и сколько ждать???",
        "Broken on day one. Are you kidding me?",
        "How am I supposed to charge them?",
        "Seriously?",
        "Заказал 128, пришло 98. Кто собирал?",
        "Сто процентов хлопка? Сомневаюсь",
        "Непроливайка, говорите? Течёт при любом наклоне",
    ],
)
def test_rhetorical_questions_are_not_counted(text: str) -> None:
    assert asked(text) == []


def test_explicit_request_with_emphasis_is_still_a_question() -> None:
    assert asked("Подскажите, когда будет поставка??") == ["Подскажите, когда будет поставка??"]
    # a doubt about authenticity deserves an answer however loudly it is asked
    assert asked("Это вообще оригинал?? Крем жидкий") == ["Это вообще оригинал??"]
    # so does one about where the goods come from
    assert asked("Подделка 100%. Штрихкод наклеен поверх. Откуда товар??") == ["Откуда товар??"]
    # and so does a buyer asking how to get something done
    assert asked("Support chat is a bot. How do I reach an actual human??") == [
        "How do I reach an actual human??"
    ]
    # even when the ask opens the sentence's last clause
    assert asked("app is fine for browsing but how do i reset my password?? tried 3 times") == [
        "app is fine for browsing but how do i reset my password??"
    ]


def test_several_questions_in_order_with_spans() -> None:
    text = "Куртка тёплая. Как стирать? И будет ли размер XL? Спасибо!"
    questions = find_questions(text)
    assert [q.text for q in questions] == ["Как стирать?", "И будет ли размер XL?"]
    for q in questions:
        assert text[q.start : q.end] == q.text


def test_question_mention_is_a_question_whole() -> None:
    (question,) = whole_text_question("  Есть ли гарантия на чайник  ")
    assert question.text == "Есть ли гарантия на чайник"
    assert (question.start, question.end) == (2, 28)
    assert whole_text_question("   ") == []


def test_a_relative_which_and_a_mocking_how_ask_nothing() -> None:
    """Read-through 50: these blocked approval with an `{answer}` nobody could give."""
    assert asked("Which to us was a big reason we wanted to purchase this.") == []
    assert asked("3 tags sewn in. How lame is that?") == []
    assert asked("how can you make an intimates item with such itchy tags?") == []
    assert asked("Which size should I get for 170 cm") == ["Which size should I get for 170 cm"]


def test_a_loud_request_for_help_is_still_a_question() -> None:
    text = "It keeps disconnecting. Any solution please let me know!"
    assert asked(text) == ["Any solution please let me know!"]


def test_what_it_is_made_of_is_asked_in_earnest_a_mocking_did_you_sleep_on_it_is_not() -> None:
    """Read-through 51: «что там в составе??» after a reaction went unanswered; «Вы
    сами-то на нём спали?» blocked approval for an answer nobody could give."""
    assert asked("лицо красное и чешется. что там в составе??") == ["что там в составе??"]
    assert asked("Ну да, 100% хлопок, конечно. Вы сами-то на нём спали?") == []


def test_praise_and_disbelief_asked_as_questions_ask_nothing() -> None:
    """Read-through 53: "Who wouldn't love…?" and "i'm not a large?" left an `{answer}`."""
    assert asked("Who wouldn't love a blender this powerful? Makes smoothies fast.") == []
    assert asked("What's not to like? Cheap and cheerful.") == []
    assert asked("It's okay but i'm not a large? The medium was huge on me.") == []
    assert asked("Who would you recommend it to? I'm not sure") == [
        "Who would you recommend it to?"
    ]
    assert asked("I'm not sure, is it washable?") == ["I'm not sure, is it washable?"]


def test_indignation_without_a_question_mark_asks_nothing() -> None:
    assert asked("Заказывала М пришел XS!!! Как это вообще можно перепутать. Ужас") == []
    assert asked("Как стирать этот свитер") == ["Как стирать этот свитер"]


def test_whether_it_is_new_asks_however_loudly() -> None:
    """Read-through 63: «Похоже что б/у. Это новый телефон??» asked nothing."""
    from services.sentiment.classifier.base import TextPrediction
    from services.sentiment.classifier.pipeline import MentionInput, analyse

    class _Neg:
        name = "fixed"

        def predict(self, texts: list[str]) -> list[TextPrediction]:
            return [
                TextPrediction.from_scores({"negative": 0.9, "neutral": 0.05, "positive": 0.05})
            ]

    (result,) = analyse(
        [MentionInput("Похоже что б/у. Это новый телефон?? Требую замену", 1)], _Neg()
    )  # type: ignore[arg-type]
    assert [q.text for q in result.questions] == ["Это новый телефон??"]


def test_a_warranty_question_asks_however_loudly() -> None:
    from services.sentiment.classifier.base import TextPrediction
    from services.sentiment.classifier.pipeline import MentionInput, analyse

    class _Neg:
        name = "fixed"

        def predict(self, texts: list[str]) -> list[TextPrediction]:
            return [
                TextPrediction.from_scores({"negative": 0.9, "neutral": 0.05, "positive": 0.05})
            ]

    text = "Left earbud keeps disconnecting. Does this have any warranty??"
    (result,) = analyse([MentionInput(text, 2)], _Neg())  # type: ignore[arg-type]
    assert [q.text for q in result.questions] == ["Does this have any warranty??"]
