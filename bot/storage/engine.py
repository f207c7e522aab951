"""Engines for the journal: URL handling, connect options per backend, and schema creation.

`postgres://` URLs are accepted as `postgresql://`. For a SQLite file URL the parent directory
is created. The schema is created with `create_all`, which leaves existing tables alone; a
database written by a newer version is refused rather than misread.

Every pooled connection is pinged when it is taken from the pool, so one that died (the
database restarted) is replaced before a caregiver's call uses it. PostgreSQL connections
(psycopg2, libpq) also get a connect timeout and TCP keepalives (POSTGRES_CONNECT_ARGS): a
database that accepts connections but never answers fails a new connection after
`connect_timeout` seconds instead of never, and a dead peer behind an idle connection is
noticed. A setting given in the URL wins over ours. SQLite gets none of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.pool import StaticPool

from bot.storage.tables import SCHEMA_VERSION, Base, Meta

# libpq settings for PostgreSQL: give up connecting after 5 s; probe an idle connection after
# 30 s, every 10 s, and drop it after 3 unanswered probes (as the tracker store's connections,
# components/tracker_store.py).
POSTGRES_CONNECT_ARGS: dict[str, int] = {
    "connect_timeout": 5, "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
    "keepalives_count": 3,
}


def normalise_url(url: str) -> URL:
    if not isinstance(url, str) or not url.strip():
        raise ValueError("A database URL is needed.")
    url = url.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return make_url(url)


def _is_sqlite_memory(url: URL) -> bool:
    db = url.database or ""
    return db in ("", ":memory:") or "mode=memory" in db or url.query.get("mode") == "memory"


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _uses_libpq(url: URL) -> bool:
    """PostgreSQL through psycopg2 (the default driver of postgresql:// URLs): libpq's options."""
    if url.get_backend_name() != "postgresql":
        return False
    return "+" not in url.drivername or url.drivername.endswith("+psycopg2")


def engine_kwargs(url: URL, echo: bool = False) -> dict[str, Any]:
    """`create_engine`'s settings for the URL's backend: pool, ping, timeouts."""
    kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": True, "echo": echo}
    if url.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False}
        if _is_sqlite_memory(url):
            kwargs["poolclass"] = StaticPool  # one shared connection, or each would be empty
        return kwargs
    kwargs.update(pool_size=5, max_overflow=5, pool_recycle=1800, pool_timeout=10)
    if _uses_libpq(url):
        kwargs["connect_args"] = {k: v for k, v in POSTGRES_CONNECT_ARGS.items()
                                  if k not in url.query}
    return kwargs


def make_journal_engine(url: URL, echo: bool = False) -> Engine:
    """An engine with sensible pool settings for the URL's backend (`engine_kwargs`)."""
    sqlite = url.get_backend_name() == "sqlite"
    if sqlite and not _is_sqlite_memory(url) and not (url.database or "").startswith("file:"):
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **engine_kwargs(url, echo))
    if sqlite:
        event.listen(engine, "connect", _sqlite_on_connect)
    return engine


def create_schema(engine: Engine) -> None:
    """Create the tables if missing and record the schema version; refuse a newer schema."""
    for attempt in (1, 2):
        try:
            Base.metadata.create_all(engine)
            break
        except (ProgrammingError, OperationalError, IntegrityError):
            # another process created the same tables at the same moment: check again
            if attempt == 2:
                raise
    with OrmSession(engine, future=True) as s:
        row = s.get(Meta, "schema_version")
        if row is None:
            s.add(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
            try:
                s.commit()
            except IntegrityError:
                s.rollback()
                row = s.get(Meta, "schema_version")
        if row is not None and int(row.value) > SCHEMA_VERSION:
            raise RuntimeError(
                f"The journal database has schema version {row.value}, newer than this "
                f"code ({SCHEMA_VERSION}); upgrade the bot before using it."
            )
