"""The plan: a routine with the screen's verdict (and a variant, and a side) applied.

`plan(routine_id, verdict, variant, side)` turns a routine and the screen's `Verdict` into a
`Plan`: the exact steps to walk through, or a polite refusal. Each rule below is one small
function here (named in brackets); how a single step reads is in bot/routines/steps.py.

* DO_NOT_MASSAGE: refused; the message says to call the hospice nurse (sitting close is fine,
  and a hand can be held if the team agrees). When the only reason is that the person doesn't
  want to be touched (`REFUSAL`), the message makes no call and offers no touch.
  [`_refusal_without_touch`, `declined_only`]
* Avoided areas: the routine's main area avoided on one side -> only the other side ("We'll
  work on the right hand only; the left hand stays still."); on both sides -> refused, with the
  other routine suggested (`plan.alternative`). [`_allowed_sides`, `_refusal_without_side`,
  `_passes`] A related area avoided (the forearm for the hand routine, the lower leg for the
  foot routine) -> the steps that touch it are left out on that side. [`_avoided_areas`]
* still_hand_only: each stroking step becomes its still, resting-hand alternative. [steps.py]
* LIGHTEST_TOUCH: every pressure line says lightest touch only (level 1), fingertip squeezes
  become a resting touch, and steps that move a joint (the ankle turn) are left out.
  [steps.py, `_joint_move_left_out`]
* Swelling or lymphoedema among the verdict's reasons (present or "not sure"; see `swelling` in
  routines.yml): lightest touch, and every stroke goes toward the heart. A step that strokes
  another way uses its `swelling_text` (the same step, toward the heart) or, where it says
  `swelling: still`, its still, resting-hand alternative: the puffy lower leg is never stroked.
  `Step.direction` says which: "toward_heart", "still" or "none" (a hold). [steps.py]
* Variants: "unconscious", "dementia" (notes, wording, preparation) and "tired" (a short
  version of about 5 minutes). [`_left_out_by_variant`, `_minutes`, `_preparation`]

With no side given and both sides allowed, the plan covers both hands (or feet): the steps for
the first one, a "Now the other hand" step, the steps again for the second, then the closing.
[`_both_sides`, `_build_steps`] `verdict=None` means no screen result was given and is treated
as GENTLE_OK. A general level of AVOID_AREA is treated as gentle apart from the avoided areas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.routines.content import (
    STILL,
    RoutineContent,
    StepContent,
    VariantContent,
    fmt,
    load_routines,
    routine_content,
    variant_content,
)
from bot.routines.steps import Step, Touch, make_step, touch_for
from bot.verdict import Level, Verdict

SIDES = ("right", "left")  # the order used when both sides are named
REFUSAL = "refuses_or_distressed"  # the condition id for "doesn't want to be touched"
_ORDINALS = ("first", "second")

Passes = list[str | None]  # one entry a pass over a hand or foot: ["right", "left"], [None]...


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


@dataclass(frozen=True)
class _Context:
    """What every rule of one plan reads."""

    routine: RoutineContent
    variant: VariantContent
    verdict: Verdict  # the screen's verdict, GENTLE_OK when none was given
    touch: Touch
    messages: dict[str, str]


@dataclass
class _LeftOut:
    """What the step rules left out, for the plan's notes."""

    areas: dict[str, set[str | None]] = field(default_factory=dict)  # area -> sides
    moves: list[str] = field(default_factory=list)  # titles of steps that move a joint


# --------------------------------------------------------------------------------------------
# Refusals


def declined_only(verdict: Verdict) -> bool:
    """True when the person not wanting touch (`REFUSAL`) is the only do-not-massage reason:
    the refusal then needs no call to the nurse and offers no touch."""
    from bot.screen import load_conditions  # bot.screen is only needed here

    conditions = load_conditions()
    strict = {r.condition_id for r in verdict.reasons
              if r.condition_id not in conditions
              or conditions[r.condition_id].level == Level.DO_NOT_MASSAGE}
    return strict == {REFUSAL}


