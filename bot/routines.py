"""Guided massage routines: content, the screen's verdict applied, and a step-by-step stepper.

Plain Python, no Rasa. Content lives in bot/content/routines.yml.

- `plan(routine_id, verdict, variant, side)` turns a routine and the screen's `Verdict` into a
  `Plan`: the exact steps to walk through, or a polite refusal.
    * DO_NOT_MASSAGE: refused; the message says to call the hospice nurse (sitting close is
      fine, and a hand can be held if the team agrees). When the only reason is that the person
      doesn't want to be touched (`REFUSAL`), the message makes no call and offers no touch.
    * Avoided areas: the routine's main area avoided on one side -> only the other side
      ("We'll work on the right hand only; the left hand stays still."); on both sides ->
      refused, with the other routine suggested (`plan.alternative`). A related area avoided
      (the forearm for the hand routine, the lower leg for the foot routine) -> the steps that
      touch it are left out on that side.
    * still_hand_only: each stroking step becomes its still, resting-hand alternative.
    * LIGHTEST_TOUCH: every pressure line says lightest touch only (level 1), fingertip
      squeezes become a resting touch, and steps that move a joint (the ankle turn) are left out.
    * Swelling or lymphoedema among the verdict's reasons (present or "not sure"; see
      `swelling` in routines.yml): lightest touch, and every stroke goes toward the heart. A step
      that strokes another way uses its `swelling_text` (the same step, toward the heart) or,
      where it says `swelling: still`, its still, resting-hand alternative: the puffy lower leg
      is never stroked. `Step.direction` says which: "toward_heart", "still" or "none" (a hold).
    * Variants: "unconscious", "dementia" (notes, wording, preparation) and "tired" (a short
      version of about 5 minutes).
  With no side given and both sides allowed, the plan covers both hands (or feet): the steps for
  the first one, a "Now the other hand" step, the steps again for the second, then the closing.
  `verdict=None` means no screen result was given and is treated as GENTLE_OK.
  A general level of AVOID_AREA is treated as gentle apart from the avoided areas.

- The stepper is a pure state machine: `start(plan) -> State`, `apply(state, command) ->
  (State, Reply)`. Commands: next, repeat, back, more, pause, resume, stop.

State format (a small JSON-safe dict; it can live in a Rasa slot and survive restarts)::

    {
      "v": 1,                       # format version
      "routine_id": "hand",
      "variant": null,              # or "unconscious" | "dementia" | "tired"
      "side": null,                 # the plan's side: null (both / unnamed) | "left" | "right"
      "verdict": {"level": 1, "still_hand_only": false,
                  "avoid": [["arm", "left", "picc_line"]]},   # or null (no screen given)
                                    # plus "swelling": true when swelling care applies
      "index": 0,                   # 0-based index of the current step
      "step": "greet",              # the current step's key, to re-find it if content changed
      "total": 15,
      "paused": false, "stopped": false, "finished": false
    }

The plan is rebuilt from the state on every `apply` (routine_id, variant, side and the verdict's
level, still flag and avoided areas are all a plan depends on). The verdict's reasons and
`possible` text are not stored: they do not change the steps. If the content changed between
two turns, the current step is found again by its key; failing that the index is clamped.

Command details: while paused, next / repeat / resume show the current step again (nothing is
skipped), back and more unpause and do their work. After a stop, only resume goes on (from the
same step); other commands say the routine is stopped. On an active routine, resume ("continue",
"let's go on") moves on like next. After the last step, next finishes the routine; a finished
routine stays finished.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.verdict import AreaRestriction, Level, Reason, Verdict

CONTENT_DIR = Path(__file__).resolve().parent / "content"
CONTENT = CONTENT_DIR / "routines.yml"

SIDES = ("right", "left")  # the order used when both sides are named
COMMANDS = ("next", "repeat", "back", "more", "pause", "resume", "stop")
DISCOMFORT = "discomfort"
COMFORT = "comfort"
STATE_VERSION = 1
REFUSAL = "refuses_or_distressed"  # the condition id for "doesn't want to be touched"

TITLE_MAX = 30
STEP_FIELDS = ("id", "title", "text", "amount", "pressure", "watch", "more", "source", "touches",
               "still_alternative")
DIRECTIONS = ("toward_heart", "away", "across", "circles")
TOWARD_HEART = "toward_heart"
STILL = "still"

State = dict[str, Any]


# --------------------------------------------------------------------------------------------
# Content


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _step_problems(step: Any, where: str, source_ids: set[str]) -> list[str]:
    problems: list[str] = []
    if not isinstance(step, dict):
        return [f"{where}: not a mapping"]
    for name in STEP_FIELDS:
        if name not in step:
            problems.append(f"{where}: missing {name}")
    if problems:
        return problems
    for name in STEP_FIELDS:
        if name == "touches":
            if not isinstance(step[name], list) or not all(isinstance(a, str) for a in step[name]):
                problems.append(f"{where}: touches must be a list of area names")
        elif not isinstance(step[name], str) or not step[name].strip():
            problems.append(f"{where}: {name} must be a non-empty string")
    for name in ("title", "still_title"):
        if name in step and len(str(step[name])) > TITLE_MAX:
            problems.append(f"{where}: {name} longer than {TITLE_MAX} characters")
    if source_ids and step.get("source") not in source_ids:
        problems.append(f"{where}: unknown source {step.get('source')!r}")
    if int(step.get("level", 2)) > 0:
        direction = step.get("direction")
        if direction not in DIRECTIONS:
            problems.append(f"{where}: a stroking step needs a direction ({', '.join(DIRECTIONS)})")
        elif direction != TOWARD_HEART and step.get("swelling") != STILL and not (
                step.get("swelling_text") and step.get("swelling_more")):
            problems.append(f"{where}: strokes {direction}: give swelling_text and swelling_more "
                            "(toward the heart), or swelling: still")
    return problems


def _validate(data: Any) -> None:
    """Fail loudly on a broken content file rather than mid-conversation."""
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("routines"), dict):
        raise ValueError("routines.yml: no `routines` mapping")
    sources_path = CONTENT_DIR / "sources.yml"
    source_ids: set[str] = set()
    if sources_path.exists():
        source_ids = set((_read_yaml(sources_path) or {}).get("sources", {}))
    for rid, routine in data["routines"].items():
        for key in ("title", "name", "plural", "area", "related_areas", "area_names", "minutes",
                    "sources", "preparation", "steps", "switch", "closing"):
            if key not in routine:
                problems.append(f"{rid}: missing {key}")
        if problems:
            continue
        ids = [s.get("id") for s in routine["steps"] if isinstance(s, dict)]
        if len(ids) != len(set(ids)):
            problems.append(f"{rid}: duplicate step ids")
        for i, step in enumerate(routine["steps"]):
            problems += _step_problems(step, f"{rid}.steps[{i}]", source_ids)
        problems += _step_problems(routine["switch"], f"{rid}.switch", source_ids)
        problems += _step_problems(routine["closing"], f"{rid}.closing", source_ids)
        for item in routine["preparation"]:
            if not isinstance(item, dict) or not {"id", "text"} <= set(item):
                problems.append(f"{rid}.preparation: items need id and text")
    for vid, variant in (data.get("variants") or {}).items():
        for rid, keep in (variant.get("keep") or {}).items():
            known = {s["id"] for s in data["routines"].get(rid, {}).get("steps", [])}
            if not set(keep) <= known:
                problems.append(f"variants.{vid}.keep.{rid}: unknown step ids")
    swelling = data.get("swelling")
    if not isinstance(swelling, dict) or not all(
            swelling.get(k) for k in ("conditions", "intro", "still_note")):
        problems.append("swelling: needs conditions, intro and still_note")
    for kind in (DISCOMFORT, COMFORT):
        for phrase in data.get("signals", {}).get(kind, {}).get("phrases", []):
            if not isinstance(phrase, str):  # YAML 1.1 reads a bare no/yes as a boolean
                problems.append(f"signals.{kind}: {phrase!r} is not a string; quote it")
    if problems:
        raise ValueError("routines.yml: " + "; ".join(problems))


@lru_cache(maxsize=1)
def load_routines() -> dict[str, Any]:
    """The whole content document: routines, lightest, still, variants, messages, signals,
    checkin. Validated once and cached: treat it as read-only."""
    data = _read_yaml(CONTENT)
    _validate(data)
    return data


def routine_ids() -> tuple[str, ...]:
    return tuple(load_routines()["routines"])


def variant_ids() -> tuple[str, ...]:
    return tuple(load_routines().get("variants") or {})


# --------------------------------------------------------------------------------------------
# Plan


@dataclass(frozen=True)
class Step:
    id: str  # the content id ("fingers", "switch", "closing")
    key: str  # unique within a plan: "fingers" on the first side, "fingers@2" on the second
    kind: str  # "step" | "switch" | "closing"
    title: str
    text: str
    amount: str
    pressure: str
    watch: str
    more: str
    source: str
    touches: tuple[str, ...]
    still_alternative: str
    side: str | None = None  # "left" / "right" when the side is named, else None
    side_label: str | None = None  # "left hand", "first hand", "second foot"...
    note: str | None = None  # added by a variant
    # Which way the hands move: "toward_heart", "away", "across", "circles" (as written),
    # "still" (a still, resting hand) or "none" (a hold, or no touch)
    direction: str = "none"


@dataclass(frozen=True)
class Plan:
    routine_id: str
    side: str | None  # the one side worked on, or None (both sides, or refused)
    variant: str | None
    refused: bool
    message: str  # the intro, or why not and what to do instead
    preparation: list[str]
    steps: tuple[Step, ...]  # closing last; empty when refused
    title: str = ""
    minutes: int = 0
    sides: tuple[str | None, ...] = ()  # one entry a pass: ("right", "left"), (None, None)...
    lightest: bool = False
    still: bool = False
    swelling: bool = False  # strokes toward the heart only; the lower leg only held still
    alternative: str | None = None  # when refused: another routine that may suit
    verdict: Verdict | None = field(default=None, compare=False, repr=False)

    @property
    def total(self) -> int:
        return len(self.steps)


def _fmt(template: str, **kw: Any) -> str:
    return template.format(**kw)


def _other_routine(routine_id: str, verdict: Verdict) -> str | None:
    for rid, routine in load_routines()["routines"].items():
        if rid != routine_id and any(not verdict.avoids(routine["area"], s) for s in SIDES):
            return rid
    return None


def _refused(routine_id: str, routine: dict[str, Any], variant: str | None, message: str,
             verdict: Verdict | None, alternative: str | None = None) -> Plan:
    return Plan(routine_id=routine_id, side=None, variant=variant, refused=True, message=message,
                preparation=[], steps=(), title=routine["title"], minutes=0, sides=(),
                alternative=alternative, verdict=verdict)


def _make_step(raw: dict[str, Any], *, kind: str, key: str, side: str | None,
               label: str | None, lightest: bool, still: bool,
               variant_cfg: dict[str, Any], swelling: bool = False) -> Step:
    d = dict(raw)
    d.update((variant_cfg.get("steps") or {}).get(raw["id"], {}))
    content = load_routines()
    level = int(d.get("level", 2))
    title, text, amount = d["title"], d["text"], d["amount"]
    pressure, more = d["pressure"], d["more"]
    direction = str(d.get("direction", "none")) if level > 0 else "none"
    if level > 0 and (still or (swelling and d.get("swelling") == STILL)):
        title = d.get("still_title", title)
        text = d["still_alternative"]
        amount = content["still"]["amount"]
        pressure = content["still"]["pressure"]
        more = content["still"]["more"]
        direction = STILL
    elif level > 0 and (lightest or swelling):
        text = d.get("lightest_text", text)
        pressure = content["lightest"]["pressure"]
        if swelling and direction != TOWARD_HEART:
            text, more, direction = d["swelling_text"], d["swelling_more"], TOWARD_HEART
    note = variant_cfg.get("note") if kind == "step" else None
    return Step(id=raw["id"], key=key, kind=kind, title=title, text=text, amount=amount,
                pressure=pressure, watch=d["watch"], more=more, source=d["source"],
                touches=tuple(d["touches"]), still_alternative=d["still_alternative"],
                side=side, side_label=label, note=note, direction=direction)


def swelling_care(verdict: Verdict | None) -> bool:
    """True when the verdict's reasons include swelling or lymphoedema (present or not sure):
    the routine then strokes only toward the heart and only rests a still hand on the lower
    leg. The conditions are listed under `swelling` in routines.yml."""
    if verdict is None:
        return False
    wanted = set(load_routines()["swelling"]["conditions"])
    return any(r.condition_id in wanted for r in verdict.reasons)


def declined_only(verdict: Verdict) -> bool:
    """True when the person not wanting touch (`REFUSAL`) is the only do-not-massage reason:
    the refusal then needs no call to the nurse and offers no touch."""
    from bot.screen import load_conditions  # bot.screen is only needed here

    conditions = load_conditions()
    strict = {r.condition_id for r in verdict.reasons
              if r.condition_id not in conditions
              or conditions[r.condition_id].level == Level.DO_NOT_MASSAGE}
    return strict == {REFUSAL}


def _join_sides(sides: set[str | None]) -> str | None:
    """One side name, or None for both sides."""
    if None in sides or len(sides) > 1:
        return None
    return next(iter(sides))


def plan(routine_id: str, verdict: Verdict | None, variant: str | None = None,
         side: str | None = None) -> Plan:
    """Apply the screen's verdict (and a variant, and an optional side) to a routine."""
    content = load_routines()
    routines = content["routines"]
    if routine_id not in routines:
        raise ValueError(f"unknown routine {routine_id!r}; known: {', '.join(routines)}")
    variants = content.get("variants") or {}
    if variant is not None and variant not in variants:
        raise ValueError(f"unknown variant {variant!r}; known: {', '.join(variants)}")
    if side not in (None, "left", "right"):
        raise ValueError(f"side must be 'left', 'right' or None, not {side!r}")
    routine = routines[routine_id]
    msgs = content["messages"]
    v = verdict if verdict is not None else Verdict(Level.GENTLE_OK)
    variant_cfg: dict[str, Any] = variants.get(variant, {}) if variant else {}

    if not v.may_touch:
        key = "refuse_declined" if declined_only(v) else "refuse_no_massage"
        return _refused(routine_id, routine, variant, msgs[key], verdict)

    area = routine["area"]
    allowed = [s for s in SIDES if not v.avoids(area, s)]
    if not allowed:
        other = _other_routine(routine_id, v)
        if other:
            message = _fmt(msgs["refuse_area"], area_plural=routine["plural"],
                           other=routines[other]["area"])
        else:
            message = _fmt(msgs["refuse_area_no_other"], area_plural=routine["plural"])
        return _refused(routine_id, routine, variant, message, verdict, alternative=other)

    notes: list[str] = []
    passes: list[str | None]
    if side is not None:
        if side in allowed:
            passes = [side]
        else:
            passes = [allowed[0]]
            notes.append(_fmt(msgs["moved_side"], asked=side, side=allowed[0], area=area))
    elif len(allowed) == 1:
        passes = [allowed[0]]
        other_side = "left" if allowed[0] == "right" else "right"
        notes.append(_fmt(msgs["one_side"], side=allowed[0], other=other_side, area=area))
    else:
        related = set(routine["related_areas"])
        sided = any(r.area in related and r.side is not None for r in v.avoid)
        passes = list(SIDES) if sided else [None, None]

    still = bool(v.still_hand_only)
    swelling = swelling_care(v)
    lightest = still or swelling or v.level == Level.LIGHTEST_TOUCH
    skip_ids = set((variant_cfg.get("skip") or {}).get(routine_id, []))
    keep = (variant_cfg.get("keep") or {}).get(routine_id)
    keep_ids = set(keep) if keep is not None else None

    steps: list[Step] = []
    skipped_areas: dict[str, set[str | None]] = {}
    skipped_moves: list[str] = []
    ordinal = ("first", "second")
    for pass_no, pass_side in enumerate(passes, start=1):
        label = f"{pass_side or ordinal[pass_no - 1]} {area}"
        suffix = "" if pass_no == 1 else f"@{pass_no}"
        if pass_no > 1:
            steps.append(_make_step(routine["switch"], kind="switch", key=f"switch{suffix}",
                                    side=pass_side, label=label, lightest=lightest, still=still,
                                    variant_cfg=variant_cfg, swelling=swelling))
        for raw in routine["steps"]:
            if pass_no > 1 and raw.get("first_side_only"):
                continue
            avoided = [a for a in raw["touches"] if v.avoids(a, pass_side)]
            if avoided:
                for a in avoided:
                    skipped_areas.setdefault(a, set()).add(pass_side)
                continue
            if lightest and not still and raw.get("moves_joint"):
                if raw["title"] not in skipped_moves:
                    skipped_moves.append(raw["title"])
                continue
            if raw["id"] in skip_ids or (keep_ids is not None and raw["id"] not in keep_ids):
                continue
            steps.append(_make_step(raw, kind="step", key=raw["id"] + suffix, side=pass_side,
                                    label=label, lightest=lightest, still=still,
                                    variant_cfg=variant_cfg, swelling=swelling))
    steps.append(_make_step(routine["closing"], kind="closing", key="closing", side=None,
                            label=None, lightest=lightest, still=still, variant_cfg=variant_cfg,
                            swelling=swelling))
    if not any(s.kind == "step" for s in steps):  # nothing left to do: say so plainly
        return _refused(routine_id, routine, variant,
                        _fmt(msgs["refuse_area_no_other"], area_plural=routine["plural"]),
                        verdict)

    for a, sides_ in skipped_areas.items():
        if a == area:
            continue  # the main area on a side: already said by one_side / moved_side
        what = routine["area_names"].get(a, a)
        one = _join_sides(sides_)
        if one is None and len(passes) > 1:
            notes.append(_fmt(msgs["skip_area_both"], what=what))
        else:
            notes.append(_fmt(msgs["skip_area_side"], what=what, side=one or passes[0]))
    for title in skipped_moves:
        notes.append(_fmt(msgs["skip_moves"], what=title))

    if variant_cfg.get("minutes"):
        minutes = int(variant_cfg["minutes"])
    else:
        minutes = int(routine["minutes"]) * len(passes)
    parts = [_fmt(msgs["intro"], title=routine["title"], minutes=minutes)]
    if len(passes) > 1:
        if passes[0] is None:
            parts.append(_fmt(msgs["start_nearest"], area=area))
        else:
            parts.append(_fmt(msgs["start_named"], first=passes[0], second=passes[1], area=area))
    parts += notes
    if still:
        parts.append(content["still"]["intro"])
    elif swelling:
        parts.append(content["swelling"]["intro"])
        if any(st.direction == STILL for st in steps):
            parts.append(content["swelling"]["still_note"])
    elif lightest:
        parts.append(content["lightest"]["intro"])
    if variant_cfg.get("intro"):
        parts.append(variant_cfg["intro"])

    prep_override = variant_cfg.get("preparation") or {}
    preparation = [prep_override.get(item["id"], item["text"]) for item in routine["preparation"]]

    return Plan(routine_id=routine_id, side=passes[0] if len(passes) == 1 else None,
                variant=variant, refused=False, message=" ".join(parts), preparation=preparation,
                steps=tuple(steps), title=routine["title"], minutes=minutes, sides=tuple(passes),
                lightest=lightest, still=still, swelling=swelling and not still, verdict=verdict)


