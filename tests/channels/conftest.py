"""Fixtures for channel unit tests: a channel's blueprint in an in-process Sanic server, with a
stub bot (no model) in place of Rasa's agent, and fake provider APIs."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import urljoin

import pytest
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Sanic

from tests.channels.fakes import FakeTelegram, FakeTwilio

Sanic.test_mode = True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StubBot:
    """Stands in for Rasa's agent: records messages and answers with `reply(text)`."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []
        self.reply: Callable[[str], list[dict[str, Any]]] = lambda text: [
            {"text": f"You said: {text}"}]
        self.fail = False

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        if self.fail:
            raise RuntimeError("the stub bot was told to fail")
        for response in self.reply(message.text or ""):
            await message.output_channel.send_response(message.sender_id, dict(response))

    @property
    def texts(self) -> list[str]:
        return [m.text or "" for m in self.messages]


@pytest.fixture
def stub_bot() -> StubBot:
    return StubBot()


@pytest.fixture
async def serve(stub_bot: StubBot) -> AsyncIterator[Callable[..., Any]]:
    """`await serve(channel)` mounts the channel as Rasa would and returns the base URL; the
    messages go to `stub_bot`, or to `bot=` (a real agent's handle_message, say)."""
    running = []

    async def start(*channels: InputChannel,
                    bot: Callable[[UserMessage], Awaitable[Any]] | None = None) -> str:
        app = Sanic(f"gh_channels_{uuid.uuid4().hex[:8]}")
        for channel in channels:
            app.blueprint(channel.blueprint(stub_bot if bot is None else bot),
                          url_prefix=urljoin("/webhooks/", channel.url_prefix()))
        port = free_port()
        server = await app.create_server(host="127.0.0.1", port=port,
                                         return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        running.append(server)
        return f"http://127.0.0.1:{port}"

    yield start
    for server in running:
        await server.before_stop()
        await server.close()
        await server.after_stop()
    # Engine.IO's ping tasks and the like: end them before this test's loop closes.
    leftovers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)


@pytest.fixture(scope="module")
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    yield fake
    fake.stop()
