"""Local fakes of the Telegram Bot API and Twilio's Messages API, for offline channel tests.

Each fake is an aiohttp server on 127.0.0.1, run in a thread of its own (so synchronous tests
driving the real Rasa server can use it as well as async unit tests), recording every call.
`channel_test_env` gives the environment that points a Rasa server at them.
"""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TELEGRAM_TOKEN = "123456:TEST-token-for-the-fake"
TELEGRAM_SECRET = "fake-webhook-secret_42"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "fake-twilio-auth-token"
TWILIO_NUMBER = "whatsapp:+14155238886"
PUBLIC_URL = "https://gentle-hands.test"


def channel_test_env(ports: dict[str, int]) -> dict[str, str]:
    """Environment for a Rasa server started by tests (tests/e2e/conftest.py's `bot`).

    Telegram and WhatsApp talk to the fakes on ports["telegram"] / ports["twilio"]. PUBLIC_URL
    differs from the address the tests use, as behind a proxy: Twilio signatures must be
    computed over the public URL. The only other origin allowed to open the widget's socket is
    http://127.0.0.1:<ports["embed"]> (the server's own /chat pages are always allowed).
    """
    return {
        "ALLOWED_ORIGINS": f"http://127.0.0.1:{ports['embed']}",
        "HOSPICE_NAME": "",
        "PUBLIC_URL": PUBLIC_URL,
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{ports['telegram']}",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_WHATSAPP_NUMBER": TWILIO_NUMBER,
        "TWILIO_API_URL": f"http://127.0.0.1:{ports['twilio']}",
    }


@dataclass
class Call:
    method: str
    data: dict[str, Any]
    at: float = field(default_factory=time.time)


class FakeAPI:
    """An aiohttp app in a background thread; subclasses add routes and record `calls`."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def record(self, method: str, data: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(Call(method, data))

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 30) -> list[Call]:
        """Wait until `predicate(calls)` holds; returns the calls (fails the test on timeout)."""
        deadline = time.time() + timeout
        while True:
            with self._lock:
                calls = list(self.calls)
            if predicate(calls):
                return calls
            if time.time() > deadline:
                raise AssertionError(f"the fake API did not see the expected calls: {calls}")
            time.sleep(0.05)

    async def await_for(self, predicate: Callable[[list[Call]], bool],
                        timeout: float = 10) -> list[Call]:
        deadline = time.time() + timeout
        while True:
            with self._lock:
                calls = list(self.calls)
            if predicate(calls):
                return calls
            if time.time() > deadline:
                raise AssertionError(f"the fake API did not see the expected calls: {calls}")
            await asyncio.sleep(0.02)

    # -- running in a thread -------------------------------------------------------------------
    def start(self) -> FakeAPI:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            self.routes(app)
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
            try:
                loop.run_until_complete(runner.setup())
                site = web.TCPSite(runner, "127.0.0.1", self.port)
                loop.run_until_complete(site.start())
                self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            except BaseException as e:  # noqa: BLE001 - reported to the starting thread
                errors.append(e)
                ready.set()
                return
            self._runner = runner
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name=type(self).__name__, daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        if self._loop and self._thread:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


class FakeTelegram(FakeAPI):
    """Bot API: POST /bot<token>/<method> with JSON; answers like Telegram does."""

    def __init__(self, port: int = 0, token: str = TELEGRAM_TOKEN) -> None:
        super().__init__(port)
        self.token = token
        self.message_id = 1000
        self.webhook: dict[str, Any] = {}

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        try:
            data = await request.json()
        except ValueError:
            data = {}
        self.record(method, data)
        result: Any = True
        if method in ("sendMessage", "editMessageText"):
            self.message_id += 1
            result = {"message_id": data.get("message_id", self.message_id),
                      "chat": {"id": data.get("chat_id"), "type": "private"},
                      "text": data.get("text", ""), "date": int(time.time())}
        elif method == "setWebhook":
            self.webhook = data
        elif method == "getWebhookInfo":
            result = {"url": self.webhook.get("url", ""), "pending_update_count": 0}
        return web.json_response({"ok": True, "result": result})

    def sent(self) -> list[dict[str, Any]]:
        return [c.data for c in self.calls_to("sendMessage")]


class FakeTwilio(FakeAPI):
    """Messages API: POST /2010-04-01/Accounts/<sid>/Messages.json, form data, basic auth."""

    def __init__(self, port: int = 0, sid: str = TWILIO_SID, token: str = TWILIO_TOKEN) -> None:
        super().__init__(port)
        self.sid = sid
        self.token = token
        self.count = 0

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        expected = "Basic " + base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        if request.match_info["sid"] != self.sid or request.headers.get("Authorization") \
                != expected:
            return web.json_response(
                {"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        form = dict(await request.post())
        self.record("Messages", {k: str(v) for k, v in form.items()})
        self.count += 1
        return web.json_response(
            {"sid": f"SM{self.count:032d}", "status": "queued", "to": form.get("To"),
             "from": form.get("From"), "body": form.get("Body")}, status=201)

    def bodies(self) -> list[str]:
        return [c.data.get("Body", "") for c in self.calls_to("Messages")]
