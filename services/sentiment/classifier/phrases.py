"""Phrase patterns over tokens: the multi-word half of the lexicons.

A pattern is a string of space-separated elements, all matched inside one sentence:
- ``a|b|c``: a token whose surface form or any pymorphy3 lemma is one of the words
  («не подходит» and «не подошёл» both match ``не подходить|подойти``);
- ``фот*``: a prefix (typos and English inflections: ``shr*``);
- ``@name``: a named word set (``@device``), expanded when compiling;
- ``~`` / ``~~``: up to 3 / 6 tokens of anything in between.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.sentiment.classifier.text_units import Token, normal

_GAPS = {"~": 3, "~~": 6}
_CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class _Element:
    words: frozenset[str]
    prefixes: tuple[str, ...]
    gap_before: int

    def matches(self, token: Token) -> bool:
        if token.word in self.words or not self.words.isdisjoint(token.lemmas):
            return True
        return any(token.word.startswith(p) for p in self.prefixes)


@dataclass(frozen=True)
class Phrase:
    """A compiled pattern and what it means (`tag`: an aspect name or a cue kind)."""

    source: str
    tag: str
    polarity: int
    elements: tuple[_Element, ...]

    @property
    def weight(self) -> int:
        """Longer patterns are more specific and win over the shorter ones they contain."""
        return len(self.elements)


@dataclass(frozen=True)
class PhraseMatch:
    phrase: Phrase
    #: Token indices of the matched elements (first and last give the span).
    indices: tuple[int, ...]

    @property
    def first(self) -> int:
        return self.indices[0]

    @property
    def last(self) -> int:
        return self.indices[-1]


def compile_phrase(
    source: str, tag: str, polarity: int, macros: Mapping[str, Iterable[str]]
) -> Phrase:
    """Parse one pattern string; raises ValueError on a malformed one (caught at import)."""
    elements: list[_Element] = []
    gap = 0
    for part in source.split():
        if part in _GAPS:
            if not elements:
                raise ValueError(f"pattern {source!r} starts with a gap")
            gap = _GAPS[part]
            continue
        alternatives: list[str] = []
        for alt in part.split("|"):
            if alt.startswith("@"):
                if alt[1:] not in macros:
                    raise ValueError(f"pattern {source!r}: unknown word set {alt!r}")
                alternatives.extend(macros[alt[1:]])
            elif alt:
                alternatives.append(alt)
        words = frozenset(normal(a) for a in alternatives if not a.endswith("*"))
        prefixes = tuple(normal(a[:-1]) for a in alternatives if a.endswith("*"))
        if not words and not prefixes:
            raise ValueError(f"pattern {source!r}: empty element {part!r}")
        elements.append(_Element(words, prefixes, gap))
        gap = 0
    if not elements:
        raise ValueError(f"empty pattern for {tag!r}")
    return Phrase(source, tag, polarity, tuple(elements))


_CLAUSE_PUNCT = re.compile(r"[,;:()\[\]—–]")
#: Words a comparison or a contrast goes on with after a comma («бледнее, чем на фото»,
#: «заявлено 5000, а по факту 2000»), and what came instead of the order («заказывала М,
#: пришла XS», "ordered a medium, got a small"), and what has still not come ("ordered two
#: weeks ago, still nothing").
_JOINS = frozenset(
    "чем как а но than but got received пришел пришла пришло пришли прислали still".split()
)


def _match_at(phrase: Phrase, tokens: list[Token], i: int, text: str) -> tuple[int, ...] | None:
    """Leftmost-shortest match of `phrase` whose first element is token `i`.

    A phrase does not run over a comma, colon or dash: «материал, тонкий пластик» holds
    no «материал тонкий» (unless the next word carries on: «, чем», «, а»).
    """

    def extend(k: int, prev: int) -> tuple[int, ...] | None:
        if k == len(phrase.elements):
            return ()
        element = phrase.elements[k]
        for j in range(prev + 1, min(len(tokens), prev + 2 + element.gap_before)):
            if tokens[j].sentence != tokens[i].sentence:
                return None
            if (
                text
                and tokens[j].word not in _JOINS
                and not (tokens[j - 1].word.isdigit() and tokens[j].word.isdigit())  # 15,6
                and _CLAUSE_PUNCT.search(text, tokens[j - 1].end, tokens[j].start)
            ):
                return None
            if element.matches(tokens[j]):
                rest = extend(k + 1, j)
                if rest is not None:
                    return (j, *rest)
        return None

    if not phrase.elements[0].matches(tokens[i]):
        return None
    rest = extend(1, i)
    return None if rest is None else (i, *rest)


class PhraseSet:
    """Many phrases, matched together; overlapping matches resolve to the longest."""

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        self.phrases = sorted(phrases, key=lambda p: -p.weight)
        self._by_word: dict[str, list[Phrase]] = {}
        self._by_prefix: list[Phrase] = []
        #: Candidates per word form: a text repeats its words, the lexicon does not change.
        self._cache: dict[tuple[str, frozenset[str]], list[Phrase]] = {}
        for phrase in self.phrases:
            first = phrase.elements[0]
            for word in first.words:
                self._by_word.setdefault(word, []).append(phrase)
            if first.prefixes:
                self._by_prefix.append(phrase)

    def _candidates(self, token: Token) -> list[Phrase]:
        key = (token.word, token.lemmas)
        cached = self._cache.get(key)
        if cached is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()  # bounded: a long-running service sees endless typos
            cached = self._cache[key] = self._collect(token)
        return cached

    def _collect(self, token: Token) -> list[Phrase]:
        seen: dict[int, Phrase] = {}
        for key in (token.word, *token.lemmas):
            for phrase in self._by_word.get(key, ()):
                seen.setdefault(id(phrase), phrase)
        for phrase in self._by_prefix:
            seen.setdefault(id(phrase), phrase)
        return sorted(seen.values(), key=lambda p: -p.weight)

    def find(
        self, tokens: list[Token], taken: set[int] | None = None, text: str = ""
    ) -> list[PhraseMatch]:
        """Non-overlapping matches, most specific first, then in text order.

        Tokens in `taken` (claimed by earlier matches, this call's included) are skipped.
        """
        taken = set() if taken is None else taken
        all_matches: list[PhraseMatch] = []
        for i, token in enumerate(tokens):
            for phrase in self._candidates(token):
                indices = _match_at(phrase, tokens, i, text)
                if indices is not None:
                    all_matches.append(PhraseMatch(phrase, indices))
        all_matches.sort(key=lambda m: (-m.phrase.weight, m.first))
        chosen = []
        for match in all_matches:
            if taken.isdisjoint(match.indices):
                chosen.append(match)
                taken.update(match.indices)
        return sorted(chosen, key=lambda m: m.first)
