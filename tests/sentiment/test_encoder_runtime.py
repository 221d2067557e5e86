"""The sentence-encoder runtime: int8 ONNX against torch, batching, loading once, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from services.sentiment.classifier.base import ModelLoadError
from services.sentiment.classifier.encoder.pooling import cosines
from services.sentiment.classifier.encoder.runtime import (
    INT8_MIN_COSINE,
    SentenceEncoder,
    load_encoder,
)

TEXTS = [
    "Через неделю отвалилась кнопка. Деньги на ветер.",
    "Доставка заняла три недели вместо обещанных пяти дней.",
    "Отличный чайник, кипятит быстро, не пахнет пластиком 👍",
    "Пришёл не тот цвет, что на фото",
    "запах ушёл через пару дней",
    "а это точно не подделка?",
    "Smells like plastic, returned it.",
    "Five stars, would buy again",
    "The box was damaged but the item is fine",
    "ok",
    "",
    "Очень длинный отзыв о товаре, который пришёл вовремя и хорошо упакован. " * 12,
]


@pytest.fixture(scope="module")
def torch_encoder(e5_model_dir: Path) -> SentenceEncoder:
    return load_encoder(e5_model_dir, backend="torch", max_length=128)


def test_int8_embeddings_agree_with_torch(e5_model_dir: Path, torch_encoder) -> None:
    int8 = load_encoder(e5_model_dir, backend="onnx-int8", max_length=128, token_budget=512)
    assert isinstance(int8, SentenceEncoder)
    assert (int8.name, int8.backend, int8.dim) == ("multilingual-e5-small", "onnx-int8", 384)
    assert (e5_model_dir / "onnx" / "model.int8.onnx").is_file()
    got, want = int8.embed(TEXTS), torch_encoder.embed(TEXTS)
    assert got.shape == (len(TEXTS), 384) and got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    similarity = cosines(got, want)
    assert similarity.min() >= INT8_MIN_COSINE, similarity.round(4).tolist()
    assert similarity.min() < 0.99999  # a quantized graph, not the float one
    # different texts stay apart: the check is not satisfied by constant vectors
    assert float(got[0] @ got[7]) < 0.95


def test_batching_keeps_order_and_matches_one_by_one(torch_encoder) -> None:
    batched = torch_encoder.embed(TEXTS)
    single = np.vstack([torch_encoder.embed([t]) for t in TEXTS])
    np.testing.assert_allclose(batched, single, atol=2e-5)
    assert torch_encoder.embed([]).shape == (0, 384)
    # the prefix is part of the input
    assert (
        float(cosines(torch_encoder.embed(TEXTS[:1], prefix="passage: "), batched[:1])[0]) < 0.9999
    )


def test_loaded_once_per_process(e5_model_dir: Path, torch_encoder) -> None:
    assert load_encoder(e5_model_dir, backend="torch", max_length=128) is torch_encoder
    assert load_encoder(str(e5_model_dir), backend="torch", max_length=128) is torch_encoder


def test_float_onnx_matches_torch_closely(
    e5_model_dir: Path, torch_encoder, tmp_path: Path
) -> None:
    # a copy, so the float graph (300 MB) does not linger in the shared session directory
    copy = tmp_path / "e5"
    shutil.copytree(e5_model_dir, copy, ignore=shutil.ignore_patterns("onnx"))
    onnx = load_encoder(copy, backend="onnx", max_length=128)
    assert onnx.backend == "onnx"
    assert cosines(onnx.embed(TEXTS), torch_encoder.embed(TEXTS)).min() > 0.9999


def test_load_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match=r"does not exist: build it with `python -m"):
        load_encoder(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match=r"not an encoder model directory"):
        load_encoder(tmp_path / "empty")
    with pytest.raises(ModelLoadError, match=r"unknown encoder backend 'tpu'"):
        load_encoder(tmp_path, backend="tpu")


def test_runtime_tokenisation_is_the_saved_tokenizers(e5_model_dir: Path, torch_encoder) -> None:
    from transformers import AutoTokenizer

    auto = AutoTokenizer.from_pretrained(e5_model_dir)
    texts = ["query: " + t for t in TEXTS]
    tokens = torch_encoder.pieces.tokenize(texts)
    expected = auto(texts, truncation=True, max_length=128)["input_ids"]
    assert tokens.encodings["input_ids"] == expected
    assert max(tokens.lengths) == 128 and expected[-1][-1] == 2  # truncated, </s> kept


def test_service_thread_setting_reaches_the_onnx_session(
    e5_model_dir: Path, tmp_path: Path
) -> None:
    """SENTIMENT_THREADS caps the encoder's intra-op pool, and idle workers sleep: spinning
    ones steal the cores the consumer loop and the other services share with it."""
    from services.sentiment.config import SentimentSettings
    from services.sentiment.main import build_classifier

    settings = SentimentSettings(
        sentiment_model="review-head",
        sentiment_backend="onnx-int8",
        sentiment_encoder_dir=str(e5_model_dir),
        sentiment_head_dir=str(tmp_path / "head"),
        sentiment_threads=1,
    )
    classifier = build_classifier(settings)
    options = classifier.encoder.session.get_session_options()  # type: ignore[attr-defined]
    assert options.intra_op_num_threads == 1
    assert options.inter_op_num_threads == 1
    for pool in ("intra_op", "inter_op"):
        assert options.get_session_config_entry(f"session.{pool}.allow_spinning") == "0"
    assert classifier.predict(["Отличный чайник"])[0].label.value == "positive"
