"""The Socket.IO channel: origins, sessions, and one event per bot message (stub bot).

Sessions are the security boundary of the web chat (see "Sessions" in channels/socketio.py):
the server issues a signed token, the sender id is "web:<random>", and one conversation has one
live socket. Every test in the sessions section fails against the old channel, which honoured
any 16-64 character id a client chose.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import uuid
from typing import Any

import aiohttp
import pytest
import socketio

from channels import socketio as web_socket
from channels.socketio import LiveSessions, SessionTokens, SocketIOInput, parse_origins

HOSPICE = "https://hospice.example"
STEP = {"text": "Step 3 of 8 · Thumb circles\nSmall slow circles.\n\nHow much: 3 circles",
        "buttons": [{"title": "Next", "payload": '/routine_command{"command": "next"}'},
                    {"title": "Stop", "payload": '/routine_command{"command": "stop"}'}],
        "custom": {"type": "step", "index": 3, "total": 8, "title": "Thumb circles"}}


# What a token looks like on the wire: 22 random characters, a dot, 43 of signature.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$")


def channel(origins: str = HOSPICE, persistence: bool = True) -> SocketIOInput:
    return SocketIOInput.from_credentials({
        "user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered",
        "session_persistence": persistence, "allowed_origins": origins})


def sender_of(token: str) -> str:
    """The sender id a token stands for (what Rasa sees)."""
    return "web:" + token.split(".")[0]


class Client:
    """A Socket.IO client that collects what the server sends."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        for name in ("session_confirm", "session_taken", "bot_uttered", "bot_turn_end",
                     "bot_error", "disconnect"):
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

    async def session(self, session_id: Any = None) -> str:
        before = len([n for n, _ in self.events if n == "session_confirm"])
        await self.sio.emit("session_request", {"session_id": session_id})
        return (await self.wait("session_confirm", before + 1))[-1]

    async def say(self, text: str, session_id: Any = None) -> list[Any]:
        """Send a message; wait for the end of the bot's turn; the bot's messages this turn."""
        before = len([n for n, _ in self.events if n == "bot_turn_end"])
        start = len(self.events)
        data = {"message": text}
        if session_id is not None:
            data["session_id"] = session_id
        await self.sio.emit("user_uttered", data)
        await self.wait("bot_turn_end", before + 1)
        return [d for n, d in self.events[start:] if n == "bot_uttered"]

    def got(self, name: str) -> list[Any]:
        return [d for n, d in self.events if n == name]

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


# ------------------------------------------------------------------------------- sessions
async def test_a_new_session_gets_a_signed_token_and_a_web_sender_id(serve, stub_bot, client):
    base = await serve(channel())
    c = await client().connect(base, HOSPICE)
    token = await c.session()
    assert TOKEN_SHAPE.match(token), token
    assert await c.say("hello", token) == [{"text": "You said: hello"}]
    (message,) = stub_bot.messages
    assert message.sender_id == sender_of(token) and message.sender_id.startswith("web:")
    assert message.input_channel == "socketio"


async def test_a_client_chosen_id_is_not_honoured(serve, stub_bot, client):
    """The old channel confirmed any 16-64 character id: a 32-character one is the widget's
    old format and the easiest to try."""
    base = await serve(channel())
    chosen = uuid.uuid4().hex
    first = await client().connect(base, HOSPICE)
    got = await first.session(chosen)
    assert got != chosen and TOKEN_SHAPE.match(got)
    await first.say("hello", chosen)
    # Someone else choosing the same id does not land in the same conversation either.
    second = await client().connect(base, HOSPICE)
    other = await second.session(chosen)
    await second.say("hello", chosen)
    senders = [m.sender_id for m in stub_bot.messages]
    assert senders == [sender_of(got), sender_of(other)] and senders[0] != senders[1]
    assert chosen not in "".join(senders)
    assert first.got("session_taken") == []  # nothing shared, so nothing taken over


@pytest.mark.parametrize("claimed", [
    "e2e-0123456789ab",  # what a REST integrator (and our e2e tests) use as sender ids
    "rest:caregiver-0001", "telegram:123456789", "whatsapp:+447700900123",
    "web:" + "A" * 22,  # even the shape of a web sender id is not a token
])
async def test_another_channels_sender_id_cannot_be_claimed(serve, stub_bot, client, claimed):
    base = await serve(channel())
    c = await client().connect(base, HOSPICE)
    token = await c.session(claimed)
    assert token != claimed
    await c.say("show my log", claimed)
    (message,) = stub_bot.messages
    assert message.sender_id == sender_of(token) != claimed
    assert message.sender_id.startswith("web:") and claimed not in message.sender_id


