"""Rasa's REST channel (/webhooks/rest/webhook), optionally behind a shared secret.

A hospice's own systems (an app, a patient portal) may post caregivers' messages here. When
REST_WEBHOOK_SECRET is set, every POST must carry it in the `X-Webhook-Secret` header, or it
gets 401 and never reaches the bot; when it is empty the webhook is open, as Rasa's own `rest`
channel is (local use, tests). The health check (GET /webhooks/rest/) stays open.

It also turns a body that is not a JSON object with a text `message` into a clear 400 rather
than Rasa's 500 (a JSON list or number made its `request.json.get` fail).
"""

from __future__ import annotations

import asyncio
import logging
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
MAX_SENDER = 256


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
    if message is not None and not isinstance(message, str):
        return None, '"message" must be text.'
    sender = body.get("sender")
    if sender is not None and not isinstance(sender, (str, int)):
        return None, '"sender" must be text.'
    if sender is not None and len(str(sender)) > MAX_SENDER:
        return None, f'"sender" must be at most {MAX_SENDER} characters.'
    return body, ""


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
            sender = body.get("sender")
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(
                    body.get("message"), collector,
                    str(sender) if sender is not None else None,
                    input_channel=self._extract_input_channel(request),
                    metadata=self.get_metadata(request)))
            except asyncio.CancelledError:
                logger.error("A REST message was cancelled before it was answered.")
            except Exception:
                logger.exception("A REST message failed.")
            return response.json(collector.messages)

        return bp
