"""The stepper: a pure state machine over a plan's steps.

`start(plan) -> State`, `apply(state, command) -> (State, Reply)`. Commands: next, repeat,
back, more, pause, resume, stop. The state's format is in bot/routines/state.py.

Command details: while paused, next / repeat / resume show the current step again (nothing is
skipped), back and more unpause and do their work. After a stop, only resume goes on (from the
same step); other commands say the routine is stopped. On an active routine, resume ("continue",
"let's go on") moves on like next. After the last step, next finishes the routine; a finished
routine stays finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.routines.commands import COMMANDS
from bot.routines.content import fmt, load_routines
from bot.routines.planner import Plan
from bot.routines.state import STATE_VERSION, State, locate, plan_for_state, verdict_to_dict


@dataclass(frozen=True)
class Reply:
    text: str
    step_index: int  # 0-based; the step shown (or the step where the routine stopped / ended)
    total: int
    title: str
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (label, command)
    finished: bool = False
    stopped: bool = False
    paused: bool = False


def start(plan_: Plan) -> State:
    """A fresh state on the plan's first step. Show it with `render_step(plan_, 0)`."""
    if plan_.refused or not plan_.steps:
        raise ValueError("a refused plan cannot be started")
    return {
        "v": STATE_VERSION,
        "routine_id": plan_.routine_id,
        "variant": plan_.variant,
        "side": plan_.side,
        "verdict": verdict_to_dict(plan_.verdict),
        "index": 0,
        "step": plan_.steps[0].key,
        "total": plan_.total,
        "paused": False,
        "stopped": False,
        "finished": False,
    }


def begin(plan_: Plan) -> tuple[State, Reply]:
    """`start` and the first step's reply in one go."""
    return start(plan_), render_step(plan_, 0)


# --------------------------------------------------------------------------------------------
# Replies


def _buttons(index: int, total: int) -> list[tuple[str, str]]:
    last = index == total - 1
    buttons = [("Finish" if last else "Next", "next")]
    if index > 0:
        buttons.append(("Back", "back"))
    buttons += [("Again", "repeat"), ("More detail", "more"), ("Pause", "pause"), ("Stop", "stop")]
    return buttons


def _header(plan_: Plan, index: int) -> str:
    step = plan_.steps[index]
    label = f" ({step.side_label})" if step.side_label else ""
    return f"Step {index + 1} of {plan_.total} · {step.title}{label}"


def render_step(plan_: Plan, index: int, *, prefix: str | None = None,
                detail: bool = False) -> Reply:
    """The reply that shows step `index` (0-based). `detail` shows the slower explanation."""
    if not 0 <= index < plan_.total:
        raise IndexError(f"step {index} out of range 0..{plan_.total - 1}")
    step = plan_.steps[index]
    lines = [prefix] if prefix else []
    lines.append(_header(plan_, index))
    lines.append(step.more if detail else step.text)
    lines.append(f"How much: {step.amount}")
    lines.append(f"How light: {step.pressure}")
    lines.append(f"Watch: {step.watch}")
    if step.note:
        lines.append(step.note)
    return Reply(text="\n".join(lines), step_index=index, total=plan_.total, title=step.title,
                 buttons=_buttons(index, plan_.total))


def _status_reply(plan_: Plan, index: int, text: str, *, finished: bool = False,
                  stopped: bool = False) -> Reply:
    return Reply(text=text, step_index=index, total=plan_.total, title=plan_.steps[index].title,
                 finished=finished, stopped=stopped)


def _paused_reply(plan_: Plan, index: int, text: str) -> Reply:
    return Reply(text=text, step_index=index, total=plan_.total, title=plan_.steps[index].title,
                 buttons=[("Resume", "resume"), ("Stop", "stop")], paused=True)


def _finished_reply(plan_: Plan) -> Reply:
    name = load_routines()["routines"][plan_.routine_id]["name"]
    text = fmt(load_routines()["messages"]["finished"], name=name)
    return _status_reply(plan_, plan_.total - 1, text, finished=True)


