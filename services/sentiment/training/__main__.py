"""`python -m services.sentiment.training [--candidates linear,fasttext] [--out DIR]`."""

from __future__ import annotations

import argparse

from services.sentiment.training.train import run


def main() -> None:
    parser = argparse.ArgumentParser(description="Train and compare the built-in model")
    parser.add_argument("--candidates", default="linear,linear-char,fasttext")
    parser.add_argument("--out", default=None, help="artefact dir (default: the shipped one)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    run([c for c in args.candidates.split(",") if c], args.out, args.threads)


if __name__ == "__main__":
    main()
