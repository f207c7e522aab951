"""Fixtures for the production-topology tests: a real Redis and PostgreSQL, isolated per run.

Redis tests need TEST_REDIS_URL, PostgreSQL tests TEST_POSTGRES_URL (CI sets both); without
them the tests skip and say why. Every test uses its own Redis key prefix (and the topology
test its own PostgreSQL database), so parallel runs never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "").strip()
    if not url:
        pytest.skip("TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0)")
    return url


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL", "").strip()
    if not url:
        pytest.skip("TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    return url


@pytest.fixture
def key_prefix(redis_url: str) -> Iterator[str]:
    """An alphanumeric prefix (Rasa's RedisLockStore rejects others); keys removed after."""
    prefix = "ghtest" + uuid.uuid4().hex[:12]
    yield prefix
    r = redis.Redis.from_url(redis_url)
    keys = list(r.scan_iter(match=prefix + "*", count=1000))
    if keys:
        r.delete(*keys)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "deploy: starts the local production topology (nginx, 2 Rasa replicas)"
    )
