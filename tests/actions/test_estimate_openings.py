"""An estimate asked for with the numbers in it uses them, and asks only for what is missing.

The RequestReader (components/request_reader.py) makes such openings `estimate_relief`; the
form reads the ratings from the same message (bot.parsing.extract_ratings).
"""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.estimator import ValidateEstimateForm
from tests.actions.conftest import texts

DOMAIN = {"forms": {"estimate_form": {"required_slots": ["est_pain", "est_anxiety"]}}}


async def run_form(dispatcher, tracker):
    return await ValidateEstimateForm().run(dispatcher, tracker, DOMAIN)


@pytest.mark.parametrize("text, pain, anxiety", [
    ("she rates her pain a 7 and her worry a 5, how much could massage help?", 7.0, 5.0),
    ("pain 4 anxiety 7 what could massage do", 4.0, 7.0),
    ("hes really anxious, id say 9 out of 10, would massage calm him", None, 9.0),
    ("her pain is about a six, would a foot rub ease it", 6.0, None),
])
async def test_the_opening_fills_what_it_gives(dispatcher, tracker_factory, text, pain,
                                               anxiety):
    # an old estimate's numbers are not carried into a new one
    tracker = tracker_factory(text, "estimate_relief",
                              slots={"est_pain": 2.0, "est_anxiety": 2.0})
    events = await run_form(dispatcher, tracker)
    assert events == [SlotSet("est_pain", pain), SlotSet("est_anxiety", anxiety)]
    assert texts(dispatcher) == []


async def test_the_other_rating_given_instead_is_kept_and_the_question_stands(
        dispatcher, tracker_factory):
    tracker = tracker_factory("her worry is a 5", "nlu_fallback",
                              slots={"requested_slot": "est_pain"})
    events = await run_form(dispatcher, tracker)
    assert events == [SlotSet("est_anxiety", 5.0)]  # pain is asked again, not set to 5


async def test_both_given_while_one_is_asked(dispatcher, tracker_factory):
    tracker = tracker_factory("anxiety 8 and pain 6", "nlu_fallback",
                              slots={"requested_slot": "est_pain"})
    events = await run_form(dispatcher, tracker)
    assert events == [SlotSet("est_pain", 6.0), SlotSet("est_anxiety", 8.0)]


@pytest.mark.parametrize("text, value", [("about a 7", 7.0), ("pain is 5 now", 5.0),
                                         ("6", 6.0), ("nine out of ten", 9.0)])
async def test_bare_answers_still_answer_the_question(dispatcher, tracker_factory, text, value):
    tracker = tracker_factory(text, "nlu_fallback", slots={"requested_slot": "est_pain"})
    events = await run_form(dispatcher, tracker)
    assert events == [SlotSet("est_pain", value)]
