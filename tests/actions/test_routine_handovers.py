"""The safety check hands over to the routine with FollowupAction; no action runs another.

- action_screen_verdict, with a routine waiting and a verdict that allows touch, ends with
  FollowupAction("action_start_pending_routine"): that action starts the routine (or asks how
  the person is), reading the verdict back from the slots the screen just set.
- action_update_screen, a condition told mid-routine with a check today, ends with
  FollowupAction("action_replan_routine"): the routine is planned again under the new verdict.
- action_answer_faq, action_fallback and action_route_answer no longer run the routine's step:
  mid-routine step words and yes / no / stop reach action_routine_step through
  components/routine_policy.py (tests/components/test_routine_policy.py).
"""

from __future__ import annotations

import time

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions.common.handovers import REPLAN_ROUTINE, START_PENDING_ROUTINE
from actions.fallback import ActionFallback
from actions.faq import ActionAnswerFaq
from actions.routine import (
    RESTART,
    ActionReplanRoutine,
    ActionRouteAnswer,
    ActionStartPendingRoutine,
)
from actions.screen import ActionScreenVerdict, ActionUpdateScreen, all_findings, clear_answers
from bot.menus import VARIANT_QUESTION
from bot.routines import begin, plan
from bot.routines import verdict_from_dict as state_verdict
from bot.screen import Finding, finding_to_dict, screen, verdict_from_dict, verdict_to_dict
from bot.verdict import Level, Verdict
from tests.actions.conftest import after_action, texts

NOW = 1_900_000_000.0
NOS = {f"screen_q_{q}": "no" for q in ("clot_signs", "fever_infection", "bleeding_now",
                                       "bleeds_easily", "fragile_body", "areas_to_avoid")}
ALL_CLEAR = {**NOS, "screen_q_willing_now": "yes"}


