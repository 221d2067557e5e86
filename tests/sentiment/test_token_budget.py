"""Token-budget batching of the transformers/ONNX backends (transformers_backend.py)."""

from __future__ import annotations

import random

import pytest

from services.sentiment.classifier.transformers_backend import token_budget_batches


def _padded(batches: list[list[int]], lengths: list[int]) -> int:
    return sum(len(b) * max(lengths[i] for i in b) for b in batches)


@pytest.mark.parametrize("batch_size", [1, 3, 32])
def test_every_index_once_and_batch_size_respected(batch_size: int) -> None:
    rng = random.Random(batch_size)
    lengths = [rng.choice([3, 5, 8, 17, 40, 200]) for _ in range(101)]
    batches = token_budget_batches(lengths, batch_size)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(1 <= len(b) <= batch_size for b in batches)


def test_long_outliers_do_not_pad_the_short_texts() -> None:
    lengths = [240, 230] + [12] * 62
    fixed = [sorted(range(64), key=lambda i: -lengths[i])[i : i + 32] for i in (0, 32)]
    smart = token_budget_batches(lengths, 32)
    assert _padded(smart, lengths) < _padded(fixed, lengths) / 3
    assert {0, 1} in [set(b) for b in smart]


def test_uniform_lengths_fill_batches() -> None:
    assert [len(b) for b in token_budget_batches([10] * 64, 32)] == [32, 32]
    assert token_budget_batches([], 8) == []
    with pytest.raises(ValueError):
        token_budget_batches([1], 0)


def test_max_tokens_bounds_padded_tokens_per_batch() -> None:
    rng = random.Random(5)
    lengths = [rng.choice([4, 9, 17, 33, 120, 250]) for _ in range(300)]
    batches = token_budget_batches(lengths, 128, max_tokens=1024)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 1024
    # a text longer than the budget runs alone rather than being dropped
    assert token_budget_batches([2000, 5, 5], 8, max_tokens=100) == [[0], [1, 2]]
    # without a budget the same lengths make larger batches
    assert len(token_budget_batches(lengths, 128)) < len(batches)
