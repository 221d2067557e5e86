"""Family routing: the stars choose, the text adds remarks, slips and sarcasm."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.responder.draft.family import draft_family, text_cues
from shared.events import (
    Aspect,
    Classification,
    Mention,
    MentionKind,
    QuestionSpan,
    Sentiment,
    mention_id_for,
)


def mention(text: str, rating: int | None, kind: MentionKind = MentionKind.review) -> Mention:
    return Mention(
        mention_id=mention_id_for("wildberries", text[:40]),
        platform="wildberries",
        source_id="src",
        external_id=text[:40] or "x",
        kind=kind,
        text=text,
        rating=rating,
        published_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def classified(sentiment: str = "neutral", **signals: object) -> Classification:
    return Classification(sentiment=Sentiment(sentiment), score=0.9, language="ru", **signals)


# (stars, text, expected family) — the routing table of the issue, ru and en.
ROUTING = [
    (5, "Отличный рюкзак, всем рекомендую", "positive"),
    (4, "Хороший чайник, кипятит быстро", "positive"),
    (5, "Рюкзак удобный, но молния на кармане заедает", "positive_remark"),
    (4, "Тёплый, красивый. Дороговато, конечно", "positive_remark"),
    (5, "Полотенца мягкие, после стирки не полиняли", "positive"),
    (5, "Сын берёт в садик, не протекает, трубочка удобная", "positive"),
    (3, "Нормально, но шумит", "neutral"),
    (3, "Обычный чайник", "neutral"),
    (1, "Сломался через неделю", "negative"),
    (2, "Доставили на день позже обещанного", "negative"),
    (1, "Замечательный чайник! Быстро кипятит, красиво светится. Всем рекомендую", "rating_slip"),
    (2, "Хорошая бутылочка, не течёт, внук доволен", "rating_slip"),
    (1, "Ну спасибо, продавец) Кружка протекает. Подарок мечты 👍", "negative"),
    (5, "Ну спасибо, продавец) Кружка протекает. Подарок мечты 👍", "negative"),
    (1, "Отличный фен, шикарный. Сгорел на третий день 👏", "negative"),
    (5, "Great bag, the wide strap doesn't dig into your shoulder", "positive"),
    (4, "Lovely coat. The colour is more grey than the beige in the photos", "positive_remark"),
    (5, "Powerful and light. It's pretty loud on high, though.", "positive_remark"),
    (1, "My daughter loves these, so soft and true to size!", "rating_slip"),
    (1, "Love how the noise cancelling cancels absolutely nothing. Great job.", "negative"),
    (2, "Stopped working after a month", "negative"),
    (4, "Warm and well made. Should I size up for a thick jumper?", "positive"),
]


@pytest.mark.parametrize(("rating", "text", "family"), ROUTING)
def test_routing_table(rating, text, family):
    assert draft_family(mention(text, rating), classified()) == family


def test_question_mentions_are_questions():
    m = mention("Подойдёт на iPhone 15?", None, MentionKind.question)
    assert draft_family(m, classified()) == "question"


def test_signals_from_the_sentiment_service_win():
    # A remark the cue lists cannot see, flagged by the classifier.
    assert draft_family(mention("Всё хорошо", 5), classified(remark=True)) == "positive_remark"
    assert draft_family(mention("Ну такое", 1), classified(rating_slip=True)) == "rating_slip"
    assert draft_family(mention("Всё отлично", 4), classified(sarcasm=True)) == "negative"
    blamed = Aspect(aspect="noise", polarity="negative", start=0, end=3, text="шум")
    # A blamed aspect alone does not turn 5 stars into a remark (the classifier's polarity
    # is noisy); a remark needs the text or the signal.
    assert draft_family(mention("Всё отлично", 5), classified(aspects=[blamed])) == "positive"


def test_without_stars_the_text_decides():
    assert draft_family(mention("Корпус треснул через месяц", None), classified()) == "negative"
    assert draft_family(mention("Удобный рюкзак, рекомендую", None), classified()) == "positive"
    assert (
        draft_family(mention("Удобные, но протёрлась пятка. Нормально", None), classified())
        == "neutral"
    )
    assert draft_family(mention("Ну спасибо, сломался 👍", None), classified()) == "negative"
    assert draft_family(mention("Получил.", None), classified("positive")) == "positive"


def test_a_question_is_not_a_complaint():
    cues = text_cues("Отличная куртка. Брать на размер больше, если под свитер?")
    assert not cues.complaint and cues.praise


def test_negated_complaint_words_are_praise():
    for text in ("запаха нет совсем", "не протекает", "без брака", "doesn't leak", "no smell"):
        assert not text_cues(text).complaint, text


def test_questions_are_kept_in_the_classification_contract():
    span = QuestionSpan(start=0, end=5, text="Как?")
    assert classified(questions=[span]).questions[0].text == "Как?"


def test_an_unrated_review_that_only_asks_is_answered_as_a_question() -> None:
    """«Подскажите, можно ли стирать в машинке?» with no stars: the text model heard a
    negative tone in it, and the reply used to apologise and offer a return."""
    text = "Подскажите, можно ли стирать в машинке?"
    result = classified(
        "neutral",
        text_sentiment=Sentiment.negative,
        questions=[QuestionSpan(start=0, end=len(text), text=text)],
    )
    assert draft_family(mention(text, None), result) == "question"
    # Without a question the fused label decides, not the bare text model.
    assert (
        draft_family(
            mention("Обычный чайник", None),
            classified("neutral", text_sentiment=Sentiment.negative),
        )
        == "neutral"
    )


# --- from a second read-through of drafts on buyer-style reviews ---------------------------
def test_a_slip_signal_never_thanks_a_review_that_names_a_fault() -> None:
    """1★ «…катышки по всему худи. Спасибо, очень довольна» got "glad you liked it": a slip
    reply under a complaint is the most harmful draft there is, so the words veto it."""
    text = "Ну да, отличное качество... после первой стирки катышки по всему худи. Спасибо"
    assert draft_family(mention(text, 1), classified("positive", rating_slip=True)) == "negative"


def test_expected_better_is_no_praise_and_no_slip() -> None:
    """2★ «Магнит слабый… ожидал лучшего» read «лучш» as praise: "thanks for the kind
    words, the stars may be a slip"."""
    text = "Магнит слабый, телефон с держателя падает. За такие деньги ожидал лучшего"
    assert text_cues(text).complaint
    reading = classified("negative", text_sentiment=Sentiment.negative)
    assert draft_family(mention(text, 2), reading) == "negative"
    assert text_cues("Expected better for the price").complaint


