"""The project's own labelled product reviews (`services/sentiment/evaluation/reviews.jsonl`).

Each line: {"id", "language", "platform", "rating" (1-5 or null), "text", "pros", "cons",
"sentiment" (what the customer means), "aspects", "questions", "sarcasm", "rating_slip",
"remark"}. The text the service sees is `full_text`: text, pros and cons joined as a mention's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_REVIEWS = Path(__file__).resolve().parent.parent / "evaluation" / "reviews.jsonl"
SENTIMENTS = ("positive", "neutral", "negative")


@dataclass(frozen=True)
class ProjectReview:
    id: str
    language: str
    text: str
    sentiment: str
    rating: int | None = None
    pros: str | None = None
    cons: str | None = None
    flags: dict[str, Any] = field(default_factory=dict)

    @property
    def full_text(self) -> str:
        """What the service classifies: `shared.events.Mention.full_text`'s joining."""
        return "\n".join(p for p in (self.text, self.pros, self.cons) if p)


class ProjectReviewError(ValueError):
    """A line of reviews.jsonl that does not follow the schema (names the line)."""


def load_project_reviews(path: Path | None = None) -> list[ProjectReview]:
    """All reviews, or [] when the file is absent."""
    path = path or PROJECT_REVIEWS
    if not path.is_file():
        return []
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rating = row.get("rating")
            if rating is not None and (not isinstance(rating, int) or not 1 <= rating <= 5):
                raise ValueError(f"rating {rating!r} is not 1..5 or null")
            if row["sentiment"] not in SENTIMENTS:
                raise ValueError(f"sentiment {row['sentiment']!r} not in {SENTIMENTS}")
            out.append(
                ProjectReview(
                    id=str(row["id"]),
                    language=str(row.get("language") or ""),
                    text=str(row.get("text") or ""),
                    sentiment=row["sentiment"],
                    rating=rating,
                    pros=row.get("pros") or None,
                    cons=row.get("cons") or None,
                    flags={k: row.get(k) for k in ("sarcasm", "rating_slip", "remark")},
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ProjectReviewError(f"{path}:{number}: {exc}") from exc
    return out
