"""Runs one service's app under uvicorn: `python -m services.<name>`."""

from __future__ import annotations

import importlib

import uvicorn

from shared.settings import ServiceSettings, load_settings


def serve(app_module: str, settings_cls: type[ServiceSettings]) -> None:
    """Load settings first (a bad variable stops here, named), then serve."""
    settings = load_settings(settings_cls)
    module = importlib.import_module(app_module)
    app = module.create_app(settings)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=20,
    )