def tampered(token: str) -> list[str]:
    random_part, signature = token.split(".")
    flip = {"A": "B"}.get(signature[-1], "A")
    other_random = ("B" if random_part[0] != "B" else "C") + random_part[1:]
    forged, _ = SessionTokens(b"not the server's key, but long enough").issue()
    return [
        f"{random_part}.{signature[:-1]}{flip}",  # one character of the signature changed
        f"{other_random}.{signature}",  # another conversation under this signature
        forged,  # well formed, signed with another key
        random_part,  # unsigned
        f"{random_part}.",
        f"{random_part}.{signature}.{signature}",
        token + "x",
        token.upper(),
        token + "x" * 10_000,  # over-long: refused before any hashing
    ]


async def test_a_tampered_or_forged_token_starts_a_new_conversation(serve, stub_bot, client):
    base = await serve(channel())
    owner = await client().connect(base, HOSPICE)
    token = await owner.session()
    for bad in tampered(token):
        c = await client().connect(base, HOSPICE)
        got = await c.session(bad)
        assert got != token and got != bad and TOKEN_SHAPE.match(got), bad
        await c.say("hello", bad)
        assert stub_bot.messages[-1].sender_id == sender_of(got) != sender_of(token)
        await c.close()
    assert owner.got("session_taken") == [] and owner.sio.connected


@pytest.mark.parametrize("bad", ["short", "../../etc", "x" * 65, 42, "a b c d e f g h i j k",
                                 None, {"token": "x"}, ["a"], "." * 66])
async def test_odd_session_ids_get_a_new_one(serve, client, bad):
    base = await serve(channel())
    c = await client().connect(base, HOSPICE)
    got = await c.session(bad)
    assert got != bad and TOKEN_SHAPE.match(got)


async def test_a_session_request_without_data_gets_a_new_one(serve, client):
    base = await serve(channel())
    c = await client().connect(base, HOSPICE)
    await c.sio.emit("session_request")
    (got,) = await c.wait("session_confirm")
    assert TOKEN_SHAPE.match(got)


async def test_a_valid_token_resumes_the_same_conversation_after_a_reload(
        serve, stub_bot, client):
    base = await serve(channel())
    first = await client().connect(base, HOSPICE)
    token = await first.session()
    await first.say("hello", token)
    await first.close()

    again = await client().connect(base, HOSPICE)  # a page reload: a new socket
    assert await again.session(token) == token
    assert await again.say("still me", token) == [{"text": "You said: still me"}]
    assert [m.sender_id for m in stub_bot.messages] == [sender_of(token)] * 2
    assert {m.input_channel for m in stub_bot.messages} == {"socketio"}


async def test_two_sockets_with_one_token_only_the_newest_gets_replies(serve, stub_bot, client):
    """A reload whose old socket lingers, a second tab, or someone holding the token: the newer
    socket takes over, the older is told and closed, and replies reach one socket only."""
    ch = channel()
    base = await serve(ch)
    older = await client().connect(base, HOSPICE)
    token = await older.session()
    await older.say("first", token)

    newer = await client().connect(base, HOSPICE)
    assert await newer.session(token) == token
    (taken,) = await older.wait("session_taken")
    assert taken == {"reason": "opened elsewhere"}
    await older.wait("disconnect")
    assert not older.sio.connected

    assert await newer.say("second", token) == [{"text": "You said: second"}]
    await asyncio.sleep(0.1)  # time for a stray copy to arrive, if one were sent
    assert [d["text"] for d in older.got("bot_uttered")] == ["You said: first"]
    assert len(older.got("bot_turn_end")) == 1
    assert [m.sender_id for m in stub_bot.messages] == [sender_of(token)] * 2
    assert ch.live is not None and len(ch.live) == 1

    # And back again (the caregiver returns to the first tab): the same rule, the other way.
    third = await client().connect(base, HOSPICE)
    assert await third.session(token) == token
    await newer.wait("session_taken")
    assert await third.say("third", token) == [{"text": "You said: third"}]
    assert len(newer.got("bot_uttered")) == 1


async def test_a_message_cannot_be_sent_into_another_session(serve, stub_bot, client):
    base = await serve(channel())
    someone = await client().connect(base, HOSPICE)
    theirs = await someone.session()
    c = await client().connect(base, HOSPICE)
    mine = await c.session()
    # Neither an arbitrary id nor another conversation's genuine token moves this socket.
    for other in ("someone-elses-session-id", theirs):
        await c.say("hi", other)
        assert stub_bot.messages[-1].sender_id == sender_of(mine)
    assert someone.got("session_taken") == [] and someone.got("bot_uttered") == []


async def test_a_message_before_any_session_request(serve, stub_bot, client):
    """Rasa's protocol allows it: a genuine token opens its conversation; anything else is
    dropped (never a conversation of the client's choosing)."""
    base = await serve(channel())
    owner = await client().connect(base, HOSPICE)
    token = await owner.session()
    await owner.close()

    c = await client().connect(base, HOSPICE)
    await c.sio.emit("user_uttered", {"message": "forged", "session_id": "e2e-0123456789ab"})
    assert await c.say("resumed", token) == [{"text": "You said: resumed"}]
    assert stub_bot.texts == ["resumed"]
    assert stub_bot.messages[0].sender_id == sender_of(token)


