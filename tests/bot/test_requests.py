"""Routine requests and estimate openings read from the words (bot/requests.py)."""

from __future__ import annotations

import pytest

from bot.requests import (
    asks_for_routine,
    asks_what_massage_could_do,
    is_bare_answer,
    relief_question,
    routine_of,
    variant_of,
    variants_said,
)

# --- which routine, how the person is -------------------------------------------------------

# (text, routine, variant)
REQUESTS = [
    # the four
    ("she doesn't respond any more, how do I do her feet?", "foot", "unconscious"),
    ("dad's got dementia, can you walk me through a hand massage", "hand", "dementia"),
    ("he's exhausted, just a quick foot rub", "foot", "tired"),
    ("mum's awake and chatty, hand massage please", "hand", "standard"),
    # other ways of saying it
    ("my wife is in a coma now, could you guide me through rubbing her feet", "foot",
     "unconscious"),
    ("grandad has alzheimers, I'd like to do his hands", "hand", "dementia"),
    ("she's sedated, let's do her hands", "hand", "unconscious"),
    ("he's not woken up all day, step by step hand massage please", "hand", "unconscious"),
    ("she doesn't recognise me any more, can we try a foot rub", "foot", "dementia"),
    ("he's wiped out today, only a few minutes on his toes", "foot", "tired"),
    ("mum's sitting up and lucid, talk me through her fingers", "hand", "standard"),
    ("she's barely awake, a short hand massage", "hand", "tired"),
    # typos
    ("shes unconcious, guide me thru a foot massge", "foot", "unconscious"),
    ("dad has dementa, walk me thru a hnad massage", "hand", "dementia"),
    ("hes exausted, quick foot rub", "foot", "tired"),
    # no variant said
    ("hand massage please", "hand", None),
    ("how do I do his feet", "foot", None),
]


@pytest.mark.parametrize("text, routine, variant", REQUESTS)
def test_routine_and_variant(text, routine, variant):
    assert routine_of(text) == routine
    assert variant_of(text) == variant


@pytest.mark.parametrize("text, variant", [
    ("she's not unconscious, she's awake", "standard"),
    ("he isn't tired, he's alert", "standard"),
    ("he's not tired", None),
    ("not tired at all", None),
    ("she's not confused today", None),
    ("she's not awake", "unconscious"),
    ("he's not responding to me", "unconscious"),
    ("he has dementia and doesn't respond any more", "unconscious"),  # the bigger change wins
    ("she has dementia but she's awake and chatty", "dementia"),
    ("she's awake but very tired", "tired"),
    ("she's fine", "standard"),
    ("she's awake but her memory is bad", "dementia"),
    ("he's dozing on and off", "tired"),
    ("shes v weak today", "tired"),
    ("he has a weak left arm", None),  # one-sided weakness is not tiredness
    ("a full massage, she's doing well", "standard"),
])
def test_variant_with_negations_and_mixtures(text, variant):
    assert variant_of(text) == variant


@pytest.mark.parametrize("text", [
    "I'm exhausted, can we do her feet",  # the caregiver, not the person
    "i'm so confused about which oil to use",
    "I'm sick and tired of waiting for the nurse",
    "she falls asleep easily",
    "a quick question",
    "she's short of breath",  # a red flag for the SafetyNet, not a short routine
])
def test_words_that_say_nothing_about_the_person(text):
    assert variant_of(text) is None


def test_variants_said_lists_every_one_not_negated():
    assert variants_said("she has dementia, she's tired and not asleep") == {"dementia", "tired"}


@pytest.mark.parametrize("text, routine", [
    ("not her feet, her hands please", "hand"),
    ("her feet are too sore, can we do her hands instead", "hand"),
    ("don't do his hands, do his feet", "foot"),
    ("warm your hands, then do her feet", "foot"),  # the caregiver's own hands
    ("on the other hand, a foot massage might be nicer", "foot"),
    ("massage her hands and then her feet", "hand"),
    ("she's at the foot of the bed", None),
    ("can you give me a hand", None),
    ("no hand massage today thanks", None),
    ("how is she today", None),
])
def test_routine_choice(text, routine):
    assert routine_of(text) == routine


