"""The caregiver journal: massage sessions, their before/after ratings, and screen results.

Plain SQLAlchemy 1.4 (declarative models, 2.0-style `select()`, `future=True` engine and
sessions), no Rasa. `Journal(url)` works with any SQLAlchemy URL; the caller chooses it (the bot
defaults to `sqlite:///var/journal.db`, but that default lives with the caller, not here).

- Nothing happens at import time. The engine is created on first use, and the schema is created
  then too (`create_all`, which leaves existing tables alone). For a SQLite file URL the parent
  directory is created. `postgres://` URLs are accepted as `postgresql://`.
- Schema version: `SCHEMA_VERSION` below, also written to the `journal_meta` table (key
  "schema_version") when the schema is created. There is no Alembic yet: a later change to the
  tables must bump the constant and add a migration. A database written by a newer version is
  refused rather than misread.
- Tables are prefixed `journal_` so they can share a database with Rasa's tracker store.
- Times are timezone-aware UTC datetimes on the way in (naive ones are taken as UTC) and on the
  way out, on SQLite as on PostgreSQL. A session may be logged with a date only: it is stored at
  midnight UTC with `time_known` False, and its end time is then left empty.
- Ratings (comfort, pain, anxiety) are whole numbers 0-10; a float is rounded half up (7.5 -> 8).
- Privacy: the log never holds a sender id, a name or a note; it names a caregiver by a short
  sha256 prefix (`sender_tag`). `delete_caregiver` removes every row of a caregiver.
"""

from __future__ import annotations

import csv
import dataclasses
import enum
import hashlib
import io
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    select,
)
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import declarative_base, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

ROUTINES = ("hand", "foot", "other")
RATINGS = ("comfort", "pain", "anxiety")
# For each rating, +1 when a higher number is better, -1 when lower is better.
RATING_DIRECTION = {"comfort": 1, "pain": -1, "anxiety": -1}
NOTE_MAX = 500
NAME_MAX = 60
SENDER_MAX = 255
DURATION_MAX = 240
EXPORT_MAX_SESSIONS = 100
# Trend: compare the latest sessions with the earlier ones (see `Journal.summary`).
TREND_MIN_SESSIONS = 4
TREND_RECENT = 3
TREND_THRESHOLD = 1.0

IMPROVING = "improving"
SAME = "about the same"
HARDER = "harder lately"
NOT_ENOUGH = "not enough data"

T = TypeVar("T")


def sender_tag(sender_id: str) -> str:
    """A short, stable, non-reversible label for logs (never log the sender id itself)."""
    return hashlib.sha256(str(sender_id).encode("utf-8", "replace")).hexdigest()[:10]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware (UTC), SQLite included."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError("UTCDateTime needs a datetime")
        value = _as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else _as_utc(value)


Base = declarative_base()


class Meta(Base):
    __tablename__ = "journal_meta"

    key = Column(String(40), primary_key=True)
    value = Column(String(200), nullable=False)


class Caregiver(Base):
    """One caregiver, identified by the conversation's sender id."""

    __tablename__ = "journal_caregivers"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(SENDER_MAX), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class Person(Base):
    """The person cared for: a first name or an alias only, never a full identity."""

    __tablename__ = "journal_persons"
    __table_args__ = (UniqueConstraint("caregiver_id", "name", name="uq_journal_person_name"),)

    id = Column(Integer, primary_key=True)
    caregiver_id = Column(
        Integer, ForeignKey("journal_caregivers.id", ondelete="CASCADE"), nullable=False
    )
    name = Column(String(NAME_MAX), nullable=False)


def _rating_check(col: str) -> CheckConstraint:
    return CheckConstraint(f"{col} IS NULL OR ({col} >= 0 AND {col} <= 10)", name=f"ck_js_{col}")


