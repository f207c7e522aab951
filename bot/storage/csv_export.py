"""The journal as CSV: one row per session, oldest first, with a header row."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from bot.storage.records import RATINGS, SessionRecord

COLUMNS = (
    ["date", "time_utc", "routine", "duration_minutes", "person"]
    + [f"{r}_{w}" for r in RATINGS for w in ("before", "after")]
    + ["note"]
)


def csv_safe(value: Any) -> Any:
    """Keep spreadsheet programs from running a note as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def sessions_csv(records: Sequence[SessionRecord]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for rec in records:
        writer.writerow(
            [
                rec.started_at.date().isoformat(),
                f"{rec.started_at:%H:%M}" if rec.time_known else "",
                rec.routine,
                "" if rec.duration_minutes is None else rec.duration_minutes,
                csv_safe(rec.person or ""),
            ]
            + ["" if v is None else v
               for r in RATINGS for v in (rec.before[r], rec.after[r])]
            + [csv_safe(rec.note or "")]
        )
    return buf.getvalue()
