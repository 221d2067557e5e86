"""Yandex Market goods feedback and goods questions (api.partner.market.yandex.ru,
`Api-Key` header).

Polls `reactionStatus=ALL` rather than NEED_REACTION: `needReaction` flips to false when
someone merely opens the review in the cabinet, so filtering on it would lose reviews.
A sweep pages with `pageToken` from `dateTimeFrom = watermark - overlap`; items are
deduped by id+revision. Throttling is HTTP 420 with `X-RateLimit-Resource-Until`;
hourly quotas can mean a long wait, which the caller gets as `retry_after`.

A history import (`history`) walks the reviews only, in consecutive windows of at most
180 days (Market refuses a `dateTimeFrom`..`dateTimeTo` span over six months), each sent
with both bounds and paged by `pageToken`, until the window that reaches the range end.
It reads `reactionStatus=ALL` (whatever the source's `reaction_status`), so answered
reviews come in marked `answered` whatever `include_answered` says. Questions stay out:
Market serves them one month back at most.

Questions (`/v1/businesses/{id}/goods-questions`) are a second stream of the same source
(option `kinds`). They are read with `needAnswer=true` (the questions waiting for the
seller's answer; option `need_answer: false` reads all of them and asks the answers of
each new one whether the seller answered) from the watermark's day minus the overlap;
Market serves at most one month back. An answer goes through
`goods-questions/update` (CREATE, or UPDATE of the seller's own answer for an edit);
before it, the question's answers are read: one by the seller that we did not write
stops the post.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from services.ingest.connectors.base import (
    BadItem,
    BadResponse,
    BaseConnector,
    FetchPage,
    SeenMap,
    decode_cursor,
    encode_cursor,
    epoch_dt,
    fetch_page,
    opt_dict,
    opt_str,
    parse_dt,
    rating_or_none,
    req,
    require_list,
)
from services.ingest.connectors.http import (
    Clock,
    LimiterRegistry,
    PlatformHTTPError,
    RetryPolicy,
)
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
from shared.rate import window_rate

LIVE_STATUSES = ("PUBLISHED", "UNMODERATED")
#: Market's parallel-request limit (4) as the buckets' burst.
BURST = 4
#: Hourly quotas per method and business, lower tier [C]: the review list 5,000/h,
#: comment list 5,000/h, comment updates 1,000/h; the rates keep every hour under them.
LIST_RATE = window_rate(5000, 3600, BURST)
COMMENTS_RATE = window_rate(5000, 3600, BURST)
UPDATE_RATE = window_rate(1000, 3600, BURST)
#: Who answers for the seller: the shop (BUSINESS) or its brand account (BRAND).
SELLER_AUTHORS = ("BUSINESS", "BRAND")
#: The longest `dateTimeFrom`..now span Market accepts is six months [C]; 180 days is
#: under it whatever the months.
MAX_WINDOW_S = 180 * 24 * 3600
#: Bound on comment pages read under one review (50 each), answer pages under a question.
MAX_COMMENT_PAGES = 10
#: What one source reads: goods feedback, goods questions (option `kinds`).
STREAMS = ("reviews", "questions")
#: Who answers a question for the seller [C QuestionsTextContentAuthorType].
SELLER_ANSWER_AUTHORS = ("BUSINESS", "BRAND", "VENDOR")
#: Question quotas, lower tier [C]: list 1,000/h, answers list 10,000/h, update 500/h.
QUESTIONS_RATE = window_rate(1000, 3600, BURST)
ANSWERS_RATE = window_rate(10000, 3600, BURST)
QUESTION_UPDATE_RATE = window_rate(500, 3600, BURST)
#: The questions filter spans at most one month [C GetQuestionsRequest]; 28 days is
#: inside it whatever the month.
MAX_QUESTION_WINDOW_S = 28 * 24 * 3600


def history_window(after: int, end: int) -> dict[str, int]:
    """The walk's window that starts after `after` (epoch seconds, exclusive like
    Market's bounds): at most MAX_WINDOW_S long and never past `end` (exclusive)."""
    return {"from": after, "to": min(after + MAX_WINDOW_S, end)}


