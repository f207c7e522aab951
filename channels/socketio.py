"""Rasa's Socket.IO channel for the web widget, with origins restricted to ALLOWED_ORIGINS.

Rasa 3.6's ``SocketIOInput`` builds its ``AsyncServer`` with ``cors_allowed_origins=[]``, which
turns Engine.IO's origin check off: any web page could open a socket to the bot. This subclass
keeps Rasa's protocol (``session_request`` / ``session_confirm``, ``user_uttered`` /
``bot_uttered``, ``session_persistence``) and changes four things:

* Engine.IO checks the ``Origin`` of every connection (polling and WebSocket) against
  ``allowed_origins`` (credentials.yml, from ALLOWED_ORIGINS: comma-separated, ``*`` for any).
  Pages served by this server itself (``/chat``) are always allowed. The CORS *headers* stay
  with Rasa's Sanic-CORS (``rasa run --cors``, which scripts/run.sh fills from the same
  variable): Engine.IO adding its own would send each header twice, and browsers refuse that.
* Every bot message is one ``bot_uttered`` event: text (paragraphs kept), ``quick_replies`` and
  ``custom`` together, so a routine step and its buttons arrive as one card. Rasa's own output
  splits text at blank lines and crashes on ``custom`` payloads.
* After the bot has answered a message, ``bot_turn_end`` tells the widget to stop its typing
  indicator; if handling fails, ``bot_error`` lets it say so kindly instead of waiting forever.
* Session ids are issued by the server, never chosen by the client (see "Sessions" below).

Sessions
--------
Rasa's own channel lets the client name its session, and the session id *is* the sender id:
any page could claim a REST, Telegram or WhatsApp conversation ("rest:..." would bypass the REST
webhook's shared secret), guess a weak id, or open a second socket on a live id and read the
replies along with the caregiver. Here:

* ``session_confirm`` carries an opaque token ``<random>.<signature>``: 128 random bits
  (``secrets.token_urlsafe(16)``) and an HMAC-SHA256 of them. The widget stores it and presents
  it again in ``session_request`` after a reload or a reconnect. Nothing else is accepted:
  a client-chosen, unsigned, badly signed, malformed or over-long id gets a *new* conversation
  and a fresh token (never an error, so an old widget or a stale token just starts over).
* The conversation's sender id is ``web:<random>``: a socket can only ever reach conversations
  of its own channel, whatever it sends.
* The key: WEB_SESSION_SECRET if set; otherwise HMAC(RASA_AUTH_TOKEN, "gentle-hands web
  session"), which every replica shares, so a token from one replica is valid on the others;
  otherwise a random key of this process (one server only; tokens end when it restarts). It is
  read when the blueprint is built, never at import.
* One conversation has one live socket. A second socket with a valid token (a reload, a
  second tab) takes over: the older one gets ``session_taken``, leaves the room and is
  disconnected, so a reply never reaches two sockets. The widget says so and offers to take
  the chat back. This is known per server process: with several replicas, nginx keeps one
  browser on one replica (deploy/nginx), so its tabs meet on the same one.
* A ``session_id`` inside ``user_uttered`` never moves a socket that already has a session:
  the socket's confirmed session is used.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import engineio
import socketio
from rasa.core.channels.channel import UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import config
from bot.storage import sender_tag
from channels.common import button_list, setting

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 20_000
TURN_END_EVT = "bot_turn_end"
ERROR_EVT = "bot_error"
TAKEN_EVT = "session_taken"

SENDER_PREFIX = "web:"
RANDOM_BYTES = 16  # 128 bits: not guessable, whatever the rate of tries
RANDOM_CHARS = 22  # len(secrets.token_urlsafe(16)): base64url without padding
SIGNATURE_CHARS = 43  # an HMAC-SHA256 digest, base64url without padding
# <random>.<signature>, nothing else. The length is checked before the pattern and the HMAC so
# a huge string costs nothing.
TOKEN = re.compile(rf"^([A-Za-z0-9_-]{{{RANDOM_CHARS}}})\.([A-Za-z0-9_-]{{{SIGNATURE_CHARS}}})$")
TOKEN_CHARS = RANDOM_CHARS + 1 + SIGNATURE_CHARS
KEY_CONTEXT = b"gentle-hands web session"
# What is signed: a version and a purpose, so a signature made with this key for anything else
# (or a later token format) can never pass as a session token.
SIGNED_PREFIX = b"gentle-hands web session v1:"

_process_key: bytes | None = None


def session_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The key that signs session tokens; see "Sessions" in the module docstring.

    Called when the channel's blueprint is built (not at import), so the server's environment
    at start-up is what counts (read by bot/config.py).
    """
    secret = config.web_session_secret(environ)
    if secret:
        return secret.encode("utf-8")
    auth = config.rasa_auth_token(environ)
    if auth:
        # Derived, not the token itself: a session signature then says nothing about the token
        # that guards Rasa's HTTP API.
        return hmac.new(auth.encode("utf-8"), KEY_CONTEXT, hashlib.sha256).digest()
    global _process_key
    if _process_key is None:
        logger.warning("Neither WEB_SESSION_SECRET nor RASA_AUTH_TOKEN is set: web chat "
                       "sessions are signed with a key of this process only (one server; "
                       "they start over when it restarts).")
        _process_key = secrets.token_bytes(32)
    return _process_key


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class SessionTokens:
    """Issues and checks the opaque session tokens the widget keeps."""

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("a session key must not be empty")
        self._key = key

    def _signature(self, random_part: str) -> str:
        mac = hmac.new(self._key, SIGNED_PREFIX + random_part.encode("ascii"), hashlib.sha256)
        return _b64(mac.digest())

    def issue(self) -> tuple[str, str]:
        """A new conversation: (the token for the widget, its sender id)."""
        random_part = secrets.token_urlsafe(RANDOM_BYTES)
        return f"{random_part}.{self._signature(random_part)}", SENDER_PREFIX + random_part

    def random_part(self, token: Any) -> str | None:
        """The random part of a genuine token, or None for anything else."""
        if not isinstance(token, str) or len(token) != TOKEN_CHARS:
            return None
        match = TOKEN.match(token)
        if not match:
            return None
        random_part, signature = match.groups()
        expected = self._signature(random_part)
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii")):
            return None
        return random_part

    def sender_id(self, token: Any) -> str | None:
        """The conversation a genuine token opens ("web:<random>"), or None."""
        random_part = self.random_part(token)
        return SENDER_PREFIX + random_part if random_part else None