# --------------------------------------------------------------------------------------------
# Verdict <-> JSON-safe dict (for the state)


def verdict_to_dict(verdict: Verdict | None) -> dict[str, Any] | None:
    """What a plan depends on, JSON-safe. Reasons and `possible` are left out; of the reasons,
    only whether swelling care applies is kept (`"swelling": true`, present only then)."""
    if verdict is None:
        return None
    out: dict[str, Any] = {
        "level": int(verdict.level),
        "still_hand_only": bool(verdict.still_hand_only),
        "avoid": [[r.area, r.side, r.reason_id] for r in verdict.avoid],
    }
    if swelling_care(verdict):
        out["swelling"] = True
    return out


def verdict_from_dict(data: dict[str, Any] | None) -> Verdict | None:
    """The inverse of `verdict_to_dict`. Also reads bot.screen's fuller dict form (level by
    name, avoid entries as {"area", "side", "reason_id"})."""
    if data is None:
        return None
    level = data["level"]
    if isinstance(level, str):
        level = Level[level.upper()] if not level.isdigit() else Level(int(level))
    avoid = []
    for r in data.get("avoid") or []:
        if isinstance(r, dict):
            avoid.append(AreaRestriction(r["area"], r.get("side"), r.get("reason_id", "")))
        else:
            area, side, reason = r
            avoid.append(AreaRestriction(area, side, reason))
    reasons: list[Reason] = []
    for r in data.get("reasons") or []:  # bot.screen's dict form keeps every reason
        if isinstance(r, dict) and r.get("condition_id"):
            reasons.append(Reason(str(r["condition_id"]), str(r.get("text", "")),
                                  str(r.get("source", ""))))
    if data.get("swelling") and not swelling_care(Verdict(Level.GENTLE_OK,
                                                          reasons=tuple(reasons))):
        condition = load_routines()["swelling"]["conditions"][0]
        reasons.append(Reason(condition, "", ""))
    return Verdict(level=Level(int(level)), still_hand_only=bool(data.get("still_hand_only")),
                   avoid=tuple(avoid), reasons=tuple(reasons))


