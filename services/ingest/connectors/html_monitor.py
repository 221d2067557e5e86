"""Review sites without an API (Otzovik / IRecommend-like): an HTML page monitor.

Each site is described by CSS selectors in `options["selectors"]`; a value is either
`"css"` (the element's text) or `"css@attr"` (an attribute; `"@attr"` reads the item
itself). Keys: `item` (required), `id` (required, e.g. `"@data-id"` or `"a.title@href"`),
`text`, `title`, `pros`, `cons`, `rating`, `author`, `date`, `link`, `next`.
A poll walks at most `max_pages` pages from `options["url"]`, following `next`, and stops
early at a page with nothing new. Monitor-only: replies raise ReplyNotSupported.

A monitor must say when it is blind: redirects (http→https, a moved listing) are
followed, and a first page that is a captcha / bot check (`BLOCK_MARKERS`, plus
`options.block_markers`), or that lists no reviews although earlier polls found some
(a changed layout, a block page), is an error naming the reason, so the source turns
unhealthy instead of reporting "0 new reviews" forever. Dates may be ISO, a
`date_format`, or Russian («12 марта 2025», «вчера», «2 дня назад»).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import httpx
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from services.ingest.connectors.base import (
    BadItem,
    BaseConnector,
    FetchPage,
    SeenMap,
    decode_cursor,
    fetch_page,
    parse_dt,
)
from services.ingest.connectors.ru_dates import parse_ru_date
from shared.connector import ConnectorError, SourceConfig, register
from shared.events import Mention, MentionKind, Product

_DIGIT = re.compile(r"\d+(?:[.,]\d+)?")
#: Text of captcha and bot-check pages (lower case): Yandex SmartCaptcha, reCAPTCHA,
#: hCaptcha, Cloudflare, DDoS-Guard, Qrator and their Russian wordings.
BLOCK_MARKERS = (
    "captcha",
    "капча",
    "я не робот",
    "вы не робот",
    "are you a robot",
    "not a robot",
    "проверка браузера",
    "checking your browser",
    "cf-challenge",
    "challenge-platform",
    "ddos-guard",
    "qrator",
    "access denied",
    "доступ ограничен",
)


def select(node: Node, spec: str | None) -> str | None:
    """Text or attribute named by a `css`, `css@attr` or `@attr` spec; None if absent."""
    if not spec:
        return None
    css, _, attr = spec.partition("@")
    target = node.css_first(css.strip()) if css.strip() else node
    if target is None:
        return None
    if attr:
        value = target.attributes.get(attr.strip())
        return value.strip() if value else None
    text = target.text(separator=" ", strip=True)
    return " ".join(text.split()) or None


class HtmlMonitorConnector(BaseConnector):
    platform = "html_monitor"
    default_rate = 1.0
    default_burst = 3

    def limiter_account(self) -> str:
        return urlsplit(str(self.option("url"))).netloc  # politeness per site

    @property
    def selectors(self) -> Mapping[str, str]:
        value = self.option("selectors")
        if not isinstance(value, dict) or "item" not in value or "id" not in value:
            raise ConnectorError(
                "html_monitor: options.selectors must map at least 'item' and 'id'", retryable=False
            )
        return value

    async def fetch(self, cursor: str | None) -> FetchPage:
        state = decode_cursor(self.platform, cursor)
        seen = SeenMap(state.get("seen"), cap=int(self.options.get("remember", 5000)))
        selectors = self.selectors
        max_pages = max(1, int(self.options.get("max_pages", 5)))
        url: str | None = str(self.option("url"))
        fresh: list[Mention] = []
        skipped: list[str] = []
        visited: set[str] = set()
        pages = 0
        while url and pages < max_pages and url not in visited:
            visited.add(url)
            pages += 1
            response, _ = await self.http.request(
                "GET", url, parse_json=False, follow_redirects=True
            )
            tree = HTMLParser(response.text)
            nodes = tree.css(selectors["item"])
            page_url = str(response.url)
            if pages == 1 and not nodes:
                self._blind(response.text, page_url, had_items=bool(state.get("had_items")))
            if nodes:
                state["had_items"] = True
            mentions, bad = self.map_items(
                [{"node": n, "page": page_url} for n in nodes], self._item
            )
            skipped.extend(bad)
            new_here = [m for m in mentions if seen.is_new(m)]
            for m in new_here:
                seen.add(m)
            fresh.extend(new_here)
            if pages > 1 and not new_here:
                break  # newest-first listing: the rest was seen before
            next_href = select(tree.root, selectors.get("next")) if tree.root else None
            url = urljoin(page_url, next_href) if next_href else None
        return fetch_page(state, fresh, skipped, has_more=False, seen=seen)

    def _blind(self, page: str, url: str, *, had_items: bool) -> None:
        """A first page without reviews: a block page, or a layout we no longer read."""
        lowered = page.lower()
        extra = self.options.get("block_markers") or ()
        markers = (*BLOCK_MARKERS, *(str(m).lower() for m in extra))
        found = next((m for m in markers if m in lowered), None)
        if found is not None:
            raise ConnectorError(
                f"html_monitor: {url} answered with a captcha or bot check ({found!r} on the "
                "page): the monitor is blind until the site lets it through",
                retryable=False,
            )
        if had_items:
            raise ConnectorError(
                f"html_monitor: the first page of {url} lists no reviews although earlier "
                f"polls found some (selector {self.selectors['item']!r}): the layout changed "
                "or the site blocks us",
                retryable=False,
            )

    def _item(self, item: Mapping[str, Any]) -> Mention:
        node: Node = item["node"]
        page: str = item["page"]
        sel = self.selectors
        ident = select(node, sel["id"])
        if not ident:
            raise BadItem(f"id selector {sel['id']!r} found nothing")
        title = select(node, sel.get("title"))
        body = select(node, sel.get("text"))
        text = "\n".join(p for p in (title, body) if p)
        if not text:
            raise BadItem(f"review {ident!r} has no text")
        link = select(node, sel.get("link"))
        rating_text = select(node, sel.get("rating"))
        rating = None
        if rating_text and (match := _DIGIT.search(rating_text)):
            value = round(float(match.group().replace(",", ".")))
            rating = value if 1 <= value <= 5 else None
        return self.mention(
            external_id=ident[:256],
            kind=MentionKind.review,
            text=text[:20000],
            pros=select(node, sel.get("pros")),
            cons=select(node, sel.get("cons")),
            rating=rating,
            author=select(node, sel.get("author")),
            product=Product(
                sku=self.options.get("product_sku"),
                name=self.options.get("product_name"),
                brand=self.options.get("brand"),
            ),
            url=urljoin(page, link) if link else page,
            published_at=self._date(select(node, sel.get("date")), ident),
        )

    def _date(self, raw: str | None, ident: str) -> datetime:
        """ISO dates, or `options.date_format` (strptime) in `options.timezone`."""
        if not raw:
            if sel := self.selectors.get("date"):
                raise BadItem(f"review {ident!r}: date selector {sel!r} found nothing")
            return datetime.now(UTC)
        tz = ZoneInfo(str(self.options.get("timezone", "Europe/Moscow")))
        russian = parse_ru_date(raw, datetime.now(UTC), tz)
        if russian is not None:
            return russian
        fmt = self.options.get("date_format")
        if fmt:
            try:
                return datetime.strptime(raw, str(fmt)).replace(tzinfo=tz)
            except ValueError as exc:
                raise BadItem(f"review {ident!r}: date {raw!r} does not match {fmt!r}") from exc
        try:
            parsed = parse_dt(raw, "date")
        except BadItem as exc:
            raise BadItem(f"review {ident!r}: date {raw!r} is neither ISO nor Russian") from exc
        return parsed if "+" in raw or raw.endswith(("Z", "z")) else parsed.replace(tzinfo=tz)


@register("html_monitor")
def make_html_monitor(config: SourceConfig, client: httpx.AsyncClient) -> HtmlMonitorConnector:
    return HtmlMonitorConnector(config, client)
