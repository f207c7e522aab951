"""bot/menus.py: a short typed message is the button of the last reply it clearly means."""

from __future__ import annotations

import time

import pytest
import yaml

from bot.menus import (
    MENUS_PATH,
    VARIANT_BUTTONS,
    load_vocabulary,
    parse_payload,
    payload_key,
    resolve,
    same_payload,
    vocabulary_from,
)
from tests.understanding_sets import menu_buttons

MAIN = menu_buttons("main")
VARIANT = menu_buttons("variant")
CHECKIN = menu_buttons("checkin")
SCREEN = [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"},
          {"title": "Not sure", "payload": "not sure"}]  # actions/screen.py ANSWER_BUTTONS
RATING = [{"title": "3", "payload": "3"}, {"title": "5", "payload": "5"},
          {"title": "7", "payload": "7"}, {"title": "Skip", "payload": "skip"}]
MENUS = {"main": MAIN, "variant": VARIANT, "checkin": CHECKIN, "screen": SCREEN}

HAND = '/start_routine{"routine": "hand"}'
FOOT = '/start_routine{"routine": "foot"}'
STANDARD = '/choose_variant{"variant": "standard"}'
ASLEEP = '/choose_variant{"variant": "unconscious"}'
DEMENTIA = '/choose_variant{"variant": "dementia"}'
TIRED = '/choose_variant{"variant": "tired"}'


@pytest.mark.parametrize("text, payload", [
    ("hand", HAND),
    ("Hand massage", HAND),
    ("hands please", HAND),
    ("hnad", HAND),  # two letters swapped
    ("feet pls", FOOT),
    ("the feet one", FOOT),
    ("foot massge", FOOT),
    ("Foot massage!", FOOT),
    ("toes", FOOT),
    ("feat massage", FOOT),  # "feat" is a word, but "massage" is the foot button's too
    ("i would like the foot one please", FOOT),
    ("i have a question", "/ask_question"),
    ("can I ask a question?", "/ask_question"),
    ("questoin", "/ask_question"),
    ("saftey check", "/start_screen"),
    ("is it safe", "/start_screen"),
    ("estimate", "/estimate_relief"),
    ("estimat", "/estimate_relief"),
    ("  RELIEF  ", "/estimate_relief"),
])
def test_the_main_menu(text, payload):
    assert resolve(text, MAIN) == payload


@pytest.mark.parametrize("text, payload", [
    ("Awake and able to talk", STANDARD),
    ("awake", STANDARD),
    ("she can talk", STANDARD),
    ("alert", STANDARD),
    ("asleep", ASLEEP),
    ("she's asleep", ASLEEP),
    ("he’s sleeping", ASLEEP),
    ("not awake", ASLEEP),  # not "awake"
    ("she can't talk", ASLEEP),  # not "talk"
    ("unresponsive", ASLEEP),
    ("unconscious", ASLEEP),  # its own word, not a typo of "conscious"
    ("unconsious", ASLEEP),
    ("not responding", ASLEEP),
    ("very confused", DEMENTIA),  # "very" is the tired button's title, but only a filler
    ("alzheimers", DEMENTIA),
    ("demntia", DEMENTIA),
    ("tired", TIRED),
    ("the short one", TIRED),
    ("sleepy", TIRED),
    ("exhausted", TIRED),
])
def test_the_variant_question(text, payload):
    assert resolve(text, VARIANT) == payload


@pytest.mark.parametrize("text, payload", [
    ("Fell asleep", "Fell asleep"),
    ("fell asleep.", "Fell asleep"),
    ("fell aslep", "Fell asleep"),
    ("asleep", "Fell asleep"),
    ("he slept", "Fell asleep"),
    ("calmer", "Relaxed or calmer"),
    ("relaxed", "Relaxed or calmer"),
    ("no change", "No clear change"),
    ("the same", "No clear change"),
    ("uncomfortable", "Seemed uncomfortable"),
])
def test_the_check_in(text, payload):
    assert resolve(text, CHECKIN) == payload


@pytest.mark.parametrize("text, payload", [
    ("yes", "yes"), ("No", "no"), ("not sure", "not sure"), ("dont know", "not sure"),
    ("unsure", "not sure"), ("no idea", "not sure"),
])
def test_yes_no_not_sure(text, payload):
    assert resolve(text, SCREEN) == payload


@pytest.mark.parametrize("text, payload", [
    ("3", "3"), (" 7 ", "7"), ("skip", "skip"), ("3 please", None), ("three", None),
    ("37", None), ("7/10", None), ("5 or 7", None),
])
def test_number_buttons_are_matched_exactly(text, payload):
    assert resolve(text, RATING) == payload


