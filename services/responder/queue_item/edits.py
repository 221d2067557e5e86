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
Acceptance = unchanged + light. The answer an agent writes in place of a question's
`{answer}` placeholder is not counted as an edit (the placeholder matches it for free).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Verdict = Literal["unchanged", "light", "rewritten"]
VERDICTS: tuple[Verdict, ...] = ("unchanged", "light", "rewritten")
#: Above this normalised distance a text (or a move's sentence) counts as rewritten.
LIGHT_MAX = 0.3

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*|\{[a-z_]+\}", re.UNICODE)
_SLOT = re.compile(r"\{[a-z_]+\}")
_SENTENCE_END = re.compile(r"(?<=[.!?…}])\s+|\n+")
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


PLACEHOLDER = "{answer}"


def placeholder_distance(draft: Sequence[str], published: Sequence[str]) -> int:
    """Word Levenshtein distance where each `{answer}` of the draft stands for whatever
    the agent wrote in its place (any run of words, free): writing the answer a question
    asks for is the agent's job, not an edit of the draft."""
    previous = list(range(len(published) + 1))
    for wa in draft:
        if wa == PLACEHOLDER:
            current = []
            low = previous[0]
            for value in previous:
                low = min(low, value)
                current.append(low)
        else:
            current = [previous[0] + 1]
            for j, wb in enumerate(published, 1):
                current.append(
                    min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (wa != wb))
                )
        previous = current
    return previous[-1]


def normalised_distance(draft: str, published: str) -> float:
    """0.0 (same words) .. 1.0 (nothing in common); two empty texts are the same.

    With an `{answer}` placeholder in the draft, the answer written in its place is free
    and the distance is over the draft's own words."""
    a, b = words(draft), words(published)
    if PLACEHOLDER in a:
        own = len(a) - a.count(PLACEHOLDER)
        return round(min(1.0, placeholder_distance(a, b) / max(own, 1)), 4)
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


def literal_words(phrasing: str) -> list[str]:
    """A phrasing's own words, its {slots} left out."""
    return words(_SLOT.sub(" ", phrasing))


def _likeness(sentence: frozenset[str], options: tuple[frozenset[str], ...]) -> float:
    """How much of a move's phrasing words a sentence carries at best (0..1): for the
    phrasing it is closest to, the shared words over the larger word count."""
    if not sentence:
        return 0.0
    size = len(sentence)
    return max(
        (len(o & sentence) / (len(o) if len(o) > size else size) for o in options), default=0.0
    )


@lru_cache(maxsize=4096)
def _move_words(phrasings: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    """A move's phrasings as literal word sets (empty ones carry nothing), built once:
    the scripts' phrasings are few and fixed, and every draft sentence meets each."""
    found = (frozenset(literal_words(p)) for p in phrasings)
    return tuple(f for f in found if f)


def split_by_moves(
    text: str, moves: Sequence[str], phrasings: Sequence[Sequence[str]]
) -> list[tuple[str, str]] | None:
    """Which sentences of a drafted text each move wrote, the moves in order.

    The engine fills, adapts and joins the moves' phrasings (and some moves come from
    other tables), so a draft is not matched literally: its sentences are aligned with the
    moves (each move one or more consecutive sentences) to carry as much of each move's
    phrasing words as possible. None when there are fewer sentences than moves."""
    parts = sentences(text)
    n, k = len(parts), len(moves)
    if k == 0 or n < k or len(phrasings) != k:
        return None
    options = [_move_words(tuple(move_phrasings)) for move_phrasings in phrasings]
    said = [frozenset(words(p)) for p in parts]
    like = [[_likeness(said[i], options[j]) for j in range(k)] for i in range(n)]
    # best[j][i]: the best score of moves[:j] over sentences[:i]; each move >= 1 sentence.
    minus = float("-inf")
    best = [[minus] * (n + 1) for _ in range(k + 1)]
    cut = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for j in range(1, k + 1):
        for i in range(j, n - (k - j) + 1):
            for start in range(j - 1, i):
                if best[j - 1][start] == minus:
                    continue
                score = best[j - 1][start] + sum(like[x][j - 1] for x in range(start, i))
                if score > best[j][i]:
                    best[j][i], cut[j][i] = score, start
    blocks: list[tuple[str, str]] = []
    end = n
    for j in range(k, 0, -1):
        start = cut[j][end]
        blocks.append((moves[j - 1], " ".join(parts[start:end])))
        end = start
    return blocks[::-1]
