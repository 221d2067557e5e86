"""Fake Yandex Market Partner API goods-feedback and goods-questions (Api-Key, 420
throttling)."""

from __future__ import annotations

import base64
import email.utils
import math
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from tests.fakes.server import FakePlatform, advertised_wait, json_body

API_KEY = "ym-test-key"
#: Contacts or links that are not to Market (the documented content rule for comments).
FORBIDDEN = re.compile(
    r"(https?://(?!(?:[\w-]+\.)*market\.yandex\.ru)\S+|\+?\d[\d\s()-]{8,}\d|\S+@\S+\.\w+)"
)
BUSINESS_ID = 424242


def _err(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"status": "ERROR", "errors": [{"code": code, "message": message}]}, status_code=status
    )


def six_months_before(moment: datetime) -> datetime:
    """The same day and time six calendar months earlier (the month's last day where
    that month is shorter): the longest `dateTimeFrom`..`dateTimeTo` span Market takes."""
    month = moment.month - 6
    year = moment.year - (1 if month < 1 else 0)
    month = month + 12 if month < 1 else month
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"status": "OK", "result": result})


#: Hourly quotas per method and business, lower tier [C] (`x-resource-limit-config`).
QUOTAS = {
    "list": (5000, 3600.0),
    "comments": (5000, 3600.0),
    "update": (1000, 3600.0),
    "delete": (1000, 3600.0),
    "skip": (500, 3600.0),
}
#: Path endings → quota names (the longest ending first).
_METHODS = (
    ("/goods-feedback/comments/update", "update"),
    ("/goods-feedback/comments/delete", "delete"),
    ("/goods-feedback/comments", "comments"),
    ("/goods-feedback/skip-reaction", "skip"),
    ("/goods-feedback", "list"),
)


