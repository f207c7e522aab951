"""The one module that reads the environment for the action server.

Values are read when asked for (not at import time), so tests can set them per test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_HOSPICE_PHONE = "the 24-hour number your hospice gave you"
DEFAULT_EMERGENCY_NUMBER = "911"


ESCALATION_ORDERS = ("hospice_first", "emergency_first")


@dataclass(frozen=True)
class Settings:
    hospice_phone: str
    emergency_number: str
    journal_db_url: str
    # "hospice_first" (default): for emergencies that are not immediate danger, a configured
    # hospice line is named before emergency services; "emergency_first": never.
    escalation_order: str = "hospice_first"

    @property
    def hospice_configured(self) -> bool:
        return self.hospice_phone != DEFAULT_HOSPICE_PHONE


def get() -> Settings:
    return Settings(
        hospice_phone=os.environ.get("HOSPICE_PHONE", "").strip() or DEFAULT_HOSPICE_PHONE,
        emergency_number=os.environ.get("EMERGENCY_NUMBER", "").strip()
        or DEFAULT_EMERGENCY_NUMBER,
        journal_db_url=os.environ.get("JOURNAL_DB_URL", "").strip()
        or "sqlite:///var/journal.db",
        escalation_order=escalation_order(os.environ.get("ESCALATION_ORDER", "")),
    )


def escalation_order(value: str) -> str:
    """ESCALATION_ORDER, checked: an unknown value is an error, not a silent default."""
    value = value.strip().lower() or "hospice_first"
    if value not in ESCALATION_ORDERS:
        raise ValueError(f"ESCALATION_ORDER must be one of {', '.join(ESCALATION_ORDERS)}, "
                         f"not {value!r}.")
    return value
