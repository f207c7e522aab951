"""ForgettingSQLTrackerStore: the pool pings its connections, so a database restart is
invisible to the caregivers' next turns; a database that hangs costs a turn a clear error
after the timeout, never the server's event loop."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from components.tracker_store import (
    ForgettingSQLTrackerStore,
    TrackerStoreTimeout,
    engine_kwargs,
    store_timeout,
)
from tests.deploy.topology import TcpProxy


async def test_sqlite_round_trip_and_the_pool_pings(tmp_path):
    store = ForgettingSQLTrackerStore(url=f"sqlite:///{tmp_path}/tracker.db")
    assert store.engine.pool._pre_ping
    await store.save(DialogueStateTracker.from_events("c", [UserUttered("hi")]))
    tracker = await store.retrieve("c")
    assert tracker is not None and tracker.latest_message.text == "hi"


def test_the_timeout_comes_from_endpoints_or_the_environment(monkeypatch):
    monkeypatch.delenv("TRACKER_STORE_TIMEOUT", raising=False)
    assert store_timeout() == 10.0
    assert store_timeout("2.5") == 2.5
    monkeypatch.setenv("TRACKER_STORE_TIMEOUT", "4")
    assert store_timeout() == 4.0 and store_timeout(3) == 3.0
    for bad in ("soon", "0", "-1", "nan", "inf"):
        with pytest.raises(ValueError, match="tracker store timeout"):
            store_timeout(bad)


def test_postgres_connections_time_out_and_keep_alive():
    args = engine_kwargs("postgresql://u@db:5432/gh")
    assert args["pool_pre_ping"] is True
    assert args["connect_args"]["connect_timeout"] == 5
    assert args["connect_args"]["keepalives_idle"] == 30
    # A setting in the URL wins over ours; SQLite gets none of them.
    assert "connect_timeout" not in engine_kwargs(
        "postgresql://u@db/gh?connect_timeout=20")["connect_args"]
    assert "connect_args" not in engine_kwargs("sqlite:///var/tracker.db")


@pytest.fixture
def database():
    """A fresh PostgreSQL database behind a TcpProxy: (url through the proxy, proxy)."""
    url = os.environ.get("TEST_POSTGRES_URL", "").strip()
    if not url:
        pytest.skip("TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    base = make_url(url)
    name = f"ghstore_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    proxy = TcpProxy(base.host or "127.0.0.1", base.port or 5432).start()
    try:
        yield str(base.set(host="127.0.0.1", port=proxy.port, database=name)), proxy
    finally:
        proxy.stop()
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
async def test_the_first_turn_after_a_database_restart_works(database):
    url, proxy = database
    store = ForgettingSQLTrackerStore(url=url)
    await store.save(DialogueStateTracker.from_events("c", [UserUttered("hi")]))
    proxy.cut()  # the database goes away: every pooled connection is dead
    proxy.restore()  # and comes back
    tracker = await store.retrieve("c")  # no error: the dead connection was replaced
    assert tracker is not None and tracker.latest_message.text == "hi"
    store.engine.dispose()


@pytest.mark.postgres
async def test_a_hung_database_fails_the_turn_in_time_and_never_blocks_the_loop(database):
    url, proxy = database
    store = ForgettingSQLTrackerStore(url=url, timeout=1.5)
    await store.save(DialogueStateTracker.from_events("c", [UserUttered("hi")]))

    ticks = 0

    async def ticker() -> None:  # other conversations' work on the same event loop
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    proxy.hang()
    beat = asyncio.create_task(ticker())
    try:
        started = time.monotonic()
        with pytest.raises(TrackerStoreTimeout, match="did not answer within 1.5 s"):
            await store.retrieve("c")
        elapsed = time.monotonic() - started
        with pytest.raises(TrackerStoreTimeout):
            await store.save(DialogueStateTracker.from_events("c", [UserUttered("again")]))
    finally:
        beat.cancel()
    assert 1.4 < elapsed < 5, elapsed
    assert ticks >= 20, ticks  # the loop kept running while the query hung (~60 expected)

    proxy.restore()  # the database answers again: the stuck connections are dropped
    tracker = await store.retrieve("c")
    assert tracker is not None and tracker.latest_message.text == "hi"
    store.engine.dispose()


# -- nothing a caregiver sends may stop the server (components/server_patches.py, 5) ------------
async def _unstorable_sender_fails_only_that_turn(url: str, sender: str) -> None:
    """Rasa's session_scope took the driver's error for a missing schema and called
    sys.exit: one request stopped the server. Now the turn fails, and the store goes on."""
    store = ForgettingSQLTrackerStore(url=url)
    with pytest.raises(Exception) as caught:
        await store.save(DialogueStateTracker.from_events(sender, [UserUttered("hi")]))
    assert not isinstance(caught.value, SystemExit)
    await store.save(DialogueStateTracker.from_events("next", [UserUttered("still here")]))
    tracker = await store.retrieve("next")
    assert tracker is not None and tracker.latest_message.text == "still here"


async def test_a_lone_surrogate_in_a_sender_id_does_not_stop_the_server(tmp_path):
    await _unstorable_sender_fails_only_that_turn(f"sqlite:///{tmp_path}/t.db", "x\udfff")


@pytest.mark.postgres
async def test_a_nul_in_a_sender_id_does_not_stop_the_server_with_postgres(database):
    url, _ = database
    await _unstorable_sender_fails_only_that_turn(url, "x\x00y")
    await _unstorable_sender_fails_only_that_turn(url, "x\udfff")


# -- "delete my data": the journal first, the conversation last -----------------------------------
def _delete_turn(succeeded: bool) -> list:
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        FollowupAction,
        Restarted,
        SessionStarted,
    )

    after = ([BotUttered("Done."), Restarted(), SessionStarted()] if succeeded
             else [BotUttered("I'm sorry, I can't do that just now."),
                   FollowupAction("action_listen")])
    return [UserUttered("my secret note"), UserUttered("yes delete it"),
            ActionExecuted("action_delete_data"), *after]


async def test_a_delete_that_succeeded_forgets_the_conversation(tmp_path):
    store = ForgettingSQLTrackerStore(url=f"sqlite:///{tmp_path}/t.db")
    await store.save(DialogueStateTracker.from_events("c", [UserUttered("my secret note")]))
    await store.save(DialogueStateTracker.from_events("c", _delete_turn(succeeded=True)))
    tracker = await store.retrieve("c")
    texts = [e.text for e in tracker.events if isinstance(e, UserUttered)] if tracker else []
    assert "my secret note" not in texts


async def test_a_delete_whose_action_failed_keeps_the_conversation(tmp_path):
    """The action server was down: the journal is still there, so the conversation stays
    too, and asking again finishes the job (the action deletes the journal first)."""
    store = ForgettingSQLTrackerStore(url=f"sqlite:///{tmp_path}/t.db")
    await store.save(DialogueStateTracker.from_events("c", _delete_turn(succeeded=False)))
    tracker = await store.retrieve("c")
    texts = [e.text for e in tracker.events if isinstance(e, UserUttered)] if tracker else []
    assert "my secret note" in texts
