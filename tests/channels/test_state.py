"""channels/state.py: what the channels keep between two requests, shared by the replicas.

A numbered WhatsApp reply, a tap on a long Telegram button and a retried webhook may each
reach another replica than the request before them. With REDIS_URL set the state is in
Redis: here two channel instances (two replicas, each with its own Sanic app and memory)
share one real Redis (TEST_REDIS_URL). Without it, one process keeps it, expiring.
"""

from __future__ import annotations

import os
import uuid

import aiohttp
import pytest

from channels.state import MemoryState, RedisState, channel_state
from channels.telegram import CallbackData, TelegramInput
from channels.whatsapp import Choices, WhatsAppInput, twilio_signature
from tests.channels.fakes import (
    PUBLIC_URL,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_NUMBER,
    TWILIO_SID,
    TWILIO_TOKEN,
)

MENU = [{"title": "Ask a question", "payload": "/ask_question"},
        {"title": "Safety check", "payload": "/start_screen"}]


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_memory_state_expires_and_stays_bounded():
    clock = Clock()
    state = MemoryState(size=2, clock=clock)
    await state.set("a", "1", ttl=10)
    assert await state.get("a") == "1"
    clock.now = 11
    assert await state.get("a") is None  # expired
    assert await state.add("u1", ttl=5) and not await state.add("u1", ttl=5)
    await state.set("b", "2", ttl=10)
    await state.set("c", "3", ttl=10)
    assert await state.get("u1") is None  # the least recently used went first
    assert await state.pop("c") == "3" and await state.pop("c") is None


def test_redis_is_used_only_when_redis_url_is_set():
    assert isinstance(channel_state("x", {}), MemoryState)
    assert isinstance(channel_state("x", {"REDIS_URL": "redis://127.0.0.1:6379/0"}), RedisState)
    helm = channel_state("x", {"REDIS_HOST": "redis", "REDIS_PASSWORD": "p@ss"})
    assert isinstance(helm, RedisState) and helm.url == "redis://:p%40ss@redis:6379/1"


async def test_an_unreachable_redis_loses_the_state_not_the_message():
    state = RedisState("redis://127.0.0.1:1/0", "t", timeout=0.5)  # nothing listens there
    assert await state.get("k") is None and await state.pop("k") is None
    await state.set("k", "v", ttl=5)  # logged, not raised
    assert await state.add("k", ttl=5) is True  # a duplicate check lets the update through


@pytest.fixture
def redis_env(monkeypatch):
    url = os.environ.get("TEST_REDIS_URL", "").strip()
    if not url:
        pytest.skip("TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0)")
    monkeypatch.setenv("REDIS_URL", url)
    return url


@pytest.mark.redis
async def test_two_replicas_share_the_offers_the_long_payloads_and_the_seen_ids(redis_env):
    caregiver = f"whatsapp:+4477{uuid.uuid4().int % 10**8:08d}"
    a, b = Choices(channel_state("whatsapp:offers")), Choices(channel_state("whatsapp:offers"))
    await a.offer(caregiver, MENU)
    assert await b.resolve(caregiver, "2") == "/start_screen"  # answered on the other one
    assert await a.resolve(caregiver, "2") == "2"  # used once, on every replica

    long_payload = '/choose_topic{"faq_topic": "' + "x" * 80 + '"}'
    key = await CallbackData(channel_state("telegram:callbacks")).encode(long_payload)
    assert await CallbackData(channel_state("telegram:callbacks")).decode(key) == long_payload

    update = f"test-{uuid.uuid4().hex}"
    assert await channel_state("telegram:seen").add(update, ttl=60)
    assert not await channel_state("telegram:seen").add(update, ttl=60)  # the retry


@pytest.mark.redis
async def test_a_numbered_reply_and_a_retried_webhook_on_the_other_replica(
        redis_env, serve, stub_bot, fake_twilio, fake_telegram):
    """Two WhatsApp channels (two replicas): the menu is sent by one, the reply "2" and a
    retry of it reach the other. Two Telegram channels: a long button drawn by one is tapped
    on the other, and a retried update is dropped there."""
    def whatsapp() -> WhatsAppInput:
        return WhatsAppInput.from_credentials({
            "account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN,
            "whatsapp_number": TWILIO_NUMBER, "api_base_url": fake_twilio.url,
            "public_url": PUBLIC_URL})

    first, second = await serve(whatsapp()), await serve(whatsapp())
    caregiver = f"whatsapp:+4477{uuid.uuid4().int % 10**8:08d}"
    stub_bot.reply = lambda text: [{"text": "Hello", "buttons": MENU}]

    async def wa(base: str, body: str, sid: str) -> int:
        path = "/webhooks/whatsapp/webhook"
        form = {"MessageSid": sid, "AccountSid": TWILIO_SID, "From": caregiver,
                "To": TWILIO_NUMBER, "Body": body, "NumMedia": "0"}
        headers = {"X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, PUBLIC_URL + path,
                                                          form)}
        async with aiohttp.ClientSession() as s, \
                s.post(base + path, data=form, headers=headers) as r:
            return r.status

    assert await wa(first, "hi", "SM" + uuid.uuid4().hex) == 200
    sid = "SM" + uuid.uuid4().hex
    assert await wa(second, "2", sid) == 200
    assert await wa(first, "2", sid) == 200  # Twilio's retry, on the other replica
    assert stub_bot.texts == ["hi", "/start_screen"]

    def telegram() -> TelegramInput:
        return TelegramInput.from_credentials({
            "access_token": TELEGRAM_TOKEN, "secret_token": TELEGRAM_SECRET,
            "api_base_url": fake_telegram.url, "public_url": "https://bot.example.org",
            "rasa_auth_token": "t"})

    long_payload = '/choose_topic{"faq_topic": "' + "y" * 80 + '"}'
    stub_bot.reply = lambda text: [{"text": "Pick", "buttons": [
        {"title": "Long", "payload": long_payload}]}]
    tg_a, tg_b = await serve(telegram()), await serve(telegram())
    chat = uuid.uuid4().int % 10**9

    async def tg(base: str, body: dict) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
        async with aiohttp.ClientSession() as s, \
                s.post(base + "/webhooks/telegram/webhook", json=body, headers=headers) as r:
            return r.status

    update_id = uuid.uuid4().int % 10**9
    message = {"message_id": 1, "date": 0, "text": "menu",
               "chat": {"id": chat, "type": "private"}}
    assert await tg(tg_a, {"update_id": update_id, "message": message}) == 200
    (key,) = fake_telegram.sent()[-1]["reply_markup"]["inline_keyboard"][0]
    tap = {"update_id": update_id + 1, "callback_query": {
        "id": "q", "data": key["callback_data"],
        "message": {"message_id": 2, "chat": {"id": chat, "type": "private"}, "text": "Pick"}}}
    assert await tg(tg_b, tap) == 200  # tapped on the other replica
    assert await tg(tg_a, tap) == 200  # and retried on the first
    assert stub_bot.texts[-2:] == ["menu", long_payload]
