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

DEFAULT_SHINGLE = 5
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Lower-case, punctuation and spacing folded: form must not hide a copy."""
    return _NON_WORD.sub(" ", text.lower().replace("ё", "е")).strip()


#: Where a reply splits into pieces: sentence ends and line breaks (whitespace, which
#: `normalise` folds into the single space that joins the pieces again).
_PIECE = re.compile(r"(?<=[.!?…])\s+|\n+")


def _pieces(text: str) -> list[str]:
    """The normalised sentences of a text; joined by spaces they are `normalise(text)`
    (a split falls on whitespace, which folds into one space with the punctuation beside
    it), so a text's shingles are its sentences' shingles plus those across the joins."""
    return [p for p in map(normalise, _PIECE.split(text)) if p]


@lru_cache(maxsize=16384)
def _piece_shingles(piece: str, size: int) -> frozenset[str]:
    """The n-grams inside one normalised sentence (none when it is shorter than `size`).

    Cached: drafts are made of the scripts' phrasings, so the same sentences come back
    on every attempt and every draft; only the few n-grams across the joins are new.
    """
    return frozenset(piece[i : i + size] for i in range(len(piece) - size + 1))


def _joins(pieces: Sequence[str], norm: str, size: int) -> list[str]:
    """The n-grams of `norm` (the pieces joined by spaces) that hold a joining space:
    with those inside each piece, every n-gram of the text."""
    out = []
    at = 0
    last = len(norm) - size
    for piece in pieces[:-1]:
        space = at + len(piece)
        for start in range(max(0, space - size + 1), min(space, last) + 1):
            out.append(norm[start : start + size])
        at = space + 1
    return out


@lru_cache(maxsize=8192)
def _layout(text: str, size: int) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """A text's normalised sentences, their join (`normalise(text)`) and the n-grams
    across the joins: derived once for both its shingle set and its fingerprint."""
    pieces = tuple(_pieces(text))
    norm = " ".join(pieces)
    if len(norm) <= size or len(pieces) == 1:
        return pieces, norm, ()
    return pieces, norm, tuple(_joins(pieces, norm, size))


@lru_cache(maxsize=8192)
def shingles(text: str, size: int = DEFAULT_SHINGLE) -> frozenset[str]:
    """The set of character n-grams of the normalised text (the whole text if shorter).

    Cached: every draft is compared with the same recent replies, which repeat from one
    draft to the next; the sets are immutable, so sharing them is safe. Built from the
    sentences' cached n-grams (`_piece_shingles`) and the n-grams across their joins.
    """
    pieces, norm, joins = _layout(text, size)
    if not norm:
        return frozenset()
    if len(norm) <= size:
        return frozenset({norm})
    if len(pieces) == 1:
        return _piece_shingles(norm, size)
    return frozenset().union(*(_piece_shingles(p, size) for p in pieces), joins)


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


def _bits(grams: Iterable[str]) -> int:
    """The n-grams' bits (crc32 modulo the width) as one int: bit p of the int is bit
    p % 8 of byte p // 8 of its little-endian bytes."""
    out = 0
    for position in {zlib.crc32(g.encode()) % FINGERPRINT_BITS for g in grams}:
        out |= 1 << position
    return out


@lru_cache(maxsize=16384)
def _piece_bits(piece: str, size: int) -> int:
    """One sentence's n-grams as fingerprint bits (cached as its n-grams are)."""
    return _bits(_piece_shingles(piece, size))


@lru_cache(maxsize=8192)
def fingerprint_bytes(text: str, size: int = DEFAULT_SHINGLE) -> tuple[bytes, int]:
    """The shingle set as a bit set (deterministic crc32 positions; bit i is bit i % 8 of
    byte i // 8) and the number of bits set.

    The OR of the sentences' cached bits (`_piece_bits`) and the bits of the n-grams across
    their joins: the same bits as setting every n-gram of the text (OR is idempotent).
    """
    pieces, norm, joins = _layout(text, size)
    value = 0
    if norm and len(norm) <= size:
        value = _bits((norm,))
    elif norm:
        for piece in pieces:
            if len(piece) >= size:
                value |= _piece_bits(piece, size)
        value |= _bits(joins)
    return value.to_bytes(FINGERPRINT_BITS // 8, "little"), value.bit_count()


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
