"""action_red_flag: stops any flow and gives the right number for the tier."""

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet

from actions.safety import ActionRedFlag
from tests.actions.conftest import texts


def flag_entities(tier: str, kind: str) -> list:
    return [
        {"entity": "red_flag_tier", "value": tier},
        {"entity": "red_flag_kind", "value": kind},
    ]


async def test_emergency_names_the_emergency_number(dispatcher, tracker_factory, monkeypatch):
    monkeypatch.setenv("EMERGENCY_NUMBER", "112")
    monkeypatch.setenv("HOSPICE_PHONE", "0800 123 456")
    tracker = tracker_factory(
        "she has chest pain", "red_flag", flag_entities("emergency", "chest_pain"),
        active_loop="screen_form",
    )
    events = await ActionRedFlag().run(dispatcher, tracker, {})
    # The form stops, and any routine is ended: nothing offers to go on with the massage.
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None),
                      SlotSet("routine_state", None), SlotSet("pending_routine", None)]
    (text,) = texts(dispatcher)
    assert "stop" in text.lower() and "112" in text and "0800 123 456" in text
    assert "Chest pain" in text


async def test_nurse_tier_points_to_the_hospice_first(dispatcher, tracker_factory, monkeypatch):
    monkeypatch.setenv("HOSPICE_PHONE", "555-0100")
    monkeypatch.delenv("EMERGENCY_NUMBER", raising=False)
    tracker = tracker_factory("she has a fever", "red_flag", flag_entities("nurse", "fever"))
    await ActionRedFlag().run(dispatcher, tracker, {})
    (text,) = texts(dispatcher)
    assert text.index("555-0100") < text.index("911")
    assert "fever" in text.lower()


async def test_defaults_when_nothing_is_configured(dispatcher, tracker_factory, monkeypatch):
    monkeypatch.delenv("HOSPICE_PHONE", raising=False)
    monkeypatch.delenv("EMERGENCY_NUMBER", raising=False)
    await ActionRedFlag().run(dispatcher, tracker_factory("x", "red_flag"), {})
    (text,) = texts(dispatcher)
    # an unknown kind errs on the safe side: emergency services
    assert "911" in text and "hospice gave you" in text


@pytest.mark.parametrize("kind", ["overwhelmed", "crisis"])
async def test_caregiver_distress_is_met_kindly(dispatcher, tracker_factory, kind):
    tier = "nurse" if kind == "overwhelmed" else "emergency"
    await ActionRedFlag().run(
        dispatcher, tracker_factory("...", "red_flag", flag_entities(tier, kind)), {}
    )
    (text,) = texts(dispatcher)
    assert "massage" not in text.lower()  # about the caregiver, not the routine
    assert "you" in text.lower()
