"""GET /api/model: which model this instance runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.sentiment.config import SentimentSettings
from services.sentiment.deps import get_settings, require_admin

router = APIRouter(prefix="/api", tags=["model"], dependencies=[Depends(require_admin)])


@router.get("/model")
async def get_model(
    request: Request, settings: Annotated[SentimentSettings, Depends(get_settings)]
) -> dict[str, str]:
    """Which model this instance runs."""
    classifier = request.app.state.classifier
    return {
        "name": classifier.name,
        "backend": classifier.backend,
        "configured_backend": settings.sentiment_backend,
    }
