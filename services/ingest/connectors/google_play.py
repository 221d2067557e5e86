"""Google Play Developer API reviews (androidpublisher v3, OAuth bearer token).

Play lists only reviews created or modified in about the last 7 days and has no date
filter, so every poll sweeps all pages (`token` → `tokenPagination.nextPageToken`) and
dedups by id+revision; a user editing a review shows up as a new revision. Replies are
upserts (`:reply`), so an edit is the same call. Replies over 350 characters are
refused before sending. Getting the OAuth access token (service account) is the
caller's job: it goes in `credentials["access_token"]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from shared.connector import ConnectorError, ReplyRequest, ReplyResult, SourceConfig, register
from shared.events import Mention, MentionKind, Product

from .base import (
    BadItem,
    BadResponse,
    BaseConnector,
    FetchPage,
    SeenMap,
    decode_cursor,
    encode_cursor,
    epoch_dt,
    opt_str,
    rating_or_none,
    req,
    require_list,
)
from .http import PlatformHTTPError

MAX_REPLY_CHARS = 350
HORIZON_S = 8 * 24 * 3600  # Play shows ~7 days; remember a day more


class GooglePlayConnector(BaseConnector):
    platform = "google_play"
    default_base_url = "https://androidpublisher.googleapis.com/androidpublisher/v3"
    default_rate = 200 / 3600  # 200 GET/hour per app
    default_burst = 10

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential('access_token')}"}

    def limiter_account(self) -> str:
        return str(self.option("package_name"))

    @property
    def app_path(self) -> str:
        return f"/applications/{quote(str(self.option('package_name')), safe='')}"

    async def fetch(self, cursor: str | None) -> FetchPage:
        state = decode_cursor(self.platform, cursor)
        seen = SeenMap(state.get("seen"))
        params: dict[str, Any] = {"maxResults": int(self.options.get("max_results", 100))}
        if state.get("token"):
            params["token"] = state["token"]
        if self.options.get("translation_language"):
            params["translationLanguage"] = self.options["translation_language"]
        path = f"{self.app_path}/reviews"
        body = await self.http.get_json(path, params=params)
        if not isinstance(body, dict):
            raise BadResponse(self.platform, path, "body is not a JSON object")
        items = require_list(self.platform, path, body, "reviews") if "reviews" in body else []
        paging = body.get("tokenPagination")
        next_token = paging.get("nextPageToken") if isinstance(paging, dict) else None
        mentions, skipped = self.map_items(items, self._review)
        fresh = [m for m in mentions if seen.is_new(m)]
        for m in fresh:
            seen.add(m)
        seen.prune_before(datetime.now(UTC).timestamp() - HORIZON_S)
        if next_token:
            state["token"] = next_token
        else:
            state.pop("token", None)
        state["seen"] = seen.dump()
        return FetchPage(
            mentions=fresh,
            next_cursor=encode_cursor(state),
            has_more=bool(next_token),
            skipped=len(skipped),
            skipped_reasons=tuple(skipped),
        )

    def _review(self, item: Mapping[str, Any]) -> Mention:
        review_id = req(item, "reviewId", str)
        comments = req(item, "comments", list)
        user = next(
            (
                c["userComment"]
                for c in comments
                if isinstance(c, dict) and isinstance(c.get("userComment"), dict)
            ),
            None,
        )
        if user is None:
            raise BadItem("no 'userComment' in 'comments'")
        modified = req(user, "lastModified", dict)
        try:
            seconds = int(modified["seconds"])  # a string in the API
        except (KeyError, TypeError, ValueError) as exc:
            raise BadItem("'userComment.lastModified.seconds' is not a number") from exc
        text = (opt_str(user, "text") or "").replace("\t", "\n")  # title<TAB>body
        package = str(self.option("package_name"))
        return self.mention(
            external_id=review_id,
            kind=MentionKind.review,
            text=text,
            rating=rating_or_none(user.get("starRating")),
            author=opt_str(item, "authorName"),
            product=Product(sku=package, name=self.options.get("app_name")),
            url=f"https://play.google.com/store/apps/details?id={package}&reviewId={review_id}",
            published_at=epoch_dt(seconds),
            language_hint=(opt_str(user, "reviewerLanguage") or "").split("_")[0] or None,
        )

    def _review_path(self, request: ReplyRequest) -> str:
        if request.kind != MentionKind.review:
            raise ConnectorError("google_play: only reviews can be answered", retryable=False)
        return f"{self.app_path}/reviews/{quote(request.external_id, safe='')}"

    async def post_reply(self, request: ReplyRequest) -> ReplyResult:
        """Create or replace the developer reply (an upsert, so edits are the same call)."""
        text = request.text.strip()
        if len(text) > MAX_REPLY_CHARS:
            raise ConnectorError(
                f"google_play: reply is {len(text)} characters; Google Play accepts at most "
                f"{MAX_REPLY_CHARS}",
                retryable=False,
            )
        self.check_length(text, 1, MAX_REPLY_CHARS)
        path = f"{self._review_path(request)}:reply"
        try:
            body = await self.http.post_json(path, {"replyText": text})
        except PlatformHTTPError as exc:
            if exc.status == 404:
                raise ConnectorError(
                    "google_play: the review no longer exists (deleted or older than Play keeps)",
                    retryable=False,
                ) from exc
            raise self.refusal(exc) from exc
        result = body.get("result") if isinstance(body, dict) else None
        if not isinstance(result, dict):
            raise BadResponse(self.platform, path, "'result' is missing")
        published = datetime.now(UTC)
        edited = result.get("lastEdited")
        if isinstance(edited, dict):
            try:
                published = epoch_dt(int(edited["seconds"]))
            except (KeyError, TypeError, ValueError):
                pass
        return ReplyResult(external_reply_id=None, published_at=published)

    async def confirm_reply(self, request: ReplyRequest) -> bool:
        try:
            body = await self.http.get_json(self._review_path(request))
        except PlatformHTTPError as exc:
            if exc.status == 404:
                return False
            raise
        comments = body.get("comments") if isinstance(body, dict) else None
        for comment in comments or []:
            dev = comment.get("developerComment") if isinstance(comment, dict) else None
            if isinstance(dev, dict) and str(dev.get("text", "")).strip() == request.text.strip():
                return True
        return False


@register("google_play")
def make_google_play(config: SourceConfig, client: httpx.AsyncClient) -> GooglePlayConnector:
    return GooglePlayConnector(config, client)
