"""Rasa's SQL tracker store, plus "delete my data" for the conversation history.

When a turn ran `action_delete_data` (after the caregiver confirmed), saving that turn first
removes every stored event of that conversation, then keeps only what came after the action
(the restart it returns and a fresh session). Rasa's stock store only ever appends, and would
write the old events back from memory, so the deletion has to happen here, in the one place
that owns the tracker database.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

FORGET_ACTION = "action_delete_data"


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
