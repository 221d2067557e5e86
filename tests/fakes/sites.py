"""Fake review site (Otzovik-like HTML pages) and a fake RSS/Atom media feed."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse

from tests.fakes.server import FakePlatform

SITE_SELECTORS = {
    "item": "div.review-item",
    "id": "@data-review-id",
    "title": "h3.review-title",
    "text": "div.review-body",
    "pros": ".review-plus",
    "cons": ".review-minus",
    "rating": ".rating@data-value",
    "author": "a.user-login",
    "date": "span.review-date",
    "link": "h3.review-title a@href",
    "next": "a.pager-next@href",
}


@dataclass
class FakeReviewSite(FakePlatform):
    """Newest-first listing, `per_page` reviews a page, a "next" link between pages."""

    reviews: list[dict[str, Any]] = field(default_factory=list)
    per_page: int = 3
    #: The site shows a bot check instead of the listing (Yandex SmartCaptcha-like).
    captcha: bool = False
    #: CSS class of a review block; change it to model a redesign.
    item_class: str = "review-item"

    def add(
        self,
        rid: str,
        title: str,
        body: str,
        rating: int | str = 4,
        date: str = "12.03.2025",
        **extra: Any,
    ) -> dict[str, Any]:
        item = {
            "id": rid,
            "title": title,
            "body": body,
            "rating": rating,
            "date": date,
            "author": "reviewer",
            "plus": "Цена",
            "minus": "Нет",
            **extra,
        }
        self.reviews.insert(0, item)
        return item

    def _render(self, item: dict[str, Any]) -> str:
        e = html.escape
        rid = f' data-review-id="{e(item["id"])}"' if item.get("id") else ""
        link = f'<a href="/review_{e(str(item["id"]))}.html">{e(item["title"])}</a>'
        return "\n".join(
            [
                f'<div class="{self.item_class}"{rid}>',
                f'<h3 class="review-title">{link}</h3>',
                f'<div class="rating" data-value="{e(str(item["rating"]))}">★★★★</div>',
                f'<a class="user-login" href="/profile">{e(item["author"])}</a>',
                f'<span class="review-date">{e(item["date"])}</span>',
                f'<div class="review-plus">{e(item["plus"])}</div>',
                f'<div class="review-minus">{e(item["minus"])}</div>',
                f'<div class="review-body"><p>{e(item["body"])}</p></div>',
                "</div>",
            ]
        )

    def routes(self) -> None:
        @self.app.get("/old/reviews/brand")
        async def moved(request: Request) -> Response:
            """The listing moved (a site's http→https or path change): 301."""
            query = f"?{request.url.query}" if request.url.query else ""
            return Response(status_code=301, headers={"Location": f"/reviews/brand{query}"})

        @self.app.get("/reviews/brand")
        async def page(request: Request, page: int = 1) -> Response:
            if self.captcha:
                return HTMLResponse(
                    "<html><head><title>Ой!</title></head><body>"
                    "<div class='CheckboxCaptcha'>Подтвердите, что запросы отправляли вы, "
                    "а не робот</div><form action='/checkcaptcha'>SmartCaptcha</form>"
                    "</body></html>"
                )
            start = (page - 1) * self.per_page
            chunk = self.reviews[start : start + self.per_page]
            pager = (
                f'<a class="pager-next" href="/reviews/brand?page={page + 1}">Далее</a>'
                if start + self.per_page < len(self.reviews)
                else ""
            )
            items = "".join(self._render(i) for i in chunk)
            return HTMLResponse(f"<html><body><div class='list'>{items}</div>{pager}</body></html>")


@dataclass
class FakeFeed(FakePlatform):
    entries: list[dict[str, Any]] = field(default_factory=list)
    atom: bool = False

    def add(self, guid: str, title: str, summary: str, published: datetime) -> None:
        self.entries.insert(
            0, {"guid": guid, "title": title, "summary": summary, "published": published}
        )

    def routes(self) -> None:
        @self.app.get("/feed.xml")
        async def feed() -> Response:
            e = html.escape
            if self.atom:
                body = "".join(
                    f"<entry><id>{e(i['guid'])}</id><title>{e(i['title'])}</title>"
                    f"<link href='https://news.example/{e(i['guid'])}'/>"
                    f"<updated>{i['published'].isoformat()}</updated>"
                    f"<summary type='html'>{e(i['summary'])}</summary></entry>"
                    for i in self.entries
                )
                xml = f"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>News</title>{body}</feed>"
                return Response(xml, media_type="application/atom+xml")
            body = "".join(
                f"<item><guid>{e(i['guid'])}</guid><title>{e(i['title'])}</title>"
                f"<link>https://news.example/{e(i['guid'])}</link>"
                f"<pubDate>{format_datetime(i['published'])}</pubDate>"
                f"<description>{e(i['summary'])}</description></item>"
                for i in self.entries
            )
            xml = (
                "<?xml version='1.0'?><rss version='2.0'><channel><title>News</title>"
                f"{body}</channel></rss>"
            )
            return Response(xml, media_type="application/rss+xml")