@pytest.mark.parametrize("text", [
    "she's asleep but can I ask about lotion",  # a sentence: the NLU reads it
    "what about the feet",
    "hand and foot",  # two buttons
    "massage",  # ambiguous: hand or foot
    "i don't want a foot massage",
    "no foot massage today",
    "foot massage for my mum please thank you so much",  # too long
    "help",
    "hard",  # a word of its own, not a typo of "hand"
    "food",
    "she has chest pain",  # a red flag: never a menu choice
    "she fell and hit her head",
    "",
    "   ",
    "!!!",
    "🙂",
    "<b>foot</b>",
    "<script>alert('hand')</script>",
    "/start_routine{\"routine\": \"foot\"}",
    "foot " * 200,
    "x" * 100_000,
])
def test_messages_that_are_not_a_main_menu_choice(text):
    assert resolve(text, MAIN) is None


@pytest.mark.parametrize("text, menu", [
    ("no", "variant"), ("no", "checkin"), ("fell", "checkin"), ("she fell", "checkin"),
    ("not", "screen"), ("can't", "variant"),  # weak words alone choose nothing
    ("awake but tired", "variant"),
    ("relaxed then fell asleep", "checkin"),
    ("fell asleep", "variant"),  # "fell" is no word of the variant question
    ("tried", "variant"),  # a word of its own, not "tired"
    ("nope", "screen"),
    ("not sure", "checkin"),
])
def test_messages_that_are_not_a_choice_of_that_menu(text, menu):
    assert resolve(text, MENUS[menu]) is None


@pytest.mark.parametrize("buttons", [None, [], "buttons", [{"title": "Hand"}], [None, 5],
                                     [{"title": 3, "payload": "/x"}],
                                     [{"title": " ", "payload": "/x"}]])
def test_no_usable_buttons_no_choice(buttons):
    assert resolve("hand", buttons) is None


@pytest.mark.parametrize("text", [None, 5, b"hand", ["hand"]])
def test_only_text_is_read(text):
    assert resolve(text, MAIN) is None


def test_two_buttons_with_the_same_title_but_different_payloads_are_ambiguous():
    twice = [{"title": "Hand massage", "payload": HAND}, {"title": "Hand massage", "payload": FOOT}]
    assert resolve("hand massage", twice) is None
    same = [{"title": "Stop", "payload": "/stop"}, {"title": "stop", "payload": "/stop"}]
    assert resolve("stop", same) == "/stop"


def test_a_long_message_is_refused_at_once():
    started = time.perf_counter()
    for _ in range(1000):
        assert resolve("feet " * 100_000, MAIN) is None
    assert time.perf_counter() - started < 1.0


def test_every_word_of_menus_yml_means_its_button_in_its_menu():
    """No extra word is taken by another button of the same menu (or lost to a filler)."""
    vocabulary = load_vocabulary()
    checked = 0
    for buttons in MENUS.values():
        for button in buttons:
            for phrase in vocabulary.extra.get(payload_key(button["payload"]), ()):
                assert resolve(phrase, buttons) == button["payload"], (phrase, button)
                checked += 1
    assert checked > 50


def test_every_title_means_its_own_button():
    for buttons in [*MENUS.values(), RATING]:
        for button in buttons:
            assert resolve(button["title"], buttons) == button["payload"]
            assert resolve(button["title"].upper() + ".", buttons) == button["payload"]


def test_menus_yml_has_words_for_every_button_of_the_three_menus():
    data = yaml.safe_load(MENUS_PATH.read_text(encoding="utf-8"))
    keys = {payload_key(k) for k in data["buttons"]}
    assert {payload_key(b["payload"]) for b in [*MAIN, *VARIANT, *CHECKIN]} <= keys


def test_a_word_yaml_reads_as_false_is_an_error_not_a_lost_word():
    with pytest.raises(ValueError, match="quote"):
        vocabulary_from(yaml.safe_load("weak: [no, not]"))
    assert "no" in vocabulary_from(yaml.safe_load("weak: ['no', not]")).weak


def test_the_variant_buttons_are_those_the_action_sends():
    from rasa_sdk.executor import CollectingDispatcher

    from actions.routine import ask_variant

    dispatcher = CollectingDispatcher()
    ask_variant(dispatcher)
    (message,) = dispatcher.messages
    assert [(b["title"], b["payload"]) for b in message["buttons"]] == list(VARIANT_BUTTONS)
    assert message["buttons"] == VARIANT


def test_payloads():
    assert parse_payload(FOOT) == ("start_routine", {"routine": "foot"})
    assert parse_payload("/ask_question") == ("ask_question", {})
    assert parse_payload("Fell asleep") is None
    assert parse_payload('/x{"a": ') is None and parse_payload("/x[1]") is None
    assert payload_key(FOOT) == "start_routine:foot"
    assert payload_key("  Fell   Asleep ") == "fell asleep"
    assert same_payload(FOOT, '/start_routine{"routine":"foot"}')
    assert not same_payload(FOOT, HAND)
    assert same_payload("Fell asleep", "fell asleep")
    assert not same_payload("/ask_question", "ask_question")
