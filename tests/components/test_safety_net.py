"""The SafetyNet component: deterministic intents no classifier can override."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.safety_net import SafetyNet
from components.text_guard import TextGuard


@pytest.fixture(scope="module")
def net() -> SafetyNet:
    return SafetyNet()


def classified(text: str, intent: str, confidence: float = 0.9,
               entities: list[dict[str, Any]] | None = None) -> Message:
    """A message as it leaves the classifiers: guarded text, an intent and a ranking."""
    message = Message(data={TEXT: text})
    TextGuard().process([message])
    top = {"name": intent, "confidence": confidence}
    message.set(INTENT, top)
    message.set(INTENT_RANKING_KEY, [top, {"name": "faq", "confidence": 0.05}])
    message.set(ENTITIES, entities or [])
    return message


def finding(value: str) -> dict[str, Any]:
    return {"entity": "finding", "value": value, "extractor": "FindingsExtractor"}


def intent_of(net: SafetyNet, message: Message) -> str:
    net.process([message])
    return str(message.get(INTENT)["name"])


def test_a_red_flag_wins_over_any_classifier(net: SafetyNet) -> None:
    message = classified("she has chest pain, what lotion should I use?", "faq", 0.99)
    assert intent_of(net, message) == "red_flag"
    tiers = [e["value"] for e in message.get(ENTITIES) if e["entity"] == "red_flag_tier"]
    assert tiers == ["emergency"]


def test_a_described_condition_the_classifier_missed_goes_to_the_screen(net: SafetyNet) -> None:
    message = classified("she had a clot years ago and it was treated", "nlu_fallback", 0.45,
                         [finding("suspected_clot|history||")])
    assert intent_of(net, message) == "inform_condition"


def test_an_absent_finding_alone_does_not(net: SafetyNet) -> None:
    message = classified("no fever at all", "nlu_fallback", 0.45,
                         [finding("fever_or_infection|absent||")])
    assert intent_of(net, message) == "nlu_fallback"


def test_a_confident_classifier_keeps_its_intent(net: SafetyNet) -> None:
    message = classified("is massage safe with a picc line?", "faq", 0.95,
                         [finding("picc_line|unsure||")])
    assert intent_of(net, message) == "faq"


def test_only_the_safety_net_may_say_red_flag(net: SafetyNet) -> None:
    message = classified("how long should a session be", "red_flag", 0.6)
    assert intent_of(net, message) == "faq"


@pytest.mark.parametrize("text, intent", [
    ("", "empty_message"), ("<script>alert(1)</script>", "empty_message"),
    ("😀😀", "empty_message"), ("¿cómo puedo masajear a mi madre?", "other_language"),
    ("how much morphine should I give her", "ask_medication"),
    ("please help " * 100, "long_message"),
])
def test_odd_messages_get_their_own_intent(net: SafetyNet, text: str, intent: str) -> None:
    assert intent_of(net, classified(text, "greet")) == intent
