"""The provider clients over the shared HTTP client (channels/http.py): timeouts, sessions,
retries and errors, against a local server that answers as scripted."""

from __future__ import annotations

import asyncio
import base64
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from channels.telegram import TelegramClient, TelegramError
from channels.whatsapp import TwilioClient, TwilioError
from tests.channels.fakes import TELEGRAM_TOKEN, TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN

Answer = tuple[int, Any]  # (HTTP status, a JSON body, or text when a str)


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Scripted:
    """Answers each request with the next scripted answer (the last one then repeats)."""

    def __init__(self, *answers: Answer, delay: float = 0) -> None:
        self.answers = list(answers)
        self.delay = delay
        self.requests: list[dict[str, Any]] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append({"path": request.path, "at": time.monotonic(),
                              "auth": request.headers.get("Authorization"),
                              "type": request.headers.get("Content-Type", ""),
                              "body": await request.text()})
        if self.delay:
            await asyncio.sleep(self.delay)
        status, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(body, str):
            return web.Response(status=status, text=body)
        return web.json_response(body, status=status)


@pytest.fixture
async def scripted() -> AsyncIterator[Callable[..., Awaitable[tuple[str, Scripted]]]]:
    """`url, api = await scripted(answers...)`: a local API answering as told."""
    servers = []

    async def start(*answers: Answer, delay: float = 0) -> tuple[str, Scripted]:
        api = Scripted(*answers, delay=delay)
        app = web.Application()
        app.router.add_post("/{tail:.*}", api.handle)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return str(server.make_url("")).rstrip("/"), api

    yield start
    for server in servers:
        await server.close()


def ok(result: Any = True) -> Answer:
    return 200, {"ok": True, "result": result}


# -- Telegram ---------------------------------------------------------------------------------
async def test_telegram_posts_json_to_the_method_and_returns_its_result(scripted):
    url, api = await scripted(ok({"message_id": 7}))
    client = TelegramClient(TELEGRAM_TOKEN, url + "/")
    assert await client.call("sendMessage", chat_id="1", text="hi") == {"message_id": 7}
    (req,) = api.requests
    assert req["path"] == f"/bot{TELEGRAM_TOKEN}/sendMessage"
    assert req["type"].startswith("application/json") and req["auth"] is None
    assert req["body"] == '{"chat_id": "1", "text": "hi"}'
    await client.close()


async def test_telegram_waits_once_when_asked_to_slow_down(scripted):
    url, api = await scripted(
        (429, {"ok": False, "description": "Too Many Requests: retry after 1",
               "parameters": {"retry_after": 1}}), ok())
    client = TelegramClient(TELEGRAM_TOKEN, url)
    assert await client.call("sendMessage", chat_id="1", text="hi") is True
    first, second = api.requests
    assert second["at"] - first["at"] >= 0.9 and second["body"] == first["body"]
    await client.close()


@pytest.mark.parametrize("answers,error,calls", [
    # a wait over 5 seconds is not waited for
    ([(429, {"ok": False, "description": "Too Many Requests: retry after 30",
             "parameters": {"retry_after": 30}})],
     "sendMessage: Too Many Requests: retry after 30", 1),
    # asked twice: given up after the second call
    ([(429, {"ok": False, "description": "Slow down", "parameters": {"retry_after": 0}})],
     "sendMessage: Slow down", 2),
    # no retry_after, or not a whole number: no retry
    ([(429, {"ok": False, "parameters": {"retry_after": "1"}})], "sendMessage: HTTP 429", 1),
    # other errors are not retried
    ([(400, {"ok": False, "description": "Bad Request: chat not found"})],
     "sendMessage: Bad Request: chat not found", 1),
    ([(502, "<html>Bad gateway</html>")], "sendMessage: HTTP 502, not a Bot API answer", 1),
    ([(200, ["not", "an", "object"])], "sendMessage: HTTP 200, not a Bot API answer", 1),
])
async def test_telegram_errors(scripted, answers, error, calls):
    url, api = await scripted(*answers)
    client = TelegramClient(TELEGRAM_TOKEN, url)
    with pytest.raises(TelegramError) as e:
        await client.call("sendMessage", chat_id="1", text="hi")
    assert str(e.value) == error and TELEGRAM_TOKEN not in str(e.value)
    assert len(api.requests) == calls
    await client.close()


async def test_telegram_network_errors_and_timeouts_name_the_method_only(scripted):
    client = TelegramClient(TELEGRAM_TOKEN, f"http://127.0.0.1:{free_port()}")
    with pytest.raises(TelegramError) as e:
        await client.call("getMe")
    assert str(e.value) == "getMe: ClientConnectorError"
    await client.close()

    url, api = await scripted(ok(), delay=2)
    client = TelegramClient(TELEGRAM_TOKEN, url, timeout=0.3)
    with pytest.raises(TelegramError) as e:
        await client.call("getMe")
    assert str(e.value) in ("getMe: TimeoutError", "getMe: ServerTimeoutError")
    assert len(api.requests) == 1  # a timeout is not retried
    await client.close()


