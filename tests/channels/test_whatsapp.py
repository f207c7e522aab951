"""The WhatsApp (Twilio) channel's blueprint, with a stub bot and a fake Twilio API."""

from __future__ import annotations

import aiohttp
import pytest
from twilio.request_validator import RequestValidator

from channels.common import utf16_len
from channels.whatsapp import (
    MAX_TEXT,
    TEXT_ONLY,
    Choices,
    WhatsAppInput,
    twilio_signature,
    valid_signature,
)
from tests.channels.fakes import TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN

PUBLIC = "https://bot.example.org"
PATH = "/webhooks/whatsapp/webhook"
CAREGIVER = "whatsapp:+447700900123"
MENU = [{"title": "Ask a question", "payload": "/ask_question"},
        {"title": "Safety check", "payload": "/start_screen"},
        {"title": "Hand massage", "payload": '/start_routine{"routine": "hand"}'}]


@pytest.fixture
def channel(fake_twilio) -> WhatsAppInput:
    fake_twilio.clear()
    return WhatsAppInput.from_credentials({
        "account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN,
        "whatsapp_number": TWILIO_NUMBER.removeprefix("whatsapp:"),
        "api_base_url": fake_twilio.url, "public_url": PUBLIC,
    })


def form(body: str, sid: str, sender: str = CAREGIVER, **extra: str) -> dict[str, str]:
    return {"SmsMessageSid": sid, "MessageSid": sid, "AccountSid": TWILIO_SID,
            "From": sender, "To": TWILIO_NUMBER, "Body": body, "NumMedia": "0",
            "ProfileName": "Ann", "WaId": sender.split("+")[-1], **extra}


async def post(base: str, data: dict[str, str], signature: str | None = "sign",
               signed_url: str = PUBLIC + PATH, query: str = "") -> aiohttp.ClientResponse:
    headers = {}
    if signature == "sign":
        signature = twilio_signature(TWILIO_TOKEN, signed_url + query, data)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    async with aiohttp.ClientSession() as s, \
            s.post(base + PATH + query, data=data, headers=headers) as r:
        await r.read()
        return r


# -- signatures ---------------------------------------------------------------------------------
def test_our_signature_matches_twilios_own_validator():
    params = form("Hello, is it safe?", "SM1")
    url = PUBLIC + PATH + "?x=1"
    ours = twilio_signature(TWILIO_TOKEN, url, params)
    validator = RequestValidator(TWILIO_TOKEN)
    assert ours == validator.compute_signature(url, params)
    assert validator.validate(url, params, ours)
    assert valid_signature(TWILIO_TOKEN, url, params, ours)
    # Twilio may sign the URL with the default port spelled out.
    with_port = twilio_signature(TWILIO_TOKEN, "https://bot.example.org:443" + PATH, params)
    assert valid_signature(TWILIO_TOKEN, PUBLIC + PATH, params, with_port)


@pytest.mark.parametrize("bad", [
    {"token": "another-token"}, {"url": "https://evil.example" + PATH},
    {"body": "Something else"},
])
def test_a_signature_over_anything_else_fails(bad):
    params = form("Hello", "SM2")
    sig = twilio_signature(bad.get("token", TWILIO_TOKEN), bad.get("url", PUBLIC + PATH), params)
    checked = form(bad.get("body", "Hello"), "SM2")
    assert not valid_signature(TWILIO_TOKEN, PUBLIC + PATH, checked, sig)
    assert not valid_signature(TWILIO_TOKEN, PUBLIC + PATH, checked, None)
    assert not valid_signature("", PUBLIC + PATH, checked, sig)


# -- the webhook --------------------------------------------------------------------------------
async def test_a_signed_message_reaches_the_bot_and_the_reply_goes_out(serve, stub_bot, channel,
                                                                       fake_twilio):
    base = await serve(channel)
    stub_bot.reply = lambda text: [{"text": "Hello! What would you like?", "buttons": MENU}]
    r = await post(base, form("hello", "SM10"))
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/xml")
    assert stub_bot.texts == ["hello"]
    assert stub_bot.messages[0].sender_id == CAREGIVER
    (call,) = fake_twilio.calls_to("Messages")
    assert call.data["To"] == CAREGIVER and call.data["From"] == TWILIO_NUMBER
    assert call.data["Body"] == (
        "Hello! What would you like?\n\nReply with a number:\n"
        "1. Ask a question\n2. Safety check\n3. Hand massage")


@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl"])
async def test_unsigned_or_forged_requests_are_refused(serve, stub_bot, channel, fake_twilio,
                                                       signature):
    base = await serve(channel)
    r = await post(base, form("hello", "SM11"), signature=signature)
    assert r.status == 403
    assert stub_bot.messages == [] and fake_twilio.calls == []


async def test_the_signature_is_checked_against_the_public_url(serve, stub_bot, channel):
    """Behind a proxy the server sees http://127.0.0.1:port; Twilio signed the public URL."""
    base = await serve(channel)
    r = await post(base, form("hello", "SM12"), signed_url=base + PATH)
    assert r.status == 403
    r = await post(base, form("hello", "SM13"), query="?hospice=1")
    assert r.status == 200 and stub_bot.texts == ["hello"]


