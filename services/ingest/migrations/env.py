"""Alembic environment of the ingest database."""

import services.ingest.mention.models
import services.ingest.reply.models
import services.ingest.source.models  # noqa: F401
from services.ingest.db import Base
from shared.db import run_migrations_env

run_migrations_env(Base.metadata)
