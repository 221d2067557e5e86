"""Training and evaluation of the project's own sentiment model (see docs/sentiment.md)."""
