"""How findings combine: `_apply(findings)` folds them into a `_State` the verdict is read from.

* A finding's status is "present", "unsure", "absent" or "history". "present" and "unsure"
  both count: not being sure is a caution, never a no. "absent" never counts, and a present
  or unsure finding of the same condition always wins over an absent one (safety first).
* "history" depends on the condition's `on_history`: `ignore` (the default: an old fever or a
  healed fracture), `keep` (lasting things such as bone metastases, lymphoedema or
  radiation-treated skin count as now) or `known_clot` (an earlier clot is treated like a known
  clot: never a do-not-massage, but that limb is avoided and only a still hand is allowed).
  [`_counted`]
* The general level: do-not-massage when any do-not-massage finding counts, at least
  lightest touch when any lightest-touch finding counts, and at least lightest touch when only
  a still hand is allowed (clots) or an area must be avoided but we do not know where it is.
  [`_raise_level`, end of `_apply`]
* Every area restriction is kept. An avoid-area finding with a named area avoids that area (on
  that side, if one was given); with none, the condition's default `areas` (both sides); with no
  defaults either, it is "unplaced" (see `missing_areas`). Do-not-massage and `avoid_named`
  findings (bone metastases) with a named area avoid it too. For clot findings a limb
  restriction covers the whole limb (leg + foot, arm + hand). [`_places`, `_restrict`]
* Conditions with `placed: false` (fever, a blood thinner, refusal...) ignore any area given.
* A finding with an unknown condition id (e.g. stored before a rename) counts as do-not-massage.
  [`_unknown_condition`]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bot.screen.content import (
    ABSENT,
    HISTORY,
    UNKNOWN_SOURCE,
    Condition,
    Finding,
    canonical_area,
    load_conditions,
)
from bot.screen.serialise import _as_finding
from bot.verdict import Level

# The limb a clot restriction spreads to.
LIMB = {"leg": ("leg", "foot"), "foot": ("leg", "foot"), "arm": ("arm", "hand"),
        "hand": ("arm", "hand")}


@dataclass
class _Applied:
    cond: Condition
    statuses: set[str] = field(default_factory=set)
    places: list[tuple[str, str | None]] = field(default_factory=list)
    order: int = 0


@dataclass
class _State:
    general: Level = Level.GENTLE_OK
    still: bool = False
    avoid: dict[tuple[str, str | None, str], None] = field(default_factory=dict)
    applied: dict[str, _Applied] = field(default_factory=dict)
    unplaced: dict[str, Condition] = field(default_factory=dict)
    do_not: set[str] = field(default_factory=set)


class _Counted(NamedTuple):
    """A finding that counts: its condition (after `on_history`), status and place."""

    cond: Condition
    status: str
    area: str | None
    side: str | None


def _unknown_condition(cid: str) -> Condition:
    return Condition(
        id=cid, label="something I could not place", level=Level.DO_NOT_MASSAGE,
        advice="Please check with the hospice nurse before any massage.",
        source=UNKNOWN_SOURCE,
    )


def _counted(f: Finding, conds: Mapping[str, Condition]) -> _Counted | None:
    """The finding as it counts, or None when it does not (absent, or an ignored history)."""
    if f.status == ABSENT:
        return None
    cond = conds.get(f.condition_id) or _unknown_condition(f.condition_id)
    if f.status == HISTORY:
        if cond.on_history == "ignore":
            return None
        if cond.on_history == "known_clot":
            cond = conds["known_clot"]
    area = canonical_area(f.area) if cond.placed else None
    side = f.side if area else None
    return _Counted(cond, f.status, area, side)


def _record(st: _State, c: _Counted, order: int) -> None:
    """Remember the condition for its reason: every status and place it was reported with."""
    app = st.applied.get(c.cond.id)
    if app is None:
        app = st.applied[c.cond.id] = _Applied(cond=c.cond, order=order)
    app.statuses.add(c.status)
    if c.area and (c.area, c.side) not in app.places:
        app.places.append((c.area, c.side))


def _raise_level(st: _State, cond: Condition) -> None:
    if cond.level == Level.DO_NOT_MASSAGE:
        st.general = Level.DO_NOT_MASSAGE
        st.do_not.add(cond.id)
    elif cond.level == Level.LIGHTEST_TOUCH:
        st.general = max(st.general, Level.LIGHTEST_TOUCH)
    if cond.still_hand:
        st.still = True


def _places(c: _Counted) -> list[tuple[str, str | None]]:
    """The (area, side) pairs the finding keeps the hands away from."""
    cond = c.cond
    places: list[tuple[str, str | None]] = []
    if c.area:
        if cond.level in (Level.AVOID_AREA, Level.DO_NOT_MASSAGE) or cond.avoid_named:
            places = [(c.area, c.side)]
    elif cond.level == Level.AVOID_AREA:
        places = [(a, None) for a in cond.areas]
    if cond.still_hand:
        places = [(limb, s) for a, s in places for limb in LIMB.get(a, (a,))]
    return places


def _restrict(st: _State, c: _Counted) -> None:
    if not c.area and c.cond.level == Level.AVOID_AREA and not c.cond.areas:
        # Somewhere to avoid, but nobody said where: ask (missing_areas, where_question).
        st.unplaced.setdefault(c.cond.id, c.cond)
    for a, s in _places(c):
        st.avoid.setdefault((a, s, c.cond.id), None)


def _apply(findings: Iterable[Any]) -> _State:
    conds = load_conditions()
    st = _State()
    for n, raw in enumerate(findings):
        c = _counted(_as_finding(raw), conds)
        if c is None:
            continue
        _record(st, c, n)
        _raise_level(st, c.cond)
        _restrict(st, c)

    if st.still or st.unplaced:
        st.general = max(st.general, Level.LIGHTEST_TOUCH)
    return st


def _level(st: _State) -> Level:
    if st.general == Level.GENTLE_OK and st.avoid:
        return Level.AVOID_AREA
    return st.general


def missing_areas(findings: Iterable[Finding]) -> list[str]:
    """Condition ids of counted avoid-area findings whose place is unknown (ask where)."""
    return list(_apply(findings).unplaced)
