"""The Telegram channel's blueprint, with a stub bot and a fake Bot API (no network, no model)."""

from __future__ import annotations

import aiohttp
import pytest

from channels.common import utf16_len
from channels.telegram import (
    EXPIRED,
    MAX_TEXT,
    TEXT_ONLY,
    CallbackData,
    TelegramInput,
    derived_secret,
)
from tests.channels.fakes import TELEGRAM_SECRET, TELEGRAM_TOKEN

AUTH = "rasa-auth-token-for-tests"
MENU = [{"title": "Ask a question", "payload": "/ask_question"},
        {"title": "Hand massage", "payload": '/start_routine{"routine": "hand"}'}]


@pytest.fixture
def channel(fake_telegram) -> TelegramInput:
    fake_telegram.clear()
    return TelegramInput.from_credentials({
        "access_token": TELEGRAM_TOKEN, "secret_token": TELEGRAM_SECRET,
        "api_base_url": fake_telegram.url, "public_url": "https://bot.example.org",
        "rasa_auth_token": AUTH,
    })


def update(update_id: int, text: str | None = "hello", chat_id: int = 4242, **extra) -> dict:
    message = {"message_id": update_id, "date": 0, "chat": {"id": chat_id, "type": "private"},
               "from": {"id": chat_id, "is_bot": False, "first_name": "Ann"}}
    if text is not None:
        message["text"] = text
    message.update(extra)
    return {"update_id": update_id, "message": message}


async def post(url: str, body, secret: str | None = TELEGRAM_SECRET) -> aiohttp.ClientResponse:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with aiohttp.ClientSession() as s, \
            s.post(url + "/webhooks/telegram/webhook", json=body, headers=headers) as r:
        await r.read()
        return r


async def test_a_message_reaches_the_bot_and_the_reply_goes_out(serve, stub_bot, channel,
                                                                 fake_telegram):
    base = await serve(channel)
    stub_bot.reply = lambda text: [{"text": "Hello! What would you like?", "buttons": MENU}]
    r = await post(base, update(1, "hello"))
    assert r.status == 200
    assert stub_bot.texts == ["hello"]
    assert stub_bot.messages[0].sender_id == "telegram:4242"
    assert stub_bot.messages[0].input_channel == "telegram"
    (sent,) = fake_telegram.sent()
    assert sent["chat_id"] == "4242" and sent["text"] == "Hello! What would you like?"
    keys = [k for row in sent["reply_markup"]["inline_keyboard"] for k in row]
    assert [k["text"] for k in keys] == ["Ask a question", "Hand massage"]
    assert [k["callback_data"] for k in keys] == [b["payload"] for b in MENU]


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
async def test_updates_without_the_right_secret_are_refused(serve, stub_bot, channel,
                                                            fake_telegram, secret):
    base = await serve(channel)
    r = await post(base, update(2), secret=secret)
    assert r.status == 403
    assert stub_bot.messages == [] and fake_telegram.calls == []


async def test_a_button_tap_is_answered_and_sends_its_payload(serve, stub_bot, channel,
                                                              fake_telegram):
    base = await serve(channel)
    stub_bot.reply = lambda text: [{"text": "Step 1 of 8 · Say hello"}]
    tap = {"update_id": 3, "callback_query": {
        "id": "cbq-1", "data": MENU[1]["payload"], "from": {"id": 4242},
        "message": {"message_id": 77, "chat": {"id": 4242, "type": "private"},
                    "text": "What would you like?",
                    "reply_markup": {"inline_keyboard": [[
                        {"text": "Hand massage", "callback_data": MENU[1]["payload"]}]]}}}}
    r = await post(base, tap)
    assert r.status == 200
    assert stub_bot.texts == [MENU[1]["payload"]]
    (answer,) = fake_telegram.calls_to("answerCallbackQuery")
    assert answer.data == {"callback_query_id": "cbq-1"}
    (edit,) = fake_telegram.calls_to("editMessageText")
    assert edit.data["text"].endswith("✓ Hand massage") and "reply_markup" not in edit.data
    assert fake_telegram.sent()[-1]["text"] == "Step 1 of 8 · Say hello"


async def test_long_payloads_fit_telegrams_64_byte_callback_data(serve, stub_bot, channel,
                                                                 fake_telegram):
    long_payload = '/choose_topic{"faq_topic": "' + "x" * 80 + '"}'
    base = await serve(channel)
    stub_bot.reply = lambda text: [{"text": "Pick one", "buttons": [
        {"title": "A long one", "payload": long_payload}]}]
    await post(base, update(4, "menu"))
    (key,) = fake_telegram.sent()[-1]["reply_markup"]["inline_keyboard"][0]
    assert len(key["callback_data"].encode()) <= 64
    stub_bot.reply = lambda text: []
    await post(base, {"update_id": 5, "callback_query": {
        "id": "cbq-2", "data": key["callback_data"],
        "message": {"message_id": 9, "chat": {"id": 4242, "type": "private"}}}})
    assert stub_bot.texts[-1] == long_payload


async def test_an_unknown_long_key_says_the_button_expired(serve, stub_bot, channel,
                                                           fake_telegram):
    base = await serve(channel)
    await post(base, {"update_id": 6, "callback_query": {
        "id": "cbq-3", "data": "gh:" + "0" * 24,
        "message": {"message_id": 9, "chat": {"id": 4242, "type": "private"}}}})
    assert stub_bot.messages == []
    assert fake_telegram.sent()[-1]["text"] == EXPIRED


