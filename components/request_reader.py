"""Routine requests and estimate openings, read deterministically (bot/requests.py).

Entities: `routine` ("hand" | "foot") and `variant` ("standard" | "unconscious" | "dementia" |
"tired") whenever a message names them, so "she doesn't respond any more, how do I do her
feet?" starts the foot routine in its unconscious variant without asking how she is.

Intents, two rules no training example can unlearn (the classifier's ranking is kept in
`intent_ranking`, below the new intent):
- a message that gives at least one rating (pain or anxiety, 0-10) and asks what massage could
  do ("she rates her pain a 7, how much could massage help?") is `estimate_relief`. Never a
  bare answer ("6", "about a 7", "pain is 5 now": the forms read those), never a message the
  classifier heard as a condition (the safety check must hear it first) or as a schedule;
- a message that names the hand or the foot and asks to be guided through it ("dad's got
  dementia, can you walk me through a hand massage") is `start_routine`, when the classifier
  placed it with the FAQ, the variant answer, the basics or nowhere. Never when it describes
  a condition (a `finding` from the FindingsExtractor): that goes to the safety check.

Runs after the FindingsExtractor and before the SafetyNet, whose red flags and other checks
still win over both rules.
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

from bot.requests import (
    asks_for_routine,
    relief_question,
    routine_of,
    variant_of,
    warm_up,
)

EXTRACTOR = "RequestReader"
ESTIMATE = "estimate_relief"
START_ROUTINE = "start_routine"
CHOOSE_VARIANT = "choose_variant"
# What the classifier may have made of a routine request that is not one of the flows: these
# give way to start_routine when the message names a routine and asks to be guided through it.
ROUTINE_MAY_REPLACE = {
    "nlu_fallback", "faq", CHOOSE_VARIANT, "ask_question", "tell_more", "out_of_scope",
    "greet", "help", "affirm", "deny", "unsure", "thanks", "bot_challenge",
}
# Intents the estimate rule leaves alone: a condition or a safety check (the screen first), a
# new schedule for the estimate already given, and what belongs to a routine in progress.
ESTIMATE_KEEPS = {
    ESTIMATE, "estimate_schedule", "inform_condition", "start_screen", "routine_signal",
    "routine_command", "stop", "red_flag",
}


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
     DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER],
    is_trainable=False,
)
class RequestReader(GraphComponent):
    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> RequestReader:
        return cls()

    def __init__(self) -> None:
        warm_up()  # once per model load, so the first caregiver does not wait for it

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or text.lstrip().startswith("/"):
                continue
            self._process(message, text)
        return messages

    def _process(self, message: Message, text: str) -> None:
        routine, variant = routine_of(text), variant_of(text)
        if routine:
            self._add_entity(message, "routine", routine)
        if variant:
            self._add_entity(message, "variant", variant)
        intent = self._intent(message)
        if intent not in ESTIMATE_KEEPS and relief_question(text) is not None:
            self._set_intent(message, ESTIMATE)
            return
        if routine is None or intent == START_ROUTINE or intent not in ROUTINE_MAY_REPLACE:
            return
        if self._describes_a_condition(message):
            return
        if intent == CHOOSE_VARIANT or asks_for_routine(text):
            # choose_variant runs the same action; naming the routine makes it a request
            self._set_intent(message, START_ROUTINE)

    @staticmethod
    def _intent(message: Message) -> str:
        intent: dict[str, Any] | None = message.get(INTENT)
        return str((intent or {}).get(INTENT_NAME_KEY) or "nlu_fallback")

    @staticmethod
    def _describes_a_condition(message: Message) -> bool:
        return any(e.get("entity") == "finding" and "|absent|" not in str(e.get("value"))
                   for e in (message.get(ENTITIES) or []))

    @staticmethod
    def _add_entity(message: Message, entity: str, value: str) -> None:
        entities = [e for e in (message.get(ENTITIES) or [])
                    if not (e.get("entity") == entity and e.get("extractor") == EXTRACTOR)]
        entities.append({"entity": entity, "value": value, "extractor": EXTRACTOR,
                         "confidence_entity": 1.0})
        message.set(ENTITIES, entities, add_to_output=True)

    @staticmethod
    def _set_intent(message: Message, name: str) -> None:
        intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [r for r in (message.get(INTENT_RANKING_KEY) or [])
                   if r.get(INTENT_NAME_KEY) != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
