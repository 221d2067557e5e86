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
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.sentiment.training.project_reviews import SENTIMENTS

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


# --- Review corpora with star / polarity labels (../shared/data/reviews-*, tweets-ru) ---
#
# Stars map to three classes: 1-2 negative, 3 neutral, 4-5 positive (`stars_to_label`).
# Texts are clipped to MAX_CHARS (about the encoder's 256-token window) so that training
# sees what the service sees. Every item has a fixed split by text hash
# (`is_held_out`: 1 in 10), so a held-out slice of each corpus is never trained on.

MAX_CHARS = 1000


@dataclass(frozen=True)
class RatedText:
    """One labelled text from a review corpus: 3-class label, its source and language."""

    text: str
    label: str
    source: str
    language: str
    stars: int | None = None


def stars_to_label(stars: int) -> str:
    """1-2 negative, 3 neutral, 4-5 positive."""
    if not 1 <= stars <= 5:
        raise ValueError(f"stars must be 1..5, got {stars}")
    return "negative" if stars <= 2 else "neutral" if stars == 3 else "positive"


def text_key(text: str) -> int:
    """A stable 64-bit key of a text (split assignment, caches, dedup)."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def is_held_out(text: str) -> bool:
    """The fixed held-out tenth of every review corpus (by text hash, not by position)."""
    return text_key(text) % 10 == 0


def _clip(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+", " ", text.strip())
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text[:MAX_CHARS]


def _drop_first_line(text: str) -> str:
    """livelib / kinopoisk files start with the book's or film's title, not review text."""
    return text.strip().partition("\n")[2].strip()


def _read_csv(path: Path, **kwargs: Any) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 27)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, **kwargs))


def livelib_books(root: Path | None = None) -> list[RatedText]:
    path = (root or data_dir()) / "reviews-ru" / "livelib-books" / "livelib_books.csv"
    out = []
    for row in _read_csv(path):
        text = _clip(_drop_first_line(row.get("text") or ""))
        if text and (row.get("label") or "").strip() in {"1", "2", "3", "4", "5"}:
            stars = int(row["label"])
            out.append(RatedText(text, stars_to_label(stars), "livelib-books", "ru", stars))
    return out


def otzovik_sberbank(root: Path | None = None) -> list[RatedText]:
    path = (root or data_dir()) / "reviews-ru" / "otzovik-sberbank" / "otzovik_sberbank.csv"
    out = []
    for row in _read_csv(path):
        text = _clip((row.get("text") or "").removesuffix("..."))
        if text and (row.get("label") or "").strip() in {"1", "2", "3", "4", "5"}:
            stars = int(row["label"])
            out.append(RatedText(text, stars_to_label(stars), "otzovik-sberbank", "ru", stars))
    return out


_STEAM_META = re.compile(r"^(Опубликовано:.*|Обновлено:.*|Товар получен бесплатно.*)$", re.M)


def steam_games(root: Path | None = None) -> list[RatedText]:
    """Steam (ru): «Рекомендую» -> positive, «Не рекомендую» -> negative; no neutral."""
    base = (root or data_dir()) / "reviews-ru" / "steam-games" / "steam_sentiment_data"
    out = []
    for path in sorted(base.glob("*.csv")):
        for row in _read_csv(path, delimiter=";"):
            verdict = (row.get("label") or "").strip()
            text = _clip(_STEAM_META.sub("", row.get("review") or ""))
            if not text:
                continue
            if verdict.startswith("Не рекомендую"):
                out.append(RatedText(text, "negative", "steam-games", "ru"))
            elif verdict.startswith("Рекомендую"):
                out.append(RatedText(text, "positive", "steam-games", "ru"))
    return out


def kinopoisk_films(root: Path | None = None) -> list[RatedText]:
    """Kinopoisk good/bad film reviews (two student scrapes; duplicates removed)."""
    base = (root or data_dir()) / "reviews-ru" / "kinopoisk-films"
    out, seen = [], set()
    for name in ("kinopoisk_N0tilT.csv", "kinopoisk_moter1026.csv"):
        for row in _read_csv(base / name):
            verdict = (row.get("label") or "").strip()
            text = _clip(_drop_first_line(row.get("text") or ""))
            if text and verdict in {"good", "bad"} and text not in seen:
                seen.add(text)
                label = "positive" if verdict == "good" else "negative"
                out.append(RatedText(text, label, "kinopoisk-films", "ru"))
    return out


def womens_clothing(root: Path | None = None) -> list[RatedText]:
    path = (
        (root or data_dir())
        / "reviews-en"
        / "womens-clothing"
        / "Womens Clothing E-Commerce Reviews.csv"
    )
    out = []
    for row in _read_csv(path):
        title, body = (row.get("Title") or "").strip(), (row.get("Review Text") or "").strip()
        text = _clip(f"{title}. {body}" if title and body else body)
        if text and (row.get("Rating") or "").strip() in {"1", "2", "3", "4", "5"}:
            stars = int(row["Rating"])
            out.append(RatedText(text, stars_to_label(stars), "womens-clothing", "en", stars))
    return out


_BLITZER_REVIEW = re.compile(r"<review>(.*?)</review>", re.S)


def _blitzer_field(block: str, name: str) -> str:
    import html

    found = re.search(rf"<{name}>(.*?)</{name}>", block, re.S)
    return html.unescape(found.group(1).strip()) if found else ""


def blitzer_amazon(root: Path | None = None) -> list[RatedText]:
    """Blitzer et al. 2007 Amazon reviews; the stars inside each review give the label."""
    base = (root or data_dir()) / "reviews-en" / "blitzer-amazon" / "data" / "xml"
    out = []
    for path in sorted(base.glob("*/*.review")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        for block in _BLITZER_REVIEW.findall(raw):
            title, body = _blitzer_field(block, "title"), _blitzer_field(block, "review_text")
            rating = _blitzer_field(block, "rating")
            try:
                stars = round(float(rating))
            except ValueError:
                continue
            text = _clip(f"{title}. {body}" if title else body)
            if text and 1 <= stars <= 5:
                out.append(
                    RatedText(text, stars_to_label(stars), "blitzer-amazon", "en", int(stars))
                )
    return out


def amazon_alexa(root: Path | None = None) -> list[RatedText]:
    """Amazon Echo reviews (rating 1-5); exact duplicate texts kept once."""
    path = (root or data_dir()) / "reviews-en" / "amazon-alexa" / "amazon_alexa.tsv"
    out, seen = [], set()
    for row in _read_csv(path, delimiter="\t", quoting=csv.QUOTE_NONE):
        text = _clip((row.get("verified_reviews") or "").strip().strip('"'))
        rating = (row.get("rating") or "").strip()
        if len(text) > 2 and rating in {"1", "2", "3", "4", "5"} and text not in seen:
            seen.add(text)
            stars = int(rating)
            out.append(RatedText(text, stars_to_label(stars), "amazon-alexa", "en", stars))
    return out


def rusentitweet(split: str = "train", root: Path | None = None) -> Labelled:
    """RuSentiTweet (Smetanin 2022): RuSentiment's five classes on tweets."""
    path = (root or data_dir()) / "tweets-ru" / "rusentitweet" / f"rusentitweet_{split}.csv"
    out = Labelled()
    for row in _read_csv(path):
        label, text = (row.get("label") or "").strip(), (row.get("text") or "").strip()
        if label in RU5 and text:
            out.add(text, label)
    return out


