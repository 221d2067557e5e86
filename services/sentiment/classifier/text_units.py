"""Tokens, sentences and clauses of a review: the units the rule-based signals work on.

Aspects, questions and cues all need the same cut of the text (offsets into the original
string, so spans point at the customer's own words), and the same lemmas: pymorphy3 for
Cyrillic (every reading's normal form is kept, because «села» is first read as a village),
the lower-case word for Latin script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W\d_]+)?", re.UNICODE)
#: A sentence ends after . ! ? … (runs of them, closing brackets and smileys included), or
#: at a line break; the punctuation stays with its sentence.
_SENTENCE_END = re.compile(r"[.!?…]+[)\]»\"'\s]*(?=\s|$)|\n+|(?<=[)])\s*(?=[A-ZА-ЯЁ])")
#: Clause cuts inside a sentence: , ; : dashes, brackets, and contrast / addition words (not
#: the comma of a decimal number: «врёт на 0,5 атмосферы»).
#: «минут на 15, а не на 40» is one statement (X, not Y): no cut before «а не».
_CLAUSE_CUT = re.compile(
    r"(?:[;:()]|,(?!\d)(?!\s*а\s+не\s)|(?<!\d),(?!\s*а\s+не\s))+|\s[-–—]+\s|"
    r"\s(?=(?:но|зато|однако|а(?!\s+не\s)|хотя|только|правда|but|however|"
    r"although|though|except|while|whereas)\s)",
    re.IGNORECASE,
)
#: Words that open a clause but say nothing of its content (trimmed from a clause).
LEADING_CONNECTORS = frozenset(
    "и а но зато однако хотя только правда ну да же вот ещё еще также тоже "
    "and but however although though only also so yet plus except".split()
)


def normal(word: str) -> str:
    """Lower case, ё as е, typographic apostrophe as ASCII: the form lexicons are written in."""
    return word.lower().replace("ё", "е").replace("’", "'")


@lru_cache(maxsize=1)
def _morph() -> object:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def is_cyrillic(word: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


@lru_cache(maxsize=50_000)
def analyse_word(word: str) -> tuple[str, frozenset[str], str]:
    """(first lemma, every reading's lemma, first reading's part of speech) of a word."""
    word = normal(word)
    if not is_cyrillic(word):
        return word, frozenset({word}), ""
    parses = _morph().parse(word)  # type: ignore[attr-defined]
    if not parses:
        return word, frozenset({word}), ""
    lemmas = frozenset(normal(p.normal_form) for p in parses)
    return normal(parses[0].normal_form), lemmas | {word}, str(parses[0].tag.POS or "")


def lemma(word: str) -> str:
    """Lemma of a token: pymorphy3's first reading for Cyrillic, the lower-case word else."""
    return analyse_word(word)[0]


@dataclass(frozen=True)
class Token:
    text: str
    #: Normalised surface form (lower case, ё → е).
    word: str
    lemma: str
    #: Every lemma pymorphy3 offers, the surface form included (for phrase patterns).
    lemmas: frozenset[str]
    pos: str
    start: int
    end: int
    clause: int
    sentence: int


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def sentence_spans(text: str) -> list[Span]:
    """Sentences as trimmed character ranges, in order; punctuation stays with its sentence."""
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        spans.append(_trim(text, start, end))
        start = end
    spans.append(_trim(text, start, len(text)))
    return [s for s in spans if s.end > s.start and _TOKEN.search(text, s.start, s.end)]


def clause_spans(text: str, sentence: Span) -> list[Span]:
    """Clauses of one sentence: cut at commas, colons, dashes and contrast words."""
    spans = []
    start = sentence.start
    for match in _CLAUSE_CUT.finditer(text, sentence.start, sentence.end):
        spans.append(_trim(text, start, match.start()))
        start = match.end()
    spans.append(_trim(text, start, sentence.end))
    return [s for s in spans if s.end > s.start and _TOKEN.search(text, s.start, s.end)]


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


@dataclass(frozen=True)
class Segmented:
    """A text cut into sentences, clauses and tokens (indices refer to these lists)."""

    text: str
    sentences: list[Span]
    clauses: list[Span]
    #: For each clause, the index of its sentence.
    clause_sentence: list[int]
    tokens: list[Token]


def segment(text: str) -> Segmented:
    """Cut `text` once; every rule reads the same units."""
    sentences = sentence_spans(text)
    clauses: list[Span] = []
    clause_sentence: list[int] = []
    for s_index, sentence in enumerate(sentences):
        for clause in clause_spans(text, sentence):
            clauses.append(clause)
            clause_sentence.append(s_index)
    tokens = []
    c_index = 0
    for match in _TOKEN.finditer(text):
        while c_index + 1 < len(clauses) and clauses[c_index].end <= match.start():
            c_index += 1
        if not clauses:
            break
        first, lemmas, pos = analyse_word(match.group())
        tokens.append(
            Token(
                text=match.group(),
                word=normal(match.group()),
                lemma=first,
                lemmas=lemmas,
                pos=pos,
                start=match.start(),
                end=match.end(),
                clause=c_index,
                sentence=clause_sentence[c_index],
            )
        )
    return Segmented(text, sentences, clauses, clause_sentence, tokens)
