"""Fixtures for action tests: a dispatcher, and trackers built from plain data."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def make_tracker(
    text: str = "",
    intent: str = "",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    response_selector: dict[str, Any] | None = None,
    sender_id: str = "test-caregiver",
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
    }
    if response_selector is not None:
        latest["response_selector"] = response_selector
    return Tracker(
        sender_id=sender_id,
        slots=slots or {},
        latest_message=latest,
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@pytest.fixture
def tracker_factory():
    return make_tracker


def after_action(tracker: Tracker, name: str, events: list[dict[str, Any]]) -> Tracker:
    """The tracker a follow-up action sees when Rasa runs it right after action `name` returned
    `events` (with a FollowupAction): their slots set, the same latest message."""
    slots = dict(tracker.slots)
    for event in events:
        if event.get("event") == "slot":
            slots[event["name"]] = event["value"]
    return Tracker(
        sender_id=tracker.sender_id,
        slots=slots,
        latest_message=tracker.latest_message,
        events=[*tracker.events, {"event": "action", "name": name}, *events],
        paused=False,
        followup_action=None,
        active_loop=tracker.active_loop,
        latest_action_name=name,
    )


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") or "" for m in dispatcher.messages]
