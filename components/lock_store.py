"""A Redis ticket lock whose tickets and queue change atomically (for 2+ Rasa replicas).

Rasa 3.6's `RedisLockStore.issue_ticket` reads the lock, adds a ticket in Python and writes it
back (upstream issue 9213). Two replicas handling messages of one conversation at the same
moment can both read "no tickets", both issue ticket 0, and both go ahead: the tracker store
then loses one turn's events. Here every change is one Redis command or one Lua script, so it
happens atomically on the Redis server:

* `<prefix>lock:<conversation>:n` is the ticket counter (`INCR`): no two tickets are equal.
* `<prefix>lock:<conversation>:q` is the queue, a sorted set of live ticket numbers; the lowest
  is served. `<prefix>lock:<conversation>:x` holds each ticket's expiry (milliseconds, Redis
  server time, so replicas' clocks never disagree).
* Every key carries a `PEXPIRE`, and a ticket expires `lock_lifetime` seconds after it was last
  seen: a waiter renews its ticket each time it polls, and the holder's ticket gets a fresh
  lifetime when it is served. A replica that crashes (kill -9) stops renewing, so its tickets
  drop out of the queue after at most `lock_lifetime` and the conversation goes on.

Configured in endpoints.yml:

    lock_store:
      type: components.lock_store.AtomicRedisLockStore

Settings come from the endpoint's keys, else the environment, else the default (bot/config.py
reads and checks them):
`url` / REDIS_URL (e.g. redis://:password@redis:6379/1; wins over the separate keys),
`host` / REDIS_HOST (localhost), `port` / REDIS_PORT (6379), `db` / REDIS_DB (1),
`password` / REDIS_PASSWORD, `username` / REDIS_USERNAME, `use_ssl` / REDIS_USE_SSL (false),
`key_prefix` / LOCK_STORE_KEY_PREFIX (none), `poll_interval` / LOCK_POLL_INTERVAL (0.02 s),
`socket_timeout` / REDIS_SOCKET_TIMEOUT (10 s), and the lifetime from TICKET_LOCK_LIFETIME
(Rasa's variable, 60 s).

After Redis restarts, the pooled connections are dead, and redis-py 4.6's pure-Python parser
does not notice when it hands one out (it reads the closed socket's end as "nothing to read"):
each replica's next turn would fail. So before a command, a connection whose stream has
already seen the server close it is replaced (`_ReconnectClosed`; no extra round trip, so
tickets are still issued in the order messages arrive). Commands are never retried: a lost
reply to ISSUE would leave an orphan ticket in the queue.

Rasa accepts SANIC_WORKERS > 1 with any lock store configured by a `type` other than
`in_memory` (rasa.core.utils.number_of_sanic_workers), so this class qualifies.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import redis
import redis.asyncio as aioredis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore

from bot import config
from bot.storage import sender_tag

logger = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL = config.DEFAULT_LOCK_POLL_INTERVAL  # seconds
# The counter outlives every ticket by far, so a ticket number is never reused while a slow
# holder might still finish with it.
COUNTER_TTL_MS = 24 * 3600 * 1000

# Server time in milliseconds (scripts may call TIME since Redis 5's effect replication).
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# Keep a key alive at least `ms` from now, never shortening a longer expiry.
_KEEP = """
local function keep(key, ms)
  local ttl = redis.call('PTTL', key)
  if ttl < ms then redis.call('PEXPIRE', key, ms) end
end
"""

# KEYS: counter, queue, expiries. ARGV: lifetime_ms, counter_ttl_ms. Returns the ticket.
ISSUE = _NOW + _KEEP + """
local lifetime = tonumber(ARGV[1])
local ticket = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
redis.call('ZADD', KEYS[2], ticket, ticket)
redis.call('HSET', KEYS[3], ticket, now + lifetime)
keep(KEYS[2], lifetime)
keep(KEYS[3], lifetime)
return ticket
"""

# KEYS: queue, expiries. ARGV: ticket, lifetime_ms.
# Drops expired tickets at the front of the queue, then:
#   1  the ticket is served now (its lifetime starts again),
#   0  it is still waiting (renewed: its owner is alive),
#  -1  it is gone (expired or never issued).
ACQUIRE = _NOW + _KEEP + """
local ticket = ARGV[1]
local lifetime = tonumber(ARGV[2])
while true do
  local front = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #front == 0 then break end
  local expires = tonumber(redis.call('HGET', KEYS[2], front[1]) or '0')
  if expires > now then break end
  redis.call('ZREM', KEYS[1], front[1])
  redis.call('HDEL', KEYS[2], front[1])
