"""Words a question about each fact topic uses, and the normaliser both sides go through.

Russian words are lemmatised with pymorphy3 («вернуть», «вернули», «верну» → «вернуть»);
English words get a light stem ("returns", "returned" → "return"). Typos are forgiven by
the matcher (one edit on words of 5+ letters), not here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from services.responder.fact.contract import FactTopic

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+", re.UNICODE)
_EN_SUFFIXES = ("ies", "ing", "ed", "es", "ly", "s")


@lru_cache(maxsize=1)
def _morph() -> object:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def _cyrillic(word: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    """The dictionary form of one lower-case word."""
    if _cyrillic(word):
        parsed = _morph().parse(word)  # type: ignore[attr-defined]
        return str(parsed[0].normal_form).replace("ё", "е") if parsed else word
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in _EN_SUFFIXES:
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            stem = word[: -len(suffix)]
            return stem + "y" if suffix == "ies" else stem
    return word


@lru_cache(maxsize=50_000)
def part_of_speech(word: str) -> tuple[str | None, str | None]:
    """The likeliest part of speech and case of one lower-case Russian word (pymorphy3's
    tags: ("VERB", None) for «держит»; ("NOUN", "gent") for «винтов»), (None, None) for
    others."""
    if not _cyrillic(word):
        return None, None
    parsed = _morph().parse(word)  # type: ignore[attr-defined]
    if not parsed:
        return None, None
    tag = parsed[0].tag
    return (str(tag.POS) if tag.POS else None), (str(tag.case) if tag.case else None)


@lru_cache(maxsize=8192)
def first_person_verb(word: str) -> bool:
    """Whether one lower-case Russian word is most likely a verb in the first person
    («включаю», «пользуюсь»): the buyer speaking of themselves."""
    if not _cyrillic(word):
        return False
    parsed = _morph().parse(word)  # type: ignore[attr-defined]
    return bool(parsed) and parsed[0].tag.POS == "VERB" and parsed[0].tag.person == "1per"


@lru_cache(maxsize=8192)
def past_verb_gender(word: str) -> str | None:
    """The gender of one lower-case Russian word if it is most likely a singular past verb
    («пришёл» masc, «сломалась» femn): a clause that opens on it left its subject behind."""
    if not _cyrillic(word):
        return None
    parsed = _morph().parse(word)  # type: ignore[attr-defined]
    if not parsed:
        return None
    tag = parsed[0].tag
    if tag.POS != "VERB" or tag.tense != "past":
        return None
    return str(tag.gender) if tag.gender else None


@lru_cache(maxsize=8192)
def grammatical_number(word: str, pos: str) -> str | None:
    """ "sing" or "plur" for one lower-case Russian word most likely of part of speech `pos`
    (VERB: «воняют» plur; NOUN in the nominative: «коврики» plur), else None."""
    if not _cyrillic(word):
        return None
    parsed = _morph().parse(word)  # type: ignore[attr-defined]
    if not parsed or parsed[0].tag.POS != pos:
        return None
    tag = parsed[0].tag
    if pos == "NOUN" and tag.case != "nomn":
        return None
    return str(tag.number) if tag.number else None


def finite_verb(word: str) -> bool:
    """Whether one lower-case Russian word is most likely a finite verb."""
    return part_of_speech(word)[0] == "VERB"


def words(text: str) -> list[str]:
    """Lower-case words of a text (ё folded to е), in order."""
    return [m.group().lower().replace("ё", "е") for m in _WORD.finditer(text)]


def lemmas(text: str) -> list[str]:
    return [lemma(w) for w in words(text)]


#: Topic -> language -> phrases a buyer asking about it tends to use (the fallback's base).
TOPIC_KEYWORDS: dict[FactTopic, dict[str, tuple[str, ...]]] = {
    "returns": {
        "ru": ("возврат", "вернуть", "сдать", "возвращать", "отказ", "деньги назад"),
        "en": ("return", "refund", "send back", "money back"),
    },
    "exchange": {
        "ru": ("обмен", "обменять", "поменять", "замена", "заменить"),
        "en": ("exchange", "swap", "replace", "replacement", "another size"),
    },
    "size_advice": {
        "ru": ("размер", "маломерит", "большемерит", "размерный", "сетка", "рост"),
        "en": ("size", "sizing", "fit", "run small", "run large", "true to size"),
    },
    "manual": {
        "ru": ("инструкция", "руководство", "мануал", "на русском"),
        "en": ("manual", "instruction", "instructions", "guide", "in english"),
    },
    "material": {
        "ru": ("материал", "состав", "ткань", "из чего", "хлопок", "пластик", "кожа"),
        "en": ("material", "fabric", "made of", "cotton", "plastic", "leather"),
    },
    "certificates": {
        "ru": ("сертификат", "декларация", "соответствие", "оригинал", "подделка"),
        "en": ("certificate", "certification", "declaration", "conformity", "genuine"),
    },
    "compatibility": {
        "ru": (
            "подходить",
            "совместимый",
            "совместимость",
            "подойти",
            "iphone",
            "айфон",
            "налезть",
            "samsung",
            "самсунг",
            "android",
            "андроид",
            "встать",
            "дефлектор",
            "решётка",
            "решетка",
            "рассчитать",
        ),
        "en": (
            "compatible",
            "compatibility",
            "work with",
            "iphone",
            "samsung",
            "android",
            "vent",
            "vents",
        ),
    },
    "care": {
        "ru": ("стирать", "стирка", "уход", "чистить", "мыть", "гладить", "посудомойка"),
        "en": ("wash", "washing", "care", "clean", "dishwasher", "iron", "dry"),
    },
    "warranty": {
        "ru": ("гарантия", "гарантийный", "ремонт", "сломаться"),
        "en": ("warranty", "guarantee", "repair", "broke"),
    },
    "support_hours": {
        "ru": ("поддержка", "часы работы", "связаться", "оператор", "выходной"),
        "en": ("support", "contact", "hours", "reach you", "customer service"),
    },
    "delivery": {
        "ru": ("доставка", "доставить", "отправка", "отправить", "срок", "прийти"),
        "en": ("delivery", "deliver", "shipping", "ship", "arrive", "dispatch"),
    },
    "other": {"ru": (), "en": ()},
}

#: Topic -> language -> what a question about it asks, in a buyer's words: the embedding
#: matcher compares the question with this as well as with the fact's own wording.
TOPIC_DESCRIPTIONS: dict[FactTopic, dict[str, str]] = {
    "returns": {
        "ru": "Как вернуть товар и получить деньги? Возврат.",
        "en": "How do I return the item and get a refund?",
    },
    "exchange": {
        "ru": "Можно ли обменять товар на другой размер или цвет?",
        "en": "Can I exchange the item for another size or colour?",
    },
    "size_advice": {
        "ru": "Какой размер брать? Соответствует ли размер, маломерит или большемерит?",
        "en": "Which size should I order? Does it run small or large?",
    },
    "manual": {
        "ru": "Где найти инструкцию на русском языке?",
        "en": "Where can I find the manual or instructions in English?",
    },
    "material": {
        "ru": "Из какого материала сделан товар? Какой состав ткани?",
        "en": "What material is it made of? What is the fabric?",
    },
    "certificates": {
        "ru": "Есть ли сертификат или декларация соответствия? Это оригинал?",
        "en": "Is there a certificate or declaration of conformity? Is it genuine?",
    },
    "compatibility": {
        "ru": "Подойдёт ли к моей модели телефона или устройства?",
        "en": "Is it compatible with my phone or device model?",
    },
    "care": {
        "ru": "Как стирать и ухаживать? Можно ли мыть в посудомоечной машине?",
        "en": "How do I wash and care for it? Is it dishwasher safe?",
    },
    "warranty": {
        "ru": "Какая гарантия и что делать, если сломается?",
        "en": "What is the warranty and what if it breaks?",
    },
    "support_hours": {
        "ru": "Когда отвечает поддержка магазина, как связаться?",
        "en": "When does the shop's support answer and how do I contact it?",
    },
    "delivery": {
        "ru": "Сколько идёт доставка, когда отправите?",
        "en": "How long does delivery take and when will you ship it?",
    },
    "other": {"ru": "", "en": ""},
}
