"""The contraindication screen: a short yes / no / not sure form, then a verdict with reasons.

Questions come from bot/content/conditions.yml; each has a slot `screen_q_<id>`. The form asks
only what it does not yet know: findings the caregiver already described (the
FindingsExtractor's `finding` entities) settle questions, and a do-not-massage answer ends it.

A condition told or asked about outside the form ("dad has a catheter", "is massage ok with
bone mets?": intent inform_condition) gets that condition's guidance and source
(bot/condition_advice.py); then, with no check today, the check starts (a question) or is
offered (a statement); with a check today, today's verdict is re-run with it. Inside the form
it is noted, and the form goes on.
"""

from __future__ import annotations

import time
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.digressions import DIGRESSION_INTENTS, latest_intent
from actions.common.flows import buttons
from actions.common.handovers import REPLAN_ROUTINE, START_PENDING_ROUTINE
from actions.common.journal import in_journal
from actions.common.routine_state import in_progress, routine_state
from actions.common.screen_state import todays_verdict
from bot.condition_advice import is_question, pronoun_in, reply_messages
from bot.findings import areas_in
from bot.screen import (
    Finding,
    explain,
    finding_from_dict,
    finding_to_dict,
    findings_from_answer,
    missing_areas,
    next_question,
    normalise_answer,
    questions,
    screen,
    verdict_from_dict,
    verdict_to_dict,
    where_question,
)
from bot.verdict import Level, Verdict

PREFIX = "screen_q_"
WHERE = "screen_where"
ANSWERS = {"affirm": "yes", "deny": "no", "unsure": "unsure"}
ANSWER_BUTTONS = [("Yes", "yes"), ("No", "no"), ("Not sure", "not sure")]
INFORM = "inform_condition"
NOTED = "Thank you, I've noted that."
NOTED_IN_FORM = "Thank you, I've noted that; the check's answer will count it."
OFFER_CHECK = ("Before a massage, let's do the quick safety check, with this in mind. Tap "
               "Safety check when you're ready.")
START_CHECK = "For today, let's do the quick safety check, with this in mind."
TODAY_WITH_IT = "Today's check, with that added:"
SAFETY_CHECK_BUTTON = [("Safety check", "/start_screen")]
HEADLINES = {
    # bot.screen's own words already open with "Please don't massage ..." at this level
    Level.DO_NOT_MASSAGE: "",
    Level.LIGHTEST_TOUCH: "Yes, you can, with the lightest touch.",
    Level.AVOID_AREA: "Yes, you can, keeping away from some places.",
    Level.GENTLE_OK: "Thank you, that's all I need to know.",
}


def question_ids() -> list[str]:
    return [q["id"] for q in questions()]


def decode(value: str) -> Finding | None:
    try:
        cid, status, area, side = str(value).split("|")
        return Finding(cid, status, area or None, side or None)
    except (ValueError, TypeError):
        return None


def stored_findings(tracker: Tracker) -> list[Finding]:
    return [finding_from_dict(d) for d in (tracker.get_slot("screen_findings") or [])]


def said_findings(tracker: Tracker) -> list[Finding]:
    """Findings in the latest message (from the FindingsExtractor component)."""
    found = (decode(v) for v in tracker.get_latest_entity_values("finding"))
    return [f for f in found if f is not None]


def merge(old: list[Finding], new: list[Finding]) -> list[Finding]:
    out = list(old)
    for f in new:
        if f not in out:
            out.append(f)
    return out


def answers(tracker: Tracker) -> dict[str, str]:
    out = {}
    for qid in question_ids():
        value = tracker.get_slot(PREFIX + qid)
        if value in ("yes", "no", "unsure"):
            out[qid] = value
    return out


def all_findings(tracker: Tracker) -> list[Finding]:
    found = stored_findings(tracker)
    for qid, answer in answers(tracker).items():
        found = merge(found, findings_from_answer(qid, answer))
    return found


def verdict_message(verdict: Verdict) -> str:
    return " ".join(part for part in (HEADLINES[verdict.level], verdict.possible) if part)


def updated_verdict_message(verdict: Verdict) -> str:
    """Today's verdict after something new was told ("Today's check, with that added: ...")."""
    headline = "" if verdict.level == Level.GENTLE_OK else HEADLINES[verdict.level]
    return " ".join(p for p in (TODAY_WITH_IT, headline, verdict.possible) if p)