@dataclass
class FakeYandexMarket(FakePlatform):
    rate: float | None = None
    #: Throttling is on: more than a method's hourly quota is answered 420.
    quotas: dict[str, tuple[int, float]] = field(default_factory=lambda: dict(QUOTAS))
    feedbacks: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    next_comment_id: int = 1000
    questions: list[dict[str, Any]] = field(default_factory=list)
    #: Answers to questions (every author), each with its `questionId`.
    answers: list[dict[str, Any]] = field(default_factory=list)
    #: Question ids of every answer `goods-questions/update` CREATE carried out.
    answers_created: list[int] = field(default_factory=list)
    #: The body of every goods-feedback list request, in order (the filters asked for).
    feedback_filters: list[dict[str, Any]] = field(default_factory=list)

    def add_feedback(
        self,
        fid: int,
        created: datetime,
        comment: str = "Всё хорошо",
        rating: int = 4,
        **extra: Any,
    ) -> dict[str, Any]:
        item = {
            "feedbackId": fid,
            "createdAt": created.isoformat(),
            "needReaction": True,
            "identifiers": {"orderId": 900000 + fid, "offerId": f"SKU-{fid}"},
            "author": "Анна",
            "description": {"advantages": "Лёгкий", "disadvantages": "Дорогой", "comment": comment},
            "media": {"photos": [], "videos": None},
            "statistics": {
                "rating": rating,
                "commentsCount": 0,
                "recommended": True,
                "paidAmount": 0,
            },
            **extra,
        }
        self.feedbacks.append(item)
        self.feedbacks.sort(key=lambda f: (datetime.fromisoformat(f["createdAt"]), f["feedbackId"]))
        return item

    def answer_in_cabinet(self, fid: int, text: str, author_type: str = "BUSINESS") -> None:
        """A person answers in the seller's cabinet (as the shop or as the brand)."""
        feedback = next(f for f in self.feedbacks if f["feedbackId"] == fid)
        self.next_comment_id += 1
        self.comments.append(
            {
                "id": self.next_comment_id,
                "text": text,
                "canModify": author_type == "BUSINESS",
                "parentId": None,
                "author": {"type": author_type, "name": "Shop"},
                "status": "PUBLISHED",
                "feedbackId": fid,
            }
        )
        feedback["needReaction"] = False
        feedback["statistics"]["commentsCount"] += 1

    def add_buyer_comment(self, fid: int, text: str) -> None:
        """Another buyer comments under a review: counted, but not the seller's answer."""
        feedback = next(f for f in self.feedbacks if f["feedbackId"] == fid)
        self.next_comment_id += 1
        self.comments.append(
            {
                "id": self.next_comment_id,
                "text": text,
                "canModify": False,
                "parentId": None,
                "author": {"type": "USER", "name": "Пётр"},
                "status": "PUBLISHED",
                "feedbackId": fid,
            }
        )
        feedback["statistics"]["commentsCount"] += 1

    def add_question(
        self, qid: int, created: datetime, text: str = "Подойдёт к модели X?"
    ) -> dict[str, Any]:
        item = {
            "questionIdentifiers": {"id": qid, "offerId": f"SKU-{qid}", "categoryId": 91491},
            "businessId": BUSINESS_ID,
            "text": text,
            "createdAt": created.isoformat(),
            "votes": {"likes": 0, "dislikes": 0},
            "author": {"type": "USER", "name": "Ольга"},
        }
        self.questions.append(item)
        self.questions.sort(
            key=lambda q: (datetime.fromisoformat(q["createdAt"]), q["questionIdentifiers"]["id"])
        )
        return item

    def question(self, qid: int) -> dict[str, Any] | None:
        return next((q for q in self.questions if q["questionIdentifiers"]["id"] == qid), None)

    def add_answer(self, qid: int, text: str, author_type: str = "BUSINESS") -> dict[str, Any]:
        """An answer under a question: the seller's (as the shop, brand or vendor) or a
        buyer's (`USER`); the cabinet's answers land here too."""
        self.next_comment_id += 1
        answer = {
            "id": self.next_comment_id,
            "text": text,
            "canModify": author_type == "BUSINESS",
            "author": {"type": author_type, "name": "Shop" if author_type != "USER" else "Иван"},
            "status": "PUBLISHED",
            "questionId": qid,
            "createdAt": datetime.now(UTC).isoformat(),
            "votes": {"likes": 0, "dislikes": 0},
        }
        self.answers.append(answer)
        return answer

    def _needs_answer(self, qid: int) -> bool:
        return not any(
            a["questionId"] == qid
            and a["author"]["type"] != "USER"
            and a["status"] not in ("DELETED", "BANNED")
            for a in self.answers
        )

    def auth_error(self, request: Request) -> Response | None:
        if request.headers.get("api-key") != API_KEY:
            return _err(401, "UNAUTHORIZED", "Api-Key is missing or invalid")
        return None

    def account(self, request: Request) -> str:
        return request.url.path.split("/businesses/")[-1].split("/")[0]

    def quota_of(self, request: Request) -> str | None:
        path = request.url.path
        return next((name for end, name in _METHODS if path.endswith(end)), None)

    def throttle(self, wait: float) -> Response:
        # RFC 822 has whole seconds: round up, one more for the clock edge.
        until = email.utils.formatdate(
            math.ceil(time.time()) + advertised_wait(wait) + 1, usegmt=True
        )
        response = _err(420, "HIT_RATE_LIMIT", "Hit rate limit of 4 parallel requests")
        response.headers["X-RateLimit-Resource-Remaining"] = "0"
        response.headers["X-RateLimit-Resource-Until"] = until
        return response

    def decorate(self, response: Response) -> Response:
        """Every answer carries the quota headers; `-Until` is when the hourly window
        resets (the end of the current hour) unless a throttled answer set it."""
        response.headers.setdefault("X-RateLimit-Resource-Limit", "5000")
        response.headers.setdefault("X-RateLimit-Resource-Remaining", "4999")
        hour_end = (int(time.time()) // 3600 + 1) * 3600
        response.headers.setdefault(
            "X-RateLimit-Resource-Until", email.utils.formatdate(hour_end, usegmt=True)
        )
        return response

    def _business(self, business_id: int) -> Response | None:
        if business_id != BUSINESS_ID:
            return _err(403, "FORBIDDEN", f"no access to business {business_id}")
        return None

    def routes(self) -> None:
        app = self.app

        @app.post("/v2/businesses/{business_id}/goods-feedback")
        @app.post("/businesses/{business_id}/goods-feedback")
        async def feedback_list(business_id: int, request: Request) -> Response:
            if (denied := self._business(business_id)) is not None:
                return denied
            q = request.query_params
            limit = int(q.get("limit", 25))
            if not 1 <= limit <= 50:
                return _err(400, "BAD_REQUEST", "limit must be in 1..50")
            body = await json_body(request) or {}
            self.feedback_filters.append(dict(body))
            items = list(self.feedbacks)
            until = (
                datetime.fromisoformat(body["dateTimeTo"])
                if body.get("dateTimeTo")
                else datetime.now(UTC)
            )
            if body.get("dateTimeFrom"):
                since = datetime.fromisoformat(body["dateTimeFrom"])
                if since < six_months_before(until):
                    # Market: the period between dateTimeFrom and dateTimeTo is at most
                    # six months (the real status code is unverified).
                    return _err(400, "BAD_REQUEST", "period must not exceed 6 months")
                if since >= until:
                    return _err(400, "BAD_REQUEST", "dateTimeFrom must be before dateTimeTo")
                items = [f for f in items if datetime.fromisoformat(f["createdAt"]) > since]
            if body.get("dateTimeTo"):  # both bounds exclusive [C]
                items = [f for f in items if datetime.fromisoformat(f["createdAt"]) < until]
            if body.get("feedbackIds"):
                wanted = set(body["feedbackIds"])
                items = [f for f in items if f["feedbackId"] in wanted]
            if body.get("reactionStatus") == "NEED_REACTION":
                items = [f for f in items if f["needReaction"]]
            token = q.get("pageToken") or q.get("page_token")
            start = int(base64.urlsafe_b64decode(token).decode()) if token else 0
            page = items[start : start + limit]
            paging = {}
            if start + limit < len(items):
                paging["nextPageToken"] = base64.urlsafe_b64encode(
                    str(start + limit).encode()
                ).decode()
            return _ok({"feedbacks": page, "paging": paging})

        @app.post("/v2/businesses/{business_id}/goods-feedback/comments")
        async def comment_list(business_id: int, request: Request) -> Response:
            if (denied := self._business(business_id)) is not None:
                return denied
            body = await json_body(request) or {}
            q = request.query_params
            limit = int(q.get("limit", 50))
            if not 1 <= limit <= 50:
                return _err(400, "BAD_REQUEST", "limit must be in 1..50")
            items = [c for c in self.comments if c["feedbackId"] == body.get("feedbackId")]
            token = q.get("pageToken") or q.get("page_token")
            start = int(base64.urlsafe_b64decode(token).decode()) if token else 0
            paging = {}
            if start + limit < len(items):
                paging["nextPageToken"] = base64.urlsafe_b64encode(
                    str(start + limit).encode()
                ).decode()
            return _ok({"comments": items[start : start + limit], "paging": paging})

        @app.post("/v2/businesses/{business_id}/goods-feedback/comments/update")
        async def update(business_id: int, request: Request) -> Response:
            if (denied := self._business(business_id)) is not None:
                return denied
            body = await json_body(request) or {}
            comment = body.get("comment") or {}
            text = comment.get("text")
            if not isinstance(text, str) or not 1 <= len(text) <= 4096:
                return _err(400, "BAD_REQUEST", "comment.text must be 1..4096 characters")
            if FORBIDDEN.search(text):
                return _err(
                    400,
                    "BAD_REQUEST",
                    "comment.text must not contain shop contacts or links other than to Market",
                )
            feedback = next(
                (f for f in self.feedbacks if f["feedbackId"] == body.get("feedbackId")), None
            )
            if feedback is None:
                return _err(404, "NOT_FOUND", "feedback not found")
            if comment.get("id") is not None:
                existing = next((c for c in self.comments if c["id"] == comment["id"]), None)
                if existing is None or not existing["canModify"]:
                    return _err(400, "BAD_REQUEST", "comment cannot be modified")
                existing["text"] = text
                return _ok(existing)
            self.next_comment_id += 1
            new = {
                "id": self.next_comment_id,
                "text": text,
                "canModify": True,
                "parentId": comment.get("parentId"),
                "author": {"type": "BUSINESS", "name": "Shop"},
                "status": "PUBLISHED",
                "feedbackId": feedback["feedbackId"],
            }
            self.comments.append(new)
            feedback["needReaction"] = False
            feedback["statistics"]["commentsCount"] += 1
            return _ok(new)

        def page_of(
            items: list[Any], request: Request
        ) -> tuple[list[Any], dict[str, str]] | Response:
            q = request.query_params
            limit = int(q.get("limit", 50))
            if not 1 <= limit <= 50:
                return _err(400, "BAD_REQUEST", "limit must be in 1..50")
            token = q.get("pageToken") or q.get("page_token")
            start = int(base64.urlsafe_b64decode(token).decode()) if token else 0
            paging = {}
            if start + limit < len(items):
                paging["nextPageToken"] = base64.urlsafe_b64encode(
                    str(start + limit).encode()
                ).decode()
            return items[start : start + limit], paging

        @app.post("/v1/businesses/{business_id}/goods-questions")
        async def question_list(business_id: int, request: Request) -> Response:
            if (denied := self._business(business_id)) is not None:
                return denied
            body = await json_body(request) or {}
            today = datetime.now(UTC).date()
            date_to = date.fromisoformat(body["dateTo"]) if body.get("dateTo") else today
            date_from = (
                date.fromisoformat(body["dateFrom"])
                if body.get("dateFrom")
                else date_to - timedelta(days=30)
            )
            if (date_to - date_from).days > 31 or date_from > date_to:
                return _err(400, "BAD_REQUEST", "the period must not exceed one month")
            items = [
                q
                for q in self.questions
                if date_from <= datetime.fromisoformat(q["createdAt"]).date() <= date_to
            ]
            if body.get("questionIds"):
                wanted = set(body["questionIds"])
                items = [q for q in self.questions if q["questionIdentifiers"]["id"] in wanted]
            if body.get("needAnswer"):
                items = [q for q in items if self._needs_answer(q["questionIdentifiers"]["id"])]
            if body.get("sort") == "CREATED_AT_DESC":
                items = items[::-1]
            paged = page_of(items, request)
            if isinstance(paged, Response):
                return paged
            page, paging = paged
            return _ok({"questions": page, "paging": paging, "totalCount": len(items)})

        @app.post("/v1/businesses/{business_id}/goods-questions/answers")
        async def answer_list(business_id: int, request: Request) -> Response:
            if (denied := self._business(business_id)) is not None:
                return denied
            body = await json_body(request) or {}
            if self.question(body.get("questionId")) is None:
                return _err(404, "NOT_FOUND", "question not found")
            items = [
                a
                for a in self.answers
                if a["questionId"] == body["questionId"] and a["status"] != "DELETED"
            ]
            paged = page_of(items, request)
            if isinstance(paged, Response):
                return paged
            page, paging = paged
            return _ok({"answers": page, "paging": paging})

        @app.post("/v1/businesses/{business_id}/goods-questions/update")
        async def question_update(business_id: int, request: Request) -> Response:
            if (denied := self._business(business_id)) is not None:
                return denied
            body = await json_body(request) or {}
            operation = body.get("operationType")
            text = body.get("text")
            if operation in ("CREATE", "UPDATE") and (
                not isinstance(text, str) or not 1 <= len(text) <= 5000
            ):
                return _err(400, "BAD_REQUEST", "text must be 1..5000 characters")
            if operation == "CREATE":
                parent = body.get("parentEntityId") or {}
                if parent.get("type") != "QUESTION" or self.question(parent.get("id")) is None:
                    return _err(404, "NOT_FOUND", "question not found")
                self.answers_created.append(parent["id"])
                answer = self.add_answer(parent["id"], text)
                return _ok({"entity": {"id": answer["id"], "type": "ANSWER"}})
            if operation in ("UPDATE", "DELETE"):
                entity = body.get("entityId") or {}
                existing = next((a for a in self.answers if a["id"] == entity.get("id")), None)
                if entity.get("type") != "ANSWER" or existing is None:
                    return _err(404, "NOT_FOUND", "answer not found")
                if not existing["canModify"]:
                    return _err(400, "BAD_REQUEST", "answer cannot be modified")
                if operation == "UPDATE":
                    existing["text"] = text
                else:
                    existing["status"] = "DELETED"
                return JSONResponse({"status": "OK"})
            return _err(400, "BAD_REQUEST", f"unknown operationType {operation!r}")
