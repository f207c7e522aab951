"""Where one turn's time goes: a per-stage profile of Gentle Hands' Rasa server.

    .venv/bin/python bench/profile_turn.py [--runs 30] [--long 50]

Loads the trained model in this process exactly as `rasa run` serves it (the project's SQL
tracker store on SQLite, the in-memory lock store, one TensorFlow thread, the server patches),
with the action server started beside it, and times each stage of a turn by wrapping Rasa's
own methods (no sampling, so the numbers add up):

- tracker store: reading the conversation (`retrieve`) and writing it back (`save`);
- every node of the model's graph, as Rasa runs it (NLU components, the policies, the
  providers the policies need), and the graph runner's own overhead around them;
- running actions (`_run_action`: responses, and the HTTP call to the action server);
- the rest of `handle_message` (session checks, events, the lock store).

For an FAQ turn and an action turn (medians over --runs conversations), and for turns 1-5
and the last 5 of one long conversation (--long turns). Writes its section of
bench/RESULTS.md (between the profile markers) and prints it. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VENV = ROOT / ".venv" / "bin"

from bench.results import write_section  # noqa: E402

BEGIN, END = "<!-- profile:begin -->", "<!-- profile:end -->"
MODEL = ROOT / "models" / "gentle-hands.tar.gz"

FAQ = "how often should I massage her?"
ACTION = "estimate relief for pain 6 and anxiety 8"
LONG_TURNS = ["how often should I massage her?", "how long should a session be?",
              "how hard should I press?", "should I use lotion?", "thank you"]


class Stages:
    """Wall-clock time per stage of the current turn (one conversation at a time)."""

    def __init__(self) -> None:
        self.turn: dict[str, float] = defaultdict(float)
        self.turns: list[dict[str, float]] = []

    def add(self, stage: str, seconds: float) -> None:
        self.turn[stage] += seconds

    def close_turn(self) -> dict[str, float]:
        done, self.turn = dict(self.turn), defaultdict(float)
        self.turns.append(done)
        return done


STAGES = Stages()


def timed_async(stage: str | Callable[..., str], original: Any) -> Any:
    @functools.wraps(original)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            name = stage(*args, **kwargs) if callable(stage) else stage
            STAGES.add(name, time.perf_counter() - started)
    return wrapper


def timed_sync(stage: str | Callable[..., str], original: Any) -> Any:
    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            name = stage(*args, **kwargs) if callable(stage) else stage
            STAGES.add(name, time.perf_counter() - started)
    return wrapper


def instrument() -> None:
    """Wrap the stages (after the server patches, which wrap some of the same methods)."""
    from rasa.core.processor import MessageProcessor
    from rasa.engine.graph import GraphNode
    from rasa.engine.runner.dask import DaskGraphRunner

    from components.tracker_store import ForgettingSQLTrackerStore

    ForgettingSQLTrackerStore.retrieve = timed_async(
        "tracker store: read", ForgettingSQLTrackerStore.retrieve)
    ForgettingSQLTrackerStore.save = timed_async(
        "tracker store: write", ForgettingSQLTrackerStore.save)
    def action_stage(_processor: Any, *args: Any, **kwargs: Any) -> str:
        action = kwargs.get("action", args[0] if args else None)
        action = getattr(action, "_action", action)  # inside the server patches' guard
        remote = type(action).__name__ == "RemoteAction"
        if remote:
            return "action: custom, on the action server"
        return "action: Rasa's own (responses, forms)"

    MessageProcessor._run_action = timed_async(action_stage, MessageProcessor._run_action)
    GraphNode.__call__ = timed_sync(lambda node, *a, **k: f"graph node: {node._node_name}",
                                    GraphNode.__call__)
    DaskGraphRunner.run = timed_sync("graph runs (total)", DaskGraphRunner.run)


@contextmanager
def action_server(port: int, log: Path) -> Iterator[str]:
    env = dict(os.environ, SANIC_KEEP_ALIVE_TIMEOUT="75",
               JOURNAL_DB_URL=f"sqlite:///{log.parent}/journal.db")
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(VENV / "rasa"), "run", "actions", "--actions", "actions",
                                 "--port", str(port)], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                if requests.get(url + "/health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise RuntimeError(f"the action server did not start; see {log}")
        yield url + "/webhook"
    finally:
        proc.terminate()
        proc.wait(30)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def turn(agent: Any, sender: str, text: str) -> dict[str, float]:
    STAGES.close_turn()  # drop anything outside a turn
    started = time.perf_counter()
    await agent.handle_text(text, sender_id=sender)
    STAGES.add("total", time.perf_counter() - started)
    return STAGES.close_turn()


def derived(turn: dict[str, float]) -> dict[str, float]:
    """One turn's stages plus the graph runner's overhead and the rest of the turn."""
    out = dict(turn)
    nodes = sum(v for k, v in turn.items() if k.startswith("graph node"))
    out["graph runner overhead"] = out.pop("graph runs (total)", 0.0) - nodes
    counted = nodes + out["graph runner overhead"] + sum(
        v for k, v in out.items() if k.startswith(("tracker store", "action")))
    out["rest of the turn"] = out["total"] - counted
    return out


def summarise(turns: list[dict[str, float]]) -> dict[str, float]:
    """Median milliseconds per stage over the turns."""
    rows = [derived(t) for t in turns]
    keys = {k for r in rows for k in r}
    return {k: statistics.median(r.get(k, 0.0) for r in rows) * 1000 for k in keys}


def table(columns: dict[str, dict[str, float]]) -> list[str]:
    names = list(columns)
    stages = sorted({k for c in columns.values() for k in c} - {"total"},
                    key=lambda k: -max(c.get(k, 0.0) for c in columns.values()))
    rows = ["| stage | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for stage in ["total", *stages]:
        values = [columns[n].get(stage, 0.0) for n in names]
        if stage != "total" and max(values) < 0.5:
            continue
        cells = " | ".join(f"{v:.1f}" for v in values)
        label = f"**{stage}**" if stage == "total" else stage.replace("graph node: run_", "")
        rows.append(f"| {label} | {cells} |")
    return rows


async def profile(runs: int, long_turns: int, workdir: Path, actions_url: str
                  ) -> dict[str, dict[str, float]]:
    from rasa.core.agent import Agent
    from rasa.core.lock_store import InMemoryLockStore
    from rasa.utils.endpoints import EndpointConfig

    from components.tracker_store import ForgettingSQLTrackerStore

    instrument()
    store = ForgettingSQLTrackerStore(url=f"sqlite:///{workdir}/tracker.db")
    agent = Agent.load(str(MODEL), tracker_store=store, lock_store=InMemoryLockStore(),
                       action_endpoint=EndpointConfig(url=actions_url))
    for i in range(5):  # warm up every path (TensorFlow traces its functions on first use)
        who = f"warm-{i}"
        for text in ("hi", FAQ, ACTION):
            await turn(agent, who, text)

    faq, action = [], []
    for _ in range(runs):
        who = uuid.uuid4().hex
        await turn(agent, who, "hi")
        faq.append(await turn(agent, who, FAQ))
        action.append(await turn(agent, who, ACTION))
    who = uuid.uuid4().hex
    long = [await turn(agent, who, LONG_TURNS[i % len(LONG_TURNS)]) for i in range(long_turns)]
    return {"FAQ turn": summarise(faq), "action turn": summarise(action),
            "long: turns 1-5": summarise(long[:5]),
            f"long: turns {long_turns - 4}-{long_turns}": summarise(long[-5:])}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--long", type=int, default=50)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if not MODEL.exists():
        print("No trained model: run `make train` first.", file=sys.stderr)
        return 1
    os.environ.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
    os.environ.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    with tempfile.TemporaryDirectory(prefix="gh-profile-") as tmp:
        work = Path(tmp)
        with action_server(free_port(), work / "actions.log") as url:
            columns = asyncio.run(profile(args.runs, args.long, work, url))
    lines = ["## Where a turn's time goes (bench/profile_turn.py)", "",
             f"Measured {time.strftime('%Y-%m-%d')} on this machine: the model served in one "
             "process as `rasa run` serves it (SQL tracker store on SQLite, one TensorFlow "
             "thread), each stage timed by wrapping Rasa's own methods (graph nodes by their "
             "names in the model); median milliseconds "
             f"over {args.runs} conversations (FAQ and action turns) and over 5 turns of one "
             f"{args.long}-turn conversation.", "", *table(columns), ""]
    print("\n".join(lines))
    if not args.no_write:
        write_section(BEGIN, END, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
