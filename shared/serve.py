"""Runs one service's app under uvicorn: `python -m services.<name>`."""

from __future__ import annotations

import importlib

import uvicorn

from shared.logging import configure_logging, get_logger
from shared.settings import ServiceSettings, enforce_secret_policy, load_settings


def serve(app_module: str, settings_cls: type[ServiceSettings]) -> None:
    """Load settings first (a bad variable stops here, named), then serve."""
    settings = load_settings(settings_cls)
    weak = enforce_secret_policy(settings)  # exits when exposed beyond loopback
    if weak:
        configure_logging(
            service=settings.service_name, level=settings.log_level, json=settings.log_json
        )
        get_logger(__name__).warning(
            "insecure secrets: acceptable on loopback only", problems=weak, host=settings.http_host
        )
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
