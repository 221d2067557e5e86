"""The `demo` source: replays a bundled sample of marketplace reviews as if they were live.

It lets the whole pipeline (classification, drafts, SLA clock, alerts) run without any
marketplace account. Items are released at `rate_per_minute` so the dashboard fills up
gradually; the cursor is a replay position, so a restarted ingest neither loses nor
repeats a review; replies are "published" into memory so the reply flow completes.

Options (all optional):

* `rate_per_minute` (float > 0, default 30): how many sample items are released per minute.
* `burst` (int >= 0, default 10): items available at once at start, so the demo is not empty.
* `loop` (bool, default false): after the last item start again, with external ids
  suffixed `-r<round>` so every round brings new mentions.
* `path` (str): another JSON file in the same format as `reviews.json`.
* `page_size` (int, default 50): most mentions returned by one `fetch`.
* `spread_hours` (float 0..23, default 8): `published_at` is "now" minus up to this much,
  chosen deterministically from the item position, so the 24 h SLA clock shows variety.
* `mention_platform` (str): label every mention with this platform instead of the
  sample's own (wildberries, ozon, ...).
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from shared.connector import (
    Capability,
    ConnectorError,
    FetchResult,
    ReplyRequest,
    ReplyResult,
    SourceConfig,
    register,
)
from shared.events import Mention, MentionKind, Product, mention_id_for, utcnow
from shared.rate import FunctionClock, TokenBucket

if TYPE_CHECKING:
    import httpx

PLATFORM = "demo"
DEFAULT_SAMPLE_PATH = Path(__file__).with_name("reviews.json")

#: Suffix that marks a looped copy of a sample item ("demo-007-r2" is round 2 of "demo-007").
_ROUND_SUFFIX = re.compile(r"^(?P<base>.+)-r(?P<round>[1-9][0-9]*)$")
#: Golden-ratio step: consecutive positions get well spread, repeatable publish offsets.
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


class DemoConfigError(ValueError):
    """The demo source cannot start: bad options or a bad sample file."""


class SampleFileError(DemoConfigError):
    """The sample file is unreadable or invalid; the message names the item and field."""


class SampleItem(BaseModel):
    """One review or question of the sample file, validated so a typo fails at start-up."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    external_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:\-]+$")
    platform: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")
    kind: MentionKind = MentionKind.review
    lang: str | None = Field(default=None, max_length=8)
    rating: int | None = Field(default=None, ge=1, le=5)
    author: str | None = Field(default=None, max_length=200)
    product: Product = Field(default_factory=Product)
    text: str = Field(min_length=1, max_length=20000)
    pros: str | None = Field(default=None, max_length=10000)
    cons: str | None = Field(default=None, max_length=10000)

    @field_validator("external_id")
    @classmethod
    def _no_round_suffix(cls, value: str) -> str:
        # Looped copies use this suffix; a sample id with it could collide with one.
        if _ROUND_SUFFIX.match(value):
            raise ValueError("must not end in '-r<number>' (reserved for looped copies)")
        return value

    @field_validator("rating")
    @classmethod
    def _rating_fits_kind(cls, value: int | None, info: ValidationInfo) -> int | None:
        kind = info.data.get("kind")
        if kind == MentionKind.review and value is None:
            raise ValueError("a review needs a rating 1..5")
        if kind == MentionKind.question and value is not None:
            raise ValueError("a question has no rating")
        return value