# --------------------------------------------------------------------------------------------
# Stepper


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


def plan_for_state(state: State) -> Plan:
    """Rebuild the plan a state was made from."""
    if not isinstance(state, dict) or "routine_id" not in state:
        raise ValueError("not a routine state")
    return plan(state["routine_id"], verdict_from_dict(state.get("verdict")),
                variant=state.get("variant"), side=state.get("side"))


def _locate(plan_: Plan, state: State) -> int:
    if not plan_.steps:
        raise ValueError("the routine can no longer be done with this state's verdict")
    keys = [s.key for s in plan_.steps]
    index = int(state.get("index", 0))
    key = state.get("step")
    if 0 <= index < len(keys) and (key is None or keys[index] == key):
        return index
    if key in keys:
        return keys.index(key)
    return max(0, min(index, len(keys) - 1))


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


def _status_reply(plan_: Plan, index: int, text: str, **flags: bool) -> Reply:
    return Reply(text=text, step_index=index, total=plan_.total, title=plan_.steps[index].title,
                 **flags)


def _finished_reply(plan_: Plan) -> Reply:
    name = load_routines()["routines"][plan_.routine_id]["name"]
    text = _fmt(load_routines()["messages"]["finished"], name=name)
    return _status_reply(plan_, plan_.total - 1, text, finished=True)


