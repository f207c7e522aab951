"""The stepper's state: a small JSON-safe dict that can live in a Rasa slot and survive restarts.

State format::

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

The plan is rebuilt from the state on every turn (routine_id, variant, side and the verdict's
level, still flag and avoided areas are all a plan depends on). The verdict's reasons and
`possible` text are not stored: they do not change the steps. If the content changed between
two turns, the current step is found again by its key; failing that the index is clamped.
"""

from __future__ import annotations

import json
from typing import Any

from bot.routines.content import load_routines
from bot.routines.planner import Plan, plan
from bot.routines.steps import swelling_care
from bot.verdict import AreaRestriction, Level, Reason, Verdict

STATE_VERSION = 1

State = dict[str, Any]


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


def _named_level(level: Any) -> Any:
    """bot.screen writes the level by name ("lightest_touch"); a state by number."""
    if isinstance(level, str):
        return Level[level.upper()] if not level.isdigit() else Level(int(level))
    return level


def _avoid(entries: Any) -> tuple[AreaRestriction, ...]:
    avoid = []
    for r in entries or []:
        if isinstance(r, dict):
            avoid.append(AreaRestriction(r["area"], r.get("side"), r.get("reason_id", "")))
        else:
            area, side, reason = r
            avoid.append(AreaRestriction(area, side, reason))
    return tuple(avoid)


def _reasons(data: dict[str, Any]) -> tuple[Reason, ...]:
    reasons: list[Reason] = []
    for r in data.get("reasons") or []:  # bot.screen's dict form keeps every reason
        if isinstance(r, dict) and r.get("condition_id"):
            reasons.append(Reason(str(r["condition_id"]), str(r.get("text", "")),
                                  str(r.get("source", ""))))
    if data.get("swelling") and not swelling_care(Verdict(Level.GENTLE_OK,
                                                          reasons=tuple(reasons))):
        condition = load_routines()["swelling"]["conditions"][0]
        reasons.append(Reason(condition, "", ""))
    return tuple(reasons)


def verdict_from_dict(data: dict[str, Any] | None) -> Verdict | None:
    """The inverse of `verdict_to_dict`. Also reads bot.screen's fuller dict form (level by
    name, avoid entries as {"area", "side", "reason_id"})."""
    if data is None:
        return None
    level = _named_level(data["level"])
    avoid = _avoid(data.get("avoid"))
    reasons = _reasons(data)
    return Verdict(level=Level(int(level)), still_hand_only=bool(data.get("still_hand_only")),
                   avoid=avoid, reasons=reasons)


# --------------------------------------------------------------------------------------------
# The state


def plan_for_state(state: State) -> Plan:
    """Rebuild the plan a state was made from."""
    if not isinstance(state, dict) or "routine_id" not in state:
        raise ValueError("not a routine state")
    return plan(state["routine_id"], verdict_from_dict(state.get("verdict")),
                variant=state.get("variant"), side=state.get("side"))


def locate(plan_: Plan, state: State) -> int:
    """The index of the state's current step in the plan: by index while the key matches, else
    by key, else the index clamped."""
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


def state_to_json(state: State) -> str:
    return json.dumps(state, sort_keys=True)


def state_from_json(text: str) -> State:
    state = json.loads(text)
    if not isinstance(state, dict) or "routine_id" not in state:
        raise ValueError("not a routine state")
    return state
