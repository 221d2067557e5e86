"""Whose name the drafts sign with: a deployed responder must be told."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.responder.config import ResponderSettings


@pytest.mark.parametrize("host", ["0.0.0.0", "10.1.2.3", "otklik.example", "::"])
def test_refuses_to_start_beyond_loopback_without_a_brand(host):
    with pytest.raises(ValidationError, match="RESPONDER_BRAND is not set"):
        ResponderSettings(http_host=host)
    assert ResponderSettings(http_host=host, responder_brand="Мамина Радость").responder_brand


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_a_local_trial_runs_without_one_and_signs_neutrally(host):
    settings = ResponderSettings(http_host=host)
    assert settings.responder_brand == "" and settings.responder_support_contact == ""


def test_whitespace_is_not_a_brand():
    with pytest.raises(ValidationError, match="RESPONDER_BRAND"):
        ResponderSettings(http_host="0.0.0.0", responder_brand="   ")
