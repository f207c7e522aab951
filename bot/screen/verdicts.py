"""The verdict for a set of findings (`screen`), where to ask about, and "Why?" (`explain`)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.screen.combine import _apply, _level
from bot.screen.content import PRONOUNS, Finding, load_conditions, source_titles
from bot.screen.words import _possible, _reason
from bot.verdict import AreaRestriction, Level, Verdict


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


def where_question(condition_id: str) -> str:
    """A plain question asking where an unplaced finding is."""
    cond = load_conditions().get(condition_id)
    noun = cond.noun if cond and cond.noun else "it"
    return f"Where is {noun}: which part of the body, and which side?"


def explain(verdict: Verdict) -> list[str]:
    """Each reason in plain words with the title of the document it rests on ("Why?")."""
    titles = source_titles()
    if not verdict.reasons:
        return ["Nothing you told me calls for more care than the usual slow, gentle touch."]
    return [f"{r.text} (Source: {titles.get(r.source, r.source)}.)" for r in verdict.reasons]
