"""The fine-tuning experiment's two shortcuts must not change what the model computes:
cached bottom-layer states + the copied top layers give the full encoder's pooled output,
and the head warm-started from a frozen-embedding LR gives that LR's logits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.sentiment.classifier.review_head import Head
from services.sentiment.training.encoders import DEFAULT_ENCODER_DIR

TEXTS = [
    "Через неделю отвалилась кнопка. Деньги на ветер.",
    "great product, love it",
    "ок",
    "Доставка заняла три недели вместо обещанных пяти дней, упаковка мятая, но сам товар цел.",
]


@pytest.fixture(scope="module")
def encoder_dir(request: pytest.FixtureRequest) -> Path:
    """The built encoder when the install step made it, else one built for the session."""
    if (DEFAULT_ENCODER_DIR / "config.json").is_file():
        return DEFAULT_ENCODER_DIR
    return Path(request.getfixturevalue("e5_model_dir"))


def _full_pooled(model, tokenizer, texts: list[str]):
    import torch

    tokenizer.enable_truncation(128)
    enc = tokenizer.encode_batch(["query: " + t for t in texts])
    width = max(len(e.ids) for e in enc)
    ids = torch.ones((len(texts), width), dtype=torch.long)
    mask = torch.zeros((len(texts), width), dtype=torch.long)
    for i, e in enumerate(enc):
        ids[i, : len(e.ids)] = torch.tensor(e.ids)
        mask[i, : len(e.ids)] = 1
    with torch.inference_mode():
        hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
    m = mask.unsqueeze(-1).float()
    return (hidden * m).sum(1) / m.sum(1)


@pytest.mark.parametrize("k", [1, 2])
def test_cached_states_plus_top_layers_give_the_full_encoders_output(
    encoder_dir: Path, k: int
) -> None:
    import torch

    from services.sentiment.training.finetune import TopModel, bottom_states, load_model

    torch.set_num_threads(1)
    model, tokenizer = load_model(encoder_dir)
    cached = bottom_states(model, tokenizer, TEXTS, k=k, max_len=128)
    assert [int(s.shape[0]) for s in cached.states] == cached.lengths.tolist()
    top = TopModel(model, k)
    top.train(False)
    with torch.inference_mode():
        ours = top.pooled(cached.states)  # padded together: the masks must hold
    cos = torch.nn.functional.cosine_similarity(ours, _full_pooled(model, tokenizer, TEXTS))
    assert float(cos.min()) > 0.9999


def test_warm_started_head_reproduces_the_linear_heads_logits(encoder_dir: Path) -> None:
    import torch

    from services.sentiment.training.finetune import (
        TopModel,
        bottom_states,
        load_model,
        top_logits,
        train_top,
    )

    torch.set_num_threads(1)
    model, tokenizer = load_model(encoder_dir)
    cached = bottom_states(model, tokenizer, TEXTS, k=1, max_len=128)
    rng = np.random.default_rng(0)
    lr = Head(
        classes=["positive", "neutral", "negative"],
        collapse={},
        layers=[(rng.normal(size=(384, 3)).astype(np.float32), np.asarray([0.1, -0.2, 0.3]))],
        encoder={},
        embedding_scale=2.0,
    )
    top, log = train_top(
        model, cached, np.zeros(len(TEXTS), dtype=int), np.ones(len(TEXTS), dtype=np.float32),
        k=1, epochs=0, layer_lr=0.0, head_lr=0.0, budget=4096, max_seconds=10, init=lr,
    )  # fmt: skip
    assert log["epochs"] == []
    with torch.inference_mode():
        pooled = TopModel.pooled(top, cached.states)
    emb = torch.nn.functional.normalize(pooled, dim=1).numpy()
    np.testing.assert_allclose(
        top_logits(top, cached, 4096), lr.logits(emb, TEXTS), rtol=1e-4, atol=1e-4
    )