# -- Twilio -----------------------------------------------------------------------------------
CREATED = (201, {"sid": "SM1", "status": "queued"})


async def test_twilio_posts_the_form_with_basic_auth(scripted):
    url, api = await scripted(CREATED)
    client = TwilioClient(TWILIO_SID, TWILIO_TOKEN, TWILIO_NUMBER, url + "/")
    answer = await client.send("whatsapp:+447700900123", "Hello", "https://x.test/a.png")
    assert answer == {"sid": "SM1", "status": "queued"}
    (req,) = api.requests
    assert req["path"] == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert req["auth"] == "Basic " + base64.b64encode(
        f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    assert req["type"].startswith("application/x-www-form-urlencoded")
    assert req["body"] == ("To=whatsapp%3A%2B447700900123&From=whatsapp%3A%2B14155238886"
                           "&Body=Hello&MediaUrl=https%3A%2F%2Fx.test%2Fa.png")
    await client.close()


@pytest.mark.parametrize("first", [(429, {"code": 20429, "message": "Too Many Requests"}),
                                   (500, "oops"), (503, {})])
async def test_twilio_retries_once_a_second_later_when_busy_or_failing(scripted, first):
    url, api = await scripted(first, CREATED)
    client = TwilioClient(TWILIO_SID, TWILIO_TOKEN, TWILIO_NUMBER, url)
    assert await client.send("whatsapp:+1", "Hi") == {"sid": "SM1", "status": "queued"}
    one, two = api.requests
    assert two["at"] - one["at"] >= 0.9 and two["body"] == one["body"]
    await client.close()


@pytest.mark.parametrize("answers,error,calls", [
    ([(400, {"code": 21211, "message": "Invalid 'To' Phone Number"})],
     "HTTP 400 (error 21211: Invalid 'To' Phone Number)", 1),
    ([(401, {"message": "Authenticate"})], "HTTP 401", 1),
    ([(503, "down")], "HTTP 503", 2),
])
async def test_twilio_errors(scripted, answers, error, calls):
    url, api = await scripted(*answers)
    client = TwilioClient(TWILIO_SID, TWILIO_TOKEN, TWILIO_NUMBER, url)
    with pytest.raises(TwilioError) as e:
        await client.send("whatsapp:+1", "Hi")
    assert str(e.value) == error and len(api.requests) == calls
    await client.close()


async def test_twilio_success_without_json_is_an_empty_answer(scripted):
    url, _ = await scripted((201, "queued"))
    client = TwilioClient(TWILIO_SID, TWILIO_TOKEN, TWILIO_NUMBER, url)
    assert await client.send("whatsapp:+1", "Hi") == {}
    await client.close()


async def test_twilio_network_errors_name_the_error_only():
    client = TwilioClient(TWILIO_SID, TWILIO_TOKEN, TWILIO_NUMBER,
                          f"http://127.0.0.1:{free_port()}")
    with pytest.raises(TwilioError) as e:
        await client.send("whatsapp:+1", "Hi")
    assert str(e.value) == "ClientConnectorError"


# -- sessions ---------------------------------------------------------------------------------
async def test_one_session_per_client_with_a_20_second_timeout():
    telegram = TelegramClient(TELEGRAM_TOKEN)
    twilio = TwilioClient(TWILIO_SID, TWILIO_TOKEN, TWILIO_NUMBER)
    assert telegram._session is None  # made on first use, in the loop that uses it
    for client in (telegram, twilio):
        s = client._get_session()
        assert client._get_session() is s
        assert s.timeout.total == 20
        await client.close()
        assert s.closed and client._session is None
        assert client._get_session() is not s
        await client.close()
        await client.close()  # closing twice is fine
    assert twilio._get_session()._default_auth == aiohttp.BasicAuth(TWILIO_SID, TWILIO_TOKEN)
    assert telegram._get_session()._default_auth is None
    await twilio.close()
    await telegram.close()


def test_a_session_from_another_event_loop_is_replaced(fake_telegram, fake_twilio):
    """Rasa's stock channel made its session in a throwaway loop ("Event loop is closed")."""
    telegram = TelegramClient(TELEGRAM_TOKEN, fake_telegram.url)
    twilio = TwilioClient(TWILIO_SID, TWILIO_TOKEN, TWILIO_NUMBER, fake_twilio.url)

    async def one_round(last: bool) -> None:
        assert await telegram.call("getMe") is True
        assert (await twilio.send("whatsapp:+1", "Hi"))["status"] == "queued"
        if last:
            await telegram.close()
            await twilio.close()

    for last in (False, True):  # each asyncio.run is a new loop; the first one's is closed
        asyncio.run(one_round(last))
