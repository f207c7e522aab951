"""The RequestReader component: routine and variant entities, and two deterministic intents."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.request_reader import (
    ESTIMATE_KEEPS,
    EXTRACTOR,
    ROUTINE_MAY_REPLACE,
    RequestReader,
)
from components.safety_net import SafetyNet
from components.text_guard import TextGuard


@pytest.fixture(scope="module")
def reader() -> RequestReader:
    return RequestReader()


def classified(text: str, intent: str, confidence: float = 0.8,
               entities: list[dict[str, Any]] | None = None) -> Message:
    """A message as it leaves the classifiers and the FindingsExtractor."""
    message = Message(data={TEXT: text})
    TextGuard().process([message])
    top = {"name": intent, "confidence": confidence}
    message.set(INTENT, top)
    message.set(INTENT_RANKING_KEY, [top, {"name": "greet", "confidence": 0.05}])
    message.set(ENTITIES, entities or [])
    return message


def read(reader: RequestReader, text: str, intent: str, confidence: float = 0.8,
         **kw: Any) -> Message:
    message = classified(text, intent, confidence, **kw)
    reader.process([message])
    return message


def entities(message: Message) -> dict[str, str]:
    return {e["entity"]: e["value"] for e in message.get(ENTITIES)
            if e.get("extractor") == EXTRACTOR}


def intent_of(message: Message) -> str:
    return str(message.get(INTENT)["name"])


# --- routine requests -----------------------------------------------------------------------

@pytest.mark.parametrize("text, classifier, routine, variant", [
    ("she doesn't respond any more, how do I do her feet?", "faq", "foot", "unconscious"),
    ("dad's got dementia, can you walk me through a hand massage", "start_routine", "hand",
     "dementia"),
    ("he's exhausted, just a quick foot rub", "choose_variant", "foot", "tired"),
    ("mum's awake and chatty, hand massage please", "nlu_fallback", "hand", "standard"),
])
def test_the_issues_requests_start_their_routine_in_their_variant(reader, text, classifier,
                                                                   routine, variant):
    message = read(reader, text, classifier)
    assert intent_of(message) == "start_routine"
    assert entities(message) == {"routine": routine, "variant": variant}
    extracted = [e for e in message.get(ENTITIES) if e["entity"] == "variant"]
    assert extracted == [{"entity": "variant", "value": variant, "extractor": "RequestReader",
                          "confidence_entity": 1.0}]


def test_the_classifiers_ranking_is_kept_below(reader):
    message = read(reader, "she doesn't respond any more, how do I do her feet?", "faq", 0.7)
    assert message.get(INTENT) == {"name": "start_routine", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY) == [
        {"name": "start_routine", "confidence": 1.0}, {"name": "faq", "confidence": 0.7},
        {"name": "greet", "confidence": 0.05}]


def test_a_faq_question_keeps_its_intent_but_gets_the_entities(reader):
    message = read(reader, "is a foot massage safe if she's unconscious?", "faq")
    assert intent_of(message) == "faq"
    assert entities(message) == {"routine": "foot", "variant": "unconscious"}


def test_a_variant_answer_naming_no_routine_stays_a_variant_answer(reader):
    message = read(reader, "she's not unconscious, she's awake", "choose_variant")
    assert intent_of(message) == "choose_variant"
    assert entities(message) == {"variant": "standard"}


def test_a_described_condition_goes_to_the_safety_check_not_the_routine(reader):
    finding = {"entity": "finding", "value": "picc_line|present|arm|left",
               "extractor": "FindingsExtractor"}
    message = read(reader, "she has a PICC line in her left arm, walk me through a hand massage",
                   "inform_condition", entities=[finding])
    assert intent_of(message) == "inform_condition"
    message = read(reader, "she has a PICC line in her left arm, walk me through a hand massage",
                   "faq", entities=[finding])
    assert intent_of(message) == "faq"


@pytest.mark.parametrize("text, classifier", [
    ("next, her other hand", "routine_command"),
    ("she pulled her hand away", "routine_signal"),
    ("no hand massage today thanks", "deny"),
    ("how often should I massage her feet?", "faq"),
])
def test_other_messages_keep_their_intent(reader, text, classifier):
    assert intent_of(read(reader, text, classifier)) == classifier


def test_button_payloads_are_left_alone(reader):
    message = read(reader, '/start_routine{"routine": "foot"}', "start_routine")
    assert entities(message) == {}


# --- estimate openings ----------------------------------------------------------------------

@pytest.mark.parametrize("text, classifier", [
    ("she rates her pain a 7 and her worry a 5, how much could massage help?", "faq"),
    ("pain 4 anxiety 7 what could massage do", "faq"),
    ("hes really anxious, id say 9 out of 10, would massage calm him", "nlu_fallback"),
    ("his pain is about a six, would a foot rub ease it", "start_routine"),
])
def test_a_rating_with_a_question_about_massage_is_an_estimate(reader, text, classifier):
    message = read(reader, text, classifier, 0.6)
    assert message.get(INTENT) == {"name": "estimate_relief", "confidence": 1.0}
    ranking = message.get(INTENT_RANKING_KEY)
    assert ranking[0] == {"name": "estimate_relief", "confidence": 1.0}
    assert ranking[1:] == [{"name": classifier, "confidence": 0.6},
                           {"name": "greet", "confidence": 0.05}]


@pytest.mark.parametrize("text, classifier", [
    ("6", "nlu_fallback"), ("about a 7", "faq"), ("pain is 5 now", "faq"),
    ("pain 6", "nlu_fallback"),
    ("pain is 3 now, the massage really helped", "faq"),
    ("how much could massage help her pain?", "faq"),  # no rating: the FAQ answer
    ("pain 6, what about 3 times a week, would that help more", "estimate_schedule"),
    ("she has lymphoedema, pain 6, would massage help", "inform_condition"),
])
def test_answers_and_other_messages_are_not_estimates(reader, text, classifier):
    assert intent_of(read(reader, text, classifier)) == classifier


def test_the_safety_net_still_wins():
    reader, net = RequestReader(), SafetyNet()
    message = classified("she has sudden chest pain, 9/10, would massage help?", "faq")
    reader.process([message])
    assert intent_of(message) == "estimate_relief"
    net.process([message])
    assert intent_of(message) == "red_flag"


# --- the rules agree with the training data --------------------------------------------------

NLU = Path(__file__).resolve().parents[2] / "data" / "nlu"
ANNOTATION = re.compile(r"\[([^\]]+)\][({][^)}]*[)}]")


def training_examples() -> list[tuple[str, str]]:
    out = []
    for path in sorted(NLU.glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            intent = str(item.get("intent") or "").split("/")[0]
            for line in str(item.get("examples") or "").splitlines():
                text = ANNOTATION.sub(r"\1", line.strip().lstrip("-").strip())
                if intent and text:
                    out.append((intent, text))
    return out


def test_no_training_example_of_another_intent_is_taken_over(reader):
    # A rule that re-labelled what the classifier is taught would fight the training data:
    # if this fails, either the example or the rule (bot/requests.py) is wrong.
    taken = []
    for intent, text in training_examples():
        if intent in ("start_routine", "estimate_relief"):
            continue
        if intent not in ROUTINE_MAY_REPLACE and intent in ESTIMATE_KEEPS:
            continue  # neither rule may touch it
        message = read(reader, text, intent)
        if intent_of(message) != intent:
            taken.append((intent, text, intent_of(message)))
    assert taken == []
