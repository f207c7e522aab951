"""Small channel state every replica must see: Redis when REDIS_URL is set, else this process.

Behind nginx, two replicas serve one caregiver's webhooks (nginx spreads /webhooks/ by client
address, and Telegram's and Twilio's servers have many). State a channel keeps between two
requests must therefore live where both replicas see it:

- WhatsApp's numbered choices: "1" must mean the first button offered, on whichever replica
  the reply lands;
- Telegram's long button payloads (callback_data holds 64 bytes: longer payloads are sent
  as a short key and looked up when tapped);
- the duplicate filters: Telegram and Twilio retry a webhook they think failed, and a retry
  that reaches the other replica must still be recognised.

`channel_state(namespace)` gives a `RedisState` when REDIS_URL is set (the production
topology sets it for the lock store already; under Rasa's Helm chart, REDIS_HOST and its
companions), with an expiry on every key, and a
`MemoryState` (bounded, with the same expiry) for one process (`make run`). A Redis that
cannot be reached costs the shared memory, never the message: reads then find nothing and a
duplicate check lets the update through (answering twice beats not answering), with a
warning in the log.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Protocol

from bot import config

logger = logging.getLogger(__name__)

PREFIX = "gentle-hands:channel:"
MEMORY_SIZE = 10_000


class ChannelState(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str, ttl: float) -> None: ...

    async def pop(self, key: str) -> str | None: ...

    async def add(self, key: str, ttl: float) -> bool:
        """Record `key`; True when it was not there yet (a first delivery)."""
        ...


class MemoryState:
    """One process's state: bounded (least recently used first out), every key expiring."""

    def __init__(self, size: int = MEMORY_SIZE, clock: Any = time.monotonic) -> None:
        self.size = size
        self.clock = clock
        self._data: OrderedDict[str, tuple[float, str]] = OrderedDict()

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        expires, value = item
        if expires <= self.clock():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return value

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def set(self, key: str, value: str, ttl: float) -> None:
        self._data[key] = (self.clock() + ttl, value)
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    async def pop(self, key: str) -> str | None:
        value = self._live(key)
        self._data.pop(key, None)
        return value

    async def add(self, key: str, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        await self.set(key, "1", ttl)
        return True


class RedisState:
    """State in Redis, shared by every replica; the client is made in the loop that uses it."""

    def __init__(self, url: str, namespace: str, timeout: float = 2.0) -> None:
        self.url = url
        self.namespace = namespace
        self.timeout = timeout
        self._client: Any = None

    def _redis(self) -> Any:
        if self._client is None:
            import redis.asyncio as aioredis

            self._client = aioredis.from_url(self.url, socket_timeout=self.timeout,
                                              socket_connect_timeout=self.timeout,
                                              decode_responses=True)
        return self._client

    def _key(self, key: str) -> str:
        return f"{PREFIX}{self.namespace}:{key}"

    async def get(self, key: str) -> str | None:
        try:
            value = await self._redis().get(self._key(key))
        except Exception as e:  # Redis down or slow: the state is lost, the message is not
            logger.warning("Channel state: Redis get failed (%s).", type(e).__name__)
            return None
        return None if value is None else str(value)

    async def set(self, key: str, value: str, ttl: float) -> None:
        try:
            await self._redis().set(self._key(key), value, px=max(1, int(ttl * 1000)))
        except Exception as e:
            logger.warning("Channel state: Redis set failed (%s).", type(e).__name__)

    async def pop(self, key: str) -> str | None:
        try:
            value = await self._redis().getdel(self._key(key))
        except Exception as e:
            logger.warning("Channel state: Redis getdel failed (%s).", type(e).__name__)
            return None
        return None if value is None else str(value)

    async def add(self, key: str, ttl: float) -> bool:
        try:
            added = await self._redis().set(self._key(key), "1", px=max(1, int(ttl * 1000)),
                                            nx=True)
        except Exception as e:
            logger.warning("Channel state: Redis set-if-absent failed (%s).", type(e).__name__)
            return True
        return bool(added)


def channel_state(namespace: str, environ: Mapping[str, str] | None = None) -> ChannelState:
    """Redis (REDIS_URL set) or this process's memory; read when a channel is built.

    Rasa's Helm chart gives its pods the lock store's Redis as REDIS_HOST / REDIS_PORT /
    REDIS_PASSWORD (deploy/helm/values.yaml), not as a URL: bot/config.py makes one of them."""
    url = config.channel_state_redis_url(environ)
    if url:
        return RedisState(url, namespace)
    return MemoryState()
