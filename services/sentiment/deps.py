"""What the sentiment service's routes are given: the settings, the model, the encoder."""

from __future__ import annotations

from fastapi import Request

from services.sentiment.config import SentimentSettings
from shared.http import require_token


def get_settings(request: Request) -> SentimentSettings:
    settings: SentimentSettings = request.app.state.settings
    return settings


async def require_admin(request: Request) -> None:
    """The services' API token (API_TOKEN), as on every other service's API."""
    await require_token(get_settings(request).api_token.get_secret_value())(request)