class MassageSession(Base):
    """One massage session (named so to keep clear of SQLAlchemy's own Session)."""

    __tablename__ = "journal_sessions"
    __table_args__ = (
        CheckConstraint("routine IN ('hand', 'foot', 'other')", name="ck_js_routine"),
        CheckConstraint(
            "duration_minutes IS NULL OR (duration_minutes >= 1 AND duration_minutes <= 240)",
            name="ck_js_duration",
        ),
        *[_rating_check(f"{r}_{w}") for r in RATINGS for w in ("before", "after")],
        Index("ix_journal_sessions_caregiver_started", "caregiver_id", "started_at"),
    )

    id = Column(Integer, primary_key=True)
    caregiver_id = Column(
        Integer, ForeignKey("journal_caregivers.id", ondelete="CASCADE"), nullable=False
    )
    person_id = Column(Integer, ForeignKey("journal_persons.id", ondelete="SET NULL"))
    routine = Column(String(10), nullable=False)
    started_at = Column(UTCDateTime, nullable=False)
    time_known = Column(Boolean, nullable=False, default=True)
    ended_at = Column(UTCDateTime)
    duration_minutes = Column(SmallInteger)
    comfort_before = Column(SmallInteger)
    comfort_after = Column(SmallInteger)
    pain_before = Column(SmallInteger)
    pain_after = Column(SmallInteger)
    anxiety_before = Column(SmallInteger)
    anxiety_after = Column(SmallInteger)
    note = Column(Text)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class ScreenResult(Base):
    """The outcome of one safety screen: its findings and verdict, as plain JSON."""

    __tablename__ = "journal_screens"
    __table_args__ = (
        Index("ix_journal_screens_caregiver_created", "caregiver_id", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    caregiver_id = Column(
        Integer, ForeignKey("journal_caregivers.id", ondelete="CASCADE"), nullable=False
    )
    findings = Column(JSON, nullable=False)
    verdict = Column(JSON, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


# --------------------------------------------------------------------------------------------
# Plain records handed back to callers (no ORM objects escape a unit of work)


@dataclass(frozen=True)
class SessionRecord:
    id: int
    routine: str
    started_at: datetime  # UTC; midnight when only the date was given
    time_known: bool
    ended_at: datetime | None
    duration_minutes: int | None
    before: dict[str, int | None]  # {"comfort": .., "pain": .., "anxiety": ..}
    after: dict[str, int | None]
    note: str | None
    person: str | None

    def change(self, rating: str) -> int | None:
        """after minus before for one rating, or None when either is missing."""
        b, a = self.before.get(rating), self.after.get(rating)
        return None if a is None or b is None else a - b


@dataclass(frozen=True)
class Summary:
    count: int
    # Mean of (after - before) per rating over the sessions that have both, one decimal;
    # None when no session has both. Negative pain/anxiety and positive comfort are good.
    average_change: dict[str, float | None]
    pairs: dict[str, int]  # how many sessions had both ratings, per rating
    trend: str  # IMPROVING | SAME | HARDER | NOT_ENOUGH
    first_date: date | None
    last_date: date | None
    total_minutes: int
    persons: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# Input checks (plain messages: they may reach a caregiver through the bot)


def _sender(sender_id: Any) -> str:
    if not isinstance(sender_id, str) or not sender_id.strip():
        raise ValueError("A conversation id is needed to keep a journal.")
    if len(sender_id) > SENDER_MAX:
        raise ValueError("That conversation id is too long.")
    return sender_id


def _routine(routine: Any) -> str:
    value = str(routine or "").strip().lower()
    value = {"hands": "hand", "feet": "foot", "foots": "foot"}.get(value, value)
    if value not in ROUTINES:
        raise ValueError("The routine should be hand, foot or other.")
    return value


def _round_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"{what} should be a number.")
    if isinstance(value, float) and value != value:  # NaN
        raise ValueError(f"{what} should be a number.")
    try:
        return int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    except (ArithmeticError, ValueError) as exc:  # inf and the like
        raise ValueError(f"{what} should be a number.") from exc


def _duration(value: Any) -> int | None:
    if value is None:
        return None
    minutes = _round_int(value, "The duration")
    if not 1 <= minutes <= DURATION_MAX:
        raise ValueError(f"The duration should be between 1 and {DURATION_MAX} minutes.")
    return minutes


def _ratings(values: Mapping[str, Any] | None, when: str) -> dict[str, int | None]:
    out: dict[str, int | None] = dict.fromkeys(RATINGS)
    if values is None:
        return out
    if not isinstance(values, Mapping):
        raise ValueError(f"The {when} ratings should be given by name (comfort, pain, anxiety).")
    for key, raw in values.items():
        name = str(key).strip().lower()
        if name not in RATINGS:
            raise ValueError(f"Unknown rating '{key}': use comfort, pain or anxiety.")
        if raw is None:
            continue
        number = _round_int(raw, f"The {name} rating")
        if not 0 <= number <= 10:
            raise ValueError(f"The {name} rating should be between 0 and 10.")
        out[name] = number
    return out


def _plain_text(value: Any) -> str:
    """One line of text, spaces collapsed. NUL characters are dropped: PostgreSQL refuses
    them in text ("A string literal cannot contain NUL"), and a caregiver never means one."""
    return " ".join(str(value).replace("\x00", "").split())


def _note(note: Any) -> str | None:
    if note is None:
        return None
    text = _plain_text(note)
    if not text:
        return None
    return text if len(text) <= NOTE_MAX else text[: NOTE_MAX - 1].rstrip() + "\u2026"


def _person_name(person: Any) -> str | None:
    if person is None:
        return None
    name = _plain_text(person)
    if not name:
        return None
    if len(name) > NAME_MAX:
        raise ValueError("Please use just a first name or a short nickname.")
    return name


def _when(when: Any) -> tuple[datetime, bool]:
    """(UTC start, time_known). Accepts None (now), a datetime, a date or an ISO string."""
    if when is None:
        return utcnow(), True
    if isinstance(when, str):
        text = when.strip()
        try:
            when = datetime.fromisoformat(text) if ("T" in text or " " in text) else (
                date.fromisoformat(text)
            )
        except ValueError as exc:
            raise ValueError("The session time should look like 2024-05-01 or "
                             "2024-05-01T14:30.") from exc
    if isinstance(when, datetime):
        started, known = _as_utc(when), True
    elif isinstance(when, date):
        started, known = datetime.combine(when, time(0, 0), tzinfo=timezone.utc), False
    else:
        raise ValueError("The session time should be a date or a date and time.")
    if started > utcnow() + timedelta(days=1):
        raise ValueError("That session time is in the future.")
    return started, known


def _json_default(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=str)
    raise TypeError(type(obj).__name__)


def _plain_json(value: Any, what: str) -> Any:
    try:
        return json.loads(json.dumps(value, default=_json_default))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"The {what} could not be stored as plain data.") from exc


# --------------------------------------------------------------------------------------------
# Engine


def _normalise_url(url: str) -> URL:
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


def make_journal_engine(url: URL, echo: bool = False) -> Engine:
    """An engine with sensible pool settings for the URL's backend."""
    kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": True, "echo": echo}
    sqlite = url.get_backend_name() == "sqlite"
    if sqlite:
        kwargs["connect_args"] = {"check_same_thread": False}
        if _is_sqlite_memory(url):
            kwargs["poolclass"] = StaticPool  # one shared connection, or each would be empty
        elif not (url.database or "").startswith("file:"):
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    else:
        kwargs.update(pool_size=5, max_overflow=5, pool_recycle=1800, pool_timeout=10)
    engine = create_engine(url, **kwargs)
    if sqlite:
        event.listen(engine, "connect", _sqlite_on_connect)
    return engine


# --------------------------------------------------------------------------------------------
# The repository


def _trend(scores: list[float]) -> str:
    """Compare the mean of the latest sessions with the mean of the earlier ones.

    `scores` is one wellbeing score (0-10, higher is better) per session, oldest first. With
    fewer than TREND_MIN_SESSIONS scores: "not enough data". Otherwise the latest
    min(TREND_RECENT, n // 2) sessions are compared with all the earlier ones: a difference of
    at least TREND_THRESHOLD points either way is "improving" or "harder lately", anything
    smaller "about the same".
    """
    if len(scores) < TREND_MIN_SESSIONS:
        return NOT_ENOUGH
    k = min(TREND_RECENT, len(scores) // 2)
    recent, earlier = scores[-k:], scores[:-k]
    diff = sum(recent) / len(recent) - sum(earlier) / len(earlier)
    if diff >= TREND_THRESHOLD:
        return IMPROVING
    if diff <= -TREND_THRESHOLD:
        return HARDER
    return SAME


def _wellbeing(rec: SessionRecord) -> float | None:
    """How the person was at a session, 0-10 with higher better.

    Uses the ratings taken before the session (how the day was going), or the after ones when
    no before rating was recorded; pain and anxiety count as 10 minus the rating.
    """
    for side in (rec.before, rec.after):
        values = [
            (v if RATING_DIRECTION[r] > 0 else 10 - v)
            for r, v in side.items()
            if v is not None
        ]
        if values:
            return sum(values) / len(values)
    return None


def _csv_safe(value: Any) -> Any:
    """Keep spreadsheet programs from running a note as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _fmt_change(value: float | None) -> str:
    if value is None:
        return "no before-and-after pairs yet"
    return f"{value:+.1f}"


class Journal:
    """The caregiver journal over one database URL. Cheap to construct; connects on first use."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self._url = _normalise_url(url)
        self._echo = echo
        self._engine: Engine | None = None
        self._sessions: sessionmaker | None = None
        self._lock = threading.Lock()

    # -- plumbing ------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The engine, created (with the schema) on first access."""
        self._ready()
        assert self._engine is not None
        return self._engine

    @property
    def backend(self) -> str:
        return self._url.get_backend_name()

    def _ready(self) -> sessionmaker:
        if self._sessions is not None:
            return self._sessions
        with self._lock:
            if self._sessions is None:
                engine = make_journal_engine(self._url, self._echo)
                try:
                    self._create_schema(engine)
                except Exception:
                    engine.dispose()
                    raise
                self._engine = engine
                self._sessions = sessionmaker(bind=engine, future=True, expire_on_commit=False)
        return self._sessions

    @staticmethod
    def _create_schema(engine: Engine) -> None:
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

    def schema_version(self) -> int:
        """The schema version recorded in the database."""
        with self._ready()() as s:
            row = s.get(Meta, "schema_version")
            return int(row.value) if row is not None else 0

    def close(self) -> None:
        """Release the connection pool (the journal reconnects if used again)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = None
            self._sessions = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _write(self, work: Callable[[OrmSession], T]) -> T:
        """Run `work` in one transaction; retried once if a concurrent insert collided."""
        maker = self._ready()
        for attempt in (1, 2):
            try:
                with maker() as s, s.begin():
                    return work(s)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _read(self, work: Callable[[OrmSession], T]) -> T:
        with self._ready()() as s:
            return work(s)

    @staticmethod
    def _caregiver_id(s: OrmSession, sender_id: str, create: bool = False) -> int | None:
        cid = s.execute(
            select(Caregiver.id).where(Caregiver.sender_id == sender_id)
        ).scalar_one_or_none()
        if cid is None and create:
            row = Caregiver(sender_id=sender_id, created_at=utcnow())
            s.add(row)
            s.flush()
            cid = row.id
        return cid

    # -- sessions ------------------------------------------------------------------------

    def log_session(
        self,
        sender_id: str,
        routine: str,
        duration_minutes: float | None = None,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        note: str | None = None,
        person: str | None = None,
        when: datetime | date | str | None = None,
    ) -> int:
        """Record one session and return its id.

        `before`/`after` map rating names (comfort, pain, anxiety) to 0-10 numbers or None.
        `when` is a datetime (naive = UTC), a date (time unknown) or an ISO string; default now.
        Raises ValueError with a plain message for anything that does not fit.
        """
        sid = _sender(sender_id)
        kind = _routine(routine)
        minutes = _duration(duration_minutes)
        b, a = _ratings(before, "before"), _ratings(after, "after")
        text = _note(note)
        name = _person_name(person)
        started, time_known = _when(when)
        ended = started + timedelta(minutes=minutes) if (time_known and minutes) else None

        def work(s: OrmSession) -> int:
            cid = self._caregiver_id(s, sid, create=True)
            person_id = None
            if name is not None:
                person_id = s.execute(
                    select(Person.id).where(Person.caregiver_id == cid, Person.name == name)
                ).scalar_one_or_none()
                if person_id is None:
                    p = Person(caregiver_id=cid, name=name)
                    s.add(p)
                    s.flush()
                    person_id = p.id
            row = MassageSession(
                caregiver_id=cid,
                person_id=person_id,
                routine=kind,
                started_at=started,
                time_known=time_known,
                ended_at=ended,
                duration_minutes=minutes,
                note=text,
                created_at=utcnow(),
                **{f"{r}_before": b[r] for r in RATINGS},
                **{f"{r}_after": a[r] for r in RATINGS},
            )
            s.add(row)
            s.flush()
            return int(row.id)

        session_id = self._write(work)
        log.info("journal: session %s logged for caregiver %s", session_id, sender_tag(sid))
        return session_id

    def _sessions_of(
        self, s: OrmSession, sender_id: str, limit: int | None, newest_first: bool
    ) -> list[SessionRecord]:
        cid = self._caregiver_id(s, sender_id)
        if cid is None:
            return []
        order = (
            (MassageSession.started_at.desc(), MassageSession.id.desc())
            if newest_first
            else (MassageSession.started_at.asc(), MassageSession.id.asc())
        )
        stmt = (
            select(MassageSession, Person.name)
            .outerjoin(Person, Person.id == MassageSession.person_id)
            .where(MassageSession.caregiver_id == cid)
            .order_by(*order)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        out = []
        for row, person in s.execute(stmt).all():
            out.append(
                SessionRecord(
                    id=row.id,
                    routine=row.routine,
                    started_at=row.started_at,
                    time_known=bool(row.time_known),
                    ended_at=row.ended_at,
                    duration_minutes=row.duration_minutes,
                    before={r: getattr(row, f"{r}_before") for r in RATINGS},
                    after={r: getattr(row, f"{r}_after") for r in RATINGS},
                    note=row.note,
                    person=person,
                )
            )
        return out

    def recent_sessions(self, sender_id: str, limit: int = 5) -> list[SessionRecord]:
        """The caregiver's latest sessions, newest first (empty for an unknown caregiver)."""
        sid = _sender(sender_id)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError("The number of sessions to show should be 1 or more.")
        return self._read(lambda s: self._sessions_of(s, sid, min(limit, 1000), True))

    def summary(self, sender_id: str) -> Summary:
        """Counts, average before/after change per rating, trend and date range.

        The trend compares how the person was at the latest sessions with the earlier ones
        (see `_wellbeing` and `_trend`): it describes how things are going, not how well the
        massage works; the average changes describe that.
        """
        sid = _sender(sender_id)
        records = self._read(lambda s: self._sessions_of(s, sid, None, False))
        return self._summarise(records)

    @staticmethod
    def _summarise(records: list[SessionRecord]) -> Summary:
        changes: dict[str, float | None] = {}
        pairs: dict[str, int] = {}
        for r in RATINGS:
            diffs = [c for c in (rec.change(r) for rec in records) if c is not None]
            pairs[r] = len(diffs)
            changes[r] = (
                float(Decimal(str(sum(diffs) / len(diffs))).quantize(
                    Decimal("0.1"), rounding=ROUND_HALF_UP))
                if diffs else None
            )
        scores = [w for w in (_wellbeing(rec) for rec in records) if w is not None]
        persons: list[str] = []
        for rec in records:
            if rec.person and rec.person not in persons:
                persons.append(rec.person)
        return Summary(
            count=len(records),
            average_change=changes,
            pairs=pairs,
            trend=_trend(scores),
            first_date=records[0].started_at.date() if records else None,
            last_date=records[-1].started_at.date() if records else None,
            total_minutes=sum(rec.duration_minutes or 0 for rec in records),
            persons=tuple(persons),
        )

    # -- exports -------------------------------------------------------------------------

    def export_text(self, sender_id: str) -> str:
        """A plain-text summary the caregiver can share with the nurse or care team."""
        sid = _sender(sender_id)
        records = self._read(lambda s: self._sessions_of(s, sid, None, False))
        summ = self._summarise(records)
        lines = ["Gentle Hands: massage journal",
                 f"Prepared {utcnow():%Y-%m-%d} (UTC), to share with the care team."]
        if summ.persons:
            lines.append("For: " + ", ".join(summ.persons))
        if not records:
            lines.append("No sessions logged yet.")
            return "\n".join(lines) + "\n"
        span = (f"on {summ.first_date}" if summ.first_date == summ.last_date
                else f"from {summ.first_date} to {summ.last_date}")
        plural = "session" if summ.count == 1 else "sessions"
        lines.append(f"Sessions logged: {summ.count} {plural}, {span}"
                     + (f", about {summ.total_minutes} minutes in all." if summ.total_minutes
                        else "."))
        lines.append("Average change from before to after a session (0-10 scale):")
        for r in RATINGS:
            hint = "higher is better" if RATING_DIRECTION[r] > 0 else "lower is better"
            n = summ.pairs[r]
            extra = f" ({hint}; {n} session{'s' if n != 1 else ''})" if n else ""
            lines.append(f"  - {r}: {_fmt_change(summ.average_change[r])}{extra}")
        lines.append(f"Trend: {summ.trend} (the latest sessions compared with the earlier ones).")
        lines.append("")
        shown = list(reversed(records))[:EXPORT_MAX_SESSIONS]
        lines.append("Sessions, most recent first:")
        for rec in shown:
            when = (f"{rec.started_at:%Y-%m-%d %H:%M} UTC" if rec.time_known
                    else f"{rec.started_at:%Y-%m-%d}")
            head = f"  {when}: {rec.routine}"
            if rec.duration_minutes:
                head += f", {rec.duration_minutes} min"
            if rec.person:
                head += f", with {rec.person}"
            parts = []
            for r in RATINGS:
                b, a = rec.before[r], rec.after[r]
                if b is None and a is None:
                    continue
                parts.append(f"{r} {'?' if b is None else b} -> {'?' if a is None else a}")
            if parts:
                head += "; " + ", ".join(parts)
            lines.append(head)
            if rec.note:
                lines.append(f"    note: {rec.note}")
        if len(records) > len(shown):
            lines.append(f"  (and {len(records) - len(shown)} earlier sessions)")
        lines.append("")
        lines.append("These are the caregiver's own ratings, not a medical record.")
        return "\n".join(lines) + "\n"

    def export_csv(self, sender_id: str) -> str:
        """All sessions as CSV (oldest first), one row each, with a header row."""
        sid = _sender(sender_id)
        records = self._read(lambda s: self._sessions_of(s, sid, None, False))
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(
            ["date", "time_utc", "routine", "duration_minutes", "person"]
            + [f"{r}_{w}" for r in RATINGS for w in ("before", "after")]
            + ["note"]
        )
        for rec in records:
            writer.writerow(
                [
                    rec.started_at.date().isoformat(),
                    f"{rec.started_at:%H:%M}" if rec.time_known else "",
                    rec.routine,
                    "" if rec.duration_minutes is None else rec.duration_minutes,
                    _csv_safe(rec.person or ""),
                ]
                + ["" if v is None else v
                   for r in RATINGS for v in (rec.before[r], rec.after[r])]
                + [_csv_safe(rec.note or "")]
            )
        return buf.getvalue()

    # -- screens -------------------------------------------------------------------------

    def save_screen(
        self,
        sender_id: str,
        findings: Sequence[Mapping[str, Any]],
        verdict: Mapping[str, Any],
        when: datetime | None = None,
    ) -> int:
        """Store a screen's findings (a list of dicts) and verdict (a dict); return its id.

        Values must be JSON data; dataclasses, enums, dates and sets are converted.
        """
        sid = _sender(sender_id)
        plain_findings = _plain_json(list(findings) if findings is not None else [], "findings")
        plain_verdict = _plain_json(verdict, "verdict")
        if not isinstance(plain_findings, list) or not all(
            isinstance(f, dict) for f in plain_findings
        ):
            raise ValueError("The findings should be a list of records.")
        if not isinstance(plain_verdict, dict):
            raise ValueError("The verdict should be a record.")
        if when is not None and not isinstance(when, datetime):
            raise ValueError("The screen time should be a date and time.")
        created = _as_utc(when) if when is not None else utcnow()

        def work(s: OrmSession) -> int:
            cid = self._caregiver_id(s, sid, create=True)
            row = ScreenResult(caregiver_id=cid, findings=plain_findings,
                               verdict=plain_verdict, created_at=created)
            s.add(row)
            s.flush()
            return int(row.id)

        screen_id = self._write(work)
        log.info("journal: screen %s saved for caregiver %s", screen_id, sender_tag(sid))
        return screen_id

    def latest_screen(self, sender_id: str, since: datetime) -> dict[str, Any] | None:
        """The newest screen saved at or after `since` (naive = UTC), or None.

        Returns {"id", "findings", "verdict", "created_at"} with created_at in UTC.
        """
        sid = _sender(sender_id)
        if not isinstance(since, datetime):
            raise ValueError("'since' should be a date and time.")
        since_utc = _as_utc(since)

        def work(s: OrmSession) -> dict[str, Any] | None:
            cid = self._caregiver_id(s, sid)
            if cid is None:
                return None
            row = s.execute(
                select(ScreenResult)
                .where(ScreenResult.caregiver_id == cid, ScreenResult.created_at >= since_utc)
                .order_by(ScreenResult.created_at.desc(), ScreenResult.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            if row is None:
                return None
            return {"id": row.id, "findings": row.findings, "verdict": row.verdict,
                    "created_at": row.created_at}

        return self._read(work)

    # -- erasure -------------------------------------------------------------------------

    def delete_caregiver(self, sender_id: str) -> int:
        """Remove everything stored for this caregiver; return the number of rows removed."""
        sid = _sender(sender_id)

        def work(s: OrmSession) -> int:
            cid = self._caregiver_id(s, sid)
            if cid is None:
                return 0
            removed = 0
            for model in (MassageSession, ScreenResult, Person):
                result = s.execute(
                    delete(model)
                    .where(model.caregiver_id == cid)
                    .execution_options(synchronize_session=False)
                )
                removed += max(result.rowcount or 0, 0)
            result = s.execute(
                delete(Caregiver)
                .where(Caregiver.id == cid)
                .execution_options(synchronize_session=False)
            )
            removed += max(result.rowcount or 0, 0)
            return removed

        removed = self._write(work)
        log.info("journal: caregiver %s erased (%d rows)", sender_tag(sid), removed)
        return removed
