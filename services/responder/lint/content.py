"""Content lint: what would embarrass the shop if posted, whoever wrote it.

The platform rules (length, contacts, links) say what a platform rejects; these rules say
what a careful head of customer care would strike out: a promise the platform or the
seller cannot keep (an exchange on Wildberries, compensation), a claim of an action not
yet taken («мы уже передали»), words that admit a counterfeit or a misleading listing,
certificates nobody gave,
an advert under a complaint or a question, "thanks for the high rating" under 1–3★, a
cheery sign-off under a complaint, and asking a marketplace buyer for what the seller has.

The same rules run on the engine's drafts and on what an agent typed, so they read the
text and a `LintContext` (family, stars, platform truth, the seller's fact topics). Pure.
Errors block approval; warnings are shown loudly but let a person decide.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from services.responder.lint.platforms import PlatformTruth

#: Families that answer a complaint (sarcasm is routed to negative).
COMPLAINT_FAMILIES: frozenset[str] = frozenset({"negative", "neutral", "positive_remark"})
#: Families under which adverts and "subscribe" lines are never right.
NO_ADVERT_FAMILIES: frozenset[str] = frozenset(
    {"negative", "neutral", "positive_remark", "rating_slip", "question", "follow_up"}
)
#: Finding codes that count as forbidden content (the evaluation counts these).
FORBIDDEN_CODES: frozenset[str] = frozenset(
    {
        "promise_exchange",
        "promise_compensation",
        "claim_done",
        "counterfeit_admission",
        "listing_admission",
        "unsupported_claim",
        "advert",
        "high_rating_thanks",
        "redundant_ask",
        "unkept_promise",
    }
)

_F = re.IGNORECASE | re.UNICODE


@dataclass(frozen=True)
class LintContext:
    """What the content rules need to know about the mention the reply answers."""

    #: positive | positive_remark | neutral | negative | rating_slip | question | follow_up
    family: str | None = None
    rating: int | None = None
    truth: PlatformTruth | None = None
    #: Topics of the seller facts that apply (returns, exchange, certificates, ...).
    fact_topics: frozenset[str] = field(default_factory=frozenset)
    #: The review already names its problem: asking "what happened" is redundant.
    problem_named: bool = False
    #: The mention asks something (a question inside a review, or a question mention).
    asks: bool = False
    #: The seller's own fact wordings that apply: a promise they state is the seller's.
    seller_wordings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContentFinding:
    code: str
    severity: Literal["error", "warning"]
    message: str
    span: tuple[int, int]


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts), _F)


_ESCAPE = re.compile(r"\\.")


@cache
def _lowered(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern for an already lower-cased text: without IGNORECASE, which makes the
    regex engine fold every character it compares and costs about three times the scan
    (the lint runs on every draft attempt). A pattern with an upper-case literal keeps it.
    """
    if any(ch.isupper() for ch in _ESCAPE.sub("", pattern.pattern)):
        return pattern
    return re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)


_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*", re.UNICODE)
#: A sentence that says an exchange is NOT possible is the truth, not a promise.
_NEGATION = _rx(
    r"нельзя",
    r"невозможн",
    r"не\s+предусмотрен",
    r"прямого\s+обмена\s+(?:здесь\s+)?нет",
    r"нет\s+прямого",
    r"не\s+можем",
    r"\bcan'?t\b",
    r"\bcannot\b",
    r"isn'?t\s+possible",
    r"no\s+direct",
    r"not\s+possible",
    r"doesn'?t\s+(?:allow|offer)",
)