def _check_arguments(routine_id: str, variant: str | None, side: str | None) -> None:
    content = load_routines()
    routines = content["routines"]
    if routine_id not in routines:
        raise ValueError(f"unknown routine {routine_id!r}; known: {', '.join(routines)}")
    variants = content.get("variants") or {}
    if variant is not None and variant not in variants:
        raise ValueError(f"unknown variant {variant!r}; known: {', '.join(variants)}")
    if side not in (None, "left", "right"):
        raise ValueError(f"side must be 'left', 'right' or None, not {side!r}")


def _refused(routine: RoutineContent, variant: str | None, message: str,
             verdict: Verdict | None, alternative: str | None = None) -> Plan:
    return Plan(routine_id=routine.id, side=None, variant=variant, refused=True, message=message,
                preparation=[], steps=(), title=routine.title, minutes=0, sides=(),
                alternative=alternative, verdict=verdict)


def _refusal_without_touch(routine: RoutineContent, v: Verdict, variant: str | None,
                           verdict: Verdict | None) -> Plan | None:
    """DO_NOT_MASSAGE: refused; no call to the nurse when the person only declined touch."""
    if v.may_touch:
        return None
    key = "refuse_declined" if declined_only(v) else "refuse_no_massage"
    return _refused(routine, variant, load_routines()["messages"][key], verdict)


def _allowed_sides(routine: RoutineContent, v: Verdict) -> list[str]:
    """The sides on which the routine's main area may be touched."""
    return [s for s in SIDES if not v.avoids(routine.area, s)]


def _other_routine(routine_id: str, verdict: Verdict) -> str | None:
    for rid, routine in load_routines()["routines"].items():
        if rid != routine_id and any(not verdict.avoids(routine["area"], s) for s in SIDES):
            return rid
    return None


def _refusal_without_side(routine: RoutineContent, v: Verdict, variant: str | None,
                          verdict: Verdict | None) -> Plan | None:
    """The main area avoided on both sides: refused, with another routine if one suits."""
    if _allowed_sides(routine, v):
        return None
    msgs = load_routines()["messages"]
    other = _other_routine(routine.id, v)
    if other:
        message = fmt(msgs["refuse_area"], area_plural=routine.plural,
                      other=load_routines()["routines"][other]["area"])
    else:
        message = fmt(msgs["refuse_area_no_other"], area_plural=routine.plural)
    return _refused(routine, variant, message, verdict, alternative=other)


def _refusal_nothing_left(ctx: _Context, steps: list[Step], variant: str | None,
                          verdict: Verdict | None) -> Plan | None:
    """Every step left out: nothing to do, so say so plainly."""
    if any(s.kind == "step" for s in steps):
        return None
    return _refused(ctx.routine, variant,
                    fmt(ctx.messages["refuse_area_no_other"], area_plural=ctx.routine.plural),
                    verdict)


# --------------------------------------------------------------------------------------------
# Sides


def _asked_side(side: str, allowed: list[str], ctx: _Context) -> tuple[Passes, list[str]]:
    """A side was asked for: that side, or the other one if it is avoided (and say so)."""
    if side in allowed:
        return [side], []
    note = fmt(ctx.messages["moved_side"], asked=side, side=allowed[0], area=ctx.routine.area)
    return [allowed[0]], [note]


def _only_side(side: str, ctx: _Context) -> tuple[Passes, list[str]]:
    """No side asked for and one avoided: the other side only (and say so)."""
    other = "left" if side == "right" else "right"
    return [side], [fmt(ctx.messages["one_side"], side=side, other=other, area=ctx.routine.area)]


def _both_sides(ctx: _Context) -> Passes:
    """Both sides: named (right, then left) when a related area is avoided on one side, so the
    notes can say which; otherwise "first" and "second"."""
    related = set(ctx.routine.related_areas)
    sided = any(r.area in related and r.side is not None for r in ctx.verdict.avoid)
    return list(SIDES) if sided else [None, None]


