"""The webhook course both provider channels share (channels/webhook_base.py), channel by
channel: the same routes, the same refusals, the same kind reply when the bot fails."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp
import pytest
from sanic import Sanic

from channels.telegram import SORRY, TelegramInput
from channels.whatsapp import WhatsAppInput, twilio_signature
from tests.channels.fakes import (
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_NUMBER,
    TWILIO_SID,
    TWILIO_TOKEN,
)

PUBLIC = "https://bot.example.org"


class Telegram:
    name = "telegram"
    forbidden: Any = {"error": "forbidden"}

    def __init__(self, api: str, on: bool = True) -> None:
        self.channel = TelegramInput.from_credentials({
            "access_token": TELEGRAM_TOKEN if on else "", "secret_token": TELEGRAM_SECRET,
            "api_base_url": api, "public_url": PUBLIC})

    @staticmethod
    def request(text: str, update_id: int, proof: bool = True) -> dict[str, Any]:
        headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET if proof else "wrong"}
        return {"json": {"update_id": update_id, "message": {
            "message_id": 1, "text": text, "chat": {"id": 4242, "type": "private"}}},
            "headers": headers}


class WhatsApp:
    name = "whatsapp"
    forbidden: Any = "forbidden"

    def __init__(self, api: str, on: bool = True) -> None:
        self.channel = WhatsAppInput.from_credentials({
            "account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN if on else "",
            "whatsapp_number": TWILIO_NUMBER, "api_base_url": api, "public_url": PUBLIC})

    @staticmethod
    def request(text: str, update_id: int, proof: bool = True) -> dict[str, Any]:
        form = {"MessageSid": f"SM{update_id}", "From": "whatsapp:+447700900123",
                "To": TWILIO_NUMBER, "Body": text, "NumMedia": "0"}
        url = PUBLIC + "/webhooks/whatsapp/webhook"
        signature = twilio_signature(TWILIO_TOKEN if proof else "wrong", url, form)
        return {"data": form, "headers": {"X-Twilio-Signature": signature}}


@pytest.fixture(params=[Telegram, WhatsApp], ids=["telegram", "whatsapp"])
def kind(request, fake_telegram, fake_twilio):
    fake_telegram.clear()
    fake_twilio.clear()
    api = {"telegram": fake_telegram, "whatsapp": fake_twilio}[request.param.name]
    return request.param, api


async def call(base: str, name: str, method: str = "POST", path: str = "/webhook",
               **kwargs: Any) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as s, \
            s.request(method, f"{base}/webhooks/{name}{path}", **kwargs) as r:
        body: Any = await r.text()
        if r.content_type == "application/json":
            body = await r.json()
        return r.status, body


def test_the_blueprint_and_its_routes(kind, stub_bot):
    cls, api = kind
    channel = cls(api.url).channel
    bp = channel.blueprint(stub_bot)
    assert bp.name == f"gentle_hands_{cls.name}"
    assert bp.url_prefix == f"channels.{cls.name}"  # replaced by Rasa's /webhooks/<name>
    app = Sanic(f"gh_routes_{uuid.uuid4().hex[:8]}")
    app.blueprint(bp, url_prefix=f"/webhooks/{channel.url_prefix()}")
    names = {route.name.split(".")[-1] for route in app.router.routes}
    own = {"set_webhook", "webhook_info"} if cls is Telegram else set()
    assert names == {"health", "webhook"} | own
    assert channel.name() == channel.get_output_channel().name() == cls.name


async def test_health_and_a_channel_that_is_off(kind, serve, stub_bot):
    cls, api = kind
    base = await serve(cls(api.url).channel)
    assert await call(base, cls.name, "GET", "/") == (200, {"status": "ok", "configured": True})

    off = await serve(cls(api.url, on=False).channel)
    assert await call(off, cls.name, "GET", "/") == (200, {"status": "ok",
                                                          "configured": False})
    label = "Telegram" if cls is Telegram else "WhatsApp"
    assert await call(off, cls.name, **cls.request("hi", 1)) == (
        404, {"error": f"{label} is not configured."})
    assert stub_bot.messages == [] and api.calls == []


async def test_a_request_without_the_providers_proof_is_refused(kind, serve, stub_bot):
    cls, api = kind
    base = await serve(cls(api.url).channel)
    assert await call(base, cls.name, **cls.request("hi", 2, proof=False)) == (
        403, cls.forbidden)
    assert stub_bot.messages == [] and api.calls == []


async def test_a_retry_is_handled_once_and_a_failing_bot_gets_the_kind_reply(kind, serve,
                                                                              stub_bot):
    cls, api = kind
    base = await serve(cls(api.url).channel)
    update_id = uuid.uuid4().int % 10**9
    first = await call(base, cls.name, **cls.request("hello", update_id))
    assert first[0] == 200
    assert await call(base, cls.name, **cls.request("hello", update_id)) == (
        (200, {"ok": True, "duplicate": True}) if cls is Telegram else first)
    assert stub_bot.texts == ["hello"]

    stub_bot.fail = True
    assert (await call(base, cls.name, **cls.request("again", update_id + 1)))[0] == 200
    sent = [c.data.get("text") or c.data.get("Body") for c in api.calls]
    assert sent == ["You said: hello", SORRY]
