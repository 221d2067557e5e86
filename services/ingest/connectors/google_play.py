"""Google Play Developer API reviews (androidpublisher v3, OAuth bearer token).

Play lists only reviews created or modified in about the last 7 days and has no date
filter, so every poll sweeps all pages (`token` → `tokenPagination.nextPageToken`) and
dedups by id+revision; a user editing a review shows up as a new revision. Replies are
upserts (`:reply`), so an edit is the same call. Replies over 350 characters are
refused before sending.

Authorisation: Google access tokens live an hour, so a source normally gives an OAuth
client (`client_id`, `client_secret`) and a `refresh_token` granted the
`androidpublisher` scope; the connector trades it at the token endpoint for access
tokens, renews them before they expire, and once more on a 401. A fixed
`access_token` (minted elsewhere) is also accepted. Service-account keys would need an
RS256-signed JWT, which needs a crypto library this project does not ship.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

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
    opt_str,
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

HORIZON_S = 8 * 24 * 3600  # Play shows ~7 days; remember a day more
TOKEN_URL = "https://oauth2.googleapis.com/token"
#: Renew an access token this long before Google says it expires.
RENEW_BEFORE_S = 120.0
OAUTH_CREDENTIALS = ("client_id", "client_secret", "refresh_token")


#: Play's reply quota is its own: 2,000 POST a day per app [C], apart from 200 GET/h.
POST_RATE = 2000 / 86400
POST_BURST = 50


class GooglePlayConnector(BaseConnector):
    platform = "google_play"
    capabilities = BaseConnector.capabilities | {
        Capability.reply,
        Capability.edit,
        Capability.check,
    }
    default_base_url = "https://androidpublisher.googleapis.com/androidpublisher/v3"
    default_rate = 200 / 3600  # 200 GET/hour per app (the GET bucket; POSTs have theirs)
    default_burst = 10

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
        #: Replies (POST) draw from the app's daily POST quota, not the hourly GET one.
        self.post_http = PlatformHTTP(
            client,
            platform=self.platform,
            base_url=self.http.base_url,
            headers=self.auth_headers(),
            limiter=self.limiters.get(
                self.platform,
                f"{self.limiter_account()}:post",
                float(self.options.get("post_rate_per_s", POST_RATE)),
                int(self.options.get("post_burst", POST_BURST)),
            ),
            policy=self.http.policy,
            clock=self.clock,
        )
        #: What `:reply` answered, per reply id: the confirmation reuses it (no GET).
        self._replied: dict[str, str] = {}
        self._oauth: PlatformHTTP | None = None
        self._token_expires_at = 0.0
        if not self.config.credentials.get("access_token"):
            self._oauth = PlatformHTTP(
                client,
                platform=self.platform,
                base_url=str(self.options.get("token_url") or TOKEN_URL),
                policy=self.http.policy,
                clock=self.clock,
            )

    def auth_headers(self) -> dict[str, str]:
        token = self.config.credentials.get("access_token")
        if token:
            return {"Authorization": f"Bearer {token}"}
        missing = [n for n in OAUTH_CREDENTIALS if not self.config.credentials.get(n)]
        if missing:
            raise ConnectorError(
                f"google_play source {self.source_id!r}: give credentials client_id, "
                f"client_secret and refresh_token (missing: {', '.join(missing)}), "
                "or a fixed access_token",
                retryable=False,
            )
        return {}  # the first call fetches an access token

    async def _authorize(self, *, renew: bool = False) -> None:
        """Have a live access token in the Authorization header (refresh-token grant)."""
        if self._oauth is None:
            return
        if not renew and self.clock.monotonic() < self._token_expires_at:
            return
        creds = self.config.credentials
        try:
            _, body = await self._oauth.request(
                "POST",
                "",
                form={
                    "grant_type": "refresh_token",
                    "client_id": creds["client_id"],
                    "client_secret": creds["client_secret"],
                    "refresh_token": creds["refresh_token"],
                },
            )
        except PlatformHTTPError as exc:
            reason = exc.detail
            if isinstance(exc.body, dict) and isinstance(exc.body.get("error"), str):
                reason = f"{exc.body['error']}: {exc.body.get('error_description') or ''}"
            raise ConnectorError(
                f"google_play: Google refused to issue an access token (HTTP {exc.status}: "
                f"{reason.strip()}); authorise the source again (client id/secret, "
                "refresh token)",
                retryable=False,
            ) from exc
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise BadResponse(self.platform, "the token endpoint", "'access_token' is missing")
        expires_in = body.get("expires_in", 3600)
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        self._token_expires_at = self.clock.monotonic() + max(0.0, lifetime - RENEW_BEFORE_S)
        self.http.set_header("Authorization", f"Bearer {token}")
        self.post_http.set_header("Authorization", f"Bearer {token}")

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """A Play call with a live token; a 401 renews the token once (revoked early)."""
        await self._authorize()
        http = self.post_http if method == "POST" else self.http
        try:
            return (await http.request(method, path, **kwargs))[1]
        except PlatformHTTPError as exc:
            if exc.status != 401 or self._oauth is None:
                raise
        await self._authorize(renew=True)
        return (await http.request(method, path, **kwargs))[1]

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
        body = await self._call("GET", path, params=params)
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
            answered=_developer_reply(item) is not None,
        )

    def _review_path(self, request: ReplyRequest) -> str:
        if request.kind != MentionKind.review:
            raise ConnectorError("google_play: only reviews can be answered", retryable=False)
        return f"{self.app_path}/reviews/{quote(request.external_id, safe='')}"

    async def post_reply(self, request: ReplyRequest) -> ReplyResult:
        """Create or replace the developer reply (an upsert, so edits are the same call)."""
        text = request.text.strip()
        self.check_reply_length(text, request.kind)
        path = f"{self._review_path(request)}:reply"
        if not request.edit:
            # `:reply` is an upsert: without this read it would overwrite an answer a
            # person wrote in the Play Console while the draft waited.
            existing = _developer_reply(await self._current(request))
            if existing == text:
                return ReplyResult(external_reply_id=None, published_at=datetime.now(UTC))
            if existing is not None:
                raise AlreadyAnswered(self.platform)
        try:
            body = await self._call("POST", path, json_body={"replyText": text})
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
        if isinstance(result.get("replyText"), str):
            if len(self._replied) >= 1000:
                self._replied.pop(next(iter(self._replied)))
            self._replied[request.reply_id] = result["replyText"].strip()
        published = datetime.now(UTC)
        edited = result.get("lastEdited")
        if isinstance(edited, dict):
            try:
                published = epoch_dt(int(edited["seconds"]))
            except (KeyError, TypeError, ValueError):
                pass
        return ReplyResult(external_reply_id=None, published_at=published)

    async def _current(self, request: ReplyRequest) -> Mapping[str, Any]:
        """The review as Play shows it now."""
        try:
            body = await self._call("GET", self._review_path(request))
        except PlatformHTTPError as exc:
            if exc.status == 404:
                raise ConnectorError(
                    "google_play: the review no longer exists (deleted or older than Play keeps)",
                    retryable=False,
                ) from exc
            raise self.refusal(exc) from exc
        if not isinstance(body, dict):
            raise BadResponse(self.platform, self._review_path(request), "body is not an object")
        return body

    async def check_reply(self, request: ReplyRequest) -> ReplyCheck:
        """Right after a post, the `:reply` answer is the confirmation (Play returns
        the stored reply): no GET spent from the 200/h quota. Later, a read."""
        if self._replied.pop(request.reply_id, None) == request.text.strip():
            return ReplyCheck("published")
        return await super().check_reply(request)

    async def confirm_reply(self, request: ReplyRequest) -> bool:
        try:
            body = await self._call("GET", self._review_path(request))
        except PlatformHTTPError as exc:
            if exc.status == 404:
                return False
            raise
        reply = _developer_reply(body) if isinstance(body, dict) else None
        return reply == request.text.strip()


def _developer_reply(review: Mapping[str, Any]) -> str | None:
    """The developer's reply under a review, stripped; None when there is none."""
    comments = review.get("comments")
    for comment in comments if isinstance(comments, list) else []:
        dev = comment.get("developerComment") if isinstance(comment, dict) else None
        if isinstance(dev, dict):
            return str(dev.get("text") or "").strip() or None
    return None


@register("google_play")
def make_google_play(config: SourceConfig, client: httpx.AsyncClient) -> GooglePlayConnector:
    return GooglePlayConnector(config, client)
