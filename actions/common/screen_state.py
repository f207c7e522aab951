"""Today's screen result: from the conversation's slots, or from the journal database."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker

from bot.screen import verdict_from_dict
from bot.verdict import Verdict


def start_of_today() -> datetime:
    now = datetime.now(timezone.utc)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


async def todays_verdict(tracker: Tracker) -> Verdict | None:
    """The verdict of a screen run today (UTC), or None: a routine then screens first.
    From the slots when they hold it; else from the journal (off the event loop)."""
    stamp = tracker.get_slot("screen_at")
    data: Any = tracker.get_slot("screen_verdict")
    if isinstance(data, dict) and stamp and float(stamp) >= start_of_today().timestamp():
        return verdict_from_dict(data)
    from actions.common.journal import in_journal  # local: the database only when needed

    since = start_of_today()
    saved = await in_journal(lambda j: j.latest_screen(tracker.sender_id, since=since))
    return verdict_from_dict(saved["verdict"]) if saved else None
