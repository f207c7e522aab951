"""The journal, as actions use it: `await in_journal(lambda j: j.summary(sender_id))`.

The journal (bot/storage/) is plain blocking SQLAlchemy, and the action server serves every
conversation on one event loop: a journal call made on the loop stopped every caregiver's
action while its database was slow, and forever when the database hung (a pooled connection
whose database stopped answering waits for the reply with no end). So every call runs in the
journal's own small thread pool (one thread for SQLite, whose writers would otherwise meet in
"database is locked"; a few for PostgreSQL) and is given TIMEOUT seconds: past that the action
fails with `JournalUnavailable`, the action server answers 500, and the Rasa server gives the
caregiver its kind "please try again in a minute" (components/server_patches.py) and keeps the
conversation where it was, while the other conversations go on being served. The stuck thread
is freed when its connection fails (PostgreSQL's connect timeout and keepalives,
bot/storage/engine.py) or the database answers again.

`journal()` is the handle itself (one `Journal`, one engine, per database URL and process):
for tests and tools; actions go through `in_journal` (tests/actions/test_journal_off_loop.py
checks that no action calls `journal()` on the loop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache, lru_cache
from typing import TypeVar

from actions.common import settings
from bot.storage import Journal

T = TypeVar("T")

# Seconds one journal call (the work given to `in_journal`) may take, waiting for a thread
# included: well under what Rasa waits for the action server (300 s) and the conversation's
# lock, well over a healthy call (milliseconds) and PostgreSQL's connect timeout (5 s).
TIMEOUT = 10.0
# Threads per database backend: SQLite's work stays one at a time, as on the loop before.
THREADS = {"sqlite": 1}
DEFAULT_THREADS = 4


class JournalUnavailable(TimeoutError):
    """The journal's database did not answer in time."""


@lru_cache(maxsize=4)
def _journal(url: str) -> Journal:
    return Journal(url)


def journal() -> Journal:
    """The journal for the configured database (one engine per URL and process)."""
    return _journal(settings.get().journal_db_url)


@cache
def _threads(backend: str) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(THREADS.get(backend, DEFAULT_THREADS),
                              thread_name_prefix=f"journal-{backend}")


async def in_journal(work: Callable[[Journal], T]) -> T:
    """`work(journal())`, run off the event loop, for at most TIMEOUT seconds.

    Raises `JournalUnavailable` past the timeout (a call still waiting for a thread then never
    runs); any error of the journal itself (a refused connection, a ValueError) as it is.
    """
    handle = journal()
    loop = asyncio.get_running_loop()
    job = loop.run_in_executor(_threads(handle.backend), work, handle)
    try:
        return await asyncio.wait_for(job, TIMEOUT)
    except asyncio.TimeoutError:
        raise JournalUnavailable(
            f"The journal database did not answer within {TIMEOUT:g} s.") from None
