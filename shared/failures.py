"""Which failures are the infrastructure's (wait and retry) and which are ours (give up).

A message that fails because the database, the broker or a platform is unreachable is a
good message at a bad time: it must wait, never go to the dead-letter topic. The consumer
runner and the HTTP error handlers both ask `is_infrastructure_error`.
"""

from __future__ import annotations

import asyncpg
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
from sqlalchemy import exc as sa_exc

from shared.connector import ConnectorError

_INFRA_TYPES: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionRefusedError, ConnectionResetError, TimeoutError, socket.gaierror
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,  # connection pool exhausted
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, cannot connect now
    asyncpg.exceptions.TooManyConnectionsError,
    KafkaConnectionError,
    KafkaTimeoutError,
)

#: Base classes under which an outage surfaces (HTTP handlers are registered for these).
DEPENDENCY_ERROR_FAMILIES: tuple[type[Exception], ...] = (
    OSError,
    sa_exc.SQLAlchemyError,
    asyncpg.exceptions.PostgresError,
    asyncpg.exceptions.InterfaceError,
    KafkaError,
    ConnectorError,
)

#: How far the chain of causes is followed (wrappers wrap wrappers).
_CHAIN_DEPTH = 8


def _is_infra(exc: BaseException) -> bool:
    if isinstance(exc, _INFRA_TYPES):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, KafkaError) and getattr(exc, "retriable", False):
        return True
    # A platform that stays unreachable after the connector's own retries.
    return isinstance(exc, ConnectorError) and exc.retryable


def is_infrastructure_error(exc: BaseException) -> bool:
    """True when `exc`, or an exception it wraps, says a dependency is unavailable."""
    seen: set[int] = set()
    current: BaseException | None = exc
    for _ in range(_CHAIN_DEPTH):
        if current is None or id(current) in seen:
            return False
        seen.add(id(current))
        if _is_infra(current):
            return True
        # Only explicit causes (`raise ... from`, SQLAlchemy's `.orig`): an error of ours
        # raised while handling an outage is still ours.
        orig = getattr(current, "orig", None)
        current = current.__cause__ or (orig if isinstance(orig, BaseException) else None)
    return False


def unavailable_dependency(exc: BaseException) -> str:
    """'the broker', 'the database' or 'a dependency': what a 503 may say without details."""
    current: BaseException | None = exc
    for _ in range(_CHAIN_DEPTH):
        if current is None:
            break
        if isinstance(current, KafkaError):
            return "the broker"
        if isinstance(current, sa_exc.SQLAlchemyError | asyncpg.exceptions.PostgresError):
            return "the database"
        named = _named_by_traceback(current)
        if named:
            return named
        orig = getattr(current, "orig", None)
        current = current.__cause__ or (orig if isinstance(orig, BaseException) else None)
    return "a dependency"


_CLIENT_MODULES = {
    "asyncpg": "the database",
    "sqlalchemy": "the database",
    "aiosqlite": "the database",
    "aiokafka": "the broker",
}


def _named_by_traceback(exc: BaseException) -> str | None:
    """A bare OSError (connection refused) says which client raised it only by its frames."""
    tb = exc.__traceback__
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        named = _CLIENT_MODULES.get(module.split(".", 1)[0])
        if named:
            return named
        tb = tb.tb_next
    return None


class Degraded(Exception):
    """A readiness check's answer when the service runs but cannot make progress."""


def describe(exc: BaseException) -> str:
    """`Type: message`, the form DLQ headers, logs and readiness use."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
