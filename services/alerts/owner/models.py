"""People, teams and routing rules, stored as one validated, versioned document.

One document rather than many tables: the rules refer to people and teams, and the whole
set is validated together (default owner exists, deputies exist, ...) on every change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer
from sqlalchemy.orm import Mapped, mapped_column

from services.alerts.db import Base
from shared.db import UTCDateTime


class DirectoryDocument(Base):
    __tablename__ = "directory_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
