"""How much an agent changed a draft before approving it: pure functions, no I/O.

The distance is a word-level Levenshtein distance between the two texts after
normalisation (case folded, punctuation and spacing ignored), divided by the longer
text's word count: 0.0 = the same words in the same order, 1.0 = nothing in common.
Words, not characters, because an agent's edit is a word choice, and because it keeps
the comparison cheap (a 1,000-character reply is ~150 words).

Thresholds (documented for the insights pages):
- unchanged: distance 0 (only case, spacing or punctuation may differ);
- light: up to LIGHT_MAX (0.3): a few words in a sentence, a name, a clause added;
- rewritten: above it.
Acceptance = unchanged + light.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["unchanged", "light", "rewritten"]
VERDICTS: tuple[Verdict, ...] = ("unchanged", "light", "rewritten")
#: Above this normalised distance a text (or a move's sentence) counts as rewritten.
LIGHT_MAX = 0.3

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*|\{[a-z_]+\}", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
#: Sentences of a published reply a draft sentence is compared with (bounds the work on
#: a very long reply: a reply is rarely over 20 sentences).
MAX_TARGETS = 120


def words(text: str) -> list[str]:
    """The words of a text, case folded; placeholders such as {answer} count as one word."""
    return [w.casefold() for w in _WORD.findall(text)]


def word_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Levenshtein distance over words (two rows; O(len(a) * len(b)) time)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, wa in enumerate(a, 1):
        current = [i]
        for j, wb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (wa != wb)))
        previous = current
    return previous[-1]


def normalised_distance(draft: str, published: str) -> float:
    """0.0 (same words) .. 1.0 (nothing in common); two empty texts are the same."""
    a, b = words(draft), words(published)
    longest = max(len(a), len(b))
    if longest == 0:
        return 0.0
    return round(word_distance(a, b) / longest, 4)


def verdict(distance: float) -> Verdict:
    if distance == 0:
        return "unchanged"
    return "light" if distance <= LIGHT_MAX else "rewritten"


def sentences(text: str) -> list[str]:
    """Sentences (and lines) of a reply, stripped, empty ones left out."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


@dataclass(frozen=True)
class MoveEdit:
    """One move's draft text against the closest sentences of the published reply."""

    move: str
    draft: str
    published: str
    distance: float
    verdict: Verdict


def closest(sentence: str, candidates: Sequence[str]) -> tuple[str, float]:
    """The candidate (one sentence, or two adjacent ones: an agent may split a sentence)
    nearest to `sentence`, with its distance; ("", 1.0) when none shares a word with it
    (the agent dropped the sentence)."""
    options = list(candidates) + [
        f"{candidates[i]} {candidates[i + 1]}" for i in range(len(candidates) - 1)
    ]
    best = ("", 1.0)
    for option in options:
        d = normalised_distance(sentence, option)
        if d < best[1]:
            best = (option, d)
    return best


def move_edits(parts: Sequence[tuple[str, str]], published: str) -> list[MoveEdit]:
    """Per move: each of its draft sentences compared with the published reply's closest
    sentence; the move's distance is the mean over its sentences."""
    targets = sentences(published)[:MAX_TARGETS]
    out: list[MoveEdit] = []
    for move, text in parts:
        own = sentences(text) or [text]
        matches = [closest(s, targets) for s in own]
        distance = round(sum(d for _, d in matches) / len(matches), 4)
        out.append(
            MoveEdit(
                move=move,
                draft=text,
                published=" ".join(m for m, _ in matches if m),
                distance=distance,
                verdict=verdict(distance),
            )
        )
    return out


def phrasing_pattern(phrasing: str) -> str:
    """A phrasing as a regular expression: its words literal, each slot any text on one
    line, the first letter of either case (the engine capitalises a filled phrasing)."""
    pieces: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(phrasing):
        pieces.append(re.escape(literal))
        if name is not None:
            pieces.append(r"[^\n]+?")
    pattern = "".join(pieces)
    first = phrasing[:1]
    if first.isalpha() and pattern.startswith(re.escape(first)):
        pattern = f"[{first.lower()}{first.upper()}]" + pattern[len(re.escape(first)) :]
    return pattern


def split_by_moves(
    text: str, moves: Sequence[str], phrasings: Sequence[Sequence[str]]
) -> list[tuple[str, str]] | None:
    """Which part of a drafted text each move wrote, found by matching the moves' phrasings
    in order (the engine joins them with a space or a line break); None when the text is
    not made of them (an edited text, a phrasing the library no longer has)."""
    if not moves or len(moves) != len(phrasings) or any(not p for p in phrasings):
        return None
    groups = [
        f"(?P<m{i}>{'|'.join(phrasing_pattern(p) for p in options)})"
        for i, options in enumerate(phrasings)
    ]
    try:
        match = re.fullmatch(r"\s*" + r"\s+".join(groups) + r"\s*", text)
    except re.error:
        return None
    if match is None:
        return None
    return [(move, match.group(f"m{i}")) for i, move in enumerate(moves)]
