"""The connector registry checks what a connector declares against what it implements."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

import services.ingest.connectors  # registers every platform
import services.ingest.demo.source  # noqa: F401
from services.ingest.connectors.base import BaseConnector
from services.ingest.connectors.wildberries import WildberriesConnector
from shared.connector import (
    PROTOCOLS,
    CallStatsReporting,
    Capability,
    ConnectorContractError,
    CredentialExpiring,
    FetchResult,
    HistoryWalking,
    ReplyRequest,
    ReplyResult,
    SourceConfig,
    call_stats_reporting,
    connector_class_of,
    contract_problems,
    credential_expiring,
    factory_for,
    history_walking,
    protocol_methods,
    register,
    registered_platforms,
    replying,
)
from shared.events import MentionKind


class _Fetching:
    platform = "test"
    source_id = "t"

    async def fetch(self, cursor: str | None) -> FetchResult:
        return FetchResult(mentions=[], next_cursor=None)

    async def aclose(self) -> None:
        return None


class ClaimsReplyOnly(_Fetching):
    capabilities = frozenset({Capability.reply})


class ReplyWithoutConfirm(_Fetching):
    capabilities = frozenset({Capability.reply})

    async def post_reply(self, request: ReplyRequest) -> ReplyResult:
        return ReplyResult(None, datetime.now(UTC))


class EditWithoutReply(_Fetching):
    capabilities = frozenset({Capability.edit})


class MonitorClaimingReply(BaseConnector):
    """Inherits the base's refusing post_reply / confirm_reply: that is no implementation."""

    platform = "test-monitor"
    capabilities = BaseConnector.capabilities | {Capability.reply}


def test_a_declared_capability_without_its_methods_is_refused_at_registration() -> None:
    def make(config: SourceConfig, client: httpx.AsyncClient) -> ClaimsReplyOnly:
        return ClaimsReplyOnly()

    with pytest.raises(ConnectorContractError) as info:
        register("test-claims-reply")(make)
    message = str(info.value)
    assert "'test-claims-reply' (ClaimsReplyOnly)" in message
    assert "declares reply but does not implement confirm_reply, post_reply" in message
    assert "test-claims-reply" not in registered_platforms()


def test_each_missing_method_is_named() -> None:
    assert contract_problems(ReplyWithoutConfirm) == [
        "declares reply but does not implement confirm_reply"
    ]
    assert contract_problems(EditWithoutReply) == ["declares edit but not reply"]
    assert contract_problems(MonitorClaimingReply) == [
        "declares reply but does not implement confirm_reply, post_reply"
    ]


def test_capabilities_must_be_declared_as_a_set_of_capabilities() -> None:
    class Undeclared(_Fetching):
        pass

    class Strings(_Fetching):
        capabilities = frozenset({"reply"})

    for cls in (Undeclared, Strings):
        assert contract_problems(cls) == ["`capabilities` must be a frozenset of Capability"]


def test_the_factory_must_say_which_class_it_makes() -> None:
    def untyped(config, client):  # type: ignore[no-untyped-def]
        return ClaimsReplyOnly()

    with pytest.raises(ConnectorContractError, match="annotate the factory"):
        register("test-untyped")(untyped)


def test_every_registered_connector_keeps_its_contract() -> None:
    platforms = registered_platforms()
    assert {"wildberries", "ozon", "yandex_market", "google_play", "rss", "demo"} <= set(platforms)
    for platform in platforms:
        cls = connector_class_of(platform, factory_for(platform))
        assert contract_problems(cls) == [], platform


def test_protocol_methods_are_what_the_registry_checks() -> None:
    assert protocol_methods(PROTOCOLS[Capability.reply]) == ["confirm_reply", "post_reply"]
    assert protocol_methods(HistoryWalking) == ["history_next", "history_start"]
    assert protocol_methods(CredentialExpiring) == [
        "credential_expires_at",
        "credential_warning",
    ]
    assert protocol_methods(CallStatsReporting) == ["call_stats"]


def test_callers_reach_only_declared_capabilities() -> None:
    """Monitors inherit the base's reply methods but do not declare them: no replier."""
    client = httpx.AsyncClient()
    rss = factory_for("rss")(SourceConfig("feed", "rss", options={"url": "https://x/"}), client)
    assert replying(rss) is None and history_walking(rss) is None
    assert credential_expiring(rss) is None and call_stats_reporting(rss) is not None
    wb = factory_for("wildberries")(
        SourceConfig("wb", "wildberries", credentials={"token": "t"}), client
    )
    assert isinstance(wb, WildberriesConnector)
    assert replying(wb) is wb and history_walking(wb) is wb and credential_expiring(wb) is wb
    demo = factory_for("demo")(SourceConfig("demo-1", "demo"), client)
    assert replying(demo) is demo and call_stats_reporting(demo) is None
    assert ReplyRequest("r", "e", MentionKind.review, "t").edit is False
