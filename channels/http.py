"""The HTTP client the Telegram and WhatsApp channels call their provider's API with.

One aiohttp session per client, made lazily in the event loop that first uses it (a session
made in another loop, such as a throwaway one at start-up, fails with "Event loop is closed"),
remade when that loop changed or the session was closed, and closed at server shutdown.
Every call has the same total timeout (DEFAULT_TIMEOUT seconds), and is sent at most twice:
the second time only when the subclass's `retry_delay` says the first answer asks for it.

Each channel subclasses `APIClient` and `APIError` (TelegramClient / TelegramError,
TwilioClient / TwilioError) with its provider's URLs, retry rule and error messages.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

DEFAULT_TIMEOUT = 20.0  # seconds, for the whole call


class APIError(Exception):
    """A provider API call failed (network, timeout, or an error answer)."""


class APIClient:
    """A provider's API over one aiohttp session, created in the loop that first uses it."""

    error: type[APIError] = APIError

    def __init__(self, api_base_url: str, timeout: float = DEFAULT_TIMEOUT,
                 auth: aiohttp.BasicAuth | None = None) -> None:
        self.api_base_url = api_base_url.rstrip("/")
        self.timeout = timeout
        self._auth = auth
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        s = self._session
        if s is None or s.closed or getattr(s, "_loop", loop) is not loop:
            options: dict[str, Any] = {"timeout": aiohttp.ClientTimeout(total=self.timeout)}
            if self._auth is not None:
                options["auth"] = self._auth
            s = self._session = aiohttp.ClientSession(**options)
        return s

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def retry_delay(self, status: int, body: Any) -> float | None:
        """Seconds to wait before sending a call again after this answer, or None to keep it.
        Asked after every attempt; heeded after the first only."""
        return None

    async def post(self, url: str, failed: str = "", *, json: Any = None,
                   data: Any = None) -> tuple[int, Any]:
        """POST `json` or form `data` to `url`: (HTTP status, the answer's JSON or None).

        A network error or a timeout raises `self.error` with `failed` before the exception's
        type name (never the URL, which may hold a token); an answer `retry_delay` asks to
        retry is retried once, after that many seconds.
        """
        for attempt in (1, 2):
            try:
                async with self._get_session().post(url, json=json, data=data) as r:
                    status = r.status
                    try:
                        body = await r.json(content_type=None)
                    except ValueError:
                        body = None
            except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                raise self.error(failed + type(e).__name__) from None
            delay = self.retry_delay(status, body)
            if delay is None or attempt == 2:
                break
            await asyncio.sleep(delay)
        return status, body