class YandexMarketConnector(BaseConnector):
    platform = "yandex_market"
    capabilities = BaseConnector.capabilities | {
        Capability.reply,
        Capability.edit,
        Capability.questions,
        Capability.check,
        Capability.deletions,
        Capability.history,
    }
    default_base_url = "https://api.partner.market.yandex.ru"
    default_rate = LIST_RATE  # goods-feedback list quota, lower tier
    default_burst = BURST

    def __init__(
        self,
        config: SourceConfig,
        client: httpx.AsyncClient,
        *,
        limiters: LimiterRegistry | None = None,
        clock: Clock | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__(config, client, limiters=limiters, clock=clock, policy=policy)
        #: Market's quotas are per method [C]: the list (`self.http`, 5,000/h), the
        #: comment list (5,000/h) and comment updates (1,000/h) each have their own.
        self.comments_http = self.method_http("comments", COMMENTS_RATE, BURST)
        self.update_http = self.method_http("update", UPDATE_RATE, BURST)
        self.questions_http = self.method_http("questions", QUESTIONS_RATE, BURST)
        self.answers_http = self.method_http("answers", ANSWERS_RATE, BURST)
        self.question_update_http = self.method_http("question_update", QUESTION_UPDATE_RATE, BURST)

    def auth_headers(self) -> dict[str, str]:
        return {"Api-Key": self.credential("api_key")}

    def limiter_account(self) -> str:
        return str(self.option("business_id"))

    @property
    def prefix(self) -> str:
        return f"/v2/businesses/{int(self.option('business_id'))}/goods-feedback"

    @property
    def questions_path(self) -> str:
        return f"/v1/businesses/{int(self.option('business_id'))}/goods-questions"

    @property
    def streams(self) -> tuple[str, ...]:
        wanted = self.options.get("kinds", STREAMS)
        return tuple(s for s in STREAMS if s in wanted)

    async def _call(
        self,
        path: str,
        body: Mapping[str, Any],
        params: Mapping[str, Any] | None = None,
        *,
        idempotent: bool = True,
        empty_ok: bool = False,
    ) -> Any:
        """Market's `{status: OK, result}` envelope; `empty_ok` for the methods that
        answer without a result (a question answer's UPDATE)."""
        if path.endswith("/comments/update"):
            http = self.update_http
        elif path.endswith("/comments"):
            http = self.comments_http
        elif path.endswith("/goods-questions/update"):
            http = self.question_update_http
        elif path.endswith("/goods-questions/answers"):
            http = self.answers_http
        elif path.endswith("/goods-questions"):
            http = self.questions_http
        else:
            http = self.http
        _, result = await http.request(
            "POST", path, params=params, json_body=dict(body), idempotent=idempotent
        )
        if not isinstance(result, dict):
            raise BadResponse(self.platform, path, "body is not a JSON object")
        if result.get("status") != "OK":
            raise BadResponse(self.platform, path, f"status is {result.get('status')!r}, not 'OK'")
        if result.get("result") is None and empty_ok:
            return {}
        if not isinstance(result.get("result"), dict):
            raise BadResponse(self.platform, path, "'result' is missing or not an object")
        return result["result"]

    def history_start(
        self, start: datetime, end: datetime, *, include_answered: bool
    ) -> HistoryStart:
        """The first window: from one second before `start` (Market's bounds are
        exclusive, so a review at `start` itself is read)."""
        if "reviews" not in self.streams:
            raise ValueError("yandex_market: history imports reviews; this source reads none")
        first = history_window(int(start.timestamp()) - 1, int(end.timestamp()))
        return HistoryStart(encode_cursor({"stream": "reviews", "window": first}), by_date=True)

    def history_next(
        self, page: FetchResult, end: datetime, *, include_answered: bool
    ) -> tuple[str | None, bool]:
        """The window's next page, else the next window, which starts one second before
        this one's end (both bounds exclusive: a review on the boundary second is read
        once); done after the window that reaches `end`."""
        state = decode_cursor(self.platform, page.next_cursor)
        window = self._window(state)
        if window is None:
            return page.next_cursor, page.has_more
        if state.get("token"):
            return encode_cursor(state), True
        last = int(end.timestamp())
        if window[1] >= last:
            return None, False
        state["window"] = history_window(window[1] - 1, last)
        return encode_cursor(state), True

    def _window(self, state: Mapping[str, Any]) -> tuple[int, int] | None:
        """A history import's window (`from`, `to`, epoch seconds) from the cursor."""
        window = state.get("window")
        if window is None:
            return None
        first = window.get("from") if isinstance(window, dict) else None
        last = window.get("to") if isinstance(window, dict) else None
        if type(first) is not int or type(last) is not int or first >= last:
            raise ConnectorError(
                f"yandex_market: cursor window {window!r} is not two epoch seconds",
                retryable=False,
            )
        return first, last

    async def fetch(self, cursor: str | None) -> FetchPage:
        """One page of the current stream; `has_more` until every stream is swept.

        The reviews' state stays at the cursor's top level (cursors stored before
        questions existed resume as they were); the questions' state is under
        `questions`."""
        state = decode_cursor(self.platform, cursor)
        if "window" in state:  # a history import: reviews only, one window at a time
            page = await self._review_page(state)
            return fetch_page(
                state, list(page.mentions), list(page.skipped_reasons), has_more=page.has_more
            )
        streams = self.streams
        if not streams:
            raise ConnectorError("yandex_market: option 'kinds' selects nothing", retryable=False)
        stream = state.get("stream") if state.get("stream") in streams else streams[0]
        if stream == "reviews":
            page = await self._review_page(state)
        else:
            sub = dict(state.get("questions") or {})
            page = await self._question_page(sub)
            state["questions"] = sub
        index = streams.index(stream)
        if page.has_more:
            state["stream"], has_more = stream, True
        elif index + 1 < len(streams):
            state["stream"], has_more = streams[index + 1], True
        else:
            state["stream"], has_more = streams[0], False
        return fetch_page(state, list(page.mentions), list(page.skipped_reasons), has_more=has_more)

    async def _review_page(self, state: dict[str, Any]) -> FetchPage:
        """A goods-feedback page; `state` (the reviews' part of the cursor) is updated in
        place and the page's `next_cursor` is not used."""
        overlap = int(self.options.get("overlap_s", 3600))
        watermark = state.get("wm")
        seen = SeenMap(state.get("seen"))
        token = state.get("token")
        window = self._window(state)
        date_from: int | None
        date_to: int | None = None
        if window is not None:  # a history import's window, both bounds every page
            date_from, date_to = window
        else:
            date_from = state.get("from")  # the sweep's filter, kept with its page token
            if not token and date_from is None and isinstance(watermark, int | float):
                # A new sweep; a page token continues the filter of its first page exactly.
                date_from = int(watermark) - overlap
            if date_from is not None and not token:
                # Market refuses a window over six months: after a long pause, read the
                # six months it still serves rather than fail forever.
                now = int(datetime.now(UTC).timestamp())
                date_from = max(int(date_from), now - MAX_WINDOW_S)
        # a history import reads every review whatever the source's `reaction_status`
        reaction = "ALL" if window is not None else self.options.get("reaction_status", "ALL")
        body: dict[str, Any] = {"reactionStatus": str(reaction)}
        if date_from is not None:
            body["dateTimeFrom"] = epoch_dt(date_from).isoformat()
        if date_to is not None:
            body["dateTimeTo"] = epoch_dt(date_to).isoformat()
        params: dict[str, Any] = {"limit": max(1, min(50, int(self.options.get("limit", 50))))}
        if token:
            params["pageToken"] = token
        result = await self._call(self.prefix, body, params)
        items = require_list(self.platform, self.prefix, result, "feedbacks")
        paging = result.get("paging") or {}
        next_token = paging.get("nextPageToken") if isinstance(paging, dict) else None
        answered = await self._answered_ids(items)
        mentions, skipped = self.map_items(items, lambda item: self._feedback(item, answered))

        fresh = seen.take_new(mentions)
        stamps = [int(m.published_at.timestamp()) for m in mentions]
        if stamps:
            watermark = max(int(watermark or 0), max(stamps))
        if next_token and window is not None:  # same window, its bounds stay in `window`
            state["token"] = next_token
        elif next_token:  # same sweep, same filter
            state.update(token=next_token, **({"from": date_from} if date_from is not None else {}))
        else:  # sweep done: the next one starts from the watermark minus the overlap
            state.pop("token", None)
            state.pop("from", None)
        if watermark is not None:
            state["wm"] = int(watermark)
            seen.prune_before(int(watermark) - overlap)
        return fetch_page(state, fresh, skipped, has_more=bool(next_token), seen=seen)

    async def _question_page(self, state: dict[str, Any]) -> FetchPage:
        """A goods-questions page, oldest first, from the watermark's day minus the
        overlap (the filter takes plain dates); `state` is updated in place."""
        overlap = int(self.options.get("overlap_s", 3600))
        watermark = state.get("wm")
        seen = SeenMap(state.get("seen"))
        token = state.get("token")
        need_answer = bool(self.options.get("need_answer", True))
        body: dict[str, Any] = {"needAnswer": need_answer, "sort": "CREATED_AT_ASC"}
        date_from = state.get("from")
        if not token and isinstance(watermark, int | float):
            now = int(datetime.now(UTC).timestamp())
            date_from = max(int(watermark) - overlap, now - MAX_QUESTION_WINDOW_S)
        if date_from is not None:
            body["dateFrom"] = epoch_dt(int(date_from)).date().isoformat()
        params: dict[str, Any] = {"limit": max(1, min(50, int(self.options.get("limit", 50))))}
        if token:
            params["pageToken"] = token
        path = self.questions_path
        result = await self._call(path, body, params)
        items = require_list(self.platform, path, result, "questions")
        paging = result.get("paging") or {}
        next_token = paging.get("nextPageToken") if isinstance(paging, dict) else None
        mentions, skipped = self.map_items(items, self._question)
        fresh = [m for m in mentions if seen.is_new(m)]
        if not need_answer:  # all questions: ask the new ones whether the seller answered
            fresh = [
                m.model_copy(update={"answered": True})
                if await self._seller_answers(int(m.external_id))
                else m
                for m in fresh
            ]
        for m in fresh:
            seen.add(m)
        stamps = [int(m.published_at.timestamp()) for m in mentions]
        if stamps:
            watermark = max(int(watermark or 0), max(stamps))
        if next_token:
            state.update(token=next_token, **({"from": date_from} if date_from else {}))
        else:
            state.pop("token", None)
            state.pop("from", None)
        if watermark is not None:
            state["wm"] = int(watermark)
            # the next sweep starts at the beginning of a day: remember that day too
            seen.prune_before(int(watermark) - overlap - 86400)
        state["seen"] = seen.dump()
        return FetchPage(
            mentions=fresh,
            next_cursor=None,
            has_more=bool(next_token),
            skipped=len(skipped),
            skipped_reasons=tuple(skipped),
        )

    def _question(self, item: Mapping[str, Any]) -> Mention:
        identifiers = req(item, "questionIdentifiers", dict)
        question_id = req(identifiers, "id", int)
        author = opt_dict(item, "author")
        return self.mention(
            external_id=str(question_id),
            kind=MentionKind.question,
            text=req(item, "text", str),
            author=opt_str(author, "name"),
            product=Product(sku=opt_str(identifiers, "offerId")),
            published_at=parse_dt(item.get("createdAt"), "createdAt"),
        )

    async def _answered_ids(self, items: list[Any]) -> set[int]:
        """Reviews with a comment by the seller (BUSINESS or BRAND). `commentsCount`
        also counts buyers' comments, so only reviews with comments are read."""
        answered: set[int] = set()
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("feedbackId"), int):
                continue
            stats = item.get("statistics")
            count = stats.get("commentsCount") if isinstance(stats, dict) else None
            if isinstance(count, int) and not isinstance(count, bool) and count > 0:
                if await self._our_comments(item["feedbackId"]):
                    answered.add(item["feedbackId"])
        return answered

    async def missing_ids(self, kind: MentionKind, external_ids: list[str]) -> set[str] | None:
        """The list filtered by `feedbackIds` (`questionIds`), 50 a request: Market
        leaves out reviews deleted by buyers or by Market [C], so an id not returned is
        gone."""
        ids = [i for i in external_ids if i.isdigit()]
        present: set[str] = set()
        question = kind == MentionKind.question
        path = self.questions_path if question else self.prefix
        for start in range(0, len(ids), 50):
            chunk = [int(i) for i in ids[start : start + 50]]
            body: dict[str, Any] = (
                {"questionIds": chunk}
                if question
                else {"reactionStatus": "ALL", "feedbackIds": chunk}
            )
            params: dict[str, Any] = {"limit": 50}
            for _ in range(MAX_COMMENT_PAGES):
                result = await self._call(path, body, params)
                key = "questions" if question else "feedbacks"
                for item in require_list(self.platform, path, result, key):
                    if isinstance(item, dict):
                        ident = opt_dict(item, "questionIdentifiers") if question else item
                        present.add(str(ident.get("id" if question else "feedbackId")))
                paging = result.get("paging")
                token = paging.get("nextPageToken") if isinstance(paging, dict) else None
                if not token:
                    break
                params = {"limit": 50, "pageToken": token}
        return set(ids) - present

    def _feedback(self, item: Mapping[str, Any], answered: set[int] | None = None) -> Mention:
        feedback_id = req(item, "feedbackId", int)
        description = opt_dict(item, "description")
        identifiers = req(item, "identifiers", dict)
        statistics = req(item, "statistics", dict)
        if "rating" not in statistics:
            raise BadItem("missing field 'statistics.rating'")
        offer = opt_str(identifiers, "offerId")
        return self.mention(
            external_id=str(feedback_id),
            kind=MentionKind.review,
            text=opt_str(description, "comment") or "",
            pros=opt_str(description, "advantages"),
            cons=opt_str(description, "disadvantages"),
            rating=rating_or_none(statistics.get("rating")),
            author=opt_str(item, "author"),
            product=Product(sku=offer),
            published_at=parse_dt(item.get("createdAt"), "createdAt"),
            answered=feedback_id in (answered or set()),
        )

    # --- replies -----------------------------------------------------------------------

    async def _our_comments(self, feedback_id: int) -> list[Mapping[str, Any]]:
        """The seller's live top-level comments under a review (shop or brand)."""
        return [
            c
            for c in await self._seller_comments(feedback_id)
            if c.get("status") not in ("DELETED", "BANNED")
        ]

    async def _all_pages(self, path: str, body: dict[str, Any], key: str) -> list[Any]:
        """Every item of a `pageToken`-paged list under one review or question (comments,
        answers), at most `MAX_COMMENT_PAGES` pages of 50."""
        items: list[Any] = []
        params: dict[str, Any] = {"limit": 50}
        for _ in range(MAX_COMMENT_PAGES):
            result = await self._call(path, body, params)
            items.extend(require_list(self.platform, path, result, key))
            paging = result.get("paging")
            token = paging.get("nextPageToken") if isinstance(paging, dict) else None
            if not token:
                break
            params = {"limit": 50, "pageToken": token}
        return items

    async def _seller_comments(self, feedback_id: int) -> list[Mapping[str, Any]]:
        """The seller's top-level comments under a review (shop or brand), all pages,
        whatever their moderation status."""
        comments = await self._all_pages(
            f"{self.prefix}/comments", {"feedbackId": feedback_id}, "comments"
        )
        return [
            c
            for c in comments
            if isinstance(c, dict)
            and isinstance(c.get("author"), dict)
            and c["author"].get("type") in SELLER_AUTHORS
            and c.get("parentId") is None
        ]

    def _feedback_id(self, request: ReplyRequest) -> int:
        if request.kind != MentionKind.review:
            raise ConnectorError(
                "yandex_market: only goods feedback can be answered", retryable=False
            )
        try:
            return int(request.external_id)
        except ValueError as exc:
            raise ConnectorError(
                f"yandex_market: feedback id {request.external_id!r} is not a number",
                retryable=False,
            ) from exc

    async def post_reply(self, request: ReplyRequest) -> ReplyResult:
        """New comment, or an in-place edit (`comment.id`) of our earlier one."""
        if request.kind == MentionKind.question:
            return await self._answer_question(request)
        feedback_id = self._feedback_id(request)
        text = request.text.strip()
        self.check_reply_length(text, request.kind)
        comment: dict[str, Any] = {"text": text}
        owned = await self._our_comments(feedback_id)
        for existing in owned:
            if str(existing.get("text", "")).strip() == text:  # already there: no double post
                return ReplyResult(
                    external_reply_id=str(existing.get("id")), published_at=datetime.now(UTC)
                )
        if not request.edit and any(not request.is_own(str(c.get("text", ""))) for c in owned):
            # A seller answer we did not post (the cabinet); our own earlier one is fine (a
            # follow-up goes out as a second comment).
            raise AlreadyAnswered(self.platform)
        if request.edit and owned:
            editable = [c for c in owned if c.get("canModify") is not False]
            if not editable:
                raise ConnectorError(
                    "yandex_market: the seller's answer to this review cannot be modified "
                    "(Market says canModify=false)",
                    retryable=False,
                )
            comment["id"] = editable[-1].get("id")
        path = f"{self.prefix}/comments/update"
        try:
            result = await self._call(
                path,
                {"feedbackId": feedback_id, "comment": comment},
                # an edit (`comment.id`) sets the same text again; a new comment would not
                idempotent="id" in comment,
            )
        except PlatformHTTPError as exc:
            raise self.refusal(exc) from exc
        comment_id = result.get("id")
        if comment_id is None:
            raise BadResponse(self.platform, path, "'result.id' is missing")
        return ReplyResult(external_reply_id=str(comment_id), published_at=datetime.now(UTC))

    async def confirm_reply(self, request: ReplyRequest) -> bool:
        return (await self.check_reply(request)).state == "published"

    async def check_reply(self, request: ReplyRequest) -> ReplyCheck:
        """Our comment (answer) by its text: PUBLISHED / UNMODERATED are shown, BANNED was
        refused by Market's moderation."""
        if request.kind == MentionKind.question:
            listed = await self._seller_answers(self._question_id(request), live_only=False)
        else:
            listed = await self._seller_comments(self._feedback_id(request))
        mine = [c for c in listed if str(c.get("text", "")).strip() == request.text.strip()]
        if any(c.get("status") in LIVE_STATUSES for c in mine):
            return ReplyCheck("published")
        if any(c.get("status") == "BANNED" for c in mine):
            return ReplyCheck("rejected", "Yandex Market moderation banned the comment")
        return ReplyCheck("missing")

    # --- questions ---------------------------------------------------------------------

    def _question_id(self, request: ReplyRequest) -> int:
        try:
            return int(request.external_id)
        except ValueError as exc:
            raise ConnectorError(
                f"yandex_market: question id {request.external_id!r} is not a number",
                retryable=False,
            ) from exc

    async def _seller_answers(
        self, question_id: int, *, live_only: bool = True
    ) -> list[Mapping[str, Any]]:
        """The seller's answers to a question (shop, brand or vendor), all pages; with
        `live_only` without the deleted and banned ones."""
        answers = await self._all_pages(
            f"{self.questions_path}/answers", {"questionId": question_id}, "answers"
        )
        return [
            a
            for a in answers
            if isinstance(a, dict)
            and isinstance(a.get("author"), dict)
            and a["author"].get("type") in SELLER_ANSWER_AUTHORS
            and not (live_only and a.get("status") in ("DELETED", "BANNED"))
        ]

    async def _answer_question(self, request: ReplyRequest) -> ReplyResult:
        """Read the question's answers first: ours with this text is not posted again,
        a seller answer we did not write stops the post unless this is an edit (which
        updates that answer in place)."""
        question_id = self._question_id(request)
        text = request.text.strip()
        self.check_reply_length(text, request.kind)
        path = f"{self.questions_path}/update"
        try:
            answers = await self._seller_answers(question_id)
            for existing in answers:
                if str(existing.get("text", "")).strip() == text:
                    return ReplyResult(
                        external_reply_id=str(existing.get("id")), published_at=datetime.now(UTC)
                    )
            if not request.edit and any(
                not request.is_own(str(a.get("text", ""))) for a in answers
            ):
                raise AlreadyAnswered(self.platform, "question")
            editable = [a for a in answers if a.get("canModify") is not False]
            if request.edit and answers and not editable:
                raise ConnectorError(
                    "yandex_market: the seller's answer to this question cannot be modified "
                    "(Market says canModify=false)",
                    retryable=False,
                )
            if request.edit and editable:
                target = editable[-1].get("id")
                await self._call(
                    path,
                    {
                        "operationType": "UPDATE",
                        "entityId": {"id": target, "type": "ANSWER"},
                        "text": text,
                    },
                    idempotent=True,  # the same text again
                    empty_ok=True,
                )
                return ReplyResult(external_reply_id=str(target), published_at=datetime.now(UTC))
            result = await self._call(
                path,
                {
                    "operationType": "CREATE",
                    "parentEntityId": {"id": question_id, "type": "QUESTION"},
                    "text": text,
                },
                idempotent=False,
            )
        except PlatformHTTPError as exc:
            raise self.refusal(exc, "question") from exc
        entity = result.get("entity")
        if not isinstance(entity, dict) or entity.get("id") is None:
            raise BadResponse(self.platform, path, "'result.entity.id' is missing")
        return ReplyResult(external_reply_id=str(entity["id"]), published_at=datetime.now(UTC))


@register("yandex_market")
def make_yandex_market(config: SourceConfig, client: httpx.AsyncClient) -> YandexMarketConnector:
    return YandexMarketConnector(config, client)