# --- asking to be guided through it ---------------------------------------------------------

@pytest.mark.parametrize("text", [
    "she doesn't respond any more, how do I do her feet?",
    "dad's got dementia, can you walk me through a hand massage",
    "he's exhausted, just a quick foot rub",
    "mum's awake and chatty, hand massage please",
    "foot massage",
    "let's do her hands",
    "is it safe? if so walk me through her feet",  # a clear request wins over a question
    "she's fine, do her hands",
    "handmassage pls",
    "cn we start on her hands",
    "ready for the foot massage now",
    "hand rub for mum please, she has dementia",
])
def test_asks_for_routine(text):
    assert asks_for_routine(text)


@pytest.mark.parametrize("text", [
    "how often should I massage her feet?",
    "is a foot massage safe with neuropathy?",
    "can I rub his hands if he has a drip?",
    "can she still feel a hand massage when she's asleep?",
    "what lotion for a foot rub",
    "her feet are cold",
])
def test_questions_about_massage_are_not_requests(text):
    assert not asks_for_routine(text)


# --- estimate openings ----------------------------------------------------------------------

@pytest.mark.parametrize("text, ratings", [
    ("she rates her pain a 7 and her worry a 5, how much could massage help?",
     {"pain": 7, "anxiety": 5}),
    ("pain 4 anxiety 7 what could massage do", {"pain": 4, "anxiety": 7}),
    ("hes really anxious, id say 9 out of 10, would massage calm him", {"anxiety": 9}),
    ("her pain is about a six, do you think massage would ease it", {"pain": 6}),
    ("his nerves are at 8/10, what difference could a hand massage make", {"anxiety": 8}),
    ("pain 7 wuld masage help", {"pain": 7}),
    ("pain 6 and anxiety 8, what can we expect", {"pain": 6, "anxiety": 8}),
    ("worry is a 4, is massage worth a try?", {"anxiety": 4}),
    ("can you estimate it for pain 3", {"pain": 3}),
    ("anxious 8, pain 2, wat would u expect", {"pain": 2, "anxiety": 8}),
    ("sore all over, about a 4, what could we hope for", {"pain": 4}),
    ("what's the potential relief with pain around 3", {"pain": 3}),
])
def test_relief_questions(text, ratings):
    assert relief_question(text) == ratings


@pytest.mark.parametrize("text", [
    # bare answers: the forms read them
    "6", "about a 7", "pain is 5 now", "her pain's about 6 i'd say", "anxiety 8/10",
    # a rating, but no question about what massage could do
    "pain is 3 now, the massage really helped",
    "pain is 4 now, did it help?",
    "her anxiety is 8, can you help me",
    "pain 6",
    # a question, but no rating
    "how much could massage help her pain?",
    "would massage calm him",
    # a button payload
    '/estimate_relief{"pain": 6}',
])
def test_not_relief_questions(text):
    assert relief_question(text) is None


@pytest.mark.parametrize("text, bare", [
    ("6", True), ("about a 7", True), ("pain is 5 now", True), ("seven", True),
    ("I'd say about a 6 now", True), ("pain 7, would massage help?", False), ("", True),
])
def test_bare_answers(text, bare):
    assert is_bare_answer(text) is bare


def test_asks_what_massage_could_do():
    assert asks_what_massage_could_do("could a foot rub bring it down")
    assert not asks_what_massage_could_do("the massage helped a lot")


# --- anything at all ------------------------------------------------------------------------

@pytest.mark.parametrize("value", [None, 7, 3.5, b"hand", ["foot"], {"x": 1}, "", "   ",
                                   "hand " * 5000, "\u0000\ud800", "/start_routine"])
def test_never_raises(value):
    assert routine_of(value) in (None, "hand", "foot")
    assert variant_of(value) in (None, "standard", "unconscious", "dementia", "tired")
    assert asks_for_routine(value) in (True, False)
    result = relief_question(value)
    assert result is None or set(result) <= {"pain", "anxiety"}
