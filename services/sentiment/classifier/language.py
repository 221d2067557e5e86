"""Language of a mention: ru / en / zh / other, from scripts and stop words (no service).

The responder answers in this language, so a wrong "en" for a Ukrainian or German text is
worse than "other": Latin text must show English stop words, Cyrillic text must not look
Ukrainian / Belarusian, and Han characters (with or without others) mean zh.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_EN_STOP = frozenset(
    "the a an and or but is are was were be been it this that these those i you he she we "
    "they my your our their of to in on for with at by from as not no very so too its it's "
    "have has had do does did don't didn't doesn't can can't will would just all what "
    "good great bad love like product item quality".split()
)
_RU_STOP = frozenset(
    "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только "
    "ее мне было вот от меня еще нет о из ему теперь когда даже ну ли если уже или ни быть "
    "был очень это этот товар всё".split()
)
#: Russian typed in Latin letters («kupila krossovki, malomerjat sil'no»): words no English
#: text uses. Answered in English, such a buyer reads a reply in a language they did not use.
_RU_TRANSLIT = frozenset(
    "ne na kak vse vsyo tak da ty zhe vy za by po tolko mne bylo vot ot menya eshe esche eshche "
    "iz kogda dazhe nu li esli uzhe ili byl byla bylo ochen eto etot eta tovar chto shto "
    "razmer razmera kupila kupil kupili prishel prishla prishlo prishli cherez dnya dney "
    "nedeli nedelyu nedelya spasibo khorosho horosho plokho ploho zakaz zakazala zakazal "
    "dostavka vernut obmenyat dengi den'gi silno sil'no kachestvo prodavec prodavtsa "
    "pochemu gde kuda normalno otlichno mozhno nado nuzhno pishu otzyv otzyvy obychno tut".split()
)
_UK_ONLY = set("іїєґ")
_RU_ONLY = set("ыэъё")


def _script_counts(text: str) -> tuple[int, int, int]:
    cyr = lat = han = 0
    for ch in text:
        if "\u0400" <= ch <= "\u04ff":
            cyr += 1
        elif ("a" <= ch <= "z") or ("A" <= ch <= "Z"):
            lat += 1
        elif "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            han += 1
    return cyr, lat, han


def detect_language(text: str, hint: str | None = None) -> str:
    """ "ru", "en", "zh" or "other"; a platform `hint` decides only when the text can't."""
    cyr, lat, han = _script_counts(text)
    letters = cyr + lat + han
    if letters == 0:
        return _from_hint(hint)
    if han and han >= 0.2 * letters:
        return "zh"
    lower = text.lower()
    words = _WORD.findall(lower)
    if cyr >= lat:
        chars = set(lower)
        if chars & _UK_ONLY and not chars & _RU_ONLY:
            return "other"
        return "ru"
    en_hits = sum(w in _EN_STOP for w in words)
    latin_words = [w for w in words if w.isascii()]
    translit = sum(w in _RU_TRANSLIT for w in re.findall(r"[a-z']+", lower))
    if translit >= 3 and translit > en_hits:
        return "ru"
    if en_hits and en_hits >= 0.1 * max(len(latin_words), 1):
        return "en"
    if len(latin_words) <= 3 and len(latin_words) == len(words):
        return _from_hint(hint) if hint else "en"
    return "other"


def _from_hint(hint: str | None) -> str:
    code = (hint or "").lower().split("-")[0].split("_")[0]
    return code if code in {"ru", "en", "zh"} else "other"
