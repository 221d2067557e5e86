"""What the crisis API takes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CrisisActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Who acts (shown in the crisis's history).
    by: str = "api"
