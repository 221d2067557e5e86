"""ONNX Runtime execution of Hugging Face models: the faster CPU paths.

The machinery here (export, fusion, int8 quantization and its build-time check) serves two
graphs, described by a `GraphOutput`: a sequence classifier's logits (`OnnxClassifier`,
below) and the sentence encoder's pooled embeddings (`encoder/runtime.py`).

The torch model is exported once (torch.onnx.export, opset 17, dynamic batch and sequence
axes) to `<model dir>/onnx/model.onnx`, or to a given path, or, when the model directory is
not writable, to a cache dir. Tokenization, bucketing and label mapping are the torch
backend's, so both produce the same probabilities within float32 tolerance
(|Δlogit| ≤ 1e-4 on the tests' model).

`onnx-int8` goes further: the model is exported with eager attention so that ONNX
Runtime's transformer optimizer can fuse attention, GELU and layer norms (encoder
architectures it knows), then its weights are quantized to int8 (dynamic quantization:
activations stay float, scales are computed per call). On 2 CPU cores this roughly
doubles throughput over the float graph (docs/sentiment.md). The artefact is checked
against the float model when it is built: mapped probabilities must agree within
`INT8_TOLERANCE`, else the fusion is dropped, and if that still disagrees the build fails.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from services.sentiment.classifier.base import ModelLoadError, TextPrediction
from services.sentiment.classifier.labels import LABELS, mapping_matrix, softmax
from services.sentiment.classifier.transformers_backend import (
    HFTokenized,
    _not_found,
    load_tokenizer,
)
from shared.logging import get_logger

log = get_logger(__name__)

#: Agreement promised with the torch backend, on logits (absolute).
ONNX_TOLERANCE = 1e-4
#: Agreement promised by the int8 graph, on the mapped probabilities (absolute).
INT8_TOLERANCE = 0.03

#: model_type (config.json) -> ONNX Runtime optimizer type whose fusions fit it.
_FUSABLE_TYPES = {
    "bert": "bert",
    "roberta": "bert",
    "xlm-roberta": "bert",
    "camembert": "bert",
    "electra": "bert",
}

#: Texts the int8 artefact is checked on when built (both languages, short and long).
_CHECK_TEXTS = [
    "Отличный товар, пришёл быстро, всё как в описании!",
    "ужасно, брак, продавец не отвечает",
    "нормально",
    "The kettle broke after two days, very disappointed.",
    "Great quality and fast delivery, thank you",
    "",
    "Размер маломерит, пришлось вернуть. Упаковка порвана, но курьер вежливый. " * 4,
]


@dataclass(frozen=True)
class GraphOutput:
    """What an exported graph returns, and how its int8 version is judged against torch.

    The classifier's graph returns logits; the sentence encoder's returns pooled, L2-normed
    embeddings. Both share export, fusion, quantization and the build-time check.
    """

    #: the graph's output name
    name: str
    #: (model outputs, torch inputs by name) -> the (batch, k) tensor the graph returns
    select: Callable[[Any, Mapping[str, Any]], Any]
    #: (int8 rows, torch rows) -> the worst disagreement on the check texts
    disagreement: Callable[[np.ndarray, np.ndarray], float]
    #: called at check time (tests lower it to force a refusal)
    tolerance: Callable[[], float]
    #: what disagrees, for the error message ("probabilities", "embeddings")
    quantity: str
    check_texts: Sequence[str]
    #: an extra keyword for the model's forward call (e.g. {"return_dict": True})
    model_kwargs: Mapping[str, Any] = field(default_factory=dict)
    #: int8 scales per output channel rather than per tensor (slower to build, closer)
    per_channel: bool = False


def logits_output(matrix: np.ndarray) -> GraphOutput:
    """A sequence classifier's logits; int8 is judged on the mapped 3-class probabilities."""

    def disagreement(got: np.ndarray, want: np.ndarray) -> float:
        return float(np.abs(softmax(got) @ matrix - softmax(want) @ matrix).max())

    return GraphOutput(
        name="logits",
        select=lambda outputs, _inputs: outputs.logits,
        disagreement=disagreement,
        tolerance=lambda: INT8_TOLERANCE,
        quantity="probabilities",
        check_texts=_CHECK_TEXTS,
    )


