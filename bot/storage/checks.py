"""Input checks for the journal: each returns the cleaned value or raises ValueError.

The messages are plain: they may reach a caregiver through the bot.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bot.storage.records import (
    DURATION_MAX,
    NAME_MAX,
    NOTE_MAX,
    RATINGS,
    ROUTINES,
    SENDER_MAX,
    as_utc,
    utcnow,
)


def sender(sender_id: Any) -> str:
    if not isinstance(sender_id, str) or not sender_id.strip():
        raise ValueError("A conversation id is needed to keep a journal.")
    if len(sender_id) > SENDER_MAX:
        raise ValueError("That conversation id is too long.")
    return sender_id


def routine(routine: Any) -> str:
    value = str(routine or "").strip().lower()
    value = {"hands": "hand", "feet": "foot", "foots": "foot"}.get(value, value)
    if value not in ROUTINES:
        raise ValueError("The routine should be hand, foot or other.")
    return value


def round_int(value: Any, what: str) -> int:
    """A whole number, a float rounded half up (7.5 -> 8)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"{what} should be a number.")
    if isinstance(value, float) and value != value:  # NaN
        raise ValueError(f"{what} should be a number.")
    try:
        return int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    except (ArithmeticError, ValueError) as exc:  # inf and the like
        raise ValueError(f"{what} should be a number.") from exc


def duration(value: Any) -> int | None:
    if value is None:
        return None
    minutes = round_int(value, "The duration")
    if not 1 <= minutes <= DURATION_MAX:
        raise ValueError(f"The duration should be between 1 and {DURATION_MAX} minutes.")
    return minutes


def ratings(values: Mapping[str, Any] | None, when: str) -> dict[str, int | None]:
    out: dict[str, int | None] = dict.fromkeys(RATINGS)
    if values is None:
        return out
    if not isinstance(values, Mapping):
        raise ValueError(f"The {when} ratings should be given by name (comfort, pain, anxiety).")
    for key, raw in values.items():
        name = str(key).strip().lower()
        if name not in RATINGS:
            raise ValueError(f"Unknown rating '{key}': use comfort, pain or anxiety.")
        if raw is None:
            continue
        number = round_int(raw, f"The {name} rating")
        if not 0 <= number <= 10:
            raise ValueError(f"The {name} rating should be between 0 and 10.")
        out[name] = number
    return out


def plain_text(value: Any) -> str:
    """One line of text, spaces collapsed. NUL characters are dropped: PostgreSQL refuses
    them in text ("A string literal cannot contain NUL"), and a caregiver never means one."""
    return " ".join(str(value).replace("\x00", "").split())


def note(note: Any) -> str | None:
    if note is None:
        return None
    text = plain_text(note)
    if not text:
        return None
    return text if len(text) <= NOTE_MAX else text[: NOTE_MAX - 1].rstrip() + "\u2026"


def person_name(person: Any) -> str | None:
    if person is None:
        return None
    name = plain_text(person)
    if not name:
        return None
    if len(name) > NAME_MAX:
        raise ValueError("Please use just a first name or a short nickname.")
    return name


def when(when: Any) -> tuple[datetime, bool]:
    """(UTC start, time_known). Accepts None (now), a datetime, a date or an ISO string."""
    if when is None:
        return utcnow(), True
    if isinstance(when, str):
        text = when.strip()
        try:
            when = datetime.fromisoformat(text) if ("T" in text or " " in text) else (
                date.fromisoformat(text)
            )
        except ValueError as exc:
            raise ValueError("The session time should look like 2024-05-01 or "
                             "2024-05-01T14:30.") from exc
    if isinstance(when, datetime):
        started, known = as_utc(when), True
    elif isinstance(when, date):
        started, known = datetime.combine(when, time(0, 0), tzinfo=timezone.utc), False
    else:
        raise ValueError("The session time should be a date or a date and time.")
    if started > utcnow() + timedelta(days=1):
        raise ValueError("That session time is in the future.")
    return started, known


def _json_default(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=str)
    raise TypeError(type(obj).__name__)


def plain_json(value: Any, what: str) -> Any:
    try:
        return json.loads(json.dumps(value, default=_json_default))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The {what} could not be stored as plain data.") from exc
