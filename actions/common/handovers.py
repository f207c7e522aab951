"""The routine's actions that the safety check hands over to, with `FollowupAction`.

The screen (actions/screen.py) does not start or re-plan a routine itself: it names the
routine's action that does, and Rasa runs it next, so the conversation records each action
that ran. components/routine_policy.py predicts `action_listen` after either (its own copy of
these names: the Rasa server has no actions/ package; a test checks that they agree).
"""

from __future__ import annotations

# After the safety check, the routine that was waiting (the `pending_routine` slot) starts under
# the verdict just saved, or the caregiver is asked how the person is right now.
START_PENDING_ROUTINE = "action_start_pending_routine"
# A condition told in the middle of a routine: the routine in progress is planned again under
# today's verdict with it added, from its first step.
REPLAN_ROUTINE = "action_replan_routine"