def apply(state: State, command: str) -> tuple[State, Reply]:
    """One turn of the stepper. Returns a new state (the given one is not changed)."""
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r}; known: {', '.join(COMMANDS)}")
    msgs = load_routines()["messages"]
    p = plan_for_state(state)
    i = _locate(p, state)
    st: State = dict(state, v=STATE_VERSION, index=i, step=p.steps[i].key, total=p.total)
    name = load_routines()["routines"][p.routine_id]["name"]

    def at(index: int) -> State:
        return dict(st, index=index, step=p.steps[index].key)

    if st.get("finished"):
        return st, _finished_reply(p)

    if st.get("stopped"):
        if command == "resume":
            st.update(stopped=False, paused=False)
            return st, render_step(p, i, prefix=msgs["resumed"])
        if command == "stop":
            return st, _status_reply(p, i, msgs["stopped"], stopped=True)
        text = _fmt(msgs["already_stopped"], name=name, n=i + 1, total=p.total)
        return st, _status_reply(p, i, text, stopped=True)

    if st.get("paused"):
        if command == "pause":
            return st, Reply(text=msgs["still_paused"], step_index=i, total=p.total,
                             title=p.steps[i].title, buttons=[("Resume", "resume"),
                                                              ("Stop", "stop")], paused=True)
        if command in ("next", "repeat", "resume"):
            st["paused"] = False
            return st, render_step(p, i, prefix=msgs["resumed"])
        if command != "stop":
            st["paused"] = False  # back and more: unpause, then do the work below

    if command in ("next", "resume"):
        if i == p.total - 1:
            st["finished"] = True
            return st, _finished_reply(p)
        return at(i + 1), render_step(p, i + 1)
    if command == "repeat":
        return st, render_step(p, i, prefix=msgs["repeat"])
    if command == "back":
        if i == 0:
            return st, render_step(p, 0, prefix=msgs["first_step"])
        return at(i - 1), render_step(p, i - 1)
    if command == "more":
        return st, render_step(p, i, detail=True)
    if command == "pause":
        st["paused"] = True
        return st, Reply(text=msgs["paused"], step_index=i, total=p.total, title=p.steps[i].title,
                         buttons=[("Resume", "resume"), ("Stop", "stop")], paused=True)
    # stop
    st.update(stopped=True, paused=False)
    return st, _status_reply(p, i, msgs["stopped"], stopped=True)


