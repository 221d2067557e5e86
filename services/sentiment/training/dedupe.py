"""Near-duplicate checks between text collections (normalised text + shingle Jaccard).

Used to keep the project's own training corpus (`marketplace_reviews.jsonl`) disjoint
from its evaluation set (`evaluation/reviews.jsonl`) and free of near-copies within
itself: a training text that is a light edit of an evaluation text would make the
evaluation figures meaningless, and near-copies inside the corpus would over-weight one
phrasing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)

#: Word 3-gram shingles at or above this Jaccard similarity are near-duplicates.
WORD_JACCARD = 0.5
#: Character 5-gram shingles at or above this Jaccard similarity are near-duplicates
#: (catches the same sentence with typos, swapped or dropped words).
CHAR_JACCARD = 0.7


def normalise(text: str) -> str:
    """Lower case, ё -> е, punctuation / emoji / underscores dropped, spaces collapsed
    (a text without letters or digits keeps its symbols)."""
    lowered = text.lower().replace("ё", "е").replace("_", " ")
    words = " ".join(_NON_WORD.sub(" ", lowered).split())
    # A text of emoji or punctuation alone keeps its symbols (else all would collide).
    return words or "".join(text.split())


def word_shingles(text: str, k: int = 3) -> frozenset[str]:
    words = normalise(text).split()
    if len(words) < k:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + k]) for i in range(len(words) - k + 1))


def char_shingles(text: str, k: int = 5) -> frozenset[str]:
    norm = normalise(text)
    if len(norm) < k:
        return frozenset([norm]) if norm else frozenset()
    return frozenset(norm[i : i + k] for i in range(len(norm) - k + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def near_duplicate_pairs(
    left: Sequence[str],
    right: Sequence[str] | None = None,
    *,
    word_threshold: float = WORD_JACCARD,
    char_threshold: float = CHAR_JACCARD,
) -> list[tuple[int, int, str]]:
    """(i, j, why) for every pair of near-duplicates: left[i] vs right[j], or, with
    `right` None, pairs i < j within `left`. `why` is "exact" (same normalised text),
    "words" or "chars" (the Jaccard threshold that matched). Candidate pairs come from
    an index of character shingles, so the check stays fast for thousands of texts."""
    same = right is None
    other = left if right is None else right
    left_norm = [normalise(t) for t in left]
    other_norm = left_norm if same else [normalise(t) for t in other]
    left_chars = [char_shingles(t) for t in left]
    other_chars = left_chars if same else [char_shingles(t) for t in other]
    left_words = [word_shingles(t) for t in left]
    other_words = left_words if same else [word_shingles(t) for t in other]
    index: dict[str, list[int]] = defaultdict(list)
    for j, shingles in enumerate(other_chars):
        for s in shingles:
            index[s].append(j)
    out: list[tuple[int, int, str]] = []
    for i, shingles in enumerate(left_chars):
        counts: dict[int, int] = defaultdict(int)
        for s in shingles:
            for j in index.get(s, ()):
                counts[j] += 1
        for j, shared in counts.items():
            if same and j <= i:
                continue
            if left_norm[i] == other_norm[j]:
                out.append((i, j, "exact"))
                continue
            union = len(shingles) + len(other_chars[j]) - shared
            if union and shared / union >= char_threshold:
                out.append((i, j, "chars"))
            elif jaccard(left_words[i], other_words[j]) >= word_threshold and (
                len(left_words[i]) > 1 or len(other_words[j]) > 1
            ):
                out.append((i, j, "words"))
    return out
