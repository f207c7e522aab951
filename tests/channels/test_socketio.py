"""The Socket.IO channel: origins, sessions, and one event per bot message (stub bot)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
import socketio

from channels.socketio import SocketIOInput, parse_origins

HOSPICE = "https://hospice.example"
STEP = {"text": "Step 3 of 8 · Thumb circles\nSmall slow circles.\n\nHow much: 3 circles",
        "buttons": [{"title": "Next", "payload": '/routine_command{"command": "next"}'},
                    {"title": "Stop", "payload": '/routine_command{"command": "stop"}'}],
        "custom": {"type": "step", "index": 3, "total": 8, "title": "Thumb circles"}}


def channel(origins: str = HOSPICE) -> SocketIOInput:
    return SocketIOInput.from_credentials({
        "user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered",
        "session_persistence": True, "allowed_origins": origins})


class Client:
    """A Socket.IO client that collects what the server sends."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        for name in ("session_confirm", "bot_uttered", "bot_turn_end", "bot_error"):
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name: str):
        async def record(data: Any = None) -> None:
            self.events.append((name, data))
        return record

    async def connect(self, base: str, origin: str | None, transport: str = "websocket"):
        headers = {"Origin": origin} if origin else {}
        await self.sio.connect(base, headers=headers, transports=[transport])
        return self

    async def wait(self, name: str, count: int = 1, timeout: float = 5) -> list[Any]:
        for _ in range(int(timeout / 0.02)):
            got = [d for n, d in self.events if n == name]
            if len(got) >= count:
                return got
            await asyncio.sleep(0.02)
        raise AssertionError(f"no {name} event; got {self.events}")

    async def session(self, session_id: str | None = None) -> str:
        await self.sio.emit("session_request", {"session_id": session_id})
        (confirmed, *_) = await self.wait("session_confirm")
        return confirmed

    async def close(self) -> None:
        await self.sio.disconnect()
        await asyncio.sleep(0.05)


@pytest.fixture
async def client():
    made: list[Client] = []

    def make() -> Client:
        made.append(Client())
        return made[-1]

    yield make
    for c in made:
        await c.close()


def test_allowed_origins_parsing():
    assert parse_origins("*") == "*"
    assert parse_origins("https://a.org, https://b.org/") == ["https://a.org", "https://b.org"]
    assert parse_origins("https://a.org,*") == "*"
    assert parse_origins("") == [] and parse_origins(None) == []


@pytest.mark.parametrize("transport", ["websocket", "polling"])
async def test_other_origins_are_refused(serve, client, transport):
    base = await serve(channel())
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client().connect(base, "https://evil.example", transport)
    await client().connect(base, HOSPICE, transport)
    await client().connect(base, base, transport)  # the server's own /chat page
    await client().connect(base, None, transport)  # not a browser: no Origin to check


async def test_engineio_adds_no_cors_headers_of_its_own(serve):
    """Engine.IO leaves the headers to Sanic-CORS; two copies would make browsers refuse."""
    base = await serve(channel())
    async with aiohttp.ClientSession() as s, s.get(
            base + "/socket.io/", params={"EIO": "4", "transport": "polling"},
            headers={"Origin": HOSPICE}) as r:
        assert r.status == 200
        assert r.headers.getall("Access-Control-Allow-Origin", []) == []


async def test_any_origin_when_allowed_origins_is_a_star(serve, client):
    base = await serve(channel("*"))
    await client().connect(base, "https://anywhere.example")


async def test_a_session_is_confirmed_kept_and_shared_across_sockets(serve, stub_bot, client):
    base = await serve(channel())
    first = await client().connect(base, HOSPICE)
    session_id = await first.session()
    assert len(session_id) == 32
    await first.sio.emit("user_uttered", {"message": "hello", "session_id": session_id})
    await first.wait("bot_turn_end")
    await first.close()

    again = await client().connect(base, HOSPICE)  # a page reload: a new socket
    assert await again.session(session_id) == session_id
    await again.sio.emit("user_uttered", {"message": "still me", "session_id": session_id})
    (reply, *_) = await again.wait("bot_uttered")
    assert reply == {"text": "You said: still me"}
    assert [m.sender_id for m in stub_bot.messages] == [session_id, session_id]
    assert {m.input_channel for m in stub_bot.messages} == {"socketio"}


@pytest.mark.parametrize("bad", ["short", "../../etc", "x" * 65, 42, "a b c d e f g h i j k"])
async def test_odd_session_ids_get_a_new_one(serve, client, bad):
    base = await serve(channel())
    c = await client().connect(base, HOSPICE)
    got = await c.session(bad)
    assert got != bad and len(got) == 32


async def test_a_message_cannot_be_sent_into_another_session(serve, stub_bot, client):
    base = await serve(channel())
    c = await client().connect(base, HOSPICE)
    mine = await c.session()
    await c.sio.emit("user_uttered", {"message": "hi", "session_id": "someone-elses-session-id"})
    await c.wait("bot_turn_end")
    assert stub_bot.messages[0].sender_id == mine


async def test_a_step_arrives_as_one_event_with_its_buttons_and_card(serve, stub_bot, client):
    base = await serve(channel())
    stub_bot.reply = lambda text: [{"text": "First paragraph.\n\nSecond paragraph."}, dict(STEP)]
    c = await client().connect(base, HOSPICE)
    sid = await c.session()
    await c.sio.emit("user_uttered", {"message": "next", "session_id": sid})
    await c.wait("bot_turn_end")
    bot = [d for n, d in c.events if n == "bot_uttered"]
    assert bot[0] == {"text": "First paragraph.\n\nSecond paragraph."}
    assert bot[1]["text"] == STEP["text"]
    assert bot[1]["custom"] == STEP["custom"]
    assert [q["title"] for q in bot[1]["quick_replies"]] == ["Next", "Stop"]
    assert [n for n, _ in c.events][-1] == "bot_turn_end"


async def test_a_failure_is_reported_so_the_widget_stops_waiting(serve, stub_bot, client):
    base = await serve(channel())
    stub_bot.fail = True
    c = await client().connect(base, HOSPICE)
    sid = await c.session()
    await c.sio.emit("user_uttered", {"message": "hello", "session_id": sid})
    await c.wait("bot_error")
    await c.wait("bot_turn_end")


async def test_malformed_messages_are_ignored_or_capped(serve, stub_bot, client):
    base = await serve(channel())
    c = await client().connect(base, HOSPICE)
    sid = await c.session()
    await c.sio.emit("user_uttered", "not a dict")
    await c.sio.emit("user_uttered", {"message": "x" * 50_000, "session_id": sid,
                                      "metadata": "{not json"})
    await c.wait("bot_turn_end")
    assert len(stub_bot.messages) == 1 and len(stub_bot.texts[0]) == 20_000
    assert stub_bot.messages[0].metadata == {}
