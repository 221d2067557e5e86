"""The ingest database's declarative base (its own metadata, its own migrations)."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
