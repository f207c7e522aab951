"""Questions and asides in the middle of a form: answer them, then go back to the form.

Rules in data/rules/digressions.yml run `action_handle_digression` and then the form again,
which asks its question anew.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import list_topics, utter_resume

# Intents a form leaves to the digression rules when they are not an answer to its question.
DIGRESSION_INTENTS = {
    "faq", "choose_topic", "ask_source", "tell_more", "ask_question", "ask_medication",
    "help", "bot_challenge", "out_of_scope", "other_language", "empty_message",
    "long_message", "thanks", "greet", "red_flag",
    # not digressions, but not answers either: rules end the form kindly
    "stop", "goodbye",
}

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


def latest_intent(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


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
