"""Speed and memory of Gentle Hands beside a vanilla `rasa init` bot, on this machine.

    .venv/bin/python bench/speed.py [--seconds 20] [--skip-training]

Both bots run the same way: `rasa run` on a free port with a SQL tracker store (SQLite in a
temporary folder), one TensorFlow thread each (as scripts/run.sh serves), Gentle Hands with its
action server beside it. Measured, each for both bots, in one run:

- per-turn latency, p50 and p95, for a response turn (Gentle Hands: an FAQ answer; vanilla:
  "hello") and an action turn (Gentle Hands: the relief estimate; vanilla has no custom action);
- throughput and p95 with 20 and 50 concurrent users, each running a scripted conversation;
- the latency of turn 50 against turn 1 in one long conversation;
- start-up time (process start to the first answered message) and peak memory (VmHWM) of each
  process;
- full training time in a clean folder, and retraining after a response-only change
  (--skip-training leaves these out; together they take about 12 minutes on 2 cores).

Writes its section of bench/RESULTS.md (between the speed markers) and prints it. Not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VENV = ROOT / ".venv" / "bin"

from bench.results import write_section  # noqa: E402

BEGIN, END = "<!-- speed:begin -->", "<!-- speed:end -->"
# Rasa fails on an unset ${VAR} in credentials.yml: every one it names is set (empty).
CREDENTIAL_VARS = sorted(set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}",
                                        (ROOT / "credentials.yml").read_text())))

# One caregiver's scripted conversation (FAQ, source, estimate, the start of a routine).
GH_SCRIPT = [
    "hi", "how often should I massage her?", "where is that from?",
    "estimate relief for pain 6 and anxiety 8", '/start_routine{"routine": "hand"}',
    "yes", "no", "no", "no", "no", "no", "no", '/choose_variant{"variant": "standard"}',
    "next", "next", "again", "next", "stop", "thanks",
]
VANILLA_SCRIPT = ["hello", "I am sad", "yes", "great", "are you a bot?", "bye"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


@dataclass
class Server:
    name: str
    cwd: Path
    model: Path
    workdir: Path
    with_actions: bool
    port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    startup_s: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({v: env.get(v, "") for v in CREDENTIAL_VARS})
        env.update(
            RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2",
            TF_INTRA_OP_PARALLELISM_THREADS="1", TF_INTER_OP_PARALLELISM_THREADS="1",
            SQLALCHEMY_SILENCE_UBER_WARNING="1", ALLOWED_ORIGINS="*",
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.action_port}/webhook",
            TRACKER_DB_URL=f"sqlite:///{self.workdir}/tracker.db",
            JOURNAL_DB_URL=f"sqlite:///{self.workdir}/journal.db",
        )
        return env

    def start(self) -> None:
        env = self.env()
        began = time.time()
        if self.with_actions:
            self.procs["actions"] = self._spawn(
                [str(VENV / "rasa"), "run", "actions", "--actions", "actions",
                 "--port", str(self.action_port)], env, "actions")
            endpoints = self.cwd / "endpoints.yml"
        else:
            endpoints = self.workdir / "endpoints.yml"
            endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n"
                                 f"  db: {self.workdir}/tracker.db\n")
        cmd = [str(VENV / "rasa"), "run", "--model", str(self.model), "--port", str(self.port),
               "--endpoints", str(endpoints)]
        if self.with_actions:
            cmd += ["--credentials", str(self.cwd / "credentials.yml")]
        self.procs["rasa"] = self._spawn(cmd, env, "rasa")
        deadline = began + 300
        while time.time() < deadline:
            if any(p.poll() is not None for p in self.procs.values()):
                raise RuntimeError(f"{self.name} stopped while starting; see {self.workdir}")
            try:
                if self.say("startup-" + uuid.uuid4().hex[:6], "hello")[1] == 200:
                    self.startup_s = time.time() - began
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start; see {self.workdir}")

    def _spawn(self, cmd: list[str], env: dict[str, str], log: str) -> subprocess.Popen:
        out = open(self.workdir / f"{log}.log", "wb")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(cmd, cwd=self.cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def say(self, sender: str, text: str) -> tuple[float, int]:
        began = time.perf_counter()
        r = requests.post(self.url + "/webhooks/rest/webhook",
                          json={"sender": sender, "message": text}, timeout=60)
        return time.perf_counter() - began, r.status_code

    def peak_memory_mb(self) -> dict[str, float]:
        out = {}
        for name, proc in self.procs.items():
            try:
                status = Path(f"/proc/{proc.pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    out[name] = round(int(line.split()[1]) / 1024)
        return out

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def single_turns(server: Server, prepare: list[str], text: str, n: int) -> list[float]:
    """Latency of `text` said n times, each in a fresh conversation after `prepare`."""
    times = []
    for _ in range(n):
        sender = "lat-" + uuid.uuid4().hex[:10]
        for p in prepare:
            server.say(sender, p)
        elapsed, status = server.say(sender, text)
        assert status == 200, status
        times.append(elapsed)
    return times


def load(server: Server, script: list[str], users: int, seconds: float) -> dict[str, float]:
    stop_at = time.time() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def user(_: int) -> None:
        while time.time() < stop_at:
            sender = "load-" + uuid.uuid4().hex[:10]
            for text in script:
                if time.time() >= stop_at:
                    return
                try:
                    elapsed, status = server.say(sender, text)
                except requests.RequestException:
                    elapsed, status = 0.0, 0
                with lock:
                    if status == 200:
                        latencies.append(elapsed)
                    else:
                        errors[0] += 1

    began = time.time()
    with ThreadPoolExecutor(users) as pool:
        list(pool.map(user, range(users)))
    wall = time.time() - began
    return {"msgs_per_s": len(latencies) / wall, "p50_ms": 1000 * pct(latencies, 0.5),
            "p95_ms": 1000 * pct(latencies, 0.95), "errors": errors[0],
            "messages": len(latencies)}


def long_conversation(server: Server, script: list[str], turns: int = 50) -> tuple[float, float]:
    """Median latency of turns 1-5 and of turns 46-50 in one conversation, over 3 runs."""
    first, last = [], []
    for _ in range(3):
        sender = "long-" + uuid.uuid4().hex[:10]
        for i in range(turns):
            elapsed, _status = server.say(sender, script[i % len(script)])
            if i < 5:
                first.append(elapsed)
            elif i >= turns - 5:
                last.append(elapsed)
    return 1000 * statistics.median(first), 1000 * statistics.median(last)


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    began = time.time()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.time() - began


def training_times(vanilla_dir: Path) -> dict[str, dict[str, float]]:
    """Full training in a clean copy, then retraining after a response-only change."""
    out: dict[str, dict[str, float]] = {}
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "gh"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
            ".venv", ".git", "models", "var", "results", ".rasa", "node_modules", "build"))
        subprocess.run([str(VENV / "python"), "-m", "bot.nlp", "--update-config"], cwd=copy,
                       env=env, check=True, stdout=subprocess.DEVNULL)
        train = [str(VENV / "rasa"), "train", "--out", "models", "--quiet"]
        full = timed(train, copy, env)
        domain = copy / "domain.yml"
        domain.write_text(domain.read_text().replace(
            "Take care of yourself too.", "Please take care of yourself too.", 1))
        out["Gentle Hands"] = {"full_s": full, "response_change_s": timed(train, copy, env)}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "vanilla"
        shutil.copytree(vanilla_dir, copy, ignore=shutil.ignore_patterns("models", ".rasa"))
        train = [str(VENV / "rasa"), "train", "--out", "models", "--quiet"]
        full = timed(train, copy, env)
        domain = copy / "domain.yml"
        domain.write_text(domain.read_text().replace("Hey! How are you?", "Hi! How are you?", 1))
        out["vanilla"] = {"full_s": full, "response_change_s": timed(train, copy, env)}
    return out


def make_vanilla(where: Path) -> Path:
    where.mkdir(parents=True)  # rasa init wants the folder to exist
    subprocess.run([str(VENV / "rasa"), "init", "--no-prompt", "--init-dir", str(where)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"))
    return next((where / "models").glob("*.tar.gz"))


def measure(server: Server, script: list[str], response: tuple[list[str], str],
            action: tuple[list[str], str] | None, seconds: float,
            log: Callable[[str], None]) -> dict[str, object]:
    res: dict[str, object] = {"startup_s": server.startup_s}
    log(f"{server.name}: single-user turns")
    res["response"] = single_turns(server, response[0], response[1], 60)
    res["action"] = single_turns(server, action[0], action[1], 60) if action else None
    for users in (20, 50):
        log(f"{server.name}: {users} concurrent users for {seconds:.0f} s")
        res[f"load{users}"] = load(server, script, users, seconds)
    log(f"{server.name}: one long conversation")
    res["long"] = long_conversation(server, script)
    res["memory"] = server.peak_memory_mb()
    return res


def ms(values: list[float] | None, q: float) -> str:
    return f"{1000 * pct(values, q):.0f}" if values else "n/a"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "n/a"


def report(gh: dict, va: dict, train: dict | None, seconds: float) -> str:
    rows = []

    def row(what: str, g: float | None, v: float | None, unit: str, target: str) -> None:
        gs = "n/a" if g is None else f"{g:.0f}{unit}" if g >= 10 else f"{g:.1f}{unit}"
        vs = "n/a" if v is None else f"{v:.0f}{unit}" if v >= 10 else f"{v:.1f}{unit}"
        rows.append(f"| {what} | {gs} | {vs} | {ratio(g, v)} | {target} |")

    def p(values: list[float] | None, q: float) -> float | None:
        return 1000 * pct(values, q) if values else None

    row("response turn p50 (FAQ / hello)", p(gh["response"], .5), p(va["response"], .5), " ms",
        "FAQ <= 20 ms")
    row("response turn p95", p(gh["response"], .95), p(va["response"], .95), " ms", "")
    row("action turn p50 (estimate)", p(gh["action"], .5), None, " ms", "<= 40 ms")
    row("action turn p95", p(gh["action"], .95), None, " ms", "")
    for users in (20, 50):
        g, v = gh[f"load{users}"], va[f"load{users}"]
        row(f"{users} users: messages/s", g["msgs_per_s"], v["msgs_per_s"], "",
            ">= 60/s" if users == 20 else "")
        row(f"{users} users: p95", g["p95_ms"], v["p95_ms"], " ms",
            "<= 400 ms" if users == 20 else "")
        row(f"{users} users: failed requests", g["errors"], v["errors"], "", "0")
    row("turn 1-5 median, long conversation", gh["long"][0], va["long"][0], " ms", "")
    row("turn 46-50 median", gh["long"][1], va["long"][1], " ms", "")
    row("turn 50 / turn 1", gh["long"][1] / gh["long"][0], va["long"][1] / va["long"][0], "",
        "<= 1.2")
    row("start-up to first answer", gh["startup_s"], va["startup_s"], " s", "<= 20 s")
    row("peak memory, Rasa server", gh["memory"].get("rasa"), va["memory"].get("rasa"), " MB",
        "")
    row("peak memory, action server", gh["memory"].get("actions"), None, " MB", "")
    if train:
        row("full training", train["Gentle Hands"]["full_s"], train["vanilla"]["full_s"], " s",
            "")
        row("retraining after a response change", train["Gentle Hands"]["response_change_s"],
            train["vanilla"]["response_change_s"], " s", "")
    head = [
        "## Speed and memory beside a vanilla `rasa init` bot",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on this machine ({os.cpu_count()} cores), "
        f"`bench/speed.py` (load levels {seconds:.0f} s each). Both bots: `rasa run`, SQL "
        "tracker store on SQLite, one TensorFlow thread; Gentle Hands with its action server. "
        "Ratio = Gentle Hands / vanilla.",
        "",
        "| measure | Gentle Hands | vanilla | ratio | target |",
        "|---|---|---|---|---|",
    ]
    return "\n".join(head + rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each load level")
    ap.add_argument("--skip-training", action="store_true")
    args = ap.parse_args()
    model = ROOT / "models" / "gentle-hands.tar.gz"
    if not model.exists():
        sys.exit("No trained model: run `make train` first.")

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        log("creating and training the vanilla bot (rasa init)")
        vanilla_dir = tmp_path / "vanilla"
        vanilla_model = make_vanilla(vanilla_dir)
        results = {}
        for name, cwd, mdl, actions, script, response, action in (
            ("Gentle Hands", ROOT, model, True, GH_SCRIPT,
             ([], "how long should a massage session last?"),
             ([], "estimate relief for pain 6 and anxiety 8")),
            ("vanilla", vanilla_dir, vanilla_model, False, VANILLA_SCRIPT, ([], "hello"), None),
        ):
            work = tmp_path / ("run-" + name.replace(" ", "_"))
            work.mkdir()
            server = Server(name, cwd, mdl, work, actions)
            log(f"starting {name}")
            server.start()
            try:
                results[name] = measure(server, script, response, action, args.seconds, log)
            finally:
                server.stop()
        train = None
        if not args.skip_training:
            log("training times (full, then after a response-only change), both bots")
            train = training_times(vanilla_dir)
    text = report(results["Gentle Hands"], results["vanilla"], train, args.seconds)
    write_section(BEGIN, END, text)
    print(text)


if __name__ == "__main__":
    main()
