"""A condition told or asked about (intent inform_condition): its guidance and source, then the
safety check offered, or today's verdict re-run with it; inside the form, noted."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from rasa_sdk.events import ActiveLoop, SlotSet

from actions.screen import (
    NOTED,
    NOTED_IN_FORM,
    OFFER_CHECK,
    START_CHECK,
    ActionUpdateScreen,
    ValidateScreenForm,
)
from bot.condition_advice import MORE_NOTED, PAST_ONLY
from bot.screen import Finding, screen, verdict_to_dict
from tests.actions.conftest import texts

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
DOC001 = "This comes from: What is Palliative Massage? (Massage Today, 2023)."
ONCOLOGY = ("This comes from: Oncology massage guidance on pressure, sites and positions, "
            "gathered from several published guides.")
CATHETER = ("A catheter: keep away from the catheter and its tubing. Keep clear of the catheter, "
            "its tubing and bag; check the tube isn't pulled when you move a leg.\n" + DOC001)
BONE_METS = ("Cancer in the bones: the lightest touch only. Where cancer has spread to the "
             "bones, keep to the lightest touch everywhere. Put no touch at all over the places "
             "it is known to be.\n" + ONCOLOGY)
CHECK_BUTTON = [{"title": "Safety check", "payload": "/start_screen"}]
WHY_BUTTON = [{"title": "Why?", "payload": "/ask_why"}]


@pytest.fixture(autouse=True)
def journal_db(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNAL_DB_URL", f"sqlite:///{tmp_path}/journal.db")


def finding(value: str) -> dict:
    return {"entity": "finding", "value": value}


def stored(*values: str) -> list[dict]:
    out = []
    for v in values:
        cid, status, area, side = v.split("|")
        out.append({"condition_id": cid, "status": status, "area": area or None,
                    "side": side or None})
    return out


def checked_today(*findings: Finding) -> dict:
    return {"screen_verdict": verdict_to_dict(screen(list(findings))), "screen_at": time.time(),
            "screen_findings": [{"condition_id": f.condition_id, "status": f.status,
                                 "area": f.area, "side": f.side} for f in findings]}


async def test_a_condition_before_any_check_gets_its_guidance_then_the_check_is_offered(
        dispatcher, tracker_factory):
    tracker = tracker_factory("dad has a catheter", "inform_condition",
                              entities=[finding("catheter|present||")])
    events = await ActionUpdateScreen().run(dispatcher, tracker, {})
    assert texts(dispatcher) == [CATHETER, OFFER_CHECK]
    assert dispatcher.messages[0]["buttons"] == []
    assert dispatcher.messages[1]["buttons"] == CHECK_BUTTON
    assert events == [SlotSet("screen_findings", stored("catheter|present||"))]


async def test_a_question_about_a_condition_gets_its_guidance_then_the_check(dispatcher,
                                                                           tracker_factory):
    # "is massage ok with bone mets?" (a FAQ question the NLU routed to inform_condition):
    # the answer for today needs the check, so it starts, with what was said already noted
    tracker = tracker_factory("is massage ok with bone mets?", "inform_condition",
                              entities=[finding("bone_mets|unsure||")])
    events = await ActionUpdateScreen().run(dispatcher, tracker, {})
    assert texts(dispatcher) == [BONE_METS, START_CHECK]
    assert all(m["buttons"] == [] for m in dispatcher.messages)
    assert events == [SlotSet("screen_findings", stored("bone_mets|unsure||")),
                      ActiveLoop("screen_form")]


async def test_what_was_said_before_is_kept(dispatcher, tracker_factory):
    tracker = tracker_factory("he also has a catheter", "inform_condition",
                              entities=[finding("catheter|present||")],
                              slots={"screen_findings": stored("picc_line|present|arm|left")})
    events = await ActionUpdateScreen().run(dispatcher, tracker, {})
    assert events == [SlotSet("screen_findings", stored("picc_line|present|arm|left",
                                                        "catheter|present||"))]


async def test_pronouns_follow_the_message(dispatcher, tracker_factory):
    tracker = tracker_factory("mum won't let me touch her", "inform_condition",
                              entities=[finding("refuses_or_distressed|present||")])
    await ActionUpdateScreen().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0] == (
        "Not wanting to be touched, or seeming distressed: no massage for now. Touch is only "
        "ever offered, never pressed on anyone. Let her be for now; sitting close and talking "
        "softly is still company.\nThis comes from: Exploring Palliative Massage: A "
        "Compassionate Approach to Managing Pain (2024).")


async def test_an_earlier_clot_gets_the_known_clot_guidance(dispatcher, tracker_factory):
    tracker = tracker_factory("he had a DVT a few months back", "inform_condition",
                              entities=[finding("suspected_clot|history||")])
    await ActionUpdateScreen().run(dispatcher, tracker, {})
    assert texts(dispatcher) == [
        "A known or earlier blood clot: a still, resting hand only, well away from the limb "
        "with the clot. Please ask the hospice nurse before any massage. Until then, leave that "
        "whole arm or leg alone, and only rest a still hand well away from it.\nThis comes "
        "from: Ng et al. 2018, MD Anderson review of massage after a recent blood clot.",
        OFFER_CHECK]


async def test_a_healed_past_condition_is_said_to_be_past(dispatcher, tracker_factory):
    tracker = tracker_factory("he broke his hip ten years ago", "inform_condition",
                              entities=[finding("recent_fracture|history|hip|")])
    await ActionUpdateScreen().run(dispatcher, tracker, {})
    assert texts(dispatcher) == [PAST_ONLY, OFFER_CHECK]


async def test_only_absent_findings_are_noted(dispatcher, tracker_factory):
    tracker = tracker_factory("he's not on blood thinners", "inform_condition",
                              entities=[finding("blood_thinners|absent||")])
    events = await ActionUpdateScreen().run(dispatcher, tracker, {})
    assert texts(dispatcher) == [NOTED, OFFER_CHECK]
    assert events == [SlotSet("screen_findings", stored("blood_thinners|absent||"))]


async def test_many_conditions_at_most_three_then_a_note(dispatcher, tracker_factory):
    values = ["catheter|present||", "low_platelets|present||", "fragile_skin|present||",
              "stoma|present||"]
    tracker = tracker_factory("a lot", "inform_condition", entities=[finding(v) for v in values])
    await ActionUpdateScreen().run(dispatcher, tracker, {})
    said = texts(dispatcher)
    assert len(said) == 5 and said[0] == CATHETER and said[3] == MORE_NOTED
    assert said[1].startswith("Low platelets: ") and said[2].startswith("Thin, fragile skin: ")
    assert said[4] == OFFER_CHECK


async def test_with_a_check_today_the_verdict_is_re_run(dispatcher, tracker_factory):
    tracker = tracker_factory("is massage ok with bone mets?", "inform_condition",
                              entities=[finding("bone_mets|unsure||")],
                              slots=checked_today(Finding("catheter")))
    events = await ActionUpdateScreen().run(dispatcher, tracker, {})
    verdict = screen([Finding("catheter"), Finding("bone_mets", "unsure")])
    assert texts(dispatcher) == [
        BONE_METS,
        "Today's check, with that added: Yes, you can, with the lightest touch. "
        + verdict.possible]
    assert dispatcher.messages[1]["buttons"] == WHY_BUTTON
    names = [e.get("name") for e in events]
    assert names == ["screen_verdict", "screen_at", "screen_findings"]
    assert events[0]["value"] == verdict_to_dict(verdict)
    assert events[2]["value"] == stored("catheter|present||", "bone_mets|unsure||")


async def test_with_a_check_today_a_do_not_massage_condition_says_so(dispatcher,
                                                                      tracker_factory):
    tracker = tracker_factory("he has the flu", "inform_condition",
                              entities=[finding("contagious_illness|present||")],
                              slots=checked_today())
    await ActionUpdateScreen().run(dispatcher, tracker, {})
    assert texts(dispatcher) == [
        "An illness others could catch: no massage for now. Hold off on massage until the care "
        "team says the illness can no longer spread. Follow their advice on gloves and hand "
        "washing.\n" + DOC001,
        "Today's check, with that added: " + screen([Finding("contagious_illness")]).possible]


async def test_nothing_recognised_offers_the_check(dispatcher, tracker_factory):
    tracker = tracker_factory("she has something on her arm", "inform_condition")
    events = await ActionUpdateScreen().run(dispatcher, tracker, {})
    assert texts(dispatcher) == ["Thank you for telling me. Shall we do the safety check "
                                 "together?"]
    assert dispatcher.messages[0]["buttons"] == CHECK_BUTTON
    assert events == []


# --- inside the safety check ----------------------------------------------------------------
async def test_inside_the_check_a_condition_is_noted_not_taken_as_an_answer(dispatcher,
                                                                           tracker_factory):
    tracker = tracker_factory("oh and he has a catheter", "inform_condition",
                              entities=[finding("catheter|present||")],
                              slots={"requested_slot": "screen_q_willing_now"})
    events = await ValidateScreenForm().run(dispatcher, tracker, DOMAIN)
    assert texts(dispatcher) == [NOTED_IN_FORM]  # no "Sorry, I need a yes, a no..."
    assert not [e for e in events if e.get("name") == "screen_q_willing_now"]
    assert SlotSet("requested_slot", "screen_q_willing_now") in events
    assert SlotSet("screen_findings", stored("catheter|present||")) in events


async def test_inside_the_check_a_condition_that_settles_the_question_moves_on(
        dispatcher, tracker_factory):
    answered = {f"screen_q_{q}": "no" for q in ("clot_signs", "fever_infection",
                                                 "bleeding_now")}
    tracker = tracker_factory("her platelets are low", "inform_condition",
                              entities=[finding("low_platelets|present||")],
                              slots={**answered, "screen_q_willing_now": "yes",
                                     "requested_slot": "screen_q_bleeds_easily"})
    events = await ValidateScreenForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("requested_slot", "screen_q_fragile_body") in events
    assert texts(dispatcher) == [NOTED_IN_FORM]


async def test_inside_the_check_an_answer_with_a_condition_is_an_answer(dispatcher,
                                                                       tracker_factory):
    tracker = tracker_factory("no, but she has a catheter", "inform_condition",
                              entities=[finding("catheter|present||")],
                              slots={"screen_q_willing_now": "yes",
                                     "requested_slot": "screen_q_clot_signs"})
    events = await ValidateScreenForm().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("screen_q_clot_signs", "no") in events
    assert texts(dispatcher) == []


async def test_the_turn_that_opens_the_check_is_not_noted_again(dispatcher, tracker_factory):
    # ActionUpdateScreen answered "is massage ok with bone mets?" and opened the check: the
    # form's first run sees the same message, and only asks its first question
    tracker = tracker_factory("is massage ok with bone mets?", "inform_condition",
                              entities=[finding("bone_mets|unsure||")],
                              slots={"screen_findings": stored("bone_mets|unsure||")})
    events = await ValidateScreenForm().run(dispatcher, tracker, DOMAIN)
    assert texts(dispatcher) == []
    assert SlotSet("requested_slot", "screen_q_willing_now") in events
