"""`make bench-sentiment`: texts/s of the HF pipeline, the bare model, and the service's path.

One model, one set of texts, one run:
(a) transformers `pipeline("text-classification")` at batch size 1;
(b) the bare model forward (tokenizer with padding + `model(**inputs)` under
    `torch.inference_mode`, texts in arrival order) at its best batch size of 8/16/32/64;
(c) the service's path: `load_classifier(model_dir, backend="torch")` and `backend="onnx"`,
    `predict` on chunks of 64 texts (the consumer's `getmany` batch, KAFKA_BATCH_MAX_RECORDS
    default) — tokenization, length bucketing, label mapping included;
plus the shipped built-in model's `predict` on the same chunks.

No pretrained weights exist here, so the model is built into a temp dir by this script: a
WordPiece tokenizer (`tokenizers` trainer, vocab 8,000) trained on RuSentiment train texts
and a *randomly initialised* BertForSequenceClassification (hidden 256, 4 layers, 4 heads,
intermediate 1,024, 3 labels). Speed does not depend on the weights' values, so its
predictions are meaningless and only the timings matter. Texts: 512 evenly spaced posts
of the RuSentiment test split (generated review-like texts if ../shared/data is missing).

Each path runs in its own child process (same interpreter, torch threads = 2,
OMP_NUM_THREADS = 2, onnxruntime intra-op threads = its default, i.e. the 2 cores here);
peak memory is that child's `resource.getrusage(RUSAGE_SELF).ru_maxrss` (whole-process
peak RSS: Python + torch + the model + activations), reported next to the RSS after the
imports, before loading the model. Throughput = best of --repeats passes after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
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
    config = BertConfig(
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
    if path in {"service_torch", "service_onnx", "builtin"}:
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
    return {"path": path, "rss_after_imports_mb": round(after_imports, 1), "peak_rss_mb": round(_peak_mb(), 1)}


def time_interleaved(
    runners: dict[str, Callable[[], Any]], n: int, rounds: int
) -> dict[str, float]:
    """texts/s per variant: best of `rounds`, variants interleaved round-robin so that
    load from other processes on the machine hits all of them alike."""
    for run in runners.values():
        run()  # warm-up
    best = {name: float("inf") for name in runners}
    for _ in range(rounds):
        for name, run in runners.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: n / seconds for name, seconds in best.items()}


# ---------------------------------------------------------------- driver


PATHS = ("pipeline_bs1", "bare", "service_torch", "service_onnx", "builtin")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", help=argparse.SUPPRESS)
    parser.add_argument("--texts-file", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        texts = json.loads(Path(args.texts_file).read_text())
        out = worker(args.worker, args.model_dir, texts, args.repeats)
        print("RESULT " + json.dumps(out))
        return 0

    env = {**os.environ, "OMP_NUM_THREADS": str(THREADS), "TOKENIZERS_PARALLELISM": "false"}
    os.environ.update(env)
    texts, source = bench_texts(args.texts)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="otklik-bench-") as tmp:
        start = time.perf_counter()
        try:
            from services.sentiment.training import data

            corpus = data.rusentiment_train().texts
        except OSError:
            corpus = texts
        model_dir = build_model(Path(tmp) / "model", corpus)
        built = time.perf_counter() - start
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(texts, ensure_ascii=False))
        from transformers import AutoTokenizer

        lengths = [len(ids) for ids in AutoTokenizer.from_pretrained(model_dir)(texts)["input_ids"]]
        lengths.sort()
        print(
            f"model: random-init BERT (hidden 256, 4 layers, 4 heads), WordPiece vocab 8000 "
            f"trained on {len(corpus)} texts, built in {built:.1f} s"
        )
        print(
            f"texts: {len(texts)} from {source}; tokens median {lengths[len(lengths) // 2]}, "
            f"p95 {lengths[int(len(lengths) * 0.95)]}, max {lengths[-1]} (truncated at "
            f"{MAX_LENGTH}); torch threads {THREADS}; best of {args.repeats} passes"
        )
        for path in [p for p in args.paths.split(",") if p]:
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    path,
                    "--model-dir",
                    str(model_dir),
                    "--texts-file",
                    str(texts_file),
                    "--repeats",
                    str(args.repeats),
                ],
                capture_output=True,
                text=True,
                env=env,
                cwd=ROOT,
            )
            line = next(
                (x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None
            )
            if proc.returncode or line is None:
                print(f"{path}: failed\n{proc.stderr[-3000:]}")
                continue
            results[path] = json.loads(line.removeprefix("RESULT "))
            r = results[path]
            extra = ""
            if path == "bare":
                extra = f"  best batch {r['best_batch']}; " + ", ".join(
                    f"bs{b}: {v:.0f}" for b, v in r["by_batch"].items()
                )
            if "texts_per_s_one_call" in r:
                extra = f"  (one predict call over all texts: {r['texts_per_s_one_call']:.0f})"
            print(
                f"{path:14s} {r['texts_per_s']:8.1f} texts/s  peak RSS {r['peak_rss_mb']:7.1f} MB "
                f"(after imports {r['rss_after_imports_mb']:.1f} MB){extra}",
                flush=True,
            )

    a = results.get("pipeline_bs1", {}).get("texts_per_s")
    b = results.get("bare", {}).get("texts_per_s")
    summary: dict[str, Any] = {}
    for name in ("service_torch", "service_onnx"):
        c = results.get(name, {}).get("texts_per_s")
        if c and a and b:
            summary[name] = {"c_over_a": c / a, "c_over_b": c / b}
            verdict_a = "ok" if c / a >= 5 else "MISSED"
            verdict_b = "ok" if c / b >= 0.9 else "MISSED"
            print(
                f"{name}: (c)/(a) = {c / a:.2f}x (target >= 5, {verdict_a}); "
                f"(c)/(b) = {100 * c / b:.0f} % (target >= 90 %, {verdict_b})"
            )
    if args.json:
        args.json.write_text(json.dumps({"results": results, "ratios": summary}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