def resume_message(state: State) -> str:
    """A line to pick up where the caregiver left off, e.g. after a restart."""
    msgs = load_routines()["messages"]
    p = plan_for_state(state)
    i = _locate(p, state)
    name = load_routines()["routines"][p.routine_id]["name"]
    if state.get("finished"):
        return _fmt(msgs["resume_finished"], name=name)
    if state.get("stopped"):
        return _fmt(msgs["resume_stopped"], n=i + 1, total=p.total, name=name)
    return _fmt(msgs["resume_active"], n=i + 1, total=p.total, name=name,
                title=p.steps[i].title)


def state_to_json(state: State) -> str:
    return json.dumps(state, sort_keys=True)


def state_from_json(text: str) -> State:
    state = json.loads(text)
    if not isinstance(state, dict) or "routine_id" not in state:
        raise ValueError("not a routine state")
    return state


# --------------------------------------------------------------------------------------------
# Free text: commands


# (command, phrases found anywhere in a short message, phrases that count only on their own).
# Checked in this order; the first command with a match wins. "go on" is next but "let's go on"
# is resume, so resume comes before next; "one more time" (repeat) before more; and "I'm back"
# after a pause is resume, never a step back, so resume comes before back.
_COMMAND_PHRASES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("stop", ("stop", "that's enough", "thats enough", "end it", "let's stop", "lets stop",
              "we're done", "no more", "quit"),
     ("end", "enough", "the end", "finish now")),
    ("pause", ("wait", "hold on", "pause", "one moment", "just a moment", "one minute",
               "just a minute", "one sec", "just a sec", "give me a minute", "hang on",
               "not yet"),
     ("a moment", "a minute", "sec", "not now")),
    ("resume", ("continue", "resume", "let's go on", "lets go on", "let's continue",
                "let's carry on", "i'm back", "im back", "i am back", "we're back", "back now",
                "back again", "back keep going", "back carry on", "ready again",
                "where were we", "where was i", "where we left off", "where we stopped",
                "where we paused", "pick up where", "carry on from"),
     ()),
    ("back", ("go back", "previous", "last step", "step back", "the one before", "back"),
     ()),
    ("repeat", ("again", "repeat", "one more time", "once more", "one more", "say that again"),
     ()),
    ("more", ("slower", "more slowly", "slow down", "more detail", "more details", "explain",
              "how do i", "how do you", "tell me more", "i don't understand",
              "i dont understand", "what do you mean", "show me"),
     ("how", "details", "detail", "more", "what")),
    ("next", ("ok done", "okay done", "done", "next", "go on", "keep going", "carry on",
              "finished", "did it", "got it"),
     ("ok", "okay", "k", "yes", "yeah", "yep", "sure", "ready", "right", "alright",
      "all right", "good", "yes please", "ok next", "fine")),
)
_COMMAND_NEGATORS = ("don't", "dont", "do not", "not", "never", "no need to", "no need")
_FILLERS = re.compile(r"^(?:please|and|so|um|erm)\s+|\s+(?:please|thanks|thank you|now)$")
_MAX_COMMAND_WORDS = 8
# Phrases that mean "go on from where we stopped" however long the message (up to 16 words).
_LONG_RESUME = ("where were we", "where was i", "where we left off", "where we stopped",
                "where we paused", "pick up where", "i'm back", "im back", "carry on from")
