"""FAQ answers: the topic's answer with its source one message away and related topics.

A step command or a sign in the middle of a routine ("done", "he sighed and relaxed"), however
the classifier read it, never comes here: components/routine_policy.py gives it to the routine.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common.flows import buttons, utter_resume
from actions.common.not_understood import not_understood
from actions.common.topics import list_topics, topic_button
from bot.faq import Topic, load_topics, source_line

# Below this response-selector confidence, an answer would be a guess: say so instead.
MIN_CONFIDENCE = 0.35


def answer_buttons(topic: Topic) -> list[dict[str, str]]:
    topics = load_topics()
    pairs: list[tuple[str, str]] = []
    if topic.more:
        pairs.append(("Tell me more", "/tell_more"))
    pairs.append(("Where is that from?", "/ask_source"))
    pairs += [topic_button(topics[r]) for r in topic.related[:2] if r in topics]
    return buttons(pairs)


def selected_topic(tracker: Tracker) -> tuple[str | None, float]:
    """The topic the caregiver asked about, and how sure the model is."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    if intent == "choose_topic":
        chosen = next(tracker.get_latest_entity_values("faq_topic"), None)
        return (str(chosen), 1.0) if chosen else (None, 0.0)
    response = ((message.get("response_selector") or {}).get("faq") or {}).get("response") or {}
    key = response.get("intent_response_key") or ""
    topic_id = key.split("/", 1)[1] if key.startswith("faq/") else None
    return topic_id, float(response.get("confidence") or 0.0)


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        topics = load_topics()
        topic_id, confidence = selected_topic(tracker)
        if topic_id not in topics or confidence < MIN_CONFIDENCE:
            return not_understood(dispatcher, tracker) + utter_resume(dispatcher, tracker)
        topic = topics[topic_id]
        dispatcher.utter_message(text=topic.answer, buttons=answer_buttons(topic))
        return [SlotSet("faq_topic", topic.id)] + utter_resume(dispatcher, tracker)


class ActionFaqSource(Action):
    def name(self) -> str:
        return "action_faq_source"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        topic = load_topics().get(tracker.get_slot("faq_topic") or "")
        if topic is None:
            dispatcher.utter_message(
                text="Ask me a question first, and I'll tell you which document the answer "
                "comes from."
            )
        else:
            dispatcher.utter_message(text=source_line(topic))
        return utter_resume(dispatcher, tracker)


class ActionFaqMore(Action):
    def name(self) -> str:
        return "action_faq_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        topics = load_topics()
        topic = topics.get(tracker.get_slot("faq_topic") or "")
        if topic is None:
            dispatcher.utter_message(text="What would you like to know more about?")
        elif topic.more:
            related = [topic_button(topics[r]) for r in topic.related[:2] if r in topics]
            dispatcher.utter_message(
                text=topic.more,
                buttons=buttons([("Where is that from?", "/ask_source")] + related),
            )
        else:
            dispatcher.utter_message(
                text="That's all the documents say on this. These topics are close to it:",
                buttons=buttons([topic_button(topics[r]) for r in topic.related if r in topics]),
            )
        return utter_resume(dispatcher, tracker)


class ActionListTopics(Action):
    def name(self) -> str:
        return "action_list_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        list_topics(dispatcher)
        return []
