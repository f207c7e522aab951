"""Last in the NLU pipeline: checks that the intent classifier can never override.

Order: a red flag (bot.triage: one verdict per message, from the lexicon, temperatures given
as numbers and a classifier; read over the whole message, however long) > an empty or
emoji-only message > another language > a very long message > a medication or dose question.
Intents that only this component may assign (red_flag, empty_message, other_language,
long_message) are taken away from the classifier when the checks do not confirm them: the next
intent in the ranking is used. A message the classifier could not place that describes a
condition (a `finding` from the FindingsExtractor) goes to the safety check.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.textguard import asks_about_medication, other_language
from bot.triage import Triage
from components.text_guard import GUARD

RED_FLAG = "red_flag"
EMPTY = "empty_message"
OTHER_LANGUAGE = "other_language"
LONG = "long_message"
MEDICATION = "ask_medication"
INFORM = "inform_condition"
FALLBACK = "nlu_fallback"
GUARDED = {RED_FLAG, EMPTY, OTHER_LANGUAGE, LONG}
EXTRACTOR = "SafetyNet"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class SafetyNet(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyNet:
        return cls()

    def __init__(self) -> None:
        # Built once per model load (the matcher, and the classifier from build/triage/ or
        # trained there): never at import, never per message.
        self.triage = Triage()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._process(message)
        return messages

    def _process(self, message: Message) -> None:
        guard = message.get(GUARD) or {}
        text = message.get(TEXT) or ""
        full = guard.get("full_text") or text
        verdict = self.triage(full)
        if verdict.alarm:
            self._set_intent(message, RED_FLAG)
            self._add_entity(message, "red_flag_tier", verdict.tier)
            self._add_entity(message, "red_flag_kind", verdict.kind)
            return
        if guard.get("empty"):
            self._set_intent(message, EMPTY)
            return
        language = other_language(text)
        if language:
            self._set_intent(message, OTHER_LANGUAGE)
            self._add_entity(message, "language", language)
            return
        if guard.get("truncated"):
            self._set_intent(message, LONG)
            return
        if asks_about_medication(text):
            self._set_intent(message, MEDICATION)
            return
        self._demote_guarded(message)
        if self._unclassified(message) and self._has_finding(message):
            # "she had a clot years ago": the classifier was unsure, but the caregiver told us
            # something the safety check must hear.
            self._set_intent(message, INFORM)

    @staticmethod
    def _unclassified(message: Message) -> bool:
        intent: dict[str, Any] | None = message.get(INTENT)
        return not intent or intent.get(INTENT_NAME_KEY) == FALLBACK

    @staticmethod
    def _has_finding(message: Message) -> bool:
        return any(e.get("entity") == "finding" and "|absent|" not in str(e.get("value"))
                   for e in (message.get(ENTITIES) or []))

    @staticmethod
    def _set_intent(message: Message, name: str) -> None:
        intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get(INTENT_NAME_KEY) != name
        ]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)

    @staticmethod
    def _add_entity(message: Message, entity: str, value: str) -> None:
        entities = list(message.get(ENTITIES) or [])
        entities.append(
            {"entity": entity, "value": value, "extractor": EXTRACTOR, "confidence_entity": 1.0}
        )
        message.set(ENTITIES, entities, add_to_output=True)

    @staticmethod
    def _demote_guarded(message: Message) -> None:
        intent: dict[str, Any] | None = message.get(INTENT)
        if not intent or intent.get(INTENT_NAME_KEY) not in GUARDED:
            return
        ranking = [
            r
            for r in (message.get(INTENT_RANKING_KEY) or [])
            if r.get(INTENT_NAME_KEY) not in GUARDED
        ]
        fallback = {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(INTENT, ranking[0] if ranking else fallback, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