@pytest.fixture(autouse=True)
def journal_db(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNAL_DB_URL", f"sqlite:///{tmp_path}/journal.db")


@pytest.fixture
def frozen_clock(monkeypatch):
    monkeypatch.setattr("actions.routine.time.time", lambda: NOW)
    monkeypatch.setattr("actions.screen.time.time", lambda: NOW)


def todays(level: Level = Level.GENTLE_OK) -> dict:
    return {"screen_verdict": verdict_to_dict(Verdict(level=level, possible="x")),
            "screen_at": time.time()}


def started(routine: str, variant: str, slots: dict) -> list:
    """The events of a routine started in `variant` (as actions.routine.start_routine)."""
    verdict = verdict_from_dict(slots["screen_verdict"])
    state, _ = begin(plan(routine, verdict, None if variant == "standard" else variant))
    return [SlotSet("routine_state", state), SlotSet("pending_routine", None),
            SlotSet("routine_started_at", NOW)]


def in_progress_state(routine: str = "hand", index: int = 3, **flags) -> dict:
    verdict = verdict_from_dict(todays()["screen_verdict"])
    state, _ = begin(plan(routine, verdict, None))
    return {**state, "index": index, **flags}


# --- the verdict hands over ------------------------------------------------------------------

async def test_the_verdict_hands_over_to_the_waiting_routine(dispatcher, tracker_factory,
                                                             frozen_clock):
    tracker = tracker_factory("no", "deny", slots={**ALL_CLEAR, "pending_routine": "hand",
                                                   "routine_variant": "standard"})
    findings = all_findings(tracker)
    events = await ActionScreenVerdict().run(dispatcher, tracker, {})
    assert events == [
        SlotSet("screen_verdict", verdict_to_dict(screen(findings))),
        SlotSet("screen_at", NOW),
        SlotSet("screen_findings", [finding_to_dict(f) for f in findings]),
        *clear_answers(),
        FollowupAction("action_start_pending_routine"),
    ]
    (verdict,) = texts(dispatcher)  # the verdict alone: the routine speaks in its own turn
    assert verdict.startswith("Thank you, that's all I need to know.")


async def test_no_routine_waiting_no_hand_over(dispatcher, tracker_factory):
    tracker = tracker_factory("no", "deny", slots=ALL_CLEAR)
    events = await ActionScreenVerdict().run(dispatcher, tracker, {})
    assert not [e for e in events if e.get("event") == "followup"]
    assert "pending_routine" not in [e.get("name") for e in events]


async def test_do_not_massage_drops_the_waiting_routine_without_a_hand_over(dispatcher,
                                                                            tracker_factory):
    tracker = tracker_factory("yes", "affirm", slots={**ALL_CLEAR, "screen_q_bleeding_now": "yes",
                                                      "pending_routine": "foot"})
    events = await ActionScreenVerdict().run(dispatcher, tracker, {})
    assert events[-1] == SlotSet("pending_routine", None)
    assert not [e for e in events if e.get("event") == "followup"]


# --- action_start_pending_routine ------------------------------------------------------------

async def test_the_waiting_routine_starts_under_the_saved_verdict(dispatcher, tracker_factory,
                                                                  frozen_clock):
    tracker = tracker_factory("no", "deny", slots={**ALL_CLEAR, "pending_routine": "foot",
                                                   "routine_variant": "tired"})
    verdict_events = await ActionScreenVerdict().run(dispatcher, tracker, {})
    followed = after_action(tracker, "action_screen_verdict", verdict_events)
    dispatcher.messages.clear()
    events = await ActionStartPendingRoutine().run(dispatcher, followed, {})
    assert events == started("foot", "tired", followed.slots)
    said = texts(dispatcher)
    assert said[1].startswith("Before you start:") and "Step 1 of " in said[2]


async def test_the_saved_verdict_shapes_the_routine(dispatcher, tracker_factory, frozen_clock):
    slots = {**todays(Level.LIGHTEST_TOUCH), "pending_routine": "hand",
             "routine_variant": "standard"}
    events = await ActionStartPendingRoutine().run(
        dispatcher, tracker_factory("no", "deny", slots=slots), {})
    assert events == started("hand", "standard", slots)
    assert state_verdict(events[0]["value"]["verdict"]).level == Level.LIGHTEST_TOUCH


async def test_with_no_variant_known_it_asks_how_the_person_is(dispatcher, tracker_factory):
    slots = {**todays(), "pending_routine": "hand"}
    events = await ActionStartPendingRoutine().run(
        dispatcher, tracker_factory("no", "deny", slots=slots), {})
    assert events == []  # the routine stays waiting for the answer
    assert texts(dispatcher) == [VARIANT_QUESTION]
    assert all(b["payload"].startswith("/choose_variant")
               for b in dispatcher.messages[0]["buttons"])


@pytest.mark.parametrize("slots", [
    {},  # nothing waiting
    {"pending_routine": "hand"},  # no verdict today (the journal is empty too)
    {"pending_routine": "back", "routine_variant": "standard"},  # not a routine
])
async def test_nothing_to_start_does_nothing(dispatcher, tracker_factory, slots):
    merged = {**slots, **todays()} if "routine_variant" in slots else slots
    events = await ActionStartPendingRoutine().run(
        dispatcher, tracker_factory("no", "deny", slots=merged), {})
    assert events == [] and dispatcher.messages == []


# --- a condition told mid-routine: action_replan_routine -------------------------------------

async def test_a_condition_told_mid_routine_hands_over_to_a_re_plan(dispatcher, tracker_factory,
                                                                    frozen_clock):
    slots = {**todays(), "routine_state": in_progress_state(), "routine_variant": "standard"}
    tracker = tracker_factory("he has a catheter", "inform_condition",
                              entities=[{"entity": "finding", "value": "catheter|present||"}],
                              slots=slots)
    events = await ActionUpdateScreen().run(dispatcher, tracker, {})
    findings = [Finding("catheter")]
    assert events == [
        SlotSet("screen_verdict", verdict_to_dict(screen(findings))),
        SlotSet("screen_at", NOW),
        SlotSet("screen_findings", [finding_to_dict(f) for f in findings]),
        FollowupAction("action_replan_routine"),
    ]
    assert not any("Step " in t for t in texts(dispatcher))  # the routine's own turn, next


@pytest.mark.parametrize("flags", [{"finished": True}, {"stopped": True}])
async def test_no_routine_under_way_no_re_plan(dispatcher, tracker_factory, flags):
    slots = {**todays(), "routine_state": in_progress_state(**flags)}
    tracker = tracker_factory("he has a catheter", "inform_condition",
                              entities=[{"entity": "finding", "value": "catheter|present||"}],
                              slots=slots)
    events = await ActionUpdateScreen().run(dispatcher, tracker, {})
    assert not [e for e in events if e.get("event") == "followup"]


async def test_the_re_plan_starts_again_from_the_first_step(dispatcher, tracker_factory,
                                                            frozen_clock):
    tracker = tracker_factory("he has a catheter", "inform_condition",
                              entities=[{"entity": "finding", "value": "catheter|present||"}],
                              slots={**todays(), "routine_state": in_progress_state("foot"),
                                     "routine_variant": "tired"})
    update = await ActionUpdateScreen().run(dispatcher, tracker, {})
    followed = after_action(tracker, "action_update_screen", update)
    dispatcher.messages.clear()
    events = await ActionReplanRoutine().run(dispatcher, followed, {})
    assert events == started("foot", "tired", followed.slots)
    assert events[0]["value"]["index"] == 0
    said = texts(dispatcher)
    assert said[0] == RESTART and any("Step 1 of " in t for t in said)


async def test_a_re_plan_under_do_not_massage_refuses(dispatcher, tracker_factory):
    slots = {**todays(Level.DO_NOT_MASSAGE), "routine_state": in_progress_state(),
             "routine_variant": "standard"}
    events = await ActionReplanRoutine().run(
        dispatcher, tracker_factory("she has a fever", "inform_condition", slots=slots), {})
    # the old routine ends: no "next" or "resume" may carry on with its steps
    assert events == [SlotSet("pending_routine", None), SlotSet("routine_state", None)]
    assert RESTART not in texts(dispatcher)


async def test_a_re_plan_without_a_variant_keeps_to_the_standard_one(dispatcher, tracker_factory,
                                                                    frozen_clock):
    slots = {**todays(), "routine_state": in_progress_state()}
    events = await ActionReplanRoutine().run(
        dispatcher, tracker_factory("he has a catheter", "inform_condition", slots=slots), {})
    assert events == started("hand", "standard", slots)


async def test_no_routine_in_progress_nothing_to_re_plan(dispatcher, tracker_factory):
    slots = {**todays(), "routine_state": in_progress_state(stopped=True)}
    events = await ActionReplanRoutine().run(
        dispatcher, tracker_factory("he has a catheter", "inform_condition", slots=slots), {})
    assert events == [] and dispatcher.messages == []


def test_the_hand_over_names_are_the_actions_names():
    assert ActionStartPendingRoutine().name() == START_PENDING_ROUTINE
    assert ActionReplanRoutine().name() == REPLAN_ROUTINE


# --- nobody runs the routine's step any more -------------------------------------------------

MID_ROUTINE = {"routine_state": in_progress_state()}


async def test_the_faq_answers_even_step_words_mid_routine(dispatcher, tracker_factory):
    # "done" read as a question reaches the routine through the policy, never through here:
    # here it is a question not understood, and the routine is offered to go on (paused)
    tracker = tracker_factory("done", "faq", slots=MID_ROUTINE,
                              events=[{"event": "user", "text": "done"}])
    events = await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert events == [SlotSet("misunderstood_turn", 1.0),
                      SlotSet("routine_state", {**MID_ROUTINE["routine_state"], "paused": True})]
    assert not any(t.startswith("Step ") for t in texts(dispatcher))


async def test_the_fallback_is_a_miss_even_for_step_words_mid_routine(dispatcher,
                                                                      tracker_factory):
    tracker = tracker_factory("he sighed and relaxed", "nlu_fallback", slots=MID_ROUTINE,
                              events=[{"event": "user", "text": "he sighed and relaxed"}])
    events = await ActionFallback().run(dispatcher, tracker, {})
    assert events == [SlotSet("misunderstood_turn", 1.0)]


@pytest.mark.parametrize("intent, response", [("affirm", "utter_menu"), ("deny", "utter_menu"),
                                              ("unsure", "utter_menu"),
                                              ("stop", "utter_stopped")])
async def test_route_answer_is_the_menu_or_stopped(dispatcher, tracker_factory, intent, response):
    events = await ActionRouteAnswer().run(dispatcher, tracker_factory("x", intent), {})
    assert events == []
    assert [m.get("response") for m in dispatcher.messages] == [response]
