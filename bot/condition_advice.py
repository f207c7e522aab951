"""What a reported condition means for massage, in plain words and with its source. No Rasa.

When a caregiver tells or asks about the person's condition ("her platelets are low, is touch
still all right?", "is massage ok with bone mets?"), the reply gives, for each condition the
findings name, the guidance in bot/content/conditions.yml:

* what it means for massage, from the condition's level: "no massage for now"
  (do_not_massage), "keep away from <noun>" (avoid_area; "a still, resting hand only, well away
  from it" where a clot is concerned) or "the lightest touch only" (lightest_touch);
* its advice sentences (with {them}/{their} filled in);
* where it comes from: "This comes from: <title>.", the source's title in sources.yml, as the
  FAQ's "Where is that from?" says it (bot.faq.source_line).

Findings count as the screen counts them (bot.screen): "absent" never; "present" and "unsure"
always; "history" by the condition's `on_history` (ignored, kept as now, or an earlier clot,
which is a known clot). Conditions are given strictest first, then in the order they were
mentioned, at most MAX_CONDITIONS of them.

`answers_faq` is the routing rule for the NLU (components/findings_extractor.py): a question
the FAQ would answer in general ("is it safe with cancer?", "when should we not massage?")
gets this condition's own guidance instead when it names a condition that counts; so does a
plain statement about the person ("her counts are down", "secondaries in her bones") or a
question whether touch is safe ("his counts are low, is touch still all right?"), whatever
topic the classifier guessed for it. Conditions that are themselves red flags (a possible new
clot, a fever, bleeding) are left to triage; refusal or distress keeps the FAQ's own answers
(asking permission, signs to stop) unless the question is a general safety one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.faq import TEAM_NOTE, load_sources
from bot.screen import (
    ABSENT,
    HISTORY,
    PRONOUNS,
    Condition,
    Finding,
    _area_phrase,
    _as_finding,
    _render,
    canonical_area,
    load_conditions,
)
from bot.verdict import Level

# FAQ topics that answer "is massage safe with ...?" in general: a finding in such a question
# gets that condition's own guidance instead (see answers_faq).
SAFETY_TOPICS = frozenset({"safe_with_cancer", "who_should_not", "medical_devices", "pressure",
                           "techniques_to_avoid"})
# Conditions that are red flags in their own right: triage answers them, never this module's
# routing (a fever, a possible new clot, bleeding that won't stop).
RED_FLAG_CONDITIONS = frozenset({"suspected_clot", "fever_or_infection", "uncontrolled_bleeding"})
# Conditions the FAQ answers in topics of their own (consent, signs to stop, dementia):
# a statement about them keeps its FAQ answer.
FAQ_OWN_CONDITIONS = frozenset({"refuses_or_distressed"})
# Anything that makes a message a question: then only the safety topics are rerouted.
QUESTION = re.compile(
    r"\?|^\W*(is|are|am|do|does|did|can|could|should|would|will|has|have|may|might|must)\b|"
    r"\b(how|what|whats|why|when|where|which|who|whether|can|could|should|would|will|may|"
    r"might|must|ok to|okay to|safe to|allowed|alright to|all right to|tips|advice|anything|"
    r"is it|is that|is this|is there|are there|do i|do we|does it|does that|did i)\b",
    re.IGNORECASE)
# A question whether touch itself is safe or all right ("is touch still all right?", "can I
# still massage her?", "ok to rub his feet?"): a safety question, whatever topic the classifier
# guessed. Questions about something else that is safe (a cream, an exercise) keep the FAQ's.
OK = r"(safe|ok|okay|all right|alright|allowed|fine)"
TOUCH = r"(touch|touching|massage|massaging|a massage|rub|rubbing|a rub|stroke|stroking)"
SAFETY_QUESTION = re.compile(
    rf"\b(is|are) (it )?(still )?{TOUCH}\b[^.?!]{{0,30}}\b{OK}\b|"
    rf"\b(can|could|may|should) (i|we) (still |even |safely )?{TOUCH}\b|"
    rf"\b{OK} to (still )?{TOUCH}\b",
    re.IGNORECASE)
MAX_CONDITIONS = 3

MEANS = {
    Level.DO_NOT_MASSAGE: "no massage for now.",
    Level.AVOID_AREA: "keep away from {noun}.",
    Level.LIGHTEST_TOUCH: "the lightest touch only.",
}
STILL_HAND = "a still, resting hand only, well away from {noun}."
PAST_ONLY = ("From what you say, that is in the past, so it needn't change the massage. If it "
             "is still there or not fully healed, tell me and I'll count it.")
MORE_NOTED = "I've noted the rest of what you told me too; the safety check counts it all."

SHE = re.compile(r"\b(she|her|hers|herself|mum|mom|mother|wife|nan|gran|grandma|sister|"
                 r"daughter|aunt)\b", re.IGNORECASE)
HE = re.compile(r"\b(he|him|his|himself|dad|father|husband|grandad|granddad|grandpa|brother|"
                r"son|uncle)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ConditionAdvice:
    """The guidance for one condition: the text to say, and the document it rests on."""

    condition_id: str
    level: Level
    text: str  # "<Label>: <what it means>. <advice>"
    source: str  # a source id in sources.yml
    source_line: str  # "This comes from: <title>."

    @property
    def message(self) -> str:
        """The whole reply for this condition: the guidance, then its source on a new line."""
        return f"{self.text}\n{self.source_line}"


@dataclass
class _Counted:
    cond: Condition
    order: int
    places: list[tuple[str, str | None]] = field(default_factory=list)


def pronoun_in(text: str | None) -> str:
    """"she", "he" or "they": who the caregiver is talking about, when only one is named."""
    she, he = bool(SHE.search(text or "")), bool(HE.search(text or ""))
    return "she" if she and not he else "he" if he and not she else "they"


def source_title(source_id: str) -> str:
    """The reader-facing title of a source (as the FAQ shows it), without team notes."""
    raw = load_sources().get(source_id) or {}
    return TEAM_NOTE.sub("", str(raw.get("title") or source_id)).strip()


def source_line(source_id: str) -> str:
    line = f"This comes from: {source_title(source_id)}"
    return line if line.endswith((".", "!", "?")) else line + "."


def _counted(findings: Iterable[Any]) -> tuple[list[_Counted], bool]:
    """The conditions that count (see the module docstring), and whether any finding was a
    past one that no longer counts."""
    conds = load_conditions()
    out: dict[str, _Counted] = {}
    past = False
    for n, raw in enumerate(findings):
        f: Finding = _as_finding(raw)
        cond = conds.get(f.condition_id)
        if cond is None or f.status == ABSENT:
            continue
        if f.status == HISTORY:
            if cond.on_history == "ignore":
                past = True
                continue
            if cond.on_history == "known_clot":
                cond = conds["known_clot"]
        item = out.setdefault(cond.id, _Counted(cond=cond, order=n))
        area = canonical_area(f.area) if cond.placed else None
        if area and (area, f.side) not in item.places:
            item.places.append((area, f.side))
    ranked = sorted(out.values(), key=lambda c: (-int(c.cond.level == Level.DO_NOT_MASSAGE),
                                                 c.order))
    return ranked, past


def _head(item: _Counted) -> str:
    label = item.cond.label
    if item.places:
        grouped: dict[str, set[str | None]] = {}
        for a, s in item.places:
            grouped.setdefault(a, set()).add(s)
        where = [_area_phrase(a, s) for a, s in grouped.items()]
        label += ", in " + (" and ".join(where) if len(where) <= 2 else
                         ", ".join(where[:-1]) + " and " + where[-1])
    return label[:1].upper() + label[1:]


def _means(cond: Condition) -> str:
    noun = cond.noun or "it"
    if cond.still_hand and cond.level == Level.AVOID_AREA:
        return STILL_HAND.format(noun=noun)
    return MEANS[cond.level].format(noun=noun)


def advice_for(findings: Iterable[Any], pronoun: str | None = None) -> list[ConditionAdvice]:
    """The guidance for each condition that counts, strictest first (all of them)."""
    forms = PRONOUNS.get((pronoun or "they").lower(), PRONOUNS["they"])
    out = []
    for item in _counted(findings)[0]:
        cond = item.cond
        advice = _render(cond.advice, forms["they"])
        means = _means(cond)
        # "No massage for now." already opens some advice: say it once
        said = advice.lower().startswith(means.rstrip(".").lower())
        text = f"{_head(item)}: {advice[:1].lower() + advice[1:] if said else means + ' ' + advice}"
        out.append(ConditionAdvice(condition_id=cond.id, level=cond.level, text=text,
                                   source=cond.source, source_line=source_line(cond.source)))
    return out


def reply_messages(findings: Iterable[Any], pronoun: str | None = None) -> list[str]:
    """The messages that answer a caregiver who told or asked about these findings.

    One message per condition (guidance, then its source), at most MAX_CONDITIONS, and a line
    saying the rest is noted when there are more. A past finding that no longer counts gets one
    line saying so. Empty when nothing counts (only absent findings, or none).
    """
    findings = list(findings)
    advice = advice_for(findings, pronoun)
    messages = [a.message for a in advice[:MAX_CONDITIONS]]
    if len(advice) > MAX_CONDITIONS:
        messages.append(MORE_NOTED)
    if not advice and _counted(findings)[1]:
        messages.append(PAST_ONLY)
    return messages


def is_question(text: str) -> bool:
    """True when a message asks something (a "?", a question word, "can I", "ok to" ...)."""
    return bool(QUESTION.search(text or ""))


def answers_faq(topic_id: str | None, findings: Iterable[Any], text: str = "") -> bool:
    """True when a FAQ message on `topic_id` naming these findings should get the conditions'
    own guidance instead of the FAQ answer.

    Only conditions that count and are not red flags (those are triage's) are considered. A
    question on a general safety topic is rerouted. With `text`, so is, whatever the topic, a
    message that asks nothing ("her counts are down" read as a question on anxiety) or asks
    whether touch is safe or all right ("his counts are low, is touch still all right?"),
    when it names a condition the FAQ has no topic of its own for.
    """
    counted = [c.cond.id for c in _counted(findings)[0] if c.cond.id not in RED_FLAG_CONDITIONS]
    if not counted:
        return False
    if topic_id in SAFETY_TOPICS:
        return True
    if not text.strip() or all(c in FAQ_OWN_CONDITIONS for c in counted):
        return False
    return not is_question(text) or bool(SAFETY_QUESTION.search(text))
