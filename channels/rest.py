"""Rasa's REST channel (/webhooks/rest/webhook), optionally behind a shared secret.

A hospice's own systems (an app, a patient portal) may post caregivers' messages here. When
REST_WEBHOOK_SECRET is set, every POST must carry it in the `X-Webhook-Secret` header, or it
gets 401 and never reaches the bot; when it is empty the webhook is open, as Rasa's own `rest`
channel is (local use, tests). The health check (GET /webhooks/rest/) stays open.

It also turns a body that is not a JSON object with a text `message` into a clear 400 rather
than Rasa's 500 (a JSON list or number made its `request.json.get` fail), and checks the
sender: 1-128 characters of valid Unicode without control characters. A missing sender is
not the shared conversation "default" but a 400, and a sender Rasa's stores cannot encode
(a lone surrogate, a NUL) never reaches them.

Every REST conversation is named "rest:<sender>". Each channel has its own prefix (web:,
telegram:, whatsapp:), so a REST caller who sends "whatsapp:+15551234567" talks in
"rest:whatsapp:+15551234567", a conversation of its own, and can never read or continue
someone's WhatsApp, Telegram or web conversation.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import same_secret, setting

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Webhook-Secret"
SENDER_PREFIX = "rest:"
MAX_SENDER = 128


def bad_request(why: str) -> HTTPResponse:
    return response.json({"error": why}, status=400)


def read_body(request: Request) -> tuple[dict[str, Any] | None, str]:
    """The request's JSON object, or None and the reason it is not usable."""
    try:
        body = request.json
    except Exception:  # sanic raises InvalidUsage on a body that is not JSON
        return None, "The body must be JSON."
    if not isinstance(body, dict):
        return None, 'The body must be a JSON object: {"sender": "...", "message": "..."}.'
    message = body.get("message")
    if not isinstance(message, str):
        return None, '"message" must be text.'
    sender = body.get("sender")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender:
        return None, '"sender" must be text that names the conversation.'
    if len(sender) > MAX_SENDER:
        return None, f'"sender" must be at most {MAX_SENDER} characters.'
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Cn") for ch in sender):
        return None, '"sender" must be valid text without control characters.'
    return {**body, "sender": sender}, ""


def conversation_id(sender: str) -> str:
    """The conversation a REST sender talks in: its own, never another channel's."""
    return SENDER_PREFIX + sender


class SecureRestInput(RestInput):
    """Rasa's REST webhook at the same URL, with an optional shared secret."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SecureRestInput:
        return cls(shared_secret=setting(credentials, "shared_secret"))

    def __init__(self, shared_secret: str = "") -> None:
        self.shared_secret = shared_secret

    def allowed(self, request: Request) -> bool:
        if not self.shared_secret:
            return True
        return same_secret(request.headers.get(SECRET_HEADER), self.shared_secret)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        bp = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.allowed(request):
                return response.json(
                    {"error": f"This webhook needs the shared secret in {SECRET_HEADER}."},
                    status=401)
            body, why = read_body(request)
            if body is None:
                return bad_request(why)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(
                    body["message"], collector, conversation_id(body["sender"]),
                    input_channel=self._extract_input_channel(request),
                    metadata=self.get_metadata(request)))
            except asyncio.CancelledError:
                logger.error("A REST message was cancelled before it was answered.")
            except Exception:
                logger.exception("A REST message failed.")
            # The caller named the conversation without the channel's prefix: answer in kind.
            for message in collector.messages:
                message["recipient_id"] = body["sender"]
            return response.json(collector.messages)

        return bp
