"""Which intents a form leaves to the digression rules, and the latest intent."""

from __future__ import annotations

from rasa_sdk import Tracker

# Intents a form leaves to the digression rules when they are not an answer to its question.
DIGRESSION_INTENTS = {
    "faq", "choose_topic", "ask_source", "tell_more", "ask_question", "ask_medication",
    "help", "bot_challenge", "out_of_scope", "other_language", "empty_message",
    "long_message", "thanks", "greet", "red_flag",
    # not digressions, but not answers either: rules end the form kindly
    "stop", "goodbye",
}


def latest_intent(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")
