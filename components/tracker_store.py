"""Rasa's SQL tracker store, plus "delete my data" for the conversation history.

When a turn ran `action_delete_data` (after the caregiver confirmed), saving that turn first
removes every stored event of that conversation, then keeps only what came after the action
(the restart it returns and a fresh session). Rasa's stock store only ever appends, and would
write the old events back from memory, so the deletion has to happen here, in the one place
that owns the tracker database.

Importing this module also installs components.server_patches (a failed action or a failed
turn gets a kind reply instead of silence; a tracker store error is reported, not hidden in
a per-process memory; faster validation of the action server's responses): the tracker store
is the one project class every Rasa server of this project loads at start-up (endpoints.yml
and deploy/endpoints.yml both configure it).
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from components import server_patches

logger = logging.getLogger(__name__)

FORGET_ACTION = "action_delete_data"

server_patches.install()


def forget_marker(tracker: DialogueStateTracker) -> int | None:
    """Index of the last `action_delete_data` in the tracker's events, if any."""
    events = list(tracker.events)
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if isinstance(event, ActionExecuted) and event.action_name == FORGET_ACTION:
            return i
    return None


class ForgettingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore configured by a URL (`url:` in endpoints.yml) that can forget."""

    def __init__(self, domain: Any = None, host: str | None = None, **kwargs: Any) -> None:
        url = kwargs.pop("url", None) or host
        super().__init__(domain=domain, host=url, **kwargs)
        # Rasa's engine hands out pooled connections unchecked: after the database restarts,
        # each one fails its first query (a caregiver's turn) before the pool notices. With a
        # ping at checkout, a dead connection is replaced before anyone sees it.
        old, engine_url = self.engine, self.engine.url
        self.engine = sa.create_engine(engine_url, pool_pre_ping=True,
                                       **create_engine_kwargs(engine_url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        old.dispose()

    async def save(self, tracker: DialogueStateTracker) -> None:
        marker = forget_marker(tracker)
        if marker is None:
            await super().save(tracker)
            return
        with self.session_scope() as session:
            removed = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == tracker.sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        logger.info("Forgot a conversation at the caregiver's request (%d events).", removed)
        kept = DialogueStateTracker.from_events(
            tracker.sender_id,
            list(tracker.events)[marker + 1 :],
            slots=list(tracker.slots.values()),
            max_event_history=tracker._max_event_history,
        )
        await super().save(kept)
