"""Screen findings from whatever the caregiver says, as entities (bot/findings.py).

"She has a PICC line in her left arm and bruises easily" gives two `finding` entities whose
values are "picc_line|present|arm|left" and "easy_bruising|present||". The screen's actions
read them, so nothing the caregiver already said is asked again.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.findings import extract_findings

ENTITY = "finding"


def encode(condition_id: str, status: str, area: str | None, side: str | None) -> str:
    return "|".join([condition_id, status, area or "", side or ""])


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
            for f in extract_findings(text):
                entities.append({
                    "entity": ENTITY,
                    "value": encode(f.condition_id, f.status, f.area, f.side),
                    "extractor": "FindingsExtractor",
                    "confidence_entity": 1.0,
                })
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
