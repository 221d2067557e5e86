"""Fake Google Play Developer API reviews (Bearer token, token pagination, :reply) and
Google's OAuth 2.0 token endpoint (refresh-token grant; JWT bearer grant of a service
account, whose RS256 signature it verifies with the account's public key)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi import Request, Response
from fastapi.responses import JSONResponse

from tests.fakes.server import FakePlatform, advertised_wait, json_body

ACCESS_TOKEN = "ya29.test-token"
PACKAGE = "ru.otklik.app"
#: An OAuth client and a refresh token granted the androidpublisher scope.
CLIENT_ID = "1234-test.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-test-secret"
REFRESH_TOKEN = "1//test-refresh-token"
TOKEN_PATH = "/token"
SCOPE = "https://www.googleapis.com/auth/androidpublisher"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _grant_error(description: str, error: str = "invalid_grant") -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=400)


def _err(status: int, state: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": status, "message": message, "status": state}}, status_code=status
    )


WINDOW_S = 7 * 24 * 3600
#: Play's review quotas per app [C]: 200 GET an hour, 2,000 POST (replies) a day.
QUOTAS = {"get": (200, 3600.0), "post": (2000, 86400.0)}


def _modified(review: dict[str, Any]) -> int:
    user = next(c["userComment"] for c in review["comments"] if "userComment" in c)
    return int(user["lastModified"]["seconds"])


def _stamp(when: datetime) -> dict[str, Any]:
    return {"seconds": str(int(when.timestamp())), "nanos": 0}


@dataclass
class FakeGooglePlay(FakePlatform):
    rate: float | None = None
    reviews: dict[str, dict[str, Any]] = field(default_factory=dict)
    replies: list[dict[str, Any]] = field(default_factory=list)
    #: Access tokens the token endpoint issued and that still work.
    issued: list[str] = field(default_factory=list)
    refresh_token: str = REFRESH_TOKEN
    quotas: dict[str, tuple[int, float]] = field(default_factory=lambda: dict(QUOTAS))
    #: Service accounts linked to the app: client_email → public key (PEM).
    service_accounts: dict[str, bytes] = field(default_factory=dict)

    def link_service_account(self, email: str, public_key: rsa.RSAPublicKey) -> None:
        self.service_accounts[email] = public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def _check_assertion(self, assertion: str, audience: str) -> JSONResponse | None:
        """RFC 7523 as Google checks it: RS256 signature by the account's key, `aud` the
        token endpoint, the androidpublisher scope, at most an hour, not expired."""
        try:
            head, body, signature = assertion.split(".")
            header, claims = json.loads(_b64(head)), json.loads(_b64(body))
        except ValueError:
            return _grant_error("Invalid JWT: malformed")
        if header.get("alg") != "RS256":
            return _grant_error("Invalid JWT: alg must be RS256")
        pem = self.service_accounts.get(claims.get("iss", ""))
        if pem is None:
            return _grant_error("Invalid JWT: unknown issuer", "invalid_client")
        key = serialization.load_pem_public_key(pem)
        assert isinstance(key, rsa.RSAPublicKey)
        try:
            key.verify(
                _b64(signature), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature:
            return _grant_error("Invalid JWT Signature.")
        now = time.time()
        if claims.get("aud") != audience:
            return _grant_error("Invalid JWT: Failed audience check.")
        if SCOPE not in str(claims.get("scope", "")).split():
            return _grant_error("Invalid JWT: the androidpublisher scope is missing")
        iat, exp = claims.get("iat", 0), claims.get("exp", 0)
        if not (iat - 60 <= now < exp and exp - iat <= 3600):
            return _grant_error("Invalid JWT: Token must be a short-lived token (60 minutes)")
        return None

    def revoke_access_tokens(self) -> None:
        """Every issued access token stops working (expired or revoked early)."""
        self.issued.clear()

    def add_review(
        self,
        rid: str,
        text: str = "Great app\tWorks fine",
        rating: int = 5,
        when: datetime | None = None,
    ) -> dict[str, Any]:
        when = when or datetime.now(UTC)
        item = {
            "reviewId": rid,
            "authorName": "Alex",
            "comments": [
                {
                    "userComment": {
                        "text": text,
                        "lastModified": _stamp(when),
                        "starRating": rating,
                        "reviewerLanguage": "ru_RU",
                        "device": "a52",
                        "androidOsVersion": 34,
                    }
                }
            ],
        }
        self.reviews[rid] = item
        return item

    def answer_in_cabinet(self, rid: str, text: str) -> None:
        """A person replies in the Play Console (not through the API we drive)."""
        item = self.reviews[rid]
        item["comments"] = [c for c in item["comments"] if "developerComment" not in c]
        item["comments"].append(
            {"developerComment": {"text": text, "lastModified": _stamp(datetime.now(UTC))}}
        )

    def auth_error(self, request: Request) -> Response | None:
        if request.url.path == TOKEN_PATH:  # the client authenticates in the form
            return None
        valid = {f"Bearer {t}" for t in (ACCESS_TOKEN, *self.issued)}
        if request.headers.get("authorization") not in valid:
            return _err(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        return None

    def account(self, request: Request) -> str:
        """Quotas count per app."""
        parts = request.url.path.split("/applications/")
        return parts[1].split("/")[0] if len(parts) > 1 else "default"

    def quota_of(self, request: Request) -> str | None:
        if request.url.path == TOKEN_PATH:
            return None
        return "post" if request.method == "POST" else "get"

    def throttle(self, wait: float) -> Response:
        response = _err(429, "RESOURCE_EXHAUSTED", "Quota exceeded")
        response.headers["Retry-After"] = str(advertised_wait(wait))
        return response

    def _issue(self) -> JSONResponse:
        issued = f"ya29.issued-{len(self.issued) + 1}-{uuid.uuid4().hex[:8]}"
        self.issued.append(issued)
        return JSONResponse(
            {"access_token": issued, "expires_in": 3599, "scope": SCOPE, "token_type": "Bearer"}
        )

    def routes(self) -> None:
        app = self.app

        @app.post(TOKEN_PATH)
        async def token(request: Request) -> Response:
            """Google's OAuth 2.0 token endpoint, refresh-token grant (form encoded)."""
            if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
                return JSONResponse(
                    {"error": "invalid_request", "error_description": "Bad Request"},
                    status_code=400,
                )
            form = await request.form()
            if form.get("grant_type") == JWT_BEARER:
                audience = str(request.url).split("?")[0]
                refused = self._check_assertion(str(form.get("assertion", "")), audience)
                if refused is not None:
                    return refused
                return self._issue()
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                return JSONResponse(
                    {"error": "invalid_client", "error_description": "Unauthorized"},
                    status_code=401,
                )
            if form.get("grant_type") != "refresh_token":
                return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
            if form.get("refresh_token") != self.refresh_token:
                return JSONResponse(
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    },
                    status_code=400,
                )
            return self._issue()

        @app.get("/applications/{package}/reviews")
        async def review_list(package: str, request: Request) -> Response:
            if package != PACKAGE:
                return _err(404, "NOT_FOUND", "Package not found")
            q = request.query_params
            size = int(q.get("maxResults", 10))
            start = int(q["token"].removeprefix("t")) if q.get("token") else 0
            # Play lists only reviews created or modified in about the last 7 days.
            horizon = datetime.now(UTC).timestamp() - WINDOW_S
            # Newest first (by last modification): a reader that meets a page of
            # reviews it already has has seen everything older too.
            items = sorted(
                (r for r in self.reviews.values() if _modified(r) >= horizon),
                key=lambda r: (-_modified(r), r["reviewId"]),
            )
            body: dict[str, Any] = {
                "reviews": items[start : start + size],
                "pageInfo": {
                    "totalResults": len(items),
                    "resultPerPage": size,
                    "startIndex": start,
                },
            }
            if start + size < len(items):
                body["tokenPagination"] = {"nextPageToken": f"t{start + size}"}
            return JSONResponse(body)

        @app.get("/applications/{package}/reviews/{review_id}")
        async def review_get(package: str, review_id: str) -> Response:
            item = self.reviews.get(review_id)
            return JSONResponse(item) if item else _err(404, "NOT_FOUND", "Review not found")

        @app.post("/applications/{package}/reviews/{target}")
        async def reply(package: str, target: str, request: Request) -> Response:
            review_id, _, verb = target.rpartition(":")
            if verb != "reply":
                return _err(404, "NOT_FOUND", "Unknown method")
            item = self.reviews.get(review_id)
            if item is None:
                return _err(404, "NOT_FOUND", "Review not found")
            body = await json_body(request) or {}
            text = body.get("replyText")
            if not isinstance(text, str) or not text:
                return _err(400, "INVALID_ARGUMENT", "replyText is required")
            if len(text) > 350:
                return _err(400, "INVALID_ARGUMENT", "Reply text is too long")
            now = datetime.now(UTC)
            item["comments"] = [c for c in item["comments"] if "developerComment" not in c]
            item["comments"].append(
                {"developerComment": {"text": text, "lastModified": _stamp(now)}}
            )
            self.replies.append({"reviewId": review_id, "replyText": text})
            return JSONResponse({"result": {"replyText": text, "lastEdited": _stamp(now)}})
