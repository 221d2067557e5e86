"""`python -m services.sentiment.training` (= `make train`): the review head (default) and
the RuSentiment 5-class comparison head on the sentence encoder.

`python -m services.sentiment.training linear [--candidates linear,linear-char,fasttext]`
retrains the built-in n-gram model (the fallback and baseline), as before.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["linear"]:
        from services.sentiment.training.train import run

        parser = argparse.ArgumentParser(prog="python -m services.sentiment.training linear")
        parser.add_argument("--candidates", default="linear,linear-char,fasttext")
        parser.add_argument("--out", default=None, help="artefact dir (default: the shipped one)")
        parser.add_argument("--threads", type=int, default=2)
        args = parser.parse_args(argv[1:])
        run([c for c in args.candidates.split(",") if c], args.out, args.threads)
        return 0
    from services.sentiment.training.head import CANDIDATES
    from services.sentiment.training.train_head import run as run_head

    parser = argparse.ArgumentParser(prog="python -m services.sentiment.training")
    parser.add_argument("--candidates", default=",".join(CANDIDATES))
    parser.add_argument("--encoder-dir", default=None, help="default var/models/e5-small")
    parser.add_argument("--out", default=None, help="artefact root (default: the shipped one)")
    parser.add_argument("--no-rusentiment5", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    unknown = set(args.candidates.split(",")) - set(CANDIDATES)
    if unknown:
        parser.error(f"unknown candidates {sorted(unknown)}; choose from {sorted(CANDIDATES)}")
    run_head(
        encoder_dir=args.encoder_dir,
        candidates=[c for c in args.candidates.split(",") if c],
        out_dir=args.out,
        rusentiment5=not args.no_rusentiment5,
        threads=args.threads,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
