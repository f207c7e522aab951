"""One step of a plan, worded for how the hands may touch today.

`touch_for(verdict)` says how the hands may touch (`Touch`); `make_step` words a content step
(`StepContent`) for it, with a variant's changes, as a plan's `Step`:

* a still hand only (`still_hand_only`), or swelling care on a step marked `swelling: still`:
  a stroking step becomes its still, resting-hand alternative ("still");
* lightest touch (LIGHTEST_TOUCH, or swelling care): the lightest pressure line and the step's
  `lightest_text`; under swelling care a step that strokes another way strokes toward the
  heart instead (its `swelling_text` and `swelling_more`);
* a hold (level 0) is never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from bot.routines.content import (
    STILL,
    TOWARD_HEART,
    StepContent,
    VariantContent,
    load_routines,
)
from bot.verdict import Level, Verdict


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
class Touch:
    """How the hands may touch today, from the screen's verdict."""

    still: bool  # a still, resting hand only
    swelling: bool  # swelling care: strokes toward the heart only
    lightest: bool  # lightest touch only (also true with a still hand or swelling care)


def swelling_care(verdict: Verdict | None) -> bool:
    """True when the verdict's reasons include swelling or lymphoedema (present or not sure):
    the routine then strokes only toward the heart and only rests a still hand on the lower
    leg. The conditions are listed under `swelling` in routines.yml."""
    if verdict is None:
        return False
    wanted = set(load_routines()["swelling"]["conditions"])
    return any(r.condition_id in wanted for r in verdict.reasons)


def touch_for(verdict: Verdict) -> Touch:
    still = bool(verdict.still_hand_only)
    swelling = swelling_care(verdict)
    return Touch(still=still, swelling=swelling,
                 lightest=still or swelling or verdict.level == Level.LIGHTEST_TOUCH)


def _held_still(step: StepContent, touch: Touch) -> bool:
    """A stroking step done with a still hand: always with a still hand only, and under
    swelling care where the step says `swelling: still`."""
    return step.level > 0 and (touch.still or (touch.swelling and step.swelling == STILL))


def _lightened(step: StepContent, touch: Touch) -> bool:
    """A stroking step done with the lightest touch."""
    return step.level > 0 and (touch.lightest or touch.swelling)


class _Wording(NamedTuple):
    """What of a step changes with the touch."""

    title: str
    text: str
    amount: str
    pressure: str
    more: str
    direction: str


def _as_written(step: StepContent) -> _Wording:
    return _Wording(step.title, step.text, step.amount, step.pressure, step.more,
                    step.direction if step.level > 0 else "none")


def _as_still(step: StepContent) -> _Wording:
    still = load_routines()["still"]
    title = step.still_title if step.still_title is not None else step.title
    return _Wording(title, step.still_alternative, still["amount"], still["pressure"],
                    still["more"], STILL)


def _as_lightest(step: StepContent, swelling: bool) -> _Wording:
    text = step.lightest_text if step.lightest_text is not None else step.text
    pressure = load_routines()["lightest"]["pressure"]
    if swelling and step.direction != TOWARD_HEART:
        text, more = step.toward_heart()
        return _Wording(step.title, text, step.amount, pressure, more, TOWARD_HEART)
    return _Wording(step.title, text, step.amount, pressure, step.more, step.direction)


def _worded(step: StepContent, touch: Touch) -> _Wording:
    if _held_still(step, touch):
        return _as_still(step)
    if _lightened(step, touch):
        return _as_lightest(step, touch.swelling)
    return _as_written(step)


def make_step(content: StepContent, *, kind: str, key: str, side: str | None,
              label: str | None, touch: Touch, variant: VariantContent) -> Step:
    """A plan's step from a content step: the variant's changes, then the touch's."""
    d = content.with_overrides(variant.steps.get(content.id, {}))
    w = _worded(d, touch)
    return Step(id=content.id, key=key, kind=kind, title=w.title, text=w.text, amount=w.amount,
                pressure=w.pressure, watch=d.watch, more=w.more, source=d.source,
                touches=d.touches, still_alternative=d.still_alternative, side=side,
                side_label=label, note=variant.note if kind == "step" else None,
                direction=w.direction)
