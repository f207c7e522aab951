"""Journal summaries: average before/after change per rating, the trend, counts and dates."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from bot.storage.records import RATING_DIRECTION, RATINGS, SessionRecord, Summary
from bot.storage.wording import HARDER, IMPROVING, NOT_ENOUGH, SAME

# Trend: compare the latest sessions with the earlier ones (see `trend`).
TREND_MIN_SESSIONS = 4
TREND_RECENT = 3
TREND_THRESHOLD = 1.0


def trend(scores: list[float]) -> str:
    """Compare the mean of the latest sessions with the mean of the earlier ones.

    `scores` is one wellbeing score (0-10, higher is better) per session, oldest first. With
    fewer than TREND_MIN_SESSIONS scores: "not enough data". Otherwise the latest
    min(TREND_RECENT, n // 2) sessions are compared with all the earlier ones: a difference of
    at least TREND_THRESHOLD points either way is "improving" or "harder lately", anything
    smaller "about the same".
    """
    if len(scores) < TREND_MIN_SESSIONS:
        return NOT_ENOUGH
    k = min(TREND_RECENT, len(scores) // 2)
    recent, earlier = scores[-k:], scores[:-k]
    diff = sum(recent) / len(recent) - sum(earlier) / len(earlier)
    if diff >= TREND_THRESHOLD:
        return IMPROVING
    if diff <= -TREND_THRESHOLD:
        return HARDER
    return SAME


def wellbeing(rec: SessionRecord) -> float | None:
    """How the person was at a session, 0-10 with higher better.

    Uses the ratings taken before the session (how the day was going), or the after ones when
    no before rating was recorded; pain and anxiety count as 10 minus the rating.
    """
    for side in (rec.before, rec.after):
        values = [
            (v if RATING_DIRECTION[r] > 0 else 10 - v)
            for r, v in side.items()
            if v is not None
        ]
        if values:
            return sum(values) / len(values)
    return None


def summarise(records: Sequence[SessionRecord]) -> Summary:
    """The summary of a caregiver's sessions, given oldest first (see `Journal.summary`)."""
    changes: dict[str, float | None] = {}
    pairs: dict[str, int] = {}
    for r in RATINGS:
        diffs = [c for c in (rec.change(r) for rec in records) if c is not None]
        pairs[r] = len(diffs)
        changes[r] = (
            float(Decimal(str(sum(diffs) / len(diffs))).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP))
            if diffs else None
        )
    scores = [w for w in (wellbeing(rec) for rec in records) if w is not None]
    persons: list[str] = []
    for rec in records:
        if rec.person and rec.person not in persons:
            persons.append(rec.person)
    return Summary(
        count=len(records),
        average_change=changes,
        pairs=pairs,
        trend=trend(scores),
        first_date=records[0].started_at.date() if records else None,
        last_date=records[-1].started_at.date() if records else None,
        total_minutes=sum(rec.duration_minutes or 0 for rec in records),
        persons=tuple(persons),
    )