async def test_long_replies_are_split_within_4096_characters(serve, stub_bot, channel,
                                                             fake_telegram):
    paragraph = "Stroke slowly from the wrist to the fingertips, and watch their face. " * 12
    text = "\n\n".join([paragraph.strip()] * 8)  # about 6,700 characters
    base = await serve(channel)
    stub_bot.reply = lambda _: [{"text": text, "buttons": MENU}]
    await post(base, update(7, "more"))
    sent = fake_telegram.sent()
    assert len(sent) == 2
    assert all(utf16_len(m["text"]) <= MAX_TEXT for m in sent)
    assert "reply_markup" not in sent[0] and "reply_markup" in sent[1]
    assert " ".join(m["text"] for m in sent).split() == text.split()


async def test_start_command_and_non_text_messages(serve, stub_bot, channel, fake_telegram):
    base = await serve(channel)
    await post(base, update(8, "/start"))
    await post(base, update(9, "/whatever she has pain"))
    assert stub_bot.texts == ["/greet", "whatever she has pain"]
    await post(base, update(10, None, photo=[{"file_id": "x"}]))
    assert fake_telegram.sent()[-1]["text"] == TEXT_ONLY
    assert len(stub_bot.messages) == 2


async def test_group_chats_and_repeated_updates_are_ignored(serve, stub_bot, channel):
    base = await serve(channel)
    group = update(11, "hi")
    group["message"]["chat"]["type"] = "group"
    await post(base, group)
    await post(base, update(12, "once"))
    await post(base, update(12, "once"))
    assert stub_bot.texts == ["once"]


@pytest.mark.parametrize("body", [
    {"update_id": 31, "message": {"message_id": 1, "chat": "4242", "text": "hi"}},
    {"update_id": 32, "message": {"message_id": 1, "chat": {"id": "4242\u0000"}, "text": "hi"}},
    {"update_id": 33, "message": {"message_id": 1, "chat": {"id": [1]}, "text": "hi"}},
    {"update_id": 35, "callback_query": {"id": "q", "data": "x", "message": [1, 2]}},
    {"update_id": 36, "callback_query": {"id": "q", "data": "x",
                                         "message": {"chat": {"id": 1.5}, "message_id": 1}}},
])
async def test_a_malformed_update_gets_a_400_not_a_500(serve, stub_bot, channel, body):
    """Authenticated but not shaped like Telegram's updates: a clear 400, nothing handled."""
    base = await serve(channel)
    r = await post(base, body)
    assert r.status == 400
    assert stub_bot.messages == []


async def test_a_failing_bot_gets_a_kind_message_not_a_retry_storm(serve, stub_bot, channel,
                                                                   fake_telegram):
    base = await serve(channel)
    stub_bot.fail = True
    r = await post(base, update(13, "hello"))
    assert r.status == 200
    assert "try again" in fake_telegram.sent()[-1]["text"]


async def test_webhook_registration_needs_the_rasa_token(serve, channel, fake_telegram):
    base = await serve(channel)
    async with aiohttp.ClientSession() as s:
        async with s.post(base + "/webhooks/telegram/set_webhook") as r:
            assert r.status == 401
        async with s.post(base + "/webhooks/telegram/set_webhook",
                          params={"token": "wrong"}) as r:
            assert r.status == 401
        assert fake_telegram.calls_to("setWebhook") == []
        async with s.post(base + "/webhooks/telegram/set_webhook",
                          headers={"Authorization": f"Bearer {AUTH}"}) as r:
            assert r.status == 200, await r.text()
            assert (await r.json())["url"] == "https://bot.example.org/webhooks/telegram/webhook"
        (call,) = fake_telegram.calls_to("setWebhook")
        assert call.data["secret_token"] == TELEGRAM_SECRET
        assert call.data["allowed_updates"] == ["message", "callback_query"]
        async with s.get(base + "/webhooks/telegram/webhook_info", params={"token": AUTH}) as r:
            assert (await r.json())["result"]["url"].endswith("/webhooks/telegram/webhook")


async def test_an_unconfigured_channel_stays_off(serve, stub_bot, fake_telegram):
    fake_telegram.clear()
    channel = TelegramInput.from_credentials({"access_token": "", "secret_token": "",
                                              "api_base_url": "", "public_url": ""})
    base = await serve(channel)
    r = await post(base, update(14), secret="")
    assert r.status == 404 and stub_bot.messages == []
    async with aiohttp.ClientSession() as s, s.get(base + "/webhooks/telegram/") as r:
        assert (await r.json()) == {"status": "ok", "configured": False}


def test_the_secret_is_derived_from_the_token_when_not_set():
    channel = TelegramInput(access_token=TELEGRAM_TOKEN)
    assert channel.secret_token == derived_secret(TELEGRAM_TOKEN)
    assert channel.secret_token.replace("_", "").replace("-", "").isalnum()
    assert derived_secret("another:token") != channel.secret_token


def test_the_api_base_url_defaults_to_telegram():
    channel = TelegramInput.from_credentials({"access_token": "t", "api_base_url": ""})
    assert channel.client.api_base_url == "https://api.telegram.org"


async def test_callback_data_round_trip():
    cb = CallbackData()
    assert await cb.encode("/help") == "/help" and await cb.decode("/help") == "/help"
    key = await cb.encode("/x" + "y" * 70)
    assert key.startswith("gh:") and await cb.decode(key) == "/x" + "y" * 70
    assert await cb.decode("gh:" + "0" * 24) is None  # an unknown key: the button expired
