"""The routines' content: bot/content/routines.yml, validated once, and typed records of it.

`load_routines()` is the whole document as read (routines, lightest, still, swelling, variants,
messages, signals, checkin). `routine_content()` and `variant_content()` give one routine or one
variant as frozen records (`RoutineContent`, `StepContent`, `VariantContent`), which is what the
planner works from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
CONTENT = CONTENT_DIR / "routines.yml"

DISCOMFORT = "discomfort"
COMFORT = "comfort"

TITLE_MAX = 30
STEP_FIELDS = ("id", "title", "text", "amount", "pressure", "watch", "more", "source", "touches",
               "still_alternative")
DIRECTIONS = ("toward_heart", "away", "across", "circles")
TOWARD_HEART = "toward_heart"
STILL = "still"

_ROUTINE_KEYS = ("title", "name", "plural", "area", "related_areas", "area_names", "minutes",
                 "sources", "preparation", "steps", "switch", "closing")


def fmt(template: str, **kw: Any) -> str:
    """Fill a message's {placeholders}."""
    return template.format(**kw)


# --------------------------------------------------------------------------------------------
# Loading and validation


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _field_problems(step: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    for name in STEP_FIELDS:
        if name == "touches":
            if not isinstance(step[name], list) or not all(isinstance(a, str) for a in step[name]):
                problems.append(f"{where}: touches must be a list of area names")
        elif not isinstance(step[name], str) or not step[name].strip():
            problems.append(f"{where}: {name} must be a non-empty string")
    for name in ("title", "still_title"):
        if name in step and len(str(step[name])) > TITLE_MAX:
            problems.append(f"{where}: {name} longer than {TITLE_MAX} characters")
    return problems


def _direction_problems(step: dict[str, Any], where: str) -> list[str]:
    if int(step.get("level", 2)) <= 0:
        return []
    direction = step.get("direction")
    if direction not in DIRECTIONS:
        return [f"{where}: a stroking step needs a direction ({', '.join(DIRECTIONS)})"]
    if direction != TOWARD_HEART and step.get("swelling") != STILL and not (
            step.get("swelling_text") and step.get("swelling_more")):
        return [f"{where}: strokes {direction}: give swelling_text and swelling_more "
                "(toward the heart), or swelling: still"]
    return []


def _step_problems(step: Any, where: str, source_ids: set[str]) -> list[str]:
    if not isinstance(step, dict):
        return [f"{where}: not a mapping"]
    missing = [f"{where}: missing {name}" for name in STEP_FIELDS if name not in step]
    if missing:
        return missing
    problems = _field_problems(step, where)
    if source_ids and step.get("source") not in source_ids:
        problems.append(f"{where}: unknown source {step.get('source')!r}")
    return problems + _direction_problems(step, where)


def _routine_problems(rid: str, routine: dict[str, Any], source_ids: set[str]) -> list[str]:
    problems: list[str] = []
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
    return problems


def _routines_problems(data: dict[str, Any], source_ids: set[str]) -> list[str]:
    problems: list[str] = []
    for rid, routine in data["routines"].items():
        for key in _ROUTINE_KEYS:
            if key not in routine:
                problems.append(f"{rid}: missing {key}")
        if problems:  # after the first problem, later routines are checked for their keys only
            continue
        problems += _routine_problems(rid, routine, source_ids)
    return problems


def _variant_problems(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for vid, variant in (data.get("variants") or {}).items():
        for rid, keep in (variant.get("keep") or {}).items():
            known = {s["id"] for s in data["routines"].get(rid, {}).get("steps", [])}
            if not set(keep) <= known:
                problems.append(f"variants.{vid}.keep.{rid}: unknown step ids")
    return problems


def _swelling_and_signal_problems(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    swelling = data.get("swelling")
    if not isinstance(swelling, dict) or not all(
            swelling.get(k) for k in ("conditions", "intro", "still_note")):
        problems.append("swelling: needs conditions, intro and still_note")
    for kind in (DISCOMFORT, COMFORT):
        for phrase in data.get("signals", {}).get(kind, {}).get("phrases", []):
            if not isinstance(phrase, str):  # YAML 1.1 reads a bare no/yes as a boolean
                problems.append(f"signals.{kind}: {phrase!r} is not a string; quote it")
    return problems


def _validate(data: Any) -> None:
    """Fail loudly on a broken content file rather than mid-conversation."""
    if not isinstance(data, dict) or not isinstance(data.get("routines"), dict):
        raise ValueError("routines.yml: no `routines` mapping")
    sources_path = CONTENT_DIR / "sources.yml"
    source_ids: set[str] = set()
    if sources_path.exists():
        source_ids = set((_read_yaml(sources_path) or {}).get("sources", {}))
    problems = (_routines_problems(data, source_ids) + _variant_problems(data)
                + _swelling_and_signal_problems(data))
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
# Typed records


@dataclass(frozen=True)
class StepContent:
    """One step as written in routines.yml: a `steps` item, the `switch` or the `closing`.
    The field comments at the top of routines.yml say what each one means."""

    id: str
    title: str
    text: str
    amount: str
    pressure: str
    watch: str
    more: str
    source: str
    touches: tuple[str, ...]
    still_alternative: str
    level: int = 2  # pressure level on the 1-5 scale; 0 = a still hold
    direction: str = "none"  # which way it strokes, as written (read only when level > 0)
    swelling: str | None = None  # "still": with swelling, a still hand instead of the stroke
    swelling_text: str | None = None  # the same step stroking toward the heart
    swelling_more: str | None = None
    lightest_text: str | None = None
    still_title: str | None = None
    moves_joint: bool = False
    first_side_only: bool = False

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> StepContent:
        return cls(**_step_values(raw))

    def with_overrides(self, overrides: Mapping[str, Any]) -> StepContent:
        """The step with a variant's `steps` overrides for it; the id stays."""
        if not overrides:
            return self
        return replace(self, **_step_values({k: v for k, v in overrides.items() if k != "id"}))

    def toward_heart(self) -> tuple[str, str]:
        """(text, more) stroking toward the heart. Validation makes sure a step that strokes
        another way and is not held still under swelling care has both."""
        if self.swelling_text is None or self.swelling_more is None:
            raise KeyError(f"{self.id}: swelling_text")
        return self.swelling_text, self.swelling_more


def _as_is(value: Any) -> Any:
    return value


_STEP_CONVERT: dict[str, Callable[[Any], Any]] = {
    "touches": tuple, "level": int, "direction": str, "moves_joint": bool,
    "first_side_only": bool,
}
_STEP_RECORD_FIELDS = frozenset(f.name for f in fields(StepContent))


def _step_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The record's fields found in `raw`, converted; other keys (quote...) are left out."""
    return {k: _STEP_CONVERT.get(k, _as_is)(v) for k, v in raw.items()
            if k in _STEP_RECORD_FIELDS}


@dataclass(frozen=True)
class RoutineContent:
    id: str
    title: str
    name: str  # "hand massage"
    plural: str  # "hands"
    area: str  # the main area: "hand"
    related_areas: tuple[str, ...]  # areas some steps touch too: ("arm",)
    area_names: Mapping[str, str]  # area -> its name in messages ("arm" -> "forearm")
    minutes: int  # for one hand or foot
    preparation: tuple[tuple[str, str], ...]  # (id, text)
    steps: tuple[StepContent, ...]
    switch: StepContent
    closing: StepContent


def _cached(key: tuple[str, str | None], build: Callable[[dict[str, Any]], Any]) -> Any:
    """`build(load_routines())`, kept while load_routines() returns the same document (so a
    reloaded document is never answered from old records)."""
    data = load_routines()
    hit = _RECORDS.get(key)
    if hit is not None and hit[0] is data:
        return hit[1]
    record = build(data)
    _RECORDS[key] = (data, record)
    return record


_RECORDS: dict[tuple[str, str | None], tuple[dict[str, Any], Any]] = {}


def routine_content(routine_id: str) -> RoutineContent:
    """One routine as a record. Raises KeyError for an unknown id."""
    record: RoutineContent = _cached(("routine", routine_id),
                                     lambda data: _routine_record(data, routine_id))
    return record


def _routine_record(data: dict[str, Any], routine_id: str) -> RoutineContent:
    r = data["routines"][routine_id]
    return RoutineContent(
        id=routine_id, title=r["title"], name=r["name"], plural=r["plural"], area=r["area"],
        related_areas=tuple(r["related_areas"]), area_names=dict(r["area_names"]),
        minutes=int(r["minutes"]),
        preparation=tuple((item["id"], item["text"]) for item in r["preparation"]),
        steps=tuple(StepContent.from_mapping(s) for s in r["steps"]),
        switch=StepContent.from_mapping(r["switch"]),
        closing=StepContent.from_mapping(r["closing"]),
    )


@dataclass(frozen=True)
class VariantContent:
    """A variant (unconscious, dementia, tired); `VariantContent()` is no variant."""

    id: str | None = None
    intro: str | None = None  # added to the plan's message
    note: str | None = None  # added to every step (not the switch or the closing)
    minutes: int | None = None  # replaces the routine's minutes
    preparation: Mapping[str, str] = field(default_factory=dict)  # item id -> text
    steps: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # step id -> fields
    skip: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # routine id -> step ids
    keep: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # routine id -> step ids

    def skipped(self, routine_id: str) -> frozenset[str]:
        return frozenset(self.skip.get(routine_id, ()))

    def kept(self, routine_id: str) -> frozenset[str] | None:
        """The only steps to keep, or None to keep them all."""
        keep = self.keep.get(routine_id)
        return frozenset(keep) if keep is not None else None


def variant_content(variant: str | None) -> VariantContent:
    """One variant as a record; None (and an unknown id) give no variant."""
    if not variant:
        return VariantContent()
    record: VariantContent = _cached(("variant", variant),
                                     lambda data: _variant_record(data, variant))
    return record


def _variant_record(data: dict[str, Any], variant: str) -> VariantContent:
    v = (data.get("variants") or {}).get(variant, {})
    return VariantContent(
        id=variant, intro=v.get("intro"), note=v.get("note"),
        minutes=int(v["minutes"]) if v.get("minutes") else None,
        preparation=dict(v.get("preparation") or {}), steps=dict(v.get("steps") or {}),
        skip={rid: tuple(ids or ()) for rid, ids in (v.get("skip") or {}).items()},
        keep={rid: tuple(ids) for rid, ids in (v.get("keep") or {}).items() if ids is not None},
    )