_MAX_RESUME_WORDS = 16
# Questions ("is it ok to use lotion?") must not read as "next".
_QUESTION_START = re.compile(r"^(?:is|are|can|could|should|would|will|does|do|what|why|when|"
                             r"where|which|who|how long|how often|how much|how many)\b")


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _normalise_keep_clauses(text: str) -> str:
    """Like `_normalise`, but keeps the punctuation that ends a clause ("no grimace, she
    smiled"), set off by spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"([.,;:!?\n])", r" \1 ", text)
    text = re.sub(r"[^a-z0-9'.,;:!?\n ]+", " ", text)
    return re.sub(r"[ \t]+", " ", text).strip()


@lru_cache(maxsize=1)
def _command_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for command, phrases, _exact in _COMMAND_PHRASES:
        for phrase in sorted(phrases, key=len, reverse=True):
            out.append((command, re.compile(r"(?<![a-z0-9'])" + re.escape(phrase) +
                                            r"(?![a-z0-9'])")))
    return tuple(out)


def parse_command(text: str) -> str | None:
    """Free text to a stepper command, or None. Only short messages (up to 8 words) are read:
    a longer sentence is left to the other handlers (signals, red flags, questions)."""
    raw = _normalise(text or "")
    norm = raw
    for _ in range(3):
        norm = _FILLERS.sub("", norm).strip()
    if not norm:
        return None
    for candidate in dict.fromkeys((raw, norm)):
        for command, phrases, exact in _COMMAND_PHRASES:
            if candidate in phrases or candidate in exact:
                return command
    if len(norm.split()) > _MAX_COMMAND_WORDS:
        # A longer message is a command only when it says, unmistakably, "let's go on" after a
        # pause ("sorry, had to get the door, where were we").
        if len(norm.split()) <= _MAX_RESUME_WORDS and any(
                re.search(r"(?<![a-z0-9'])" + re.escape(p) + r"(?![a-z0-9'])", norm)
                for p in _LONG_RESUME):
            return "resume"
        return None
    question = "?" in (text or "") or bool(_QUESTION_START.match(norm))
    for command, pattern in _command_patterns():
        for m in pattern.finditer(norm):
            before = norm[: m.start()].strip()
            if any(before == n or before.endswith(" " + n) for n in _COMMAND_NEGATORS):
                if command in ("stop", "pause"):
                    return "next"  # "please don't stop", "no need to wait"
                continue
            if command == "next" and question:
                continue
            return command
    return None


# --------------------------------------------------------------------------------------------
# Free text: how the person responds


_CLAUSE_SPLIT = re.compile(r"[.;!?,:\n]+|\b(?:but|and|because|when|after|then|so|since|until|"
                           r"while|though|although|however)\b")
_NEG_WINDOW = 5


def _phrase_regex(phrase: str) -> str:
    """See the phrase syntax in routines.yml: word* = any ending, ... = up to 3 words."""
    out = ""
    for word in phrase.split():
        if word == "...":
            out += r"(?:\s+[a-z0-9']+){0,3}"
            continue
        piece = re.escape(word[:-1]) + r"[a-z']*" if word.endswith("*") else re.escape(word)
        out += (r"\s+" if out else "") + piece
    return r"(?<![a-z0-9'])" + out + r"(?![a-z0-9'])"


@lru_cache(maxsize=1)
def _signal_patterns() -> dict[str, list[re.Pattern[str]]]:
    signals = load_routines()["signals"]
    return {kind: [re.compile(_phrase_regex(p)) for p in signals[kind]["phrases"]]
            for kind in (DISCOMFORT, COMFORT)}


def _is_negated(text: str, start: int) -> bool:
    clause = _CLAUSE_SPLIT.split(text[:start])[-1]
    words = clause.split()[-_NEG_WINDOW:]
    negations = set(load_routines()["signals"]["negations"])
    return any(w in negations or w.endswith("n't") or w in _NT_WORDS for w in words)


_NT_WORDS = {"didnt", "doesnt", "dont", "isnt", "wasnt", "hasnt", "havent", "hadnt", "cant",
             "couldnt", "wont", "wouldnt", "arent", "werent", "shouldnt", "aint"}


def _has(text: str, kind: str) -> bool:
    for pattern in _signal_patterns()[kind]:
        for m in pattern.finditer(text):
            if not _is_negated(text, m.start()):
                return True
    return False


def detect_signal(text: str) -> str | None:
    """"discomfort", "comfort" or None. Discomfort wins when both are there ("she relaxed,
    then winced"). A sign after a negation in the same clause does not count ("she didn't
    pull away", "no grimacing"). Red flags are a separate, earlier check (bot.redflags)."""
    norm = _normalise_keep_clauses(text or "")
    if not norm:
        return None
    if _has(norm, DISCOMFORT):
        return DISCOMFORT
    if _has(norm, COMFORT):
        return COMFORT
    return None


def signal_reply(kind: str, state: State | None) -> Reply:
    """What to say for a sign. Discomfort stops the routine (stopped=True); comfort is
    acknowledged and the current step is offered again. Use `handle_signal` to get the new
    state as well."""
    if kind not in (DISCOMFORT, COMFORT):
        raise ValueError(f"unknown signal {kind!r}")
    signals = load_routines()["signals"]
    if state is None:
        text = signals[kind]["reply"] if kind == DISCOMFORT else signals[COMFORT]["reply_idle"]
        return Reply(text=text, step_index=0, total=0, title="", stopped=kind == DISCOMFORT)
    p = plan_for_state(state)
    i = _locate(p, state)
    title = p.steps[i].title
    if kind == DISCOMFORT:
        return Reply(text=signals[DISCOMFORT]["reply"], step_index=i, total=p.total, title=title,
                     stopped=not state.get("finished"), finished=bool(state.get("finished")))
    if state.get("finished"):
        return Reply(text=signals[COMFORT]["reply_finished"], step_index=i, total=p.total,
                     title=title, finished=True)
    if state.get("stopped") or state.get("paused"):
        return Reply(text=signals[COMFORT]["reply_idle"], step_index=i, total=p.total,
                     title=title, stopped=bool(state.get("stopped")),
                     paused=bool(state.get("paused")))
    return render_step(p, i, prefix=signals[COMFORT]["reply"])


def handle_signal(state: State | None, kind: str) -> tuple[State | None, Reply]:
    """`signal_reply` plus the new state: discomfort marks an active routine stopped."""
    reply = signal_reply(kind, state)
    if state is None:
        return None, reply
    new = dict(state)
    if kind == DISCOMFORT and not state.get("finished"):
        new.update(stopped=True, paused=False)
    return new, reply


# --------------------------------------------------------------------------------------------
# Check-in


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str  # "choice" | "scale" | "text"
    optional: bool
    when: str  # "before" (how things were before the massage) | "after"
    options: tuple[str, ...] = ()
    low: int | None = None  # scale bounds
    high: int | None = None


def checkin_questions() -> list[Question]:
    """The end-of-routine check-in: how they responded, then optional 0-10 ratings of comfort,
    pain and anxiety before and after, and a free note."""
    out = []
    for q in load_routines()["checkin"]:
        scale = q["kind"] == "scale"
        out.append(Question(id=q["id"], text=q["text"], kind=q["kind"],
                            optional=bool(q.get("optional", True)), when=q.get("when", "after"),
                            options=tuple(q.get("options", ())), low=0 if scale else None,
                            high=10 if scale else None))
    return out