class LiveSessions:
    """Which socket is the live one of each conversation (and the reverse), in this process.

    Plain dictionaries changed without an ``await`` in between, so two sockets claiming one
    conversation at the same moment still end with exactly one owner: the later claim. A socket
    that has been taken over is "retired" until it is gone: whatever it still sends in that
    moment (even its old token) cannot take the conversation back.
    """

    def __init__(self) -> None:
        self._socket_of: dict[str, str] = {}  # sender id -> socket id
        self._sender_of: dict[str, str] = {}  # socket id -> sender id
        self._retired: set[str] = set()

    def claim(self, sid: str, sender_id: str) -> str | None:
        """Make `sid` the live socket of `sender_id`; returns the socket it replaces, if any."""
        self.release(sid)
        older = self._socket_of.get(sender_id)
        self._socket_of[sender_id] = sid
        self._sender_of[sid] = sender_id
        if older is None:
            return None
        self._sender_of.pop(older, None)
        self._retired.add(older)
        return older

    def release(self, sid: str) -> str | None:
        """Forget `sid` (it disconnected or moved); returns the conversation it held."""
        self._retired.discard(sid)
        sender_id = self._sender_of.pop(sid, None)
        if sender_id is not None and self._socket_of.get(sender_id) == sid:
            del self._socket_of[sender_id]
        return sender_id

    def sender_of(self, sid: str) -> str | None:
        return self._sender_of.get(sid)

    def socket_of(self, sender_id: str) -> str | None:
        return self._socket_of.get(sender_id)

    def retired(self, sid: str) -> bool:
        return sid in self._retired

    def __len__(self) -> int:
        """Sockets known (live or retired): stays bounded by the connected sockets."""
        return len(self._sender_of) + len(self._retired)


def parse_origins(value: str | list[str] | None) -> str | list[str]:
    """ALLOWED_ORIGINS as Engine.IO wants it: "*" or a list of origins (no trailing slash).

    Empty means "only this server's own pages".
    """
    if isinstance(value, list):
        items = [str(v) for v in value]
    else:
        items = str(value or "").replace(" ", ",").split(",")
    origins = [o.strip().rstrip("/") for o in items if o.strip()]
    if "*" in origins:
        return "*"
    return origins


