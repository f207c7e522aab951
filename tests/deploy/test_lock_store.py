"""The atomic Redis lock store against a real Redis, and Rasa's stock store in the same harness."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from components.lock_store import AtomicRedisLockStore
from tests.deploy.lock_harness import issue_race, race

pytestmark = pytest.mark.redis


def store(redis_url: str, prefix: str, **kw) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(url=redis_url, key_prefix=prefix, poll_interval=0.002, **kw)


def test_tickets_are_unique_across_processes(redis_url: str, key_prefix: str) -> None:
    tickets = issue_race("atomic", redis_url, key_prefix, processes=4, n=500)
    assert sorted(tickets) == list(range(1, 2001))


async def test_many_tasks_are_served_one_at_a_time_in_ticket_order(
    redis_url: str, key_prefix: str
) -> None:
    s = store(redis_url, key_prefix)
    holding, served = 0, []

    async def one() -> None:
        nonlocal holding
        async with s.lock("c1") as lock:
            holding += 1
            assert holding == 1
            served.append(lock.now_serving)
            await asyncio.sleep(0)
            holding -= 1

    await asyncio.gather(*(one() for _ in range(200)))
    assert served == list(range(1, 201))
    # The queue is gone once everyone is done; only the counter stays (with a TTL).
    r = redis.Redis.from_url(redis_url)
    assert [k.decode() for k in r.keys(key_prefix + "*")] == [f"{key_prefix}:lock:c1:n"]
    assert 0 < r.pttl(f"{key_prefix}:lock:c1:n") <= 24 * 3600 * 1000


def test_processes_and_tasks_hammering_one_conversation(redis_url: str, key_prefix: str) -> None:
    result = race("atomic", redis_url, key_prefix, processes=4, tasks=8, rounds=10)
    print(result.summary())
    assert result.errors == 0
    assert result.overlaps == 0
    assert result.duplicates == 0
    assert len(result.served) == result.attempts == 320
    assert result.in_order  # every waiter served in ticket order, across processes


def test_stock_redis_lock_store_shows_the_race(redis_url: str, key_prefix: str) -> None:
    """Rasa 3.6's RedisLockStore in the same harness: the loss this store fixes.

    Observed here (4 processes x 4 tasks x 10 rounds): of 2,000 concurrently issued tickets
    only ~770 were distinct; of 160 lock acquisitions ~60 were served, with ~30 duplicate
    tickets, ~20 overlapping holders and ~20 failures. The test fails if the race stops
    showing (e.g. after an upgrade that fixes it), so this file is then revisited.
    """
    tickets = issue_race("stock", redis_url, key_prefix + "i", processes=4, n=300)
    result = race("stock", redis_url, key_prefix, processes=4, tasks=4, rounds=10,
                  lifetime=2, budget=6)
    print(f"stock issue_ticket: {len(tickets)} issued, {len(set(tickets))} distinct")
    print(result.summary())
    assert len(set(tickets)) < len(tickets), "stock issue_ticket gave no duplicate ticket"
    assert result.duplicates + result.overlaps + result.errors > 0


def _crashing_holder(redis_url: str, prefix: str, held) -> None:
    async def main() -> None:
        async with store(redis_url, prefix).lock("c2", lock_lifetime=1.0):
            held.set()
            await asyncio.sleep(3600)

    asyncio.run(main())


async def test_a_crashed_holder_loses_the_lock_after_its_lifetime(
    redis_url: str, key_prefix: str
) -> None:
    ctx = multiprocessing.get_context("fork")
    held = ctx.Event()
    p = ctx.Process(target=_crashing_holder, args=(redis_url, key_prefix, held))
    p.start()
    assert held.wait(30)
    os.kill(p.pid, signal.SIGKILL)
    p.join(10)
    r = redis.Redis.from_url(redis_url)
    for suffix in ("n", "q", "x"):
        assert r.pttl(f"{key_prefix}:lock:c2:{suffix}") > 0  # nothing lives forever
    t0 = time.monotonic()
    async with store(redis_url, key_prefix).lock("c2", lock_lifetime=5) as lock:
        waited = time.monotonic() - t0
        assert lock.now_serving == 2
    assert 0.3 < waited < 3, waited


async def test_a_waiter_keeps_its_place_while_waiting_longer_than_the_lifetime(
    redis_url: str, key_prefix: str
) -> None:
    s = store(redis_url, key_prefix)
    order = []

    async def holder(i: int) -> None:
        async with s.lock("c3", lock_lifetime=1.0):
            order.append(i)
            await asyncio.sleep(0.5)

    async def waiter() -> None:
        await asyncio.sleep(0.05)
        async with s.lock("c3", lock_lifetime=1.0):
            order.append("waiter")

    # 4 holders x 0.5 s: the waiter waits ~2 s, twice its lifetime, and still gets its turn.
    await asyncio.gather(*(holder(i) for i in range(4)), waiter())
    assert order == [0, 1, 2, 3, "waiter"]


def test_an_expired_ticket_is_dropped_and_the_lock_goes_on(
    redis_url: str, key_prefix: str
) -> None:
    s = store(redis_url, key_prefix)
    ticket = s.issue_ticket("c4", lock_lifetime=0.05)
    assert s.get_lock("c4").now_serving == ticket
    time.sleep(0.1)
    _, q, x = s._keys("c4")
    assert s._acquire(keys=[q, x], args=[ticket, 1000]) == -1  # lock() raises LockError
    assert s.get_lock("c4") is None

    async def next_message() -> int:
        async with s.lock("c4") as lock:
            return lock.now_serving

    assert asyncio.run(next_message()) == ticket + 1


async def test_the_body_error_propagates_and_releases_the_lock(
    redis_url: str, key_prefix: str
) -> None:
    s = store(redis_url, key_prefix)
    with pytest.raises(ZeroDivisionError):
        async with s.lock("c5"):
            1 / 0  # noqa: B018
    assert s.get_lock("c5") is None

    async def again() -> None:
        async with s.lock("c5"):
            pass

    await asyncio.wait_for(again(), 2)


def test_configured_from_endpoints_and_environment(
    redis_url: str, key_prefix: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from rasa.core.utils import number_of_sanic_workers
    from rasa.utils.endpoints import read_endpoint_config

    from tests.deploy.test_deploy_files import DEPLOY

    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:1/webhook")
    monkeypatch.setenv("TRACKER_DB_URL", "sqlite://")
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("LOCK_STORE_KEY_PREFIX", key_prefix)
    config = read_endpoint_config(str(DEPLOY / "endpoints.yml"), "lock_store")
    assert isinstance(config, EndpointConfig)
    created = LockStore.create(config)  # Rasa's own factory, as `rasa run` uses it
    assert isinstance(created, AtomicRedisLockStore)
    assert created.key_prefix == key_prefix + ":lock:"
    monkeypatch.setenv("SANIC_WORKERS", "3")
    assert number_of_sanic_workers(config) == 3  # Rasa accepts the custom store for >1 worker

    # Separate host/port/db variables when REDIS_URL is unset.
    monkeypatch.delenv("REDIS_URL")
    monkeypatch.setenv("REDIS_HOST", "127.0.0.1")
    monkeypatch.setenv("REDIS_PORT", "6379")
    monkeypatch.setenv("REDIS_DB", "2")
    s = AtomicRedisLockStore(endpoint_config=EndpointConfig(type="x"))
    kwargs = s.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("127.0.0.1", 6379, 2)
    # Keys given in endpoints.yml win over the environment.
    s = AtomicRedisLockStore(endpoint_config=EndpointConfig(type="x", db=3, key_prefix="k"))
    assert s.red.connection_pool.connection_kwargs["db"] == 3 and s.key_prefix == "k:lock:"


@pytest.mark.parametrize("reconnect", [True, False])
async def test_the_first_lock_after_a_redis_restart_works(redis_url: str, key_prefix: str,
                                                          reconnect: bool, monkeypatch) -> None:
    """Pooled connections die with Redis; the next turn must not be the one to find out.
    (Without the lock store's reconnecting connections, it is: the second case shows why.)"""
    from urllib.parse import urlparse

    import components.lock_store
    from tests.deploy.topology import TcpProxy

    if not reconnect:
        monkeypatch.setattr(components.lock_store, "_reconnecting", lambda cls: cls)
    u = urlparse(redis_url)
    proxy = TcpProxy(u.hostname or "127.0.0.1", u.port or 6379).start()
    try:
        s = store(redis_url.replace(u.netloc, f"127.0.0.1:{proxy.port}"), key_prefix)
        async with s.lock("c1"):
            pass
        proxy.cut()  # Redis goes away: the pooled connection is dead...
        proxy.restore()  # ...and Redis comes back
        await asyncio.sleep(0.05)
        if reconnect:
            async with s.lock("c1") as lock:
                assert lock.now_serving == 2
        else:
            with pytest.raises(LockError):
                async with s.lock("c1"):
                    pass
    finally:
        proxy.stop()