def test_without_a_slip_signal_the_cues_do_not_overrule_a_negative_text_reading() -> None:
    negative_text = classified("negative", text_sentiment=Sentiment.negative)
    assert draft_family(mention("Ну такое, красиво конечно", 2), negative_text) == "negative"
    # An event without the text model's label (schema v1): the words decide.
    assert draft_family(mention("Красивый, удобный, отличный", 1), classified("negative")) == (
        "rating_slip"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Заказала чехол,а пришел на 12 айфон,не подходит. Звезды ставлю за быструю доставку",
        "Пришёл сломанный. 5 звёзд только за доставку",
        "Arrived broken. Five stars for the fast shipping",
    ],
)
def test_stars_given_for_something_else_leave_a_complaint(text: str) -> None:
    assert draft_family(mention(text, 5), classified("positive", remark=True)) == "negative"


def test_stars_with_praise_of_the_delivery_alone_stay_praise() -> None:
    text = "Отличный чехол, ставлю 5 звёзд, и за быструю доставку спасибо"
    assert draft_family(mention(text, 5), classified("positive")) == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "После крема высыпания по всему лицу. Аллергия",
        "Paint started chipping after a month",
        "Gave me a rash",
        "Ткань скатывается после стирки",
    ],
)
def test_skin_reactions_and_worn_finishes_are_faults(text: str) -> None:
    assert text_cues(text).complaint, text


def test_could_be_better_is_a_remark() -> None:
    assert text_cues("Solid earbuds. Mic quality could be better").mild


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("Запах приятный", False),
        ("запах просто сказка", False),
        ("Нежный запах, быстро впитывается", False),
        ("сильный запах химии", True),
        ("есть запах", True),
        ("пахнет резиной", True),
    ],
)
def test_a_pleasant_smell_is_no_complaint(text: str, complaint: bool) -> None:
    """5★ «…блестящие 😍 запах просто сказка» got "we'll pass your remark on", echoing the
    praise as the remark; 3★ «…Запах приятный» got «запах приятный — это неудобно»."""
    assert text_cues(text).complaint is complaint, text


def test_praise_of_a_smell_under_five_stars_is_plain_praise() -> None:
    text = "Волосы стали мягкие и блестящие 😍 запах просто сказка. Беру уже вторую"
    assert draft_family(mention(text, 5), classified("positive")) == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "сетка продувается, на холодную погоду не годятся",
        "Ручка шатается с первого дня",
        "Эффекта не заметила",
        "Armrests wobble",
        "the gas lift failed after 2 months and now it sinks",
    ],
)
def test_more_faults_buyers_name(text: str) -> None:
    assert text_cues(text).complaint, text


@pytest.mark.parametrize(
    ("text", "complaint", "mild"),
    [
        ("На второй день задымился и запахло горелым", True, False),
        ("connection drops sometimes when phone is in my pocket", True, False),
        ("Наушник постоянно теряет связь с телефоном", True, False),
        ("App keeps logging me out every time I close it", True, False),
        ("Only gripe: the touch controls are too sensitive", False, True),
        ("шнурки слишком короткие", False, True),
        ("I love it too", False, False),
        ("слишком хорошо, чтобы быть правдой", False, False),
    ],
)
def test_faults_and_remarks_from_the_third_read_through(
    text: str, complaint: bool, mild: bool
) -> None:
    cues = text_cues(text)
    assert (cues.complaint, cues.mild) == (complaint, mild), text


