"""The sentence encoder the service runs: e5 embeddings through int8 ONNX, ONNX or torch.

`load_encoder(dir)` loads the directory `python -m services.sentiment.classifier.encoder build`
wrote, once per process (later calls with the same arguments get the same object), and
returns a `SentenceEncoder`. `auto` takes the classifier's order (base.auto_backends):
on CPU the int8 graph, then the float graph, then torch. The ONNX graphs return the pooled
embedding themselves (mean over the attention mask, L2 norm: e5's recipe), exported and
quantized by the classifier's machinery (onnx_backend); the int8 graph is accepted at
build time only if its embeddings of fixed texts keep cosine ≥ `INT8_MIN_COSINE` with
torch's.

Texts are tokenized once, sorted by length and cut into batches whose padded size stays
under `token_budget` tokens (transformers_backend.token_budget_batches), so one long
review does not pad a batch of short ones and memory per batch is bounded. Tokenization
runs on `tokenizers` directly: the transformers wrapper keeps a second copy of the
157k-piece Unigram model, about 180 MB more resident memory (measured).
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from services.sentiment.classifier.base import ModelLoadError, auto_backends
from services.sentiment.classifier.encoder.check import CHECK_TEXTS
from services.sentiment.classifier.encoder.pooling import QUERY, cosines, mean_pool_torch
from services.sentiment.classifier.onnx_backend import (
    GraphOutput,
    build_int8,
    default_onnx_path,
    export_onnx,
    ort_session,
)
from services.sentiment.classifier.transformers_backend import Tokenized
from shared.logging import get_logger

log = get_logger(__name__)

ENCODER_BACKENDS = ("auto", "onnx-int8", "onnx", "torch")
#: Padded tokens per batch (batch size × longest text in it).
DEFAULT_TOKEN_BUDGET = 8192
#: Texts per batch at most, whatever the budget (the batching DP is O(n × this)).
MAX_BATCH = 128
#: The int8 graph's embeddings of the check texts must keep this cosine with torch's.
INT8_MIN_COSINE = 0.98
OUTPUT = "sentence_embedding"


@runtime_checkable
class SentenceEncoder(Protocol):
    """Sentence embeddings: one L2-normalised float32 row per text, in input order."""

    name: str  # e.g. "multilingual-e5-small"
    backend: str  # "onnx-int8" | "onnx" | "torch"
    dim: int

    def embed(self, texts: Sequence[str], *, prefix: str = QUERY) -> np.ndarray:
        """(len(texts), dim) float32; e5 wants "query: " for texts to classify."""
        ...


def embedding_output() -> GraphOutput:
    """The encoder graph's output for onnx_backend: pooled, normalised embeddings."""

    def disagreement(got: np.ndarray, want: np.ndarray) -> float:
        return float(1.0 - cosines(got, want).min())

    return GraphOutput(
        name=OUTPUT,
        select=lambda outputs, inputs: mean_pool_torch(
            outputs.last_hidden_state, inputs["attention_mask"]
        ),
        disagreement=disagreement,
        tolerance=lambda: 1.0 - INT8_MIN_COSINE,
        quantity="embeddings (1 - cosine with torch)",
        check_texts=[QUERY + t for t in CHECK_TEXTS],
        # per-tensor scales leave cosine ~0.97 on short texts; per-channel ~0.995
        per_channel=True,
    )


class Pieces:
    """The model directory's tokenizer.json, run by `tokenizers` (truncating, unpadded)."""

    def __init__(self, path: Path, max_length: int, pad_id: int | None = None) -> None:
        """`pad_id` None: the id of "<pad>"."""
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(path))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length)
        if pad_id is None:
            pad_id = self.tokenizer.token_to_id("<pad>")
            if pad_id is None:
                raise ModelLoadError(f"{path} has no <pad> token and config.json no pad id")
        self.pad_id = pad_id

    def tokenize(self, texts: Sequence[str]) -> Tokenized:
        encodings = self.tokenizer.encode_batch(list(texts))
        return Tokenized(
            {
                "input_ids": [e.ids for e in encodings],
                "attention_mask": [e.attention_mask for e in encodings],
            },
            {"input_ids": self.pad_id, "attention_mask": 0},
        )


class _BatchedEncoder(ABC):
    """Tokenization and token-budget batching shared by the backends."""

    backend = "?"

    def __init__(self, pieces: Pieces, *, name: str, dim: int, token_budget: int) -> None:
        if token_budget < 1:
            raise ValueError("token_budget must be >= 1")
        self.pieces = pieces
        self.name = name
        self.dim = dim
        self.token_budget = token_budget
        # attention costs ~L/(3*hidden) of the dense layers per token (as in the classifier)
        self.attention_width = 3 * dim

    @abstractmethod
    def _run(self, batch: Mapping[str, np.ndarray]) -> np.ndarray:
        """Pooled, normalised embeddings of one padded batch."""

    def embed(self, texts: Sequence[str], *, prefix: str = QUERY) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        tokens = self.pieces.tokenize([prefix + t for t in texts])
        for idx, batch in tokens.batches(
            MAX_BATCH, attention_width=self.attention_width, max_tokens=self.token_budget
        ):
            out[idx] = self._run(batch)
        return out