_EXCHANGE = _rx(
    r"обмен\w*",
    r"обменя\w*",
    r"заменим",
    r"замен[уы]\b",
    r"отправим\s+(?:вам\s+)?(?:новый|замену|другой)",
    r"\bexchange\w*",
    r"\breplace(?:ment)?\b",
    r"\bswap\b",
    r"send\s+(?:you\s+)?a\s+new\s+one",
)
_COMPENSATION = _rx(
    r"компенсац\w*",
    r"возмест\w*",
    r"верн[её]м\s+(?:вам\s+)?(?:деньги|средства|стоимость)",
    r"скидк\w+\s+на\s+следующ\w*",
    r"промокод\w*",
    r"бонус\w*",
    r"подар(?:им|ок\s+от\s+нас)",
    r"compensat\w*",
    r"refund\s+you",
    r"we\s+(?:will|'ll)\s+refund",
    r"full\s+refund",
    r"discount\s+(?:on|for)\s+your\s+next",
    r"voucher",
    r"promo\s*code",
    r"gift\s+card",
)
_DONE = _rx(
    r"(?:мы\s+)?уже\s+(?:передали|сообщили|связались|разобрались|исправили|проверили|заменили|"
    r"отправили|написали|выяснили|приняли\s+меры|наказали|уволили)",
    r"(?:we\s+have|we'?ve)\s+already\s+\w+",
    r"already\s+(?:reported|passed|forwarded|fixed|"
    r"contacted|checked|replaced|sent|taken)",
    r"(?:мы\s+)?(?:передали|сообщили|направили)\s+(?:информацию|ваш\w*\s+(?:отзыв|замечание|жалобу))"
    r"\s+(?:в\s+)?(?:служб|курьер|склад|поставщик|производ|команд|отдел)",
    r"we\s+(?:have\s+)?(?:reported|forwarded|passed)\s+(?:this|it|your)\b",
)
_COUNTERFEIT = _rx(
    r"подделк\w*",
    r"поддельн\w*",
    r"контрафакт\w*",
    r"(?<![а-яё])пал[ьёе](?:ный|ная|ное)?(?![а-яё])",
    r"фальсификат\w*",
    r"не\s+оригинал\w*",
    r"неоригинальн\w*",
    r"копи[яюи]\s+(?:товара|бренда)",
    r"(?:ситуаци|проблем|вопрос)\w*\s+с\s+подлинност\w*",
    r"реплик\w*",
    r"\bfakes?\b",
    r"counterfeit\w*",
    r"knock-?offs?",
    r"authenticity\s+(?:issue|problem)",
    r"not\s+(?:genuine|authentic|original)",
    r"replicas?\b",
)
#: The shop saying its own listing misleads: a public admission (false advertising).
_MISLEADING = _rx(
    r"вв[её]л[оаи]?\s+в\s+заблуждени\w*",
    r"(?:описани\w+|карточк\w+)\s+(?:было\s+)?(?:неверн|ошибочн|недостоверн|обманчив|лживо)\w*",
    r"(?:неверн|ошибочн|недостоверн)\w+\s+(?:описани|карточк)\w*",
    r"\bmislead\w*",
    r"false\s+advertis\w*",
    r"(?:description|listing)\s+(?:was|is)\s+(?:wrong|false|inaccurate|incorrect)",
)
_CLAIMS = _rx(
    r"официальн\w+\s+(?:поставщик|дистрибьют|дилер|представител)\w*",
    r"сертификат\w*",
    r"декларац\w+\s+соответств\w*",
    r"гарантируем\s+(?:подлинность|оригинальность)",
    r"(?:только|100\s*%)\s+оригинал\w*",
    r"official\s+(?:suppliers?|distributors?|dealers?)",
    r"certificat\w+",
    r"declaration\s+of\s+conformity",
    r"100\s*%\s+(?:genuine|original|authentic)",
    r"guarantee\w*\s+(?:authenticity|it\s+is\s+genuine)",
)
#: Checks the seller never decided on: a batch inspection, a review of the card, an
#: investigation. Passing the feedback on is always true; these are not.
_UNKEPT = _rx(
    r"провер\w*\s+(?:всю\s+|эту\s+|всей\s+)?парти\w*",
    r"парти\w+\s+(?:мы\s+)?провер\w*",
    r"провер\w*\s+(?:описание|фото|карточк\w*|размерн\w+\s+сетк\w*|комплектаци\w*)",
    r"свер\w*\s+(?:фото|карточк\w*|описани\w*)",
    r"разбер[её]мся[^.!?]{0,30}(?:на\s+каком\s+этапе|где\s+возникл|почему)",
    r"(?:check|inspect)\w*\s+(?:the\s+|this\s+)?batch",
    r"batch\s+(?:checked|inspected)",
    r"check\w*\s+(?:the\s+)?(?:listing|product\s+description|description|photos|size\s+chart)",
    r"listing\s+can\s+be\s+checked",
    r"look\s+into\s+(?:the\s+batch|where|why)",
)
_TERMS = _rx(
    r"в\s+течение\s+\d+\s+(?:дн|дней|час|недел)\w*", r"within\s+\d+\s+(?:days?|hours?|weeks?)"
)
_ADVERT = _rx(
    r"подпис\w+",
    r"новинк\w*",
    r"(?<![а-яё])акци[ийяюе]\w*",
    r"скидк\w*",
    r"в\s+избранное",
    r"следите\s+за",
    r"ассортимент\w*",
    r"выгодн\w+\s+предложен\w*",
    r"нов\w+\s+поступлен\w*",
    r"\bsubscribe\w*",
    r"follow\s+(?:us|our)",
    r"new\s+arrivals?",
    r"favou?rites",
    r"\bsales?\b",
    r"\bdeals?\b",
    r"promotions?",
    r"check\s+out\s+our",
    r"special\s+offers?",
    r"new\s+releases?",
)
_HIGH_RATING = _rx(
    r"высок\w+\s+оценк\w*",
    r"(?:пять|5)\s+звёзд",
    r"(?:пять|5)\s+звезд",
    r"отличн\w+\s+оценк\w*",
    r"максимальн\w+\s+оценк\w*",
    r"high\s+rating",
    r"great\s+rating",
    r"(?:five|5)[\s-]stars?",
    r"top\s+rating",
    r"perfect\s+score",
)
_CHEERY = _rx(
    r"до\s+новых\s+встреч",
    r"(?:хорошего|отличного|прекрасного|чудесного)\s+(?:вам\s+)?(?:дня|настроения|вечера)",
    r"приятных\s+покупок",
    r"приятного\s+использования",
    r"ж[её]м\s+вас\s+(?:снова|за)",
    r"будем\s+рады\s+видеть\s+вас\s+снова",
    r"с\s+теплом",
    r"приветствуем\s+вас",
    r"have\s+a\s+(?:great|nice|wonderful|lovely)\s+day",
    r"see\s+you\s+soon",
    r"happy\s+shopping",
    r"\benjoy\b",
    r"look\s+forward\s+to\s+your\s+next",
    r"\bhi\s+there\b",
    r"warm\s+wishes",
    r"!!+",
    r"[😊🙂❤😉🥰😍🤗]",
)
_ORDER_ASK = _rx(
    r"артикул\w*",
    r"дат[уыа]\s+(?:покупки|заказа)",
    r"номер\w*\s+заказа",
    r"order\s+number",
    r"purchase\s+date",
    r"article\s+number",
    r"\bsku\b",
    r"date\s+of\s+purchase",
)
_WHAT_HAPPENED = _rx(
    r"расскажите[^.!?]{0,30}(?:что\s+произошло|подробнее)",
    r"опишите[^.!?]{0,20}проблем",
    r"tell\s+us\s+(?:more\s+about\s+)?what\s+happened",
    r"describe\s+the\s+(?:problem|issue)",
)
_PHOTO_ASK = _rx(
    r"пришлите[^.!?]{0,30}фото",
    r"отправьте[^.!?]{0,30}фото",
    r"send\s+(?:us\s+)?(?:a\s+)?photos?",
)


