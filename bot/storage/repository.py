"""`Journal`: the journal's reads and writes over one database URL.

Nothing happens at import time: the engine, and the schema with it, is created on first use.
Every public method checks its input first (ValueError with a plain message) and hands back
plain records, never ORM objects.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from bot.storage import checks, wording
from bot.storage.csv_export import sessions_csv
from bot.storage.engine import create_schema, make_journal_engine, normalise_url
from bot.storage.records import RATINGS, SessionRecord, Summary, as_utc, sender_tag, utcnow
from bot.storage.summary import summarise
from bot.storage.tables import Caregiver, MassageSession, Meta, Person, ScreenResult

# The name the journal's log had as one module, kept so logging settings still apply.
log = logging.getLogger("bot.storage")

T = TypeVar("T")


class Journal:
    """The caregiver journal over one database URL. Cheap to construct; connects on first use."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self._url = normalise_url(url)
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
                    create_schema(engine)
                except Exception:
                    engine.dispose()
                    raise
                self._engine = engine
                self._sessions = sessionmaker(bind=engine, future=True, expire_on_commit=False)
        return self._sessions

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
        sid = checks.sender(sender_id)
        kind = checks.routine(routine)
        minutes = checks.duration(duration_minutes)
        b, a = checks.ratings(before, "before"), checks.ratings(after, "after")
        text = checks.note(note)
        name = checks.person_name(person)
        started, time_known = checks.when(when)
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

    def _all_sessions(self, sid: str) -> list[SessionRecord]:
        """Every session of a (checked) sender id, oldest first."""
        return self._read(lambda s: self._sessions_of(s, sid, None, False))

    def recent_sessions(self, sender_id: str, limit: int = 5) -> list[SessionRecord]:
        """The caregiver's latest sessions, newest first (empty for an unknown caregiver)."""
        sid = checks.sender(sender_id)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError("The number of sessions to show should be 1 or more.")
        return self._read(lambda s: self._sessions_of(s, sid, min(limit, 1000), True))

    def summary(self, sender_id: str) -> Summary:
        """Counts, average before/after change per rating, trend and date range.

        The trend compares how the person was at the latest sessions with the earlier ones
        (see `wellbeing` and `trend` in summary.py): it describes how things are going, not
        how well the massage works; the average changes describe that.
        """
        return summarise(self._all_sessions(checks.sender(sender_id)))

    # -- exports -------------------------------------------------------------------------

    def export_text(self, sender_id: str) -> str:
        """A plain-text summary the caregiver can share with the nurse or care team."""
        records = self._all_sessions(checks.sender(sender_id))
        return wording.export_text(records, summarise(records), utcnow())

    def export_csv(self, sender_id: str) -> str:
        """All sessions as CSV (oldest first), one row each, with a header row."""
        return sessions_csv(self._all_sessions(checks.sender(sender_id)))

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
        sid = checks.sender(sender_id)
        plain_findings = checks.plain_json(
            list(findings) if findings is not None else [], "findings"
        )
        plain_verdict = checks.plain_json(verdict, "verdict")
        if not isinstance(plain_findings, list) or not all(
            isinstance(f, dict) for f in plain_findings
        ):
            raise ValueError("The findings should be a list of records.")
        if not isinstance(plain_verdict, dict):
            raise ValueError("The verdict should be a record.")
        if when is not None and not isinstance(when, datetime):
            raise ValueError("The screen time should be a date and time.")
        created = as_utc(when) if when is not None else utcnow()

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
        sid = checks.sender(sender_id)
        if not isinstance(since, datetime):
            raise ValueError("'since' should be a date and time.")
        since_utc = as_utc(since)

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
        sid = checks.sender(sender_id)

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
