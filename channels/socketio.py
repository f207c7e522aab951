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
* Session ids are checked (16-64 letters, digits, ``-`` or ``_``; anything else gets a new one)
  and a socket belongs to one session at a time.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import engineio
import socketio
from rasa.core.channels.channel import UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import button_list, setting

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_MESSAGE_CHARS = 20_000
TURN_END_EVT = "bot_turn_end"
ERROR_EVT = "bot_error"


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
        namespace = self.namespace

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            if not self.jwt_key:
                return True
            token = (auth or {}).get("token")
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        async def join(sid: str, session_id: str) -> None:
            for room in sio.rooms(sid, namespace=namespace):
                if room not in (sid, session_id):
                    sio.leave_room(sid, room, namespace=namespace)
            if self.session_persistence:
                sio.enter_room(sid, session_id, namespace=namespace)
            await sio.save_session(sid, {"session_id": session_id}, namespace=namespace)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            wanted = data.get("session_id") if isinstance(data, dict) else None
            session_id = wanted if isinstance(wanted, str) and SESSION_ID.match(wanted) else None
            session_id = session_id or uuid.uuid4().hex
            await join(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                saved = (await sio.get_session(sid, namespace=namespace)).get("session_id")
                given = data.get("session_id")
                if not saved and isinstance(given, str) and SESSION_ID.match(given):
                    await join(sid, given)
                    saved = given
                if not saved:
                    logger.warning("Socket.IO message without a session (no session_request).")
                    return
                sender_id = saved
            else:
                sender_id = sid
            text = data.get("message")
            text = text[:MAX_MESSAGE_CHARS] if isinstance(text, str) else ""
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            room = sender_id
            output = WebOutput(sio, self.bot_message_evt)
            message = UserMessage(
                text, output, sender_id, input_channel=self.name(), metadata=metadata
            )
            try:
                await on_new_message(message)
            except Exception:
                logger.exception("Handling a web message failed")
                await sio.emit(ERROR_EVT, {"retry": True}, room=room, namespace=namespace)
            await sio.emit(TURN_END_EVT, {}, room=room, namespace=namespace)

        return bp
