"""FAQ actions: the right answer, its source, more detail, honesty when unsure, resuming."""

import json

from rasa_sdk.events import SlotSet

from actions.faq import ActionAnswerFaq, ActionFaqMore, ActionFaqSource, ActionListTopics
from bot.faq import load_topics, source_line
from tests.actions.conftest import texts


def selector(topic_id: str, confidence: float = 0.9) -> dict:
    return {"faq": {"response": {"intent_response_key": f"faq/{topic_id}",
                                 "confidence": confidence}}}


async def test_answers_the_selected_topic_with_buttons(dispatcher, tracker_factory):
    tracker = tracker_factory("is it safe with cancer", "faq",
                              response_selector=selector("safe_with_cancer"))
    events = await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert events == [SlotSet("faq_topic", "safe_with_cancer")]
    msg = dispatcher.messages[0]
    assert msg["text"] == load_topics()["safe_with_cancer"].answer
    titles = [b["title"] for b in msg["buttons"]]
    assert "Where is that from?" in titles


async def test_low_confidence_is_honest_not_a_guess(dispatcher, tracker_factory):
    text = "do reiki crystals help her pain"
    tracker = tracker_factory(text, "faq", response_selector=selector("pressure", 0.1),
                              events=[{"event": "user", "text": text}])
    events = await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert events == [SlotSet("misunderstood_turn", 1.0)]
    assert "don't have reliable information" in texts(dispatcher)[0]


async def test_topic_button(dispatcher, tracker_factory):
    tracker = tracker_factory("/choose_topic", "choose_topic",
                              entities=[{"entity": "faq_topic", "value": "how_often"}])
    events = await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert events == [SlotSet("faq_topic", "how_often")]


async def test_source_and_more_follow_the_last_topic(dispatcher, tracker_factory):
    topic = load_topics()["safe_with_cancer"]
    tracker = tracker_factory("where is that from", "ask_source",
                              slots={"faq_topic": "safe_with_cancer"})
    await ActionFaqSource().run(dispatcher, tracker, {})
    assert texts(dispatcher) == [source_line(topic)]
    dispatcher.messages.clear()
    await ActionFaqMore().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0] == (topic.more or texts(dispatcher)[0])


async def test_a_question_mid_form_says_we_go_back(dispatcher, tracker_factory):
    tracker = tracker_factory("how often", "faq", response_selector=selector("how_often"),
                              active_loop="estimate_form")
    await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert texts(dispatcher)[-1] == "Now, back to the relief estimate."


async def test_a_question_mid_routine_offers_to_go_on(dispatcher, tracker_factory):
    state = {"v": 1, "routine_id": "hand", "variant": None, "side": None, "verdict": None,
             "index": 3, "step": "palm", "total": 15, "paused": False, "stopped": False,
             "finished": False}
    tracker = tracker_factory("how often", "faq", response_selector=selector("how_often"),
                              slots={"routine_state": state})
    await ActionAnswerFaq().run(dispatcher, tracker, {})
    last = dispatcher.messages[-1]
    assert "step 4 of 15" in last["text"]
    assert last["buttons"][0]["payload"] == "/routine_command" + json.dumps({"command": "resume"})


async def test_list_topics(dispatcher, tracker_factory):
    await ActionListTopics().run(dispatcher, tracker_factory("questions", "ask_question"), {})
    assert len(dispatcher.messages[0]["buttons"]) >= 4