end
local mine = tonumber(redis.call('HGET', KEYS[2], ticket) or '0')
if redis.call('ZSCORE', KEYS[1], ticket) == false or mine <= now then
  redis.call('ZREM', KEYS[1], ticket)
  redis.call('HDEL', KEYS[2], ticket)
  return -1
end
redis.call('HSET', KEYS[2], ticket, now + lifetime)
keep(KEYS[1], lifetime)
keep(KEYS[2], lifetime)
local front = redis.call('ZRANGE', KEYS[1], 0, 0)
if front[1] == ticket then return 1 end
return 0
"""

# KEYS: queue, expiries. ARGV: ticket. Removes the ticket; deletes the queue when it is empty.
# Returns how many tickets are still queued.
FINISH = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
local left = redis.call('ZCARD', KEYS[1])
if left == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return left
"""

# KEYS: queue, expiries. Returns {ticket, expires_ms, ...} of live tickets, oldest first,
# with the server's time first.
SNAPSHOT = _NOW + """
local out = {now}
for _, t in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local e = tonumber(redis.call('HGET', KEYS[2], t) or '0')
  if e > now then
    table.insert(out, tonumber(t))
    table.insert(out, e)
  end
end
return out
"""


class _ReconnectClosed:
    """For redis.asyncio connections: before a command is sent, a connection that the server
    closed while it sat in the pool (its stream is at its end, or failed) is reconnected."""

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        reader = getattr(self, "_reader", None)
        if reader is not None and (reader.at_eof() or reader.exception() is not None):
            await self.disconnect(nowait=True)  # type: ignore[attr-defined]
        await super().send_packed_command(command, check_health)  # type: ignore[misc]


def _reconnecting(connection_class: type) -> type:
    if issubclass(connection_class, _ReconnectClosed):
        return connection_class
    return type(f"Reconnecting{connection_class.__name__}", (_ReconnectClosed, connection_class),
                {})


