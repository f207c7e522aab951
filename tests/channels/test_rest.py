"""The REST webhook (channels/rest.py): open without a secret, closed without the right one,
and a clear 400 for a body that is not a message. Stub bot, no model."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from channels.rest import SECRET_HEADER, SecureRestInput

SECRET = "a-long-shared-secret-for-tests"


async def post(base: str, body: Any = None, headers: dict[str, str] | None = None,
               raw: bytes | None = None) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as s:
        kwargs: dict[str, Any] = {"headers": headers or {}}
        if raw is not None:
            kwargs["data"] = raw
        else:
            kwargs["json"] = body
        async with s.post(base + "/webhooks/rest/webhook", **kwargs) as r:
            return r.status, await r.json(content_type=None)


def test_credentials_switch_the_secret_on() -> None:
    assert SecureRestInput.from_credentials({"shared_secret": f"  {SECRET} "}).shared_secret \
        == SECRET
    for empty in ({}, None, {"shared_secret": None}, {"shared_secret": ""}):
        assert SecureRestInput.from_credentials(empty).shared_secret == ""
    assert SecureRestInput.name() == "rest"  # same URL as Rasa's own REST channel


async def test_without_a_secret_the_webhook_is_open(serve, stub_bot) -> None:
    base = await serve(SecureRestInput())
    status, body = await post(base, {"sender": "ann", "message": "hello"})
    assert status == 200 and body == [{"recipient_id": "ann", "text": "You said: hello"}]
    assert stub_bot.messages[0].input_channel == "rest"


async def test_with_a_secret_only_the_right_header_gets_through(serve, stub_bot) -> None:
    base = await serve(SecureRestInput(shared_secret=SECRET))
    for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET[:-1]},
                    {"Authorization": f"Bearer {SECRET}"}):
        status, body = await post(base, {"sender": "ann", "message": "hello"}, headers)
        assert status == 401 and SECRET_HEADER in body["error"], headers
    assert stub_bot.messages == []  # nothing reached the bot
    status, body = await post(base, {"sender": "ann", "message": "hello"},
                              {SECRET_HEADER: SECRET})
    assert status == 200 and body[0]["text"] == "You said: hello"
    async with aiohttp.ClientSession() as s, s.get(base + "/webhooks/rest/") as r:
        assert r.status == 200  # the health check needs no secret


@pytest.mark.parametrize("raw, why", [
    (b"not json at all", "must be JSON"),
    (b"[1, 2, 3]", "JSON object"),
    (b"42", "JSON object"),
    (b'{"sender": "ann", "message": 7}', '"message" must be text'),
    (b'{"sender": ["a"], "message": "hi"}', '"sender" must be text'),
    (b'{"sender": "' + b"x" * 129 + b'", "message": "hi"}', "at most 128"),
    # No message: Rasa answered 200 and logged a traceback.
    (b'{"sender": "ann"}', '"message" must be text'),
    (b'{"sender": "ann", "message": null}', '"message" must be text'),
    # No sender: every such caller shared the conversation "default".
    (b'{"message": "hi"}', '"sender" must be text'),
    (b'{"sender": null, "message": "hi"}', '"sender" must be text'),
    (b'{"sender": "", "message": "hi"}', '"sender" must be text'),
    (b'{"sender": true, "message": "hi"}', '"sender" must be text'),
    # Senders the stores cannot encode (a lone surrogate stopped the whole server; a NUL did
    # with PostgreSQL) and control characters.
    (b'{"sender": "x\\udfff", "message": "hi"}', "without control characters"),
    (b'{"sender": "x\\ud83d", "message": "hi"}', "without control characters"),
    (b'{"sender": "x\\u0000y", "message": "hi"}', "without control characters"),
    (b'{"sender": "a\\nb", "message": "hi"}', "without control characters"),
    (b'{"sender": "a\\u001bb", "message": "hi"}', "without control characters"),
])
async def test_a_body_that_is_not_a_message_gets_a_clear_400(serve, stub_bot, raw, why) -> None:
    base = await serve(SecureRestInput())
    status, body = await post(base, raw=raw, headers={"Content-Type": "application/json"})
    assert status == 400 and why in body["error"], body
    assert stub_bot.messages == []


async def test_a_failing_bot_still_gets_an_answer_not_a_500(serve, stub_bot) -> None:
    base = await serve(SecureRestInput())
    stub_bot.fail = True
    status, body = await post(base, {"sender": "ann", "message": "hello"})
    assert status == 200 and body == []


async def test_rest_conversations_are_named_apart_from_every_other_channel(serve,
                                                                          stub_bot) -> None:
    """A REST caller who names a WhatsApp, Telegram or web conversation gets its own."""
    base = await serve(SecureRestInput())
    for sender in ("ann", "whatsapp:+15551234567", "telegram:4242", "web:abc", "rest:ann"):
        status, body = await post(base, {"sender": sender, "message": "hello"})
        assert status == 200 and body[0]["recipient_id"] == sender  # answered as it asked
    assert [m.sender_id for m in stub_bot.messages] == [
        "rest:ann", "rest:whatsapp:+15551234567", "rest:telegram:4242", "rest:web:abc",
        "rest:rest:ann"]


async def test_a_numeric_sender_and_a_valid_unicode_sender_are_accepted(serve,
                                                                      stub_bot) -> None:
    base = await serve(SecureRestInput())
    for sender, expected in ((12345, "rest:12345"), ("Zoë 😀", "rest:Zoë 😀")):
        status, _ = await post(base, {"sender": sender, "message": "hello"})
        assert status == 200
        assert stub_bot.messages[-1].sender_id == expected
