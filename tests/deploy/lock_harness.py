"""A harness that hammers one conversation's lock from many processes and asyncio tasks.

Used by tests/deploy/test_lock_store.py and bench/lock_race.py. Each process builds its own
lock store (`atomic`: components.lock_store.AtomicRedisLockStore, `stock`: Rasa's
RedisLockStore) and runs `tasks` asyncio tasks that each take the lock `rounds` times. Inside
the lock a task increments a shared Redis counter of holders (more than one holder is an
overlap: two replicas would process the same conversation at once) and appends the ticket it
is served under to a Redis list (the global order of service).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import redis


def make_store(kind: str, redis_url: str, prefix: str, **extra: Any) -> Any:
    if kind == "atomic":
        from components.lock_store import AtomicRedisLockStore

        return AtomicRedisLockStore(url=redis_url, key_prefix=prefix, **extra)
    from rasa.core.lock_store import RedisLockStore

    u = urlparse(redis_url)
    db = int((u.path or "/0").lstrip("/") or 0)
    return RedisLockStore(
        host=u.hostname or "localhost", port=u.port or 6379, db=db,
        password=u.password, key_prefix=prefix,
    )


@dataclass
class RaceResult:
    kind: str
    attempts: int
    served: list[int]
    overlaps: int
    errors: int
    seconds: float

    @property
    def duplicates(self) -> int:
        return len(self.served) - len(set(self.served))

    @property
    def in_order(self) -> bool:
        return all(a < b for a, b in zip(self.served, self.served[1:], strict=False))

    def summary(self) -> str:
        return (
            f"{self.kind}: {self.attempts} lock acquisitions, {len(self.served)} served, "
            f"{self.duplicates} duplicate tickets, {self.overlaps} overlapping holders, "
            f"{self.errors} LockErrors, in order: {self.in_order}, {self.seconds:.1f}s"
        )


def _worker(kind: str, redis_url: str, prefix: str, cid: str, tasks: int, rounds: int,
            hold: float, lifetime: float, budget: float, start: Any, out: Any) -> None:
    store = make_store(kind, redis_url, prefix, poll_interval=0.002) if kind == "atomic" \
        else make_store(kind, redis_url, prefix)
    r = redis.Redis.from_url(redis_url)
    holders, served_key = f"{prefix}:holders:{cid}", f"{prefix}:served:{cid}"
    overlaps = errors = 0

    async def one() -> None:
        nonlocal overlaps, errors
        for _ in range(rounds):
            try:
                async with store.lock(cid, lifetime, wait_time_in_seconds=0.002) as lock:
                    if r.incr(holders) > 1:
                        overlaps += 1
                    r.rpush(served_key, int(lock.now_serving or 0))
                    await asyncio.sleep(hold)
                    r.decr(holders)
            except Exception:  # stock: LockError when another replica deleted the lock
                errors += 1

    async def main() -> None:
        # A stock lock can strand a waiter until its ticket's lifetime runs out; the budget
        # bounds the run (a task still waiting then counts as an error).
        done, pending = await asyncio.wait([asyncio.ensure_future(one()) for _ in range(tasks)],
                                           timeout=budget)
        nonlocal errors
        errors += len(pending)
        for task in pending:
            task.cancel()

    start.wait()
    asyncio.run(main())
    out.put((overlaps, errors))


def race(kind: str, redis_url: str, prefix: str, cid: str = "conv", processes: int = 4,
         tasks: int = 4, rounds: int = 10, hold: float = 0.0, lifetime: float = 60.0,
         budget: float = 60.0) -> RaceResult:
    """Run the hammer; every process starts at the same moment."""
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_worker,
                    args=(kind, redis_url, prefix, cid, tasks, rounds, hold, lifetime, budget,
                          start, out))
        for _ in range(processes)
    ]
    for p in procs:
        p.start()
    time.sleep(0.2)
    t0 = time.time()
    start.set()
    results = [out.get(timeout=budget + 30) for _ in procs]
    for p in procs:
        p.join(timeout=10)
    r = redis.Redis.from_url(redis_url)
    served = [int(x) for x in r.lrange(f"{prefix}:served:{cid}", 0, -1)]
    return RaceResult(
        kind=kind, attempts=processes * tasks * rounds, served=served,
        overlaps=sum(o for o, _ in results), errors=sum(e for _, e in results),
        seconds=time.time() - t0,
    )


def _issuer(kind: str, redis_url: str, prefix: str, cid: str, n: int, start: Any,
            out: Any) -> None:
    store = make_store(kind, redis_url, prefix)
    start.wait()
    out.put([store.issue_ticket(cid) for _ in range(n)])


def issue_race(kind: str, redis_url: str, prefix: str, cid: str = "issue", processes: int = 4,
               n: int = 500) -> list[int]:
    """Every process calls `issue_ticket` n times at once; returns all tickets issued."""
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_issuer, args=(kind, redis_url, prefix, cid, n, start, out))
             for _ in range(processes)]
    for p in procs:
        p.start()
    time.sleep(0.2)
    start.set()
    tickets: list[int] = []
    for _ in procs:
        tickets += out.get(timeout=120)
    for p in procs:
        p.join(timeout=10)
    return tickets
