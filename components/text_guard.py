"""First in the NLU pipeline: clean what arrives before anything reads it (see bot.textguard)."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.textguard import clean, strip_markup, valid_unicode

# Keys on the message that the SafetyNet reads later in the same pipeline.
GUARD = "gentle_hands_guard"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class TextGuard(GraphComponent):
    """Strips markup, caps the length and flags empty, emoji-only or truncated messages."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextGuard:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            raw: str | None = message.get(TEXT)
            if raw is None:
                continue
            raw = valid_unicode(raw)
            cleaned = clean(raw)
            message.set(
                GUARD,
                {
                    # the full cleaned text (before the cap), so no red flag is cut off
                    "full_text": clean_full(raw),
                    "truncated": cleaned.truncated,
                    "had_html": cleaned.had_html,
                    "empty": cleaned.empty,
                    "emoji_only": cleaned.emoji_only,
                },
            )
            message.set(TEXT, cleaned.text or " ")
        return messages


def clean_full(raw: str) -> str:
    """The whole message without markup, for the red-flag detector.

    Never capped: the classifiers read the first MAX_CHARS characters, but a red flag at the
    end of a long message must still be found (the request size limit bounds the work).
    """
    return " ".join(strip_markup(raw).split())