class OriginCheckedEngineIO(engineio.AsyncServer):
    """Engine.IO that refuses other origins but leaves CORS headers to Sanic-CORS."""

    def _cors_allowed_origins(self, environ: dict[str, Any]) -> list[str] | None:
        if self.cors_allowed_origins == "*":
            return None
        own = []
        if "wsgi.url_scheme" in environ and "HTTP_HOST" in environ:
            own.append(f"{environ['wsgi.url_scheme']}://{environ['HTTP_HOST']}")
            if "HTTP_X_FORWARDED_PROTO" in environ or "HTTP_X_FORWARDED_HOST" in environ:
                scheme = environ.get("HTTP_X_FORWARDED_PROTO", environ["wsgi.url_scheme"])
                host = environ.get("HTTP_X_FORWARDED_HOST", environ["HTTP_HOST"])
                own.append(f"{scheme.split(',')[0].strip()}://{host.split(',')[0].strip()}")
        return list(self.cors_allowed_origins or []) + own

    def _cors_headers(self, environ: dict[str, Any]) -> list[tuple[str, str]]:
        return []


class OriginCheckedServer(socketio.AsyncServer):
    def _engineio_server_class(self) -> type:
        return OriginCheckedEngineIO


class WebOutput(SocketIOOutput):
    """One ``bot_uttered`` event per bot message, with everything the widget needs."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        out: dict[str, Any] = {}
        text = message.get("text")
        if text:
            out["text"] = str(text)
        buttons = button_list(message.get("quick_replies") or message.get("buttons"))
        if buttons:
            out["quick_replies"] = [
                {"content_type": "text", "title": b["title"], "payload": b["payload"]}
                for b in buttons
            ]
        if isinstance(message.get("custom"), dict):
            out["custom"] = message["custom"]
        if isinstance(message.get("image"), str):
            out["attachment"] = {"type": "image", "payload": {"src": message["image"]}}
        elif isinstance(message.get("attachment"), dict):
            out["attachment"] = message["attachment"]
        if out:
            await self._send_message(recipient_id, out)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class SocketIOInput(RasaSocketIOInput):
    """Socket.IO for the web widget; see the module docstring."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SocketIOInput:
        credentials = credentials or {}
        channel = cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            bool(credentials.get("session_persistence", True)),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
        )
        channel.allowed_origins = parse_origins(setting(credentials, "allowed_origins"))
        if channel.allowed_origins == "*":
            logger.info("Socket.IO accepts pages from any origin (ALLOWED_ORIGINS=*).")
        else:
            logger.info(
                "Socket.IO accepts pages from this server and: %s",
                ", ".join(channel.allowed_origins) or "(no other origin)",
            )
        return channel

    allowed_origins: str | list[str] = "*"
    # Set by blueprint(): the token signer and which socket holds which conversation.
    tokens: SessionTokens | None = None
    live: LiveSessions | None = None

    def get_output_channel(self) -> WebOutput | None:
        if self.sio is None:
            return None
        return WebOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        origins = self.allowed_origins
        sio = OriginCheckedServer(
            async_mode="sanic",
            cors_allowed_origins=origins if origins == "*" or origins else None,
        )
        bp = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        tokens = SessionTokens(session_key())
        live = LiveSessions()
        self.tokens, self.live = tokens, live
        handlers = _SocketHandlers(self, sio, tokens, live, on_new_message)

        bp.add_route(_health, "/", methods=["GET"], name="health")
        namespace = self.namespace
        sio.on("connect", handlers.connect, namespace=namespace)
        sio.on("disconnect", handlers.disconnect, namespace=namespace)
        sio.on("session_request", handlers.session_request, namespace=namespace)
        sio.on(self.user_message_evt, handlers.handle_message, namespace=namespace)
        return bp


async def _health(_: Request) -> HTTPResponse:
    return response.json({"status": "ok"})


