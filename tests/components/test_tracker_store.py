"""ForgettingSQLTrackerStore: the pool pings its connections, so a database restart is
invisible to the caregivers' next turns."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from components.tracker_store import ForgettingSQLTrackerStore
from tests.deploy.topology import TcpProxy


async def test_sqlite_round_trip_and_the_pool_pings(tmp_path):
    store = ForgettingSQLTrackerStore(url=f"sqlite:///{tmp_path}/tracker.db")
    assert store.engine.pool._pre_ping
    await store.save(DialogueStateTracker.from_events("c", [UserUttered("hi")]))
    tracker = await store.retrieve("c")
    assert tracker is not None and tracker.latest_message.text == "hi"


@pytest.mark.postgres
async def test_the_first_turn_after_a_database_restart_works():
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
        store = ForgettingSQLTrackerStore(
            url=str(base.set(host="127.0.0.1", port=proxy.port, database=name)))
        await store.save(DialogueStateTracker.from_events("c", [UserUttered("hi")]))
        proxy.cut()  # the database goes away: every pooled connection is dead
        proxy.restore()  # and comes back
        tracker = await store.retrieve("c")  # no error: the dead connection was replaced
        assert tracker is not None and tracker.latest_message.text == "hi"
        store.engine.dispose()
    finally:
        proxy.stop()
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
