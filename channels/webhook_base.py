"""What the Telegram and WhatsApp webhooks share: one base for the input and one for the output.

`WebhookInput` gives a channel its blueprint (``GET /`` health, ``POST /webhook``, the API
client closed at server shutdown) and the webhook's common course:

1. a channel that is not configured answers 404 ("<Label> is not configured.");
2. a request that does not prove it comes from the provider (Telegram's secret token header,
   Twilio's signature) is logged and answered 403, and goes no further;
3. the channel's own `handle` reads the update, using `first_delivery` to drop a provider's
   retry of an update already handled (the seen ids are in the shared channel state,
   channels/state.py, for SEEN_TTL), `reply_text_only` for a message without text, and
   `pass_on` to give the message to Rasa: if that fails the caregiver gets SORRY, and the
   provider still a success (so it does not retry a message that keeps failing).

`WebhookOutput` sends text split within the provider's limit (MAX_TEXT, UTF-16 units), logs a
failed send instead of raising it, shows quick replies as buttons and leaves out custom
payloads (they describe the web widget's cards; the text carries them already).

Each channel module keeps what is its own: credentials, the provider check, the shape of its
updates, and how buttons are drawn (inline keyboards, numbered choices).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ClassVar

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import split_text
from channels.http import APIClient, APIError
from channels.state import ChannelState

SEEN_TTL = 24 * 3600  # providers retry an update for up to a day (Telegram); Twilio for minutes
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def route(method: Callable[[Request], Awaitable[HTTPResponse]],
          ) -> Callable[[Request], Coroutine[Any, Any, HTTPResponse]]:
    """A plain function calling a handler method: Sanic marks each route's handler with an
    attribute (its blueprint's name), which a bound method cannot carry."""

    async def handler(request: Request) -> HTTPResponse:
        return await method(request)

    return handler


class WebhookOutput(OutputChannel):
    """Replies through a provider's API; see the module docstring."""

    NAME: ClassVar[str]  # Rasa's channel name ("telegram")
    LABEL: ClassVar[str]  # for the logs ("Telegram")
    MAX_TEXT: ClassVar[int]  # the longest message the provider takes, in UTF-16 units
    logger: ClassVar[logging.Logger]  # the channel module's

    @classmethod
    def name(cls) -> str:
        return cls.NAME

    async def _post_message(self, recipient_id: str, text: str, **extra: Any) -> None:
        """Send one message (at most MAX_TEXT) through the provider; raises APIError."""
        raise NotImplementedError

    async def _guarded(self, call: Awaitable[Any], what: str) -> None:
        """Await a provider call; a failure is logged ("could not send `what`"), not raised."""
        try:
            await call
        except APIError as e:
            self.logger.warning("%s: could not send %s (%s)", self.LABEL, what, e)

    async def _send(self, recipient_id: str, text: str, **extra: Any) -> None:
        await self._guarded(self._post_message(recipient_id, text, **extra), "a message")

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_text(text, self.MAX_TEXT):
            await self._send(recipient_id, part)

    async def send_quick_replies(self, recipient_id: str, text: str,
                                 quick_replies: list[dict[str, Any]], **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any],
                               **kwargs: Any) -> None:
        # Custom payloads describe the web widget's cards; the text already carries them.
        self.logger.debug("%s: custom payload not shown (%s)", self.LABEL, sorted(json_message))


class WebhookInput(InputChannel):
    """A provider's webhook; see the module docstring."""

    NAME: ClassVar[str]  # Rasa's channel name, and the URL's: /webhooks/<NAME>/
    LABEL: ClassVar[str]  # for the logs and the "not configured" answer
    TEXT_ONLY: ClassVar[str]  # the reply to a message without text
    REFUSED: ClassVar[str]  # what the log says of a request refused with 403
    logger: ClassVar[logging.Logger]  # the channel module's

    client: APIClient
    seen: ChannelState  # the update ids already handled (first_delivery)

    @classmethod
    def name(cls) -> str:
        return cls.NAME

    @property
    def enabled(self) -> bool:
        raise NotImplementedError

    def get_output_channel(self) -> WebhookOutput:
        raise NotImplementedError

    # -- what each channel does its own way --------------------------------------------------
    def authentic(self, request: Request) -> bool:
        """Whether the request proves it comes from the provider."""
        raise NotImplementedError

    def forbidden(self) -> HTTPResponse:
        """The answer to a request that is not `authentic`."""
        return response.json({"error": "forbidden"}, status=403)

    async def handle(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        """Answer one authentic webhook request."""
        raise NotImplementedError

    def add_routes(self, bp: Blueprint) -> None:
        """Routes of the channel's own, beside ``GET /`` and ``POST /webhook``."""

    # -- shared ------------------------------------------------------------------------------
    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        # The module's name as the blueprint's own url_prefix, as Rasa's channels do (Rasa
        # mounts it under /webhooks/<name>/ instead).
        bp = Blueprint(f"gentle_hands_{self.name()}", type(self).__module__)
        bp.listener("after_server_stop")(self._close_client)
        bp.add_route(route(self._health), "/", methods=["GET"], name="health")
        self.add_routes(bp)

        async def webhook(request: Request) -> HTTPResponse:
            return await self._webhook(request, on_new_message)

        bp.add_route(webhook, "/webhook", methods=["POST"], name="webhook")
        return bp

    async def _close_client(self, *_: Any) -> None:
        await self.client.close()

    async def _health(self, _: Request) -> HTTPResponse:
        return response.json({"status": "ok", "configured": self.enabled})

    async def _webhook(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        if not self.enabled:
            return response.json({"error": f"{self.LABEL} is not configured."}, status=404)
        if not self.authentic(request):
            self.logger.warning("%s: refused %s", self.LABEL, self.REFUSED)
            return self.forbidden()
        return await self.handle(request, on_new_message)

    async def first_delivery(self, update_id: str | None) -> bool:
        """False when the update with this id was handled already (the provider's retry, on
        any replica); an update without an id is always new."""
        return not update_id or await self.seen.add(update_id, SEEN_TTL)

    async def reply_text_only(self, output: WebhookOutput, recipient_id: str) -> None:
        """Tell the caregiver that only typed messages are read (a photo, a sticker...)."""
        await output.send_text_message(recipient_id, self.TEXT_ONLY)

    async def pass_on(self, on_new_message: OnNewMessage, text: str, output: WebhookOutput,
                      sender_id: str) -> None:
        """Give the message to Rasa; if that fails, tell the caregiver kindly (SORRY)."""
        try:
            await on_new_message(UserMessage(text, output, sender_id, input_channel=self.name()))
        except Exception:
            self.logger.exception("%s: handling a message failed", self.LABEL)
            await output.send_text_message(sender_id, SORRY)
