"""Telegram, done so that it works offline-safe and behind a webhook secret.

Rasa 3.6's stock connector calls setWebhook while the server starts (start-up fails without
network), calls getMe on every message, and makes its HTTP session in a throwaway event loop
so every webhook fails with "Event loop is closed". This channel instead:

* makes its aiohttp session lazily, in the server's own loop, and closes it at shutdown;
* registers the webhook only when asked: ``POST /webhooks/telegram/set_webhook`` with the
  Rasa auth token (``?token=`` or ``Authorization: Bearer``), like Rasa's HTTP API;
* accepts an update only with the right ``X-Telegram-Bot-Api-Secret-Token`` header (the secret
  is TELEGRAM_SECRET_TOKEN, or derived from the bot token when that is empty);
* shows buttons as inline keyboards, answers the callback (answerCallbackQuery) and marks the
  message with the choice made, so old buttons cannot be tapped twice;
* splits long replies within Telegram's 4096-character limit;
* takes its API base URL from configuration (tests point it at a local fake).

What it shares with the WhatsApp channel (the HTTP client, the webhook's course: 404 when off,
403 without the provider's proof, retries dropped, a kind reply when the bot fails) is in
channels/http.py and channels/webhook_base.py.

credentials.yml (empty values switch the channel off, with a log line saying so):

    channels.telegram.TelegramInput:
      access_token: ${TELEGRAM_TOKEN}
      secret_token: ${TELEGRAM_SECRET_TOKEN}
      api_base_url: ${TELEGRAM_API_URL}
      public_url: ${PUBLIC_URL}
      rasa_auth_token: ${RASA_AUTH_TOKEN}
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import (
    bearer_or_query_token,
    button_list,
    same_secret,
    setting,
    split_text,
    utf16_len,
)
from channels.http import DEFAULT_TIMEOUT, APIClient, APIError
from channels.state import ChannelState, MemoryState, channel_state
from channels.webhook_base import SORRY as SORRY
from channels.webhook_base import (
    OnNewMessage,
    WebhookInput,
    WebhookOutput,
    route,
)

logger = logging.getLogger(__name__)

DEFAULT_API = "https://api.telegram.org"
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64  # bytes
CALLBACK_TTL = 30 * 24 * 3600  # a long button's payload, for a month (old buttons then expire)
SENDER_PREFIX = "telegram:"
WEBHOOK_PATH = "/webhooks/telegram/webhook"
START_PAYLOAD = "/greet"
COMMANDS = {"/start": START_PAYLOAD, "/help": "/help", "/restart": "/restart", "/stop": "/stop"}
TEXT_ONLY = (
    "I can only read typed messages. Please type your question in a few words, or tap one of "
    "the buttons."
)
EXPIRED = "That button has expired. Please type what you'd like, or send /start for the menu."


def derived_secret(access_token: str) -> str:
    """A webhook secret derived from the bot token (Telegram allows A-Z, a-z, 0-9, _ and -)."""
    return hmac.new(access_token.encode(), b"gentle-hands telegram webhook", hashlib.sha256)\
        .hexdigest()[:48]


def chat_id_of(recipient_id: str) -> str:
    return recipient_id[len(SENDER_PREFIX):] if recipient_id.startswith(SENDER_PREFIX) \
        else recipient_id


def chat_key(value: Any) -> str:
    """A chat id as the conversation's name; Telegram's are whole numbers, anything else is a
    malformed update (ValueError)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("a chat id is a whole number")
    return str(value)


class TelegramError(APIError):
    pass


