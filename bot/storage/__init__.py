"""The caregiver journal: massage sessions, their before/after ratings, and screen results.

Plain SQLAlchemy 1.4 (declarative models, 2.0-style `select()`, `future=True` engine and
sessions), no Rasa. `Journal(url)` works with any SQLAlchemy URL; the caller chooses it (the bot
defaults to `sqlite:///var/journal.db`, but that default lives with the caller, not here).

- Nothing happens at import time. The engine is created on first use, and the schema is created
  then too (`create_all`, which leaves existing tables alone). For a SQLite file URL the parent
  directory is created. `postgres://` URLs are accepted as `postgresql://`.
- Schema version: `SCHEMA_VERSION`, also written to the `journal_meta` table (key
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

The modules:
- records.py: limits, UTC helpers, `sender_tag`, and the plain records (`SessionRecord`,
  `Summary`) handed back to callers.
- tables.py: the SQLAlchemy tables and `SCHEMA_VERSION`.
- engine.py: URL handling, engine and connect options per backend, schema creation.
- checks.py: input checks, with plain messages.
- summary.py: average changes and the trend.
- wording.py: every word the journal says, in the chat and in the text export.
- csv_export.py: the CSV export.
- repository.py: `Journal`, the reads and writes.
"""

from bot.storage.engine import make_journal_engine
from bot.storage.records import (
    DURATION_MAX,
    NAME_MAX,
    NOTE_MAX,
    RATING_DIRECTION,
    RATINGS,
    ROUTINES,
    SENDER_MAX,
    SessionRecord,
    Summary,
    sender_tag,
    utcnow,
)
from bot.storage.repository import Journal
from bot.storage.summary import TREND_MIN_SESSIONS, TREND_RECENT, TREND_THRESHOLD
from bot.storage.tables import (
    SCHEMA_VERSION,
    Base,
    Caregiver,
    MassageSession,
    Meta,
    Person,
    ScreenResult,
    UTCDateTime,
)
from bot.storage.wording import (
    EXPORT_MAX_SESSIONS,
    HARDER,
    IMPROVING,
    NOT_ENOUGH,
    SAME,
)

__all__ = [
    "DURATION_MAX",
    "EXPORT_MAX_SESSIONS",
    "HARDER",
    "IMPROVING",
    "NAME_MAX",
    "NOTE_MAX",
    "NOT_ENOUGH",
    "RATINGS",
    "RATING_DIRECTION",
    "ROUTINES",
    "SAME",
    "SCHEMA_VERSION",
    "SENDER_MAX",
    "TREND_MIN_SESSIONS",
    "TREND_RECENT",
    "TREND_THRESHOLD",
    "Base",
    "Caregiver",
    "Journal",
    "MassageSession",
    "Meta",
    "Person",
    "ScreenResult",
    "SessionRecord",
    "Summary",
    "UTCDateTime",
    "make_journal_engine",
    "sender_tag",
    "utcnow",
]
