"""Autogenerate a migration for one service: `python scripts/make_migration.py ingest "message"`.

Compares the service's models with a scratch SQLite database brought to head.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from shared.db import alembic_config

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    service, message = sys.argv[1], sys.argv[2]
    migrations = ROOT / "services" / service / "migrations"
    with tempfile.TemporaryDirectory() as tmp:
        cfg = alembic_config(migrations, f"sqlite+aiosqlite:///{tmp}/scratch.db")
        command.upgrade(cfg, "head")
        command.revision(cfg, message=message, autogenerate=True)


if __name__ == "__main__":
    main()
