"""Rasa's SQL tracker store, plus "delete my data" for the conversation history.

When a turn ran `action_delete_data` (after the caregiver confirmed) and it succeeded (the
journal is deleted first, by the action), saving that turn removes every stored event of that
conversation, then keeps only what came after the action
(the restart it returns and a fresh session). Rasa's stock store only ever appends, and would
write the old events back from memory, so the deletion has to happen here, in the one place
that owns the tracker database.

Importing this module also installs components.server_patches (a failed action or a failed
turn gets a kind reply instead of silence; a tracker store error is reported, not hidden in
a per-process memory; faster validation of the action server's responses and reading of
stored events): the tracker store is the one project class every Rasa server of this project
loads at start-up (endpoints.yml and deploy/endpoints.yml both configure it).

A database that hangs (accepts connections but never answers: a stuck server, a dropped
network path) must not hang the Rasa server with it. Rasa's SQL store runs its queries on
the server's event loop, so one stuck query froze every conversation of that replica until
nginx gave up after 120 s. Here each read and write runs in a small thread pool (one thread,
with its own event loop, for SQLite: its work stays one at a time, as before) and is given
`timeout` seconds (TRACKER_STORE_TIMEOUT, 10 by default): past that the turn fails, and the
caregiver gets the kind "try again in a minute" (components/server_patches.py) while the
replica keeps serving. PostgreSQL connections also get a connect timeout and TCP keepalives,
so a dead peer is noticed. (No event broker is configured in this project; with one, the
events would be published from the pool's threads.)
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, is_postgresql_url
from rasa.shared.core.events import ActionExecuted, Restarted
from rasa.shared.core.trackers import DialogueStateTracker

from bot import config
from components import server_patches

logger = logging.getLogger(__name__)

FORGET_ACTION = "action_delete_data"
DEFAULT_TIMEOUT = config.DEFAULT_TRACKER_STORE_TIMEOUT  # seconds for one read or write
# Threads for the database work. SQLite gets one: its writers would otherwise meet in
# "database is locked" errors (a save reads, then writes, in one transaction).
THREADS = {"sqlite": 1}
DEFAULT_THREADS = 4
# libpq settings for PostgreSQL: give up connecting after 5 s; probe an idle connection
# after 30 s, every 10 s, and drop it after 3 unanswered probes.
POSTGRES_CONNECT_ARGS = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 30,
                         "keepalives_interval": 10, "keepalives_count": 3}

T = TypeVar("T")
_THREAD = threading.local()


def _run_in_thread(work: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """Run `work(*args)` to its end on this pool thread's own event loop (made once)."""
    loop = getattr(_THREAD, "loop", None)
    if loop is None:
        loop = _THREAD.loop = asyncio.new_event_loop()
    return loop.run_until_complete(work(*args))


class TrackerStoreTimeout(TimeoutError):
    """The tracker database did not answer in time."""


def store_timeout(value: Any = None) -> float:
    """`timeout` from endpoints.yml, else TRACKER_STORE_TIMEOUT, else 10 s; always > 0
    (bot/config.py reads and checks it)."""
    return config.tracker_store_timeout(value)


def engine_kwargs(url: Any) -> dict[str, Any]:
    """Rasa's engine settings, plus a ping at checkout and, for PostgreSQL, timeouts."""
    kwargs = create_engine_kwargs(url)
    kwargs["pool_pre_ping"] = True
    if is_postgresql_url(url):
        given = set(sa.engine.make_url(url).query)
        extra = {k: v for k, v in POSTGRES_CONNECT_ARGS.items() if k not in given}
        kwargs["connect_args"] = {**extra, **kwargs.get("connect_args", {})}
    return kwargs


server_patches.install()


def forget_marker(tracker: DialogueStateTracker) -> int | None:
    """Index of the last `action_delete_data` that did its part, if any.

    The action deletes the journal first and returns a restart only when that worked; the
    conversation is forgotten last, here, and only then. When the action failed (the action
    server was down, the journal's database failed) the Rasa server still logs that it ran,
    followed by the kind "try again" reply and no restart: the conversation is then kept, so
    the journal is never left behind without it, and asking again finishes the job.
    """
    events = list(tracker.events)
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if isinstance(event, ActionExecuted) and event.action_name == FORGET_ACTION:
            done = any(isinstance(later, Restarted) for later in events[i + 1:])
            return i if done else None
    return None


class ForgettingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore configured by a URL (`url:` in endpoints.yml) that can forget."""

    # Set by SQLTrackerStore.__init__ (an sa.engine.Engine); declared so mypy knows its type.
    engine: Any

    def __init__(self, domain: Any = None, host: str | None = None, **kwargs: Any) -> None:
        url = kwargs.pop("url", None) or host
        self.timeout = store_timeout(kwargs.pop("timeout", None))
        super().__init__(domain=domain, host=url, **kwargs)
        # Rasa's engine hands out pooled connections unchecked: after the database restarts,
        # each one fails its first query (a caregiver's turn) before the pool notices. With a
        # ping at checkout, a dead connection is replaced before anyone sees it.
        old, engine_url = self.engine, self.engine.url
        self.engine = sa.create_engine(engine_url, **engine_kwargs(engine_url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        old.dispose()
        self._threads: ThreadPoolExecutor | None = None

    async def _off_loop(self, work: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        """Run one of the (blocking) SQL coroutines in the pool, for at most `timeout` s."""
        if self._threads is None:
            threads = THREADS.get(self.engine.dialect.name, DEFAULT_THREADS)
            self._threads = ThreadPoolExecutor(threads, thread_name_prefix="tracker-store")
        loop = asyncio.get_running_loop()
        # The coroutine is made in the pool thread: one that times out while still queued
        # is then never made, rather than made and never awaited.
        job = loop.run_in_executor(self._threads, _run_in_thread, work, *args)
        try:
            return await asyncio.wait_for(job, self.timeout)
        except asyncio.TimeoutError:
            raise TrackerStoreTimeout(
                f"The tracker database did not answer within {self.timeout:g} s.") from None

    async def keys(self) -> Iterable[str]:
        return await self._off_loop(SQLTrackerStore.keys, self)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self._off_loop(SQLTrackerStore.retrieve, self, sender_id)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self._off_loop(SQLTrackerStore.retrieve_full_tracker, self,
                                    conversation_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._off_loop(self._save, tracker)

    async def _save(self, tracker: DialogueStateTracker) -> None:
        marker = forget_marker(tracker)
        if marker is None:
            await SQLTrackerStore.save(self, tracker)
            return
        with self.session_scope() as session:
            removed = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == tracker.sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        logger.info("Forgot a conversation at the caregiver's request (%d events).", removed)
        kept = DialogueStateTracker.from_events(
            tracker.sender_id,
            list(tracker.events)[marker + 1 :],
            slots=list(tracker.slots.values()),
            max_event_history=tracker._max_event_history,
        )
        await SQLTrackerStore.save(self, kept)
