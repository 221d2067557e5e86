"""Readers for the labelled data in ../shared/data (never copied into the project).

Label conventions (documented in docs/sentiment.md):
- RuSentiment keeps its five classes for training; for 3-class scoring speech -> positive
  (greetings, thanks, congratulations) and skip -> neutral.
- SentiRuEval tweets: the tweet's label is the sign shared by all brands it mentions;
  tweets with conflicting brand labels are dropped.
- SentiRuEval reviews: the "Whole" category sentiment; "both" and "absence" are dropped.
- English sentences: lines whose 0-based index i in each file has i % 10 < 3 are the fixed
  held-out split (30 %), the rest may be trained on.
"""

from __future__ import annotations

import csv
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]

RU5 = ("positive", "neutral", "negative", "speech", "skip")
COLLAPSE = {"speech": "positive", "skip": "neutral"}


def data_dir() -> Path:
    """../shared/data next to the project root (OTKLIK_DATA_DIR overrides)."""
    override = os.environ.get("OTKLIK_DATA_DIR")
    return Path(override) if override else PROJECT_ROOT.parent / "shared" / "data"


@dataclass
class Labelled:
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def add(self, text: str, label: str) -> None:
        self.texts.append(text)
        self.labels.append(label)

    def extend(self, other: Labelled) -> None:
        self.texts += other.texts
        self.labels += other.labels

    def __len__(self) -> int:
        return len(self.texts)


def rusentiment(*names: str, root: Path | None = None) -> Labelled:
    out = Labelled()
    for name in names:
        path = (root or data_dir()) / "rusentiment" / f"rusentiment_{name}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                label, text = (row.get("label") or "").strip(), (row.get("text") or "").strip()
                if label in RU5 and text:
                    out.add(text, label)
    return out


def rusentiment_train(root: Path | None = None) -> Labelled:
    return rusentiment("random_posts", "preselected_posts", root=root)


def rusentiment_test(root: Path | None = None) -> Labelled:
    return rusentiment("test", root=root)


_TWEET_VALUES = {"1": "positive", "0": "neutral", "-1": "negative"}


def tweets(split: str = "train", root: Path | None = None) -> Labelled:
    """SentiRuEval-2015 tweets (banks + telecoms); split is "train" or "test_etalon"."""
    out = Labelled()
    base = (root or data_dir()) / "sentirueval2015-tweets"
    for domain in ("banks", "telecoms"):
        tree = ET.parse(base / f"{domain}-{split}.xml")
        for table in tree.iter():
            if not table.tag.endswith("table") or table.find("column") is None:
                continue
            columns = {c.get("name"): (c.text or "").strip() for c in table.findall("column")}
            text = columns.pop("text", "")
            for key in ("id", "twitid", "date"):
                columns.pop(key, None)
            found = {_TWEET_VALUES[v] for v in columns.values() if v in _TWEET_VALUES}
            if text and len(found) == 1:
                out.add(text, found.pop())
    return out


@dataclass
class ReviewAspect:
    category: str
    start: int
    end: int
    sentiment: str
    term: str
    kind: str


@dataclass
class Review:
    domain: str
    text: str
    whole: str | None
    aspects: list[ReviewAspect]


def reviews(split: str = "train", root: Path | None = None) -> list[Review]:
    """SentiRuEval-2015 restaurant and car reviews with aspect annotations."""
    out: list[Review] = []
    base = (root or data_dir()) / "sentirueval2015-reviews"
    for domain in ("rest", "car"):
        tree = ET.parse(base / f"SentiRuEval_{domain}_markup_{split}.xml")
        for review in tree.iter("review"):
            text = review.findtext("text") or ""
            whole = None
            for category in review.iter("category"):
                if category.get("name") == "Whole":
                    whole = category.get("sentiment")
            aspects = [
                ReviewAspect(
                    category=a.get("category", ""),
                    start=int(a.get("from", "0")),
                    end=int(a.get("to", "0")),
                    sentiment=a.get("sentiment", ""),
                    term=a.get("term", ""),
                    kind=a.get("type", ""),
                )
                for a in review.iter("aspect")
            ]
            out.append(Review(domain, text, whole, aspects))
    return out


def review_sentiment(split: str = "train", root: Path | None = None) -> Labelled:
    out = Labelled()
    for review in reviews(split, root):
        if review.whole in {"positive", "negative", "neutral"} and review.text.strip():
            out.add(review.text, review.whole)
    return out


def english(held_out: bool, root: Path | None = None) -> Labelled:
    """Kotzias et al. sentences; the fixed split is by line index (i % 10 < 3 held out)."""
    out = Labelled()
    base = (root or data_dir()) / "english-labelled-sentences"
    for name in ("amazon_cells_labelled.txt", "yelp_labelled.txt"):
        lines = (base / name).read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            sentence, _, label = line.rpartition("\t")
            if label.strip() not in {"0", "1"} or not sentence.strip():
                continue
            if (i % 10 < 3) == held_out:
                out.add(sentence.strip(), "positive" if label.strip() == "1" else "negative")
    return out
