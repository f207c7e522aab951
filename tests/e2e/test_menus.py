"""Typed menu words over REST against the real servers (issue #15; bot/menus.py and
components/server_patches.py, correction 8): typing a button's words works like tapping it."""

import pytest

from tests.e2e.test_flows import ALL_CLEAR, payload, step_line

pytestmark = pytest.mark.e2e


def user_events(bot, sender):
    return [e for e in bot.tracker(sender)["events"] if e.get("event") == "user"]


def test_typed_menu_words_start_the_foot_routine_and_answer_the_check_in(bot, sender):
    greeting = bot.say(sender, "hello")
    assert [b["title"] for b in greeting[-1]["buttons"]][3] == "Foot massage"
    first = bot.say(sender, "foot massge")
    assert "safety check" in first[0]["text"]
    out = []
    for answer in ALL_CLEAR:
        out = bot.say(sender, answer)
        if any("How are they right now?" in (m.get("text") or "") for m in out):
            break
    assert [b["title"] for b in out[-1]["buttons"]][1] == "Asleep or can't respond"
    started = bot.say(sender, "she's asleep")
    first_step = step_line(started)
    assert first_step.startswith("Step 1 of ") and "foot" in first_step.lower()
    tracker = bot.tracker(sender)
    assert tracker["slots"]["routine_variant"] == "unconscious"
    typed = {e["text"]: e["parse_data"] for e in user_events(bot, sender)}
    assert typed["foot massge"]["intent"]["name"] == "start_routine"
    assert typed["foot massge"]["menu_choice"] == '/start_routine{"routine": "foot"}'
    assert typed["she's asleep"]["intent"]["name"] == "choose_variant"

    total = int(first_step.split(" of ")[1].split()[0])
    last = started
    for _ in range(total + 2):
        last = bot.say(sender, payload("next"))
        if any("How did they respond" in (m.get("text") or "") for m in last):
            break
    assert any("How did they respond" in (m.get("text") or "") for m in last)
    bot.say(sender, "asleep")
    bot.say(sender, "skip")
    assert "saved this in your journal" in bot.text(sender, "skip")
    notes = [e.get("value") for e in bot.tracker(sender)["events"]
             if e.get("event") == "slot" and e.get("name") == "checkin_response"]
    assert "Fell asleep" in notes  # the button's title, as if tapped
    (check_in,) = [e for e in user_events(bot, sender) if e["text"] == "asleep"]
    assert check_in["parse_data"]["typed_text"] == "asleep"


def test_a_sentence_after_the_menu_is_left_to_the_nlu(bot, sender):
    bot.say(sender, "hello")
    sentence = "she's asleep but can I ask about lotion"
    bot.say(sender, sentence)
    parsed = user_events(bot, sender)[-1]["parse_data"]
    assert "menu_choice" not in parsed
    # the same reading as without any menu (/model/parse has no conversation)
    assert parsed["intent"]["name"] == bot.parse(sentence)["intent"]["name"]


def test_a_red_flag_typed_after_the_menu_still_escalates(bot, sender):
    bot.say(sender, "hello")
    text = bot.text(sender, "she has chest pain")
    assert bot.emergency_number in text
