"""Red flags: stop whatever is going on and point to the right number, now."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import settings
from bot.redflags import EMERGENCY, describe


def red_flag_message(tier: str, kind: str, label: str, hospice: str, emergency: str) -> str:
    """The escalation text for a red flag, in short plain sentences."""
    if kind == "crisis":
        return (
            "I'm so sorry you're carrying this much. Please call "
            f"{emergency} now, or a crisis line, and tell them how you feel. "
            f"You matter too. Your hospice team can support you as well: {hospice}."
        )
    if kind == "overwhelmed":
        return (
            "That sounds so hard, and you don't have to carry it alone. "
            f"Please call your hospice team now: {hospice}. Supporting you is part of their job. "
            f"If anyone is in danger, call {emergency}."
        )
    if tier == EMERGENCY:
        return (
            f"Please stop the massage now. {label.capitalize()} needs help straight away: "
            f"call {emergency} now. When you can, let the hospice know too: {hospice}."
        )
    return (
        f"Please stop the massage for now. {label.capitalize()} is something the hospice nurse "
        f"should hear about today. Call them now: {hospice}. "
        f"If it gets worse or you're frightened, call {emergency}."
    )


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
        kind = _entity(tracker, "red_flag_kind") or ""
        tier, label = describe(kind)  # an unknown kind errs on the safe side: emergency
        tier = _entity(tracker, "red_flag_tier") or tier
        dispatcher.utter_message(
            text=red_flag_message(tier, kind, label, cfg.hospice_phone, cfg.emergency_number)
        )
        # Stop any form or routine in progress; what was said so far stays in the slots.
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
