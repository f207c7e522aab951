"""components/routine_policy.py: mid-routine step words and answers go to action_routine_step.

Predictions on trackers built from events, and the ensemble's choice between this policy, the
red-flag policy and RulePolicy-like predictions (rasa/core/policies/ensemble.py), without
training a model. bot/routine_turn.py, the decision it reads, is tested here too.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.core.constants import MEMOIZATION_POLICY_PRIORITY, RULE_POLICY_PRIORITY
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from actions.common.handovers import REPLAN_ROUTINE, START_PENDING_ROUTINE
from bot.routine_turn import ANSWER_INTENTS, in_progress, is_step_words, routine_takes
from bot.routines import begin, plan
from bot.verdict import Level, Verdict
from components.red_flag_policy import RedFlagPolicy
from components.routine_policy import (
    HANDOVER_ACTIONS,
    LISTEN_AFTER,
    OWN_ANSWERS_AFTER,
    STEP_ACTION,
    RoutinePolicy,
)

pytestmark = pytest.mark.filterwarnings("ignore:Slot auto-fill",
                                        "ignore:Failed to parse arguments")
ROOT = Path(__file__).resolve().parents[2]
UNSET = object()


@lru_cache(maxsize=1)
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def state(**flags: Any) -> dict[str, Any]:
    """A hand routine's state at its first step, with `flags` (paused, stopped, finished)."""
    begun, _ = begin(plan("hand", Verdict(level=Level.GENTLE_OK, possible="x"), None))
    return {**begun, **flags}


def make(policy: type, tmp_path: Path, name: str) -> Any:
    config = policy.get_default_config()
    context = ExecutionContext(GraphSchema({}), "test")
    return policy.create(config, LocalModelStorage(tmp_path), Resource(name), context)


@pytest.fixture
def routine_policy(tmp_path) -> RoutinePolicy:
    return make(RoutinePolicy, tmp_path, "routine_policy")


@pytest.fixture
def red_flag_policy(tmp_path) -> RedFlagPolicy:
    return make(RedFlagPolicy, tmp_path, "red_flag_policy")


def tracker(text: str = "", intent: str | None = None, *, routine: Any = UNSET,
            asked: str = "action_routine_step", loop: str | None = None,
            after: list[Event] | None = None) -> DialogueStateTracker:
    """A conversation whose bot last ran `asked`, then listened; then the caregiver said `text`
    (read as `intent`), unless intent is None; then the `after` events."""
    events: list[Event] = [ActionExecuted("action_session_start"), SessionStarted(),
                           ActionExecuted(ACTION_LISTEN_NAME)]
    if routine is not UNSET:
        events.append(SlotSet("routine_state", routine))
    if loop:
        events += [ActionExecuted(loop), ActiveLoop(loop)]
    events.append(ActionExecuted(asked))
    if intent is not None:
        events += [ActionExecuted(ACTION_LISTEN_NAME),
                   UserUttered(text, intent={"name": intent, "confidence": 1.0})]
    events += after or []
    return DialogueStateTracker.from_events("rest:caregiver", events, slots=domain().slots)


def predicted(policy: Any, conversation: DialogueStateTracker) -> str | None:
    prediction = policy.predict_action_probabilities(conversation, domain())
    if prediction.max_confidence <= 0:
        return None
    return domain().action_names_or_texts[prediction.max_confidence_index]


# --- what the routine takes ------------------------------------------------------------------

@pytest.mark.parametrize("text, intent", [
    ("next", "faq"),  # "next" read as a question
    ("ok done", "nlu_fallback"),
    ("he sighed and relaxed", "faq"),  # a sign of comfort
    ("she winced", "nlu_fallback"),  # of discomfort
    ("again", "routine_command"),
    ('/routine_command{"command": "next"}', "routine_command"),
    ("she pulled her hand away", "routine_signal"),
    ("yes", "affirm"),  # "shall we go on?"
    ("no", "deny"),
    ("not sure", "unsure"),
    ("stop", "stop"),
])
def test_mid_routine_its_messages_go_to_the_step(routine_policy, text, intent):
    assert predicted(routine_policy, tracker(text, intent, routine=state())) == STEP_ACTION


def test_a_paused_routine_is_still_in_progress(routine_policy):
    conversation = tracker("yes", "affirm", routine=state(paused=True), asked="action_greet")
    assert predicted(routine_policy, conversation) == STEP_ACTION


@pytest.mark.parametrize("routine", [UNSET, None, state(finished=True), state(stopped=True),
                                     {"index": 2}, "hand"])
@pytest.mark.parametrize("text, intent", [("next", "faq"), ("yes", "affirm"), ("stop", "stop"),
                                          ("again", "routine_command")])
