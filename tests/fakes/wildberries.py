"""Fake Wildberries feedbacks-api: feedbacks + questions, 3 req/s burst 6 per token."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from tests.fakes.server import FakePlatform, advertised_wait, json_body

TOKEN = "wb-test-token"


def _err(status: int, text: str) -> JSONResponse:
    return JSONResponse(
        {
            "data": None,
            "error": True,
            "errorText": text,
            "additionalErrors": None,
            "requestId": uuid.uuid4().hex,
        },
        status_code=status,
    )


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {
            "title": title,
            "detail": detail,
            "code": uuid.uuid4().hex[:8],
            "requestId": uuid.uuid4().hex,
            "origin": "s2s-api-auth-catalog",
            "status": status,
            "statusText": title,
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        status_code=status,
        media_type="application/problem+json",
    )


def _ok(data: Any) -> JSONResponse:
    return JSONResponse({"data": data, "error": False, "errorText": "", "additionalErrors": None})


def _ts(item: dict[str, Any]) -> float:
    text = item["createdDate"].replace("Z", "+00:00")
    if "." in text:  # nanoseconds
        head, tail = text.split(".", 1)
        digits = "".join(c for c in tail if c.isdigit())
        text = head + "." + digits[:6] + tail[len(digits) :]
    return datetime.fromisoformat(text).timestamp()


@dataclass
class FakeWildberries(FakePlatform):
    rate: float | None = 3.0
    burst: int = 6
    token: str = TOKEN
    feedbacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    answers: list[dict[str, Any]] = field(default_factory=list)
    edits: dict[str, int] = field(default_factory=dict)
    #: The `answer.state` a new answer to a review gets: "wbRu" (shown at once) or
    #: "reviewRequired" (held for WB's moderation until `moderate`).
    answer_state: str = "wbRu"
    #: Reviews WB moved to its archive (answered, unanswered for 30 days, or with
    #: neither text nor photo): listed only by `/api/v1/feedbacks/archive`.
    archive: dict[str, dict[str, Any]] = field(default_factory=dict)

    # seeding ---------------------------------------------------------------------------
    def add_feedback(
        self,
        fid: str,
        created: datetime,
        text: str = "Отличная футболка",
        rating: int = 5,
        **extra: Any,
    ) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": fid,
            "userName": "Иван",
            "text": text,
            "pros": "Удобная",
            "cons": "",
            "productValuation": rating,
            "createdDate": created.isoformat(),
            "state": "none",
            "answer": None,
            "productDetails": {
                "nmId": 123456,
                "imtId": 654321,
                "productName": "Футболка",
                "supplierArticle": "TS-01",
                "supplierName": "ООО Магазин",
                "brandName": "Brand",
                "size": "M",
            },
            "photoLinks": [],
            "video": None,
            "wasViewed": False,
            "matchingSize": "ok",
            "subjectName": "Футболки",
            "parentFeedbackId": None,
            "childFeedbackId": None,
        }
        item.update(extra)
        self.feedbacks[fid] = item
        return item

    def archive_feedback(self, fid: str) -> None:
        """WB archives the review (30 days unanswered, say): it leaves the lists."""
        self.archive[fid] = self.feedbacks.pop(fid)

    def supplement(self, original: str, fid: str, created: datetime, text: str) -> None:
        """The customer adds to their review: a new review with a new id, linked both
        ways to the original (`parentFeedbackId` / `childFeedbackId`)."""
        self.add_feedback(fid, created, text=text, parentFeedbackId=original)
        store = self.feedbacks if original in self.feedbacks else self.archive
        store[original]["childFeedbackId"] = fid

    def add_question(self, qid: str, created: datetime, text: str = "Есть размер XL?") -> None:
        self.questions[qid] = {
            "id": qid,
            "text": text,
            "createdDate": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z",
            "state": "suppliersPortalSynch",
            "answer": None,
            "wasViewed": False,
            "isWarned": False,
            "productDetails": {
                "nmId": 777,
                "imtId": 778,
                "productName": "Кроссовки",
                "supplierArticle": "SN-1",
                "supplierName": "ООО",
                "brandName": "Run",
                "size": "42",
            },
        }

    def answer_in_cabinet(self, item_id: str, text: str, state: str = "wbRu") -> None:
        """A person answers in the seller's cabinet (not through the API we drive)."""
        store = self.feedbacks if item_id in self.feedbacks else self.questions
        store[item_id]["answer"] = {"text": text, "state": state, "editable": True}
        store[item_id]["state"] = "wbRu"

    def moderate(self, item_id: str, verdict: str = "wbRu") -> None:
        """WB's moderation decides on a held answer: "wbRu" (shown) or "rejected"."""
        self.feedbacks[item_id]["answer"]["state"] = verdict

    # platform behaviour ------------------------------------------------------------------
    def auth_error(self, request: Request) -> Response | None:
        value = request.headers.get("authorization", "")
        if value.removeprefix("Bearer ") != self.token:
            return _problem(401, "unauthorized", "token is invalid")
        return None

    def account(self, request: Request) -> str:
        return request.headers.get("authorization", "").removeprefix("Bearer ")

    def throttle(self, wait: float) -> Response:
        response = _problem(
            429, "too many requests", "limited by c122a060-a7fb-4bb4-abb0-32fd4e18d489"
        )
        response.headers["X-Ratelimit-Retry"] = str(advertised_wait(wait))
        response.headers["Retry-After"] = str(advertised_wait(wait))
        response.headers["X-Ratelimit-Limit"] = "6"
        response.headers["X-Ratelimit-Remaining"] = "0"
        return response

    def _list(self, request: Request, store: dict[str, dict[str, Any]], key: str) -> Response:
        q = request.query_params
        if q.get("isAnswered") not in ("true", "false"):
            return _err(400, "Плохой формат isAnswered")
        try:
            take, skip = int(q["take"]), int(q["skip"])
        except (KeyError, ValueError):
            return _err(400, "Плохой формат take/skip")
        limit = 10000 if key == "questions" else 5000
        if (
            not 0 < take <= limit
            or not 0 <= skip <= 199990
            or (key == "questions" and take + skip > 10000)
        ):
            return _err(400, "Некорректные take/skip")
        date_from = q.get("dateFrom")
        if date_from is not None and not date_from.isdigit():
            return _err(400, "Плохой формат dateFrom")
        answered = q["isAnswered"] == "true"
        items = [i for i in store.values() if (i["answer"] is not None) == answered]
        if date_from is not None:
            items = [i for i in items if _ts(i) >= int(date_from)]
        items.sort(key=lambda i: (_ts(i), i["id"]), reverse=q.get("order") == "dateDesc")
        unanswered = sum(1 for i in store.values() if i["answer"] is None)
        return _ok(
            {
                "countUnanswered": unanswered,
                "countArchive": len(store) - unanswered,
                key: items[skip : skip + take],
            }
        )

    def routes(self) -> None:
        app = self.app

        @app.get("/ping")
        async def ping() -> Response:
            return JSONResponse({"TS": datetime.now(UTC).isoformat(), "Status": "OK"})

        @app.get("/api/v1/feedbacks")
        async def feedbacks(request: Request) -> Response:
            return self._list(request, self.feedbacks, "feedbacks")

        @app.get("/api/v1/questions")
        async def questions(request: Request) -> Response:
            return self._list(request, self.questions, "questions")

        @app.get("/api/v1/feedbacks/archive")
        async def archive(request: Request) -> Response:
            q = request.query_params
            try:
                take, skip = int(q["take"]), int(q["skip"])
            except (KeyError, ValueError):
                return _err(400, "Плохой формат take/skip")
            if not 0 < take <= 5000 or not 0 <= skip <= 199990:
                return _err(400, "Некорректные take/skip")
            items = sorted(
                self.archive.values(),
                key=lambda i: (_ts(i), i["id"]),
                reverse=q.get("order") == "dateDesc",
            )
            if q.get("nmId"):
                items = [i for i in items if str(i["productDetails"]["nmId"]) == q["nmId"]]
            return _ok({"feedbacks": items[skip : skip + take]})

        @app.get("/api/v1/feedback")
        async def feedback(id: str = "") -> Response:
            item = self.feedbacks.get(id) or self.archive.get(id)
            # WB answers 422 for an unknown (or deleted) id [C otzyvy.yaml].
            return _ok(item) if item else _err(422, "Невозможно получить отзыв по id")

        @app.get("/api/v1/question")
        async def question(id: str = "") -> Response:
            item = self.questions.get(id)
            return _ok(item) if item else _err(422, "Невозможно получить вопрос по id")

        @app.api_route("/api/v1/feedbacks/answer", methods=["POST", "PATCH"])
        async def answer(request: Request) -> Response:
            if "json" not in request.headers.get("content-type", ""):
                return JSONResponse(
                    {
                        "title": "bad request",
                        "requestId": "x",
                        "origin": "fbapi",
                        "detail": "content-type header not specified",
                    },
                    status_code=400,
                )
            body = await json_body(request)
            if not isinstance(body, dict) or not isinstance(body.get("id"), str):
                return JSONResponse(
                    {"title": "bad request", "origin": "fbapi", "detail": "invalid body"},
                    status_code=400,
                )
            text = body.get("text")
            if not isinstance(text, str) or not 2 <= len(text) <= 5000:
                return _err(400, "Текст ответа должен быть от 2 до 5000 символов")
            self.answers.append({"method": request.method, **body})
            item = self.feedbacks.get(body["id"])
            if item is None:
                return Response(status_code=204)  # WB does not validate the id
            if request.method == "POST" and item["answer"] is not None:
                # The answer exists already: a new one is refused (changes go by PATCH).
                return _err(400, "Ответ на отзыв уже существует")
            if request.method == "PATCH":
                if item["answer"] is None or self.edits.get(item["id"], 0) >= 1:
                    return _err(400, "Редактирование ответа недоступно")
                self.edits[item["id"]] = self.edits.get(item["id"], 0) + 1
            item["answer"] = {
                "text": text,
                "state": self.answer_state,
                "editable": request.method == "POST",
            }
            item["state"] = "wbRu"
            return Response(status_code=204)

        @app.patch("/api/v1/questions")
        async def patch_question(request: Request) -> Response:
            body = await json_body(request)
            if not isinstance(body, dict) or not isinstance(body.get("id"), str):
                return _err(400, "Некорректный запрос")
            item = self.questions.get(body["id"])
            if item is None:
                return _err(404, "Вопрос не найден")
            if "wasViewed" in body:
                item["wasViewed"] = bool(body["wasViewed"])
            if "answer" in body:
                answer = body["answer"]
                if not isinstance(answer, dict) or not isinstance(answer.get("text"), str):
                    return _err(400, "Некорректный ответ")
                self.answers.append({"method": "PATCH", "id": body["id"], "text": answer["text"]})
                item["answer"] = {
                    "text": answer["text"],
                    "editable": True,
                    "createDate": datetime.now(UTC).isoformat(),
                }
                item["state"] = body.get("state", "wbRu")
            return _ok(None)
