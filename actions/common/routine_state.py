"""Reading the routine's state from slots (shared by the routine, FAQ and greeting actions)."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from bot.routines import State, resume_message

RESUME = "/routine_command" + json.dumps({"command": "resume"})
STOP = "/routine_command" + json.dumps({"command": "stop"})


def routine_state(tracker: Tracker) -> State | None:
    state = tracker.get_slot("routine_state")
    return state if isinstance(state, dict) and state.get("routine_id") else None


def in_progress(state: State | None) -> bool:
    if not state:
        return False
    return not state.get("finished") and not state.get("stopped")


def routine_resume_note(tracker: Tracker) -> dict[str, Any] | None:
    """"We were on step 4 of 15 of the hand massage. Shall we go on?" with buttons.

    The routine is paused meanwhile, so going on shows the same step again: nothing is skipped.
    """
    state = routine_state(tracker)
    if state is None or not in_progress(state):
        return None
    return {
        "text": resume_message(state),
        "buttons": [{"title": "Go on", "payload": RESUME}, {"title": "Stop", "payload": STOP}],
        "events": [SlotSet("routine_state", {**state, "paused": True})],
    }
