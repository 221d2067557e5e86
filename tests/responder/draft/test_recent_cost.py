"""What one draft costs does not grow with the shop's reply history (counted, not timed).

Each attempt of a draft is compared with the shop's recent replies. Two bounds keep that
cost flat as the history grows: the queue hands the engine at most `RECENT_LIMIT` of the
product's texts and `SHOP_RECENT_LIMIT` of the shop's replies, however many there are; and
a new attempt's n-grams are built from its sentences, which are the scripts' phrasings met
before, so only the few n-grams across the sentence joins are hashed again.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.responder.draft import similarity
from services.responder.draft.engine import DraftSettings, default_library, draft_reply
from services.responder.draft.recent import RecentWindow
from services.responder.queue_item.drafting import draft_out
from services.responder.queue_item.service import (
    RECENT_LIMIT,
    SHOP_RECENT_LIMIT,
    BatchContext,
    DraftOut,
    open_item,
)
from shared.events import Classification, Mention

PINNED = Path(__file__).with_name("data") / "pinned_drafts.json"


def _pinned() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(PINNED.read_text(encoding="utf-8"))
    return rows


class _CountingZlib:
    """`zlib` with its crc32 calls counted: one per n-gram hashed into a fingerprint."""

    def __init__(self) -> None:
        self.calls = 0

    def crc32(self, data: bytes, value: int = 0) -> int:
        self.calls += 1
        return zlib.crc32(data, value)


@pytest.fixture
def crc_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[_CountingZlib]:
    counter = _CountingZlib()
    monkeypatch.setattr(similarity, "zlib", counter)
    yield counter


def _fresh_caches() -> None:
    for cached in (similarity.shingles, similarity.fingerprint_bytes):
        cached.cache_clear()  # type: ignore[attr-defined]


def test_a_new_text_of_known_sentences_hashes_only_its_joins(crc_calls: _CountingZlib) -> None:
    texts = [row["expected"]["text"] for row in _pinned()]
    _fresh_caches()
    for text in texts:  # the phrasings' sentences, met once
        similarity.fingerprint_bytes(text)
    # A new attempt: the same sentences in a new order and combination.
    first, second = texts[0].splitlines(), texts[1].splitlines()
    new = "\n".join([second[0], first[1], second[-1]])
    assert new not in texts
    crc_calls.calls = 0
    bits, count = similarity.fingerprint_bytes(new)
    joins = len(re.split(r"(?<=[.!?…])\s+|\n+", new)) - 1
    n_grams = len(similarity.shingles(new))
    # At most one n-gram per starting position that spans a join's space.
    assert 0 < crc_calls.calls <= similarity.DEFAULT_SHINGLE * joins
    assert n_grams > 10 * crc_calls.calls  # the whole text would hash every n-gram
    # ...and the bits are those of hashing every n-gram of the text.
    expected = 0
    for gram in similarity.shingles(new):
        expected |= 1 << (zlib.crc32(gram.encode()) % similarity.FINGERPRINT_BITS)
    assert bits == expected.to_bytes(similarity.FINGERPRINT_BITS // 8, "little")
    assert count == expected.bit_count()


def test_shingles_from_sentences_equal_the_whole_texts() -> None:
    """The sentence-wise build is exact: the n-grams of `normalise(text)`, for replies,
    reviews and awkward spacing and punctuation alike."""
    rows = _pinned()
    texts = [r["expected"]["text"] for r in rows] + [r["mention"]["text"] for r in rows]
    texts += ["", "Ок.", "Да! Нет?", "A.\n\nB", "Спасибо!!!   \n  Всё ёлки.", "x. y. z", "…  —"]
    for text in texts:
        norm = similarity.normalise(text)
        for size in (3, 5):
            expected = (
                frozenset()
                if not norm
                else frozenset({norm})
                if len(norm) <= size
                else frozenset(norm[i : i + size] for i in range(len(norm) - size + 1))
            )
            assert similarity.shingles.__wrapped__(text, size) == expected, text  # type: ignore[attr-defined]


def _history(n: int, platform: str, sku: str) -> list[str]:
    texts = [row["expected"]["text"] for row in _pinned()]
    return [f"{texts[i % len(texts)]} #{platform}-{sku}-{i}" for i in range(n)]


class _Session:
    """What `open_item` needs of a session with a batch in hand: somewhere to add."""

    def __init__(self) -> None:
        self.added: list[Any] = []

    def add(self, item: Any) -> None:
        self.added.append(item)


@pytest.mark.parametrize("history", [RECENT_LIMIT // 2, 400, 4000])
async def test_replies_compared_per_attempt_stay_bounded_as_the_history_grows(
    history: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = _pinned()[0]
    mention = Mention.model_validate(row["mention"])
    classification = Classification.model_validate(row["classification"])
    platform, sku = mention.platform, mention.product.sku
    compared: list[int] = []
    real = RecentWindow.most_similar

    def counted(self: RecentWindow, text: str) -> tuple[float, int | None]:
        compared.append(len(self))
        return real(self, text)

    monkeypatch.setattr(RecentWindow, "most_similar", counted)
    given: list[int] = []

    def drafter(
        m: Mention, c: Classification, recent: Sequence[str], seed: int, /, **_: Any
    ) -> DraftOut:
        given.append(len(recent))
        result = draft_reply(
            mention=m,
            classification=c,
            recent_replies=recent,
            seed=seed,
            settings=DraftSettings(brand="Тёплый дом"),
        )
        return draft_out(result, default_library())

    batch = BatchContext(
        items={},
        assignments={},
        recent={(platform, sku): _history(history, platform, str(sku))},
        shop={platform: _history(history, platform, "shop")},
    )
    await open_item(
        _Session(),  # type: ignore[arg-type]
        mention=mention,
        classification=classification,
        due_at=datetime.now(UTC) + timedelta(hours=24),
        drafter=drafter,
        batch=batch,
    )
    bound = RECENT_LIMIT + SHOP_RECENT_LIMIT
    assert given == [min(history, RECENT_LIMIT) + min(history, SHOP_RECENT_LIMIT)]
    assert compared and max(compared) <= bound
    assert len(compared) <= DraftSettings().max_attempts


def test_the_queue_keeps_what_each_move_wrote() -> None:
    """The parts the queue stores are the engine's own: each move's text, whole (a next
    step of two sentences is not cut in two), and together they are the draft."""
    library = default_library()
    shop: list[str] = []
    for row in _pinned():
        result = draft_reply(
            mention=Mention.model_validate(row["mention"]),
            classification=Classification.model_validate(row["classification"]),
            recent_replies=shop[-100:],
            settings=DraftSettings(brand="Тёплый дом", english_brand="Warm Home"),
        )
        shop.append(result.text)
        parts = draft_out(result, library).parts
        assert parts is not None
        assert tuple(move for move, _ in parts) == result.moves
        texts = [text for _, text in parts]
        head = [texts.pop(0)] if result.moves[0] == "greeting" else []
        tail = [texts.pop()] if len(result.moves) > 1 and result.moves[-1] == "sign_off" else []
        body = " ".join(t for t in texts if t)
        assert "\n".join(c for c in [*head, body, *tail] if c) == result.text
