"""What flow is in progress, and how to tell the caregiver we are picking it up again.

Used after a digression (a question mid-screen, mid-routine or mid-estimate): the answer is
given, then the caregiver is told where we were, and the flow continues.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common.routine_state import routine_resume_note

FORM_NAMES = {
    "screen_form": "the safety check",
    "estimate_form": "the relief estimate",
    "checkin_form": "today's check-in",
}


def active_form(tracker: Tracker) -> str | None:
    name = (tracker.active_loop or {}).get("name")
    return name if name in FORM_NAMES else None


def resume_note(tracker: Tracker) -> dict[str, Any] | None:
    """A message (text and buttons) that offers to pick up the interrupted flow, or None."""
    form = active_form(tracker)
    if form:
        return {"text": f"Now, back to {FORM_NAMES[form]}.", "buttons": [], "events": []}
    return routine_resume_note(tracker)


def utter_resume(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Tell the caregiver we are picking up the interrupted flow; events that go with it."""
    note = resume_note(tracker)
    if not note:
        return []
    dispatcher.utter_message(text=note["text"], buttons=note.get("buttons") or [])
    return list(note.get("events") or [])


def buttons(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in pairs]
