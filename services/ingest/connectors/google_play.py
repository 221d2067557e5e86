"""Google Play Developer API reviews (androidpublisher v3, OAuth bearer token).

Play lists only reviews created or modified in about the last 7 days, newest first, and
has no date filter, so a poll sweeps pages (`token` → `tokenPagination.nextPageToken`)
until the first page with nothing new, and dedups by id+revision; a user editing a
review shows up as a new revision. Replies are upserts (`:reply`), so an edit is the
same call. Replies over 350 characters are refused before sending.

Authorisation: Google access tokens live an hour; the connector trades a grant at the
token endpoint for access tokens, renews them before they expire, and once more on a
401. The grant is either Play's documented setup, a service account linked in the Play
Console (credential `service_account_file`, the path of its JSON key file, or
`service_account_json`, the file's content): an RS256-signed JWT assertion, the JWT
bearer flow (RFC 7523); or an OAuth client (`client_id`, `client_secret`) with a
`refresh_token` granted the `androidpublisher` scope. A fixed `access_token` (minted
elsewhere) is also accepted. The key is read and the assertion signed by google-auth's
service-account credentials; the exchange itself goes through the connector's async HTTP
caller (google-auth's own refresh is synchronous). The token URI is the key file's
`token_uri`, or option `token_url` where set.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from google.auth import jwt as google_jwt
from google.auth.exceptions import GoogleAuthError
from google.oauth2 import service_account

from services.ingest.connectors.base import (
    BadItem,
    BadResponse,
    BaseConnector,
    FetchPage,
    SeenMap,
    decode_cursor,
    epoch_dt,
    fetch_page,
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
from shared.rate import window_rate

HORIZON_S = 8 * 24 * 3600  # Play shows ~7 days; remember a day more
TOKEN_URL = "https://oauth2.googleapis.com/token"
#: Renew an access token this long before Google says it expires.
RENEW_BEFORE_S = 120.0
OAUTH_CREDENTIALS = ("client_id", "client_secret", "refresh_token")
SCOPE = "https://www.googleapis.com/auth/androidpublisher"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: An assertion's lifetime; Google accepts at most an hour.
ASSERTION_LIFETIME_S = 3600


#: Play's review quotas per app [C]: 200 GET an hour, and its own 2,000 POST (replies)
#: a day. The buckets' rates keep every hour (day) under the quota, bursts included.
GET_BURST = 2
GET_RATE = window_rate(200, 3600, GET_BURST)
POST_BURST = 20
POST_RATE = window_rate(2000, 86400, POST_BURST)


class GooglePlayConnector(BaseConnector):
    platform = "google_play"
    capabilities = BaseConnector.capabilities | {
        Capability.reply,
        Capability.edit,
        Capability.check,
    }
    default_base_url = "https://androidpublisher.googleapis.com/androidpublisher/v3"
    default_rate = GET_RATE  # the GET bucket; POSTs have theirs
    default_burst = GET_BURST

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
        self.post_http = self.method_http("post", POST_RATE, POST_BURST)
        #: What `:reply` answered, per reply id: the confirmation reuses it (no GET).
        self._replied: dict[str, str] = {}
        self._oauth: PlatformHTTP | None = None
        self._token_expires_at = 0.0
        #: Where the key file says its tokens are issued (Google's endpoint).
        self._key_token_uri = TOKEN_URL
        self._service_account = self._load_service_account()
        if not self.config.credentials.get("access_token"):
            token_url = self.options.get("token_url") or self._key_token_uri
            self._oauth = PlatformHTTP(
                client,
                platform=self.platform,
                base_url=str(token_url),
                policy=self.http.policy,
                clock=self.clock,
            )

    def auth_headers(self) -> dict[str, str]:
        token = self.config.credentials.get("access_token")
        if token:
            return {"Authorization": f"Bearer {token}"}
        if self._has_service_account():
            return {}  # the first call fetches an access token
        missing = [n for n in OAUTH_CREDENTIALS if not self.config.credentials.get(n)]
        if missing:
            raise ConnectorError(
                f"google_play source {self.source_id!r}: give a service account "
                "(credential service_account_file or service_account_json), or credentials "
                f"client_id, client_secret and refresh_token (missing: {', '.join(missing)}), "
                "or a fixed access_token",
                retryable=False,
            )
        return {}  # the first call fetches an access token

    def _has_service_account(self) -> bool:
        creds = self.config.credentials
        return bool(creds.get("service_account_file") or creds.get("service_account_json"))

    def _load_service_account(self) -> service_account.Credentials | None:
        """The service account's credentials from its key file, checked now: a bad key
        stops the source at start with the reason, never with the key's content."""
        creds = self.config.credentials
        path, content = creds.get("service_account_file"), creds.get("service_account_json")
        if not path and not content:
            return None
        where = f"key file {path}" if path else "credential service_account_json"

        def bad(reason: str) -> ConnectorError:
            return ConnectorError(
                f"google_play source {self.source_id!r}: the service-account {where} "
                f"cannot be used: {reason}",
                retryable=False,
            )

        if path:
            try:
                content = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise bad(f"it cannot be read ({type(exc).__name__})") from None
        try:
            info = json.loads(content or "")
        except ValueError:
            raise bad("it is not JSON") from None
        if not isinstance(info, dict) or info.get("type") != "service_account":
            raise bad('it is not a service-account key (its "type" is not "service_account")')
        if self.options.get("token_url"):
            info = {**info, "token_uri": str(self.options["token_url"])}
        if isinstance(info.get("token_uri"), str) and info["token_uri"]:
            self._key_token_uri = info["token_uri"]
        try:
            return service_account.Credentials.from_service_account_info(info, scopes=[SCOPE])
        except (GoogleAuthError, ValueError, TypeError) as exc:
            message = str(exc)
            if "missing fields" not in message:  # the key parser's words may quote the key
                message = "its private_key is not a readable PEM RSA key"
            raise bad(message) from None

    def _assertion(self, account: service_account.Credentials) -> str:
        """The JWT bearer grant's assertion, signed with the service account's key."""
        now = int(time.time())
        payload = {
            "iss": account.service_account_email,
            "scope": SCOPE,
            "aud": self._oauth.base_url if self._oauth else TOKEN_URL,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_S,
        }
        return google_jwt.encode(account.signer, payload).decode()

    async def _authorize(self, *, renew: bool = False) -> None:
        """Have a live access token in the Authorization header (refresh-token grant)."""
        if self._oauth is None:
            return
        if not renew and self.clock.monotonic() < self._token_expires_at:
            return
        creds = self.config.credentials
        if self._service_account is not None:
            form = {"grant_type": JWT_BEARER, "assertion": self._assertion(self._service_account)}
            again = "check the service account's key and its access in the Play Console"
        else:
            form = {
                "grant_type": "refresh_token",
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
                "refresh_token": creds["refresh_token"],
            }
            again = "authorise the source again (client id/secret, refresh token)"
        try:
            _, body = await self._oauth.request("POST", "", form=form)
        except PlatformHTTPError as exc:
            reason = exc.detail
            if isinstance(exc.body, dict) and isinstance(exc.body.get("error"), str):
                reason = f"{exc.body['error']}: {exc.body.get('error_description') or ''}"
            raise ConnectorError(
                f"google_play source {self.source_id!r}: Google refused to issue an access "
                f"token (HTTP {exc.status}: {reason.strip()}); {again}",
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
        fresh = seen.take_new(mentions)
        seen.prune_before(datetime.now(UTC).timestamp() - HORIZON_S)
        if mentions and not fresh:
            # Play lists newest first: a page with nothing new means the older pages
            # hold nothing new either. Stopping here keeps a poll at one GET of the
            # 200 an hour instead of a sweep of every page.
            next_token = None
        if next_token:
            state["token"] = next_token
        else:
            state.pop("token", None)
        return fetch_page(state, fresh, skipped, has_more=bool(next_token), seen=seen)

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
        body = await self._review_call("POST", path, json_body={"replyText": text})
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

    async def _review_call(self, method: str, path: str, **kwargs: Any) -> Any:
        """A call about one review; its 4xx worded for the reply's author (a 404: gone)."""
        try:
            return await self._call(method, path, **kwargs)
        except PlatformHTTPError as exc:
            if exc.status == 404:
                raise ConnectorError(
                    "google_play: the review no longer exists (deleted or older than Play keeps)",
                    retryable=False,
                ) from exc
            raise self.refusal(exc) from exc

    async def _current(self, request: ReplyRequest) -> Mapping[str, Any]:
        """The review as Play shows it now."""
        body = await self._review_call("GET", self._review_path(request))
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
