"""Questions and asides in the middle of a form: answer them, then go back to the form.

Rules in data/rules/digressions.yml run `action_handle_digression` and then the form again,
which asks its question anew.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

# DIGRESSION_INTENTS is imported from here by actions/routine.py, screen.py and estimator.py
# until they import it from actions.common.digressions (tests/actions/test_structure.py).
from actions.common.digressions import DIGRESSION_INTENTS, latest_intent
from actions.common.flows import utter_resume
from actions.common.topics import list_topics

__all__ = ["DIGRESSION_INTENTS", "RESPONSES", "ActionHandleDigression", "latest_intent"]

RESPONSES = {
    "ask_medication": "utter_medication",
    "help": "utter_help",
    "bot_challenge": "utter_bot_challenge",
    "out_of_scope": "utter_out_of_scope",
    "other_language": "utter_other_language",
    "empty_message": "utter_empty",
    "long_message": "utter_long_message",
    "thanks": "utter_thanks",
    "greet": "utter_still_here",
}


class ActionHandleDigression(Action):
    def name(self) -> str:
        return "action_handle_digression"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = latest_intent(tracker)
        response = RESPONSES.get(intent)
        if response:
            dispatcher.utter_message(response=response)
        elif intent == "ask_question":
            list_topics(dispatcher)
        return utter_resume(dispatcher, tracker)
