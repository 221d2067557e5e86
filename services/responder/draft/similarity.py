"""Character-shingle similarity: how template-like a reply reads next to recent ones.

Platforms flag repeated answers, and customers notice them. Character n-grams over a
normalised text catch copy-paste with a swapped name or product, and are cheap enough to
compare a draft against a few hundred recent replies per attempt.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

DEFAULT_SHINGLE = 5
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Lower-case, punctuation and spacing folded: form must not hide a copy."""
    return _NON_WORD.sub(" ", text.lower().replace("ё", "е")).strip()


@lru_cache(maxsize=8192)
def shingles(text: str, size: int = DEFAULT_SHINGLE) -> frozenset[str]:
    """The set of character n-grams of the normalised text (the whole text if shorter).

    Cached: every draft is compared with the same recent replies, which repeat from one
    draft to the next; the sets are immutable, so sharing them is safe.
    """
    norm = normalise(text)
    if not norm:
        return frozenset()
    if len(norm) <= size:
        return frozenset({norm})
    return frozenset(norm[i : i + size] for i in range(len(norm) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def similarity(a: str, b: str, size: int = DEFAULT_SHINGLE) -> float:
    """Jaccard similarity of the two texts' shingle sets, 0..1."""
    return jaccard(shingles(a, size), shingles(b, size))


def max_similarity(
    candidate: frozenset[str], others: Iterable[frozenset[str]]
) -> tuple[float, int | None]:
    """Highest similarity to any of `others`, and the index of that one (None if empty)."""
    best, where = 0.0, None
    for i, other in enumerate(others):
        value = jaccard(candidate, other)
        if value > best or where is None:
            best, where = value, i
    return best, where


#: Bits of a shingle fingerprint: ~300 shingles of a reply in 2**15 bits collide rarely
#: (about one shared bit in 400), so the estimate ranks replies as the exact sets do.
FINGERPRINT_BITS = 1 << 15


@lru_cache(maxsize=8192)
def fingerprint_bytes(text: str, size: int = DEFAULT_SHINGLE) -> tuple[bytes, int]:
    """The shingle set as a bit set (deterministic crc32 positions; bit i is bit i % 8 of
    byte i // 8) and the number of bits set.

    Set in one numpy pass: OR-ing bits into a 32 kbit Python int one shingle at a time
    copies the int for every shingle.
    """
    found = shingles(text, size)
    words = np.zeros(FINGERPRINT_BITS // 64, dtype="<u8")
    if not found:
        return words.tobytes(), 0
    positions = np.fromiter(
        map(zlib.crc32, map(str.encode, found)), dtype=np.uint64, count=len(found)
    ) % np.uint64(FINGERPRINT_BITS)
    # Bit p is bit p % 64 of little-endian word p // 64: the same bytes as a bit array
    # packed little-endian, without building and packing 32 kbit of flags per text.
    np.bitwise_or.at(words, positions >> np.uint64(6), np.uint64(1) << (positions & np.uint64(63)))
    return words.tobytes(), int(np.bitwise_count(words).sum())


@lru_cache(maxsize=8192)
def fingerprint(text: str, size: int = DEFAULT_SHINGLE) -> tuple[int, int]:
    """The shingle set as a bit set (deterministic crc32 positions) and its size.

    Comparing a draft with a hundred recent replies is then a hundred big-int ANDs and
    popcounts in C instead of a hundred set intersections.
    """
    packed, count = fingerprint_bytes(text, size)
    return int.from_bytes(packed, "little"), count


def most_similar(
    text: str, others: Sequence[str], size: int = DEFAULT_SHINGLE
) -> tuple[float, int | None]:
    """The exact similarity of `text` to the most similar of `others`, and its index.

    The candidate is found with fingerprints (`fingerprint`), then measured exactly.
    """
    if not others:
        return 0.0, None
    bits, count = fingerprint(text, size)
    best, where = -1.0, 0
    for i, other in enumerate(others):
        obits, ocount = fingerprint(other, size)
        inter = (bits & obits).bit_count()
        union = count + ocount - inter
        value = inter / union if union else 0.0
        if value > best:
            best, where = value, i
    return similarity(text, others[where], size), where
