"""The context rules of the red-flag detector: when a lexicon match is set aside because its
clause is negated, history, a prevention tip, another sense of the words, someone else's story,
a mention, a what-if for later or a general question; how a message splits into clauses; and
the typo-tolerant test of the words that exclude a match. The cue words are in
bot/redflag_cues.py; bot/redflag_detector.py applies these rules. Re-exported by
bot/redflags.py.
"""

from __future__ import annotations

from typing import Any

from bot.redflag_cues import (
    CLAUSE_SPLIT,
    HISTORY_CUES,
    HYPOTHETICAL_CUES,
    LATER_CUES,
    META_CUES,
    NEGATION_CUES,
    NEGATION_WINDOW,
    NOW_CUES,
    OTHER_PERSON_CUES,
    OTHER_SENSE_CUES,
    PRESENT_CUES,
    PREVENTION_CUES,
    RESOLVED_CUES,
)
from bot.textguard import valid_unicode
from bot.typos import distance


def near(word: str, words: set[str]) -> bool:
    """`word` is one of `words`, or a small typo of one of 5+ letters ("fell aslep")."""
    if word in words:
        return True
    return len(word) >= 4 and any(len(w) >= 5 and distance(word, w, 2) <= 1 for w in words)


def context_set_aside(text: str) -> bool:
    """Whether the message as a whole clearly speaks of something that is not happening now
    to the person cared for: another sense of the words, someone else, a mention, a what-if
    for later, a prevention tip or a general question (without a word of now). The classifier
    must then be surer (bot/triage.py), as where the lexicon set a mention aside."""
    lowered = valid_unicode(text or "").lower()
    if LATER_CUES.search(lowered) or META_CUES.search(lowered):
        return True
    if OTHER_SENSE_CUES.search(lowered) or OTHER_PERSON_CUES.search(lowered):
        return True
    general = HYPOTHETICAL_CUES.search(lowered) or PREVENTION_CUES.search(lowered)
    return bool(general and not NOW_CUES.search(lowered))


def clause_bounds(doc: Any) -> list[tuple[int, int]]:
    """Token index ranges of clauses (split on sentence ends and contrast words)."""
    text = doc.text
    bounds: list[tuple[int, int]] = []
    start_char = 0
    for m in CLAUSE_SPLIT.finditer(text):
        bounds.append((start_char, m.start()))
        start_char = m.end()
    bounds.append((start_char, len(text)))
    out = []
    for a, b in bounds:
        toks = [t.i for t in doc if t.idx >= a and t.idx < b]
        if toks:
            out.append((toks[0], toks[-1] + 1))
    return out


def clause_of(clauses: list[tuple[int, int]], i: int) -> tuple[int, int]:
    """The clause holding token `i` (or the token alone when no clause does)."""
    for a, b in clauses:
        if a <= i < b:
            return a, b
    return i, i + 1


def match_set_aside(doc: Any, start: int, end: int, clause: tuple[int, int],
                    spec: dict[str, Any]) -> bool:
    """Whether the match doc[start:end] of a kind (`spec`, its entry in redflags.yml) in
    `clause` is set aside: negated just before it, history, a prevention tip, another sense
    of the words, someone else, a mention, or (in the whole message) a what-if for later or a
    general question without a word of now."""
    a, b = clause
    clause_text = doc[a:b].text
    if not spec.get("negation_ok"):
        lo = max(a, start - NEGATION_WINDOW)
        if any(doc[j].lower_ in NEGATION_CUES for j in range(lo, start)):
            return True
    lowered = clause_text.lower()
    if history(doc, start, clause):
        return True
    if PREVENTION_CUES.search(lowered) or OTHER_SENSE_CUES.search(lowered):
        return True
    if OTHER_PERSON_CUES.search(lowered) or META_CUES.search(lowered):
        return True
    whole = doc.text.lower()
    if LATER_CUES.search(whole):
        return True
    return bool(HYPOTHETICAL_CUES.search(whole) and not NOW_CUES.search(whole))


def history(doc: Any, start: int, clause: tuple[int, int]) -> bool:
    """History sets a match aside when its own sub-clause (between commas) dates it ("she
    fainted at a wedding years ago"), or when the clause says the matter is over ("she
    broke her wrist, it's healed now") and the sub-clause does not speak in the present.
    A date elsewhere dates something else: "he turned a horrible colour, he had a heart
    attack two years ago" is now."""
    a, b = clause
    lo = next((j + 1 for j in range(start - 1, a - 1, -1) if doc[j].text == ","), a)
    hi = next((j for j in range(start, b) if doc[j].text == ","), b)
    segment = doc[lo:hi].text.lower()
    if HISTORY_CUES.search(segment):
        return True
    return bool(RESOLVED_CUES.search(doc[a:b].text.lower())
                and not PRESENT_CUES.search(segment))