def default_onnx_path(source: str) -> Path:
    """Next to the model if writable, else under $XDG_CACHE_HOME/otklik/onnx/."""
    local = Path(source)
    if local.is_dir() and os.access(local, os.W_OK):
        return local / "onnx" / "model.onnx"
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "otklik" / "onnx"
    digest = hashlib.sha256(str(local.resolve() if local.exists() else source).encode())
    return cache / digest.hexdigest()[:16] / "model.onnx"


def export_onnx(model: Any, tokenizer: Any, path: Path, output: GraphOutput | None = None) -> Path:
    """Export `model` with dynamic batch/sequence axes; returns the written path.

    `output` says what the graph returns (default: the classifier's logits).
    """
    import torch

    head = output or logits_output(np.eye(1))
    names = [n for n in tokenizer.model_input_names if n != "position_ids"]
    sample = tokenizer(["export sample", "a"], padding=True, return_tensors="pt")
    args = tuple(sample[n] for n in names)
    axes: dict[str, dict[int, str]] = {n: {0: "batch", 1: "sequence"} for n in names}
    axes[head.name] = {0: "batch"}
    path.parent.mkdir(parents=True, exist_ok=True)
    model = model.cpu().eval()

    class _Wrapper(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            feeds = dict(zip(names, inputs, strict=True))
            return head.select(self.inner(**feeds, **head.model_kwargs), feeds)

    # a name of its own: replicas sharing a model volume may export at the same time
    tmp = path.with_suffix(f".{os.getpid()}.tmp.onnx")
    with torch.inference_mode(False), torch.no_grad():
        torch.onnx.export(
            _Wrapper(),
            args,
            str(tmp),
            input_names=names,
            output_names=[head.name],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    tmp.replace(path)
    return path


#: Idle intra-op threads sleep instead of spinning: the service shares its cores with the
#: consumer loop and the other services, and spinning workers steal their time between batches.
NO_SPINNING = {"session.intra_op.allow_spinning": "0", "session.inter_op.allow_spinning": "0"}


def ort_session(path: Path, threads: int | None = None) -> Any:
    """An onnxruntime CPU session; `threads` caps intra-op threads (None: all cores)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.inter_op_num_threads = 1
    if threads:
        options.intra_op_num_threads = threads
    for key, value in NO_SPINNING.items():
        options.add_session_config_entry(key, value)
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def _check_rows(
    run: Callable[[dict[str, np.ndarray]], np.ndarray], tokenizer: Any, texts: Sequence[str]
) -> np.ndarray:
    """Outputs for the check texts, one text per call (no padding effects)."""
    rows = []
    for text in texts:
        encoded = tokenizer([text], truncation=True, max_length=128, return_tensors="np")
        rows.append(run({k: np.asarray(v, dtype=np.int64) for k, v in encoded.items()}))
    return np.vstack(rows)


def build_int8(model: Any, tokenizer: Any, config: Any, output: GraphOutput, path: Path) -> Path:
    """Export, fuse where ONNX Runtime knows the architecture, quantize, check; -> `path`."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = model.cpu().eval()
    names = [n for n in tokenizer.model_input_names if n != "position_ids"]

    def torch_run(feeds: dict[str, np.ndarray]) -> np.ndarray:
        with torch.inference_mode():
            inputs = {n: torch.from_numpy(feeds[n]) for n in names if n in feeds}
            result = output.select(model(**inputs, **output.model_kwargs), inputs)
            return np.asarray(result.float().numpy())

    reference = _check_rows(torch_run, tokenizer, output.check_texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a directory of its own: replicas sharing a model volume may build at the same time
    work = Path(tempfile.mkdtemp(prefix=f"{path.stem}.build-", dir=path.parent))
    try:
        plain = export_onnx(model, tokenizer, work / "float.onnx", output)
        graphs = [plain]
        fused = _fuse(plain, config, work / "fused.onnx")
        if fused is not None:
            graphs.insert(0, fused)
        worst = float("inf")
        # 7-bit weights last: on CPUs without VNNI the 8-bit integer kernels can saturate
        # and miss the tolerance where 7 bits keep it (ONNX Runtime's advice for them).
        attempts = [(g, False) for g in graphs] + [(g, True) for g in graphs]
        for graph, reduce_range in attempts:
            quantized = work / f"{graph.stem}{'.r7' if reduce_range else ''}.int8.onnx"
            quantize_dynamic(
                str(graph),
                str(quantized),
                weight_type=QuantType.QInt8,
                per_channel=output.per_channel,
                reduce_range=reduce_range,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
            session = ort_session(quantized)
            inputs = {i.name for i in session.get_inputs()}

            def int8_run(
                feeds: dict[str, np.ndarray], s: Any = session, i: set[str] = inputs
            ) -> np.ndarray:
                return np.asarray(
                    s.run([output.name], {k: v for k, v in feeds.items() if k in i})[0]
                )

            got = _check_rows(int8_run, tokenizer, output.check_texts)
            worst = output.disagreement(got, reference)
            if worst <= output.tolerance():
                quantized.replace(path)
                return path
            log.warning(
                "int8 graph disagrees with the float model",
                graph=graph.name,
                reduce_range=reduce_range,
                diff=worst,
            )
        raise ModelLoadError(
            f"int8 quantization changes {output.quantity} by {worst:.3f} "
            f"(> {output.tolerance()}); use the onnx backend for this model"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fuse(plain: Path, config: Any, out: Path) -> Path | None:
    """ONNX Runtime's transformer fusions (attention, GELU, layer norm), if they apply."""
    kind = _FUSABLE_TYPES.get(str(getattr(config, "model_type", "")))
    if kind is None:
        return None
    from onnxruntime.transformers.optimizer import optimize_model

    try:
        optimized = optimize_model(
            str(plain),
            model_type=kind,
            num_heads=int(getattr(config, "num_attention_heads", 0) or 0),
            hidden_size=int(getattr(config, "hidden_size", 0) or 0),
        )
        optimized.save_model_to_file(str(out))
    except Exception as exc:  # the optimizer is best effort: the plain graph still works
        log.warning("transformer fusion failed, quantizing the plain graph", error=str(exc))
        return None
    return out


class OnnxClassifier:
    """Same contract as TransformersClassifier; runs on onnxruntime's CPU provider."""

    def __init__(
        self,
        session: Any,
        tokenizer: Any,
        id2label: Mapping[int, str],
        *,
        name: str,
        max_length: int = 256,
        batch_size: int = 32,
        label_map: Mapping[str, str] | None = None,
        backend: str = "onnx",
    ) -> None:
        self.backend = backend
        self.session = session
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.batch_size = batch_size
        self.matrix = mapping_matrix(id2label, label_map)
        self.name = name
        self.input_names = [i.name for i in session.get_inputs()]

    @classmethod
    def from_pretrained(
        cls,
        source: str,
        *,
        onnx_path: Path | None = None,
        max_length: int = 256,
        batch_size: int = 32,
        label_map: Mapping[str, str] | None = None,
        threads: int | None = None,
        quantize: bool = False,
    ) -> OnnxClassifier:
        """`onnx_path` is the float graph's file; the int8 one sits beside it."""
        from transformers import AutoConfig, AutoModelForSequenceClassification

        tokenizer = load_tokenizer(source)
        try:
            config = AutoConfig.from_pretrained(source)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(_not_found(source, exc)) from exc
        id2label = {int(k): str(v) for k, v in config.id2label.items()}
        path = onnx_path or default_onnx_path(source)
        if quantize:
            path = path.with_name(f"{path.stem}.int8.onnx")
            if not path.is_file():
                model = AutoModelForSequenceClassification.from_pretrained(
                    source, attn_implementation="eager"
                )
                matrix = mapping_matrix(id2label, label_map)
                build_int8(model, tokenizer, config, logits_output(matrix), path)
        elif not path.is_file():
            model = AutoModelForSequenceClassification.from_pretrained(source)
            export_onnx(model, tokenizer, path)
        positions = getattr(config, "max_position_embeddings", max_length)
        short = Path(source).name if Path(source).exists() else source
        return cls(
            ort_session(path, threads),
            tokenizer,
            id2label,
            name=f"{'onnx-int8' if quantize else 'onnx'}:{short}",
            max_length=min(max_length, int(positions)),
            batch_size=batch_size,
            label_map=label_map,
            backend="onnx-int8" if quantize else "onnx",
        )

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        tokens = HFTokenized(self.tokenizer, texts, self.max_length)
        out = np.zeros((len(texts), self.matrix.shape[0]), dtype=np.float32)
        for idx, batch in tokens.batches(self.batch_size):
            feeds = {n: batch[n] for n in self.input_names}
            out[idx] = self.session.run(["logits"], feeds)[0]
        return out

    def predict(self, texts: Sequence[str]) -> list[TextPrediction]:
        if not texts:
            return []
        probs = softmax(self.logits(texts)) @ self.matrix
        return [
            TextPrediction.from_scores(dict(zip(LABELS, row.tolist(), strict=True)))
            for row in probs
        ]