class TorchEncoder(_BatchedEncoder):
    backend = "torch"

    def __init__(self, model: Any, pieces: Pieces, **kwargs: Any) -> None:
        super().__init__(pieces, **kwargs)
        self.model = model.cpu().eval()

    def _run(self, batch: Mapping[str, np.ndarray]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            mask = torch.from_numpy(batch["attention_mask"])
            hidden = self.model(
                input_ids=torch.from_numpy(batch["input_ids"]), attention_mask=mask
            ).last_hidden_state
            return np.asarray(mean_pool_torch(hidden, mask).float().numpy())


class OnnxEncoder(_BatchedEncoder):
    def __init__(self, session: Any, pieces: Pieces, *, backend: str, **kwargs: Any) -> None:
        super().__init__(pieces, **kwargs)
        self.session = session
        self.backend = backend
        self.input_names = [i.name for i in session.get_inputs()]

    def _run(self, batch: Mapping[str, np.ndarray]) -> np.ndarray:
        feeds = {n: batch[n] for n in self.input_names}
        return np.asarray(self.session.run([OUTPUT], feeds)[0], dtype=np.float32)


_LOADED: dict[tuple[Any, ...], SentenceEncoder] = {}
_LOCK = threading.Lock()


def load_encoder(
    model_dir: str | Path,
    *,
    backend: str = "auto",
    max_length: int = 256,
    token_budget: int = DEFAULT_TOKEN_BUDGET,
    threads: int | None = None,
) -> SentenceEncoder:
    """The encoder in `model_dir`, loaded once per process per set of arguments.

    `threads` caps the CPU threads (onnxruntime's intra-op pool; torch's global pool).
    Raises ModelLoadError naming what is missing or which backend failed.
    """
    if backend not in ENCODER_BACKENDS:
        raise ModelLoadError(f"unknown encoder backend {backend!r} ({'|'.join(ENCODER_BACKENDS)})")
    directory = Path(model_dir).expanduser()
    if not directory.is_dir():
        raise ModelLoadError(
            f"encoder model directory {directory} does not exist: build it with "
            "`python -m services.sentiment.classifier.encoder build` (run by `make`)"
        )
    if not (directory / "config.json").is_file() or not (directory / "tokenizer.json").is_file():
        raise ModelLoadError(
            f"{directory} is not an encoder model directory (no config.json / tokenizer.json): "
            "rebuild it with `python -m services.sentiment.classifier.encoder build --force`"
        )
    key = (str(directory.resolve()), backend, max_length, token_budget, threads)
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = _load(directory, backend, max_length, token_budget, threads)
        return _LOADED[key]


def _load(
    directory: Path, backend: str, max_length: int, token_budget: int, threads: int | None
) -> SentenceEncoder:
    chain = auto_backends() if backend == "auto" else (backend,)
    for chosen in chain[:-1]:
        try:
            return _load_backend(chosen, directory, max_length, token_budget, threads)
        except Exception as exc:
            log.warning(
                "encoder backend unavailable, trying the next", backend=chosen, error=str(exc)
            )
    try:
        return _load_backend(chain[-1], directory, max_length, token_budget, threads)
    except ModelLoadError:
        raise
    except Exception as exc:
        raise ModelLoadError(f"{directory}: the {chain[-1]} backend cannot load it: {exc}") from exc


def _model_name(directory: Path) -> str:
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        return str(manifest["model"])
    except (OSError, ValueError, KeyError, TypeError):
        return directory.name


def _load_backend(
    backend: str, directory: Path, max_length: int, token_budget: int, threads: int | None
) -> SentenceEncoder:
    try:
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        dim = int(config["hidden_size"])
        positions = int(config.get("max_position_embeddings") or max_length)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"{directory}/config.json is unreadable: {exc}") from exc
    pad = config.get("pad_token_id")
    pieces = Pieces(
        directory / "tokenizer.json",
        min(max_length, positions),
        pad_id=pad if isinstance(pad, int) else None,
    )
    common: dict[str, Any] = {
        "name": _model_name(directory),
        "dim": dim,
        "token_budget": token_budget,
    }
    if backend == "torch":
        import torch
        from transformers import BertModel

        if threads:
            torch.set_num_threads(threads)
        model = BertModel.from_pretrained(directory, add_pooling_layer=False)
        return TorchEncoder(model, pieces, **common)
    path = default_onnx_path(str(directory))
    if backend == "onnx-int8":
        path = path.with_name(f"{path.stem}.int8.onnx")
    if not path.is_file():
        _build_graph(directory, path, quantize=backend == "onnx-int8")
    return OnnxEncoder(ort_session(path, threads), pieces, backend=backend, **common)


def _build_graph(directory: Path, path: Path, *, quantize: bool) -> None:
    """Export (and for int8 quantize and check) the pooled-embedding graph; once per model."""
    from transformers import AutoConfig, AutoTokenizer, BertModel

    tokenizer = AutoTokenizer.from_pretrained(directory)
    if quantize:
        model = BertModel.from_pretrained(
            directory, add_pooling_layer=False, attn_implementation="eager"
        )
        build_int8(
            model, tokenizer, AutoConfig.from_pretrained(directory), embedding_output(), path
        )
    else:
        model = BertModel.from_pretrained(directory, add_pooling_layer=False)
        export_onnx(model, tokenizer, path, embedding_output())
