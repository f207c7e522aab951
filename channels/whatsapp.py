"""WhatsApp through Twilio: signed webhooks in, async replies out, buttons as numbered choices.

* Every webhook must carry a valid ``X-Twilio-Signature``: base64(HMAC-SHA1(auth token, the
  full URL Twilio called + each POST parameter's name and value, sorted by name)). Behind a
  proxy the URL the server sees differs from the one Twilio called, so the URL is built from
  PUBLIC_URL when that is set. Anything unsigned or forged gets 403.
* Replies go out through Twilio's Messages API with aiohttp (never blocking the event loop),
  in order, split within WhatsApp's 1600-character limit.
* WhatsApp (without pre-approved templates) has no buttons, so buttons become a numbered list
  ("Reply with a number: 1. Hand massage ..."). The last choices offered to each sender are
  remembered (numbers run on across one bot turn): "2" (or "2.", "2️⃣", or the button's own
  words) sends that button's payload.
  When every button is itself a number (a 3 / 5 / 7 rating), the numbers are listed as they
  are and the reply is taken at face value.
* The API base URL comes from configuration (tests point it at a local fake).

What it shares with the Telegram channel (the HTTP client, the webhook's course: 404 when off,
403 without the provider's proof, retries dropped, a kind reply when the bot fails) is in
channels/http.py and channels/webhook_base.py.

credentials.yml (any of the first three empty switches the channel off, with a log line):

    channels.whatsapp.WhatsAppInput:
      account_sid: ${TWILIO_ACCOUNT_SID}
      auth_token: ${TWILIO_AUTH_TOKEN}
      whatsapp_number: ${TWILIO_WHATSAPP_NUMBER}
      api_base_url: ${TWILIO_API_URL}
      public_url: ${PUBLIC_URL}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import aiohttp
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import button_list, is_number, setting, split_text, utf16_len
from channels.http import DEFAULT_TIMEOUT, APIClient, APIError
from channels.state import ChannelState, MemoryState, channel_state
from channels.webhook_base import SORRY as SORRY
from channels.webhook_base import OnNewMessage, WebhookInput, WebhookOutput

logger = logging.getLogger(__name__)

DEFAULT_API = "https://api.twilio.com"
MAX_TEXT = 1600
OFFER_TTL = 24 * 3600  # a numbered menu stays valid for a day
TEXT_ONLY = (
    "I can only read typed messages. Please type your question in a few words, or reply with "
    "the number of a choice."
)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
KEYCAP = re.compile(r"^([0-9])\ufe0f?\u20e3$")


# -- signatures -------------------------------------------------------------------------------
def twilio_signature(auth_token: str, url: str, params: Mapping[str, Sequence[str] | str]) -> str:
    """Twilio's request signature for a POST to `url` with form `params`."""
    data = url
    for name in sorted(params):
        values = params[name]
        values = [values] if isinstance(values, str) else list(values)
        for value in sorted(set(values)):
            data += name + value
    mac = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def _with_and_without_port(url: str) -> list[str]:
    """Twilio signs the URL as it called it: with or without the default port."""
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    if parts.port is None and default:
        other = parts._replace(netloc=f"{host}:{default}")
    elif parts.port == default:
        other = parts._replace(netloc=host)
    else:
        return [url]
    return [url, urlunsplit(other)]


def valid_signature(auth_token: str, url: str, params: Mapping[str, Sequence[str] | str],
                    signature: str | None) -> bool:
    if not auth_token or not signature:
        return False
    return any(
        hmac.compare_digest(twilio_signature(auth_token, u, params).encode(),
                            signature.encode("utf-8", "replace"))
        for u in _with_and_without_port(url)
    )