#: Every review corpus, by name (what `review_corpus` and the model card list).
REVIEW_SOURCES: dict[str, Callable[[Path | None], list[RatedText]]] = {
    "livelib-books": livelib_books,
    "otzovik-sberbank": otzovik_sberbank,
    "steam-games": steam_games,
    "kinopoisk-films": kinopoisk_films,
    "womens-clothing": womens_clothing,
    "blitzer-amazon": blitzer_amazon,
    "amazon-alexa": amazon_alexa,
}


#: Per source: (class -> cap) for the training sample. Bounded so that embedding the whole
#: training set stays inside `make train`'s budget on 2 cores; classes balanced within a
#: source as far as the source has them (marketplace priors are restored at prediction
#: time by the head's prior correction, not by the sample).
DEFAULT_CAPS: dict[str, dict[str, int]] = {
    "livelib-books": {"positive": 900, "neutral": 900, "negative": 900},
    "otzovik-sberbank": {"positive": 500, "neutral": 400, "negative": 500},
    "steam-games": {"positive": 1000, "negative": 1000},
    "kinopoisk-films": {"positive": 300, "negative": 300},
    "womens-clothing": {"positive": 1000, "neutral": 1000, "negative": 1000},
    "blitzer-amazon": {"positive": 500, "negative": 500},
    "amazon-alexa": {"positive": 500, "neutral": 150, "negative": 300},
}
#: Training texts are clipped shorter than held-out ones: the opening of a review carries
#: its verdict often enough, and a 500-character text costs half the encoder time.
TRAIN_CHARS = 500


