"""A policy that makes a red flag win in any state, even in the middle of a form.

Rasa's RulePolicy predicts an active form's next step as a "no user" prediction, which beats
every other prediction; this policy answers a red-flag message the same way at a higher
priority, so `action_red_flag` always runs. It needs no training: it reads the intent that
the SafetyNet component set deterministically.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

RED_FLAG_INTENT = "red_flag"
RED_FLAG_ACTION = "action_red_flag"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT], is_trainable=True
)
class RedFlagPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 7}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Any | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)

    def train(
        self,
        training_trackers: list[TrackerWithCachedStates],
        domain: Domain,
        **kwargs: Any,
    ) -> Resource:
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource):
            pass  # nothing to learn; the resource marks the policy as trained

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RedFlagPolicy:
        return cls(config, model_storage, resource, execution_context)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        result = self._default_predictions(domain)
        latest_action = tracker.latest_action_name
        message = tracker.latest_message
        intent = (message.intent or {}).get("name") if message else None
        target: str | None = None
        if intent == RED_FLAG_INTENT and latest_action == ACTION_LISTEN_NAME:
            target = RED_FLAG_ACTION
        elif latest_action == RED_FLAG_ACTION:
            target = ACTION_LISTEN_NAME
        if target is None or target not in domain.action_names_or_texts:
            return self._prediction(result)
        result[domain.index_for_action(target)] = 1.0
        return self._prediction(result, is_no_user_prediction=True)