def test_no_routine_in_progress_no_prediction(routine_policy, routine, text, intent):
    # the rules decide: the menu, the FAQ, "there's no massage in progress"
    assert predicted(routine_policy, tracker(text, intent, routine=routine)) is None


@pytest.mark.parametrize("text, intent", [
    ("how often should I do this?", "faq"),  # a real question: the FAQ answers it
    ("blorp", "nlu_fallback"),  # a real miss
    ("how do I give her morphine?", "ask_medication"),  # reads as "more": never the routine's
    ("she has chest pain, stop", "red_flag"),
    ("he has a catheter, wait", "inform_condition"),
    ("I'm back", "greet"),
    ("thanks, done", "thanks"),
    ('/choose_topic{"faq_topic": "pressure"}', "choose_topic"),
    ("tell me more", "tell_more"),
])
def test_other_messages_mid_routine_keep_their_rules(routine_policy, text, intent):
    assert predicted(routine_policy, tracker(text, intent, routine=state())) is None


@pytest.mark.parametrize("intent", sorted(ANSWER_INTENTS))
def test_an_answer_to_a_question_with_its_own_answers_is_not_taken(routine_policy, intent):
    # "Delete all your data?" - "yes": data/rules/journal.yml, in the middle of a routine too
    conversation = tracker("yes", intent, routine=state(), asked="utter_confirm_delete")
    assert predicted(routine_policy, conversation) is None


@pytest.mark.parametrize("text, intent", [("yes", "affirm"), ("next", "faq"),
                                          ("stop", "stop")])
def test_an_active_form_is_left_alone(routine_policy, text, intent):
    conversation = tracker(text, intent, routine=state(), asked="screen_form",
                           loop="screen_form")
    assert predicted(routine_policy, conversation) is None
    # nor when the form rejected the message: its digression rules decide
    rejected = tracker(text, intent, routine=state(), asked="screen_form", loop="screen_form",
                       after=[ActionExecutionRejected("screen_form")])
    assert predicted(routine_policy, rejected) is None


# --- after the step, and after the hand-overs ------------------------------------------------

@pytest.mark.parametrize("action", sorted(LISTEN_AFTER))
def test_after_the_step_or_a_hand_over_it_listens(routine_policy, action):
    assert predicted(routine_policy, tracker(routine=state(), asked=action)) == ACTION_LISTEN_NAME


def test_after_the_last_step_the_check_in_form_goes_on(routine_policy):
    # the step returned ActiveLoop("checkin_form"): RulePolicy predicts the form
    conversation = tracker(routine=state(finished=True), asked=STEP_ACTION,
                           after=[ActiveLoop("checkin_form")])
    assert predicted(routine_policy, conversation) is None


@pytest.mark.parametrize("action", ["action_answer_faq", "action_route_answer",
                                    "action_screen_verdict", "utter_menu"])
def test_after_other_actions_nothing(routine_policy, action):
    assert predicted(routine_policy, tracker(routine=state(), asked=action)) is None


def test_the_hand_over_names_match_the_action_server():
    assert set(HANDOVER_ACTIONS) == {START_PENDING_ROUTINE, REPLAN_ROUTINE}
    assert not LISTEN_AFTER - set(domain().action_names_or_texts)


# --- the ensemble: a red flag wins, a form wins, rules lose ----------------------------------

def rule_like(action: str, priority: int = RULE_POLICY_PRIORITY, *,
              no_user: bool = False) -> PolicyPrediction:
    """What RulePolicy (or MemoizationPolicy) would predict, as the ensemble sees it."""
    probabilities = [0.0] * len(domain().action_names_or_texts)
    probabilities[domain().index_for_action(action)] = 1.0
    return PolicyPrediction(probabilities, "RulePolicy", priority,
                            is_no_user_prediction=no_user)


def chosen(conversation: DialogueStateTracker, *predictions: PolicyPrediction) -> str:
    best = DefaultPolicyPredictionEnsemble().combine_predictions(list(predictions),
                                                                 conversation, domain())
    return domain().action_names_or_texts[best.max_confidence_index]


def test_the_priorities_sit_between_the_rules_and_the_red_flag(routine_policy, red_flag_policy):
    assert MEMOIZATION_POLICY_PRIORITY < RULE_POLICY_PRIORITY < routine_policy.priority
    assert routine_policy.priority < red_flag_policy.priority


@pytest.mark.parametrize("text, intent, rule", [
    ("done", "faq", "action_answer_faq"),
    ("he sighed and relaxed", "nlu_fallback", "action_fallback"),
    ("yes", "affirm", "action_route_answer"),
    ("stop", "stop", "action_route_answer"),
])
def test_mid_routine_the_step_beats_the_rules(routine_policy, red_flag_policy, text, intent,
                                              rule):
    conversation = tracker(text, intent, routine=state())
    assert chosen(conversation,
                  red_flag_policy.predict_action_probabilities(conversation, domain()),
                  routine_policy.predict_action_probabilities(conversation, domain()),
                  rule_like(rule),
                  rule_like(rule, MEMOIZATION_POLICY_PRIORITY)) == STEP_ACTION


