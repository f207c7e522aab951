"""components/server_patches.py, correction 8: a typed menu word is parsed as its button, as
Rasa parses a tap, after the right reply only; a red flag is never overridden."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker

from components import server_patches
from components.server_patches import (
    MENU_CHOICE,
    TYPED_TEXT,
    choose_typed_menu_word,
    offered_buttons,
)
from tests.understanding_sets import menu_buttons

pytestmark = pytest.mark.filterwarnings("ignore:Slot auto-fill",
                                        "ignore:Failed to parse arguments")
ROOT = Path(__file__).resolve().parents[2]
FOOT = '/start_routine{"routine": "foot"}'


@lru_cache(maxsize=1)
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


class Processor:
    """What the patch needs of a MessageProcessor: the domain."""

    def __init__(self) -> None:
        self.domain = domain()


class NLU:
    """Rasa's own parse_message, as a stand-in: the NLU's (mis)reading of every text."""

    def __init__(self, readings: dict[str, dict[str, Any]] | None = None) -> None:
        self.readings = readings or {}
        self.parsed: list[str] = []

    async def __call__(self, processor: Any, message: Any, tracker: Any = None,
                       only_output_properties: bool = True) -> dict[str, Any]:
        self.parsed.append(message.text)
        reading = self.readings.get(message.text, {"intent": {"name": "nlu_fallback",
                                                              "confidence": 0.4}})
        return {"text": message.text, "entities": [], "intent_ranking": [],
                "response_selector": {"faq": {}}, **reading}


def conversation(*events: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("rest:caregiver", list(events),
                                            slots=domain().slots)


def asked(name: str, text: str = "...") -> BotUttered:
    return BotUttered(text, data={"buttons": menu_buttons(name)})


async def parse(text: str, tracker: DialogueStateTracker | None, nlu: NLU | None = None
                ) -> dict[str, Any]:
    message = UserMessage(text, CollectingOutputChannel(), tracker.sender_id if tracker else "c")
    return await choose_typed_menu_word(nlu or NLU())(Processor(), message, tracker)


def sdk_tracker(tracker: DialogueStateTracker, text: str, parsed: dict[str, Any]) -> Tracker:
    """The conversation as the action server receives it, after this message."""
    tracker.update(UserUttered(text, parsed["intent"], parsed["entities"], parsed), domain())
    return Tracker.from_dict(tracker.current_state(EventVerbosity.AFTER_RESTART))


async def test_a_typed_title_after_the_main_menu_starts_that_routine():
    from actions.routine import routine_from

    tracker = conversation(ActionExecuted("action_greet"), asked("main", "Hello, ..."),
                           ActionExecuted("action_listen"))
    parsed = await parse("foot massge", tracker)
    assert parsed["intent"] == {"name": "start_routine", "confidence": 1.0}
    assert [(e["entity"], e["value"]) for e in parsed["entities"]] == [("routine", "foot")]
    assert parsed["text"] == "foot massge"  # the parse keeps what was typed
    assert parsed[MENU_CHOICE] == FOOT
    assert "response_selector" not in parsed  # a tap has none either
    assert routine_from(sdk_tracker(tracker, "foot massge", parsed)) == "foot"
    assert tracker.latest_message.text == "foot massge"  # so does the stored event


async def test_the_variant_question_hears_asleep():
    from actions.routine import variant_from

    tracker = conversation(asked("variant", "How are they right now?"))
    parsed = await parse("she's asleep", tracker)
    assert parsed["intent"]["name"] == "choose_variant"
    assert variant_from(sdk_tracker(tracker, "she's asleep", parsed)) == "unconscious"


async def test_the_check_in_form_gets_the_title_as_if_tapped():
    from actions.routine import ValidateCheckinForm

    tracker = conversation(ActiveLoop("checkin_form"), SlotSet("requested_slot",
                                                               "checkin_response"),
                           asked("checkin", "How did they respond to the massage?"))
    nlu = NLU({"Fell asleep": {"intent": {"name": "inform", "confidence": 0.7}}})
    parsed = await parse("fell aslep", tracker, nlu)
    assert nlu.parsed == ["fell aslep", "Fell asleep"]  # parsed again, as the tapped text
    assert parsed["text"] == "Fell asleep" and parsed["intent"]["name"] == "inform"
    assert parsed[TYPED_TEXT] == "fell aslep" and parsed[MENU_CHOICE] == "Fell asleep"
    answer = ValidateCheckinForm._answer("checkin_response",
                                         sdk_tracker(tracker, "fell aslep", parsed))
    assert answer == {"checkin_response": "Fell asleep"}
    assert tracker.latest_message.text == "fell aslep"


async def test_the_exact_plain_payload_is_not_parsed_twice():
    nlu = NLU()
    parsed = await parse("Fell asleep", conversation(asked("checkin")), nlu)
    assert nlu.parsed == ["Fell asleep"] and parsed[MENU_CHOICE] == "Fell asleep"


@pytest.mark.parametrize("events", [
    [],  # a new conversation
    [BotUttered("Here is the answer.")],  # the last reply had no buttons
    [asked("main"), BotUttered("Before you start...")],  # the buttons were not last
    [asked("main"), UserUttered("hi", {"name": "greet"}), BotUttered("Hello again.")],
    [asked("main"), UserUttered("what?", {"name": "nlu_fallback"})],  # answered already
    [asked("main"), ActionExecuted("action_session_start"), SessionStarted()],
    [asked("main"), Restarted()],
])
async def test_nothing_changes_without_buttons_just_offered(events):
    nlu = NLU()
    parsed = await parse("foot massge", conversation(*events), nlu)
    assert parsed["intent"]["name"] == "nlu_fallback" and MENU_CHOICE not in parsed
    assert nlu.parsed == ["foot massge"]


async def test_a_red_flag_always_wins():
    red = {"intent": {"name": "red_flag", "confidence": 1.0},
           "entities": [{"entity": "red_flag_tier", "value": "emergency"},
                        {"entity": "red_flag_kind", "value": "unresponsive"}]}
    # a made-up case: the NLU flags what the menu words would take for a choice
    nlu = NLU({"asleep": red})
    parsed = await parse("asleep", conversation(asked("variant")), nlu)
    assert parsed["intent"]["name"] == "red_flag" and parsed["entities"] == red["entities"]
    assert MENU_CHOICE not in parsed


async def test_a_slash_payload_and_a_sentence_are_left_to_the_nlu():
    tracker = conversation(asked("main"))
    payload = await parse('/start_routine{"routine": "hand"}', tracker)
    assert MENU_CHOICE not in payload
    sentence = await parse("is foot massage safe with a PICC line in her arm", tracker)
    assert MENU_CHOICE not in sentence


async def test_no_conversation_no_menu():
    """The HTTP API's /model/parse and correction 2's red-flag check parse without one."""
    assert MENU_CHOICE not in await parse("foot massge", None)


async def test_a_payload_whose_intent_the_domain_lacks_changes_nothing():
    tracker = conversation(BotUttered("?", data={"buttons": [
        {"title": "Foot massage", "payload": '/no_such_intent{"routine": "foot"}'}]}))
    parsed = await parse("foot", tracker)
    assert parsed["intent"]["name"] == "nlu_fallback" and MENU_CHOICE not in parsed


async def test_an_error_keeps_the_nlus_parse(monkeypatch, caplog):
    import bot.menus

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.menus, "resolve", broken)
    with caplog.at_level("ERROR"):
        parsed = await parse("foot", conversation(asked("main")))
    assert parsed["intent"]["name"] == "nlu_fallback"
    assert "typed menu word" in caplog.text and "rest:caregiver" not in caplog.text


def test_the_buttons_offered_are_those_of_the_last_bot_message():
    buttons = menu_buttons("checkin")
    assert offered_buttons(conversation(BotUttered("q", data={"buttons": buttons}),
                                        ActionExecuted("action_listen"))) == buttons
    assert offered_buttons(None) == []


def test_install_wraps_parse_message_once():
    from rasa.core.processor import MessageProcessor

    server_patches.install()
    wrapped = MessageProcessor.parse_message
    server_patches.install()
    assert MessageProcessor.parse_message is wrapped
    assert getattr(wrapped, "_gentle_hands_patched", False)
