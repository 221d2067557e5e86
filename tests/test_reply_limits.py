"""Reply length limits are defined once: the responder's lint and ingest's connectors
refuse the same texts."""

from __future__ import annotations

import httpx
import pytest

import services.ingest.connectors  # noqa: F401  (registers every platform)
from services.ingest.connectors.base import BaseConnector
from services.responder.lint import lint_reply
from services.responder.lint.policy import DEFAULT_POLICIES
from shared.connector import ConnectorError, SourceConfig, factory_for
from shared.events import MentionKind
from shared.reply_limits import REPLY_LIMITS

CREDENTIALS = {
    "wildberries": {"token": "t"},
    "ozon": {"client_id": "1", "api_key": "k"},
    "yandex_market": {"api_key": "k"},
}
OPTIONS = {"yandex_market": {"business_id": "1"}}


def test_the_lint_policies_start_from_the_shared_limits() -> None:
    for platform, limit in REPLY_LIMITS.items():
        policy = DEFAULT_POLICIES[platform]
        for kind in ("review", "question"):
            low, high = limit.bounds_for(kind)
            assert (policy.min_for(kind), policy.cap_for(kind)) == (low, high), platform
        assert policy.length_unit == limit.length_unit


@pytest.mark.parametrize("platform", ["wildberries", "ozon", "yandex_market"])
@pytest.mark.parametrize("kind", [MentionKind.review, MentionKind.question])
def test_connector_and_lint_agree_at_the_bounds(platform: str, kind: MentionKind) -> None:
    connector = factory_for(platform)(
        SourceConfig(
            "s",
            platform,
            credentials=CREDENTIALS[platform],
            options=OPTIONS.get(platform, {}),
        ),
        httpx.AsyncClient(),
    )
    assert isinstance(connector, BaseConnector)
    low, high = REPLY_LIMITS[platform].bounds_for(kind.value)
    assert high is not None
    policy = DEFAULT_POLICIES[platform]
    for size, ok in ((low - 1, False), (low, True), (high, True), (high + 1, False)):
        text = "a" * size
        lint_errors = [
            i.code for i in lint_reply(text, policy, kind=kind.value) if i.severity == "error"
        ]
        if size == 0:
            lint_errors = ["empty"]
        assert (not lint_errors) == ok, (platform, kind, size, lint_errors)
        if ok:
            connector.check_reply_length(text, kind)
        else:
            with pytest.raises(ConnectorError, match=f"accepts {low}..{high}"):
                connector.check_reply_length(text, kind)
