"""Screen findings from whatever the caregiver says, as entities (bot/findings/).

"She has a PICC line in her left arm and bruises easily" gives two `finding` entities whose
values are "picc_line|present|arm|left" and "easy_bruising|present||". The screen's actions
read them, so nothing the caregiver already said is asked again.

A question the FAQ would answer in general ("is massage ok with bone mets?", "her platelets
are low, is massage safe?") is about the person's own condition when it names one: such a
`faq` message becomes `inform_condition`, whose rule answers with that condition's guidance
and source (bot/condition_advice.py `answers_faq`: general safety topics, or a message that
asks nothing, "her counts are down"; a condition that is a red flag itself is left to triage).
SafetyNet runs after this component, so a red flag still wins.
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

from bot.condition_advice import answers_faq
from bot.findings import extract_findings
from bot.screen import Finding

ENTITY = "finding"
FAQ = "faq"
INFORM = "inform_condition"
RESPONSE_SELECTOR = "response_selector"  # rasa.nlu.constants.RESPONSE_SELECTOR_PROPERTY_NAME


def encode(condition_id: str, status: str, area: str | None, side: str | None) -> str:
    return "|".join([condition_id, status, area or "", side or ""])


def faq_topic(message: Message) -> str | None:
    """The FAQ topic the ResponseSelector chose ("faq/pressure" -> "pressure"), or None."""
    selector = (message.get(RESPONSE_SELECTOR) or {}).get(FAQ) or {}
    key = str((selector.get("response") or {}).get("intent_response_key") or "")
    return key.split("/", 1)[1] if key.startswith(FAQ + "/") else None


def route_condition_question(message: Message, findings: list[Finding]) -> bool:
    """A general safety question naming a condition -> inform_condition. True if it did."""
    intent: dict[str, Any] = message.get(INTENT) or {}
    text = str(message.get(TEXT) or "")
    if intent.get(INTENT_NAME_KEY) != FAQ or not answers_faq(faq_topic(message), findings, text):
        return False
    new = {INTENT_NAME_KEY: INFORM, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [r for r in (message.get(INTENT_RANKING_KEY) or [])
               if r.get(INTENT_NAME_KEY) != INFORM]
    message.set(INTENT, new, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [new] + ranking, add_to_output=True)
    return True


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class FindingsExtractor(GraphComponent):
    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> FindingsExtractor:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or text.startswith("/"):
                continue
            entities = list(message.get(ENTITIES) or [])
            findings = extract_findings(text)
            for f in findings:
                entities.append({
                    "entity": ENTITY,
                    "value": encode(f.condition_id, f.status, f.area, f.side),
                    "extractor": "FindingsExtractor",
                    "confidence_entity": 1.0,
                })
            message.set(ENTITIES, entities, add_to_output=True)
            route_condition_question(message, findings)
        return messages
