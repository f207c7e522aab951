"""Whose turn a message is while a routine is under way: the routine's, or the rules'.

Plain Python, read by the dialogue policy components/routine_policy.py (which runs in the Rasa
server, where actions/ is not installed), from the `routine_state` slot, the intent and the
text of the latest message. The routine's step action (actions/routine.py) then reads the same
message as a command or a sign.

While a routine is in progress (begun, not finished, not stopped; a pause counts as in
progress), these go to the routine:

- a step command or a sign by intent (routine_command, routine_signal);
- yes, no, not sure or stop (affirm, deny, unsure, stop): "yes" after "shall we go on?" goes on;
- a question or a message not understood (faq, nlu_fallback) whose words are a step command or
  a sign of comfort or discomfort ("done", "he sighed and relaxed").

Any other intent keeps its own rule, even when its words read like a command: a medication
question ("how do I give her morphine?" would read as "more"), a red flag, a condition told, a
greeting, a topic button.
"""

from __future__ import annotations

from typing import Any

from bot.routines import detect_signal, parse_command

STEP_INTENTS = frozenset({"routine_command", "routine_signal"})
ANSWER_INTENTS = frozenset({"affirm", "deny", "unsure", "stop"})
WORDS_INTENTS = frozenset({"faq", "nlu_fallback"})


def in_progress(state: Any) -> bool:
    """A routine's state (the `routine_state` slot) that is begun, not finished, not stopped."""
    return (isinstance(state, dict) and bool(state.get("routine_id"))
            and not state.get("finished") and not state.get("stopped"))


def is_step_words(text: Any) -> bool:
    """The words are a step command ("ok done", "again") or a sign ("she relaxed")."""
    text = str(text or "")
    return bool(detect_signal(text) or parse_command(text))


def routine_takes(state: Any, intent: str | None, text: Any) -> bool:
    """The latest message goes to the routine in progress (see the module's docstring)."""
    if not in_progress(state):
        return False
    if intent in STEP_INTENTS or intent in ANSWER_INTENTS:
        return True
    return intent in WORDS_INTENTS and is_step_words(text)
