"""The SpellingNormaliser component: tokens corrected for the featurisers, text untouched, so
the red-flag triage and everything else still read the caregiver's own words."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.spelling import get_speller
from components.safety_net import SafetyNet
from components.spelling import CORRECTIONS, SpellingNormaliser
from components.text_guard import TextGuard


@pytest.fixture(scope="module")
def normaliser() -> SpellingNormaliser:
    return SpellingNormaliser(get_speller())


def tokenised(text: str) -> Message:
    message = Message(data={TEXT: text})
    TextGuard().process([message])
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    return message


def tokens(message: Message) -> list[tuple[str, Any]]:
    return [(t.text, t.lemma) for t in message.get(TOKENS_NAMES[TEXT])]


def test_tokens_are_corrected_and_the_text_is_not(normaliser: SpellingNormaliser) -> None:
    text = "can i massge her hands, she has pian in her tablats"
    message = tokenised(text)
    normaliser.process([message])
    assert message.get(TEXT) == text
    words = [t for t, _ in tokens(message)]
    assert words == ["can", "i", "massage", "her", "hands", "she", "has", "pain", "in", "her",
                     "tablets"]
    # the lemma the count featurisers read is the corrected word's
    assert dict(tokens(message))["tablets"] == "tablet"
    assert message.get(CORRECTIONS) == [("massge", "massage"), ("pian", "pain"),
                                        ("tablats", "tablets")]


def test_offsets_still_point_into_the_text(normaliser: SpellingNormaliser) -> None:
    message = tokenised("her anckle is swolen")
    normaliser.process([message])
    for token in message.get(TOKENS_NAMES[TEXT]):
        assert message.get(TEXT)[token.start:token.end]  # no token points past the text


def test_training_examples_get_the_same_correction(normaliser: SpellingNormaliser) -> None:
    example = tokenised("is massge ok")
    example.set(INTENT, "faq")
    normaliser.process_training_data(TrainingData([example]))
    assert [t for t, _ in tokens(example)] == ["is", "massage", "ok"]


@pytest.mark.parametrize("text", [
    "her calf is swolen and red and hot",       # a possible clot, in the caregiver's spelling
    "hes bleading and it wont stop",
    "shes having a sezure",
    "he fell and hit his head, theres blood",
])
def test_a_correction_never_hides_a_red_flag(normaliser: SpellingNormaliser, text: str) -> None:
    """SafetyNet reads the text, which the normaliser leaves alone: the verdict is the same
    with the normaliser in front as without it."""
    net = SafetyNet()
    plain, spelled = tokenised(text), tokenised(text)
    normaliser.process([spelled])
    net.process([plain, spelled])
    assert plain.get(INTENT)["name"] == "red_flag"
    assert spelled.get(INTENT) == plain.get(INTENT)
    assert spelled.get(ENTITIES) == plain.get(ENTITIES)


def test_the_fingerprint_follows_the_vocabulary() -> None:
    first = SpellingNormaliser.fingerprint_addon({})
    assert first and first == SpellingNormaliser.fingerprint_addon({})
