"""A review-head classifier that picks up a new head without a restart.

Why: self-training (`training/self_train.py`) writes a better head into the active head
directory while the service runs. Between batches (`predict` calls) the classifier stats
the directory's manifest; when its (mtime, size) changed it loads the new head (weights
checked against the manifest's sha256), swaps it in, and reports through `on_reload`. A
head that fails to load is logged and the running one is kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from services.sentiment.classifier.base import TextPrediction
from services.sentiment.classifier.review_head import (
    MANIFEST,
    Embedder,
    Head,
    ReviewHeadClassifier,
)
from shared.logging import get_logger

log = get_logger(__name__)

#: on_reload(outcome, head name): outcome is "loaded" or "failed".
ReloadHook = Callable[[str, str], None]


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


class WatchedHeadClassifier:
    """`TextClassifier` over an encoder and the head in `active_dir` (else `fallback_dir`)."""

    def __init__(
        self,
        encoder: Embedder,
        active_dir: Path,
        fallback_dir: Path | None = None,
        *,
        on_reload: ReloadHook | None = None,
        min_interval_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.encoder = encoder
        self.active_dir = active_dir
        self.fallback_dir = fallback_dir
        self.on_reload = on_reload
        self.min_interval_s = min_interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._stamp = _stamp(active_dir / MANIFEST)
        source = active_dir if self._stamp is not None or fallback_dir is None else fallback_dir
        self._current = ReviewHeadClassifier(encoder, Head.load(source))
        self._checked = clock()
        self.head_dir = source
        self.name = self._current.name
        self.backend = self._current.backend

    @property
    def classes(self) -> list[str]:
        return self._current.classes

    @property
    def head(self) -> Head:
        return self._current.head

    def check(self, *, force: bool = False) -> bool:
        """Reload if the active manifest changed; True when a new head was swapped in."""
        now = self._clock()
        if not force and now - self._checked < self.min_interval_s:
            return False
        with self._lock:
            self._checked = now
            stamp = _stamp(self.active_dir / MANIFEST)
            if stamp is None or stamp == self._stamp:
                return False
            self._stamp = stamp
            try:
                fresh = ReviewHeadClassifier(self.encoder, Head.load(self.active_dir))
            except Exception as exc:
                log.error(
                    "new review head rejected; keeping the running one",
                    head_dir=str(self.active_dir),
                    running=self.name,
                    error=str(exc),
                )
                if self.on_reload:
                    self.on_reload("failed", self.name)
                return False
            previous, self._current = self._current.name, fresh
            self.head_dir = self.active_dir
            self.name = fresh.name
        log.info(
            "review head reloaded",
            previous=previous,
            model=fresh.name,
            head_dir=str(self.active_dir),
        )
        if self.on_reload:
            self.on_reload("loaded", fresh.name)
        return True

    def class_probs(self, texts: Sequence[str]) -> np.ndarray:
        self.check()
        return self._current.class_probs(texts)

    def predict(self, texts: Sequence[str]) -> list[TextPrediction]:
        self.check()
        return self._current.predict(texts)
