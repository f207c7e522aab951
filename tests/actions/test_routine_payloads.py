"""Button payloads typed by hand carry anything: the routine actions must not crash on them.

Found by tests/e2e/test_fuzz.py: '/routine_command{"command": "nope"}' mid-routine made
`action_routine_step` raise (bot.routines.apply rejects unknown commands), and a variant or a
command that is not a string ('{"variant": {"x": 1}}') could not even be looked up.
"""

import time

import pytest

from actions.routine import ActionRoutineStep, ActionStartRoutine, command_from, variant_from
from bot.screen import verdict_to_dict
from bot.verdict import Level, Verdict
from tests.actions.conftest import texts


@pytest.fixture(autouse=True)
def journal_db(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNAL_DB_URL", f"sqlite:///{tmp_path}/journal.db")


def entity(name, value):
    return [{"entity": name, "value": value}]


async def started(dispatcher, tracker_factory):
    tracker = tracker_factory(
        "/choose_variant", "choose_variant", entities=entity("variant", "standard"),
        slots={"screen_verdict": verdict_to_dict(Verdict(level=Level.GENTLE_OK, possible="x")),
               "screen_at": time.time(), "pending_routine": "hand"})
    events = await ActionStartRoutine().run(dispatcher, tracker, {})
    dispatcher.messages.clear()
    return next(e["value"] for e in events if e.get("name") == "routine_state")


@pytest.mark.parametrize("value", ["nope", "", None, 5, {"x": 1}, ["next"], "NEXT"])
async def test_an_unknown_command_payload_is_not_understood_kindly(dispatcher, tracker_factory,
                                                                   value):
    state = await started(dispatcher, tracker_factory)
    text = '/routine_command{"command": ' + repr(value) + "}"
    tracker = tracker_factory(text, "routine_command", entities=entity("command", value),
                              slots={"routine_state": state})
    events = await ActionRoutineStep().run(dispatcher, tracker, {})
    assert events == []  # the routine stays at its step
    assert "didn't catch that" in texts(dispatcher)[0]


async def test_a_known_command_payload_still_works(dispatcher, tracker_factory):
    state = await started(dispatcher, tracker_factory)
    tracker = tracker_factory('/routine_command{"command": "next"}', "routine_command",
                              entities=entity("command", "next"), slots={"routine_state": state})
    await ActionRoutineStep().run(dispatcher, tracker, {})
    assert texts(dispatcher)[0].startswith("Step 2 of ")


@pytest.mark.parametrize("value", [{"x": 1}, ["standard"], 7, None])
def test_entity_values_that_are_not_strings_are_ignored(tracker_factory, value):
    tracker = tracker_factory("/choose_variant", "choose_variant",
                              entities=entity("variant", value) + entity("command", value))
    assert variant_from(tracker) is None
    assert command_from(tracker) is None


async def test_a_variant_payload_that_is_not_a_string_asks_how_they_are(dispatcher,
                                                                       tracker_factory):
    tracker = tracker_factory(
        '/choose_variant{"variant": {"x": 1}}', "choose_variant",
        entities=entity("variant", {"x": 1}) + entity("routine", ["hand"]),
        slots={"screen_verdict": verdict_to_dict(Verdict(level=Level.GENTLE_OK, possible="x")),
               "screen_at": time.time(), "pending_routine": "hand"})
    await ActionStartRoutine().run(dispatcher, tracker, {})
    assert texts(dispatcher) == ["How are they right now?"]
