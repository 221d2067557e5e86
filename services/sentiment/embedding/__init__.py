"""Sentence embeddings served to other services (the responder matches seller facts)."""