def _passes(side: str | None, ctx: _Context) -> tuple[Passes, list[str]]:
    """The passes to make, and the notes about sides."""
    allowed = _allowed_sides(ctx.routine, ctx.verdict)
    if side is not None:
        return _asked_side(side, allowed, ctx)
    if len(allowed) == 1:
        return _only_side(allowed[0], ctx)
    return _both_sides(ctx), []


# --------------------------------------------------------------------------------------------
# Which steps: each returns True (or the areas) when a step is left out


def _only_on_first_side(step: StepContent, pass_no: int) -> bool:
    """`first_side_only` steps are not repeated: the switch step replaces them."""
    return pass_no > 1 and step.first_side_only


def _avoided_areas(step: StepContent, side: str | None, v: Verdict) -> list[str]:
    """The avoided areas the step touches on this side."""
    return [a for a in step.touches if v.avoids(a, side)]


def _joint_move_left_out(step: StepContent, touch: Touch) -> bool:
    """Under lightest touch a step that moves a joint is left out; with a still hand only, the
    step is kept and becomes a still hold instead."""
    return touch.lightest and not touch.still and step.moves_joint


def _left_out_by_variant(step: StepContent, routine_id: str, variant: VariantContent) -> bool:
    """The variant's `skip`, or a step not in its `keep`."""
    kept = variant.kept(routine_id)
    return step.id in variant.skipped(routine_id) or (kept is not None and step.id not in kept)


def _keeps(step: StepContent, pass_no: int, side: str | None, ctx: _Context,
           left_out: _LeftOut) -> bool:
    """Whether a step is done on this pass; the rules in order, the first that applies wins.
    What is left out for an avoided area or a joint move is noted in `left_out`."""
    if _only_on_first_side(step, pass_no):
        return False
    avoided = _avoided_areas(step, side, ctx.verdict)
    if avoided:
        for a in avoided:
            left_out.areas.setdefault(a, set()).add(side)
        return False
    if _joint_move_left_out(step, ctx.touch):
        if step.title not in left_out.moves:
            left_out.moves.append(step.title)
        return False
    return not _left_out_by_variant(step, ctx.routine.id, ctx.variant)


def _make(step: StepContent, ctx: _Context, *, kind: str, key: str, side: str | None,
          label: str | None) -> Step:
    return make_step(step, kind=kind, key=key, side=side, label=label, touch=ctx.touch,
                     variant=ctx.variant)


def _build_steps(passes: Passes, ctx: _Context) -> tuple[list[Step], _LeftOut]:
    """The steps of every pass, a switch step between passes, the closing last."""
    routine = ctx.routine
    steps: list[Step] = []
    left_out = _LeftOut()
    for pass_no, pass_side in enumerate(passes, start=1):
        label = f"{pass_side or _ORDINALS[pass_no - 1]} {routine.area}"
        suffix = "" if pass_no == 1 else f"@{pass_no}"
        if pass_no > 1:
            steps.append(_make(routine.switch, ctx, kind="switch", key=f"switch{suffix}",
                               side=pass_side, label=label))
        for step in routine.steps:
            if _keeps(step, pass_no, pass_side, ctx, left_out):
                steps.append(_make(step, ctx, kind="step", key=step.id + suffix,
                                   side=pass_side, label=label))
    steps.append(_make(routine.closing, ctx, kind="closing", key="closing", side=None,
                       label=None))
    return steps, left_out


# --------------------------------------------------------------------------------------------
# What the plan says


def _join_sides(sides: set[str | None]) -> str | None:
    """One side name, or None for both sides."""
    if None in sides or len(sides) > 1:
        return None
    return next(iter(sides))