class TelegramClient(APIClient):
    """Bot API calls over the shared HTTP client (channels/http.py)."""

    error = TelegramError

    def __init__(self, token: str, api_base_url: str = DEFAULT_API,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(api_base_url, timeout)
        self.token = token

    def retry_delay(self, status: int, body: Any) -> float | None:
        """Once, when Telegram asks to wait (429) at most 5 seconds."""
        if not isinstance(body, dict) or body.get("ok"):
            return None
        retry_after = (body.get("parameters") or {}).get("retry_after")
        if status == 429 and isinstance(retry_after, int) and retry_after <= 5:
            return retry_after
        return None

    async def call(self, method: str, **params: Any) -> Any:
        """Call a Bot API method; returns its result or raises TelegramError (never logs the
        token, which is part of the URL)."""
        url = f"{self.api_base_url}/bot{self.token}/{method}"
        status, body = await self.post(url, f"{method}: ", json=params)
        if not isinstance(body, dict):
            body = {"ok": False, "description": f"HTTP {status}, not a Bot API answer"}
        if body.get("ok"):
            return body.get("result")
        raise TelegramError(f"{method}: {body.get('description') or f'HTTP {status}'}")


class CallbackData:
    """Button payloads as callback_data (at most 64 bytes): long ones get a short key.

    The key is kept in the shared channel state (channels/state.py), so a tap that reaches
    another replica than the one that drew the keyboard still finds its payload.
    """

    def __init__(self, state: ChannelState | None = None) -> None:
        self.state: ChannelState = state if state is not None else MemoryState()

    async def encode(self, payload: str) -> str:
        if len(payload.encode("utf-8")) <= MAX_CALLBACK_DATA and not payload.startswith("gh:"):
            return payload
        key = "gh:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
        await self.state.set(key, payload, CALLBACK_TTL)
        return key

    async def decode(self, data: str) -> str | None:
        if data.startswith("gh:"):
            return await self.state.get(data)
        return data


async def keyboard(buttons: list[dict[str, str]], callbacks: CallbackData) -> dict[str, Any]:
    """An inline keyboard: two buttons a row when the titles are short, else one."""
    keys = [{"text": b["title"], "callback_data": await callbacks.encode(b["payload"])}
            for b in buttons]
    per_row = 2 if all(len(b["title"]) <= 16 for b in buttons) else 1
    return {"inline_keyboard": [keys[i:i + per_row] for i in range(0, len(keys), per_row)]}


class TelegramOutput(WebhookOutput):
    NAME = "telegram"
    LABEL = "Telegram"
    MAX_TEXT = MAX_TEXT
    logger = logger

    def __init__(self, client: TelegramClient, callbacks: CallbackData) -> None:
        self.client = client
        self.callbacks = callbacks

    async def _post_message(self, recipient_id: str, text: str, **extra: Any) -> None:
        await self.client.call("sendMessage", chat_id=chat_id_of(recipient_id), text=text,
                               **extra)

    async def send_text_with_buttons(self, recipient_id: str, text: str,
                                     buttons: list[dict[str, Any]], **kwargs: Any) -> None:
        parts = split_text(text, MAX_TEXT) or ["Please choose:"]
        for part in parts[:-1]:
            await self._send(recipient_id, part)
        markup = await keyboard(button_list(buttons), self.callbacks)
        await self._send(recipient_id, parts[-1], reply_markup=markup)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._guarded(
            self.client.call("sendPhoto", chat_id=chat_id_of(recipient_id), photo=image),
            "a photo")


class TelegramInput(WebhookInput):
    """The Telegram webhook; see the module docstring (and channels/webhook_base.py)."""

    NAME = "telegram"
    LABEL = "Telegram"
    TEXT_ONLY = TEXT_ONLY
    REFUSED = "an update without the right secret token."
    logger = logger

    client: TelegramClient

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        return cls(
            access_token=setting(credentials, "access_token"),
            secret_token=setting(credentials, "secret_token"),
            api_base_url=setting(credentials, "api_base_url", DEFAULT_API),
            public_url=setting(credentials, "public_url"),
            rasa_auth_token=setting(credentials, "rasa_auth_token"),
        )

    def __init__(self, access_token: str = "", secret_token: str = "",
                 api_base_url: str = DEFAULT_API, public_url: str = "",
                 rasa_auth_token: str = "") -> None:
        self.access_token = access_token
        self.secret_token = secret_token or (derived_secret(access_token) if access_token else "")
        self.api_base_url = api_base_url or DEFAULT_API
        self.public_url = public_url.rstrip("/")
        self.rasa_auth_token = rasa_auth_token
        self.client = TelegramClient(access_token, self.api_base_url)
        # Shared by the replicas when REDIS_URL is set (channels/state.py).
        self.callbacks = CallbackData(channel_state("telegram:callbacks"))
        self.seen: ChannelState = channel_state("telegram:seen")
        if self.enabled:
            logger.info("Telegram channel on: updates at %s (register it with POST "
                        "/webhooks/telegram/set_webhook).", self.webhook_url or WEBHOOK_PATH)
        else:
            logger.info("Telegram channel off: TELEGRAM_TOKEN is empty.")

    @property
    def enabled(self) -> bool:
        return bool(self.access_token)

    @property
    def webhook_url(self) -> str:
        return self.public_url + WEBHOOK_PATH if self.public_url else ""

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.client, self.callbacks)

    # -- turning an update into a message --------------------------------------------------
    async def _choice(self, query: dict[str, Any]) -> tuple[str | None, str | None]:
        """(chat id, payload) for a button tap, after answering it and marking the message."""
        message = query.get("message") or {}
        chat_id = (message.get("chat") or {}).get("id")
        data = str(query.get("data") or "")
        try:
            await self.client.call("answerCallbackQuery", callback_query_id=query.get("id"))
        except TelegramError as e:
            logger.warning("Telegram: answerCallbackQuery failed (%s)", e)
        payload = await self.callbacks.decode(data) if data else None
        title = None
        for row in ((message.get("reply_markup") or {}).get("inline_keyboard") or []):
            for key in row:
                if isinstance(key, dict) and key.get("callback_data") == data:
                    title = key.get("text")
        if chat_id is not None and message.get("message_id") is not None:
            old = str(message.get("text") or "")
            mark = f"\n\n✓ {title}" if title else ""
            try:
                if old and mark and utf16_len(old + mark) <= MAX_TEXT:
                    await self.client.call("editMessageText", chat_id=chat_id,
                                           message_id=message["message_id"], text=old + mark)
                else:
                    await self.client.call("editMessageReplyMarkup", chat_id=chat_id,
                                           message_id=message["message_id"],
                                           reply_markup={"inline_keyboard": []})
            except TelegramError as e:
                logger.debug("Telegram: could not mark the chosen button (%s)", e)
        return (None if chat_id is None else chat_key(chat_id)), payload

    @staticmethod
    def _typed(text: str) -> str:
        """Telegram commands to the bot's payloads; other typed "/..." go to NLU as words."""
        word = text.split()[0].split("@")[0].lower() if text.strip() else ""
        if word in COMMANDS:
            return COMMANDS[word]
        return text.lstrip("/").strip() if text.startswith("/") else text

    def add_routes(self, bp: Blueprint) -> None:
        bp.add_route(route(self._set_webhook), "/set_webhook", methods=["POST"],
                     name="set_webhook")
        bp.add_route(route(self._webhook_info), "/webhook_info", methods=["GET"],
                     name="webhook_info")

    # -- registering the webhook -------------------------------------------------------------
    def _authorised(self, request: Request) -> bool:
        return same_secret(bearer_or_query_token(request), self.rasa_auth_token)

    def _refused(self, request: Request) -> HTTPResponse | None:
        """The answer to a request without the Rasa auth token or with Telegram off, or None."""
        if not self._authorised(request):
            return response.json({"error": "A valid Rasa auth token is needed."}, status=401)
        if not self.enabled:
            return response.json({"error": "TELEGRAM_TOKEN is not set."}, status=409)
        return None

    async def _set_webhook(self, request: Request) -> HTTPResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        body = request.json if request.body else None
        url = (body or {}).get("url") if isinstance(body, dict) else None
        url = url or self.webhook_url
        if not url or not url.startswith("https://"):
            return response.json(
                {"error": "Set PUBLIC_URL to this server's public https address, or pass "
                          '{"url": "https://.../webhooks/telegram/webhook"}.'}, status=400)
        try:
            await self.client.call(
                "setWebhook", url=url, secret_token=self.secret_token,
                allowed_updates=["message", "callback_query"],
            )
        except TelegramError as e:
            return response.json({"ok": False, "error": str(e)}, status=502)
        logger.info("Telegram webhook registered: %s", url)
        return response.json({"ok": True, "url": url})

    async def _webhook_info(self, request: Request) -> HTTPResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        try:
            return response.json({"ok": True,
                                  "result": await self.client.call("getWebhookInfo")})
        except TelegramError as e:
            return response.json({"ok": False, "error": str(e)}, status=502)

    # -- the webhook (its course: channels/webhook_base.py) ---------------------------------
    def authentic(self, request: Request) -> bool:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        return same_secret(given, self.secret_token)

    async def handle(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        try:
            update = request.json
        except Exception:
            update = None
        if not isinstance(update, dict):
            return response.json({"error": "expected a JSON update"}, status=400)
        update_id = update.get("update_id")
        if not await self.first_delivery(str(update_id) if isinstance(update_id, int)
                                         else None):
            return response.json({"ok": True, "duplicate": True})  # a retry

        output = self.get_output_channel()
        try:
            return await self._handle_update(update, output, on_new_message)
        except (AttributeError, TypeError, KeyError, ValueError):
            # Authenticated but not shaped like an update ("chat": "x", "message": [...]):
            # Telegram never sends that, so say so instead of a 500 with a traceback.
            logger.warning("Telegram: refused a malformed update.")
            return response.json({"error": "malformed update"}, status=400)

    async def _handle_update(self, update: dict[str, Any], output: TelegramOutput,
                             on_new_message: OnNewMessage) -> HTTPResponse:
        """Answer one authenticated update; a malformed one raises a TypeError or similar."""
        chat_id: str | None
        if isinstance(update.get("callback_query"), dict):
            chat_id, text = await self._choice(update["callback_query"])
            if chat_id and text is None:
                await output.send_text_message(chat_id, EXPIRED)
                return response.json({"ok": True})
        elif isinstance(update.get("message"), dict):
            message = update["message"]
            chat = message.get("chat") or {}
            chat_id = None if chat.get("id") is None else chat_key(chat["id"])
            if chat.get("type", "private") != "private":
                return response.json({"ok": True, "ignored": "not a private chat"})
            raw = message.get("text")
            if chat_id and not isinstance(raw, str):
                await self.reply_text_only(output, chat_id)
                return response.json({"ok": True})
            text = self._typed(raw) if isinstance(raw, str) else None
        else:  # edited messages, channel posts and the rest: nothing to answer
            return response.json({"ok": True, "ignored": "update type"})
        if not chat_id or text is None:
            return response.json({"ok": True, "ignored": "no chat"})

        await self.pass_on(on_new_message, text, output, SENDER_PREFIX + chat_id)
        return response.json({"ok": True})