class AtomicRedisLockStore(LockStore):
    """Ticket lock in Redis; issuing, serving and finishing are each one atomic script."""

    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        given: dict[str, Any] = {}
        if endpoint_config is not None:
            given.update(getattr(endpoint_config, "kwargs", {}) or {})
            if getattr(endpoint_config, "url", None):
                given["url"] = endpoint_config.url
        given.update(kwargs)

        url = config.redis_url(given.get("url"))
        options: dict[str, Any] = {
            "socket_timeout": config.redis_socket_timeout(given.get("socket_timeout")),
        }
        if url and "://" in url:
            self._connect = {"url": url, **options}
        else:
            # `url` without a scheme is a host name, as in Rasa's own lock store config.
            options.update(
                host=url or config.redis_host(given.get("host")),
                port=config.redis_port(given.get("port")),
                db=config.redis_db(given.get("db")),
                username=config.redis_username(given.get("username")),
                password=config.redis_password(given.get("password")),
                ssl=config.redis_use_ssl(given.get("use_ssl")),
            )
            self._connect = options

        prefix = config.lock_store_key_prefix(given.get("key_prefix"))
        self.key_prefix = (prefix + ":" if prefix else "") + "lock:"
        self.poll_interval = config.lock_poll_interval(given.get("poll_interval"))

        self.red = self._client(redis)
        self._issue = self.red.register_script(ISSUE)
        self._acquire = self.red.register_script(ACQUIRE)
        self._finish = self.red.register_script(FINISH)
        self._snapshot = self.red.register_script(SNAPSHOT)
        self._async: dict[int, tuple[asyncio.AbstractEventLoop, Any]] = {}
        self.red.ping()  # fail at start-up, not on the first message
        super().__init__()

    # -- connections -------------------------------------------------------------------------
    def _client(self, module: Any) -> Any:
        if "url" in self._connect:
            options = dict(self._connect)
            return module.Redis.from_url(options.pop("url"), **options)
        return module.Redis(**self._connect)

    def _aio(self) -> Any:
        """The asyncio client of the running event loop (each Sanic worker has its own)."""
        loop = asyncio.get_running_loop()
        entry = self._async.get(id(loop))
        if entry is None or entry[0] is not loop:
            client = self._client(aioredis)
            pool = client.connection_pool
            pool.connection_class = _reconnecting(pool.connection_class)
            scripts = {
                name: client.register_script(src)
                for name, src in (("issue", ISSUE), ("acquire", ACQUIRE), ("finish", FINISH))
            }
            entry = (loop, (client, scripts))
            self._async[id(loop)] = entry
        return entry[1]

    def _keys(self, conversation_id: str) -> tuple[str, str, str]:
        base = self.key_prefix + conversation_id
        return base + ":n", base + ":q", base + ":x"

    # -- the lock Rasa uses ------------------------------------------------------------------
    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Wait for this conversation's turn, hold it while the body runs, then pass it on.

        `wait_time_in_seconds` (Rasa's 1 s poll) is replaced by `poll_interval`: a queued
        message should not wait a whole second after the one before it finished.
        """
        client, scripts = self._aio()
        counter, queue, expiries = self._keys(conversation_id)
        lifetime_ms = max(1, int(lock_lifetime * 1000))
        try:
            ticket = int(
                await scripts["issue"](
                    keys=[counter, queue, expiries], args=[lifetime_ms, COUNTER_TTL_MS]
                )
            )
        except redis.RedisError as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e
        try:
            while True:
                state = int(
                    await scripts["acquire"](keys=[queue, expiries], args=[ticket, lifetime_ms])
                )
                if state == 1:
                    break
                if state == -1:
                    raise LockError(
                        f"Could not acquire lock for conversation '{sender_tag(conversation_id)}'."
                    )
                await asyncio.sleep(self.poll_interval)
            logger.debug("Acquired lock for '%s' (ticket %d).", sender_tag(conversation_id),
                         ticket)
            yield self._as_ticket_lock(conversation_id, [(ticket, time.time() + lock_lifetime)])
        finally:
            try:
                await asyncio.shield(scripts["finish"](keys=[queue, expiries], args=[ticket]))
            except Exception:  # the ticket expires by itself; never hide the body's error
                logger.exception("Could not release lock for conversation '%s'.",
                                 sender_tag(conversation_id))

    # -- Rasa's synchronous LockStore interface (tools, tests, rasa.core.lock_store users) ----
    @staticmethod
    def _as_ticket_lock(conversation_id: str, tickets: list[tuple[int, float]]) -> TicketLock:
        return TicketLock(
            conversation_id, deque(Ticket(n, expires) for n, expires in tickets)
        )

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            counter, queue, expiries = self._keys(conversation_id)
            return int(
                self._issue(
                    keys=[counter, queue, expiries],
                    args=[max(1, int(lock_lifetime * 1000)), COUNTER_TTL_MS],
                )
            )
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        _, queue, expiries = self._keys(conversation_id)
        raw = self._snapshot(keys=[queue, expiries])
        # Expiries are in Redis server time; TicketLock compares them with this host's clock.
        offset = time.time() - int(raw[0]) / 1000
        pairs = [(int(raw[i]), int(raw[i + 1]) / 1000 + offset) for i in range(1, len(raw), 2)]
        return self._as_ticket_lock(conversation_id, pairs) if pairs else None

    def delete_lock(self, conversation_id: str) -> None:
        _, queue, expiries = self._keys(conversation_id)
        self._log_deletion(conversation_id, bool(self.red.delete(queue, expiries)))

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError(
            "AtomicRedisLockStore never writes a whole lock back (that is the race it avoids)."
        )

    def update_lock(self, conversation_id: str) -> None:
        """Expired tickets are dropped by the scripts; nothing to write back."""

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        _, queue, expiries = self._keys(conversation_id)
        self._finish(keys=[queue, expiries], args=[ticket_number])

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # FINISH deletes the queue only when it is empty, in the same atomic step.
        self.finish_serving(conversation_id, ticket_number)

    def is_someone_waiting(self, conversation_id: str) -> bool:
        return self.get_lock(conversation_id) is not None