def _left_out_notes(left_out: _LeftOut, passes: Passes, ctx: _Context) -> list[str]:
    notes = []
    for a, sides in left_out.areas.items():
        if a == ctx.routine.area:
            continue  # the main area on a side: already said by one_side / moved_side
        what = ctx.routine.area_names.get(a, a)
        one = _join_sides(sides)
        if one is None and len(passes) > 1:
            notes.append(fmt(ctx.messages["skip_area_both"], what=what))
        else:
            notes.append(fmt(ctx.messages["skip_area_side"], what=what, side=one or passes[0]))
    return notes + [fmt(ctx.messages["skip_moves"], what=title) for title in left_out.moves]


def _minutes(passes: Passes, ctx: _Context) -> int:
    """The variant's minutes (the short version), else the routine's for each pass."""
    if ctx.variant.minutes is not None:
        return ctx.variant.minutes
    return ctx.routine.minutes * len(passes)


def _start_note(passes: Passes, ctx: _Context) -> list[str]:
    """With two passes: where to start."""
    if len(passes) < 2:
        return []
    if passes[0] is None:
        return [fmt(ctx.messages["start_nearest"], area=ctx.routine.area)]
    return [fmt(ctx.messages["start_named"], first=passes[0], second=passes[1],
                area=ctx.routine.area)]


def _touch_intro(steps: list[Step], ctx: _Context) -> list[str]:
    """How to touch today: a still hand, swelling care, or the lightest touch."""
    content = load_routines()
    if ctx.touch.still:
        return [content["still"]["intro"]]
    if ctx.touch.swelling:
        held = any(st.direction == STILL for st in steps)
        return [content["swelling"]["intro"]] + ([content["swelling"]["still_note"]] if held
                                                  else [])
    if ctx.touch.lightest:
        return [content["lightest"]["intro"]]
    return []


def _message(passes: Passes, notes: list[str], steps: list[Step], minutes: int,
             ctx: _Context) -> str:
    parts = [fmt(ctx.messages["intro"], title=ctx.routine.title, minutes=minutes)]
    parts += _start_note(passes, ctx) + notes + _touch_intro(steps, ctx)
    if ctx.variant.intro:
        parts.append(ctx.variant.intro)
    return " ".join(parts)


def _preparation(ctx: _Context) -> list[str]:
    """The routine's preparation, with the variant's wording where it has one."""
    return [ctx.variant.preparation.get(item_id, text)
            for item_id, text in ctx.routine.preparation]


# --------------------------------------------------------------------------------------------
# The plan


def plan(routine_id: str, verdict: Verdict | None, variant: str | None = None,
         side: str | None = None) -> Plan:
    """Apply the screen's verdict (and a variant, and an optional side) to a routine."""
    _check_arguments(routine_id, variant, side)
    routine = routine_content(routine_id)
    v = verdict if verdict is not None else Verdict(Level.GENTLE_OK)
    refusal = (_refusal_without_touch(routine, v, variant, verdict)
               or _refusal_without_side(routine, v, variant, verdict))
    if refusal is not None:
        return refusal

    ctx = _Context(routine=routine, variant=variant_content(variant), verdict=v,
                   touch=touch_for(v), messages=load_routines()["messages"])
    passes, side_notes = _passes(side, ctx)
    steps, left_out = _build_steps(passes, ctx)
    refusal = _refusal_nothing_left(ctx, steps, variant, verdict)
    if refusal is not None:
        return refusal

    minutes = _minutes(passes, ctx)
    message = _message(passes, side_notes + _left_out_notes(left_out, passes, ctx), steps,
                       minutes, ctx)
    return Plan(routine_id=routine_id, side=passes[0] if len(passes) == 1 else None,
                variant=variant, refused=False, message=message, preparation=_preparation(ctx),
                steps=tuple(steps), title=routine.title, minutes=minutes, sides=tuple(passes),
                lightest=ctx.touch.lightest, still=ctx.touch.still,
                swelling=ctx.touch.swelling and not ctx.touch.still, verdict=verdict)
