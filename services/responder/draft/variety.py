"""Sentence-level repetition across the whole shop: the template feel a reader notices.

Shingle similarity catches a copied reply; a reader of a product card notices something
smaller: the same sentence under every answer. The engine compares each sentence of a draft
with the sentences of the shop's recent replies (the queue passes them, shop-wide) and
re-draws to avoid repeats. Greetings and sign-offs are short and expected, so sentences
under `min_chars` (normalised) do not count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from services.responder.draft.similarity import normalise

_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
MIN_SENTENCE_CHARS = 24


def sentences(text: str) -> list[str]:
    """The sentences of a reply, as written (split at end punctuation and line breaks)."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def body(text: str) -> str:
    """The reply without its greeting and sign-off lines: those repeat by design."""
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join(lines[1:-1]) if len(lines) >= 3 else text


def sentence_keys(text: str, min_chars: int = MIN_SENTENCE_CHARS) -> list[str]:
    """Normalised sentences of the reply's body long enough to count as a repeat."""
    return list(_sentence_keys(text, min_chars))


@lru_cache(maxsize=16384)
def _sentence_keys(text: str, min_chars: int) -> tuple[str, ...]:
    """Cached: every draft compares itself with the same recent replies, which change by
    one reply from one draft to the next."""
    keys = []
    for sentence in sentences(body(text)):
        key = normalise(sentence)
        if len(key) >= min_chars:
            keys.append(key)
    return tuple(keys)


def recent_sentence_set(
    replies: Iterable[str], min_chars: int = MIN_SENTENCE_CHARS
) -> frozenset[str]:
    """Every countable sentence of the recent replies (build once per draft)."""
    found: set[str] = set()
    for reply in replies:
        found.update(_sentence_keys(reply, min_chars))
    return frozenset(found)


def recent_sentence_ages(
    replies: Sequence[str], min_chars: int = MIN_SENTENCE_CHARS
) -> dict[str, int]:
    """Each countable sentence of the recent replies → how many replies ago it last stood
    (0 = the newest; `replies` are oldest first)."""
    ages: dict[str, int] = {}
    for age, reply in enumerate(reversed(replies)):
        for key in _sentence_keys(reply, min_chars):
            ages.setdefault(key, age)
    return ages


#: A sentence seen in the last this-many replies is what a reader of one card notices.
NEAR_WINDOW = 10


def repeat_penalty(text: str, ages: dict[str, int], min_chars: int = MIN_SENTENCE_CHARS) -> int:
    """How template-like the draft reads next to the shop's recent replies: a sentence
    repeated from the last `NEAR_WINDOW` replies weighs ten times an older repeat."""
    penalty = 0
    for sentence in sentences(body(text)):
        key = normalise(sentence)
        if len(key) >= min_chars and key in ages:
            penalty += 10 if ages[key] < NEAR_WINDOW else 1
    return penalty


def repeated_sentences(
    text: str, recent: frozenset[str], min_chars: int = MIN_SENTENCE_CHARS
) -> list[str]:
    """Sentences of `text` that already stand in a recent reply, as written in `text`."""
    out = []
    for sentence in sentences(body(text)):
        key = normalise(sentence)
        if len(key) >= min_chars and key in recent:
            out.append(sentence)
    return out


def repeat_rate(
    replies: list[str],
    min_chars: int = MIN_SENTENCE_CHARS,
    exempt: Iterable[str] = (),
) -> float:
    """Share of countable sentences that already appeared in an earlier reply (0..1).

    `exempt`: texts whose sentences may repeat (the seller's fact wordings, stated as is).
    """
    allowed = {key for text in exempt for key in sentence_keys(text, min_chars)}
    seen: set[str] = set()
    total = repeats = 0
    for reply in replies:
        for key in sentence_keys(reply, min_chars):
            if key in allowed:
                continue
            total += 1
            if key in seen:
                repeats += 1
            seen.add(key)
    return repeats / total if total else 0.0