def test_pain_that_stopped_is_praise() -> None:
    """5★ «Шея перестала болеть уже через неделю!» got «Жаль, что шея перестала болеть»."""
    assert not text_cues("Шея перестала болеть уже через неделю!").complaint
    assert not text_cues("My back stopped hurting after a week").complaint
    assert text_cues("Перестал работать через неделю").complaint
    assert text_cues("it stopped charging").complaint


def test_a_filled_in_cons_field_is_a_remark() -> None:
    """Ozon 4★, pros «Сидят хорошо», cons «Длинные, пришлось подшивать»: thanked as plain
    praise, the buyer's own drawback ignored."""
    m = mention("", 4).model_copy(
        update={"pros": "Сидят хорошо, ткань плотная", "cons": "Длинные, пришлось подшивать"}
    )
    assert draft_family(m, classified("positive")) == "positive_remark"
    no_drawback = m.model_copy(update={"cons": "нет"})
    assert draft_family(no_drawback, classified("positive")) == "positive"


def test_a_part_that_dies_is_a_fault() -> None:
    assert text_cues("Suction is great for ten minutes then it just dies").complaint
    assert text_cues("Battery is garbage").complaint


def test_what_the_buyer_excuses_is_no_remark() -> None:
    text = (
        "Сумка вместительная, кожа приятная. "
        "Запах кожи сильный, но это же натуральная, так и должно быть"
    )
    assert draft_family(mention(text, 4), classified("positive")) == "positive"
    assert not text_cues("A bit stiff at first, which is normal for leather").mild


def test_a_cost_called_worth_it_and_more_pairs_bought_read_as_praise() -> None:
    text = "Вода вкусная. Картриджи дороговаты, но оно того стоит"
    assert draft_family(mention(text, 5), classified("positive")) == "positive"


def test_a_handle_that_stays_cool_and_a_weight_called_a_plus_are_praise() -> None:
    """5★ «Ручка не греется» was answered «Что касается минуса — ручка не греется»."""
    text = "Стейки как в ресторане! Ручка не греется. Тяжёлая, но это плюс — не ездит по плите"
    assert draft_family(mention(text, 5), classified("positive")) == "positive"
    assert text_cues("Утюг не греется").complaint


@pytest.mark.parametrize(
    "text",
    [
        "Боялась, что будет маломерить, но нет, размер в размер",
        "Думала будет пахнуть пластиком, как пишут некоторые. У меня запаха нет вообще",
        "I was worried it would leak but it doesn't",
        "Some reviewers mention a plastic smell. Mine had none",
    ],
)
def test_a_feared_fault_is_no_complaint_of_its_own(text: str) -> None:
    """The fault the buyer feared before it came is no remark to answer under 5★ (the reply
    apologised for it); whether it came true is the sentiment service's `remark`."""
    assert not text_cues(text).complaint
    assert draft_family(mention(text, 5), classified("positive", signals=True)) == "positive"
    confirmed = classified("positive", signals=True, remark=True)
    assert draft_family(mention(text, 5), confirmed) == "positive_remark"


def test_quiet_is_no_noise_complaint_and_a_hum_is_one() -> None:
    assert not text_cues("Пришёл отличный экземпляр, всё работает, шумит тихо").complaint
    assert not text_cues("Брала с опаской, отзывы разные. Но всё работает отлично").mild
    hum = mention("Does it come with a warranty? Mine makes a weird buzzing noise now", None)
    assert draft_family(hum, classified("negative", signals=True)) == "negative"


def test_a_fault_the_sentiment_service_found_vetoes_a_slip() -> None:
    """1★ «Ага, 'водонепроницаемые'. Первый же дождь и ноги мокрые. Спасибо, очень удобно»
    was thanked as a rating slip: the words matched no complaint cue here, but the service
    had blamed the leak."""
    text = "Ага, 'водонепроницаемые'. После первого же дождя хоть выжимай. Спасибо, очень удобно"
    assert not text_cues(text).complaint  # the words alone would make it a slip
    leak = Aspect(aspect="leak", polarity="negative", start=27, end=60, text="хоть выжимай")
    c = classified("negative", signals=True).model_copy(
        update={"aspects": [leak], "text_sentiment": Sentiment.positive}
    )
    assert draft_family(mention(text, 1), c) == "negative"


def test_an_unrated_remark_under_an_overall_positive_reading_is_a_remark() -> None:
    text = "Кожа стала мягче, но запах резковат. В целом довольна, буду брать ещё"
    assert draft_family(mention(text, None), classified("positive", signals=True)) == (
        "positive_remark"
    )
    assert draft_family(mention(text, None), classified("neutral", signals=True)) == "neutral"
    two_faults = "Decent backpack. Lots of pockets, but the zipper snags and the fabric pills."
    assert draft_family(mention(two_faults, None), classified("positive", signals=True)) == (
        "neutral"
    )
    assert text_cues("Всё отлично, только шнурки короткие").mild
