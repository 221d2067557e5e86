"""JSON logs carry what an operator needs to diagnose a failure (audit M3)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from shared.logging import configure_logging, get_logger


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The service's own configuration, its stderr handler pointed at a buffer."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging(service="logtest", level="INFO", json=True)
    buffer = io.StringIO()
    (handler,) = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def _lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def _explode(depth: int) -> None:
    if depth == 0:
        raise LookupError("queue item 42 vanished")
    _explode(depth - 1)


def test_structlog_exception_has_type_message_and_traceback(
    json_logs: io.StringIO,
) -> None:
    log = get_logger("tests.logging.structlog")
    try:
        _explode(2)
    except LookupError:
        log.exception("consumer loop stopped by an unexpected error", api_token="s3cret")
    (line,) = _lines(json_logs)
    assert line["event"] == "consumer loop stopped by an unexpected error"
    assert line["error_type"] == "LookupError"
    assert line["error_message"] == "queue item 42 vanished"
    trace = str(line["exception"])
    assert "Traceback (most recent call last)" in trace
    assert "_explode" in trace and "LookupError: queue item 42 vanished" in trace
    assert "exc_info" not in line
    assert line["api_token"] == "***" and "s3cret" not in json.dumps(line)


def test_stdlib_exception_is_explained_too(json_logs: io.StringIO) -> None:
    try:
        int("not a number")
    except ValueError:
        logging.getLogger("tests.logging.stdlib").exception("request failed")
    (line,) = _lines(json_logs)
    assert line["error_type"] == "ValueError"
    assert "invalid literal" in str(line["error_message"])
    assert 'int("not a number")' in str(line["exception"])


def test_warning_with_an_exception_object_and_lines_without_one(
    json_logs: io.StringIO,
) -> None:
    log = get_logger("tests.logging.plain")
    log.warning("handler failed", exc_info=ConnectionRefusedError(111, "refused"))
    log.info("all good")
    failed, fine = _lines(json_logs)
    assert failed["error_type"] == "ConnectionRefusedError"
    assert "refused" in str(failed["exception"])
    assert "exception" not in fine and "error_type" not in fine
