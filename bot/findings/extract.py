"""Findings in a caregiver's free text: `extract_findings`, the rules put together.

Each condition mention gets a status (status.py) and one area or several: areas inside its own
words first, then the term's own place (`term_areas`, "mastectomy" -> chest), then the area
mentions of its clause attached to it (areas.py).

Extra rules: swelling with a sign (red, warm, hot, painful, tender, new, sudden) and an arm or
leg in the same sentence is also a suspected clot there ("swelling in her right arm and it's
hot to touch"). A present clot in a sentence about treatment ("being treated", "treatment",
"injections", or a blood thinner reported as present) is a known clot, not a suspected one,
unless the sentence says it is not treated ("hasn't been treated yet": then it stays a
suspected clot, whatever history cue there is).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.findings.areas import _Area, _area_mentions, _attach, _side
from bot.findings.document import (
    CLAUSE_SPLIT,
    SEGMENT_SPLIT,
    SENTENCE_SPLIT,
    _doc,
    _find,
    _spans,
)
from bot.findings.senses import _is_prevention_question, _not_a_finding
from bot.findings.status import NOT_TREATED, TREATMENT, _negated, _status
from bot.nlp import CONDITION
from bot.screen import HISTORY, PRESENT, UNSURE, Condition, Finding, load_conditions

CLOT_SIGNS = {"red", "redness", "reddened", "warm", "warmth", "hot", "painful", "pain",
              "tender", "sore", "aching", "hurts", "hurting", "throbbing", "new", "sudden",
              "suddenly"}
CLOT_LIMBS = {"arm", "leg", "hand", "foot"}

Span = tuple[int, int, str]
Place = tuple[str | None, str | None]


def _condition_mentions(doc: Any, conds: Mapping[str, Condition],
                        areas: list[_Area]) -> list[Any]:
    """The entities naming a known condition, less the words used in another sense."""
    return [e for e in doc.ents if e.label_ == CONDITION and e.ent_id_ in conds
            and not _not_a_finding(doc, e, areas)]


def _attached(doc: Any, ents: list[Any], areas: list[_Area],
              clauses: list[Span]) -> dict[int, list[_Area]]:
    """The area mentions that go with each condition mention (by ent index), clause by clause."""
    attached: dict[int, list[_Area]] = {}
    for clause in clauses:
        attached.update(_attach(doc, ents, areas, clause))
    return attached


def _next_clause_text(doc: Any, clauses: list[Span], clause: Span) -> str:
    """The lower-case text of the clause after `clause` ('' when there is none)."""
    idx = clauses.index(clause) if clause in clauses else -1
    return doc[clauses[idx + 1][0]:clauses[idx + 1][1]].text.lower() \
        if 0 <= idx < len(clauses) - 1 else ""


def _statuses(doc: Any, ents: list[Any], clauses: list[Span],
              segments: list[Span]) -> dict[int, str]:
    """The status of each condition mention (by ent index); none in a prevention question."""
    statuses: dict[int, str] = {}
    for k, ent in enumerate(ents):
        clause = _find(clauses, ent.start)
        if _is_prevention_question(doc, clause):
            continue
        nxt = _next_clause_text(doc, clauses, clause)
        statuses[k] = _status(doc, ent, clause, _find(segments, ent.start), nxt)
    return statuses


def _add(out: list[Finding], cid: str, status: str, area: str | None,
         side: str | None) -> None:
    """Add a finding to `out` unless it is there already (a side only goes with an area)."""
    f = Finding(condition_id=cid, status=status, area=area, side=side if area else None)
    if f not in out:
        out.append(f)


def _is_known_clot(doc: Any, ents: list[Any], statuses: dict[int, str], sentence: Span) -> bool:
    """Whether a present clot's sentence is about its treatment, and does not deny one."""
    sa, sb, _ = sentence
    text = doc[sa:sb].text.lower()
    return not NOT_TREATED.search(text) and bool(TREATMENT.search(text) or any(
        e.ent_id_ == "blood_thinners" and sa <= e.start < sb
        and statuses.get(j) == PRESENT for j, e in enumerate(ents)))


def _places(doc: Any, ent: Any, placed: bool, cond: Condition, areas: list[_Area],
            attached: list[_Area]) -> list[Place]:
    """Where a mention is: areas in its own words, else its term's own place, else the areas
    attached to it; none when its condition is not placed."""
    places: list[Place] = []
    if placed:
        places = [(ar.area, ar.side) for ar in areas if ent.start <= ar.start < ent.end]
        if not places and ent.text.lower() in cond.term_areas:
            side = _side([t.lower_ for t in doc], ent.start, ent.end)
            places = [(cond.term_areas[ent.text.lower()], side)]
        if not places:
            places = [(ar.area, ar.side) for ar in attached]
    return places


def _add_swelling_clots(out: list[Finding], doc: Any, ents: list[Any],
                        statuses: dict[int, str], areas: list[_Area],
                        sentences: list[Span]) -> None:
    """Swelling with a clot sign and a limb in the same sentence: a possible clot there."""
    for k, ent in enumerate(ents):
        if ent.ent_id_ != "swelling" or statuses.get(k) not in (PRESENT, UNSURE, HISTORY):
            continue
        a, b, _ = _find(sentences, ent.start)
        signs = [t.i for t in doc[a:b] if t.lower_ in CLOT_SIGNS
                 and not (ent.start <= t.i < ent.end) and not _negated(doc, t.i, a)]
        limbs = [ar for ar in areas if a <= ar.start < b and ar.area in CLOT_LIMBS]
        if signs and limbs:
            for ar in limbs:
                _add(out, "suspected_clot", statuses[k], ar.area, ar.side)


def _without_redundant(out: list[Finding]) -> list[Finding]:
    """A placed mention makes an unplaced one of the same condition and status redundant."""
    placed = {(f.condition_id, f.status) for f in out if f.area}
    return [f for f in out if f.area or (f.condition_id, f.status) not in placed]


def extract_findings(text: str) -> list[Finding]:
    """Findings in a caregiver's free-text description (empty when there are none)."""
    if not text or not text.strip():
        return []
    conds = load_conditions()
    doc = _doc(text)
    clauses = _spans(doc, CLAUSE_SPLIT)
    segments = _spans(doc, SEGMENT_SPLIT)
    sentences = _spans(doc, SENTENCE_SPLIT)
    areas = _area_mentions(doc)
    ents = _condition_mentions(doc, conds, areas)
    attached = _attached(doc, ents, areas, clauses)
    statuses = _statuses(doc, ents, clauses, segments)

    out: list[Finding] = []
    for k, ent in enumerate(ents):
        if k not in statuses:
            continue
        status = statuses[k]
        cid = ent.ent_id_
        if cid == "suspected_clot" and status == PRESENT and \
                _is_known_clot(doc, ents, statuses, _find(sentences, ent.start)):
            cid = "known_clot"
        # "placed" is the condition found (a known clot), the term's own place the word's
        places = _places(doc, ent, conds[cid].placed, conds[ent.ent_id_], areas,
                         attached.get(k, []))
        for area, side in places or [(None, None)]:
            _add(out, cid, status, area, side)
    _add_swelling_clots(out, doc, ents, statuses, areas, sentences)
    return _without_redundant(out)