# -- numbered choices -------------------------------------------------------------------------
class Choices:
    """The buttons last offered to each sender, so "2" can mean the second one.

    Kept in the shared channel state (channels/state.py): the reply may reach another replica
    than the one that offered the buttons. An offer lasts OFFER_TTL seconds.
    """

    def __init__(self, state: ChannelState | None = None) -> None:
        self.state: ChannelState = state if state is not None else MemoryState()

    async def offer(self, sender: str, buttons: list[dict[str, str]]) -> str:
        """Remember `buttons` for `sender`; return the text that lists them.

        Within one bot turn the numbers run on ("Why?" as 1, then "Yes, let's start" as 2),
        so every choice on the screen stays valid until the caregiver answers.
        """
        if not buttons:
            return ""
        stored = await self.state.get(sender)
        before = json.loads(stored) if stored else {"numbered": [], "titles": {}}
        titles = dict(before["titles"])
        titles.update({b["title"].casefold(): b["payload"] for b in buttons})
        if all(is_number(b["title"]) for b in buttons):
            await self._keep(sender, {"numbered": before["numbered"], "titles": titles})
            names = [b["title"] for b in buttons]
            listed = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
            return f"You can reply {listed}."
        first = len(before["numbered"]) + 1
        numbered = before["numbered"] + [b["payload"] for b in buttons]
        await self._keep(sender, {"numbered": numbered, "titles": titles})
        lines = [f"{i}. {b['title']}" for i, b in enumerate(buttons, start=first)]
        return "Reply with a number:\n" + "\n".join(lines)

    async def _keep(self, sender: str, offered: dict[str, Any]) -> None:
        await self.state.set(sender, json.dumps(offered), OFFER_TTL)

    async def resolve(self, sender: str, text: str) -> str:
        """The payload `text` stands for, or `text` itself; the offer is used up either way."""
        stored = await self.state.pop(sender)
        if not stored:
            return text
        offered = json.loads(stored)
        said = text.strip()
        keycap = KEYCAP.match(said)
        if keycap:
            said = keycap.group(1)
        said = said.rstrip(".)").strip()
        numbered = offered["numbered"]
        if numbered and is_number(said) and 1 <= int(said) <= len(numbered):
            return str(numbered[int(said) - 1])
        return str(offered["titles"].get(said.casefold(), text))


# -- Twilio's API -----------------------------------------------------------------------------
class TwilioError(APIError):
    pass


class TwilioClient(APIClient):
    """Sends WhatsApp messages through Twilio's Messages API, over the shared HTTP client
    (channels/http.py) with the account's basic auth."""

    error = TwilioError

    def __init__(self, account_sid: str, auth_token: str, from_number: str,
                 api_base_url: str = DEFAULT_API, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__(api_base_url, timeout, auth=aiohttp.BasicAuth(account_sid, auth_token))
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number

    def retry_delay(self, status: int, body: Any) -> float | None:
        """Once, a second later, when Twilio is busy (429) or failing (5xx)."""
        return 1 if status == 429 or status >= 500 else None

    async def send(self, to: str, body: str, media_url: str | None = None) -> dict[str, Any]:
        url = f"{self.api_base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        data = {"To": to, "From": self.from_number, "Body": body}
        if media_url:
            data["MediaUrl"] = media_url
        status, answer = await self.post(url, data=data)
        if 200 <= status < 300:
            return answer if isinstance(answer, dict) else {}
        detail = answer.get("message") if isinstance(answer, dict) else None
        code = answer.get("code") if isinstance(answer, dict) else None
        raise TwilioError(f"HTTP {status}" + (f" (error {code}: {detail})" if code else ""))


def whatsapp_address(number: str) -> str:
    number = number.strip().replace(" ", "")
    return number if number.startswith("whatsapp:") else "whatsapp:" + number


class WhatsAppOutput(WebhookOutput):
    NAME = "whatsapp"
    LABEL = "WhatsApp"
    MAX_TEXT = MAX_TEXT
    logger = logger

    def __init__(self, client: TwilioClient, choices: Choices) -> None:
        self.client = client
        self.choices = choices

    async def _post_message(self, recipient_id: str, text: str, **extra: Any) -> None:
        await self.client.send(whatsapp_address(recipient_id), text, extra.get("media_url"))

    async def send_text_with_buttons(self, recipient_id: str, text: str,
                                     buttons: list[dict[str, Any]], **kwargs: Any) -> None:
        menu = await self.choices.offer(recipient_id, button_list(buttons))
        parts = split_text(text, MAX_TEXT)
        if menu:
            if parts and utf16_len(parts[-1]) + 2 + utf16_len(menu) <= MAX_TEXT:
                parts[-1] += "\n\n" + menu
            else:
                parts += split_text(menu, MAX_TEXT)
        for part in parts:
            await self._send(recipient_id, part)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(recipient_id, "", media_url=image)


def form_params(request: Request) -> dict[str, list[str]]:
    """The POSTed form, blank values kept (Twilio signs "Body" even when it is empty, and
    Sanic's request.form drops blanks)."""
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return {}
    return parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)


