"""Spelling normalised for the featurisers only (bot/spelling.py).

Placed right after the tokenizer: each token of the message text that bot.spelling corrects
gets the corrected word as its text and lemma, which is what the word and character n-gram
featurisers read. The message text itself is never changed, so everything that reads it (the
red-flag triage in SafetyNet, the findings extractor, the request reader, the tracker, the
journal) sees the caregiver's own words: a correction cannot hide a red flag or lose a word.
Training examples go through the same step, so the classifiers learn what they will see.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp import lemma_of
from bot.spelling import Speller, get_speller, project_vocabulary

# The corrections made, on the message (not in the parse output): for tests and debugging.
CORRECTIONS = "gentle_hands_spelling"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class SpellingNormaliser(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpellingNormaliser:
        return cls(get_speller())

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Retrain when the vocabulary changes (Rasa fingerprints only config and data)."""
        words = "\n".join(sorted(project_vocabulary()))
        return hashlib.sha256(words.encode("utf-8")).hexdigest()

    def __init__(self, speller: Speller) -> None:
        self.speller = speller

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            corrections = self._correct(message)
            if corrections:
                message.set(CORRECTIONS, corrections)
        return messages

    def _correct(self, message: Message) -> list[tuple[str, str]]:
        corrections = []
        for token in message.get(TOKENS_NAMES[TEXT]) or []:
            fixed = self.speller.correct(token.text)
            if fixed != token.text:
                corrections.append((token.text, fixed))
                token.text = fixed
                token.lemma = lemma_of(fixed)
        return corrections
