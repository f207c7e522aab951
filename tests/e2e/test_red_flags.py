"""Red flags win in every state of the conversation, over REST against the real servers.

Sent in the middle of the safety check, a routine and the relief estimate, a red flag in the
caregiver's own words gets the calls and nothing else: no step, no next question, and the next
message does not offer to go on with the massage (issue 14).
"""

from __future__ import annotations

import pytest

from tests.e2e.test_flows import screen_all_clear, step_line

pytestmark = pytest.mark.e2e


def joined(messages) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def no_flow_goes_on(messages) -> None:
    text = joined(messages)
    assert step_line(messages) is None, text
    titles = [b.get("title") for m in messages for b in m.get("buttons") or []]
    assert "Next" not in titles and "Yes" not in titles, titles


def start_hand_routine(bot, sender) -> None:
    bot.say(sender, "can you guide me through a hand massage?")
    screen_all_clear(bot, sender)
    started = bot.say(sender, '/choose_variant{"variant": "standard"}')
    assert step_line(started).startswith("Step 1 of ")
    assert step_line(bot.say(sender, "next")).startswith("Step 2 of ")


@pytest.mark.parametrize("sign, number", [
    ("oh no her face has dropped on one side and her words are slurred", "emergency"),
    ("he suddenly can't get his breath and his lips are going blue", "emergency"),
    ("she's gone hot and shivery, thermometer says 38.9", "hospice"),
])
def test_a_red_flag_in_the_middle_of_a_routine_stops_it(bot, sender, sign, number):
    start_hand_routine(bot, sender)
    reply = bot.say(sender, sign)
    text = joined(reply)
    wanted = bot.emergency_number if number == "emergency" else bot.hospice_phone
    assert wanted in text, text
    assert "good sign" not in text.lower()
    no_flow_goes_on(reply)
    after = bot.say(sender, "next")  # the routine is over: no next step
    assert step_line(after) is None, joined(after)


def test_a_red_flag_in_the_middle_of_the_safety_check_stops_it(bot, sender):
    bot.say(sender, "safety check")
    bot.say(sender, "yes")
    reply = bot.say(sender, "sorry just noticed the dressing on her leg is soaked through "
                            "with fresh blood and it keeps coming")
    assert bot.emergency_number in joined(reply)
    no_flow_goes_on(reply)


def test_a_red_flag_in_the_middle_of_the_estimate_stops_it(bot, sender):
    first = bot.text(sender, "estimate relief")
    assert "pain" in first.lower()
    reply = bot.say(sender, "hang on he's having a fit, his arms are jerking")
    assert bot.emergency_number in joined(reply)
    no_flow_goes_on(reply)
    assert "anxiety" not in joined(reply).lower()


def test_the_calls_come_in_the_order_hospice_practice_asks(bot, sender):
    """Immediate danger: emergency services first. Other emergencies: the hospice's
    24-hour line first (configured here), emergency services in the same reply. The expected
    signs of the last days: the hospice line with reassurance, not emergency services."""
    choking = bot.text(sender, "she's choking on her tea and can't cough it up")
    assert choking.index(bot.emergency_number) < choking.index(bot.hospice_phone)
    stroke = bot.text(sender + "b", "his face is drooping on the left all of a sudden")
    assert stroke.index(bot.hospice_phone) < stroke.index(bot.emergency_number)
    expected = bot.text(sender + "c", "her knees have gone mottled and purple and her "
                                      "breathing has long pauses now, it's been coming on "
                                      "over a few days")
    # the hospice line, with reassurance; emergency services only for a sudden change
    assert expected.index(bot.hospice_phone) < expected.index(bot.emergency_number)
    assert "suddenly" in expected[expected.index(bot.hospice_phone):]
