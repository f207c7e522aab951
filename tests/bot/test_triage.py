"""bot/triage.py: one verdict per message, from the lexicon, temperatures and the classifier.

The held-out sets (tests/data/triage/, never trained on) run here in-process, untimed. Issue
14's bar is zero misses; the floors below are what the triage reaches today (measured by
`make nlu-report`, bench/RESULTS.md), so any change that loses a caught red flag or adds
false alarms fails the build. Raise them as the triage improves; never lower them.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from bot.triage import NONE, Triage, Verdict, fever_from_numbers
from tests.triage_sets import score

# Right tier, out of each set (emergency 213, nurse 188); false alarms out of 194 near misses.
FLOORS = {"emergency": 205, "nurse": 175}
MAX_NEAR_MISS_ALARMS = 20


@lru_cache(maxsize=1)
def triage() -> Triage:
    return Triage()


@lru_cache(maxsize=1)
def scores() -> dict:
    return score(lambda text: (lambda v: (v.tier, v.order))(triage()(text)))


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_red_flags_in_the_caregivers_own_words_reach_the_right_tier(name):
    s = scores()[name]
    assert s.right_tier >= FLOORS[name], "\n".join(s.misses)


def test_near_misses_rarely_alarm():
    s = scores()["near_miss"]
    assert s.any_alarm <= MAX_NEAR_MISS_ALARMS, "\n".join(s.misses)


@pytest.mark.parametrize("text, kind, order", [
    ("her face has dropped on one side and her words are slurred", "stroke", "hospice_first"),
    ("he's having a fit and won't stop shaking", "seizure", "immediate"),
    ("she's choking on a bit of toast", "choking", "immediate"),
    ("his lips and tongue are swelling up after the new cream", "allergic_reaction",
     "immediate"),
    ("his mouth has gone a greyish colour", "blue_grey_lips", "hospice_first"),
    ("she hasn't passed any urine since yesterday morning", "no_urine", "nurse"),
    ("he has been vomiting all night and can't keep anything down", "vomiting", "nurse"),
    ("her knees are mottled and her breathing has long pauses", "expected_decline",
     "expected"),
    ("thermometer says 39.1", "fever", "nurse"),
    ("the doctor thinks it could be a pulmonary embolism", "breathing_severe",
     "hospice_first"),
])
def test_new_signs_and_their_order_of_calls(text, kind, order):
    v = triage()(text)
    assert (v.kind, v.order) == (kind, order), v


@pytest.mark.parametrize("text", [
    "that bill nearly gave me a heart attack", "she fainted at a wedding years ago",
    "the infection cleared up a fortnight ago", "what are the signs of a stroke?",
    "next", "back. keep going", "is lotion ok?", "6", "she sighed and relaxed",
])
def test_mentions_that_are_not_events_do_not_alarm(text):
    assert triage()(text).tier == NONE


@pytest.mark.parametrize("text, fever", [
    ("thermometer says 39.1", True), ("temp 101", True), ("38.5 this evening", True),
    ("it reads 38 point 6", True), ("39C and shivering", True), ("temp of 102 F", True),
    ("her temp is 37.2", False), ("temperature is normal, 36.8", False),
    ("she had 39 degrees years ago", False), ("he is 88 years old", False),
    ("she weighs 40.5 kg", False),
])
def test_temperatures_given_as_numbers(text, fever):
    assert fever_from_numbers(text) is fever


def test_emergency_beats_nurse_and_bad_input_is_read():
    v = triage()("she has a fever and now chest pain \ud83d")
    assert v.tier == "emergency" and isinstance(v, Verdict)
    assert triage()("").tier == NONE and triage()(None).tier == NONE
