"""The estimate form takes what was said, re-asks bad numbers with the range, skips unknowns."""

from rasa_sdk.events import SlotSet

from actions.estimator import ActionEstimateRelief, ValidateEstimateForm
from tests.actions.conftest import texts

DOMAIN = {"forms": {"estimate_form": {"required_slots": ["est_pain", "est_anxiety"]}}}


async def run_form(dispatcher, tracker):
    return await ValidateEstimateForm().run(dispatcher, tracker, DOMAIN)


async def test_takes_both_ratings_from_the_first_message(dispatcher, tracker_factory):
    tracker = tracker_factory("estimate relief for pain 6 and anxiety 8", "estimate_relief")
    events = await run_form(dispatcher, tracker)
    assert SlotSet("est_pain", 6.0) in events and SlotSet("est_anxiety", 8.0) in events


async def test_accepts_words_and_fractions(dispatcher, tracker_factory):
    for text, value in [("six", 6.0), ("6/10", 6.0), ("about 7", 7.0)]:
        tracker = tracker_factory(text, "nlu_fallback", slots={"requested_slot": "est_pain"})
        events = await run_form(dispatcher, tracker)
        assert SlotSet("est_pain", value) in events, text


async def test_out_of_range_is_asked_again_with_the_range(dispatcher, tracker_factory):
    for text in ("eleven", "-2", "a lot", "banana"):
        dispatcher.messages.clear()
        tracker = tracker_factory(text, "nlu_fallback", slots={"requested_slot": "est_pain"})
        events = await run_form(dispatcher, tracker)
        assert SlotSet("est_pain", None) in events, text
        assert "0 to 10" in texts(dispatcher)[0]


async def test_dont_know_skips_that_symptom(dispatcher, tracker_factory):
    tracker = tracker_factory("don't know", "unsure", slots={"requested_slot": "est_anxiety"})
    events = await run_form(dispatcher, tracker)
    assert SlotSet("est_anxiety", "skipped") in events


async def test_a_question_is_left_to_the_digression_rules(dispatcher, tracker_factory):
    tracker = tracker_factory("how often should I massage", "faq",
                              slots={"requested_slot": "est_pain"})
    events = await run_form(dispatcher, tracker)
    assert not [e for e in events if e.get("name") == "est_pain"]


async def test_the_estimate_matches_the_reference(dispatcher, tracker_factory):
    events = [{"event": "user", "text": "estimate relief",
               "parse_data": {"intent": {"name": "estimate_relief"}}}]
    tracker = tracker_factory("8", "nlu_fallback", events=events,
                              slots={"est_pain": 6.0, "est_anxiety": 8.0})
    result = await ActionEstimateRelief().run(dispatcher, tracker, {})
    assert result == [SlotSet("est_sessions", 2.0), SlotSet("est_weeks", 2.0)]
    first, framing = texts(dispatcher)
    assert "to about 4" in first and "to about 5" in first and "not a promise" in first
    assert "3.6" not in first and "5.2" not in first  # shown as whole numbers
    # two short lines: whose figure it is (study not traced), then what a trial found
    figure, trial = framing.split("\n")
    assert "could not trace" in figure and "1.9" in trial and "simple touch" in trial


async def test_a_new_schedule_is_applied(dispatcher, tracker_factory):
    tracker = tracker_factory("what about once a week", "estimate_schedule",
                              slots={"est_pain": 6.0, "est_anxiety": "skipped",
                                     "est_sessions": 2.0, "est_weeks": 2.0})
    result = await ActionEstimateRelief().run(dispatcher, tracker, {})
    assert result == [SlotSet("est_sessions", 1.0), SlotSet("est_weeks", 2.0)]
    assert "from 6 to about 5" in texts(dispatcher)[0]  # 4.8, shown whole
    assert "anxiety" not in texts(dispatcher)[0]


async def test_ratings_are_not_read_as_a_schedule(dispatcher, tracker_factory):
    events = [{"event": "user", "text": "estimate relief for pain 6 and anxiety 8",
               "parse_data": {"intent": {"name": "estimate_relief"}}}]
    tracker = tracker_factory("x", "nlu_fallback", events=events,
                              slots={"est_pain": 6.0, "est_anxiety": 8.0})
    result = await ActionEstimateRelief().run(dispatcher, tracker, {})
    assert result == [SlotSet("est_sessions", 2.0), SlotSet("est_weeks", 2.0)]


async def test_a_new_request_starts_afresh(dispatcher, tracker_factory):
    tracker = tracker_factory("estimate relief", "estimate_relief",
                              slots={"est_pain": 6.0, "est_anxiety": 8.0})
    events = await run_form(dispatcher, tracker)
    assert events == [SlotSet("est_pain", None), SlotSet("est_anxiety", None)]
    assert texts(dispatcher) == []