def twiml() -> HTTPResponse:
    """Twilio's "received, nothing to add": the replies go out through the Messages API."""
    return response.text(EMPTY_TWIML, content_type="text/xml")


class WhatsAppInput(WebhookInput):
    """Twilio's WhatsApp webhook; see the module docstring (and channels/webhook_base.py)."""

    NAME = "whatsapp"
    LABEL = "WhatsApp"
    TEXT_ONLY = TEXT_ONLY
    REFUSED = "a request without a valid Twilio signature."
    logger = logger

    client: TwilioClient

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppInput:
        return cls(
            account_sid=setting(credentials, "account_sid"),
            auth_token=setting(credentials, "auth_token"),
            whatsapp_number=setting(credentials, "whatsapp_number"),
            api_base_url=setting(credentials, "api_base_url", DEFAULT_API),
            public_url=setting(credentials, "public_url"),
        )

    def __init__(self, account_sid: str = "", auth_token: str = "", whatsapp_number: str = "",
                 api_base_url: str = DEFAULT_API, public_url: str = "") -> None:
        self.auth_token = auth_token
        self.public_url = public_url.rstrip("/")
        self._enabled = bool(account_sid and auth_token and whatsapp_number)
        self.client = TwilioClient(account_sid, auth_token,
                                   whatsapp_address(whatsapp_number) if whatsapp_number else "",
                                   api_base_url or DEFAULT_API)
        # Shared by the replicas when REDIS_URL is set (channels/state.py).
        self.choices = Choices(channel_state("whatsapp:offers"))
        self.seen: ChannelState = channel_state("whatsapp:seen")
        if self.enabled:
            logger.info("WhatsApp channel on: Twilio should call %s/webhooks/whatsapp/webhook.",
                        self.public_url or "https://<this server>")
            if not self.public_url:
                logger.warning("WhatsApp: PUBLIC_URL is empty, so signatures are checked "
                               "against the URL this server sees (wrong behind a proxy).")
        else:
            logger.info("WhatsApp channel off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                        "TWILIO_WHATSAPP_NUMBER to switch it on.")

    @property
    def enabled(self) -> bool:
        return self._enabled

    def get_output_channel(self) -> WhatsAppOutput:
        return WhatsAppOutput(self.client, self.choices)

    def signed_url(self, request: Request) -> str:
        """The URL Twilio called: PUBLIC_URL + path (+ query) when set, else what we see."""
        if not self.public_url:
            return request.url
        query = request.query_string
        return self.public_url + request.path + (f"?{query}" if query else "")

    # -- the webhook (its course: channels/webhook_base.py) ---------------------------------
    def authentic(self, request: Request) -> bool:
        signature = request.headers.get("X-Twilio-Signature")
        return valid_signature(self.auth_token, self.signed_url(request), form_params(request),
                               signature)

    def forbidden(self) -> HTTPResponse:
        return response.text("forbidden", status=403)

    async def handle(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        form = {k: v[0] for k, v in form_params(request).items() if v}
        if "MessageStatus" in form and "Body" not in form:  # a delivery status callback
            return twiml()
        sender = form.get("From", "").strip()
        if not sender:
            return response.text("missing From", status=400)
        if not await self.first_delivery(form.get("MessageSid") or form.get("SmsMessageSid")):
            return twiml()  # a retry
        output = self.get_output_channel()
        body = form.get("Body", "")
        if not body.strip() and form.get("NumMedia", "0") not in ("", "0"):
            await self.reply_text_only(output, sender)
            return twiml()
        text = await self.choices.resolve(sender, body)
        await self.pass_on(on_new_message, text, output, sender)
        return twiml()
