"""Two-stage fallback: first an honest "I don't follow" (with the nearest topics when there
are some), then, if the very next message is not understood either, the menu.

An NLU fallback and an FAQ question the model is unsure of both count as not understood; the
words are in actions/common/not_understood.py, which the FAQ shares. A step command or a sign
in the middle of a routine is the routine's, not a miss (components/routine_policy.py).
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
        return not_understood(dispatcher, tracker)
