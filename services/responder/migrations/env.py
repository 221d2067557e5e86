"""Alembic environment of the responder database."""

import services.responder.fact.models
import services.responder.insight.models
import services.responder.queue_item.models
import services.responder.staff_sessions  # noqa: F401
from services.responder.db import Base
from shared.db import run_migrations_env

run_migrations_env(Base.metadata)
