"""Red flags: stop whatever is going on and point to the right number, now."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import settings
from bot.redflags import red_flag_reply


def _entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value is not None else None


class ActionRedFlag(Action):
    def name(self) -> str:
        return "action_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        cfg = settings.get()
        dispatcher.utter_message(text=red_flag_reply(
            _entity(tracker, "red_flag_kind"), _entity(tracker, "red_flag_tier"),
            cfg.hospice_phone, cfg.emergency_number, cfg.hospice_configured,
            cfg.escalation_order))
        # Stop any form or routine in progress. The routine is ended, not paused: after a
        # red flag nothing offers to go on with the massage (the caregiver can start a new
        # one later, with a new safety check). What the screen found stays in the slots.
        return red_flag_events()


def red_flag_events() -> list[EventType]:
    """What a red flag does to the conversation (the Rasa server's fallback does the same:
    components/server_patches.py, fallback_red_flag)."""
    return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("routine_state", None),
            SlotSet("pending_routine", None)]
