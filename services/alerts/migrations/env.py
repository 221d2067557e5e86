"""Alembic environment of the alerts database."""

import services.alerts.assignment.models
import services.alerts.crisis.models
import services.alerts.escalation.models
import services.alerts.notification.models
import services.alerts.owner.models
import services.alerts.webhook.models  # noqa: F401
from services.alerts.db import Base
from shared.db import run_migrations_env

run_migrations_env(Base.metadata)
