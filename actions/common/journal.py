"""The journal handle: one `Journal` (and engine) per database URL and process."""

from __future__ import annotations

from functools import lru_cache

from actions.common import settings
from bot.storage import Journal


@lru_cache(maxsize=4)
def _journal(url: str) -> Journal:
    return Journal(url)


def journal() -> Journal:
    """The journal for the configured database (one engine per URL and process)."""
    return _journal(settings.get().journal_db_url)