def test_a_red_flag_mid_routine_still_wins(routine_policy, red_flag_policy):
    conversation = tracker("she's in terrible pain, stop", "red_flag", routine=state())
    ours = routine_policy.predict_action_probabilities(conversation, domain())
    flag = red_flag_policy.predict_action_probabilities(conversation, domain())
    assert ours.max_confidence == 0  # the routine never claims a red flag
    assert chosen(conversation, flag, ours, rule_like("action_red_flag")) == "action_red_flag"
    # and were it ever to claim one, the red flag's "no user" prediction would still win
    assert chosen(conversation, flag, rule_like(STEP_ACTION, routine_policy.priority),
                  rule_like("action_route_answer")) == "action_red_flag"


def test_a_form_mid_routine_still_gets_its_answer(routine_policy, red_flag_policy):
    conversation = tracker("yes", "affirm", routine=state(), asked="screen_form",
                           loop="screen_form")
    form = rule_like("screen_form", no_user=True)  # RulePolicy's loop happy path
    assert chosen(conversation,
                  red_flag_policy.predict_action_probabilities(conversation, domain()),
                  routine_policy.predict_action_probabilities(conversation, domain()),
                  form) == "screen_form"
    # the policy's predictions are never "no user" ones: a form's would win anyway
    assert chosen(conversation, rule_like(STEP_ACTION, routine_policy.priority), form) \
        == "screen_form"


def test_delete_confirmation_mid_routine_keeps_its_rule(routine_policy, red_flag_policy):
    conversation = tracker("yes", "affirm", routine=state(), asked="utter_confirm_delete")
    assert chosen(conversation,
                  red_flag_policy.predict_action_probabilities(conversation, domain()),
                  routine_policy.predict_action_probabilities(conversation, domain()),
                  rule_like("action_delete_data")) == "action_delete_data"


# --- the rules' own answers are all known --------------------------------------------------

def steps_of(path: Path) -> list[list[dict[str, Any]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [item.get("steps") or [] for key in ("rules", "stories")
            for item in data.get(key) or []]


def intents_of(step: dict[str, Any]) -> set[str]:
    if "intent" in step:
        return {step["intent"]}
    return {i for s in step.get("or") or [] for i in intents_of(s)}


def test_every_question_with_its_own_yes_and_no_is_known():
    """A rule or story that answers a yes / no after a bot action of its own must be listed in
    OWN_ANSWERS_AFTER, or the policy would take that answer mid-routine."""
    found = set()
    for path in sorted((ROOT / "data").rglob("*.yml")):
        for steps in steps_of(path):
            for before, step in zip(steps, steps[1:], strict=False):
                if "action" in before and intents_of(step) & ANSWER_INTENTS:
                    found.add(before["action"])
    assert found == set(OWN_ANSWERS_AFTER)
    assert set(RoutinePolicy.get_default_config()["own_answers_after"]) == found


# --- config, training, loading --------------------------------------------------------------

def test_config_lists_it_right_after_the_red_flag_policy():
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    names = [p["name"] for p in config["policies"]]
    at = names.index("components.red_flag_policy.RedFlagPolicy")
    assert names[at + 1] == "components.routine_policy.RoutinePolicy"


def test_trains_on_nothing_and_loads(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    config = RoutinePolicy.get_default_config()
    resource = RoutinePolicy.create(config, storage, Resource("p"), context).train([], domain())
    loaded = RoutinePolicy.load(config, storage, resource, context)
    assert predicted(loaded, tracker("next", "faq", routine=state())) == STEP_ACTION


# --- bot/routine_turn.py ---------------------------------------------------------------------

def test_in_progress():
    assert in_progress(state()) and in_progress(state(paused=True))
    assert not any(in_progress(s) for s in (None, {}, "x", state(stopped=True),
                                            state(finished=True), {"index": 1}))


@pytest.mark.parametrize("text, expected", [("done", True), ("go back", True),
                                            ("she relaxed", True), ("he grimaced", True),
                                            ("how often should I do this?", False), ("", False),
                                            (None, False)])
def test_is_step_words(text, expected):
    assert is_step_words(text) is expected


def test_routine_takes():
    assert routine_takes(state(), "faq", "next")
    assert routine_takes(state(), "deny", "nope")  # any words: the intent is the answer
    assert not routine_takes(state(), "faq", "is massage safe with cancer?")
    assert not routine_takes(state(), "ask_medication", "how do I give her morphine?")
    assert not routine_takes(state(), None, "next")
    assert not routine_takes(None, "routine_command", "next")  # the rules say "none in progress"
