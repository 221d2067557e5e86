"""Slot values that never break a reply: product titles, customer names, brand names.

A card title is written for search, not for a sentence («Чайник электрический 1,7 л, для
дома и дачи, стеклянный…»); a customer's display name is often a placeholder or a title
(«Покупатель», «Тётя Валя», «ИП Петров»); a brand in Russian would need declension. Each
function here returns either a value that reads well in the reply's language, or None so
the engine picks a phrasing without the slot. Pure.
"""

from __future__ import annotations

import re

from services.responder.draft.names import GIVEN_NAMES

_QUOTES = re.compile(r"[«»\"“”„‟‘’']")
#: A comma that is not a decimal comma («1,7 л» stays whole).
_SPLIT = re.compile(r"(?<!\d),|,(?!\d)|\s[/|]\s|\s[–—-]\s|;|\(|\)")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
#: Words a shortened title must not end on: it would read as cut mid-phrase.
_DANGLING = frozenset(
    "и или а но с со в во на под над для от до из к ко по о об без при за у через "
    "and or with for to of in on at by from the a an without".split()
)
_NUMBER = re.compile(r"^[\d.,×x*/+\-]+$")
TITLE_MAX = 40


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def shorten_title(name: str | None, max_len: int = TITLE_MAX) -> str | None:
    """The head of a card title, whole words only, never ending on a preposition or a number.

    Cut at the first list separator (a comma that is not a decimal comma, " / ", a dash,
    a bracket), then at word boundaries under `max_len`; quotes are removed (the reply
    puts its own around the title, so they always balance).
    """
    if not name:
        return None
    text = " ".join(_QUOTES.sub(" ", name).split())
    head = _SPLIT.split(text)[0].strip(" .:-–—")
    words = head.split()
    while words and len(" ".join(words)) > max_len:
        words.pop()
    while words and (words[-1].lower().strip(".,") in _DANGLING or _NUMBER.match(words[-1])):
        words.pop()
    short = " ".join(words).strip(" .,:-–—")
    if len(short) < 3:
        return None
    return short


def product_for(name: str | None, language: str, english_name: str | None = None) -> str | None:
    """The product as it may appear in the reply: in English, never a Cyrillic title."""
    if language == "en":
        if english_name:
            return shorten_title(english_name)
        if name and has_cyrillic(name):
            return None
    return shorten_title(name)


_HONORIFICS = frozenset(
    "тётя тетя дядя бабушка дедушка ип ооо зао оао г-н г-жа госпожа господин mr mrs ms miss "
    "dr mr. mrs. ms. dr. sir madam".split()
)
_SURNAME = re.compile(
    r"(?:ова|ева|ёва|ина|ына|ов|ев|ёв|ин|ын|ский|ская|цкий|цкая|енко|ук|юк|ич)$", re.IGNORECASE
)
_TOKEN = re.compile(r"^[^\W\d_]+(?:-[^\W\d_]+)?\.?$", re.UNICODE)


def _tidy(word: str) -> str:
    word = word.strip(".,!?")
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


#: A Russian patronymic («Петровна», «Ильич»): greeted together with the given name.
_PATRONYMIC = re.compile(r"[А-ЯЁ][а-яё]+(?:овна|евна|ична|инична|ович|евич|ьич|ич)")


def customer_name(
    author: str | None, language: str, generic: frozenset[str] = frozenset()
) -> str | None:
    """A given name to greet by, only when it confidently is one.

    «Анна К.» → «Анна»; «Иванова Мария» (surname first) → «Мария»; «Покупатель», «Гость»,
    «Тётя Валя», «ИП Петров», "A Google user", nicknames and digits → None. In an English
    reply a Cyrillic name is left out (the greeting has no name rather than mixed scripts).
    """
    if not author:
        return None
    cleaned = " ".join(author.split())
    if not cleaned or cleaned.lower() in generic:
        return None
    words = cleaned.split(" ")
    if any(w.lower().strip(".") in _HONORIFICS for w in words[:1]):
        return None
    if len(words) > 3 or not all(_TOKEN.match(w) for w in words):
        return None
    candidates = [_tidy(w) for w in words if len(w.strip(".")) > 1]
    if not candidates:
        return None
    first = candidates[0]
    if first.lower() in generic:
        return None
    chosen: str | None = None
    if first.lower() in GIVEN_NAMES:
        chosen = first
    elif len(candidates) >= 2 and _SURNAME.search(first) and candidates[1].lower() in GIVEN_NAMES:
        chosen = candidates[1]
    if chosen is None:
        return None
    if language == "en" and has_cyrillic(chosen):
        return None
    at = candidates.index(chosen)
    if at + 1 < len(candidates) and _PATRONYMIC.fullmatch(candidates[at + 1]):
        # «Галина Петровна» signs with the patronymic to be greeted by it, not as «Галина»
        return f"{chosen} {candidates[at + 1]}"
    return chosen


def brand_for(brand: str | None, language: str, english_brand: str | None = None) -> str | None:
    """A brand that needs no declension: quoted in Russian, Latin only in English."""
    value = " ".join(_QUOTES.sub(" ", brand or "").split())
    if language == "en":
        if english_brand:
            return " ".join(english_brand.split())
        if not value or has_cyrillic(value):
            return None
        return value
    if not value:
        return None
    return f"«{value}»"
