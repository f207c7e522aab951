"""The screen form, its verdict, and the routine that follows it."""

from pathlib import Path

import pytest
import yaml
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet

from actions.routine import (
    ActionRoutineStep,
    ActionStartPendingRoutine,
    ActionStartRoutine,
    ValidateCheckinForm,
)
from actions.screen import ActionScreenVerdict, ActionUpdateScreen, ValidateScreenForm
from bot.screen import verdict_to_dict
from bot.verdict import Level, Verdict
from tests.actions.conftest import after_action, texts

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())


@pytest.fixture(autouse=True)
def journal_db(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNAL_DB_URL", f"sqlite:///{tmp_path}/journal.db")


def finding(value: str) -> dict:
    return {"entity": "finding", "value": value}


async def test_the_form_asks_the_first_question_first(dispatcher, tracker_factory):
    events = await ValidateScreenForm().run(dispatcher, tracker_factory("safe?", "start_screen"),
                                            DOMAIN)
    assert SlotSet("requested_slot", "screen_q_willing_now") in events


async def test_not_sure_counts_as_a_caution_and_ends_with_do_not_massage(dispatcher,
                                                                          tracker_factory):
    tracker = tracker_factory("not sure", "unsure", slots={
        "requested_slot": "screen_q_clot_signs", "screen_q_willing_now": "yes"})
    events = await ValidateScreenForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("screen_q_clot_signs", "unsure") in events
    assert SlotSet("requested_slot", None) in events  # nothing more to ask: do not massage


async def test_a_reply_that_is_not_an_answer_is_asked_again(dispatcher, tracker_factory):
    tracker = tracker_factory("purple", "nlu_fallback",
                              slots={"requested_slot": "screen_q_willing_now"})
    events = await ValidateScreenForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("screen_q_willing_now", None) in events
    assert "yes, a no" in texts(dispatcher)[0]


async def test_findings_described_in_words_are_kept(dispatcher, tracker_factory):
    tracker = tracker_factory("yes, she has a PICC line in her left arm", "affirm",
                              entities=[finding("picc_line|present|arm|left")],
                              slots={"requested_slot": "screen_q_willing_now"})
    events = await ValidateScreenForm().run(dispatcher, tracker, DOMAIN)
    saved = [e for e in events if e.get("name") == "screen_findings"]
    assert saved and saved[-1]["value"] == [
        {"condition_id": "picc_line", "status": "present", "area": "arm", "side": "left"}]


async def test_the_verdict_never_says_go_ahead_after_an_unsure_clot(dispatcher, tracker_factory):
    tracker = tracker_factory("no", "deny", slots={
        "screen_q_willing_now": "yes", "screen_q_clot_signs": "unsure",
        "pending_routine": "hand"})
    events = await ActionScreenVerdict().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0].startswith("Please don't massage today.")
    assert texts(dispatcher)[0].count("Please don't massage") == 1  # said once, not twice
    assert SlotSet("pending_routine", None) in events
    assert not [e for e in events if e.get("name") == "routine_state"]
    assert not [e for e in events if e.get("event") == "followup"]  # nothing to hand over to


async def test_all_clear_starts_the_waiting_routine(dispatcher, tracker_factory):
    answers = {f"screen_q_{q}": "no" for q in ("clot_signs", "fever_infection", "bleeding_now",
                                               "bleeds_easily", "fragile_body",
                                               "areas_to_avoid")}
    tracker = tracker_factory("no", "deny", slots={
        **answers, "screen_q_willing_now": "yes", "pending_routine": "hand",
        "routine_variant": "standard"})
    events = await ActionScreenVerdict().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0].startswith("Thank you, that's all I need to know.")
    # the screen hands over to the routine, which Rasa runs next
    assert events[-1] == FollowupAction("action_start_pending_routine")
    assert not any(e.get("name") == "routine_state" for e in events)
    followed = after_action(tracker, "action_screen_verdict", events)
    events = await ActionStartPendingRoutine().run(dispatcher, followed, {})
    assert any(e.get("name") == "routine_state" for e in events)
    assert any(t.startswith("Step 1 of ") for t in texts(dispatcher))


async def test_a_routine_without_todays_screen_starts_the_screen(dispatcher, tracker_factory):
    tracker = tracker_factory("hand massage please", "start_routine",
                              entities=[{"entity": "routine", "value": "hand"}])
    events = await ActionStartRoutine().run(dispatcher, tracker, {})
    assert events == [SlotSet("pending_routine", "hand"), ActiveLoop("screen_form")]


def todays(level: Level, **kw) -> dict:
    import time

    return {"screen_verdict": verdict_to_dict(Verdict(level=level, possible="x", **kw)),
            "screen_at": time.time()}


async def test_do_not_massage_today_refuses_the_routine(dispatcher, tracker_factory):
    tracker = tracker_factory("/choose_variant", "choose_variant",
                              entities=[{"entity": "variant", "value": "standard"}],
                              slots={**todays(Level.DO_NOT_MASSAGE), "pending_routine": "foot"})
    events = await ActionStartRoutine().run(dispatcher, tracker, {})
    assert not any(e.get("name") == "routine_state" for e in events)
    assert "nurse" in " ".join(texts(dispatcher)).lower()


