"""The action server's settings, read from the environment by bot/config.py.

Values are read when asked for (not at import time), so tests can set them per test.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import config
from bot.config import DEFAULT_EMERGENCY_NUMBER, DEFAULT_HOSPICE_PHONE, ESCALATION_ORDERS

__all__ = ["DEFAULT_EMERGENCY_NUMBER", "DEFAULT_HOSPICE_PHONE", "ESCALATION_ORDERS", "Settings",
           "escalation_order", "get"]


@dataclass(frozen=True)
class Settings:
    hospice_phone: str
    emergency_number: str
    journal_db_url: str
    # "hospice_first" (default): for emergencies that are not immediate danger, a configured
    # hospice line is named before emergency services; "emergency_first": never.
    escalation_order: str = config.DEFAULT_ESCALATION_ORDER

    @property
    def hospice_configured(self) -> bool:
        return config.Phones(self.hospice_phone, self.emergency_number).hospice_configured


def get() -> Settings:
    """Every setting of the action server; an unknown ESCALATION_ORDER is a ValueError."""
    phones = config.phones()
    return Settings(
        hospice_phone=phones.hospice_phone,
        emergency_number=phones.emergency_number,
        journal_db_url=config.journal_db_url(),
        escalation_order=config.escalation_order(),
    )


def escalation_order(value: str) -> str:
    """ESCALATION_ORDER, checked: an unknown value is an error, not a silent default."""
    return config.parse_escalation_order(value)
