"""Findings and verdicts as plain dicts, for Rasa slots and the journal, and back.

A verdict's level is written by name ("lightest_touch"); `verdict_from_dict` also reads it by
number or by enum name ("LIGHTEST_TOUCH").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.screen.content import LEVELS, PRESENT, Finding
from bot.verdict import AreaRestriction, Level, Reason, Verdict


def finding_to_dict(f: Finding) -> dict[str, Any]:
    return {"condition_id": f.condition_id, "status": f.status, "area": f.area, "side": f.side}


def finding_from_dict(d: Mapping[str, Any]) -> Finding:
    return Finding(condition_id=str(d["condition_id"]), status=str(d.get("status", PRESENT)),
                   area=d.get("area"), side=d.get("side"))


def _as_finding(f: Any) -> Finding:
    return f if isinstance(f, Finding) else finding_from_dict(f)


def _level_name(level: Level) -> str:
    return level.name.lower()


def _level_from(value: Any) -> Level:
    if isinstance(value, str):
        if value.lower() in LEVELS:
            return LEVELS[value.lower()]
        return Level[value.upper()]
    return Level(int(value))


def verdict_to_dict(v: Verdict) -> dict[str, Any]:
    return {
        "level": _level_name(v.level),
        "still_hand_only": v.still_hand_only,
        "avoid": [{"area": r.area, "side": r.side, "reason_id": r.reason_id} for r in v.avoid],
        "reasons": [{"condition_id": r.condition_id, "text": r.text, "source": r.source}
                    for r in v.reasons],
        "possible": v.possible,
    }


def verdict_from_dict(d: Mapping[str, Any]) -> Verdict:
    return Verdict(
        level=_level_from(d["level"]),
        still_hand_only=bool(d.get("still_hand_only", False)),
        avoid=tuple(AreaRestriction(area=r["area"], side=r.get("side"),
                                    reason_id=r["reason_id"]) for r in d.get("avoid") or []),
        reasons=tuple(Reason(condition_id=r["condition_id"], text=r["text"],
                             source=r["source"]) for r in d.get("reasons") or []),
        possible=str(d.get("possible", "")),
    )
