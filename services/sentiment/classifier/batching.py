"""Length bucketing: batch texts of similar length so padding wastes little compute."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar, cast

T = TypeVar("T")


def length_buckets(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices sorted by length (longest first, stable) and cut into batches."""
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def run_bucketed(
    items: Sequence[str],
    batch_size: int,
    run_batch: Callable[[list[str]], list[T]],
    length: Callable[[str], int] = len,
) -> list[T]:
    """Apply `run_batch` to length-sorted batches and return results in the input order."""
    results: list[T | None] = [None] * len(items)
    for batch in length_buckets([length(t) for t in items], batch_size):
        outputs = run_batch([items[i] for i in batch])
        if len(outputs) != len(batch):
            raise RuntimeError("batch runner returned a different number of results")
        for i, out in zip(batch, outputs, strict=True):
            results[i] = out
    if any(r is None for r in results):
        raise RuntimeError("bucketing lost an item")
    return cast(list[T], results)
