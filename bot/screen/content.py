"""The screen's content and records: bot/content/conditions.yml, validated once.

`Finding` is one thing the caregiver reported; `Condition` one entry of conditions.yml.
`load_conditions()` reads and checks the conditions, `body_areas()` the lay words for body areas
(terms.yml), `source_titles()` the documents cited (sources.yml). `_render` fills a text's
pronoun placeholders ({they}, {them}, {their}, {Do}, {Are}).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from bot.verdict import Level

CONTENT = Path(__file__).resolve().parent.parent / "content"

PRESENT = "present"
UNSURE = "unsure"
ABSENT = "absent"
HISTORY = "history"
STATUSES = (PRESENT, UNSURE, ABSENT, HISTORY)
SIDES = ("left", "right")

LEVELS = {
    "gentle_ok": Level.GENTLE_OK,
    "lightest_touch": Level.LIGHTEST_TOUCH,
    "avoid_area": Level.AVOID_AREA,
    "do_not_massage": Level.DO_NOT_MASSAGE,
}
ON_HISTORY = ("ignore", "keep", "known_clot")

PRONOUNS = {
    "they": {"they": "they", "them": "them", "their": "their", "Do": "Do", "Are": "Are"},
    "she": {"they": "she", "them": "her", "their": "her", "Do": "Does", "Are": "Is"},
    "he": {"they": "he", "them": "him", "their": "his", "Do": "Does", "Are": "Is"},
}

UNKNOWN_SOURCE = "nci_eol"


# --- data ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One thing the caregiver reported (or answered) about a condition."""

    condition_id: str
    status: str = PRESENT  # "present" | "unsure" | "absent" | "history"
    area: str | None = None  # canonical area id from terms.yml, or None
    side: str | None = None  # "left" | "right" | None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown finding status {self.status!r}")
        if self.side is not None and self.side not in SIDES:
            raise ValueError(f"unknown side {self.side!r}")


@dataclass(frozen=True)
class Condition:
    id: str
    label: str
    level: Level
    advice: str
    source: str
    terms: tuple[str, ...] = ()
    noun: str = ""
    areas: tuple[str, ...] = ()
    term_areas: Mapping[str, str] = field(default_factory=dict)
    avoid_named: bool = False
    still_hand: bool = False
    on_history: str = "ignore"
    placed: bool = True  # False: an area given with it is beside the point and ignored


# --- content -------------------------------------------------------------------------------
def _load_yaml(name: str) -> Any:
    with (CONTENT / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


@lru_cache(maxsize=1)
def source_titles() -> Mapping[str, str]:
    data = _load_yaml("sources.yml").get("sources") or {}
    return MappingProxyType({k: str(v.get("title", k)) for k, v in data.items()})


@lru_cache(maxsize=1)
def body_areas() -> Mapping[str, str]:
    """Every lay word for a body area -> its canonical id (canonical ids map to themselves)."""
    data = _load_yaml("terms.yml").get("body_areas") or {}
    out: dict[str, str] = {}
    for area, words in data.items():
        out[area] = area
        for w in words or []:
            out.setdefault(str(w).lower(), area)
    return MappingProxyType(out)


def canonical_area(area: str | None) -> str | None:
    """A canonical area id for `area` (a canonical id or a lay word), or None if unknown."""
    if not area:
        return None
    return body_areas().get(str(area).strip().lower())


@lru_cache(maxsize=1)
def _content() -> dict[str, Any]:
    return dict(_load_yaml("conditions.yml"))


@lru_cache(maxsize=1)
def load_conditions() -> Mapping[str, Condition]:
    """All conditions by id, in file order. Checks the content and raises ValueError on errors."""
    sources = source_titles()
    areas = {a for a, canon in body_areas().items() if a == canon}
    out: dict[str, Condition] = {}
    for raw in _content().get("conditions") or []:
        cid = raw.get("id")
        where = f"conditions.yml: {cid}"
        if not cid or cid in out:
            raise ValueError(f"{where}: missing or duplicate id")
        if raw.get("level") not in LEVELS or LEVELS[raw["level"]] == Level.GENTLE_OK:
            raise ValueError(f"{where}: bad level {raw.get('level')!r}")
        if raw.get("source") not in sources:
            raise ValueError(f"{where}: unknown source {raw.get('source')!r}")
        terms = raw.get("terms") or []
        for t in terms:
            if not isinstance(t, str) or t != t.lower() or not t.strip():
                raise ValueError(f"{where}: terms must be lower-case strings ({t!r})")
        default_areas = tuple(raw.get("areas") or ())
        term_areas = dict(raw.get("term_areas") or {})
        for a in (*default_areas, *term_areas.values()):
            if a not in areas:
                raise ValueError(f"{where}: unknown area {a!r}")
        for t in term_areas:
            if t not in terms:
                raise ValueError(f"{where}: term_areas names {t!r}, which is not a term")
        on_history = raw.get("on_history") or "ignore"
        if on_history not in ON_HISTORY:
            raise ValueError(f"{where}: bad on_history {on_history!r}")
        level = LEVELS[raw["level"]]
        if level == Level.AVOID_AREA and not raw.get("noun"):
            raise ValueError(f"{where}: avoid_area conditions need a noun")
        out[cid] = Condition(
            id=cid, label=str(raw["label"]).strip(), level=level,
            advice=" ".join(str(raw["advice"]).split()), source=raw["source"],
            terms=tuple(terms), noun=str(raw.get("noun") or ""), areas=default_areas,
            term_areas=MappingProxyType(term_areas), avoid_named=bool(raw.get("avoid_named")),
            still_hand=bool(raw.get("still_hand")), on_history=on_history,
            placed=bool(raw.get("placed", True)),
        )
    if "known_clot" not in out:
        raise ValueError("conditions.yml: a known_clot condition is required")
    return MappingProxyType(out)


def _render(text: str, pronoun: str | None) -> str:
    forms = PRONOUNS.get((pronoun or "they").lower(), PRONOUNS["they"])
    return re.sub(r"\{(\w+)\}", lambda m: forms.get(m.group(1), m.group(0)), text)
