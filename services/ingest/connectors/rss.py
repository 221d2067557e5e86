"""RSS / Atom feeds for media mentions: entries matching the brand keywords become
`kind=mention`. Monitor-only: replies raise ReplyNotSupported.

Feeds carry no cursor of their own, so dedup is by entry id (or link) + revision in a
bounded memory kept in our cursor.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import httpx
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from services.ingest.connectors.base import (
    BadItem,
    BaseConnector,
    FetchPage,
    SeenMap,
    decode_cursor,
    epoch_dt,
    fetch_page,
)
from shared.connector import ConnectorError, SourceConfig, register
from shared.events import Mention, MentionKind


def strip_html(value: str) -> str:
    if "<" not in value:
        return " ".join(value.split())
    return " ".join(HTMLParser(value).text(separator=" ").split())


class RssConnector(BaseConnector):
    platform = "rss"
    default_rate = 1.0
    default_burst = 3

    def limiter_account(self) -> str:
        return urlsplit(str(self.option("url"))).netloc

    @property
    def keywords(self) -> list[re.Pattern[str]]:
        raw = self.options.get("keywords") or []
        if isinstance(raw, str):
            raw = [raw]
        return [re.compile(r"(?<!\w)" + re.escape(str(k)) + r"(?!\w)", re.IGNORECASE) for k in raw]

    async def fetch(self, cursor: str | None) -> FetchPage:
        state = decode_cursor(self.platform, cursor)
        seen = SeenMap(state.get("seen"), cap=int(self.options.get("remember", 5000)))
        url = str(self.option("url"))
        response, _ = await self.http.request("GET", url, parse_json=False)
        feed = feedparser.parse(response.content)
        if not feed.entries and (feed.bozo or not feed.version):
            raise ConnectorError(
                f"rss: {url} is not a readable RSS/Atom feed "
                f"({feed.get('bozo_exception') or 'no RSS/Atom root element'})",
                retryable=True,
            )
        patterns = self.keywords
        mentions, skipped = self.map_items([dict(e) for e in feed.entries], self._entry)
        matched = [m for m in mentions if not patterns or any(p.search(m.text) for p in patterns)]
        fresh = seen.take_new(matched)
        return fetch_page(state, fresh, skipped, has_more=False, seen=seen)

    def _entry(self, entry: Mapping[str, Any]) -> Mention:
        ident = entry.get("id") or entry.get("link")
        if not ident:
            raise BadItem("entry has neither id nor link")
        title = strip_html(str(entry.get("title") or ""))
        summary = strip_html(str(entry.get("summary") or ""))
        text = "\n".join(p for p in (title, summary) if p)
        if not text:
            raise BadItem(f"entry {ident!r} has no title or summary")
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        published = epoch_dt(calendar.timegm(when)) if when else datetime.now(UTC)
        return self.mention(
            external_id=str(ident)[:256],
            kind=MentionKind.mention,
            text=text[:20000],
            author=str(entry["author"]) if entry.get("author") else None,
            url=str(entry["link"]) if entry.get("link") else None,
            published_at=published,
        )


@register("rss")
def make_rss(config: SourceConfig, client: httpx.AsyncClient) -> RssConnector:
    return RssConnector(config, client)