def review_corpus(
    caps: dict[str, dict[str, int]] | None = None,
    *,
    held_out: bool = False,
    seed: int = 13,
    short_first: int = 700,
    max_chars: int = MAX_CHARS,
    root: Path | None = None,
) -> list[RatedText]:
    """A bounded, class-balanced sample of every review corpus.

    `held_out=False` takes only training items, `True` only the fixed held-out tenth
    (`is_held_out`). Within a (source, class) texts up to `short_first` characters come
    first (marketplace reviews are short, and short texts are cheap to embed), in a seeded
    random order; longer ones fill what is left of the cap. Texts are clipped to
    `max_chars`.
    """
    import random

    caps = caps or DEFAULT_CAPS
    rng = random.Random(seed)
    out: list[RatedText] = []
    for name, per_class in caps.items():
        items = [i for i in REVIEW_SOURCES[name](root) if is_held_out(i.text) == held_out]
        for label, cap in per_class.items():
            pool = [i for i in items if i.label == label]
            rng.shuffle(pool)
            pool.sort(key=lambda i: len(i.text) > short_first)
            out += [
                RatedText(i.text[:max_chars], i.label, i.source, i.language, i.stars)
                for i in pool[:cap]
            ]
    return out


def natural_held_out(
    sources: Sequence[str] = ("womens-clothing", "livelib-books", "amazon-alexa"),
    per_source: int = 600,
    root: Path | None = None,
) -> list[RatedText]:
    """Held-out reviews at their natural class balance (mostly positive, like a
    marketplace): an evenly spaced slice of each source's held-out tenth."""
    out: list[RatedText] = []
    for name in sources:
        items = [i for i in REVIEW_SOURCES[name](root) if is_held_out(i.text)]
        step = max(1, len(items) // per_source)
        out += items[::step][:per_source]
    return out


def balanced_held_out(per_class: int = 150, root: Path | None = None) -> list[RatedText]:
    """Held-out reviews, class-balanced per source (every source's held-out tenth)."""
    caps = {name: dict.fromkeys(c, per_class) for name, c in DEFAULT_CAPS.items()}
    return review_corpus(caps, held_out=True, root=root)


# --- The project's own marketplace review corpus (training/marketplace_reviews.jsonl) ---
#
# Product reviews written for the project in the way buyers write them on Wildberries,
# Ozon, Yandex Market and Amazon (ru + en; see docs/sentiment.md, "Model card"). Unlike
# the corpora above it ships with the project (same licence). Each line: {"id",
# "language", "platform", "category", "stars", "text", "pros", "cons", "label",
# "rating_slip"}; `label` is the star class (1-2 / 3 / 4-5) except on a marked rating
# slip, where the text clearly says the opposite of the stars and the label follows the
# text. A fixed fifth (by text hash) is validation; it must stay disjoint from the
# project's evaluation set (`evaluation/reviews.jsonl`, enforced by a test).

MARKETPLACE_REVIEWS = Path(__file__).with_name("marketplace_reviews.jsonl")
MARKETPLACE_SOURCE = "marketplace-reviews"
#: Class shares of the natural validation view: marketplace reviews are mostly 4-5 stars
#: (an assumption from typical WB / Ozon rating histograms, not a measurement).
MARKETPLACE_BALANCE = {"positive": 0.78, "neutral": 0.08, "negative": 0.14}


@dataclass(frozen=True)
class MarketplaceReview:
    """One review of the project's marketplace corpus."""

    id: str
    language: str
    platform: str
    category: str
    stars: int
    text: str
    label: str
    pros: str | None = None
    cons: str | None = None
    rating_slip: bool = False

    @property
    def full_text(self) -> str:
        """Text, pros and cons joined as `shared.events.Mention.full_text` joins them."""
        return "\n".join(p for p in (self.text, self.pros, self.cons) if p)


class MarketplaceCorpusError(ValueError):
    """A line of the marketplace corpus that does not follow the schema (names it)."""


def marketplace_reviews(path: Path | None = None) -> list[MarketplaceReview]:
    """Every review of the corpus, checked: stars 1-5, a 3-class label that is the star
    class unless the row is a marked rating slip (then it must differ from it)."""
    import json

    path = path or MARKETPLACE_REVIEWS
    out: list[MarketplaceReview] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            stars, label, slip = row["stars"], row["label"], bool(row.get("rating_slip"))
            if not isinstance(stars, int) or not 1 <= stars <= 5:
                raise ValueError(f"stars {stars!r} is not 1..5")
            if label not in SENTIMENTS:
                raise ValueError(f"label {label!r} not in {SENTIMENTS}")
            if (label == stars_to_label(stars)) == slip:
                raise ValueError(
                    f"label {label!r} under {stars} stars: a differing label must be a "
                    "marked rating_slip, and a rating_slip must differ"
                )
            review = MarketplaceReview(
                id=str(row["id"]),
                language=str(row["language"]),
                platform=str(row.get("platform") or ""),
                category=str(row.get("category") or ""),
                stars=stars,
                text=str(row.get("text") or ""),
                label=label,
                pros=row.get("pros") or None,
                cons=row.get("cons") or None,
                rating_slip=slip,
            )
            if not review.full_text.strip():
                raise ValueError("no text, pros or cons")
            out.append(review)
        except (ValueError, KeyError, TypeError) as exc:
            raise MarketplaceCorpusError(f"{path.name}:{number}: {exc}") from exc
    return out


def is_marketplace_validation(text: str) -> bool:
    """The corpus's fixed validation fifth (by hash of the text the service sees)."""
    return text_key(text) % 5 == 0


def marketplace_corpus(*, validation: bool, path: Path | None = None) -> list[RatedText]:
    """The training (`validation=False`) or validation split as labelled texts."""
    return [
        RatedText(r.full_text, r.label, MARKETPLACE_SOURCE, r.language, r.stars)
        for r in marketplace_reviews(path)
        if is_marketplace_validation(r.full_text) == validation
    ]


def marketplace_natural_validation(
    path: Path | None = None, balance: dict[str, float] | None = None
) -> list[RatedText]:
    """The validation split at a marketplace's natural class balance (`balance`): the
    corpus over-represents complaints and 3-star reviews on purpose, so the largest
    subset with those shares is taken, each class in text-hash order (deterministic)."""
    balance = balance or MARKETPLACE_BALANCE
    items = marketplace_corpus(validation=True, path=path)
    by_class = {
        k: sorted((i for i in items if i.label == k), key=lambda i: text_key(i.text))
        for k in balance
    }
    total = min(len(by_class[k]) / share for k, share in balance.items() if share > 0)
    picked = {k: by_class[k][: round(total * share)] for k, share in balance.items()}
    keep = {id(i) for part in picked.values() for i in part}
    return [i for i in items if id(i) in keep]
