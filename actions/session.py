"""Session start: carry slots over and put the configured phone numbers into slots."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import settings


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        cfg = settings.get()
        events: list[EventType] = [SessionStarted()]
        # carry_over_slots_to_new_session is on in domain.yml: keep what the caregiver told us
        for key, value in (tracker.slots or {}).items():
            if value is not None and key not in ("hospice_phone", "emergency_number"):
                events.append(SlotSet(key, value))
        events += [
            SlotSet("hospice_phone", cfg.hospice_phone),
            SlotSet("emergency_number", cfg.emergency_number),
            ActionExecuted("action_listen"),
        ]
        return events
