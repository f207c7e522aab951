"""The one module that reads the environment for the action server.

Values are read when asked for (not at import time), so tests can set them per test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_HOSPICE_PHONE = "the 24-hour number your hospice gave you"
DEFAULT_EMERGENCY_NUMBER = "911"


@dataclass(frozen=True)
class Settings:
    hospice_phone: str
    emergency_number: str
    journal_db_url: str


def get() -> Settings:
    return Settings(
        hospice_phone=os.environ.get("HOSPICE_PHONE", "").strip() or DEFAULT_HOSPICE_PHONE,
        emergency_number=os.environ.get("EMERGENCY_NUMBER", "").strip()
        or DEFAULT_EMERGENCY_NUMBER,
        journal_db_url=os.environ.get("JOURNAL_DB_URL", "").strip()
        or "sqlite:///var/journal.db",
    )
