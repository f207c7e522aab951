"""The journal's vocabulary: its limits, UTC time helpers and the plain records handed back.

No ORM objects escape a unit of work: callers get these frozen dataclasses instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timezone

ROUTINES = ("hand", "foot", "other")
RATINGS = ("comfort", "pain", "anxiety")
# For each rating, +1 when a higher number is better, -1 when lower is better.
RATING_DIRECTION = {"comfort": 1, "pain": -1, "anxiety": -1}
NOTE_MAX = 500
NAME_MAX = 60
SENDER_MAX = 255
DURATION_MAX = 240


def sender_tag(sender_id: str) -> str:
    """A short, stable, non-reversible label for logs (never log the sender id itself)."""
    return hashlib.sha256(str(sender_id).encode("utf-8", "replace")).hexdigest()[:10]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """The same moment, timezone-aware in UTC (a naive datetime is taken as UTC)."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


@dataclass(frozen=True)
class SessionRecord:
    id: int
    routine: str
    started_at: datetime  # UTC; midnight when only the date was given
    time_known: bool
    ended_at: datetime | None
    duration_minutes: int | None
    before: dict[str, int | None]  # {"comfort": .., "pain": .., "anxiety": ..}
    after: dict[str, int | None]
    note: str | None
    person: str | None

    def change(self, rating: str) -> int | None:
        """after minus before for one rating, or None when either is missing."""
        b, a = self.before.get(rating), self.after.get(rating)
        return None if a is None or b is None else a - b


@dataclass(frozen=True)
class Summary:
    count: int
    # Mean of (after - before) per rating over the sessions that have both, one decimal;
    # None when no session has both. Negative pain/anxiety and positive comfort are good.
    average_change: dict[str, float | None]
    pairs: dict[str, int]  # how many sessions had both ratings, per rating
    trend: str  # IMPROVING | SAME | HARDER | NOT_ENOUGH (see wording.py)
    first_date: date | None
    last_date: date | None
    total_minutes: int
    persons: tuple[str, ...]
