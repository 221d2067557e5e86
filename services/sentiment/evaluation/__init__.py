"""Held-out evaluation of every sentiment backend, and aspect P/R on a hand-labelled sample.

`python -m services.sentiment.evaluation [--backend builtin|torch|onnx] [--model PATH]`
(see docs/sentiment.md). Metric code lives in `metrics.py`, aspect scoring in `aspects.py`.
"""
