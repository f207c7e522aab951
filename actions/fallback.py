"""Two-stage fallback: first an honest "I don't follow" (with the nearest topics when there
are some), then, if the very next message is not understood either, the menu.

An NLU fallback and an FAQ question the model is unsure of both count as not understood; the
words are in actions/common/not_understood.py, which the FAQ shares.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common.not_understood import not_understood

NAME = "action_fallback"


class ActionFallback(Action):
    def name(self) -> str:
        return NAME

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        from actions.routine import ActionRoutineStep, routine_wants  # local: import cycle

        if routine_wants(tracker):
            return await ActionRoutineStep().run(dispatcher, tracker, domain)
        return not_understood(dispatcher, tracker)
