"""Two-stage fallback: an honest "I don't follow" first, then the menu."""

from rasa_sdk.events import SlotSet

from actions.fallback import ActionFallback


def user(text: str) -> dict:
    return {"event": "user", "text": text}


async def test_first_miss_asks_to_rephrase(dispatcher, tracker_factory):
    tracker = tracker_factory("blorp", "nlu_fallback", events=[user("blorp")])
    events = await ActionFallback().run(dispatcher, tracker, {})
    assert events == [SlotSet("misunderstood_turn", 1.0)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_rephrase"]


async def test_first_miss_offers_the_nearest_topics_when_there_are_some(dispatcher,
                                                                       tracker_factory):
    text = "something about lotion smells"
    await ActionFallback().run(dispatcher, tracker_factory(text, "nlu_fallback",
                                                           events=[user(text)]), {})
    (msg,) = dispatcher.messages
    assert "don't have reliable information" in msg["text"] and msg["buttons"]


async def test_second_miss_in_a_row_shows_the_menu(dispatcher, tracker_factory):
    tracker = tracker_factory("flarn", "nlu_fallback", events=[user("blorp"), user("flarn")],
                              slots={"misunderstood_turn": 1.0})
    events = await ActionFallback().run(dispatcher, tracker, {})
    assert events == [SlotSet("misunderstood_turn", 2.0)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_default", "utter_menu"]


async def test_after_a_good_turn_it_starts_over(dispatcher, tracker_factory):
    tracker = tracker_factory("flarn", "nlu_fallback",
                              events=[user("blorp"), user("hi"), user("flarn")],
                              slots={"misunderstood_turn": 1.0})
    await ActionFallback().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_rephrase"]
