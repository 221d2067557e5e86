"""Fake Ozon Seller API review and question methods (POST + JSON, Client-Id / Api-Key)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from tests.fakes.server import FakePlatform, json_body

CLIENT_ID = "123456"
API_KEY = "ozon-test-key"


def _err(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "details": []}, status_code=status)


@dataclass
class FakeOzon(FakePlatform):
    rate: float | None = 50.0
    burst: int = 50
    #: Ozon's 429 (code 8) carries no documented Retry-After.
    advertises_wait: bool = False
    subscription: bool = True
    reviews: list[dict[str, Any]] = field(default_factory=list)
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Ozon lists a seller's comment only after moderation; while True (the default, as
    #: on Ozon) new ones wait in `in_moderation` until `pass_moderation`.
    moderating: bool = True
    in_moderation: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    questions: list[dict[str, Any]] = field(default_factory=list)
    #: The seller's answers under each question (`/v1/question/answer/list`).
    answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Every answer `/v1/question/answer/create` carried out, by question id.
    answers_created: list[str] = field(default_factory=list)
    #: Questions a `/v1/question/list` page holds (the request has no limit) and
    #: answers an answer-list page holds.
    question_page: int = 100
    answer_page: int = 20

    def pass_moderation(self) -> None:
        for review_id, held in self.in_moderation.items():
            self.comments.setdefault(review_id, []).extend(held)
        self.in_moderation.clear()

    def answer_in_cabinet(self, review_id: str, text: str) -> None:
        """A person answers in the seller's cabinet: an owner comment (held while
        `moderating`), the review marked processed."""
        review = next(r for r in self.reviews if r["id"] == review_id)
        comment = {
            "id": str(uuid.uuid4()),
            "text": text,
            "is_owner": True,
            "is_official": True,
            "parent_comment_id": "",
            "published_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        target = self.in_moderation if self.moderating else self.comments
        target.setdefault(review_id, []).append(comment)
        review["comments_amount"] += 1
        review["status"] = "PROCESSED"

    def add_review(
        self,
        created: datetime,
        text: str = "Хороший товар",
        rating: int = 4,
        rid: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        item = {
            "id": rid or str(uuid.uuid4()),
            "sku": 1234567890,
            "text": text,
            "rating": rating,
            "published_at": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "status": "UNPROCESSED",
            "order_status": "DELIVERED",
            "is_rating_participant": True,
            "comments_amount": 0,
            "photos_amount": 0,
            "videos_amount": 0,
            **extra,
        }
        self.reviews.append(item)
        self.reviews.sort(key=lambda r: (r["published_at"], r["id"]))
        return item

    def add_question(
        self, created: datetime, text: str = "Есть размер XL?", qid: str | None = None
    ) -> dict[str, Any]:
        item = {
            "id": qid or str(uuid.uuid4()),
            "sku": 1234567890,
            "text": text,
            "author_name": "Мария",
            "published_at": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "status": "NEW",
            "answers_count": 0,
            "product_url": "https://www.ozon.ru/product/1234567890/",
            "question_link": "https://www.ozon.ru/product/1234567890/questions/",
        }
        self.questions.append(item)
        self.questions.sort(key=lambda q: (q["published_at"], q["id"]))
        return item

    def answer_question_in_cabinet(self, question_id: str, text: str) -> None:
        """A person answers the question in the seller's cabinet."""
        question = next(q for q in self.questions if q["id"] == question_id)
        self._add_answer(question, text)

    def _add_answer(self, question: dict[str, Any], text: str) -> dict[str, Any]:
        answer = {
            "id": str(uuid.uuid4()),
            "question_id": question["id"],
            "sku": question["sku"],
            "text": text,
            "author_name": "ООО Магазин",
            "published_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        self.answers.setdefault(question["id"], []).append(answer)
        question["answers_count"] += 1
        question["status"] = "PROCESSED"
        return answer

    def auth_error(self, request: Request) -> Response | None:
        if not request.headers.get("client-id") or not request.headers.get("api-key"):
            return _err(401, 16, "Client-Id and Api-Key headers are required")
        if request.headers["client-id"] != CLIENT_ID or request.headers["api-key"] != API_KEY:
            return _err(401, 16, "Invalid Api-Key, please contact support")
        if not self.subscription and request.url.path.startswith(("/v1/review/", "/v1/question/")):
            return _err(
                403,
                7,
                "rpc error: code = PermissionDenied desc = "
                "not available with existing subscription",
            )
        return None

    def account(self, request: Request) -> str:
        return request.headers.get("client-id", "")

    def throttle(self, wait: float) -> Response:
        return _err(429, 8, "You have reached request rate limit per second")

    def routes(self) -> None:
        app = self.app

        @app.post("/v1/review/list")
        async def review_list(request: Request) -> Response:
            body = await json_body(request)
            if not isinstance(body, dict):
                return _err(400, 3, "invalid JSON body")
            limit = body.get("limit")
            if not isinstance(limit, int) or not 20 <= limit <= 100:
                return _err(
                    400, 3, "invalid ReviewListRequest.Limit: value must be inside range [20, 100]"
                )
            status = body.get("status", "ALL")
            ordered = self.reviews if body.get("sort_dir", "ASC") == "ASC" else self.reviews[::-1]
            start = 0
            if body.get("last_id"):
                ids = [r["id"] for r in ordered]
                if body["last_id"] not in ids:
                    return _err(400, 3, "last_id not found")
                start = ids.index(body["last_id"]) + 1
            rest = [r for r in ordered[start:] if status == "ALL" or r["status"] == status]
            page = rest[:limit]
            return JSONResponse(
                {
                    "has_next": len(rest) > limit,
                    "last_id": page[-1]["id"] if page else "",
                    "reviews": page,
                }
            )

        @app.post("/v1/review/info")
        async def review_info(request: Request) -> Response:
            body = await json_body(request)
            if not isinstance(body, dict) or not body.get("review_id"):
                return _err(400, 3, "review_id is required")
            review = next((r for r in self.reviews if r["id"] == body["review_id"]), None)
            if review is None:
                return _err(404, 5, "review not found")
            return JSONResponse({**review, "likes_amount": 0, "dislikes_amount": 0})

        @app.post("/v1/review/comment/create")
        async def create(request: Request) -> Response:
            body = await json_body(request)
            if not isinstance(body, dict) or not body.get("review_id") or not body.get("text"):
                return _err(400, 3, "review_id and text are required")
            review = next((r for r in self.reviews if r["id"] == body["review_id"]), None)
            if review is None:
                return _err(404, 5, "review not found")
            comment = {
                "id": str(uuid.uuid4()),
                "text": body["text"],
                "is_owner": True,
                "is_official": True,
                "parent_comment_id": body.get("parent_comment_id") or "",
                "published_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            target = self.in_moderation if self.moderating else self.comments
            target.setdefault(review["id"], []).append(comment)
            review["comments_amount"] += 1
            if body.get("mark_review_as_processed"):
                review["status"] = "PROCESSED"
            return JSONResponse({"comment_id": comment["id"]})

        @app.post("/v1/review/comment/list")
        async def comment_list(request: Request) -> Response:
            body = await json_body(request)
            if not isinstance(body, dict) or not body.get("review_id"):
                return _err(400, 3, "review_id is required")
            limit = body.get("limit")
            if not isinstance(limit, int) or not 20 <= limit <= 100:
                return _err(400, 3, "limit must be inside range [20, 100]")
            offset = int(body.get("offset", 0))
            items = self.comments.get(body["review_id"], [])[offset : offset + limit]
            return JSONResponse({"comments": items, "offset": offset + len(items)})

        @app.post("/v1/review/comment/delete")
        async def delete(request: Request) -> Response:
            body = await json_body(request)
            cid = body.get("comment_id") if isinstance(body, dict) else None
            for comments in self.comments.values():
                for comment in comments:
                    if comment["id"] == cid:
                        comments.remove(comment)
                        return JSONResponse({})
            return _err(404, 5, "comment not found")

        def question_of(body: Any) -> dict[str, Any] | None:
            qid = body.get("question_id") if isinstance(body, dict) else None
            return next((q for q in self.questions if q["id"] == qid), None)

        @app.post("/v1/question/list")
        async def question_list(request: Request) -> Response:
            body = await json_body(request)
            if not isinstance(body, dict):
                return _err(400, 3, "invalid JSON body")
            status = (body.get("filter") or {}).get("status") or "ALL"
            if status not in ("NEW", "ALL", "VIEWED", "PROCESSED", "UNPROCESSED"):
                return _err(400, 3, f"invalid filter.status {status!r}")
            start = 0
            if body.get("last_id"):
                ids = [q["id"] for q in self.questions]
                if body["last_id"] not in ids:
                    return _err(400, 3, "last_id not found")
                start = ids.index(body["last_id"]) + 1
            open_ = ("NEW", "VIEWED", "UNPROCESSED")
            rest = [
                q
                for q in self.questions[start:]
                if status == "ALL"
                or q["status"] == status
                or (status == "UNPROCESSED" and q["status"] in open_)
            ]
            page = rest[: self.question_page]
            more = len(rest) > len(page)
            return JSONResponse(
                {"questions": page, "last_id": page[-1]["id"] if more else "", "has_next": more}
            )

        @app.post("/v1/question/info")
        async def question_info(request: Request) -> Response:
            body = await json_body(request)
            if not isinstance(body, dict) or not body.get("question_id"):
                return _err(400, 3, "question_id is required")
            question = question_of(body)
            if question is None:
                return _err(404, 5, "question not found")
            return JSONResponse(question)

        @app.post("/v1/question/answer/list")
        async def answer_list(request: Request) -> Response:
            body = await json_body(request)
            question = question_of(body)
            if question is None:
                return _err(404, 5, "question not found")
            if body.get("sku") != question["sku"]:
                return _err(400, 3, "sku does not match the question")
            items = self.answers.get(question["id"], [])
            start = 0
            if body.get("last_id"):
                ids = [a["id"] for a in items]
                start = ids.index(body["last_id"]) + 1 if body["last_id"] in ids else len(items)
            page = items[start : start + self.answer_page]
            more = start + len(page) < len(items)
            return JSONResponse({"answers": page, "last_id": page[-1]["id"] if more else ""})

        @app.post("/v1/question/answer/create")
        async def answer_create(request: Request) -> Response:
            body = await json_body(request)
            question = question_of(body)
            if question is None:
                return _err(404, 5, "question not found")
            text = body.get("text")
            if not isinstance(text, str) or not 2 <= len(text) <= 3000:
                return _err(400, 3, "text must be 2..3000 characters")
            if body.get("sku") != question["sku"]:
                return _err(400, 3, "sku does not match the question")
            self.answers_created.append(question["id"])
            return JSONResponse({"answer_id": self._add_answer(question, text)["id"]})

        @app.post("/v1/question/answer/delete")
        async def answer_delete(request: Request) -> Response:
            body = await json_body(request)
            aid = body.get("answer_id") if isinstance(body, dict) else None
            for answers in self.answers.values():
                for answer in answers:
                    if answer["id"] == aid and body.get("sku") == answer["sku"]:
                        answers.remove(answer)
                        return JSONResponse({"result": "ok"})
            return _err(404, 5, "answer not found")
