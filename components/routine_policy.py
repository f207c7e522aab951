"""A policy that gives the routine in progress its own messages: `action_routine_step` runs.

While a routine is under way (the `routine_state` slot), "done", "again", "he sighed and
relaxed", or yes / no / not sure / stop belong to the routine, whatever rule the intent alone
would pick (a question, a message not understood, the menu): which messages is decided in
bot/routine_turn.py. This policy predicts `action_routine_step` for them, so the action that
really runs is the one the conversation records. It needs no training: it reads a slot and the
latest message.

Precedence, under DefaultPolicyPredictionEnsemble (rasa/core/policies/ensemble.py):
- a red flag always wins: RedFlagPolicy's prediction is a "no user" prediction, which beats any
  other, and this policy never claims the red_flag intent anyway;
- an active form keeps working: RulePolicy predicts the form's next step as a "no user"
  prediction, and this policy predicts nothing while a form (any loop) is active, so a
  rejected form's digression rules are not overridden either;
- otherwise its prediction (confidence 1, priority 6) beats RulePolicy's (priority 4 in Rasa
  3.6) and MemoizationPolicy's (3) on the turns it claims.

Yes or no to a question that has its own answer rules (`utter_confirm_delete`: "delete all your
data?") stays with those rules, in the middle of a routine too.

After `action_routine_step`, and after the routine's hand-overs (`FollowupAction`s of the
safety check, actions/common/handovers.py), it predicts `action_listen`, as the rules do after
the step action: no rule or story covers the turns it claimed, or a follow-up action.
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
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.routine_turn import ANSWER_INTENTS, routine_takes

STATE_SLOT = "routine_state"
STEP_ACTION = "action_routine_step"
# The safety check's hand-overs to the routine (FollowupAction; actions/common/handovers.py).
HANDOVER_ACTIONS = ("action_start_pending_routine", "action_replan_routine")
# After these, the routine waits for the caregiver.
LISTEN_AFTER = frozenset({STEP_ACTION, *HANDOVER_ACTIONS})
# Questions whose yes and no have their own rules (data/rules/journal.yml).
OWN_ANSWERS_AFTER = ("utter_confirm_delete",)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT], is_trainable=True
)
class RoutinePolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Below RedFlagPolicy (7), above RulePolicy (4) and MemoizationPolicy (3).
        return {"priority": 6, "own_answers_after": list(OWN_ANSWERS_AFTER)}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Any | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.own_answers_after = frozenset(config.get("own_answers_after") or ())

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
    ) -> RoutinePolicy:
        return cls(config, model_storage, resource, execution_context)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        result = self._default_predictions(domain)
        target = self.target(tracker)
        if target is None or target not in domain.action_names_or_texts:
            return self._prediction(result)
        result[domain.index_for_action(target)] = 1.0
        return self._prediction(result)

    def target(self, tracker: DialogueStateTracker) -> str | None:
        """The action this policy predicts next, or None to leave the turn to the others."""
        if tracker.active_loop_name:
            return None  # a form's turn (or, when it rejected the message, its digressions')
        latest = tracker.latest_action_name
        if latest in LISTEN_AFTER:
            return ACTION_LISTEN_NAME
        if latest != ACTION_LISTEN_NAME:
            return None
        message = tracker.latest_message
        intent = (message.intent or {}).get("name") if message else None
        text = message.text if message else None
        if intent in ANSWER_INTENTS and self.answers_a_question_of_its_own(tracker):
            return None
        if routine_takes(tracker.get_slot(STATE_SLOT), intent, text):
            return STEP_ACTION
        return None

    def answers_a_question_of_its_own(self, tracker: DialogueStateTracker) -> bool:
        """The bot's last action before this message asked a question with its own answers."""
        asked = tracker.get_last_event_for(ActionExecuted,
                                           action_names_to_exclude=[ACTION_LISTEN_NAME])
        return isinstance(asked, ActionExecuted) and asked.action_name in self.own_answers_after
