"""End-to-end fixtures: the real servers, started the way `make run` starts them.

`scripts/run.sh` is launched on free ports with throwaway SQLite databases, and the tests talk
to it over HTTP (the REST channel and the token-protected HTTP API).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.channels.fakes import channel_test_env

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "gentle-hands.tar.gz"
START_TIMEOUT = 240
CHANNEL_PREFIXES = ("rest:", "web:", "telegram:", "whatsapp:")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class BotServer:
    url: str
    token: str
    env: dict[str, str]
    log_dir: Path
    process: subprocess.Popen | None = None
    hospice_phone: str = "0800 555 0100"
    emergency_number: str = "999"
    started: list[float] = field(default_factory=list)
    # Ports reserved for the channel tests (tests/channels, tests/e2e/test_widget.py): fake
    # Telegram and Twilio APIs the server is pointed at, and a page on another origin ("embed",
    # the only origin in ALLOWED_ORIGINS) that embeds the widget.
    side_ports: dict[str, int] = field(default_factory=dict)

    def start(self) -> None:
        with open(self.log_dir / "run.out", "ab") as out:
            self.process = subprocess.Popen(
                ["bash", str(ROOT / "scripts" / "run.sh")],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"run.sh exited early:\n{self.logs()}")
            try:
                if requests.get(self.url + "/", timeout=1).ok and self._actions_ready():
                    self.started.append(time.time())
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the bot did not start in {START_TIMEOUT}s:\n{self.logs()}")

    def _actions_ready(self) -> bool:
        try:
            port = self.env["ACTION_PORT"]
            return requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def logs(self) -> str:
        out = []
        for name in ("run.out", "rasa.log", "actions.log"):
            p = self.log_dir / name
            if p.exists():
                out.append(f"--- {name}\n" + p.read_text(errors="replace")[-3000:])
        return "\n".join(out)

    # -- talking to it -------------------------------------------------------------------------
    def say(self, sender: str, message: str, metadata: dict | None = None) -> list[dict[str, Any]]:
        payload: dict[str, Any] = {"sender": sender, "message": message}
        if metadata:
            payload["metadata"] = metadata
        r = requests.post(self.url + "/webhooks/rest/webhook", json=payload, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()

    def text(self, sender: str, message: str) -> str:
        return "\n".join(m.get("text") or "" for m in self.say(sender, message))

    def parse(self, text: str) -> dict[str, Any]:
        r = requests.post(
            self.url + "/model/parse", params={"token": self.token}, json={"text": text}, timeout=30
        )
        assert r.status_code == 200, r.text
        return r.json()

    def tracker(self, sender: str) -> dict[str, Any]:
        """The stored conversation; a bare sender is a REST one (channels/rest.py names it
        "rest:<sender>"), others carry their channel's prefix already."""
        if not sender.startswith(CHANNEL_PREFIXES):
            sender = "rest:" + sender
        r = requests.get(
            f"{self.url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=30
        )
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServer]:
    if not MODEL.exists():
        pytest.fail("No trained model: run `make train` (make test does it) before e2e tests.")
    tmp = tmp_path_factory.mktemp("bot")
    rasa_port, action_port = free_port(), free_port()
    token = uuid.uuid4().hex
    env = dict(os.environ)
    env.update(
        RASA_PORT=str(rasa_port),
        ACTION_PORT=str(action_port),
        RASA_AUTH_TOKEN=token,
        TRACKER_DB_URL=f"sqlite:///{tmp}/tracker.db",
        JOURNAL_DB_URL=f"sqlite:///{tmp}/journal.db",
        LOG_DIR=str(tmp),
        HOSPICE_PHONE="0800 555 0100",
        EMERGENCY_NUMBER="999",
    )
    side_ports = {"telegram": free_port(), "twilio": free_port(), "embed": free_port()}
    env.update(channel_test_env(side_ports))
    server = BotServer(url=f"http://127.0.0.1:{rasa_port}", token=token, env=env, log_dir=tmp,
                       side_ports=side_ports)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sender() -> str:
    return "e2e-" + uuid.uuid4().hex[:12]