def _metadata(value: Any) -> dict[str, Any]:
    """A message's metadata: a dict, or a JSON object in a string; anything else is {}."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = {}
    return value if isinstance(value, dict) else {}


class _SocketHandlers:
    """The Socket.IO event handlers of one blueprint: what it was built with, as its closures had.

    Each blueprint gets its own (the server, the token signer and the live sockets it made), so
    a channel whose blueprint is built again never mixes the two.
    """

    def __init__(self, channel: SocketIOInput, sio: socketio.AsyncServer,
                 tokens: SessionTokens, live: LiveSessions,
                 on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        self.channel = channel
        self.sio = sio
        self.namespace = channel.namespace
        self.tokens = tokens
        self.live = live
        self.on_new_message = on_new_message

    async def connect(self, sid: str, environ: dict, auth: dict | None = None) -> bool:
        channel = self.channel
        if not channel.jwt_key:
            return True
        token = (auth or {}).get("token")
        return bool(token and decode_bearer_token(token, channel.jwt_key, channel.jwt_algorithm))

    async def disconnect(self, sid: str, *_: Any) -> None:
        # release() gives the conversation up only if this socket still holds it: a socket
        # that was taken over leaves the newer one in place as it goes.
        self.live.release(sid)

    async def take(self, sid: str, sender_id: str) -> bool:
        """Make `sid` the one live socket of `sender_id`; an older one is told and dropped.

        False if `sid` has gone meanwhile (handlers run as tasks, a disconnect can come
        first): nothing is recorded for a socket that will never disconnect again.
        """
        sio, namespace = self.sio, self.namespace
        if not sio.manager.is_connected(sid, namespace or "/"):
            return False
        older = self.live.claim(sid, sender_id)  # first, before any await
        for room in sio.rooms(sid, namespace=namespace):
            if room not in (sid, sender_id):
                sio.leave_room(sid, room, namespace=namespace)
        sio.enter_room(sid, sender_id, namespace=namespace)
        if older is None:
            return True
        sio.leave_room(older, sender_id, namespace=namespace)
        logger.info("Web chat %s moved to a newer socket; the older one is told and closed.",
                    sender_tag(sender_id))
        # Emitted before the disconnect, on the same connection: the old page gets it first.
        await sio.emit(TAKEN_EVT, {"reason": "opened elsewhere"}, room=older,
                       namespace=namespace)
        await sio.disconnect(older, namespace=namespace)
        self.live.release(older)  # in case it had already gone (no disconnect event then)
        return True

    async def session_request(self, sid: str, data: Any = None) -> None:
        if self.live.retired(sid):
            return  # taken over and about to be closed: it must not take the chat back
        token = data.get("session_id") if isinstance(data, dict) else None
        # Without session persistence every session_request is a new conversation.
        sender_id = self.tokens.sender_id(token) if self.channel.session_persistence else None
        if sender_id is None:
            # Whatever was offered (nothing, an old-style id, a REST sender id, a forged or
            # stale token): a new conversation, never the one claimed, and never an error.
            token, sender_id = self.tokens.issue()
        if await self.take(sid, sender_id):
            await self.sio.emit("session_confirm", token, room=sid, namespace=self.namespace)

    async def _sender(self, sid: str, data: dict[str, Any]) -> str | None:
        """The socket's own confirmed session, whatever `session_id` the message names."""
        sender_id = self.live.sender_of(sid)
        if sender_id is not None:
            return sender_id
        # No session_request yet (Rasa's protocol allows it): a genuine token may open
        # its conversation, exactly as session_request would; anything else is dropped.
        claimed = data.get("session_id")
        sender_id = self.tokens.sender_id(claimed) if self.channel.session_persistence else None
        if sender_id is None:
            logger.warning("Socket.IO message without a session (no session_request).")
            return None
        if not await self.take(sid, sender_id):
            return None
        return sender_id

    async def handle_message(self, sid: str, data: Any) -> None:
        if not isinstance(data, dict) or self.live.retired(sid):
            return
        sender_id = await self._sender(sid, data)
        if sender_id is None:
            return
        channel, sio, namespace = self.channel, self.sio, self.namespace
        text = data.get("message")
        text = text[:MAX_MESSAGE_CHARS] if isinstance(text, str) else ""
        metadata = _metadata(data.get(channel.metadata_key) or {})
        # The room holds only the live socket of this conversation (see take()).
        room = sender_id
        output = WebOutput(sio, channel.bot_message_evt)
        message = UserMessage(
            text, output, sender_id, input_channel=channel.name(), metadata=metadata
        )
        try:
            await self.on_new_message(message)
        except Exception:
            logger.exception("Handling a web message failed")
            await sio.emit(ERROR_EVT, {"retry": True}, room=room, namespace=namespace)
        await sio.emit(TURN_END_EVT, {}, room=room, namespace=namespace)
