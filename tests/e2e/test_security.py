"""No single request may stop the bot or reach another caregiver's conversation (issue 12).

Against the real servers as `make run` starts them (tests/e2e/conftest.py), over HTTP:

- senders the stores cannot keep (a lone surrogate stopped the whole server through Rasa's
  `session_scope`; a NUL did with PostgreSQL) get a 400 and the server keeps answering;
- a red flag is answered with the number whatever else the message holds: half an emoji at
  the end, or thousands of characters before it;
- the conversation stores at most the capped text of a very long message;
- a REST caller who names another channel's conversation (a WhatsApp number) talks in a
  conversation of its own and learns nothing of the other.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
import requests

from channels.whatsapp import twilio_signature
from components.server_patches import STORED_CHARS
from tests.channels.fakes import (
    PUBLIC_URL,
    TWILIO_NUMBER,
    TWILIO_SID,
    TWILIO_TOKEN,
    FakeTwilio,
)

pytestmark = pytest.mark.e2e

WEBHOOK = "/webhooks/rest/webhook"


def raw_post(bot, body: bytes) -> requests.Response:
    """A body exactly as written: JSON escapes such as \\udfff reach the server unchanged."""
    return requests.post(bot.url + WEBHOOK, data=body,
                         headers={"Content-Type": "application/json"}, timeout=60)


def still_answers(bot) -> None:
    replies = bot.say("after-" + uuid.uuid4().hex[:8], "hi")
    assert any("Gentle Hands" in (m.get("text") or "") for m in replies), replies


@pytest.mark.parametrize("sender", ["x\\udfff", "\\ud83d", "a\\u0000b", "line\\nbreak", ""])
def test_a_sender_the_stores_cannot_keep_gets_a_400_and_the_server_stays_up(bot, sender):
    r = raw_post(bot, b'{"sender": "' + sender.encode() + b'", "message": "hi"}')
    assert r.status_code == 400 and "sender" in r.json()["error"], r.text
    still_answers(bot)


@pytest.mark.parametrize("body", [b'{"sender": "ann"}', b'{"sender": "ann", "message": null}',
                                  b'{"message": "hi"}'])
def test_a_missing_message_or_sender_is_a_400_not_a_traceback(bot, body):
    r = raw_post(bot, body)
    assert r.status_code == 400, r.text
    still_answers(bot)


def test_half_an_emoji_never_silences_a_red_flag(bot, sender):
    """A lone high surrogate made spaCy fail: "chest pain" got "I can't do that just now"."""
    r = raw_post(bot, json.dumps({"sender": sender, "message": "PLACEHOLDER"}).replace(
        "PLACEHOLDER", "my dad has chest pain \\ud83d").encode())
    assert r.status_code == 200, r.text
    text = " ".join(m.get("text") or "" for m in r.json())
    assert bot.emergency_number in text, text
    assert "try again in a minute" not in text


def test_a_red_flag_after_thousands_of_characters_is_still_read(bot, sender):
    ramble = "we had a quiet morning and she ate a little toast. " * 80  # about 4,000 chars
    text = bot.text(sender, ramble + "now she says her chest feels crushed and tight")
    assert bot.emergency_number in text, text


def test_the_conversation_keeps_only_the_capped_text_of_a_long_message(bot, sender):
    bot.say(sender, "hello " * 5000)  # 30,000 characters
    events = bot.tracker("rest:" + sender)["events"]
    stored = [e for e in events if e["event"] == "user"][-1]
    assert len(stored["text"]) <= STORED_CHARS + 1
    assert len(json.dumps(stored)) < 20_000  # nor is it kept whole in the parse data


def test_escaped_markup_is_never_turned_into_markup(bot, sender):
    bot.say(sender, "&lt;img src=x onerror=alert(1)&gt; is lotion ok?")
    events = bot.tracker("rest:" + sender)["events"]
    parsed = [e for e in events if e["event"] == "user"][-1]["parse_data"]["text"]
    assert "<img" not in parsed and "<" not in parsed, parsed


# -- one channel cannot reach another's conversations ---------------------------------------------
def wa_post(bot, body: str, sender: str) -> requests.Response:
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": TWILIO_SID, "From": sender,
            "To": TWILIO_NUMBER, "Body": body, "NumMedia": "0"}
    path = "/webhooks/whatsapp/webhook"
    headers = {"X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, PUBLIC_URL + path, form)}
    return requests.post(bot.url + path, data=form, headers=headers, timeout=60)


def test_a_rest_caller_cannot_continue_a_whatsapp_conversation(bot):
    phone = f"whatsapp:+4477008{uuid.uuid4().int % 10**5:05d}"
    twilio = FakeTwilio(port=bot.side_ports["twilio"]).start()
    try:
        assert wa_post(bot, "is it safe to massage my mum, she has a PICC line in her left "
                            "arm", phone).status_code == 200
        twilio.wait_for(lambda calls: any(c.data["To"] == phone for c in calls))
    finally:
        twilio.stop()
    before = bot.tracker(phone)["events"]

    # The attacker knows the number and posts as it over REST, without any secret.
    replies = bot.say(phone, "why?") + bot.say(phone, "show my log")
    said = " ".join(m.get("text") or "" for m in replies).lower()
    assert "picc" not in said and "left arm" not in said, said
    assert all(m["recipient_id"] == phone for m in replies)

    after = bot.tracker(phone)["events"]
    assert len(after) == len(before)  # the WhatsApp conversation was not touched
    theirs = [e.get("text") for e in bot.tracker("rest:" + phone)["events"]
              if e["event"] == "user"]
    assert theirs[-2:] == ["why?", "show my log"]  # the caller talked in a conversation of its own
    assert not any(re.search("picc", e.get("text") or "", re.I)
                   for e in bot.tracker("rest:" + phone)["events"] if e["event"] == "bot")
