"""bot/triage.py: one verdict per message, from the lexicon, temperatures and the classifier.

The held-out sets (tests/data/triage/, never trained on) run here in-process, untimed. Issue
14's bar: every red flag of both tiers reaches its tier, with the calls in the order its sign
asks, and at most 5% of the near misses alarm. A miss fails the build. The lexicon's patterns
were widened where these sets showed what it lacked, so the figures here are the tuned ones;
tests/data/triage_blind/ (written afterwards, measured once) is the honest figure, reported by
`make nlu-report`.
"""

from __future__ import annotations

from functools import lru_cache

import pytest

from bot.triage import NONE, Triage, Verdict, fever_from_numbers
from tests.triage_sets import score

# Near misses that may alarm: 5% of the set, rounded down.
NEAR_MISS_SHARE = 0.05


@lru_cache(maxsize=1)
def triage() -> Triage:
    return Triage()


@lru_cache(maxsize=1)
def scores() -> dict:
    return score(lambda text: (lambda v: (v.tier, v.order))(triage()(text)))


@pytest.mark.parametrize("name", ["emergency", "nurse"])
def test_every_red_flag_in_the_caregivers_own_words_reaches_its_tier(name):
    s = scores()[name]
    assert s.right_tier == s.total, "\n".join(s.misses)


@pytest.mark.parametrize("name", ["emergency", "nurse"])
def test_every_red_flag_gets_the_calls_in_the_order_its_sign_asks(name):
    s = scores()[name]
    assert s.right_order == s.total, "\n".join(s.misses + s.wrong_order)


@lru_cache(maxsize=1)
def blind_scores() -> dict:
    from tests.triage_sets import BLIND

    return score(lambda text: (lambda v: (v.tier, v.order))(triage()(text)), BLIND)


# The blind set (tests/data/triage_blind/) is measured, never tuned against: these floors are
# what it gave when first measured (2026-12-01), so a change can only keep or improve them.
# The miss and false-alarm lists are in bench/RESULTS.md; the bar stays zero misses.
BLIND_FLOORS = {"emergency": 70, "nurse": 68}
BLIND_MAX_ALARMS = 10


@pytest.mark.parametrize("name", sorted(BLIND_FLOORS))
def test_the_blind_set_keeps_what_it_first_measured(name):
    s = blind_scores()[name]
    assert s.right_tier >= BLIND_FLOORS[name], "\n".join(s.misses)


def test_the_blind_near_misses_alarm_no_more_than_first_measured():
    s = blind_scores()["near_miss"]
    assert s.any_alarm <= BLIND_MAX_ALARMS, "\n".join(s.misses)


def test_near_misses_rarely_alarm():
    s = scores()["near_miss"]
    assert s.any_alarm <= int(NEAR_MISS_SHARE * s.total), "\n".join(s.misses)


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


@pytest.mark.parametrize("text, kind, order", [
    # a seizure that has stopped is still an emergency, with the hospice line first
    ("grandad had a fit just now, it lasted a minute and has stopped, he is drowsy",
     "seizure_stopped", "hospice_first"),
    ("he is fitting and it has not let up for five minutes", "seizure", "immediate"),
    # among emergency signs, immediate danger decides the order of the calls
    ("his tongue is swelling after the new tablets and he can't breathe properly",
     "allergic_reaction", "immediate"),
    # the expected signs of the last days, said of someone dying, get the expected reply
    ("she has barely passed water since yesterday, the nurse says she is in her last days",
     "expected_decline", "expected"),
    ("her feet are cold and going mottled and she sleeps nearly all day",
     "expected_decline", "expected"),
    # a sign the lexicon knows keeps its tier unless the classifier is sure of an emergency
    ("mum hasn't had a wee since first thing this morning, it's nearly bedtime",
     "no_urine", "nurse"),
    # shaking with a fever is shivering: the fever, for the nurse line
    ("temp is 38.9 and he is shaking all over under the blankets", "fever", "nurse"),
    ("he is shaking all over and won't answer me", None, "immediate"),
])
def test_the_verdict_names_the_kind_and_the_order(text, kind, order):
    v = triage()(text)
    assert v.order == order, v
    if kind:
        assert v.kind == kind, v


@pytest.mark.parametrize("text", [
    # a date elsewhere in the clause dates something else
    "he went a strange colour just now, he had bypass surgery years ago",
    "my wife has an epipen from years back, her lips are swelling up",
])
def test_a_date_dates_only_its_own_part_of_the_sentence(text):
    assert triage()(text).tier == "emergency"


@pytest.mark.parametrize("text", [
    "she broke her hip last spring, it's all healed now, can I do her feet?",
    "my neighbour's wife had a stroke in the summer, could that happen to dad?",
    "I only mentioned bleeding because the form asked about it, she's fine",
    "what's the difference between a fit and a faint? just curious, he's grand",
    "any tips for keeping her skin from tearing when I move her?",
    "he's had dementia for years, muddled most days, nothing new there",
    "I'm burned out some days but coping, what oil do you suggest?",
])
def test_clear_context_sets_a_mention_aside(text):
    assert triage()(text).tier != "emergency"


@pytest.mark.parametrize("text", ["she fell aslep half way through the hand massage",
                                  "Fell alseep"])
def test_a_misspelt_fell_asleep_is_not_a_fall(text):
    assert triage()(text).tier == NONE
