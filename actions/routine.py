"""Guided hand and foot routines: screen first, then one step at a time (bot/routines.py)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.digressions import DIGRESSION_INTENTS, latest_intent
from actions.common.flows import buttons
from actions.common.handovers import REPLAN_ROUTINE, START_PENDING_ROUTINE
from actions.common.journal import in_journal
from actions.common.routine_state import in_progress, routine_resume_note, routine_state
from actions.common.screen_state import todays_verdict
from bot.menus import VARIANT_BUTTONS, VARIANT_QUESTION
from bot.parsing import DONT_KNOW, OK, parse_rating
from bot.requests import ROUTINES, routine_of, variant_of
from bot.routines import (
    COMMANDS,
    Plan,
    Reply,
    apply,
    begin,
    checkin_questions,
    detect_signal,
    handle_signal,
    parse_command,
    plan,
)

# Said before the routine in progress is planned again under a changed verdict.
RESTART = "Let's restart the massage with this in mind."

VARIANTS = {"standard": None, "unconscious": "unconscious", "dementia": "dementia",
            "tired": "tired"}
SKIPPED = "skipped"
# The extractor name of the entities read from free text (components/request_reader.py).
READER = "RequestReader"
ROUTINE_INTENTS = {"start_routine", "choose_variant"}


def command_payload(command: str) -> str:
    return "/routine_command" + json.dumps({"command": command})


def render(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """A step as text with buttons, plus a card description for the web widget."""
    custom = None
    if not reply.finished and not reply.stopped and reply.total:
        custom = {"type": "step", "index": reply.step_index + 1, "total": reply.total,
                  "title": reply.title}
    dispatcher.utter_message(
        text=reply.text,
        buttons=buttons([(label, command_payload(cmd)) for label, cmd in reply.buttons]),
        json_message=custom,
    )


def entity_text(tracker: Tracker, name: str) -> str | None:
    """The latest value of an entity when it is a string. A button payload typed by hand
    ('/choose_variant{"variant": {"x": 1}}') can carry any JSON value: never trust its type."""
    value = next(tracker.get_latest_entity_values(name), None)
    return value if isinstance(value, str) else None


def command_from(tracker: Tracker) -> str | None:
    """The stepper command of a button, if it is one the stepper knows."""
    command = entity_text(tracker, "command")
    return command if command in COMMANDS else None


def _said_by_reader(tracker: Tracker, name: str) -> str | None:
    """The value of entity `name` read from free text by components/request_reader.py."""
    for e in (tracker.latest_message or {}).get("entities") or []:
        if e.get("entity") == name and e.get("extractor") == READER:
            value = e.get("value")
            return value if isinstance(value, str) else None
    return None


def _chosen(tracker: Tracker, name: str) -> str | None:
    """The value of entity `name` from a button payload (any extractor but the reader's)."""
    for e in (tracker.latest_message or {}).get("entities") or []:
        if e.get("entity") == name and e.get("extractor") != READER:
            value = e.get("value")
            return value if isinstance(value, str) else None
    return None


def _latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def variant_from(tracker: Tracker) -> str | None:
    """The variant chosen by button, or said in words ("she doesn't respond any more").

    Words count only in a routine request or an answer to "How are they right now?": "no,
    she's fine" answering a safety question must not change the variant asked for before.
    """
    chosen = _chosen(tracker, "variant")
    if chosen in VARIANTS:
        return str(chosen)
    if latest_intent(tracker) not in ROUTINE_INTENTS:
        return None
    said = _said_by_reader(tracker, "variant") or variant_of(_latest_text(tracker))
    return said if said in VARIANTS else None


def routine_from(tracker: Tracker) -> str:
    """The routine of a button, or named in words ("how do I do her feet?"), else the one
    waiting for the safety check or the variant, else the hand."""
    for chosen in (_chosen(tracker, "routine"), _said_by_reader(tracker, "routine"),
                   routine_of(_latest_text(tracker))):
        if chosen in ROUTINES:
            return str(chosen)
    pending = tracker.get_slot("pending_routine")
    return str(pending) if pending in ROUTINES else "hand"


def ask_variant(dispatcher: CollectingDispatcher) -> None:
    """How the person is right now decides the routine's variant. The question and its buttons
    live in bot/menus.py, where the understanding scorer reads them too."""
    dispatcher.utter_message(text=VARIANT_QUESTION, buttons=buttons(list(VARIANT_BUTTONS)))


def start_routine(dispatcher: CollectingDispatcher, tracker: Tracker, routine: str,
                  verdict: Any, variant: str) -> list[EventType]:
    """Plan with the screen's verdict and begin, or explain why not and what instead."""
    p: Plan = plan(routine, verdict, VARIANTS.get(variant))
    if p.refused:
        options = [("Ask a question", "/ask_question")]
        if p.alternative:
            label = "Try a foot massage" if p.alternative == "foot" else "Try a hand massage"
            options.insert(0, (label, "/start_routine" + json.dumps({"routine": p.alternative})))
        dispatcher.utter_message(text=p.message, buttons=buttons(options))
        return [SlotSet("pending_routine", None)]
    state, reply = begin(p)
    dispatcher.utter_message(text=p.message)
    prep = "\n".join(f"• {item}" for item in p.preparation)
    dispatcher.utter_message(text="Before you start:\n" + prep)
    render(dispatcher, reply)
    return [SlotSet("routine_state", state), SlotSet("pending_routine", None),
            SlotSet("routine_started_at", time.time())]


class ActionStartRoutine(Action):
    """Start a routine: the screen first (today's result reused), then the person's state."""

    def name(self) -> str:
        return "action_start_routine"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        routine = routine_from(tracker)
        said = variant_from(tracker)
        events: list[EventType] = [SlotSet("pending_routine", routine)]
        if said is not None:
            # kept for after the safety check: the routine then starts in it without asking
            events.append(SlotSet("routine_variant", said))
        verdict = await todays_verdict(tracker)
        if verdict is None:
            dispatcher.utter_message(
                text="Before we start, a quick safety check: a few yes or no questions.")
            return events + [ActiveLoop("screen_form")]
        variant = said or tracker.get_slot("routine_variant")
        if variant not in VARIANTS:
            ask_variant(dispatcher)
            return events
        if said is None:
            events.append(SlotSet("routine_variant", variant))
        return events + start_routine(dispatcher, tracker, routine, verdict, str(variant))


class ActionRoutineStep(Action):
    """Next, repeat, back, more, pause, resume, stop; comfort and discomfort signals."""

    def name(self) -> str:
        return "action_routine_step"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        state = routine_state(tracker)
        if state is None or state.get("finished"):
            dispatcher.utter_message(
                text="There's no massage in progress just now. Would you like to start one?",
                buttons=buttons([("Hand massage", '/start_routine{"routine": "hand"}'),
                                 ("Foot massage", '/start_routine{"routine": "foot"}')]))
            return []
        text = str((tracker.latest_message or {}).get("text") or "")
        intent = latest_intent(tracker)
        command = command_from(tracker)  # an unknown '/routine_command{"command": "x"}': text
        signal = None if command else detect_signal(text)
        if signal:
            state, reply = handle_signal(state, signal)
        else:
            command = command or parse_command(text) or {
                "affirm": "resume", "deny": "pause", "stop": "stop", "tell_more": "more",
            }.get(intent)
            if command is None:
                dispatcher.utter_message(
                    text="I didn't catch that. You can say next, again, back, slower, pause or "
                    "stop.")
                return []
            state, reply = apply(state, command)
        render(dispatcher, reply)
        events: list[EventType] = [SlotSet("routine_state", state)]
        if reply.finished:
            events.append(ActiveLoop("checkin_form"))
        return events


class ActionStartPendingRoutine(Action):
    """After the safety check (its verdict's FollowupAction, actions/screen.py): the routine that
    was waiting starts under the verdict just saved, or how the person is is asked first."""

    def name(self) -> str:
        return START_PENDING_ROUTINE

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        pending = tracker.get_slot("pending_routine")
        verdict = await todays_verdict(tracker)
        if pending not in ROUTINES or verdict is None:
            return []  # nothing waiting, or no verdict to plan with: nothing to start
        variant = variant_from(tracker) or tracker.get_slot("routine_variant")
        if variant not in VARIANTS:
            ask_variant(dispatcher)
            return []
        return start_routine(dispatcher, tracker, str(pending), verdict, str(variant))


class ActionReplanRoutine(Action):
    """A condition told mid-routine changed today's verdict (actions/screen.py, with a
    FollowupAction): the routine in progress is planned again under it, from its first step."""

    def name(self) -> str:
        return REPLAN_ROUTINE

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        state = routine_state(tracker)
        verdict = await todays_verdict(tracker)
        if state is None or not in_progress(state) or verdict is None:
            return []
        variant = tracker.get_slot("routine_variant") or "standard"
        if verdict.may_touch:
            dispatcher.utter_message(text=RESTART)
        events = start_routine(dispatcher, tracker, str(state.get("routine_id")), verdict,
                               str(variant))
        if not any(isinstance(e, dict) and e.get("name") == "routine_state" for e in events):
            # Refused under what was just told: the old plan must not go on ("next", or
            # "resume" after a stop, would carry on with steps today's check rules out).
            events.append(SlotSet("routine_state", None))
        return events


class ActionRouteAnswer(Action):
    """Yes, no, not sure or stop with no routine in progress: the menu (or "stopped").

    In the middle of a routine these are the routine's: components/routine_policy.py predicts
    action_routine_step for them (outside a form), so they do not come here.
    """

    def name(self) -> str:
        return "action_route_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        if latest_intent(tracker) == "stop":
            dispatcher.utter_message(response="utter_stopped")
        else:
            dispatcher.utter_message(response="utter_menu")
        return []


class ActionGreet(Action):
    """Greet; a caregiver coming back mid-routine is offered to pick it up where it was."""

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        note = routine_resume_note(tracker)
        if note:
            dispatcher.utter_message(text="Welcome back. " + note["text"], buttons=note["buttons"])
            return list(note["events"])
        dispatcher.utter_message(response="utter_greet")
        return []


# "How has it been going?" in the middle of the check-in looks at the journal (the rules in
# data/rules/digressions.yml answer it, then the check-in asks again); it is not an answer.
JOURNAL_INTENTS = {"journal_summary", "journal_show", "journal_export"}


def offered_answers() -> set[str]:
    """The check-in's button answers, lower-cased."""
    return {o.lower() for q in checkin_questions() for o in q.options} | {"skip"}


class ValidateCheckinForm(FormValidationAction):
    def name(self) -> str:
        return "validate_checkin_form"

    @staticmethod
    def _answer(slot: str, tracker: Tracker) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != slot:
            return {}
        text = str((tracker.latest_message or {}).get("text") or "").strip()
        if text.lower() in offered_answers():
            return {slot: text}  # a button tapped ("Relaxed or calmer"), whatever the NLU said
        if latest_intent(tracker) in (DIGRESSION_INTENTS - {"thanks", "empty_message"}) \
                | JOURNAL_INTENTS:
            return {}
        return {slot: text}

    async def extract_checkin_response(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> dict[str, Any]:
        return self._answer("checkin_response", tracker)

    async def extract_checkin_before(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict[str, Any]:
        return self._answer("checkin_before", tracker)

    async def extract_checkin_after(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        return self._answer("checkin_after", tracker)

    async def validate_checkin_response(self, value: Any, dispatcher: CollectingDispatcher,
                                        tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = str(value or "").strip()[:200]
        if not text:
            dispatcher.utter_message(text="A word or two is enough, or tap one of the buttons.")
            return {"checkin_response": None}
        return {"checkin_response": text}

    @staticmethod
    def _rating(slot: str, value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        if value == SKIPPED:
            return {slot: SKIPPED}
        result = parse_rating(str(value))
        if result.status == OK:
            return {slot: result.amount}
        if result.status == DONT_KNOW or str(value).strip().lower() in ("skip", "no", "no thanks"):
            return {slot: SKIPPED}
        dispatcher.utter_message(text="A number from 0 to 10 please, or tap Skip.")
        return {slot: None}

    async def validate_checkin_before(self, value: Any, dispatcher: CollectingDispatcher,
                                      tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._rating("checkin_before", value, dispatcher)

    async def validate_checkin_after(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._rating("checkin_after", value, dispatcher)


def _rating_or_none(value: Any) -> int | None:
    return None if value in (None, SKIPPED) else round(float(value))


class ActionLogSession(Action):
    """Save the finished routine and the check-in to the journal; offer the other side."""

    def name(self) -> str:
        return "action_log_session"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        state = tracker.get_slot("routine_state") or {}
        routine = state.get("routine_id") or "other"
        started = tracker.get_slot("routine_started_at")
        minutes = max(1, round((time.time() - float(started)) / 60)) if started else None
        before = _rating_or_none(tracker.get_slot("checkin_before"))
        after = _rating_or_none(tracker.get_slot("checkin_after"))
        note, now = tracker.get_slot("checkin_response"), datetime.now(timezone.utc)
        await in_journal(lambda j: j.log_session(
            tracker.sender_id, routine, duration_minutes=minutes,
            before={"comfort": before}, after={"comfort": after}, note=note, when=now,
        ))
        other = "foot" if routine == "foot" else "hand"
        dispatcher.utter_message(
            text="Thank you. I've saved this in your journal. You did something kind today.",
            buttons=buttons([
                (f"The other {other}", "/start_routine" + json.dumps({"routine": routine})),
                ("How has it been going?", "/journal_summary"),
            ]),
        )
        return [SlotSet("checkin_response", None), SlotSet("checkin_before", None),
                SlotSet("checkin_after", None)]
