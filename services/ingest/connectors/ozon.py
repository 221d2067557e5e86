"""Ozon Seller API reviews and questions (api-seller.ozon.ru).

`/v1/review/list` pages with `last_id`/`has_next`. The list has no date filter and a
customer may edit a review in place, so with `status=UNPROCESSED` (the to-do list, which
shrinks as reviews are answered) every sweep starts again from the top and only new or
changed reviews (id + content revision, remembered in the cursor) are emitted. With
another status (`ALL` is the whole history) the cursor keeps the last id at the end of
the list and the next poll continues after it (option `resweep` overrides).
There is no edit method: an edit deletes our comment and creates a new one.
Without the review subscription every method answers 403 (code 7); that is reported as
a non-retryable "subscription missing" error instead of being retried forever.

Questions (`/v1/question/*`, Premium Plus) are a second stream of the same source (option
`kinds`, like Wildberries), swept the same way: `status=UNPROCESSED` from the top with
the dedup memory, another status (a history import reads `ALL`) once through. A question
is answered when Ozon marks it `PROCESSED`. An answer needs the question's `sku`, so a
post reads the question first (`/v1/question/info`): that read also finds a question
deleted meanwhile, and the answer list (`/v1/question/answer/list`) one answered in the
cabinet. Assumed, not verifiable offline [?]: the seller API lists the seller's answers
(not other buyers'), and shows an answer as soon as it is created. Were buyers' answers
listed, a question with one would be refused as "already answered" (nothing is posted;
the agent can still approve it as an edit); were answers moderated first, a post whose
answer was lost is parked unconfirmed, as for reviews, and never sent again.
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
    opt_str,
    parse_dt,
    rating_or_none,
    req,
    require_list,
)
from services.ingest.connectors.http import PlatformHTTPError
from shared.connector import (
    AlreadyAnswered,
    Capability,
    ConnectorError,
    FetchResult,
    HistoryStart,
    ReplyRequest,
    ReplyResult,
    SourceConfig,
    register,
)
from shared.events import Mention, MentionKind, Product

SUBSCRIPTION_MISSING = (
    "ozon: review methods are not available with this seller's subscription "
    "(Ozon requires Premium Plus / Premium Pro or the Review Management subscription)"
)
QUESTIONS_SUBSCRIPTION_MISSING = (
    "ozon: question methods are not available with this seller's subscription (Ozon "
    "requires Premium Plus); set the source's option kinds: [reviews] to read reviews only"
)


#: Bound on comment pages read under one review (100 each), and on answer pages read
#: under one question.
MAX_COMMENT_PAGES = 10
#: What one source reads: reviews, questions (option `kinds`).
STREAMS = ("reviews", "questions")
QUESTION_LIST = "/v1/question/list"


class OzonConnector(BaseConnector):
    platform = "ozon"
    default_base_url = "https://api-seller.ozon.ru"
    default_rate = 50.0  # ~50 req/s per Client-Id (third-party figure)
    default_burst = 10
    capabilities = BaseConnector.capabilities | {
        Capability.reply,
        Capability.edit,
        Capability.questions,
        Capability.hides_unmoderated,  # comment/list shows only moderated comments [C]
        Capability.history,
        Capability.deletions,
    }

    def auth_headers(self) -> dict[str, str]:
        return {"Client-Id": self.credential("client_id"), "Api-Key": self.credential("api_key")}

    def limiter_account(self) -> str:
        return self.credential("client_id")

    async def _call(self, path: str, body: Mapping[str, Any], *, idempotent: bool = True) -> Any:
        try:
            _, result = await self.http.request(
                "POST", path, json_body=dict(body), idempotent=idempotent
            )
        except PlatformHTTPError as exc:
            if exc.status == 403 and (
                (isinstance(exc.body, dict) and exc.body.get("code") == 7)
                or "subscription" in exc.detail.lower()
            ):
                missing = (
                    QUESTIONS_SUBSCRIPTION_MISSING
                    if path.startswith("/v1/question/")
                    else SUBSCRIPTION_MISSING
                )
                raise ConnectorError(
                    f"{missing}; Ozon said: {exc.detail}", retryable=False
                ) from exc
            raise
        if not isinstance(result, dict):
            raise BadResponse(self.platform, path, "body is not a JSON object")
        return result

    @property
    def streams(self) -> tuple[str, ...]:
        wanted = self.options.get("kinds", STREAMS)
        return tuple(s for s in STREAMS if s in wanted)

    def history_start(
        self, start: datetime, end: datetime, *, include_answered: bool
    ) -> HistoryStart:
        """The whole review list (`status=ALL`: processed ones come `answered`), once,
        without resweeping; Ozon cannot start at a date."""
        return HistoryStart(encode_cursor({"status": "ALL", "resweep": False}), by_date=False)

    def history_next(
        self, page: FetchResult, end: datetime, *, include_answered: bool
    ) -> tuple[str | None, bool]:
        return page.next_cursor, page.has_more

    async def fetch(self, cursor: str | None) -> FetchPage:
        """One page of the current stream; `has_more` until every stream is swept.

        The reviews' state stays at the cursor's top level (cursors stored before
        questions existed resume as they were); the questions' state is under
        `questions`. A cursor's `status` / `resweep` (a history import) apply to both.
        """
        state = decode_cursor(self.platform, cursor)
        streams = self.streams
        if not streams:
            raise ConnectorError("ozon: option 'kinds' selects nothing", retryable=False)
        stream = state["stream"] if state.get("stream") in streams else streams[0]
        sub: dict[str, Any] = state if stream == "reviews" else dict(state.get(stream) or {})
        # A cursor may carry its own status (a history import reads ALL).
        option = "status" if stream == "reviews" else "question_status"
        status = str(state.get("status") or self.options.get(option) or "UNPROCESSED")
        if "resweep" in state:
            resweep = bool(state["resweep"])
        else:
            resweep = bool(self.options.get("resweep", status == "UNPROCESSED"))
        if stream == "reviews":
            mentions, skipped, more_here = await self._review_page(sub, status, resweep)
        else:
            mentions, skipped, more_here = await self._question_page(sub, status, resweep)
        if stream != "reviews":
            state[stream] = sub
        index = streams.index(stream)
        if more_here:
            state["stream"], has_more = stream, True
        elif index + 1 < len(streams):
            state["stream"], has_more = streams[index + 1], True
        else:
            state["stream"], has_more = streams[0], False
        return fetch_page(state, list(mentions), skipped, has_more=has_more)

    async def _review_page(
        self, sub: dict[str, Any], status: str, resweep: bool
    ) -> tuple[list[Mention], list[str], bool]:
        last_id = str(sub.get("last_id", ""))
        seen = SeenMap(sub.get("seen"))
        limit = max(20, min(100, int(self.options.get("limit", 100))))
        path = "/v1/review/list"
        body = await self._call(
            path,
            {"last_id": last_id, "limit": limit, "sort_dir": "ASC", "status": status},
        )
        items = require_list(self.platform, path, body, "reviews")
        has_next = body.get("has_next")
        if not isinstance(has_next, bool):
            raise BadResponse(self.platform, path, "'has_next' is missing or not a boolean")
        next_id = body.get("last_id")
        if next_id is not None and not isinstance(next_id, str):
            raise BadResponse(self.platform, path, "'last_id' is not a string")
        answered = await self._answered_ids(items)
        mentions, skipped = self.map_items(items, lambda item: self._review(item, answered))
        fresh = seen.take_new(mentions)
        sub["last_id"] = "" if resweep and not has_next else (next_id or last_id)
        sub["seen"] = seen.dump()
        return fresh, skipped, has_next

    async def _question_page(
        self, sub: dict[str, Any], status: str, resweep: bool
    ) -> tuple[list[Mention], list[str], bool]:
        """`/v1/question/list` pages by `last_id`; the list ends on an empty `last_id`
        or page (the spec's response has no `has_next`; one is honoured if present)."""
        last_id = str(sub.get("last_id", ""))
        seen = SeenMap(sub.get("seen"))
        body = await self._call(QUESTION_LIST, {"filter": {"status": status}, "last_id": last_id})
        items = require_list(self.platform, QUESTION_LIST, body, "questions")
        next_id = body.get("last_id")
        if next_id is not None and not isinstance(next_id, str):
            raise BadResponse(self.platform, QUESTION_LIST, "'last_id' is not a string")
        has_next = bool(items) and bool(next_id) and body.get("has_next") is not False
        mentions, skipped = self.map_items(items, self._question)
        fresh = seen.take_new(mentions)
        sub["last_id"] = "" if resweep and not has_next else (next_id or last_id)
        sub["seen"] = seen.dump()
        return fresh, skipped, has_next

    async def _answered_ids(self, items: list[Any]) -> set[str]:
        """Reviews the seller already answered: `PROCESSED`, or carrying an own comment.

        `status` is a seller-side flag (a review answered without marking it processed
        stays UNPROCESSED), so reviews with comments are read: only those, so a page costs
        one extra call per commented review, not per review.
        """
        answered: set[str] = set()
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            amount = item.get("comments_amount")
            if item.get("status") == "PROCESSED":
                answered.add(item["id"])
            elif isinstance(amount, int) and not isinstance(amount, bool) and amount > 0:
                if await self._owner_comments(item["id"]):
                    answered.add(item["id"])
        return answered

    def _review(self, item: Mapping[str, Any], answered: set[str] | None = None) -> Mention:
        sku = item.get("sku")
        return self.mention(
            external_id=req(item, "id", str),
            kind=MentionKind.review,
            text=opt_str(item, "text") or "",
            rating=rating_or_none(item.get("rating")),
            product=Product(sku=str(sku) if sku is not None else None),
            url=f"https://www.ozon.ru/product/{sku}/reviews/" if sku else None,
            published_at=parse_dt(item.get("published_at"), "published_at"),
            answered=item.get("id") in (answered or set()),
        )

    def _question(self, item: Mapping[str, Any]) -> Mention:
        sku = item.get("sku")
        return self.mention(
            external_id=req(item, "id", str),
            kind=MentionKind.question,
            text=req(item, "text", str),
            author=opt_str(item, "author_name"),
            product=Product(sku=str(sku) if sku is not None else None),
            url=opt_str(item, "question_link") or opt_str(item, "product_url"),
            published_at=parse_dt(item.get("published_at"), "published_at"),
            answered=item.get("status") == "PROCESSED",
        )

    async def _comments(self, review_id: str) -> list[Mapping[str, Any]]:
        """Every comment Ozon shows under a review (only moderated ones), all pages."""
        path = "/v1/review/comment/list"
        out: list[Mapping[str, Any]] = []
        for _ in range(MAX_COMMENT_PAGES):
            body = await self._call(
                path, {"review_id": review_id, "limit": 100, "offset": len(out), "sort_dir": "ASC"}
            )
            page = [c for c in require_list(self.platform, path, body, "comments")]
            out.extend(c for c in page if isinstance(c, dict))
            if len(page) < 100:
                break
        return out

    async def _owner_comments(self, review_id: str) -> list[Mapping[str, Any]]:
        return [c for c in await self._comments(review_id) if c.get("is_owner") is True]

    async def missing_ids(self, kind: MentionKind, external_ids: list[str]) -> set[str] | None:
        """`/v1/review/info` (`/v1/question/info`) by id; a 404 means the item is gone."""
        path, key = (
            ("/v1/question/info", "question_id")
            if kind == MentionKind.question
            else ("/v1/review/info", "review_id")
        )
        gone: set[str] = set()
        for item_id in external_ids:
            try:
                await self._call(path, {key: item_id})
            except PlatformHTTPError as exc:
                if exc.status != 404:
                    raise
                gone.add(item_id)
        return gone

    async def _hidden_answer(self, review_id: str, visible: int) -> bool:
        """Whether the review is marked processed and counts more comments than Ozon lists:
        an answer written in the cabinet still in moderation (Ozon lists comments only
        after it)."""
        path = "/v1/review/info"
        try:
            info = await self._call(path, {"review_id": review_id})
        except PlatformHTTPError as exc:
            raise self.refusal(exc) from exc
        amount = info.get("comments_amount")
        return (
            info.get("status") == "PROCESSED"
            and isinstance(amount, int)
            and not isinstance(amount, bool)
            and amount > visible
        )

    async def post_reply(self, request: ReplyRequest) -> ReplyResult:
        """Create our comment; for an edit, delete our earlier comments first.

        An existing owner comment with the same text is returned instead of posting
        again, so a retry after a lost response does not double-post.
        """
        if request.kind == MentionKind.question:
            return await self._answer_question(request)
        if request.kind != MentionKind.review:
            raise ConnectorError(f"ozon cannot answer a {request.kind}", retryable=False)
        text = request.text.strip()
        self.check_reply_length(text, request.kind)
        try:
            comments = await self._comments(request.external_id)
        except PlatformHTTPError as exc:
            raise self.refusal(exc) from exc
        owned = [c for c in comments if c.get("is_owner") is True]
        for comment in owned:
            if str(comment.get("text", "")).strip() == text:
                return ReplyResult(
                    external_reply_id=str(comment.get("id")), published_at=_when(comment)
                )
        if not request.edit:
            # Our own earlier comment (a first answer before a follow-up) is no obstacle.
            if any(not request.is_own(str(c.get("text", ""))) for c in owned):
                raise AlreadyAnswered(self.platform)
            if not request.own_answers and await self._hidden_answer(
                request.external_id, len(comments)
            ):
                raise AlreadyAnswered(
                    self.platform, detail="marked processed, with a comment awaiting moderation"
                )
        try:
            if request.edit:
                for comment in owned:
                    await self._call(
                        "/v1/review/comment/delete", {"comment_id": str(comment.get("id"))}
                    )
            body = await self._call(
                "/v1/review/comment/create",
                {"review_id": request.external_id, "text": text, "mark_review_as_processed": True},
                idempotent=False,
            )
        except PlatformHTTPError as exc:
            raise self.refusal(exc) from exc
        comment_id = body.get("comment_id")
        if not isinstance(comment_id, str) or not comment_id:
            raise BadResponse(self.platform, "/v1/review/comment/create", "'comment_id' is missing")
        return ReplyResult(external_reply_id=comment_id, published_at=datetime.now(UTC))

    async def confirm_reply(self, request: ReplyRequest) -> bool:
        if request.kind == MentionKind.question:
            question = await self._question_info(request.external_id)
            answers = await self._answers(question) if question is not None else []
            return any(_text(a) == request.text.strip() for a in answers)
        owned = await self._owner_comments(request.external_id)
        return any(str(c.get("text", "")).strip() == request.text.strip() for c in owned)

    # --- questions ---------------------------------------------------------------------

    async def _question_info(self, question_id: str) -> Mapping[str, Any] | None:
        """The question as Ozon shows it now (its `sku` and `status`); None when gone."""
        try:
            info: Mapping[str, Any] = await self._call(
                "/v1/question/info", {"question_id": question_id}
            )
        except PlatformHTTPError as exc:
            if exc.status == 404:
                return None
            raise self.refusal(exc, "question") from exc
        return info

    async def _answers(self, question: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The answers Ozon lists under a question, all pages (`last_id`)."""
        path = "/v1/question/answer/list"
        out: list[Mapping[str, Any]] = []
        last_id = ""
        for _ in range(MAX_COMMENT_PAGES):
            body = await self._call(
                path,
                {"question_id": question["id"], "sku": question.get("sku"), "last_id": last_id},
            )
            page = require_list(self.platform, path, body, "answers")
            out.extend(a for a in page if isinstance(a, dict))
            next_id = body.get("last_id")
            if not page or not isinstance(next_id, str) or not next_id or next_id == last_id:
                break
            last_id = next_id
        return out

    async def _answer_question(self, request: ReplyRequest) -> ReplyResult:
        """Read the question (for its `sku`, and to see it still exists), then its
        answers: ours with this text already there is not posted again; another answer
        of the seller's stops the post unless this is an edit, which deletes the earlier
        answers (Ozon has no answer edit) before creating the new one."""
        text = request.text.strip()
        self.check_reply_length(text, request.kind)
        question = await self._question_info(request.external_id)
        if question is None:
            raise ConnectorError(
                "ozon: the question no longer exists (deleted by its author or by Ozon)",
                retryable=False,
            )
        try:
            answers = await self._answers(question)
        except PlatformHTTPError as exc:
            raise self.refusal(exc, "question") from exc
        for answer in answers:
            if _text(answer) == text:
                return ReplyResult(
                    external_reply_id=str(answer.get("id")), published_at=_when(answer)
                )
        if not request.edit and any(not request.is_own(_text(a)) for a in answers):
            raise AlreadyAnswered(self.platform, "question")
        try:
            if request.edit:
                for answer in answers:
                    await self._call(
                        "/v1/question/answer/delete",
                        {"answer_id": str(answer.get("id")), "sku": question.get("sku")},
                    )
            body = await self._call(
                "/v1/question/answer/create",
                {"question_id": request.external_id, "sku": question.get("sku"), "text": text},
                idempotent=False,
            )
        except PlatformHTTPError as exc:
            raise self.refusal(exc, "question") from exc
        answer_id = body.get("answer_id")
        if not isinstance(answer_id, str) or not answer_id:
            raise BadResponse(self.platform, "/v1/question/answer/create", "'answer_id' is missing")
        return ReplyResult(external_reply_id=answer_id, published_at=datetime.now(UTC))


def _text(item: Mapping[str, Any]) -> str:
    return str(item.get("text") or "").strip()


def _when(comment: Mapping[str, Any]) -> datetime:
    try:
        return parse_dt(comment.get("published_at"))
    except ValueError:
        return datetime.now(UTC)


@register("ozon")
def make_ozon(config: SourceConfig, client: httpx.AsyncClient) -> OzonConnector:
    return OzonConnector(config, client)