async def walk(dispatcher, tracker_factory, state, text, intent="routine_command", **kw):
    dispatcher.messages.clear()
    tracker = tracker_factory(text, intent, slots={"routine_state": state}, **kw)
    events = await ActionRoutineStep().run(dispatcher, tracker, {})
    new = next(e["value"] for e in events if e.get("name") == "routine_state")
    return new, events


async def test_next_repeat_back_pause_stop(dispatcher, tracker_factory):
    tracker = tracker_factory("/choose_variant", "choose_variant",
                              entities=[{"entity": "variant", "value": "standard"}],
                              slots={**todays(Level.GENTLE_OK), "pending_routine": "hand"})
    events = await ActionStartRoutine().run(dispatcher, tracker, {})
    state = next(e["value"] for e in events if e.get("name") == "routine_state")
    state, _ = await walk(dispatcher, tracker_factory, state, "ok done")
    assert texts(dispatcher)[0].startswith("Step 2 of ")
    state, _ = await walk(dispatcher, tracker_factory, state, "again")
    assert "Step 2 of " in texts(dispatcher)[0]
    state, _ = await walk(dispatcher, tracker_factory, state, "go back")
    assert "Step 1 of " in texts(dispatcher)[0]
    state, _ = await walk(dispatcher, tracker_factory, state, "wait")
    assert state["paused"]
    state, events = await walk(dispatcher, tracker_factory, state, "she pulled her hand away",
                               intent="routine_signal")
    assert state["stopped"]


async def test_the_last_step_opens_the_check_in(dispatcher, tracker_factory):
    tracker = tracker_factory("/choose_variant", "choose_variant",
                              entities=[{"entity": "variant", "value": "tired"}],
                              slots={**todays(Level.GENTLE_OK), "pending_routine": "hand"})
    events = await ActionStartRoutine().run(dispatcher, tracker, {})
    state = next(e["value"] for e in events if e.get("name") == "routine_state")
    for _ in range(state["total"] + 1):
        state, events = await walk(dispatcher, tracker_factory, state, "next")
        if state.get("finished"):
            break
    assert state["finished"] and ActiveLoop("checkin_form") in events


async def test_information_before_any_check_offers_the_check(dispatcher, tracker_factory):
    # the condition's guidance is given (tests/actions/test_condition_replies.py), then the
    # check is offered, with what was said kept so it is not asked again
    tracker = tracker_factory("she has a PICC line in her left arm", "inform_condition",
                              entities=[finding("picc_line|present|arm|left")])
    events = await ActionUpdateScreen().run(dispatcher, tracker, {})
    assert events == [
        SlotSet("screen_findings", [{"condition_id": "picc_line", "status": "present",
                                     "area": "arm", "side": "left"}]),
    ]
    assert dispatcher.messages[-1]["buttons"] == [{"title": "Safety check",
                                                   "payload": "/start_screen"}]


async def test_a_question_with_information_before_any_check_starts_the_check(
        dispatcher, tracker_factory):
    tracker = tracker_factory("is it safe to massage her? she has a PICC line in her left arm",
                              "inform_condition",
                              entities=[finding("picc_line|present|arm|left")])
    events = await ActionUpdateScreen().run(dispatcher, tracker, {})
    assert events == [
        SlotSet("screen_findings", [{"condition_id": "picc_line", "status": "present",
                                     "area": "arm", "side": "left"}]),
        ActiveLoop("screen_form"),
    ]


async def test_new_information_re_runs_the_verdict(dispatcher, tracker_factory):
    tracker = tracker_factory("oh, she has a fever now", "inform_condition",
                              entities=[finding("fever_or_infection|present||")],
                              slots=todays(Level.GENTLE_OK))
    events = await ActionUpdateScreen().run(dispatcher, tracker, {})
    verdict = next(e["value"] for e in events if e.get("name") == "screen_verdict")
    assert texts(dispatcher)[0].startswith("A fever or an infection: no massage for now.")
    assert texts(dispatcher)[1].startswith("Today's check, with that added: Please don't "
                                           "massage today.")
    assert verdict["level"] in ("do_not_massage", 3)


async def test_a_tapped_check_in_button_is_an_answer_whatever_the_nlu_said(tracker_factory):
    # "Relaxed or calmer" reads like an anxiety question to the classifier (faq)
    tracker = tracker_factory("Relaxed or calmer", "faq",
                              slots={"requested_slot": "checkin_response"})
    assert await ValidateCheckinForm().extract_checkin_response(None, tracker, {}) == {
        "checkin_response": "Relaxed or calmer"}
    # a real question in the middle of the check-in is still left to the digression rules
    question = tracker_factory("how often should I do this?", "faq",
                               slots={"requested_slot": "checkin_response"})
    assert await ValidateCheckinForm().extract_checkin_response(None, question, {}) == {}
    # so is a look at the journal ("how has it been going?"), for any of the questions
    for slot in ("checkin_response", "checkin_before", "checkin_after"):
        journal = tracker_factory("how has it been going?", "journal_summary",
                                  slots={"requested_slot": slot})
        extract = getattr(ValidateCheckinForm(), f"extract_{slot}")
        assert await extract(None, journal, {}) == {}, slot
