"""The shop's recent replies, indexed once and compared with every draft attempt.

Each attempt of each draft is compared with up to a few hundred recent replies: by
character shingles (`similarity`) and sentence by sentence (`variety`). Those replies change
by one from one draft to the next, so what is derived from a reply (its shingle
fingerprint, its sentence keys) is derived once and kept here; a batch of drafts reuses one
index (`RecentReplies`), and each draft asks it for a `RecentWindow` over its own list.

The window compares a draft with all its replies at once: the fingerprints are rows of a
bit matrix, and one AND plus popcount in numpy replaces a loop of big-integer operations.
The results are the same numbers `similarity.most_similar` computes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import overload

import numpy as np
import numpy.typing as npt

from services.responder.draft.similarity import (
    DEFAULT_SHINGLE,
    FINGERPRINT_BITS,
    fingerprint_bytes,
    similarity,
)
from services.responder.draft.variety import MIN_SENTENCE_CHARS, _sentence_keys

_WORDS = FINGERPRINT_BITS // 64
#: How far below the best fingerprint estimate a reply is still compared exactly, and
#: how many such replies at most (collisions move an estimate by far less).
_MARGIN = 0.02
_EXACT_LIMIT = 16
Row = npt.NDArray[np.uint64]


def _row(text: str, size: int) -> tuple[Row, int]:
    """A text's fingerprint as a row of 64-bit words, and its bit count."""
    packed, count = fingerprint_bytes(text, size)
    return np.frombuffer(packed, dtype="<u8"), count


@dataclass
class RecentReplies:
    """Per-reply derived data, kept across drafts (bounded: the oldest entries go first).

    Build one per batch (or per process) and pass `index.window(replies)` as the draft's
    recent replies; a plain list works too and uses a shared default index.
    """

    size: int = DEFAULT_SHINGLE
    max_entries: int = 4096
    _rows: OrderedDict[str, tuple[bytes, int]] = field(default_factory=OrderedDict)

    def _entry(self, text: str) -> tuple[bytes, int]:
        found = self._rows.get(text)
        if found is None:
            found = fingerprint_bytes(text, self.size)
            self._rows[text] = found
            if len(self._rows) > self.max_entries:
                self._rows.popitem(last=False)
        else:
            self._rows.move_to_end(text)
        return found

    def window(self, replies: Sequence[str]) -> RecentWindow:
        """The replies one draft is compared with (oldest first), ready to compare."""
        if isinstance(replies, RecentWindow) and replies.size == self.size:
            return replies
        texts = tuple(replies)
        entries = [self._entry(t) for t in texts]
        matrix = np.frombuffer(b"".join(row for row, _ in entries), dtype="<u8").reshape(
            len(entries), _WORDS
        )
        counts = np.array([count for _, count in entries], dtype=np.int64)
        return RecentWindow(texts, matrix, counts, self.size)


class RecentWindow(Sequence[str]):
    """One draft's recent replies (a sequence of texts) with their comparisons ready."""

    def __init__(
        self, texts: tuple[str, ...], matrix: Row, counts: npt.NDArray[np.int64], size: int
    ):
        self.texts = texts
        self.size = size
        self._matrix = matrix
        self._counts = counts
        self._sentence_set: frozenset[str] | None = None
        self._ages: dict[str, int] | None = None

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self.texts[index]

    def __len__(self) -> int:
        return len(self.texts)

    def __iter__(self) -> Iterator[str]:
        return iter(self.texts)

    def most_similar(self, text: str) -> tuple[float, int | None]:
        """As `similarity.most_similar(text, self.texts, size)`, in one matrix operation."""
        if not self.texts:
            return 0.0, None
        row, count = _row(text, self.size)
        inters = np.bitwise_count(self._matrix & row).sum(axis=1, dtype=np.int64)
        unions = self._counts + count - inters
        # inter / union exactly as Python divides ints; the first highest wins (as a loop).
        values = np.divide(inters, unions, out=np.zeros(len(inters)), where=unions > 0)
        # Fingerprint bits collide now and then: the replies within a small margin of the
        # best estimate are compared exactly, so the answer is the exact maximum.
        near = np.flatnonzero(values >= values.max() - _MARGIN)[:_EXACT_LIMIT]
        best, where = -1.0, int(near[0])
        for k in near:
            exact = similarity(text, self.texts[int(k)], self.size)
            if exact > best:
                best, where = exact, int(k)
        return best, where

    def sentence_set(self) -> frozenset[str]:
        """Every countable sentence of these replies (`variety.recent_sentence_set`)."""
        if self._sentence_set is None:
            found: set[str] = set()
            for reply in self.texts:
                found.update(_sentence_keys(reply, MIN_SENTENCE_CHARS))
            self._sentence_set = frozenset(found)
        return self._sentence_set

    def sentence_ages(self) -> dict[str, int]:
        """Sentence → replies ago it last stood (`variety.recent_sentence_ages`)."""
        if self._ages is None:
            ages: dict[str, int] = {}
            for age, reply in enumerate(reversed(self.texts)):
                for key in _sentence_keys(reply, MIN_SENTENCE_CHARS):
                    ages.setdefault(key, age)
            self._ages = ages
        return self._ages


@lru_cache(maxsize=4)
def default_index(size: int = DEFAULT_SHINGLE) -> RecentReplies:
    """The index used when a caller passes a plain list of replies (one per shingle size)."""
    return RecentReplies(size=size)
