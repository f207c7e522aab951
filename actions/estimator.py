"""The relief estimate: a form that asks only for what it lacks, then the honest estimate."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.digressions import DIGRESSION_INTENTS, latest_intent
from actions.common.flows import buttons
from bot.estimator import estimate
from bot.parsing import (
    DONT_KNOW,
    OK,
    OUT_OF_RANGE,
    extract_ratings,
    parse_duration_weeks,
    parse_frequency,
    parse_rating,
)

SKIPPED = "skipped"
SYMPTOMS = {"est_pain": "pain", "est_anxiety": "anxiety"}
RANGE_HELP = {
    OUT_OF_RANGE: "That number is outside the scale. Please pick a number from 0 to 10.",
    "invalid": "I didn't catch a number there. A number from 0 to 10 is all I need, "
    "or say \"not sure\" to skip it.",
}


def _text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def _texts_since_estimate_began(tracker: Tracker) -> list[str]:
    """What the caregiver typed since they asked for this estimate (oldest first)."""
    texts: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        texts.append(str(event.get("text") or ""))
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") == "estimate_relief":
            break
    return list(reversed(texts))


SCHEDULE_WORDS = re.compile(
    r"\b(weeks?|days?|daily|weekly|nightly|months?|fortnight|times|once|twice)\b|\dx\b", re.I)


def schedule_from(texts: list[str], sessions: float, weeks: float) -> tuple[float, float]:
    """The latest schedule mentioned ("3 times a week", "for a month"), within the ranges.

    Only messages that talk about a schedule count: "pain 6 and anxiety 8" is not
    "6 times a week".
    """
    for text in texts:
        if not SCHEDULE_WORDS.search(text):
            continue
        freq, dur = parse_frequency(text), parse_duration_weeks(text)
        if freq.status == OK and 1 <= freq.amount <= 14:
            sessions = freq.amount
        if dur.status == OK and 1 <= dur.amount <= 52:
            weeks = dur.amount
    return sessions, weeks


class ValidateEstimateForm(FormValidationAction):
    def name(self) -> str:
        return "validate_estimate_form"

    # -- extraction: what the caregiver already said, or the answer to the question --------
    def _extract(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        text = _text(tracker)
        if latest_intent(tracker) == "estimate_relief":
            # A new estimate starts from what this message says, not from an old one.
            value = extract_ratings(text).get(SYMPTOMS[slot])
            return {slot: None if value is None else str(value)}
        if tracker.get_slot("requested_slot") == slot:
            named = extract_ratings(text)
            if named and SYMPTOMS[slot] not in named:
                # "her worry is a 5" while pain is asked: that is the other rating (filled by
                # its own extraction below), not this one; pain is asked again.
                return {}
            if SYMPTOMS[slot] in named:
                return {slot: str(named[SYMPTOMS[slot]])}
            result = parse_rating(text)
            if result.status != OK and latest_intent(tracker) in DIGRESSION_INTENTS:
                return {}  # a question or aside: the digression rules answer it
            return {slot: text}
        if tracker.get_slot(slot) is None:
            value = extract_ratings(text).get(SYMPTOMS[slot])
            if value is not None:
                return {slot: str(value)}
        return {}

    async def extract_est_pain(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("est_pain", tracker)

    async def extract_est_anxiety(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("est_anxiety", tracker)

    # -- validation ------------------------------------------------------------------------
    def _validate_rating(self, slot: str, value: Any,
                         dispatcher: CollectingDispatcher) -> dict[str, Any]:
        if value is None:
            return {slot: None}
        if value == SKIPPED:
            return {slot: SKIPPED}
        result = parse_rating(str(value))
        if result.status == OK:
            return {slot: result.amount}
        if result.status == DONT_KNOW:
            return {slot: SKIPPED}
        dispatcher.utter_message(text=RANGE_HELP.get(result.status, RANGE_HELP["invalid"]))
        return {slot: None}

    async def validate_est_pain(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._validate_rating("est_pain", value, dispatcher)

    async def validate_est_anxiety(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._validate_rating("est_anxiety", value, dispatcher)


def _rating(value: Any) -> float | None:
    return None if value in (None, SKIPPED) else float(value)


class ActionEstimateRelief(Action):
    """Give the estimate. Also re-runs with a new schedule ("what about every day?")."""

    def name(self) -> str:
        return "action_estimate_relief"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        previous = (tracker.get_slot("est_sessions") or 2, tracker.get_slot("est_weeks") or 2)
        if latest_intent(tracker) == "estimate_schedule":  # "what about every day?"
            texts = [_text(tracker)]
        else:  # a new estimate: the schedule starts from the documents' twice a week, 2 weeks
            texts, previous = _texts_since_estimate_began(tracker), (2, 2)
        sessions, weeks = schedule_from(texts, float(previous[0]), float(previous[1]))
        events: list[EventType] = [SlotSet("est_sessions", sessions), SlotSet("est_weeks", weeks)]
        pain = _rating(tracker.get_slot("est_pain"))
        anxiety = _rating(tracker.get_slot("est_anxiety"))
        result = estimate(pain, anxiety, sessions, weeks)
        first, *framing = result.lines()  # the numbers; then two short lines of framing
        dispatcher.utter_message(text=first)
        dispatcher.utter_message(
            text="\n".join(framing),
            buttons=buttons([
                ("Try 3 times a week", "3 times a week"),
                ("Try every day", "every day"),
                ("Start a hand massage", '/start_routine{"routine": "hand"}'),
            ]),
        )
        return events