# --------------------------------------------------------------------------------------------
# Commands on an active routine: (state, plan, current index) -> (new state, reply)

Turn = tuple[State, Reply]


def _at(st: State, p: Plan, index: int) -> State:
    return dict(st, index=index, step=p.steps[index].key)


def _next(st: State, p: Plan, i: int) -> Turn:
    if i == p.total - 1:
        st["finished"] = True
        return st, _finished_reply(p)
    return _at(st, p, i + 1), render_step(p, i + 1)


def _repeat(st: State, p: Plan, i: int) -> Turn:
    return st, render_step(p, i, prefix=load_routines()["messages"]["repeat"])


def _back(st: State, p: Plan, i: int) -> Turn:
    if i == 0:
        return st, render_step(p, 0, prefix=load_routines()["messages"]["first_step"])
    return _at(st, p, i - 1), render_step(p, i - 1)


def _more(st: State, p: Plan, i: int) -> Turn:
    return st, render_step(p, i, detail=True)


def _pause(st: State, p: Plan, i: int) -> Turn:
    st["paused"] = True
    return st, _paused_reply(p, i, load_routines()["messages"]["paused"])


def _stop(st: State, p: Plan, i: int) -> Turn:
    st.update(stopped=True, paused=False)
    return st, _status_reply(p, i, load_routines()["messages"]["stopped"], stopped=True)


_ACTIVE: dict[str, Callable[[State, Plan, int], Turn]] = {
    "next": _next, "resume": _next, "repeat": _repeat, "back": _back, "more": _more,
    "pause": _pause, "stop": _stop,
}


# --------------------------------------------------------------------------------------------
# Stopped and paused routines


def _apply_stopped(st: State, p: Plan, i: int, command: str) -> Turn:
    """Only resume goes on, from the same step."""
    msgs = load_routines()["messages"]
    if command == "resume":
        st.update(stopped=False, paused=False)
        return st, render_step(p, i, prefix=msgs["resumed"])
    if command == "stop":
        return st, _status_reply(p, i, msgs["stopped"], stopped=True)
    name = load_routines()["routines"][p.routine_id]["name"]
    text = fmt(msgs["already_stopped"], name=name, n=i + 1, total=p.total)
    return st, _status_reply(p, i, text, stopped=True)


def _apply_paused(st: State, p: Plan, i: int, command: str) -> Turn:
    """next / repeat / resume show the current step again (nothing is skipped); back and more
    unpause and do their work; stop stops."""
    msgs = load_routines()["messages"]
    if command == "pause":
        return st, _paused_reply(p, i, msgs["still_paused"])
    if command in ("next", "repeat", "resume"):
        st["paused"] = False
        return st, render_step(p, i, prefix=msgs["resumed"])
    if command != "stop":
        st["paused"] = False  # back and more: unpause, then do the work
    return _ACTIVE[command](st, p, i)


def apply(state: State, command: str) -> tuple[State, Reply]:
    """One turn of the stepper. Returns a new state (the given one is not changed)."""
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r}; known: {', '.join(COMMANDS)}")
    p = plan_for_state(state)
    i = locate(p, state)
    st: State = dict(state, v=STATE_VERSION, index=i, step=p.steps[i].key, total=p.total)
    if st.get("finished"):
        return st, _finished_reply(p)
    if st.get("stopped"):
        return _apply_stopped(st, p, i, command)
    if st.get("paused"):
        return _apply_paused(st, p, i, command)
    return _ACTIVE[command](st, p, i)


def resume_message(state: State) -> str:
    """A line to pick up where the caregiver left off, e.g. after a restart."""
    msgs = load_routines()["messages"]
    p = plan_for_state(state)
    i = locate(p, state)
    name = load_routines()["routines"][p.routine_id]["name"]
    if state.get("finished"):
        return fmt(msgs["resume_finished"], name=name)
    if state.get("stopped"):
        return fmt(msgs["resume_stopped"], n=i + 1, total=p.total, name=name)
    return fmt(msgs["resume_active"], n=i + 1, total=p.total, name=name,
               title=p.steps[i].title)