class DemoOptions(BaseModel):
    """`SourceConfig.options` of a demo source; unknown keys are refused (typos)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rate_per_minute: float = Field(default=30.0, gt=0, le=60000)
    burst: int = Field(default=10, ge=0, le=10000)
    loop: bool = False
    path: str | None = None
    page_size: int = Field(default=50, ge=1, le=1000)
    spread_hours: float = Field(default=8.0, ge=0, le=23)
    mention_platform: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$"
    )


def load_sample(path: Path) -> tuple[SampleItem, ...]:
    """Read and validate a sample file; any problem raises SampleFileError naming where."""
    where = f"demo sample {path}"
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SampleFileError(f"{where}: cannot read: {exc}") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SampleFileError(
            f"{where}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    if not isinstance(data, list):
        raise SampleFileError(f"{where}: must be a JSON array of items, got {type(data).__name__}")
    if not data:
        raise SampleFileError(f"{where}: contains no items")

    items: list[SampleItem] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(data):
        try:
            item = SampleItem.model_validate(entry)
        except ValidationError as exc:
            raise SampleFileError(f"{where}: {_describe(index, entry, exc)}") from exc
        if item.external_id in seen:
            raise SampleFileError(
                f"{where}: item {index}: field 'external_id': {item.external_id!r} "
                f"duplicates item {seen[item.external_id]}"
            )
        seen[item.external_id] = index
        items.append(item)
    return tuple(items)


def _describe(index: int, entry: Any, exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or "(item)"
    ident = entry.get("external_id") if isinstance(entry, dict) else None
    label = f"item {index}" + (f" ({ident!r})" if isinstance(ident, str) else "")
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{label}: field {field!r}: {first.get('msg')}{more}"


@dataclass(frozen=True, order=True)
class Position:
    """Where the replay stands: the next item to release is `sample[index]` of `round`."""

    round: int
    index: int

    def cursor(self) -> str:
        return f"{self.round}:{self.index}"


def parse_cursor(cursor: str | None) -> Position:
    """`None` starts at the beginning; `"<round>:<index>"` (or a bare index) resumes."""
    if cursor is None or cursor == "":
        return Position(0, 0)
    match = re.fullmatch(r"(?:(\d{1,9}):)?(\d{1,9})", cursor.strip())
    if match is None:
        raise ConnectorError(f"demo: cursor {cursor!r} is not '<round>:<index>'", retryable=False)
    return Position(int(match.group(1) or 0), int(match.group(2)))


@dataclass(frozen=True)
class PublishedReply:
    """A reply the demo platform 'published', kept in memory (lost on restart)."""

    reply_id: str
    external_id: str
    kind: MentionKind
    text: str
    result: ReplyResult
    edits: int = 0


class DemoConnector:
    """Connector protocol implementation over the sample file (see module docstring)."""

    platform: str = PLATFORM
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.reply, Capability.edit, Capability.questions}
    )

    def __init__(
        self,
        config: SourceConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utcnow,
        sample: Sequence[SampleItem] | None = None,
    ) -> None:
        self.source_id = config.source_id
        try:
            self.options = DemoOptions.model_validate(dict(config.options))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first.get("loc", ())) or "(options)"
            raise DemoConfigError(
                f"demo source {config.source_id!r}: option {field!r}: {first.get('msg')}"
            ) from exc
        if sample is None:
            path = Path(self.options.path) if self.options.path else DEFAULT_SAMPLE_PATH
            sample = load_sample(path)
        if not sample:
            raise DemoConfigError(f"demo source {config.source_id!r}: the sample is empty")
        self.sample: tuple[SampleItem, ...] = tuple(sample)
        self._base_ids = {item.external_id for item in self.sample}
        self._now = now
        rate_per_s = self.options.rate_per_minute / 60.0
        capacity = max(float(self.options.burst), 2.0 * rate_per_s * config.poll_interval_s, 1.0)
        self._bucket = TokenBucket(
            rate_per_s, capacity, FunctionClock(clock), initial=float(self.options.burst)
        )
        self._replies: dict[str, PublishedReply] = {}

    # --- fetching --------------------------------------------------------------------------

    def _normalise(self, pos: Position) -> Position:
        """An index past the end (end of a round, or a shorter file) moves to the next round."""
        if pos.index >= len(self.sample):
            if self.options.loop:
                return Position(pos.round + 1, 0)
            return Position(pos.round, len(self.sample))
        return pos

    def external_id_at(self, pos: Position) -> str:
        base = self.sample[pos.index].external_id
        return base if pos.round == 0 else f"{base}-r{pos.round}"

    def mention_at(self, pos: Position, now: datetime) -> Mention:
        item = self.sample[pos.index]
        external_id = self.external_id_at(pos)
        platform = self.options.mention_platform or item.platform
        sequence = pos.round * len(self.sample) + pos.index
        offset_s = ((sequence * _GOLDEN) % 1.0) * self.options.spread_hours * 3600.0
        return Mention(
            mention_id=mention_id_for(platform, external_id),
            platform=platform,
            source_id=self.source_id,
            external_id=external_id,
            kind=item.kind,
            text=item.text,
            pros=item.pros,
            cons=item.cons,
            rating=item.rating,
            author=item.author,
            product=item.product,
            published_at=now - timedelta(seconds=round(offset_s)),
            language_hint=item.lang,
        )

    def _remaining(self, pos: Position) -> int | None:
        """Items left to release from `pos`; None when looping (never runs out)."""
        return None if self.options.loop else len(self.sample) - pos.index

    async def fetch(self, cursor: str | None) -> FetchResult:
        """Release as many items as the rate allows, from the position in `cursor`.

        The cursor alone decides what comes next, so fetching an old cursor again yields
        the same mentions (same ids): at-least-once without duplicates downstream.
        """
        pos = self._normalise(parse_cursor(cursor))
        remaining = self._remaining(pos)
        want = (
            self.options.page_size if remaining is None else min(self.options.page_size, remaining)
        )
        granted = self._bucket.take(want) if want > 0 else 0
        now = self._now()
        mentions: list[Mention] = []
        for _ in range(granted):
            mentions.append(self.mention_at(pos, now))
            pos = self._normalise(Position(pos.round, pos.index + 1))
        left = self._remaining(pos)
        has_more = (left is None or left > 0) and self._bucket.available() > 0
        return FetchResult(mentions=mentions, next_cursor=pos.cursor(), has_more=has_more)

    # --- replies ---------------------------------------------------------------------------

    def _is_known(self, external_id: str) -> bool:
        if external_id in self._base_ids:
            return True
        match = _ROUND_SUFFIX.match(external_id)
        return bool(match and self.options.loop and match.group("base") in self._base_ids)

    async def post_reply(self, request: ReplyRequest) -> ReplyResult:
        """'Publish' a reply. Like a real platform: unknown reviews and a second answer
        without `edit` are refused; the same reply posted again is a harmless no-op."""
        if not self._is_known(request.external_id):
            raise ConnectorError(
                f"demo: no mention {request.external_id!r} in the sample", retryable=False
            )
        existing = self._replies.get(request.external_id)
        if existing is not None:
            if existing.reply_id == request.reply_id and existing.text == request.text:
                return existing.result
            if existing.reply_id != request.reply_id and not request.edit:
                raise ConnectorError(
                    f"demo: {request.external_id!r} already has an answer; send it as an edit",
                    retryable=False,
                )
        result = ReplyResult(
            external_reply_id=f"demo-reply-{request.reply_id}", published_at=self._now()
        )
        self._replies[request.external_id] = PublishedReply(
            reply_id=request.reply_id,
            external_id=request.external_id,
            kind=request.kind,
            text=request.text,
            result=result,
            edits=0 if existing is None else existing.edits + 1,
        )
        return result

    async def confirm_reply(self, request: ReplyRequest) -> bool:
        """True once this text is the published answer (memory only: False after restart)."""
        published = self._replies.get(request.external_id)
        return published is not None and published.text == request.text

    @property
    def replies(self) -> Mapping[str, PublishedReply]:
        """Published answers by external id, for tests and the demo UI."""
        return dict(self._replies)

    async def aclose(self) -> None:
        """Nothing to release: no HTTP, no files kept open."""


@register(PLATFORM)
def create_demo_connector(config: SourceConfig, client: httpx.AsyncClient) -> DemoConnector:
    """Registry factory; the demo talks to nobody, so the shared HTTP client is unused."""
    return DemoConnector(config)
