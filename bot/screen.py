"""The contraindication screen: findings in, a `Verdict` out. Plain Python, no Rasa.

Content lives in bot/content/conditions.yml (conditions and the short-form questions); the
verdict types live in bot/verdict.py.

How findings combine (`screen`)
-------------------------------
* A finding's status is "present", "unsure", "absent" or "history". "present" and "unsure"
  both count: not being sure is a caution, never a no. "absent" never counts, and a present
  or unsure finding of the same condition always wins over an absent one (safety first).
* "history" depends on the condition's `on_history`: `ignore` (the default: an old fever or a
  healed fracture), `keep` (lasting things such as bone metastases, lymphoedema or
  radiation-treated skin count as now) or `known_clot` (an earlier clot is treated like a known
  clot: never a do-not-massage, but that limb is avoided and only a still hand is allowed).
* Level semantics. `Verdict.level` is the general level for the whole body, and `avoid`
  carries the areas to leave alone, independently of the level:
    - DO_NOT_MASSAGE when any do-not-massage finding counts (area restrictions are still kept);
    - LIGHTEST_TOUCH when any lightest-touch finding counts, when only a still hand is allowed
      (clots), or when an area must be avoided but we do not know where it is ("a bed sore",
      no place given: see `missing_areas`); `avoid` may hold areas too;
    - AVOID_AREA only when area restrictions are the sole limits (ordinary gentle touch
      elsewhere);
    - GENTLE_OK when nothing counts.
  So "lightest touch + avoid the left arm" is level LIGHTEST_TOUCH with a non-empty `avoid`:
  consumers must always read `avoid`, whatever the level.
* Every area restriction is kept. An avoid-area finding with a named area avoids that area (on
  that side, if one was given); with none, the condition's default `areas` (both sides); with no
  defaults either, it is "unplaced": the general level becomes LIGHTEST_TOUCH and `possible`
  asks where it is. Do-not-massage and `avoid_named` findings (bone metastases) with a named
  area avoid it too. For clot findings a limb restriction covers the whole limb (leg + foot,
  arm + hand).
* `still_hand_only` is True whenever a clot-related finding counts (suspected, known or past).
* Conditions with `placed: false` (fever, a blood thinner, refusal...) ignore any area given.
* A finding with an unknown condition id (e.g. stored before a rename) counts as do-not-massage.

The short form (`questions`, `next_question`, `findings_from_answer`, `normalise_answer`) asks
one question at a time and only what the findings do not settle already.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from bot.verdict import AreaRestriction, Level, Reason, Verdict

CONTENT = Path(__file__).resolve().parent / "content"

PRESENT = "present"
UNSURE = "unsure"
ABSENT = "absent"
HISTORY = "history"
STATUSES = (PRESENT, UNSURE, ABSENT, HISTORY)
SIDES = ("left", "right")
ANSWERS = ("yes", "no", "unsure")

LEVELS = {
    "gentle_ok": Level.GENTLE_OK,
    "lightest_touch": Level.LIGHTEST_TOUCH,
    "avoid_area": Level.AVOID_AREA,
    "do_not_massage": Level.DO_NOT_MASSAGE,
}
ON_HISTORY = ("ignore", "keep", "known_clot")
MAX_QUESTIONS = 7
MAX_QUESTION_CHARS = 140

# Areas that come in pairs (left/right), their plural, and the limb a clot restriction spreads to.
PAIRED = {"hand": "hands", "arm": "arms", "foot": "feet", "leg": "legs",
          "shoulder": "shoulders", "hip": "hips"}
AREA_WORDS = {"head": "the face and head", "belly": "the belly", "chest": "the chest",
              "back": "the back", "neck": "the neck"}
LIMB = {"leg": ("leg", "foot"), "foot": ("leg", "foot"), "arm": ("arm", "hand"),
        "hand": ("arm", "hand")}

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


@lru_cache(maxsize=1)
def _question_specs() -> tuple[Mapping[str, Any], ...]:
    conds = load_conditions()
    specs = []
    seen: set[str] = set()
    for raw in _content().get("questions") or []:
        qid = raw.get("id")
        if not qid or qid in seen:
            raise ValueError(f"questions: missing or duplicate id {qid!r}")
        seen.add(qid)
        yields = tuple(raw.get("conditions") or ())
        covers = tuple(raw.get("covers") or yields)
        for c in (*yields, *covers):
            if c not in conds:
                raise ValueError(f"question {qid}: unknown condition {c!r}")
        if not yields:
            raise ValueError(f"question {qid}: no conditions")
        for p in PRONOUNS:
            if len(_render(raw["text"], p)) > MAX_QUESTION_CHARS:
                raise ValueError(f"question {qid}: longer than {MAX_QUESTION_CHARS} characters")
        specs.append(MappingProxyType({
            "id": qid, "text": str(raw["text"]), "conditions": yields, "covers": covers,
            "inverted": bool(raw.get("inverted")),
            "absent_settles": bool(raw.get("absent_settles", True)),
        }))
    if not specs or len(specs) > MAX_QUESTIONS:
        raise ValueError(f"questions: between 1 and {MAX_QUESTIONS} needed")
    return tuple(specs)


def _question_dict(spec: Mapping[str, Any], pronoun: str | None) -> dict[str, Any]:
    return {"id": spec["id"], "text": _render(spec["text"], pronoun),
            "conditions": list(spec["conditions"]), "inverted": spec["inverted"]}


def questions(pronoun: str | None = None) -> list[dict[str, Any]]:
    """The short form, in order: dicts with id, text, conditions and inverted."""
    return [_question_dict(s, pronoun) for s in _question_specs()]


# --- combining findings --------------------------------------------------------------------
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


def _unknown_condition(cid: str) -> Condition:
    return Condition(
        id=cid, label="something I could not place", level=Level.DO_NOT_MASSAGE,
        advice="Please check with the hospice nurse before any massage.",
        source=UNKNOWN_SOURCE,
    )


def _as_finding(f: Any) -> Finding:
    return f if isinstance(f, Finding) else finding_from_dict(f)


def _apply(findings: Iterable[Any]) -> _State:
    conds = load_conditions()
    st = _State()
    for n, raw in enumerate(findings):
        f = _as_finding(raw)
        if f.status == ABSENT:
            continue
        cond = conds.get(f.condition_id) or _unknown_condition(f.condition_id)
        status = f.status
        if status == HISTORY:
            if cond.on_history == "ignore":
                continue
            if cond.on_history == "known_clot":
                cond = conds["known_clot"]
        area = canonical_area(f.area) if cond.placed else None
        side = f.side if area else None

        app = st.applied.get(cond.id)
        if app is None:
            app = st.applied[cond.id] = _Applied(cond=cond, order=n)
        app.statuses.add(status)
        if area and (area, side) not in app.places:
            app.places.append((area, side))

        if cond.level == Level.DO_NOT_MASSAGE:
            st.general = Level.DO_NOT_MASSAGE
            st.do_not.add(cond.id)
        elif cond.level == Level.LIGHTEST_TOUCH:
            st.general = max(st.general, Level.LIGHTEST_TOUCH)
        if cond.still_hand:
            st.still = True

        places: list[tuple[str, str | None]] = []
        if area:
            if cond.level in (Level.AVOID_AREA, Level.DO_NOT_MASSAGE) or cond.avoid_named:
                places = [(area, side)]
        elif cond.level == Level.AVOID_AREA:
            if cond.areas:
                places = [(a, None) for a in cond.areas]
            else:
                st.unplaced.setdefault(cond.id, cond)
        if cond.still_hand:
            places = [(limb, s) for a, s in places for limb in LIMB.get(a, (a,))]
        for a, s in places:
            st.avoid.setdefault((a, s, cond.id), None)

    if st.still or st.unplaced:
        st.general = max(st.general, Level.LIGHTEST_TOUCH)
    return st


def _level(st: _State) -> Level:
    if st.general == Level.GENTLE_OK and st.avoid:
        return Level.AVOID_AREA
    return st.general


# --- words ---------------------------------------------------------------------------------
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


def _possible(st: _State, level: Level, p: dict[str, str]) -> str:
    if level == Level.DO_NOT_MASSAGE:
        if st.do_not == {"refuses_or_distressed"}:
            return (f"Please don't massage right now. Let {p['them']} rest; you can sit quietly "
                    "nearby and offer touch again later, only if it is welcome.")
        hold = "hand"
        free = _free_side(_blocked(st.avoid, "hand"))
        if free:
            hold = f"{free} hand"
        return (f"Please don't massage today. Call the hospice nurse first; you can still sit "
                f"with {p['them']} and hold {p['their']} {hold} if the team agrees.")

    if level == Level.GENTLE_OK:
        return ("A gentle hand or foot massage is fine; keep it slow and stop at any sign of "
                "discomfort.")
    parts: list[str] = []
    if st.still:
        parts.append("Please ask the hospice nurse before any massage. Until then, only rest a "
                     "still hand, well away from the clot: no stroking and no pressure.")
        if not any(c.still_hand for c in st.unplaced.values()):
            # Which limb the clot is in is not known yet: offer no hand to hold until it is.
            parts.append(_hold_sentence(st.avoid, p))
    elif level == Level.LIGHTEST_TOUCH:
        parts.append("Use only the lightest touch, about as much as you'd use to spread lotion "
                     "on sunburned skin.")

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


def screen(findings: Iterable[Finding], pronoun: str | None = None) -> Verdict:
    """The verdict for a set of findings. Pure: the same findings always give the same verdict.

    `findings` may also hold dicts made by `finding_to_dict`. `pronoun` ("she", "he" or
    "they", the default) only changes the words of `possible` and the reasons.
    """
    p = PRONOUNS.get((pronoun or "they").lower(), PRONOUNS["they"])
    st = _apply(findings)
    level = _level(st)
    apps = sorted(st.applied.values(), key=lambda a: (-int(a.cond.level == Level.DO_NOT_MASSAGE),
                                                       a.order))
    reasons = tuple(_reason(a, p) for a in apps)
    avoid = tuple(AreaRestriction(area=a, side=s, reason_id=r) for a, s, r in st.avoid)
    return Verdict(level=level, still_hand_only=st.still, avoid=avoid, reasons=reasons,
                   possible=_possible(st, level, p))


def missing_areas(findings: Iterable[Finding]) -> list[str]:
    """Condition ids of counted avoid-area findings whose place is unknown (ask where)."""
    return list(_apply(findings).unplaced)


def where_question(condition_id: str) -> str:
    """A plain question asking where an unplaced finding is."""
    cond = load_conditions().get(condition_id)
    noun = cond.noun if cond and cond.noun else "it"
    return f"Where is {noun}: which part of the body, and which side?"


# --- the short form ------------------------------------------------------------------------
def _statuses(findings: Iterable[Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for raw in findings:
        f = _as_finding(raw)
        out.setdefault(f.condition_id, set()).add(f.status)
    return out


def next_question(answered: Mapping[str, str], findings: Iterable[Finding],
                  pronoun: str | None = None,
                  stop_when_do_not_massage: bool = True) -> dict[str, Any] | None:
    """The next question to ask, or None when there is nothing left worth asking.

    Skips questions already answered and those the findings settle: a present or unsure
    finding of a condition the question covers (the answer would be yes), or, unless the
    question says `absent_settles: false`, all its covered conditions reported absent. Once a
    do-not-massage finding counts, nothing else can change the verdict, so it stops there.
    """
    findings = list(findings)
    if stop_when_do_not_massage and _apply(findings).general == Level.DO_NOT_MASSAGE:
        return None
    statuses = _statuses(findings)
    for spec in _question_specs():
        if spec["id"] in answered:
            continue
        covered = [statuses.get(c, set()) for c in spec["covers"]]
        if any(s & {PRESENT, UNSURE} for s in covered):
            continue
        if spec["absent_settles"] and all(ABSENT in s for s in covered):
            continue
        return _question_dict(spec, pronoun)
    return None


def findings_from_answer(question_id: str, answer: str) -> list[Finding]:
    """Findings for an answer ("yes", "no" or "unsure") to a short-form question."""
    spec = next((s for s in _question_specs() if s["id"] == question_id), None)
    if spec is None:
        raise ValueError(f"unknown question {question_id!r}")
    norm = answer if answer in ANSWERS else normalise_answer(answer)
    if norm is None:
        raise ValueError(f"cannot read the answer {answer!r}")
    if norm == "unsure":
        status = UNSURE
    elif (norm == "yes") != spec["inverted"]:
        status = PRESENT
    else:
        status = ABSENT
    return [Finding(condition_id=c, status=status) for c in spec["conditions"]]


_UNSURE_PHRASES = re.compile(
    r"\b(not sure|unsure|not certain|uncertain|(i )?(do ?n'?t|dont|do not) know|no idea|"
    r"dunno|idk|maybe|perhaps|possibly|probably|might|could be|may be|i think|i guess|"
    r"i suppose|i believe|not really sure|hard to (say|tell)|ca ?n'?t (say|tell)|cannot (say|tell)|"
    r"kind of|kinda|sort of|sorta|a (little|bit)|sometimes|yes and no|not that i know)\b"
)
# "I don't think so" carries doubt: it is read as unsure, which counts like a yes.
_SOFT_NO = re.compile(r"\b(i )?(do ?n'?t|dont|do not) (think|believe) so\b")
_YES = {"yes", "yeah", "yea", "yep", "yup", "y", "ya", "yah", "yeh", "ye", "aye", "sure",
        "definitely", "absolutely", "correct", "indeed", "affirmative", "yess", "yes.", "yas"}
_NO = {"no", "nope", "n", "nah", "nay", "not", "never", "none", "negative", "nothing", "noo",
       "nop", "nooo"}
_UNSURE_WORDS = {"unsure", "maybe", "perhaps", "possibly", "probably", "idk", "dunno"}
_POS_AUX = {"does", "is", "has", "do", "are", "have", "did", "was", "were", "can", "will"}
_NEG_AUX = {"doesn't", "isn't", "hasn't", "don't", "aren't", "haven't", "didn't", "wasn't",
            "weren't", "can't", "won't", "doesnt", "isnt", "hasnt", "dont", "arent", "havent",
            "didnt", "wasnt", "werent", "cant", "wont", "cannot"}
_SUBJECTS = {"she", "he", "they", "it", "i", "we", "mum", "mom", "dad", "there"}
_DONT_CORRECT = {"yet", "you", "yes", "now", "not", "nor", "new", "how", "who", "why", "yo",
                 "on", "in", "oh", "ok", "okay", "any", "one", "nah", "nay", "see", "say"}


def _osa(a: str, b: str) -> int:
    """Optimal string alignment (restricted Damerau-Levenshtein) distance."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _fix_answer_word(w: str) -> str:
    if (len(w) < 3 or w in _DONT_CORRECT or w in _YES or w in _NO or w in _UNSURE_WORDS
            or w in _POS_AUX or w in _SUBJECTS):  # "are" is not a typo of "aye"
        return w
    hits = {k for k in sorted(_YES | _NO | _UNSURE_WORDS) if len(k) >= 2 and _osa(w, k) <= 1
            and k[0] == w[0]}
    kinds = {("yes" if k in _YES else "no" if k in _NO else "unsure") for k in hits}
    if len(kinds) == 1:
        return sorted(hits, key=lambda k: (_osa(w, k), k))[0]
    return w


