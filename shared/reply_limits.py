"""How long a reply may be on each platform, defined once.

The responder's lint checks a draft against these before it can be approved (its
per-platform policies start from them), and ingest's connectors check again before
posting, so both sides refuse the same texts. Figures: [C] confirmed in the platform's
documentation, [?] assumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: Used when a platform does not document a cap (Ozon reviews): Ozon documents 2..3000 for
#: question answers, so 3000 is the conservative guess for review comments too.
DEFAULT_MAX_LENGTH = 3000


@dataclass(frozen=True)
class ReplyLimit:
    min_length: int = 1
    #: None: no known cap.
    max_length: int | None = DEFAULT_MAX_LENGTH
    #: Question answers may have their own bounds (Yandex Market 5000).
    question_min_length: int | None = None
    question_max_length: int | None = None
    #: Google Business counts UTF-8 bytes (≈2048 Cyrillic characters in 4096 bytes).
    length_unit: Literal["chars", "bytes"] = "chars"

    def bounds_for(self, kind: str) -> tuple[int, int | None]:
        """(at least, at most) for a review reply or a question answer."""
        if kind == "question":
            low = self.min_length if self.question_min_length is None else self.question_min_length
            high = self.max_length if self.question_max_length is None else self.question_max_length
            return low, high
        return self.min_length, self.max_length

    def measure(self, text: str) -> int:
        return len(text.encode()) if self.length_unit == "bytes" else len(text)


REPLY_LIMITS: dict[str, ReplyLimit] = {
    # 2..5000 [C]; questions: no limit stated, the review cap used [?].
    "wildberries": ReplyLimit(min_length=2, max_length=5000, question_min_length=1),
    # Review comments: cap not documented, 3000 assumed [?]; questions 2..3000 [C].
    "ozon": ReplyLimit(min_length=2, max_length=DEFAULT_MAX_LENGTH, question_max_length=3000),
    # 1..4096 [C]; questions 1..5000 [C].
    "yandex_market": ReplyLimit(min_length=1, max_length=4096, question_max_length=5000),
    "google_business": ReplyLimit(max_length=4096, length_unit="bytes"),  # [C]
    "google_play": ReplyLimit(max_length=350),  # ~350 characters [C]
    "app_store": ReplyLimit(max_length=5970),  # cap undocumented [?]
    "trustpilot": ReplyLimit(max_length=None),  # cap not found [?]
}


def reply_limit(platform: str) -> ReplyLimit:
    """The platform's limits; a platform not listed gets the defaults (1..3000)."""
    return REPLY_LIMITS.get(platform, ReplyLimit())
