"""A routine request that says how the person is starts in that variant without asking.

"she doesn't respond any more, how do I do her feet?" arrives as start_routine with the
RequestReader's `routine` and `variant` entities (components/request_reader.py). The safety
check still comes first when none was done today; the variant waits in `routine_variant`.
"""

from __future__ import annotations

import time

import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions.routine import (
    ActionStartPendingRoutine,
    ActionStartRoutine,
    routine_from,
    variant_from,
)
from actions.screen import ActionScreenVerdict
from bot.routines import begin, plan
from bot.screen import verdict_from_dict, verdict_to_dict
from bot.verdict import Level, Verdict
from tests.actions.conftest import after_action, texts

NOW = 1_900_000_000.0
SCREEN_FIRST = "Before we start, a quick safety check: a few yes or no questions."


@pytest.fixture(autouse=True)
def journal_db(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNAL_DB_URL", f"sqlite:///{tmp_path}/journal.db")


def said(routine: str | None = None, variant: str | None = None) -> list[dict]:
    """Entities as the RequestReader adds them to a free-text message."""
    out = []
    if routine:
        out.append({"entity": "routine", "value": routine, "extractor": "RequestReader",
                    "confidence_entity": 1.0})
    if variant:
        out.append({"entity": "variant", "value": variant, "extractor": "RequestReader",
                    "confidence_entity": 1.0})
    return out


def screened_today(level: Level = Level.GENTLE_OK) -> dict:
    return {"screen_verdict": verdict_to_dict(Verdict(level=level, possible="x")),
            "screen_at": time.time()}


def started(routine: str, variant: str, slots: dict) -> list:
    """The events of a routine started in `variant` (as actions.routine.start_routine)."""
    verdict = verdict_from_dict(slots["screen_verdict"])
    state, _ = begin(plan(routine, verdict, None if variant == "standard" else variant))
    return [SlotSet("routine_state", state), SlotSet("pending_routine", None),
            SlotSet("routine_started_at", NOW)]


@pytest.fixture
def frozen_clock(monkeypatch):
    monkeypatch.setattr("actions.routine.time.time", lambda: NOW)


# --- the safety check first -----------------------------------------------------------------

async def test_without_todays_check_the_variant_waits_for_the_check(dispatcher,
                                                                    tracker_factory):
    tracker = tracker_factory("she doesn't respond any more, how do I do her feet?",
                              "start_routine", entities=said("foot", "unconscious"))
    events = await ActionStartRoutine().run(dispatcher, tracker, {})
    assert events == [SlotSet("pending_routine", "foot"),
                      SlotSet("routine_variant", "unconscious"), ActiveLoop("screen_form")]
    assert texts(dispatcher) == [SCREEN_FIRST]


async def test_after_the_check_the_routine_starts_in_the_variant_without_asking(
        dispatcher, tracker_factory):
    # the last safety answer ("no, she's fine") carries a variant too: it must not count
    answers = {f"screen_q_{q}": "no" for q in ("clot_signs", "fever_infection", "bleeding_now",
                                               "bleeds_easily", "fragile_body",
                                               "areas_to_avoid")}
    tracker = tracker_factory("no, she's fine", "deny", entities=said(variant="standard"),
                              slots={**answers, "screen_q_willing_now": "yes",
                                     "pending_routine": "foot",
                                     "routine_variant": "unconscious"})
    events = await ActionScreenVerdict().run(dispatcher, tracker, {})
    assert events[-1] == FollowupAction("action_start_pending_routine")
    followed = after_action(tracker, "action_screen_verdict", events)
    events = await ActionStartPendingRoutine().run(dispatcher, followed, {})
    state = next(e["value"] for e in events if e.get("name") == "routine_state")
    assert state["routine_id"] == "foot" and state["variant"] == "unconscious"
    assert not any("How are they" in t for t in texts(dispatcher))


# --- today's check done: straight in --------------------------------------------------------

@pytest.mark.parametrize("text, intent, routine, variant", [
    ("dad's got dementia, can you walk me through a hand massage", "start_routine", "hand",
     "dementia"),
    ("he's exhausted, just a quick foot rub", "start_routine", "foot", "tired"),
    ("mum's awake and chatty, hand massage please", "start_routine", "hand", "standard"),
    ("she doesn't respond any more, how do I do her feet?", "start_routine", "foot",
     "unconscious"),
])
async def test_a_request_with_the_variant_starts_at_once(dispatcher, tracker_factory,
                                                         frozen_clock, text, intent, routine,
                                                         variant):
    slots = screened_today()
    tracker = tracker_factory(text, intent, entities=said(routine, variant), slots=slots)
    events = await ActionStartRoutine().run(dispatcher, tracker, {})
    assert events == [SlotSet("pending_routine", routine), SlotSet("routine_variant", variant),
                      *started(routine, variant, slots)]
    assert any(t.startswith("Step 1 of ") for t in texts(dispatcher))


async def test_what_is_said_now_beats_the_variant_of_last_time(dispatcher, tracker_factory,
                                                               frozen_clock):
    slots = {**screened_today(), "routine_variant": "standard"}
    tracker = tracker_factory("he's exhausted, just a quick foot rub", "start_routine",
                              entities=said("foot", "tired"), slots=slots)
    events = await ActionStartRoutine().run(dispatcher, tracker, {})
    assert events == [SlotSet("pending_routine", "foot"), SlotSet("routine_variant", "tired"),
                      *started("foot", "tired", slots)]


async def test_with_no_variant_known_it_asks(dispatcher, tracker_factory):
    tracker = tracker_factory("hand massage please", "start_routine", entities=said("hand"),
                              slots=screened_today())
    events = await ActionStartRoutine().run(dispatcher, tracker, {})
    assert events == [SlotSet("pending_routine", "hand")]
    payloads = [b["payload"] for b in dispatcher.messages[-1]["buttons"]]
    assert payloads and all(p.startswith("/choose_variant") for p in payloads)


async def test_a_typed_answer_to_the_variant_question_starts_the_waiting_routine(
        dispatcher, tracker_factory, frozen_clock):
    slots = {**screened_today(), "pending_routine": "foot"}
    tracker = tracker_factory("he's worn out today", "choose_variant",
                              entities=said(variant="tired"), slots=slots)
    events = await ActionStartRoutine().run(dispatcher, tracker, {})
    assert events == [SlotSet("pending_routine", "foot"), SlotSet("routine_variant", "tired"),
                      *started("foot", "tired", slots)]


# --- reading the entities -------------------------------------------------------------------

def test_a_button_beats_the_words(tracker_factory):
    tracker = tracker_factory('/choose_variant{"variant": "standard"}', "choose_variant",
                              entities=[{"entity": "variant", "value": "standard"}]
                              + said(variant="unconscious"))
    assert variant_from(tracker) == "standard"


@pytest.mark.parametrize("intent", ["deny", "affirm", "faq", "nlu_fallback"])
def test_words_outside_a_routine_request_do_not_choose_the_variant(tracker_factory, intent):
    tracker = tracker_factory("no, she's fine", intent, entities=said(variant="standard"))
    assert variant_from(tracker) is None


def test_without_the_reader_the_words_are_still_read(tracker_factory):
    # a model trained before the RequestReader: the action reads the same word lists
    tracker = tracker_factory("she doesn't respond any more, how do I do her feet?",
                              "start_routine")
    assert routine_from(tracker) == "foot" and variant_from(tracker) == "unconscious"


@pytest.mark.parametrize("text, entities, pending, routine", [
    ('/start_routine{"routine": "foot"}', [{"entity": "routine", "value": "foot"}], None,
     "foot"),
    ("she's asleep now", [], "foot", "foot"),  # the answer to "how are they?"
    ("not her feet, her hands please", said("hand"), "foot", "hand"),
    ("let's start", [], None, "hand"),
    ("on the other hand, she's tired", [], "foot", "foot"),
])
def test_routine_from(tracker_factory, text, entities, pending, routine):
    tracker = tracker_factory(text, "start_routine", entities=entities,
                              slots={"pending_routine": pending})
    assert routine_from(tracker) == routine
