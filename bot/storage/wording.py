"""Every word the journal says: the chat replies and the text export for the care team.

Both read the same facts (a `Summary` and `SessionRecord`s) and are written here side by side
so they name things the same way: the trend labels, the rating names, "N session(s)",
"N min" and a rating's before-and-after pair all come from the helpers below.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.storage.records import RATING_DIRECTION, RATINGS, SessionRecord, Summary

# The trend labels are `Summary.trend`'s values and also its words in the export.
IMPROVING = "improving"
SAME = "about the same"
HARDER = "harder lately"
NOT_ENOUGH = "not enough data"

# What the chat says for each trend.
TREND_WORDS = {
    IMPROVING: "Lately things look a little easier for them.",
    SAME: "Lately things look about the same.",
    HARDER: "Lately things seem harder for them. It's worth telling the nurse.",
    NOT_ENOUGH: "After a few more sessions I can say how things are going.",
}
RATING_WORDS = {"pain": "pain", "anxiety": "anxiety", "comfort": "comfort"}
CHAT_ARROW = "→"
EXPORT_ARROW = " -> "
EXPORT_MAX_SESSIONS = 100


# -- shared pieces ---------------------------------------------------------------------------


def rating_word(rating: str) -> str:
    return RATING_WORDS.get(rating, rating)


def sessions_count(n: int) -> str:
    """'1 session', '2 sessions'."""
    return f"{n} session{'s' if n != 1 else ''}"


def minutes_text(minutes: int) -> str:
    return f"{minutes} min"


def rating_pair(rating: str, before: int | None, after: int | None, arrow: str) -> str:
    """'pain 6 -> 4'; a missing side is '?'."""
    b = "?" if before is None else before
    a = "?" if after is None else after
    return f"{rating_word(rating)} {b}{arrow}{a}"


# -- chat --------------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def summary_text(summary: Summary) -> str:
    """The chat's answer to "how has it been going?"."""
    if summary.count == 0:
        return ("There's nothing in your journal yet. When you finish a guided massage, "
                "I'll note how it went here.")
    since = summary.first_date.strftime("%-d %B") if summary.first_date else "the start"
    parts = [f"You've logged {sessions_count(summary.count)} since {since}."]
    for rating, change in summary.average_change.items():
        if change is None:
            continue
        direction = "down" if change < 0 else "up" if change > 0 else "unchanged"
        if direction == "unchanged":
            parts.append(f"On average, {rating_word(rating)} stayed the same.")
        else:
            parts.append(f"On average, {rating_word(rating)} went {direction} by "
                         f"{_fmt(abs(change))} after a session.")
    parts.append(TREND_WORDS[summary.trend])
    return " ".join(parts)


def record_line(record: SessionRecord) -> str:
    """One session in the chat's "show my log" list."""
    when = record.started_at.strftime("%-d %b")
    bits = [f"{when}: {record.routine} massage"]
    if record.duration_minutes:
        bits.append(minutes_text(record.duration_minutes))
    # The same ratings, in the same order, as the export (a missing side is "?"), so the chat
    # and the nurse's copy never tell a session differently.
    for rating in RATINGS:
        b, a = record.before.get(rating), record.after.get(rating)
        if b is not None or a is not None:
            bits.append(rating_pair(rating, b, a, CHAT_ARROW))
    if record.note:
        bits.append(record.note)
    return ", ".join(bits)


# -- the text export ---------------------------------------------------------------------------


def fmt_change(value: float | None) -> str:
    if value is None:
        return "no before-and-after pairs yet"
    return f"{value:+.1f}"


def _export_overview(summary: Summary) -> list[str]:
    span = (f"on {summary.first_date}" if summary.first_date == summary.last_date
            else f"from {summary.first_date} to {summary.last_date}")
    lines = [f"Sessions logged: {sessions_count(summary.count)}, {span}"
             + (f", about {summary.total_minutes} minutes in all." if summary.total_minutes
                else "."),
             "Average change from before to after a session (0-10 scale):"]
    for r in RATINGS:
        hint = "higher is better" if RATING_DIRECTION[r] > 0 else "lower is better"
        n = summary.pairs[r]
        extra = f" ({hint}; {sessions_count(n)})" if n else ""
        lines.append(f"  - {rating_word(r)}: {fmt_change(summary.average_change[r])}{extra}")
    lines.append(f"Trend: {summary.trend} (the latest sessions compared with the earlier ones).")
    return lines


def _export_session(rec: SessionRecord) -> list[str]:
    when = (f"{rec.started_at:%Y-%m-%d %H:%M} UTC" if rec.time_known
            else f"{rec.started_at:%Y-%m-%d}")
    head = f"  {when}: {rec.routine}"
    if rec.duration_minutes:
        head += ", " + minutes_text(rec.duration_minutes)
    if rec.person:
        head += f", with {rec.person}"
    parts = [rating_pair(r, rec.before[r], rec.after[r], EXPORT_ARROW)
             for r in RATINGS if rec.before[r] is not None or rec.after[r] is not None]
    if parts:
        head += "; " + ", ".join(parts)
    return [head, f"    note: {rec.note}"] if rec.note else [head]


def export_text(records: Sequence[SessionRecord], summary: Summary, prepared: date) -> str:
    """A plain-text summary the caregiver can share with the nurse or care team.

    `records` are the caregiver's sessions oldest first, `summary` their summary.
    """
    lines = ["Gentle Hands: massage journal",
             f"Prepared {prepared:%Y-%m-%d} (UTC), to share with the care team."]
    if summary.persons:
        lines.append("For: " + ", ".join(summary.persons))
    if not records:
        lines.append("No sessions logged yet.")
        return "\n".join(lines) + "\n"
    lines += _export_overview(summary)
    lines.append("")
    shown = list(reversed(records))[:EXPORT_MAX_SESSIONS]
    lines.append("Sessions, most recent first:")
    for rec in shown:
        lines += _export_session(rec)
    if len(records) > len(shown):
        lines.append(f"  (and {len(records) - len(shown)} earlier sessions)")
    lines.append("")
    lines.append("These are the caregiver's own ratings, not a medical record.")
    return "\n".join(lines) + "\n"
