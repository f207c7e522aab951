"""Requests that carry what the bot would otherwise ask (issue #15), against the real servers.

A routine request that says how the person is starts in that variant after the safety check,
without asking how they are; an estimate opening with its ratings gives the estimate at once
or asks only for what is missing.
"""

import pytest

from tests.e2e.test_flows import screen_all_clear, step_line

pytestmark = pytest.mark.e2e


def said(messages) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def test_a_request_with_the_variant_skips_the_variant_question(bot, sender):
    first = bot.say(sender, "she doesn't respond any more, how do I do her feet?")
    assert "safety check" in first[0]["text"]
    after = screen_all_clear(bot, sender)
    payloads = [b.get("payload") or "" for m in after for b in m.get("buttons") or []]
    assert not any(p.startswith("/choose_variant") for p in payloads)  # not asked how she is
    assert "may still hear you" in said(after)  # the unconscious variant's introduction
    line = step_line(after)
    assert line and line.startswith("Step 1 of ") and "foot" in said(after).lower()


def test_todays_check_is_reused_and_the_next_request_starts_at_once(bot, sender):
    bot.say(sender, "mum's awake and chatty, hand massage please")
    screen_all_clear(bot, sender)
    bot.say(sender, "/routine_command{\"command\": \"stop\"}")
    again = bot.say(sender, "he's exhausted, just a quick foot rub")
    assert "safety check" not in said(again)
    assert "short version" in said(again) and step_line(again).startswith("Step 1 of ")


def test_an_estimate_opening_with_both_ratings_gives_the_estimate(bot, sender):
    text = bot.text(sender, "she rates her pain a 7 and her worry a 5, how much could "
                            "massage help?")
    assert "pain from 7 to about" in text and "anxiety from 5 to about" in text


def test_an_estimate_opening_with_one_rating_asks_only_the_other(bot, sender):
    ask = bot.text(sender, "hes really anxious, id say 9 out of 10, would massage calm him")
    assert "how much pain" in ask and "anxious or restless" not in ask
    final = bot.text(sender, "about a 3")  # a bare answer: the form reads it
    assert "pain from 3 to about" in final and "anxiety from 9 to about" in final
