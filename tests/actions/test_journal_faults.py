"""The journal's PostgreSQL hung or down, at the action server (issue 16).

The journal (JOURNAL_DB_URL) is a fresh PostgreSQL database reached through a TcpProxy
(tests/deploy/topology.py) that the test hangs (connections accepted and kept open, nothing
answered) or cuts (refused, open ones closed), as tests/components/test_tracker_store.py does
for the tracker store. The action runs as the action server runs it (rasa-sdk's
`ActionExecutor`, from the action call Rasa sends), inside the Rasa server's `GuardedAction`
(components/server_patches.py): an action that fails there is the action server's 500, which
Rasa's `RemoteAction` raises (tests/components/test_server_patches.py covers that hop).

a. Hung: the caregiver gets "I'm sorry, I can't do that just now. Please try again in a minute."
   after the journal's timeout (2 s here, 10 s in production), for a pooled connection that
   stopped answering and for a new one alike, while the action server's event loop keeps
   serving others; once the database answers again, the same request gets its answer.
   Before issue 16 the action sat on the loop, and on a pooled connection for ever.
b. Down: the kind reply at once; back: answered.
c. A new connection to a database that never answers gives up after libpq's connect_timeout
   (bot/storage/engine.py), so the journal thread stuck on it is freed; before, it waited for
   ever.

Needs TEST_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:5432/test); about 15 s.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, FollowupAction, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk.executor import ActionExecutor
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from actions.common import journal as journal_module
from actions.common.journal import journal
from actions.journal import ActionJournalSummary
from bot.storage.engine import POSTGRES_CONNECT_ARGS
from components.server_patches import FAILURE_TEXT, GuardedAction
from tests.deploy.topology import TcpProxy

pytestmark = pytest.mark.postgres

KIND = [BotUttered(text=FAILURE_TEXT), FollowupAction(ACTION_LISTEN_NAME)]
EMPTY = "There's nothing in your journal yet."
DEADLINE = 2.0  # the journal's timeout in these tests
CONNECT_TIMEOUT = POSTGRES_CONNECT_ARGS["connect_timeout"]
SAFETY = 30.0  # seconds: the proxy is restored then whatever happens, so no test hangs


@pytest.fixture
def proxy(monkeypatch) -> Iterator[TcpProxy]:
    """A fresh PostgreSQL database as the journal, behind a TcpProxy."""
    url = os.environ.get("TEST_POSTGRES_URL", "").strip()
    if not url:
        pytest.skip("TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    base = make_url(url)
    name = f"ghjournal_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    proxy = TcpProxy(base.host or "127.0.0.1", base.port or 5432).start()
    safety = threading.Timer(SAFETY, proxy.restore)
    safety.start()
    monkeypatch.setenv("JOURNAL_DB_URL", base.set(host="127.0.0.1", port=proxy.port,
                                                  database=name).render_as_string(False))
    monkeypatch.setattr(journal_module, "TIMEOUT", DEADLINE)
    try:
        yield proxy
    finally:
        safety.cancel()
        proxy.stop()  # a call still stuck on a hung connection fails now
        journal().close()
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class InProcessActionServer:
    """The action server as Rasa's `RemoteAction` reaches it, minus the HTTP hop: rasa-sdk's
    `ActionExecutor` runs the action from the action call Rasa would post; its responses come
    back as the bot's messages. An exception is what the action server answers with a 500."""

    def __init__(self, action: Any) -> None:
        self._name = action().name()
        self.executor = ActionExecutor()
        self.executor.register_action(action)

    def name(self) -> str:
        return self._name

    async def run(self, output_channel: Any, nlg: Any, tracker: DialogueStateTracker,
                  domain: Domain) -> list[Any]:
        call = {"next_action": self._name, "sender_id": tracker.sender_id,
                "tracker": tracker.current_state(EventVerbosity.ALL), "domain": {}}
        result = await self.executor.run(call)
        assert result is not None
        return [BotUttered(text=m.get("text")) for m in result["responses"]]


def how_is_it_going() -> DialogueStateTracker:
    return DialogueStateTracker.from_events("fault-caregiver", [UserUttered(
        "how has it been going?", intent={"name": "journal_summary", "confidence": 1.0})])


async def ask(server: GuardedAction) -> tuple[list[Any], float]:
    started = time.monotonic()
    events = await server.run(CollectingOutputChannel(), None, how_is_it_going(), Domain.empty())
    return events, time.monotonic() - started


async def test_a_hung_journal_gets_the_kind_reply_in_time_and_the_loop_runs_on(proxy):
    server = GuardedAction(InProcessActionServer(ActionJournalSummary))
    events, _ = await ask(server)  # the schema made, a connection in the pool
    assert events[0].text.startswith(EMPTY)

    ticks = 0

    async def ticker() -> None:  # other conversations' actions on the same event loop
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    proxy.hang()
    beat = asyncio.create_task(ticker())
    try:
        pooled, on_pooled = await ask(server)  # the pooled connection's ping never returns
        fresh, on_fresh = await ask(server)  # a new connection: accepted, never answered
    finally:
        beat.cancel()
    assert pooled == KIND and fresh == KIND
    for elapsed in (on_pooled, on_fresh):
        assert DEADLINE - 0.1 < elapsed < DEADLINE + 2, elapsed
    assert ticks >= 40, ticks  # the loop kept running while the journal hung (~80 expected)

    proxy.restore()  # the database answers again (the hung connections are closed)
    events, elapsed = await ask(server)
    assert events[0].text.startswith(EMPTY), events
    assert elapsed < DEADLINE


async def test_a_journal_that_is_down_gets_the_kind_reply_at_once_then_answers(proxy):
    server = GuardedAction(InProcessActionServer(ActionJournalSummary))
    events, _ = await ask(server)
    assert events[0].text.startswith(EMPTY)
    proxy.cut()
    events, elapsed = await ask(server)
    assert events == KIND and elapsed < DEADLINE
    proxy.restore()
    events, _ = await ask(server)
    assert events[0].text.startswith(EMPTY)


async def test_a_new_connection_to_a_hung_journal_gives_up_after_the_connect_timeout(proxy):
    handle = journal()
    assert await asyncio.to_thread(handle.schema_version) >= 1  # the schema is there
    handle.engine.dispose()  # no connection in the pool: the next call opens one
    proxy.hang()
    started = time.monotonic()
    with pytest.raises(OperationalError, match="timeout"):
        # straight to the journal, without in_journal's deadline: only libpq's timeout ends it
        await asyncio.wait_for(asyncio.to_thread(handle.schema_version), SAFETY / 2)
    assert time.monotonic() - started < CONNECT_TIMEOUT + 2
    proxy.restore()
    assert await asyncio.to_thread(handle.schema_version) >= 1
