"""FAQ topic buttons, and the list of questions caregivers often ask."""

from __future__ import annotations

import json

from rasa_sdk.executor import CollectingDispatcher

from actions.common.flows import buttons
from bot.faq import Topic, load_topics

POPULAR = ["safe_with_cancer", "unresponsive_person", "how_often", "session_length",
           "pressure", "training"]


def topic_button(topic: Topic) -> tuple[str, str]:
    return topic.title, "/choose_topic" + json.dumps({"faq_topic": topic.id})


def list_topics(dispatcher: CollectingDispatcher) -> None:
    topics = load_topics()
    dispatcher.utter_message(
        text="Here are questions caregivers often ask. Tap one, or type your own.",
        buttons=buttons([topic_button(topics[t]) for t in POPULAR if t in topics]),
    )
