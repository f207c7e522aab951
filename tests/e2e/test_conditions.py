"""Issue #15: a question or a remark about the person's own condition gets that condition's
guidance and source from the running bot, then the safety check."""

import pytest

from actions.screen import OFFER_CHECK, START_CHECK
from bot.condition_advice import reply_messages
from bot.screen import Finding

pytestmark = pytest.mark.e2e


def test_a_question_about_bone_mets_gets_their_guidance_then_the_check(bot, sender):
    said = bot.say(sender, "is massage ok with bone mets?")
    texts = [m.get("text") or "" for m in said]
    assert texts[0] == reply_messages([Finding("bone_mets", "unsure")])[0]
    assert "This comes from: " in texts[0]
    assert texts[1] == START_CHECK
    assert "willing" in texts[2]  # the check's first question


def test_a_remark_about_a_catheter_gets_its_guidance_and_the_check_offered(bot, sender):
    said = bot.say(sender, "dad has a catheter")
    assert said[0]["text"] == reply_messages([Finding("catheter")], "he")[0]
    assert said[1]["text"] == OFFER_CHECK
    assert [b["title"] for b in said[1]["buttons"]] == ["Safety check"]
    # the check, when tapped, does not ask again about what was told
    first = bot.text(sender, "/start_screen")
    assert "willing" in first