class ValidateScreenForm(FormValidationAction):
    def name(self) -> str:
        return "validate_screen_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        answered = answers(tracker)
        findings = all_findings(tracker) + said_findings(tracker)
        done = [PREFIX + q for q in answered]
        nxt = next_question(answered, findings)
        if nxt is not None:
            return done + [PREFIX + nxt["id"]]
        if missing_areas(findings) and tracker.get_slot(WHERE) is None:
            return done + [WHERE]
        return done + ([WHERE] if tracker.get_slot(WHERE) is not None else [])

    def _answer(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != slot:
            return {}
        intent = latest_intent(tracker)
        text = str((tracker.latest_message or {}).get("text") or "")
        answer = ANSWERS.get(intent) or normalise_answer(text)
        if answer is None and intent in DIGRESSION_INTENTS:
            return {}  # a question or an aside: answered by the digression rules
        if answer is None and intent == INFORM:
            return {}  # "oh, and he has a catheter": noted by run(), not an answer
        return {slot: answer or text or "?"}

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        # Every turn: keep what the caregiver described in words (sides, places, conditions).
        events = await super().run(dispatcher, tracker, domain)
        said = said_findings(tracker)
        requested = tracker.get_slot("requested_slot")
        # (not on the turn that opened the form: ActionUpdateScreen has answered that one)
        if said and requested and latest_intent(tracker) == INFORM and not any(
                e.get("name") == requested and e.get("value") is not None for e in events):
            dispatcher.utter_message(text=NOTED_IN_FORM)
        if said:
            events.append(SlotSet("screen_findings",
                                  [finding_to_dict(f) for f in merge(stored_findings(tracker),
                                                                     said)]))
        return events

    async def validate_screen_where(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        places = areas_in(str(value))
        if not places:
            if normalise_answer(str(value)) == "unsure":
                return {WHERE: "unknown"}
            dispatcher.utter_message(text="Which part of the body, for example \"her left "
                                     "hand\" or \"his back\"? Or say \"not sure\".")
            return {WHERE: None}
        findings = stored_findings(tracker)
        for cid in missing_areas(all_findings(tracker)):
            findings = [f for f in findings if f.condition_id != cid]
            findings += [Finding(cid, "present", area, side) for area, side in places]
        return {WHERE: "given", "screen_findings": [finding_to_dict(f) for f in findings]}

    def __getattr__(self, name: str) -> Any:
        # extract_screen_q_<id> and validate_screen_q_<id>, one pair per question.
        if name.startswith("extract_" + PREFIX):
            slot = name[len("extract_"):]

            async def extract(dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
                return self._answer(slot, tracker)

            return extract
        if name.startswith("validate_" + PREFIX):
            slot = name[len("validate_"):]

            async def validate(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
                if value in ("yes", "no", "unsure"):
                    return {slot: value}
                dispatcher.utter_message(text="Sorry, I need a yes, a no, or \"not sure\".")
                return {slot: None}

            return validate
        if name == "extract_" + WHERE:

            async def extract_where(dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
                return self._answer(WHERE, tracker) if tracker.get_slot(
                    "requested_slot") == WHERE else {}

            return extract_where
        raise AttributeError(name)


class AskScreenQuestion(Action):
    """Asks one screen question with yes / no / not sure buttons (one class per question)."""

    qid = ""

    def name(self) -> str:
        return f"action_ask_{PREFIX}{self.qid}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        text = next(q["text"] for q in questions() if q["id"] == self.qid)
        dispatcher.utter_message(text=text, buttons=buttons(ANSWER_BUTTONS))
        return []


# One subclass per question, kept here: Python holds subclasses only weakly, and rasa-sdk
# finds actions by walking Action's subclasses after importing every module, so a garbage
# collection in between would silently unregister classes that nothing else refers to.
SCREEN_QUESTION_ACTIONS: dict[str, type[AskScreenQuestion]] = {
    q["id"]: type(f"AskScreen_{q['id']}", (AskScreenQuestion,), {"qid": q["id"]})
    for q in questions()
}


class ActionAskScreenWhere(Action):
    def name(self) -> str:
        return f"action_ask_{WHERE}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        missing = missing_areas(all_findings(tracker))
        dispatcher.utter_message(
            text=where_question(missing[0]) if missing else "Where is it on the body?",
            buttons=buttons([("Not sure", "not sure")]))
        return []


async def finish_screen(dispatcher: CollectingDispatcher, tracker: Tracker,
                        findings: list[Finding]) -> tuple[Verdict, list[EventType]]:
    verdict = screen(findings)
    data = verdict_to_dict(verdict)
    saved = [finding_to_dict(f) for f in findings]
    await in_journal(lambda j: j.save_screen(tracker.sender_id, saved, data))
    events: list[EventType] = [
        SlotSet("screen_verdict", data), SlotSet("screen_at", time.time()),
        SlotSet("screen_findings", [finding_to_dict(f) for f in findings]),
    ]
    return verdict, events


def clear_answers() -> list[EventType]:
    return [SlotSet(PREFIX + q, None) for q in question_ids()] + [SlotSet(WHERE, None)]


class ActionScreenVerdict(Action):
    """After the form: the verdict, saved; then the routine that was waiting, if any, is handed
    over to (action_start_pending_routine, actions/routine.py, runs next)."""

    def name(self) -> str:
        return "action_screen_verdict"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        verdict, events = await finish_screen(dispatcher, tracker, all_findings(tracker))
        dispatcher.utter_message(text=verdict_message(verdict),
                                 buttons=buttons([("Why?", "/ask_why")]))
        events += clear_answers()
        pending = tracker.get_slot("pending_routine")
        if pending and verdict.may_touch:
            events.append(FollowupAction(START_PENDING_ROUTINE))
        elif pending:
            events.append(SlotSet("pending_routine", None))
        return events


class ActionScreenWhy(Action):
    def name(self) -> str:
        return "action_screen_why"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        data = tracker.get_slot("screen_verdict")
        if not isinstance(data, dict):
            dispatcher.utter_message(
                text="I'll explain my reasons once we've done the safety check.",
                buttons=buttons([("Safety check", "/start_screen")]))
            return []
        reasons = explain(verdict_from_dict(data))
        if not reasons:
            dispatcher.utter_message(
                text="Nothing you told me calls for extra care, so the usual gentle, slow "
                "massage is fine. Stop at any sign of discomfort.")
        for reason in reasons:
            dispatcher.utter_message(text=reason)
        return []


class ActionUpdateScreen(Action):
    """A condition told or asked about ("she has bone mets", "is massage ok with a catheter?").

    Its guidance and source first (bot.condition_advice), one message per condition. Then,
    with no check today, the safety check: started at once when the caregiver asked something
    ("is it safe to massage her? she has a PICC line"), offered with a button when they only
    told ("dad has a catheter"); either way what was said is kept, so it is not asked again.
    With a check today, today's verdict is re-run with it, and a routine under way is handed
    over to be re-planned from its first step (action_replan_routine, actions/routine.py).
    """

    def name(self) -> str:
        return "action_update_screen"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        new = said_findings(tracker)
        if not new:
            dispatcher.utter_message(
                text="Thank you for telling me. Shall we do the safety check together?",
                buttons=buttons(SAFETY_CHECK_BUTTON))
            return []
        text = str((tracker.latest_message or {}).get("text") or "")
        replies = reply_messages(new, pronoun_in(text)) or [NOTED]
        for reply in replies:
            dispatcher.utter_message(text=reply)
        findings = merge(stored_findings(tracker), new)
        if await todays_verdict(tracker) is None:
            kept: list[EventType] = [
                SlotSet("screen_findings", [finding_to_dict(f) for f in findings])]
            if is_question(text):
                dispatcher.utter_message(text=START_CHECK)
                return kept + [ActiveLoop("screen_form")]
            dispatcher.utter_message(text=OFFER_CHECK, buttons=buttons(SAFETY_CHECK_BUTTON))
            return kept
        verdict, events = await finish_screen(dispatcher, tracker, findings)
        dispatcher.utter_message(text=updated_verdict_message(verdict),
                                 buttons=buttons([("Why?", "/ask_why")]))
        if in_progress(routine_state(tracker)):
            # the routine re-plans itself under the new verdict, from its first step
            events.append(FollowupAction(REPLAN_ROUTINE))
        return events
