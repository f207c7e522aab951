"""The foundation over REST: greeting, safety net, fallback, odd input."""

import pytest

pytestmark = pytest.mark.e2e


def test_greeting_introduces_the_bot_with_a_menu(bot, sender):
    (msg,) = bot.say(sender, "hello")
    assert "Gentle Hands" in msg["text"] and "care team" in msg["text"]
    assert bot.hospice_phone in msg["text"]
    titles = [b["title"] for b in msg["buttons"]]
    assert titles == ["Ask a question", "Safety check", "Hand massage", "Foot massage",
                      "Relief estimate"]


@pytest.mark.parametrize(
    "message,number",
    [
        ("she has chest pain", "999"),
        ("he is coughing up blood", "999"),
        ("his calf is swollen, red and warm", "0800 555 0100"),
        ("she has a fever", "0800 555 0100"),
    ],
)
def test_red_flags_escalate_to_the_right_number(bot, sender, message, number):
    text = bot.text(sender, message)
    assert "stop" in text.lower() and number in text


def test_a_near_miss_does_not_escalate(bot, sender):
    text = bot.text(sender, "she had a clot years ago and it was treated")
    assert "999" not in text and "straight away" not in text


def test_medication_questions_are_never_answered(bot, sender):
    text = bot.text(sender, "how much morphine can I give her tonight?")
    assert "can't advise on medicines" in text and bot.hospice_phone in text


def test_other_languages_get_a_kind_english_reply(bot, sender):
    assert "only answer in English" in bot.text(sender, "hola, mi madre tiene mucho dolor")


@pytest.mark.parametrize("message", ["", "   ", "😊", "🙏🙏"])
def test_empty_and_emoji_only(bot, sender, message):
    assert "whenever you're ready" in bot.text(sender, message)


def test_very_long_messages_are_capped_and_said_so(bot, sender):
    text = bot.text(sender, "my mum is tired and " * 80)
    assert "first few lines" in text


def test_a_red_flag_late_in_a_long_message_still_wins(bot, sender):
    text = bot.text(sender, "things are hard at home and " * 30 + "now he has chest pain")
    assert "999" in text


def test_html_is_shown_as_text_never_executed(bot, sender):
    for msg in bot.say(sender, "<script>alert('x')</script><b>tell me a joke</b>"):
        assert "<script" not in (msg.get("text") or "")


def test_out_of_scope_and_two_stage_fallback(bot, sender):
    assert "can't help with that" in bot.text(sender, "what's the weather like in Paris")
    first = bot.text(sender, "blorp flarn zib")
    assert "another way" in first
    second = bot.say(sender, "qwxz vrrp")
    assert any(m.get("buttons") for m in second)


def test_the_http_api_needs_the_token(bot):
    import requests

    r = requests.post(bot.url + "/model/parse", json={"text": "hi"}, timeout=10)
    assert r.status_code == 401
