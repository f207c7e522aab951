"""Not understood: first an honest "I don't follow" (with the nearest topics when there are
some), then, if the very next message is not understood either, the menu.

Shared by the fallback and the FAQ (a question the model is unsure of counts as not understood).
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common.flows import buttons
from actions.common.topics import topic_button
from bot.faq import nearest_topics

SLOT = "misunderstood_turn"


def user_turns(tracker: Tracker) -> int:
    return sum(1 for event in tracker.events if event.get("event") == "user")


def not_understood(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Say so kindly; on the second miss in a row, show the menu."""
    turn = user_turns(tracker)
    previous = tracker.get_slot(SLOT)
    if previous is not None and int(previous) == turn - 1:
        dispatcher.utter_message(response="utter_default")
        dispatcher.utter_message(response="utter_menu")
    else:
        text = str((tracker.latest_message or {}).get("text") or "")
        near = nearest_topics(text, k=2)
        if near:
            dispatcher.utter_message(
                text="I'm sorry, I don't have reliable information on that, and I don't want "
                "to guess. These topics may be close, or you could say it another way:",
                buttons=buttons([topic_button(t) for t in near]))
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
    return [SlotSet(SLOT, float(turn))]