def _sentence_of(text: str, start: int) -> str:
    for m in _SENTENCE.finditer(text):
        if m.start() <= start < m.end():
            return m.group(0)
    return text


def _hits(
    pattern: re.Pattern[str], text: str, *, unless_negated: bool = False, low: str | None = None
) -> Iterator[tuple[int, int]]:
    """Spans of `pattern` in `text`; `low`, the text lower-cased with the same length
    (character i of one is character i of the other), is scanned instead when given."""
    found = _lowered(pattern).finditer(low) if low is not None else pattern.finditer(text)
    for m in found:
        if unless_negated and _NEGATION.search(_sentence_of(text, m.start())):
            continue
        yield m.span()


def content_findings(text: str, ctx: LintContext) -> list[ContentFinding]:
    """The content rules for one reply text in its context; empty when all is well."""
    out: list[ContentFinding] = []
    lowered = text.lower()
    # Lower-casing keeps positions unless a character expands (e.g. «İ»): then the
    # case-insensitive patterns read the text itself.
    folded = lowered if len(lowered) == len(text) else None
    family = ctx.family
    truth = ctx.truth
    topics = ctx.fact_topics

    def add(
        code: str,
        severity: Literal["error", "warning"],
        message: str,
        spans: Iterator[tuple[int, int]],
    ) -> None:
        for span in spans:
            out.append(ContentFinding(code, severity, message, span))

    exchange_ok = (truth is not None and truth.exchange) or "exchange" in topics
    if not exchange_ok:
        where = truth.platform if truth is not None else "this platform"
        add(
            "promise_exchange",
            "error",
            f"An exchange or replacement is not offered on {where} (no direct exchange; "
            "no seller fact says so): offer the return route instead.",
            _hits(_EXCHANGE, text, unless_negated=True, low=folded),
        )
    add(
        "promise_compensation",
        "error",
        "Compensation, refunds from the shop, discounts or gifts are promised: no seller "
        "fact says the shop offers them.",
        _hits(_COMPENSATION, text, unless_negated=True, low=folded),
    )
    add(
        "claim_done",
        "error",
        "Claims an action already taken; it is not true when the reply is posted. "
        'Say what will be done («передадим», "we will pass it on").',
        _hits(_DONE, text, low=folded),
    )
    add(
        "counterfeit_admission",
        "error",
        "Words about a fake or authenticity problem read as a public admission; speak of "
        "the buyer's doubts and the check instead.",
        _hits(_COUNTERFEIT, text, low=folded),
    )
    add(
        "listing_admission",
        "error",
        "The reply says the shop's own listing misled the buyer, a public admission; speak "
        "of what the buyer expected and pass the card to the team instead.",
        _hits(_MISLEADING, text, low=folded),
    )
    if "certificates" not in topics:
        add(
            "unsupported_claim",
            "error",
            "Official suppliers, certificates or guaranteed originality are claimed, but no "
            "seller fact (certificates) says so.",
            _hits(_CLAIMS, text, low=folded),
        )
    own = [" ".join(w.split()).lower() for w in ctx.seller_wordings]
    add(
        "unkept_promise",
        "error",
        "Promises a check the seller did not decide on (a batch, the card, an "
        "investigation); say the feedback goes to the team, unless a seller fact says so.",
        (
            span
            for span in _hits(_UNKEPT, text, low=folded)
            if not any(
                " ".join(_sentence_of(text, span[0]).split()).lower().strip() in w for w in own
            )
        ),
    )
    if not topics & {"returns", "warranty", "delivery", "support_hours"}:
        add(
            "unsupported_term",
            "warning",
            "A term in days or hours that no seller fact gives: check it or remove it.",
            _hits(_TERMS, text, low=folded),
        )
    if family in NO_ADVERT_FAMILIES or ctx.asks:
        add(
            "advert",
            "error",
            "An advert or a subscribe / new-arrivals line under a complaint or a question.",
            _hits(_ADVERT, text, unless_negated=False, low=folded),
        )
    low = ctx.rating is not None and ctx.rating <= 3
    if low or family in {"negative", "neutral", "rating_slip"}:
        add(
            "high_rating_thanks",
            "error",
            "Thanks for a high rating under a review of 1–3 stars.",
            _hits(_HIGH_RATING, text, low=folded),
        )
    if family in COMPLAINT_FAMILIES and family != "positive_remark":
        add(
            "tone",
            "warning",
            "A cheery greeting or sign-off under a complaint; keep it calm and plain.",
            _hits(_CHEERY, text, low=folded),
        )
    if truth is not None and truth.marketplace:
        add(
            "redundant_ask",
            "error",
            f"On {truth.platform} the seller already has the order (article, date, number): "
            "do not ask the buyer for it.",
            _hits(_ORDER_ASK, text, low=folded),
        )
        if truth.return_photos:
            add(
                "photo_ask",
                "warning",
                "Photos of a defect go with the return form on this platform; asking the "
                "buyer to send them to the shop adds a step.",
                _hits(_PHOTO_ASK, text, low=folded),
            )
    if ctx.problem_named:
        add(
            "redundant_ask",
            "error",
            "Asks what happened, but the review already says it.",
            _hits(_WHAT_HAPPENED, text, low=folded),
        )
    return out
