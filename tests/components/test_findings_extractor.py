"""The FindingsExtractor: `finding` entities, and a general safety question about the person's
own condition routed to inform_condition (so it gets that condition's guidance)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.findings_extractor import FindingsExtractor, faq_topic
from components.safety_net import SafetyNet
from components.text_guard import TextGuard


@pytest.fixture(scope="module")
def extractor() -> FindingsExtractor:
    return FindingsExtractor()


def parsed(text: str, intent: str, topic: str | None = None,
           confidence: float = 0.8) -> Message:
    """A message as it leaves the classifiers and the ResponseSelector."""
    message = Message(data={TEXT: text})
    TextGuard().process([message])
    top = {"name": intent, "confidence": confidence}
    message.set(INTENT, top)
    message.set(INTENT_RANKING_KEY, [top, {"name": "inform_condition", "confidence": 0.1}])
    if topic:
        message.set("response_selector", {"faq": {"response": {
            "intent_response_key": f"faq/{topic}", "confidence": 0.9}, "ranking": []}})
    return message


def findings(message: Message) -> list[str]:
    return [str(e["value"]) for e in message.get(ENTITIES) or [] if e["entity"] == "finding"]


def intent(message: Message) -> str:
    return str(message.get(INTENT)["name"])


def test_findings_become_entities(extractor: FindingsExtractor) -> None:
    message = parsed("she has a PICC line in her left arm and bruises easily", "inform_condition")
    extractor.process([message])
    assert findings(message) == ["picc_line|present|arm|left", "easy_bruising|present||"]
    assert intent(message) == "inform_condition"


@pytest.mark.parametrize("text, topic, finding", [
    ("is massage ok with bone mets?", "safe_with_cancer", "bone_mets|unsure||"),
    ("her platelets are low, is massage safe?", "who_should_not", "low_platelets|present||"),
    ("dad has a catheter, anything to watch out for?", "medical_devices", "catheter|present||"),
    ("how hard can I press, he's on blood thinners", "pressure", "blood_thinners|present||"),
    ("he had a DVT a few months back, can I still massage him", "who_should_not",
     "suspected_clot|history||"),
])
def test_a_safety_question_about_a_condition_gets_its_guidance(
        extractor: FindingsExtractor, text: str, topic: str, finding: str) -> None:
    message = parsed(text, "faq", topic)
    extractor.process([message])
    assert finding in findings(message)
    assert intent(message) == "inform_condition"
    ranking = [r["name"] for r in message.get(INTENT_RANKING_KEY)]
    assert ranking[:2] == ["inform_condition", "faq"] and ranking.count("inform_condition") == 1
    assert faq_topic(message) == topic  # the selector's answer is left as it was


@pytest.mark.parametrize("text, topic", [
    ("is massage ok for someone who has cancer?", "safe_with_cancer"),  # no condition named
    ("can massage spread the cancer in her bones?", "spread_or_hasten"),  # not a safety topic
    ("she pulled her hand away, should I stop?", "signs_to_stop"),
    ("he isn't on blood thinners any more, how firm should I be", "pressure"),  # absent
    ("he broke his hip ten years ago, is massage ok?", "who_should_not"),  # healed: past
])
def test_other_questions_keep_the_faq_answer(extractor: FindingsExtractor, text: str,
                                             topic: str) -> None:
    message = parsed(text, "faq", topic)
    extractor.process([message])
    assert intent(message) == "faq"


@pytest.mark.parametrize("text", [
    "she has a fever, can I still massage her?",
    "I think he has a new clot in his calf, is massage ok?",
])
def test_red_flag_conditions_are_left_to_triage(extractor: FindingsExtractor, text: str) -> None:
    message = parsed(text, "faq", "who_should_not")
    extractor.process([message])
    assert intent(message) == "faq"


@pytest.mark.parametrize("text, topic", [
    ("her counts are down", "anxiety"),
    ("secondaries in her bones", "replace_medication"),
    ("her skin is paper thin", "clothing"),
    ("his blood counts are low, is touch still all right?", "unresponsive_person"),
])
def test_a_statement_or_touch_question_naming_a_condition_gets_its_guidance(
        extractor: FindingsExtractor, text: str, topic: str) -> None:
    message = parsed(text, "faq", topic)
    extractor.process([message])
    assert intent(message) == "inform_condition"


def test_a_question_on_another_topic_keeps_its_answer(extractor: FindingsExtractor) -> None:
    message = parsed("would massage help the burning in her feet?", "faq", "pain")
    extractor.process([message])
    assert intent(message) == "faq"


def test_only_faq_is_rerouted(extractor: FindingsExtractor) -> None:
    message = parsed("is it safe to massage her? she has a picc line", "start_screen",
                     "medical_devices")
    extractor.process([message])
    assert intent(message) == "start_screen"


def test_a_red_flag_still_wins_after_the_routing(extractor: FindingsExtractor) -> None:
    # SafetyNet runs last: a red flag in the same message overrides inform_condition
    message = parsed("she's on warfarin and now she has chest pain, is massage ok?", "faq",
                     "who_should_not")
    extractor.process([message])
    assert intent(message) == "inform_condition"
    SafetyNet().process([message])
    assert intent(message) == "red_flag"


def test_button_payloads_and_empty_text_are_left_alone(extractor: FindingsExtractor) -> None:
    message = parsed('/choose_topic{"faq_topic": "pressure"}', "faq", "pressure")
    extractor.process([message])
    assert intent(message) == "faq" and findings(message) == []


def test_faq_topic_without_a_selector() -> None:
    message: Any = Message(data={TEXT: "hi"})
    assert faq_topic(message) is None
