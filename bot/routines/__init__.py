"""Guided massage routines: content, the screen's verdict applied, and a step-by-step stepper.

Plain Python, no Rasa. Content lives in bot/content/routines.yml.

- content.py: the content file, validated once, and typed records of a routine, its steps and
  a variant.
- planner.py: `plan(routine_id, verdict, variant, side)` turns a routine and the screen's
  `Verdict` into a `Plan` (the exact steps to walk through, or a polite refusal), one small
  function a rule; steps.py words each step for how the hands may touch today.
- state.py: the stepper's JSON-safe state (it lives in a Rasa slot) and the verdict in it.
- stepper.py: a pure state machine, `start(plan) -> State`, `apply(state, command) ->
  (State, Reply)`. Commands: next, repeat, back, more, pause, resume, stop.
- commands.py and signals.py: free text to a command, and to a sign of discomfort or comfort.
- checkin.py: the check-in after a routine.

Everything callers use is importable from `bot.routines`.
"""

from bot.routines.checkin import Question, checkin_questions
from bot.routines.commands import COMMANDS, parse_command
from bot.routines.content import (
    COMFORT,
    CONTENT,
    CONTENT_DIR,
    DIRECTIONS,
    DISCOMFORT,
    STEP_FIELDS,
    STILL,
    TITLE_MAX,
    TOWARD_HEART,
    RoutineContent,
    StepContent,
    VariantContent,
    _validate,
    load_routines,
    routine_content,
    routine_ids,
    variant_content,
    variant_ids,
)
from bot.routines.planner import REFUSAL, SIDES, Plan, declined_only, plan
from bot.routines.signals import detect_signal, handle_signal, signal_reply
from bot.routines.state import (
    STATE_VERSION,
    State,
    plan_for_state,
    state_from_json,
    state_to_json,
    verdict_from_dict,
    verdict_to_dict,
)
from bot.routines.stepper import Reply, apply, begin, render_step, resume_message, start
from bot.routines.steps import Step, swelling_care

__all__ = [
    "COMFORT",
    "COMMANDS",
    "CONTENT",
    "CONTENT_DIR",
    "DIRECTIONS",
    "DISCOMFORT",
    "REFUSAL",
    "SIDES",
    "STATE_VERSION",
    "STEP_FIELDS",
    "STILL",
    "TITLE_MAX",
    "TOWARD_HEART",
    "Plan",
    "Question",
    "Reply",
    "RoutineContent",
    "State",
    "Step",
    "StepContent",
    "VariantContent",
    "_validate",  # tests check the content validation on edited copies
    "apply",
    "begin",
    "checkin_questions",
    "declined_only",
    "detect_signal",
    "handle_signal",
    "load_routines",
    "parse_command",
    "plan",
    "plan_for_state",
    "render_step",
    "resume_message",
    "routine_content",
    "routine_ids",
    "signal_reply",
    "start",
    "state_from_json",
    "state_to_json",
    "swelling_care",
    "variant_content",
    "variant_ids",
    "verdict_from_dict",
    "verdict_to_dict",
]