def normalise_answer(text: str) -> str | None:
    """A free reply to a yes/no question -> "yes", "no" or "unsure"; None when unclear.

    Any doubt ("not sure", "maybe", "I think so", "I don't think so") is "unsure"; a reply
    with both a yes and a no word is unclear (None), so the caller asks again.
    """
    if not text:
        return None
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    t = re.sub(r"[^a-z' ]+", " ", t)
    t = " ".join(t.split())
    if not t:
        return None
    if _SOFT_NO.search(t) or _UNSURE_PHRASES.search(t):
        return "unsure"
    words = [_fix_answer_word(w) for w in t.split()]
    if any(w in _UNSURE_WORDS for w in words):
        return "unsure"
    yes = any(w in _YES for w in words)
    no = any(w in _NO for w in words)
    # "are you a bot?", "is she ok?": a question back, not an answer
    question = text.rstrip().endswith("?") or (
        len(words) > 1 and words[0] in _POS_AUX | _NEG_AUX and words[1] in _SUBJECTS | {"you"})
    if not yes and not no and len(words) <= 4 and not question:
        # a short reply led by an auxiliary: "she does", "he isn't", "they do not"
        rest = words[1:] if words[0] in _SUBJECTS else words
        if rest and (rest[0] in _NEG_AUX or rest[0].endswith("n't")):
            no = True
        elif rest and rest[0] in _POS_AUX:
            yes = True
    if yes and no:
        return None
    if yes:
        return "yes"
    if no:
        return "no"
    return None


# --- storage -------------------------------------------------------------------------------
def finding_to_dict(f: Finding) -> dict[str, Any]:
    return {"condition_id": f.condition_id, "status": f.status, "area": f.area, "side": f.side}


def finding_from_dict(d: Mapping[str, Any]) -> Finding:
    return Finding(condition_id=str(d["condition_id"]), status=str(d.get("status", PRESENT)),
                   area=d.get("area"), side=d.get("side"))


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


def explain(verdict: Verdict) -> list[str]:
    """Each reason in plain words with the title of the document it rests on ("Why?")."""
    titles = source_titles()
    if not verdict.reasons:
        return ["Nothing you told me calls for more care than the usual slow, gentle touch."]
    return [f"{r.text} (Source: {titles.get(r.source, r.source)}.)" for r in verdict.reasons]
