"""Wildberries feedbacks & questions (feedbacks-api.wildberries.ru).

Polling: unanswered items, `order=dateAsc`, keyset by `dateFrom` (Unix seconds) with an
overlap and dedup by id+revision. Offset paging alone is unsafe on WB because answering
removes items from the unanswered set and shifts every later `skip`; so after each full
page the next request restarts at `skip=0` from the last item's second, and `skip` is
used only when a whole page shares one second.

WB does not validate the id of an answer (a wrong id still gets 204), hence
`confirm_reply` reads the item back. One budget, 3 req/s burst 6, covers every method
of the category per seller account (the token's `sid`); a basic token has reduced
limits, configurable per source (`basic_rate_per_s`, `basic_burst`).

WB moves a review to its archive when it is answered, unanswered for 30 days, or has
neither text nor photo; the archive (`/api/v1/feedbacks/archive`) has no date filter and
pages by offset. History imports walk it too (stream `feedbacks_archive`, oldest first);
live polling does not. A customer's addition to a review is a new review carrying its
original's id (`parentFeedbackId`); its mention says which review it `supplements`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from services.ingest.connectors.base import (
    BadResponse,
    BaseConnector,
    FetchPage,
    SeenMap,
    decode_cursor,
    encode_cursor,
    fetch_page,
    opt_dict,
    opt_str,
    parse_dt,
    rating_or_none,
    req,
    require_list,
)
from services.ingest.connectors.http import PlatformHTTPError
from services.ingest.connectors.jwt_claims import token_claims
from shared.connector import (
    AlreadyAnswered,
    Capability,
    ConnectorError,
    FetchResult,
    HistoryStart,
    ReplyCheck,
    ReplyRequest,
    ReplyResult,
    SourceConfig,
    register,
)
from shared.events import Mention, MentionKind, Product

STREAMS = ("feedbacks", "questions")
#: How WB says "no such review / question" on a read by id: 422 "Невозможно получить
#: отзыв по id" [C otzyvy.yaml]; 400 / 404 kept for a malformed id and older answers.
NOT_FOUND_STATUSES = (400, 404, 422)
#: The `acc` claim of a basic token, whose limits WB reduced in 2025 (personal 3,
#: service 4, test 2). Its reduced figures are not in the references read: one request
#: a second, no burst, is a guess on the safe side until configured.
BASIC_TOKEN = 1
BASIC_RATE = 1.0
BASIC_BURST = 1
#: Suffix of a stream of answered items (`isAnswered=true`), walked by history imports.
ANSWERED = "_answered"
#: Suffix of the review archive's stream, walked by history imports.
ARCHIVE = "_archive"
#: The largest `skip` WB's review lists accept.
MAX_SKIP = 199990


class WildberriesConnector(BaseConnector):
    platform = "wildberries"
    capabilities = BaseConnector.capabilities | {
        Capability.reply,
        Capability.edit,
        Capability.questions,
        Capability.check,
        Capability.history,
        Capability.deletions,
        Capability.credential_expiry,
    }
    default_base_url = "https://feedbacks-api.wildberries.ru"
    default_rate = 3.0
    default_burst = 6

    def auth_headers(self) -> dict[str, str]:
        # Official examples send the raw token (SDKs add "Bearer "; both are accepted).
        return {"Authorization": self.credential("token")}

    def default_limits(self) -> tuple[float, int]:
        """A basic token (`acc` claim 1) has WB's reduced limits: `basic_rate_per_s` and
        `basic_burst` (WB publishes them per method; set them from the portal), unless a
        service secret keeps the full ones (then give `rate_per_s` / `burst`)."""
        if (token_claims(self.credential("token")) or {}).get("acc") == BASIC_TOKEN:
            return (
                float(self.options.get("basic_rate_per_s", BASIC_RATE)),
                int(self.options.get("basic_burst", BASIC_BURST)),
            )
        return self.default_rate, self.default_burst

    def limiter_account(self) -> str:
        """WB limits per seller account: tokens of one seller (the `sid` claim) share
        one budget; a token without claims is its own account."""
        sid = (token_claims(self.credential("token")) or {}).get("sid")
        return f"sid:{sid}" if isinstance(sid, str) and sid else self.credential("token")

    def credential_expires_at(self) -> datetime | None:
        """WB tokens are JWTs with `exp` (they live up to 180 days)."""
        exp = (token_claims(self.credential("token")) or {}).get("exp")
        if isinstance(exp, int | float) and not isinstance(exp, bool):
            return datetime.fromtimestamp(exp, UTC)
        return None

    @property
    def take(self) -> int:
        return max(1, min(5000, int(self.options.get("take", 1000))))

    @property
    def overlap_s(self) -> int:
        return int(self.options.get("overlap_s", 3600))

    @property
    def streams(self) -> tuple[str, ...]:
        wanted = self.options.get("kinds", STREAMS)
        return tuple(s for s in STREAMS if s in wanted)

    def history_streams(self, include_answered: bool) -> tuple[str, ...]:
        """The streams a history import walks: each kind's unanswered items, the review
        archive (reviews unanswered for 30 days live only there; its answered ones are
        kept only with answered history) and, when asked, the answered items
        (`isAnswered=true`, marked `answered`)."""
        out: list[str] = []
        for kind in self.streams:
            out.append(kind)
            if kind == "feedbacks":
                out.append(kind + ARCHIVE)
            if include_answered:
                out.append(kind + ANSWERED)
        return tuple(out)

    def history_start(
        self, start: datetime, end: datetime, *, include_answered: bool
    ) -> HistoryStart:
        """Every stream starts at the range start (`dateFrom`; pages come `dateAsc`)."""
        first = int(start.timestamp())
        streams = self.history_streams(include_answered)
        state: dict[str, Any] = {s: {"from": first, "skip": 0, "wm": first} for s in streams}
        if streams:
            state["stream"] = streams[0]
        state["streams"] = list(streams)  # history walks more than the live streams
        return HistoryStart(encode_cursor(state), by_date=True)

    def history_next(
        self, page: FetchResult, end: datetime, *, include_answered: bool
    ) -> tuple[str | None, bool]:
        """Leaves a stream once its next request would begin past `end`."""
        if not page.has_more:
            return page.next_cursor, False
        state = decode_cursor(self.platform, page.next_cursor)
        streams = self.history_streams(include_answered)
        stream = state.get("stream")
        if stream not in streams:
            return page.next_cursor, page.has_more
        last = int(end.timestamp())
        index = streams.index(stream)
        while int((state.get(stream) or {}).get("from", 0)) >= last:  # past the range
            index += 1
            if index >= len(streams):
                return None, False
            stream = streams[index]
        state["stream"] = stream
        return encode_cursor(state), True

    def _streams_of(self, state: Mapping[str, Any]) -> tuple[str, ...]:
        """A cursor may list its own streams (a history import); polling uses the
        configured unanswered ones."""
        listed = state.get("streams")
        if listed is None:
            return self.streams
        allowed = self.history_streams(True)
        if not isinstance(listed, list) or any(s not in allowed for s in listed):
            raise ConnectorError(
                f"wildberries: cursor lists unknown streams {listed!r}", retryable=False
            )
        return tuple(listed)

    async def fetch(self, cursor: str | None) -> FetchPage:
        """One page of the current stream; `has_more` until every stream is swept."""
        state = decode_cursor(self.platform, cursor)
        streams = self._streams_of(state)
        if not streams:
            raise ConnectorError("wildberries: option 'kinds' selects nothing", retryable=False)
        stream: str = state["stream"] if state.get("stream") in streams else streams[0]
        kind = stream.removesuffix(ANSWERED).removesuffix(ARCHIVE)
        archive = stream.endswith(ARCHIVE)
        sub: dict[str, Any] = dict(state.get(stream) or {})
        date_from = int(sub.get("from", self.options.get("date_from", 0)))
        skip = int(sub.get("skip", 0))
        watermark = int(sub.get("wm", date_from))
        seen = SeenMap(sub.get("seen"))

        take = self.take
        if kind == "questions":
            take = min(take, max(1, 10000 - skip))  # WB: take + skip <= 10000
        params: dict[str, Any] = {"take": take, "skip": skip, "order": "dateAsc"}
        if archive:  # no answered flag, no date filter: offsets from the oldest
            path = "/api/v1/feedbacks/archive"
        else:
            path = f"/api/v1/{kind}"
            params["isAnswered"] = "true" if stream != kind else "false"
            if date_from > 0:
                params["dateFrom"] = date_from
        if self.options.get("nm_id"):
            params["nmId"] = self.options["nm_id"]
        body = await self.http.get_json(path, params=params)
        _check_envelope(body, path)
        items = require_list(self.platform, path, body, "data", kind)
        convert = self._feedback if kind == "feedbacks" else self._question
        mentions, skipped = self.map_items(items, convert)

        stamps = [int(m.published_at.timestamp()) for m in mentions]
        if archive and kind + ANSWERED not in streams:
            # The archive holds answered reviews too: they come in only when the walk
            # asked for answered history.
            mentions = [m for m in mentions if not m.answered]
        fresh = seen.take_new(mentions)
        if stamps:
            watermark = max(watermark, max(stamps))

        if archive:  # offsets only; `from` tells a history walk how far it got
            more_here = len(items) >= take and skip + len(items) <= MAX_SKIP
            skip = skip + len(items) if more_here else 0
            date_from = max(stamps) if stamps else date_from
        elif len(items) >= take:  # full page: more in this sweep
            last = max(stamps) if stamps else date_from
            if last > date_from:
                date_from, skip = last, 0
            else:
                skip += len(items)
            more_here = True
        else:  # sweep done: next sweep re-reads the overlap window
            date_from, skip = max(0, watermark - self.overlap_s), 0
            more_here = False
        seen.prune_before(min(date_from, watermark - self.overlap_s))

        state[stream] = {"from": date_from, "skip": skip, "wm": watermark, "seen": seen.dump()}
        index = streams.index(stream)
        if more_here:
            state["stream"], has_more = stream, True
        elif index + 1 < len(streams):
            state["stream"], has_more = streams[index + 1], True
        else:
            state["stream"], has_more = streams[0], False
        return fetch_page(state, fresh, skipped, has_more=has_more)

    def _product(self, item: Mapping[str, Any]) -> tuple[Product, str | None]:
        details = opt_dict(item, "productDetails")
        nm_id = details.get("nmId")
        product = Product(
            sku=str(nm_id) if nm_id is not None else opt_str(details, "supplierArticle"),
            name=opt_str(details, "productName"),
            brand=opt_str(details, "brandName"),
            category=opt_str(item, "subjectName"),
        )
        url = f"https://www.wildberries.ru/catalog/{nm_id}/detail.aspx" if nm_id else None
        return product, url

    def _feedback(self, item: Mapping[str, Any]) -> Mention:
        product, url = self._product(item)
        return self.mention(
            external_id=req(item, "id", str),
            kind=MentionKind.review,
            text=opt_str(item, "text") or "",
            pros=opt_str(item, "pros"),
            cons=opt_str(item, "cons"),
            rating=rating_or_none(item.get("productValuation")),
            author=opt_str(item, "userName"),
            product=product,
            url=url,
            published_at=parse_dt(item.get("createdDate"), "createdDate"),
            answered=_answer_text(item) is not None,
            # A customer's addition is a new review carrying its original's id [C].
            supplements=opt_str(item, "parentFeedbackId"),
        )

    def _question(self, item: Mapping[str, Any]) -> Mention:
        product, url = self._product(item)
        return self.mention(
            external_id=req(item, "id", str),
            kind=MentionKind.question,
            text=req(item, "text", str),
            product=product,
            url=url,
            published_at=parse_dt(item.get("createdDate"), "createdDate"),
            answered=_answer_text(item) is not None,
        )

    # --- replies -----------------------------------------------------------------------

    async def missing_ids(self, kind: MentionKind, external_ids: list[str]) -> set[str] | None:
        """One read by id each (WB has no batch read): 422 means gone."""
        return {i for i in external_ids if await self._read_item(kind, i) is None}

    async def _read_back(self, request: ReplyRequest) -> Mapping[str, Any] | None:
        return await self._read_item(request.kind, request.external_id)

    async def _read_item(self, kind: MentionKind, external_id: str) -> Mapping[str, Any] | None:
        """The review or question as WB shows it now; None when WB does not know the id."""
        single = "question" if kind == MentionKind.question else "feedback"
        path = f"/api/v1/{single}"
        try:
            body = await self.http.get_json(path, params={"id": external_id})
        except PlatformHTTPError as exc:
            if exc.status in NOT_FOUND_STATUSES:
                return None
            raise
        if not isinstance(body, dict) or body.get("error") is True:
            return None
        if not isinstance(body.get("data"), dict):
            return None
        data: Mapping[str, Any] = body["data"]
        return data

    async def post_reply(self, request: ReplyRequest) -> ReplyResult:
        """Answer (or edit, once within 60 days) a review or a question.

        WB answers 204 even for an unknown id, so the item is read first: a deleted one
        is reported as such, and one already showing this very answer is not posted again.
        """
        text = request.text.strip()
        if request.kind in (MentionKind.question, MentionKind.review):
            self.check_reply_length(text, request.kind)
        else:
            raise ConnectorError(f"wildberries cannot answer a {request.kind}", retryable=False)
        what = str(request.kind.value)
        current = await self._read_back(request)
        if current is None:
            raise ConnectorError(
                f"wildberries: the {what} no longer exists (deleted by its author or by WB)",
                retryable=False,
            )
        existing = _answer_text(current)
        if existing == text:
            return ReplyResult(external_reply_id=None, published_at=datetime.now(UTC))
        if existing is not None and not request.edit:
            # Someone answered in the seller's cabinet while the draft waited.
            raise AlreadyAnswered(self.platform, what)
        answer = current.get("answer")
        if request.edit and isinstance(answer, dict) and answer.get("editable") is False:
            raise ConnectorError(
                f"wildberries: the answer to this {what} can no longer be edited "
                "(WB allows one edit within 60 days)",
                retryable=False,
            )
        try:
            if request.kind == MentionKind.question:
                _, body = await self.http.request(
                    "PATCH",
                    "/api/v1/questions",
                    json_body={
                        "id": request.external_id,
                        "answer": {"text": text},
                        "state": "wbRu",
                    },
                    idempotent=False,
                )
                _check_envelope(body, "/api/v1/questions")
            else:
                await self.http.request(
                    "PATCH" if request.edit else "POST",
                    "/api/v1/feedbacks/answer",
                    json_body={"id": request.external_id, "text": text},
                    idempotent=False,
                )
        except PlatformHTTPError as exc:
            raise self.refusal(exc, what) from exc
        return ReplyResult(external_reply_id=None, published_at=datetime.now(UTC))

    async def confirm_reply(self, request: ReplyRequest) -> bool:
        """Read the item back: WB answers 204 even for unknown ids."""
        return (await self.check_reply(request)).state == "published"

    async def check_reply(self, request: ReplyRequest) -> ReplyCheck:
        """Our answer and its `answer.state`: `wbRu` is shown, `reviewRequired` waits for
        WB's moderation, `rejected` was refused by it."""
        current = await self._read_back(request)
        answer = current.get("answer") if current is not None else None
        if not isinstance(answer, dict) or str(answer.get("text") or "").strip() != (
            request.text.strip()
        ):
            return ReplyCheck("missing")
        state = answer.get("state")
        if state == "rejected":
            return ReplyCheck("rejected", "Wildberries moderation rejected the answer")
        if state == "reviewRequired":
            return ReplyCheck("pending", "awaiting Wildberries moderation (reviewRequired)")
        return ReplyCheck("published")


def _answer_text(item: Mapping[str, Any]) -> str | None:
    """The seller's answer as WB holds it (shown or in moderation); None when there is
    none, it is empty, or WB's moderation rejected it (the item is open again)."""
    answer = item.get("answer")
    if not isinstance(answer, dict) or answer.get("state") == "rejected":
        return None
    text = str(answer.get("text") or "").strip()
    return text or None


def _check_envelope(body: Any, where: str) -> None:
    if not isinstance(body, dict):
        raise BadResponse("wildberries", where, "body is not a JSON object")
    if body.get("error") is True:
        raise ConnectorError(
            f"wildberries {where}: {body.get('errorText') or 'error flag set'}", retryable=False
        )


@register("wildberries")
def make_wildberries(config: SourceConfig, client: httpx.AsyncClient) -> WildberriesConnector:
    return WildberriesConnector(config, client)
