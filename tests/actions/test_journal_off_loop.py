"""Journal calls run off the action server's event loop, with a deadline (issue 16).

Every action that reads or writes the journal goes through actions/common/journal.py's
`in_journal`: while one caregiver's call waits on the database, the loop goes on serving the
others; a call that never ends fails the action after the journal's timeout (the Rasa server
then gives the kind "try again in a minute", components/server_patches.py). A stuck database is
played by a `Journal` method that waits on a threading.Event (a SQLite journal underneath);
tests/actions/test_journal_faults.py plays it with a real PostgreSQL behind a hung proxy.
"""

from __future__ import annotations

import ast
import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action

from actions.common import journal as journal_module
from actions.common.journal import JournalUnavailable
from actions.journal import (
    ActionDeleteData,
    ActionJournalExport,
    ActionJournalShow,
    ActionJournalSummary,
)
from actions.routine import ActionLogSession, ActionStartRoutine
from actions.screen import ActionScreenVerdict
from bot.storage import Journal
from tests.actions.conftest import make_tracker, texts

ROOT = Path(__file__).resolve().parents[2]
STALL = 3.0  # seconds a stuck journal call waits at most: the test never hangs, whatever breaks
TICK = 0.05


@pytest.fixture(autouse=True)
def journal_db(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNAL_DB_URL", f"sqlite:///{tmp_path}/journal.db")


class Stall:
    """A `Journal` method that, in whatever thread calls it, waits until released (at most
    STALL seconds), then does its work."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.entered = threading.Event()
        self.release = threading.Event()

    def on(self, method: str) -> None:
        real = getattr(Journal, method)

        def stuck(journal: Journal, *args: Any, **kwargs: Any) -> Any:
            self.entered.set()
            self.release.wait(STALL)
            return real(journal, *args, **kwargs)

        self.monkeypatch.setattr(Journal, method, stuck)


@pytest.fixture
def stall(monkeypatch) -> Iterator[Stall]:
    s = Stall(monkeypatch)
    yield s
    s.release.set()  # a call left waiting ends now, not STALL seconds later


async def ticking(work: Callable[[], Any]) -> tuple[Any, int]:
    """Run `work()` (a coroutine) while another coroutine, standing for the other
    conversations on the same loop, ticks every TICK s: (its result, the ticks)."""
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(TICK)
            ticks += 1

    beat = asyncio.create_task(ticker())
    try:
        return await work(), ticks
    finally:
        beat.cancel()


# (the Journal method the action calls, the action, the message that runs it)
CASES = [
    ("summary", ActionJournalSummary, dict(text="how is it going", intent="journal_summary")),
    ("recent_sessions", ActionJournalShow, dict(text="show my log", intent="journal_show")),
    ("export_text", ActionJournalExport, dict(text="export", intent="journal_export")),
    ("delete_caregiver", ActionDeleteData, dict(text="yes", intent="affirm")),
    ("log_session", ActionLogSession,
     dict(text="fell asleep", slots={"routine_state": {"routine_id": "hand"},
                                     "checkin_before": 4, "checkin_after": 7})),
    ("save_screen", ActionScreenVerdict, dict(text="no", intent="deny")),
    ("latest_screen", ActionStartRoutine,
     dict(text="hand massage", intent="start_routine",
          entities=[{"entity": "routine", "value": "hand"}])),
]


@pytest.mark.parametrize(("method", "action", "message"), CASES,
                         ids=[c[0] for c in CASES])
async def test_other_conversations_are_served_while_the_journal_waits(
        stall, dispatcher, method: str, action: type[Action], message: dict[str, Any]):
    stall.on(method)
    tracker = make_tracker(**message)
    run = None

    async def scenario() -> bool:
        nonlocal run
        run = asyncio.create_task(action().run(dispatcher, tracker, {}))
        await asyncio.sleep(0.5)  # on the loop, the action would hold it for STALL seconds
        waiting = stall.entered.is_set() and not run.done()
        stall.release.set()
        await run
        return waiting

    started = time.monotonic()
    waiting, ticks = await ticking(scenario)
    assert waiting, "the action should still be waiting on the journal, in another thread"
    assert ticks >= 5, f"the loop stood still while the journal was busy ({ticks} ticks)"
    assert time.monotonic() - started < STALL
    assert texts(dispatcher), "the action still answers once the journal does"


async def test_a_journal_that_never_answers_fails_the_action_after_the_timeout(
        stall, dispatcher, monkeypatch):
    monkeypatch.setattr(journal_module, "TIMEOUT", 0.4)
    stall.on("summary")
    tracker = make_tracker("how has it been going?", "journal_summary")
    started = time.monotonic()
    with pytest.raises(JournalUnavailable, match="did not answer within 0.4 s"):
        await ActionJournalSummary().run(dispatcher, tracker, {})
    elapsed = time.monotonic() - started
    assert 0.35 < elapsed < 1.5, elapsed
    assert texts(dispatcher) == []  # nothing said: the Rasa server gives the kind reply
    stall.release.set()
    # the database answers again: the next call works (SQLite's one thread is free again)
    await ActionJournalSummary().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0].startswith("There's nothing in your journal yet")


def test_no_action_calls_the_journal_on_the_loop():
    """`journal()` (the blocking handle) is imported by no module of actions/ but its own:
    every action reaches the journal through `in_journal`."""
    own = ROOT / "actions" / "common" / "journal.py"
    offenders = []
    for path in sorted((ROOT / "actions").rglob("*.py")):
        if path == own:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "actions.common.journal":
                offenders += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names
                              if a.name not in ("in_journal", "JournalUnavailable")]
            elif isinstance(node, ast.Import):
                offenders += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names
                              if a.name == "actions.common.journal"]
            elif isinstance(node, ast.ImportFrom) and node.module == "bot.storage":
                offenders += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names
                              if a.name == "Journal"]
    assert offenders == []
