"""Aspect extraction (ru, en): what was praised or blamed, with polarity and text span.

Lexicon over lemmas: Russian tokens are lemmatised with pymorphy3 so every inflection
("доставили", "доставка", "доставкой") hits its aspect. Polarity comes from polar words in
the trigger's clause (split at punctuation and "но"/"but"), each flipped when a negator
("не", "нет", "без", "not", "n't", ...) stands up to two tokens before it; some triggers
carry their own polarity (брак, подделка: negative; "без брака": positive). With no polar
evidence the caller's default (the text-level sentiment) is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from shared.events import Aspect, Sentiment

ASPECTS = (
    "quality", "size_fit", "delivery_speed", "packaging", "transit_damage", "defect", "price",
    "seller_service", "instructions_language", "counterfeit", "smell_material", "other",
)  # fmt: skip

# aspect -> trigger lemma -> inherent polarity (0 none, +1, -1)
_TRIGGERS: dict[str, dict[str, int]] = {
    "quality": {"качество": 0, "качественный": 1, "некачественный": -1, "добротный": 1,
                "хлипкий": -1, "quality": 0, "flimsy": -1, "sturdy": 1, "durable": 1},
    "size_fit": {"размер": 0, "размерный": 0, "маломерить": -1, "большемерить": -1,
                 "маломерка": -1, "большемерка": -1, "сидеть": 0, "size": 0, "fit": 0,
                 "fits": 0},
    "delivery_speed": {"доставка": 0, "доставить": 0, "курьер": 0, "привезти": 0,
                       "отправка": 0, "задержка": -1, "опоздать": -1, "delivery": 0,
                       "delivered": 0, "shipping": 0, "shipped": 0, "arrived": 0},
    "packaging": {"упаковка": 0, "упаковать": 0, "упакованный": 0, "коробка": 0,
                  "packaging": 0, "package": 0, "packed": 0, "box": 0},
    "transit_damage": {"помять": -1, "помятый": -1, "мятый": -1, "разбить": -1,
                       "разбитый": -1, "повредить": -1, "повреждённый": -1,
                       "повреждение": -1, "раздавить": -1, "damaged": -1, "crushed": -1,
                       "dented": -1},
    "defect": {"брак": -1, "бракованный": -1, "дефект": -1, "сломаться": -1,
               "сломанный": -1, "дырка": -1, "defect": -1, "defective": -1, "broken": -1,
               "faulty": -1},
    "price": {"цена": 0, "стоимость": 0, "дорогой": -1, "дешёвый": 1, "дорого": -1,
              "дёшево": 1, "price": 0, "cost": 0, "expensive": -1, "cheap": 1},
    "seller_service": {"продавец": 0, "магазин": 0, "поддержка": 0, "менеджер": 0,
                       "сервис": 0, "возврат": 0, "seller": 0, "support": 0, "service": 0,
                       "refund": 0},
    "instructions_language": {"инструкция": 0, "перевод": 0, "иероглиф": -1,
                              "instruction": 0, "instructions": 0, "manual": 0,
                              "translation": 0},
    "counterfeit": {"подделка": -1, "поддельный": -1, "фейк": -1, "паль": -1,
                    "реплика": -1, "оригинал": 1, "оригинальный": 1, "fake": -1,
                    "counterfeit": -1, "knockoff": -1, "genuine": 1, "authentic": 1},
    "smell_material": {"запах": 0, "пахнуть": 0, "вонять": -1, "вонючий": -1,
                       "материал": 0, "ткань": 0, "пластик": 0, "синтетика": 0,
                       "smell": 0, "smells": 0, "stinks": -1, "material": 0, "fabric": 0,
                       "plastic": 0},
    "other": {"товар": 0, "вещь": 0, "покупка": 0, "product": 0, "item": 0, "purchase": 0},
}  # fmt: skip
_LEMMA_TO_ASPECT = {lemma: (a, p) for a, lemmas in _TRIGGERS.items() for lemma, p in lemmas.items()}

_POSITIVE = frozenset(
    "хороший отличный прекрасный супер классный понравиться нравиться довольный быстрый "
    "быстро аккуратный аккуратно целый удобный мягкий приятный рекомендовать спасибо "
    "идеально идеальный отлично хорошо замечательный вежливый оперативно оперативный "
    "соответствовать ответить помочь прочный надёжный качественный норма нормальный шикарный "
    "good great excellent perfect perfectly fast quick quickly nice love loved like liked "
    "recommend fine well happy awesome amazing polite helpful soft sturdy".split()
)
_NEGATIVE = frozenset(
    "плохой ужасный отвратительный медленный медленно долго долгий грязный порвать "
    "порванный сломать кривой неприятный разочаровать разочарование хамство грубый "
    "кошмар ужас жуть отстой фу хуже возмутительный неудобный тонкий отвратительно ужасно "
    "плохо испорченный вонять "
    "bad terrible awful horrible slow late poor worst rude disappointed disappointing "
    "cheaply broke smelly nasty hate useless".split()
)
_NEGATORS = frozenset("не нет ни без никакой not no never without none nothing".split())
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_CLAUSE_BREAK = re.compile(r"[.!?;\n,]+|\s(?:но|зато|однако|but|however|although)\s", re.I)
_SENTENCE_BREAK = re.compile(r"[.!?;\n]+")


@lru_cache(maxsize=1)
def _morph() -> object:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    """Lemma of a lower-case token: pymorphy3 for Cyrillic, light stemming for Latin."""
    if any("\u0400" <= ch <= "\u04ff" for ch in word):
        parsed = _morph().parse(word)  # type: ignore[attr-defined]
        return str(parsed[0].normal_form) if parsed else word
    return word


@dataclass(frozen=True)
class _Token:
    text: str
    lemma: str
    start: int
    end: int
    clause: int
    sentence: int


def _tokens(text: str) -> list[_Token]:
    clause_cuts = sorted(m.start() for m in _CLAUSE_BREAK.finditer(text))
    sentence_cuts = sorted(m.start() for m in _SENTENCE_BREAK.finditer(text))
    out = []
    for match in _TOKEN.finditer(text):
        word = match.group().lower().replace("ё", "е")
        lem = lemma(word).replace("ё", "е")
        clause = sum(c < match.start() for c in clause_cuts)
        sentence = sum(c < match.start() for c in sentence_cuts)
        out.append(_Token(match.group(), lem, match.start(), match.end(), clause, sentence))
    return out


def _negated(tokens: list[_Token], i: int) -> bool:
    for j in range(max(0, i - 2), i):
        word = tokens[j].text.lower()
        if tokens[j].lemma in _NEGATORS or word.endswith("n't") or word in _NEGATORS:
            if tokens[j].clause == tokens[i].clause:
                return True
    return False


def _norm(lemma_text: str) -> str:
    return lemma_text.replace("ё", "е")


_TRIGGER_INDEX = {_norm(k): v for k, v in _LEMMA_TO_ASPECT.items()}
_POSITIVE_N = frozenset(_norm(w) for w in _POSITIVE)
_NEGATIVE_N = frozenset(_norm(w) for w in _NEGATIVE)


def extract_aspects(text: str, default: Sentiment = Sentiment.neutral) -> list[Aspect]:
    """Aspects found in `text`, one per (aspect, clause), in text order."""
    tokens = _tokens(text)
    polar = [
        (1 if t.lemma in _POSITIVE_N else -1 if t.lemma in _NEGATIVE_N else 0)
        or (_TRIGGER_INDEX.get(t.lemma) or ("", 0))[1]
        for t in tokens
    ]
    polar = [-p if p and _negated(tokens, i) else p for i, p in enumerate(polar)]
    found: list[Aspect] = []
    seen: set[tuple[str, int]] = set()
    specific_clauses: set[int] = set()
    hits = []
    for i, tok in enumerate(tokens):
        entry = _TRIGGER_INDEX.get(tok.lemma) or _TRIGGER_INDEX.get(tok.text.lower())
        if entry:
            hits.append((i, entry))
            if entry[0] != "other":
                specific_clauses.add(tok.clause)
    for i, (aspect, inherent) in hits:
        tok = tokens[i]
        if (aspect, tok.clause) in seen or (aspect == "other" and tok.clause in specific_clauses):
            continue
        seen.add((aspect, tok.clause))
        own = inherent * (-1 if _negated(tokens, i) else 1)
        clause = sum(p for j, p in enumerate(polar) if tokens[j].clause == tok.clause and j != i)
        score = own + clause
        if score == 0 and not own:
            score = sum(
                p for j, p in enumerate(polar) if tokens[j].sentence == tok.sentence and j != i
            )
        polarity = Sentiment.positive if score > 0 else Sentiment.negative if score < 0 else default
        found.append(
            Aspect(aspect=aspect, polarity=polarity, start=tok.start, end=tok.end, text=tok.text)
        )
    return found
