"""The journal's tables (SQLAlchemy 1.4 declarative models) and its schema version.

Schema version: `SCHEMA_VERSION` below, also written to the `journal_meta` table (key
"schema_version") when the schema is created. There is no Alembic yet: a later change to the
tables must bump the constant and add a migration. Tables are prefixed `journal_` so they can
share a database with Rasa's tracker store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
)
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

from bot.storage.records import NAME_MAX, RATINGS, SENDER_MAX, as_utc, utcnow

SCHEMA_VERSION = 1


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware (UTC), SQLite included."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError("UTCDateTime needs a datetime")
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


# Any: without SQLAlchemy's mypy plugin, mypy cannot take declarative_base()'s result as a class.
Base: Any = declarative_base()


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