async def test_a_closed_socket_is_forgotten(serve, client):
    ch = channel()
    base = await serve(ch)
    sockets = [await client().connect(base, HOSPICE) for _ in range(3)]
    for s in sockets:
        await s.session()
    assert ch.live is not None and len(ch.live) == 3
    for s in sockets:
        await s.close()
    assert len(ch.live) == 0


async def test_without_persistence_every_request_is_a_new_conversation(serve, client):
    base = await serve(channel(persistence=False))
    c = await client().connect(base, HOSPICE)
    token = await c.session()
    assert await c.session(token) != token


def test_live_sessions_keep_one_socket_per_conversation():
    live = LiveSessions()
    assert live.claim("a", "web:x") is None
    assert live.claim("b", "web:x") == "a"
    assert live.socket_of("web:x") == "b" and live.sender_of("a") is None
    assert live.retired("a") and not live.retired("b")
    assert live.release("a") is None  # the older one going leaves the newer in place
    assert live.socket_of("web:x") == "b" and not live.retired("a")
    assert live.claim("b", "web:y") is None  # a socket moves: it gives the first one up
    assert live.socket_of("web:x") is None and live.sender_of("b") == "web:y"
    assert live.release("b") == "web:y" and len(live) == 0


def test_tokens_are_random_signed_and_checked():
    tokens = SessionTokens(b"k" * 32)
    issued = {tokens.issue() for _ in range(200)}
    assert len({t for t, _ in issued}) == 200
    for token, sender in issued:
        assert TOKEN_SHAPE.match(token) and tokens.sender_id(token) == sender == sender_of(token)
    token, _ = issued.pop()
    assert all(tokens.sender_id(bad) is None for bad in tampered(token))
    assert SessionTokens(b"j" * 32).sender_id(token) is None


# ------------------------------------------------------------------------------- the key
def test_the_key_comes_from_web_session_secret_then_the_auth_token_then_the_process():
    both = {"WEB_SESSION_SECRET": "s" * 40, "RASA_AUTH_TOKEN": "rasa-token"}
    assert web_socket.session_key(both) == b"s" * 40
    derived = hmac.new(b"rasa-token", b"gentle-hands web session", hashlib.sha256).digest()
    assert web_socket.session_key({"RASA_AUTH_TOKEN": "rasa-token"}) == derived
    assert web_socket.session_key({"WEB_SESSION_SECRET": " ", "RASA_AUTH_TOKEN": "rasa-token"}) \
        == derived
    random_key = web_socket.session_key({})
    assert len(random_key) == 32 and web_socket.session_key({}) == random_key  # per process
    assert random_key not in (derived, b"s" * 40)


async def test_a_token_from_one_replica_is_valid_on_another(serve, stub_bot, client,
                                                            monkeypatch):
    """Replicas share RASA_AUTH_TOKEN; the key is read when the channel starts (not at
    import), so each server here signs with the environment it was started with."""
    monkeypatch.delenv("WEB_SESSION_SECRET", raising=False)
    monkeypatch.setenv("RASA_AUTH_TOKEN", "shared-by-the-replicas")
    one, two = await serve(channel()), await serve(channel())
    monkeypatch.setenv("RASA_AUTH_TOKEN", "another-deployment")
    elsewhere = await serve(channel())
    monkeypatch.setenv("WEB_SESSION_SECRET", "w" * 40)
    with_secret = await serve(channel())

    token = await (await client().connect(one, HOSPICE)).session()
    assert await (await client().connect(two, HOSPICE)).session(token) == token
    assert await (await client().connect(elsewhere, HOSPICE)).session(token) != token
    assert await (await client().connect(with_secret, HOSPICE)).session(token) != token


async def test_a_step_arrives_as_one_event_with_its_buttons_and_card(serve, stub_bot, client):
    base = await serve(channel())
    stub_bot.reply = lambda text: [{"text": "First paragraph.\n\nSecond paragraph."}, dict(STEP)]
    c = await client().connect(base, HOSPICE)
    token = await c.session()
    await c.sio.emit("user_uttered", {"message": "next", "session_id": token})
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
    token = await c.session()
    await c.sio.emit("user_uttered", {"message": "hello", "session_id": token})
    await c.wait("bot_error")
    await c.wait("bot_turn_end")


async def test_malformed_messages_are_ignored_or_capped(serve, stub_bot, client):
    base = await serve(channel())
    c = await client().connect(base, HOSPICE)
    token = await c.session()
    await c.sio.emit("user_uttered", "not a dict")
    await c.sio.emit("user_uttered", {"message": "x" * 50_000, "session_id": token,
                                      "metadata": "{not json"})
    await c.wait("bot_turn_end")
    assert len(stub_bot.messages) == 1 and len(stub_bot.texts[0]) == 20_000
    assert stub_bot.messages[0].metadata == {}