async def test_the_url_seen_is_used_when_no_public_url_is_set(serve, stub_bot, fake_twilio):
    channel = WhatsAppInput(TWILIO_SID, TWILIO_TOKEN, TWILIO_NUMBER, fake_twilio.url)
    base = await serve(channel)
    r = await post(base, form("hi", "SM14"), signed_url=base + PATH)
    assert r.status == 200 and stub_bot.texts == ["hi"]


async def test_a_digit_answers_with_that_buttons_payload(serve, stub_bot, channel):
    base = await serve(channel)
    stub_bot.reply = lambda text: [{"text": "What would you like?", "buttons": MENU}]
    await post(base, form("hi", "SM20"))
    await post(base, form(" 3 ", "SM21"))
    assert stub_bot.texts == ["hi", MENU[2]["payload"]]
    # The same digit from someone who was never offered choices is just text.
    await post(base, form("3", "SM22", sender="whatsapp:+447700900999"))
    assert stub_bot.texts[-1] == "3"


@pytest.mark.parametrize("reply,expected", [
    ("2", "/start_screen"), ("2.", "/start_screen"), ("2️⃣", "/start_screen"),
    ("safety check", "/start_screen"), ("9", "9"), ("0", "0"), ("yes please", "yes please"),
])
async def test_choices_resolve(reply, expected):
    choices = Choices()
    await choices.offer(CAREGIVER, MENU)
    assert await choices.resolve(CAREGIVER, reply) == expected
    # An offer is used once: the next message is taken as it is.
    assert await choices.resolve(CAREGIVER, "2") == "2"


async def test_numbers_run_on_across_one_bot_turn():
    choices = Choices()
    first = await choices.offer(CAREGIVER, [{"title": "Why?", "payload": "/ask_why"}])
    second = await choices.offer(CAREGIVER, [{"title": "Yes, let's start", "payload": "/go"},
                                             {"title": "Not now", "payload": "/stop"}])
    assert first.endswith("1. Why?") and second.endswith("2. Yes, let's start\n3. Not now")
    assert await choices.resolve(CAREGIVER, "1") == "/ask_why"
    await choices.offer(CAREGIVER, [{"title": "Why?", "payload": "/ask_why"}])
    assert await choices.resolve(CAREGIVER, "not now") == "not now"  # a new turn: offer gone


async def test_number_buttons_are_listed_as_they_are():
    choices = Choices()
    ratings = [{"title": n, "payload": n} for n in ("3", "5", "7")]
    assert await choices.offer(CAREGIVER, ratings) == "You can reply 3, 5 or 7."
    assert await choices.resolve(CAREGIVER, "3") == "3"  # the rating 3, not the third button


async def test_long_replies_are_split_within_1600_characters(serve, stub_bot, channel,
                                                             fake_twilio):
    sentence = "Keep the pressure light and stop if they frown or pull away. "
    text = "\n\n".join([(sentence * 6).strip()] * 10)  # about 3,700 characters
    base = await serve(channel)
    stub_bot.reply = lambda _: [{"text": text, "buttons": MENU}]
    await post(base, form("more", "SM30"))
    bodies = fake_twilio.bodies()
    assert len(bodies) == 3
    assert all(utf16_len(b) <= MAX_TEXT for b in bodies)
    assert bodies[-1].endswith("3. Hand massage")
    assert " ".join(bodies).split()[: len(text.split())] == text.split()


async def test_media_without_text_gets_a_kind_reply(serve, stub_bot, channel, fake_twilio):
    base = await serve(channel)
    await post(base, form("", "SM40", NumMedia="1", MediaUrl0="https://example.org/x.jpg"))
    assert stub_bot.messages == [] and fake_twilio.bodies() == [TEXT_ONLY]


async def test_repeated_deliveries_are_handled_once(serve, stub_bot, channel):
    base = await serve(channel)
    await post(base, form("hello", "SM50"))
    await post(base, form("hello", "SM50"))
    assert stub_bot.texts == ["hello"]


async def test_replies_do_not_block_the_event_loop(serve, stub_bot, channel, fake_twilio):
    """Two caregivers at once: both answered, the second not waiting on the first's send."""
    import asyncio

    base = await serve(channel)
    stub_bot.reply = lambda text: [{"text": f"Reply to {text}"}]
    await asyncio.gather(post(base, form("one", "SM60", sender="whatsapp:+447700900001")),
                         post(base, form("two", "SM61", sender="whatsapp:+447700900002")))
    assert sorted(fake_twilio.bodies()) == ["Reply to one", "Reply to two"]


async def test_an_unconfigured_channel_stays_off(serve, stub_bot):
    channel = WhatsAppInput.from_credentials({"account_sid": "", "auth_token": "",
                                              "whatsapp_number": ""})
    base = await serve(channel)
    r = await post(base, form("hello", "SM70"), signature="x")
    assert r.status == 404 and stub_bot.messages == []


async def test_delivery_status_callbacks_are_not_messages(serve, stub_bot, channel, fake_twilio):
    base = await serve(channel)
    status = {"MessageSid": "SM80", "MessageStatus": "delivered", "AccountSid": TWILIO_SID,
              "From": TWILIO_NUMBER, "To": CAREGIVER}
    r = await post(base, status)
    assert r.status == 200 and stub_bot.messages == [] and fake_twilio.calls == []
