"""Yandex Market goods feedback (api.partner.market.yandex.ru, `Api-Key` header).

Polls `reactionStatus=ALL` rather than NEED_REACTION: `needReaction` flips to false when
someone merely opens the review in the cabinet, so filtering on it would lose reviews.
A sweep pages with `pageToken` from `dateTimeFrom = watermark - overlap`; items are
deduped by id+revision. Throttling is HTTP 420 with `X-RateLimit-Resource-Until`;
hourly quotas can mean a long wait, which the caller gets as `retry_after`.
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
    PlatformHTTP,
    PlatformHTTPError,
    RetryPolicy,
)
from shared.connector import (
    AlreadyAnswered,
    Capability,
    ConnectorError,
    ReplyCheck,
    ReplyRequest,
    ReplyResult,
    SourceConfig,
    register,
)
from shared.events import Mention, MentionKind, Product

LIVE_STATUSES = ("PUBLISHED", "UNMODERATED")
#: Hourly quotas of the comment methods, lower tier [C]: list 5,000/h, update 1,000/h.
COMMENTS_RATE = 5000 / 3600
UPDATE_RATE = 1000 / 3600
#: Who answers for the seller: the shop (BUSINESS) or its brand account (BRAND).
SELLER_AUTHORS = ("BUSINESS", "BRAND")
#: The longest `dateTimeFrom`..now span Market accepts is six months [C]; 180 days is
#: under it whatever the months.
MAX_WINDOW_S = 180 * 24 * 3600
#: Bound on comment pages read under one review (50 each).
MAX_COMMENT_PAGES = 10


class YandexMarketConnector(BaseConnector):
    platform = "yandex_market"
    capabilities = BaseConnector.capabilities | {
        Capability.reply,
        Capability.edit,
        Capability.check,
        Capability.deletions,
    }
    default_base_url = "https://api.partner.market.yandex.ru"
    default_rate = 5000 / 3600  # goods-feedback list quota, lower tier
    default_burst = 4  # parallel-request limit

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
        self.comments_http = self._method_http("comments", COMMENTS_RATE)
        self.update_http = self._method_http("update", UPDATE_RATE)

    def _method_http(self, method: str, default_rate: float) -> PlatformHTTP:
        return PlatformHTTP(
            self.http.client,
            platform=self.platform,
            base_url=self.http.base_url,
            headers=self.auth_headers(),
            limiter=self.limiters.get(
                self.platform,
                f"{self.limiter_account()}:{method}",
                float(self.options.get(f"{method}_rate_per_s", default_rate)),
                int(self.options.get("burst", self.default_burst)),
            ),
            policy=self.http.policy,
            clock=self.clock,
        )

    def auth_headers(self) -> dict[str, str]:
        return {"Api-Key": self.credential("api_key")}

    def limiter_account(self) -> str:
        return str(self.option("business_id"))

    @property
    def prefix(self) -> str:
        return f"/v2/businesses/{int(self.option('business_id'))}/goods-feedback"

    async def _call(
        self,
        path: str,
        body: Mapping[str, Any],
        params: Mapping[str, Any] | None = None,
        *,
        idempotent: bool = True,
    ) -> Any:
        if path.endswith("/comments/update"):
            http = self.update_http
        elif path.endswith("/comments"):
            http = self.comments_http
        else:
            http = self.http
        _, result = await http.request(
            "POST", path, params=params, json_body=dict(body), idempotent=idempotent
        )
        if not isinstance(result, dict):
            raise BadResponse(self.platform, path, "body is not a JSON object")
        if result.get("status") != "OK":
            raise BadResponse(self.platform, path, f"status is {result.get('status')!r}, not 'OK'")
        if not isinstance(result.get("result"), dict):
            raise BadResponse(self.platform, path, "'result' is missing or not an object")
        return result["result"]

    async def fetch(self, cursor: str | None) -> FetchPage:
        state = decode_cursor(self.platform, cursor)
        overlap = int(self.options.get("overlap_s", 3600))
        watermark = state.get("wm")
        seen = SeenMap(state.get("seen"))
        token = state.get("token")
        date_from = state.get("from")
        if not token and date_from is None and isinstance(watermark, int | float):
            # A new sweep; a page token continues the filter of its first page exactly.
            date_from = int(watermark) - overlap
        if date_from is not None and not token:
            # Market refuses a window over six months: after a long pause, read the six
            # months it still serves rather than fail forever.
            date_from = max(int(date_from), int(datetime.now(UTC).timestamp()) - MAX_WINDOW_S)
        body: dict[str, Any] = {"reactionStatus": str(self.options.get("reaction_status", "ALL"))}
        if date_from is not None:
            body["dateTimeFrom"] = epoch_dt(date_from).isoformat()
        params: dict[str, Any] = {"limit": max(1, min(50, int(self.options.get("limit", 50))))}
        if token:
            params["pageToken"] = token
        result = await self._call(self.prefix, body, params)
        items = require_list(self.platform, self.prefix, result, "feedbacks")
        paging = result.get("paging") or {}
        next_token = paging.get("nextPageToken") if isinstance(paging, dict) else None
        answered = await self._answered_ids(items)
        mentions, skipped = self.map_items(items, lambda item: self._feedback(item, answered))

        fresh = [m for m in mentions if seen.is_new(m)]
        for m in fresh:
            seen.add(m)
        stamps = [int(m.published_at.timestamp()) for m in mentions]
        if stamps:
            watermark = max(int(watermark or 0), max(stamps))
        if next_token:  # same sweep, same filter
            state.update(token=next_token, **({"from": date_from} if date_from is not None else {}))
        else:  # sweep done: the next one starts from the watermark minus the overlap
            state.pop("token", None)
            state.pop("from", None)
        if watermark is not None:
            state["wm"] = int(watermark)
            seen.prune_before(int(watermark) - overlap)
        state["seen"] = seen.dump()
        return FetchPage(
            mentions=fresh,
            next_cursor=encode_cursor(state),
            has_more=bool(next_token),
            skipped=len(skipped),
            skipped_reasons=tuple(skipped),
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
        """The list filtered by `feedbackIds` (50 a request): Market leaves out reviews
        deleted by buyers or by Market [C], so an id not returned is gone."""
        ids = [i for i in external_ids if i.isdigit()]
        present: set[str] = set()
        for start in range(0, len(ids), 50):
            chunk = ids[start : start + 50]
            body = {"reactionStatus": "ALL", "feedbackIds": [int(i) for i in chunk]}
            params: dict[str, Any] = {"limit": 50}
            for _ in range(MAX_COMMENT_PAGES):
                result = await self._call(self.prefix, body, params)
                for item in require_list(self.platform, self.prefix, result, "feedbacks"):
                    if isinstance(item, dict):
                        present.add(str(item.get("feedbackId")))
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

    async def _seller_comments(self, feedback_id: int) -> list[Mapping[str, Any]]:
        """The seller's top-level comments under a review (shop or brand), all pages,
        whatever their moderation status."""
        path = f"{self.prefix}/comments"
        comments: list[Any] = []
        params: dict[str, Any] = {"limit": 50}
        for _ in range(MAX_COMMENT_PAGES):
            result = await self._call(path, {"feedbackId": feedback_id}, params)
            comments.extend(require_list(self.platform, path, result, "comments"))
            paging = result.get("paging")
            token = paging.get("nextPageToken") if isinstance(paging, dict) else None
            if not token:
                break
            params = {"limit": 50, "pageToken": token}
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
        """Our comment by its text: PUBLISHED / UNMODERATED are shown, BANNED was refused
        by Market's moderation."""
        mine = [
            c
            for c in await self._seller_comments(self._feedback_id(request))
            if str(c.get("text", "")).strip() == request.text.strip()
        ]
        if any(c.get("status") in LIVE_STATUSES for c in mine):
            return ReplyCheck("published")
        if any(c.get("status") == "BANNED" for c in mine):
            return ReplyCheck("rejected", "Yandex Market moderation banned the comment")
        return ReplyCheck("missing")


@register("yandex_market")
def make_yandex_market(config: SourceConfig, client: httpx.AsyncClient) -> YandexMarketConnector:
    return YandexMarketConnector(config, client)
