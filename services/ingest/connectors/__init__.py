"""Platform connectors. Importing this package registers every platform module in
`shared.connector`'s registry (the poller looks them up by platform name)."""

from services.ingest.connectors import (
    google_play,
    html_monitor,
    ozon,
    rss,
    wildberries,
    yandex_market,
)
from services.ingest.connectors.base import FetchPage
from services.ingest.connectors.http import (
    LIMITERS,
    LimiterRegistry,
    PlatformHTTP,
    RetryPolicy,
    TokenBucket,
)

__all__ = [
    "LIMITERS",
    "FetchPage",
    "LimiterRegistry",
    "PlatformHTTP",
    "RetryPolicy",
    "TokenBucket",
    "google_play",
    "html_monitor",
    "ozon",
    "rss",
    "wildberries",
    "yandex_market",
]
