"""The verdict's words: what is still possible (`_possible`) and each reason (`_reason`).

Level semantics, as the words read them. `Verdict.level` is the general level for the whole
body, and `avoid` carries the areas to leave alone, independently of the level:
  - DO_NOT_MASSAGE when any do-not-massage finding counts (area restrictions are still kept);
  - LIGHTEST_TOUCH when any lightest-touch finding counts, when only a still hand is allowed
    (clots), or when an area must be avoided but we do not know where it is ("a bed sore", no
    place given: see `missing_areas`); `avoid` may hold areas too;
  - AVOID_AREA only when area restrictions are the sole limits (ordinary gentle touch
    elsewhere);
  - GENTLE_OK when nothing counts.
So "lightest touch + avoid the left arm" is level LIGHTEST_TOUCH with a non-empty `avoid`:
consumers must always read `avoid`, whatever the level.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.screen.combine import _Applied, _State
from bot.screen.content import PRESENT, UNSURE, _render
from bot.verdict import Level, Reason

# Areas that come in pairs (left/right) and their plural; how the others are named.
PAIRED = {"hand": "hands", "arm": "arms", "foot": "feet", "leg": "legs",
          "shoulder": "shoulders", "hip": "hips"}
AREA_WORDS = {"head": "the face and head", "belly": "the belly", "chest": "the chest",
              "back": "the back", "neck": "the neck"}

GENTLE = ("A gentle hand or foot massage is fine; keep it slow and stop at any sign of "
          "discomfort.")
STILL_HAND = ("Please ask the hospice nurse before any massage. Until then, only rest a still "
              "hand, well away from the clot: no stroking and no pressure.")
LIGHTEST = ("Use only the lightest touch, about as much as you'd use to spread lotion on "
            "sunburned skin.")


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _area_phrase(area: str, sides: set[str | None]) -> str:
    if area in PAIRED:
        if None in sides or sides >= {"left", "right"}:
            return f"both {PAIRED[area]}" if sides >= {"left", "right"} else f"the {PAIRED[area]}"
        return f"the {next(iter(sides))} {area}"
    name = AREA_WORDS.get(area, f"the {area}")
    if None in sides or sides >= {"left", "right"}:
        return name
    return f"the {next(iter(sides))} side of {name}"


def _grouped(pairs: Iterable[tuple[str, str | None]]) -> dict[str, set[str | None]]:
    out: dict[str, set[str | None]] = {}
    for a, s in pairs:
        out.setdefault(a, set()).add(s)
    return out


def _blocked(avoid: Iterable[tuple[str, str | None, str]], area: str) -> set[str]:
    """Sides of `area` that must be left alone ({"left", "right"} when both or unknown)."""
    sides: set[str] = set()
    for a, s, _ in avoid:
        if a == area:
            sides |= {"left", "right"} if s is None else {s}
    return sides


def _free_side(blocked: set[str]) -> str | None:
    """'' when both sides are free, the free side when one is blocked, None when none is free."""
    if not blocked:
        return ""
    free = {"left", "right"} - blocked
    return next(iter(free)) if free else None


def _hold_sentence(avoid: dict[tuple[str, str | None, str], None], p: dict[str, str]) -> str:
    for area, verb in (("hand", "hold"), ("foot", "rest a still hand on"),
                       ("shoulder", "rest a still hand on")):
        free = _free_side(_blocked(avoid, area))
        if free is None:
            continue
        spot = f"{free} {area}" if free else area
        if area == "hand":
            return f"You can simply hold {p['their']} {spot} without stroking."
        return f"You can {verb} {p['their']} {spot}, without stroking."
    return f"You can still sit close to {p['them']} and talk softly."


def _do_not_possible(st: _State, p: dict[str, str]) -> str:
    if st.do_not == {"refuses_or_distressed"}:
        return (f"Please don't massage right now. Let {p['them']} rest; you can sit quietly "
                "nearby and offer touch again later, only if it is welcome.")
    hold = "hand"
    free = _free_side(_blocked(st.avoid, "hand"))
    if free:
        hold = f"{free} hand"
    return (f"Please don't massage today. Call the hospice nurse first; you can still sit "
            f"with {p['them']} and hold {p['their']} {hold} if the team agrees.")


def _touch_sentences(st: _State, level: Level, p: dict[str, str]) -> list[str]:
    """How the hands may touch: a still hand only (clots), or the lightest touch."""
    if st.still:
        parts = [STILL_HAND]
        if not any(c.still_hand for c in st.unplaced.values()):
            # Which limb the clot is in is not known yet: offer no hand to hold until it is.
            parts.append(_hold_sentence(st.avoid, p))
        return parts
    if level == Level.LIGHTEST_TOUCH:
        return [LIGHTEST]
    return []


def _area_sentences(st: _State) -> list[str]:
    """Which hands and feet are fine, and where to keep away from."""
    parts: list[str] = []
    keep_away = _grouped((a, s) for a, s, _ in st.avoid)
    if not st.still and not st.unplaced:
        fine: list[str] = []
        for area in ("hand", "foot"):
            free = _free_side(_blocked(st.avoid, area))
            if free == "":
                fine.append(PAIRED[area])
            elif free:
                other = "left" if free == "right" else "right"
                parts.append(f"You can use the {free} {area}, not the {other}.")
                keep_away.pop(area, None)
        if fine:
            parts.append(f"The {' and '.join(fine)} are fine.")
    if keep_away:
        parts.append(f"Keep away from {_join([_area_phrase(a, s) for a, s in keep_away.items()])}.")
    return parts


def _possible(st: _State, level: Level, p: dict[str, str]) -> str:
    if level == Level.DO_NOT_MASSAGE:
        return _do_not_possible(st, p)
    if level == Level.GENTLE_OK:
        return GENTLE
    parts = _touch_sentences(st, level, p) + _area_sentences(st)
    for cond in st.unplaced.values():
        parts.append(f"Keep well clear of {cond.noun} wherever it is; tell me where it is and "
                     "I can say which places are fine.")
    if not parts:  # not reached: every level above GENTLE_OK adds a sentence
        parts.append("Keep to slow, gentle touch and stop at any sign of discomfort.")
    return " ".join(parts)


def _reason(app: _Applied, p: dict[str, str]) -> Reason:
    cond = app.cond
    label = cond.label
    if app.places:
        label += f" ({_join([_area_phrase(a, s) for a, s in _grouped(app.places).items()])})"
    advice = _render(cond.advice, p.get("they"))
    if PRESENT in app.statuses:
        text = f"{_cap(label)}: {advice}"
    elif UNSURE in app.statuses:
        text = f"You weren't sure about {label}, so to be safe I count it. {advice}"
    else:
        text = f"{_cap(label)}, in the past: {advice}"
    return Reason(condition_id=cond.id, text=text, source=cond.source)
