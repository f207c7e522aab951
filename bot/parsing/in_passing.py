"""Ratings already given in a free sentence: `extract_ratings` ("her pain is 6, worry about 8").

Each symptom has three patterns, tried in this order for every symptom not rated yet: the
number before the symptom ("8 for anxiety"), the symptom then its number after up to five words
("the pain in her hip is 6"), and a number written "out of 10" anywhere later in the symptom's
sentence. "pain and anxiety are both 7" rates both at once. Last, a message that names one
symptom only and rates "it" once, after the question ("would massage help his pain? he says
it's a 5"), rates that symptom.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.parsing.numbers import _HALF, _NOT_A_RATING_AFTER, _NUM
from bot.parsing.ratings import parse_rating
from bot.parsing.text import _clean, _strip_scale

_SYMPTOMS = {
    # Pain in the words caregivers use, and its most common misspelling ("pian").
    "pain": r"pain|pains|pian|painful|hurting|hurts|aching|aches|ache|sore|soreness|discomfort",
    # Caregivers say worry, fear or nerves as often as anxiety ("her worry a 5"). Every word
    # that starts with "anx" is one of anxiety's (mis)spellings: "anxeity", "anxios".
    "anxiety": r"anx[a-z]*|anix[a-z]*|axiety|axious|nervousness|nervous|nerves|nervy|"
               r"worr[a-z]*|wory|woried|fear|fears|fearful|frightened|scared|afraid|stress|"
               r"stressed|agitation|agitated|panic|panicky|panicking|on\s+edge|jittery|uneasy|"
               r"restless|restlessness|unsettled",
}
_KW = {k: re.compile(rf"\b(?:{v})\b") for k, v in _SYMPTOMS.items()}
_ANY_KW = "|".join(f"(?:{v})" for v in _SYMPTOMS.values())
_APPROX = r"(?:about|around|roughly|approximately|approx|maybe|perhaps|like|probably|nearly|" \
          r"almost|close\s+to|at\s+least|at\s+most|a|an|level|score|rating|of|only|still|" \
          r"now|today|currently|just)"
# What joins a symptom to its number, after up to five other words: "her pain is 6", "pain
# has been 6", "anxious, I'd say 9 out of 10", "I'd give her pain a 7".
_LINK = r"(?:is|was|are|were|'s|'re|at|about|around|of|like|scores?|rated|rates|rate|level|" \
        r"=|:|-|\u2013|,|\(|maybe|seems|feels|reaches|hits|sits\s+at|sitting\s+at|been|be|" \
        r"gets|getting|goes|went|stays|say|says|said|reckon|guess|put|give|gives|gave|call)"
_SEP = r"[\s,:=\-\u2013(]*"
# Words that end a symptom's phrase: what follows is about medicines ("pain meds at 6").
_NOT_A_LINK = r"med[a-z]*|tablets?|pills?|killers?|relief|patch(?:es)?|drugs?|doses?"
# A rating as it appears in a sentence: a number, optional "/10", "ish", "and a half".
_RATING_TOKEN = (
    rf"(?P<num>{_NUM})(?:{_HALF})?(?:\s*ish\b)?"
    rf"(?:\s*(?:/|out\s+of)\s*(?:10|ten)\b)?"
)
_FORWARD = {
    k: re.compile(
        rf"\b(?:{v})\b,?"
        rf"(?:(?:\s+(?!(?:{_ANY_KW}|{_NOT_A_LINK})\b)[a-z']{{1,15}}){{0,5}}?\s*(?:{_LINK}))?"
        rf"(?:{_SEP}(?:{_APPROX})\b)*{_SEP}{_RATING_TOKEN}"
    )
    for k, v in _SYMPTOMS.items()
}
_BACKWARD = {
    k: re.compile(
        rf"{_RATING_TOKEN}\s+(?:for|on|in|with)\s+(?:(?:the|her|his|their|my|mum's|mom's|"
        rf"dad's)\s+)?(?:{v})\b"
    )
    for k, v in _SYMPTOMS.items()
}
# A number written "out of 10" (or "/10") is a rating wherever it stands in the symptom's
# sentence: "he's really anxious, honestly I'd put him at 9 out of 10".
_FLAGGED_AFTER = {
    k: re.compile(
        rf"\b(?:{v})\b(?P<gap>[^.;!?\d]{{0,80}}?)(?P<num>{_NUM})(?:{_HALF})?(?:\s*ish\b)?"
        rf"\s*(?:/|out\s+of)\s*(?:10|ten)\b"
    )
    for k, v in _SYMPTOMS.items()
}
_PAIN_KW = _SYMPTOMS["pain"]
_ANXIETY_KW = _SYMPTOMS["anxiety"]
_POSSESSIVE = r"(?:(?:her|his|their|the|my)\s+)?"
_BOTH = re.compile(
    rf"\b(?:{_POSSESSIVE}(?:{_PAIN_KW})\s+and\s+{_POSSESSIVE}(?:{_ANXIETY_KW})|"
    rf"{_POSSESSIVE}(?:{_ANXIETY_KW})\s+and\s+{_POSSESSIVE}(?:{_PAIN_KW}))\s+"
    rf"(?:are|were|both|are\s+both|were\s+both|at|about|around)(?:\s+(?:both|about|around|at))*"
    rf"\s+{_RATING_TOKEN}"
)
# Counts that are not ratings, in a sentence ("anxious, 2 kids at home", "pain for 3 nights").
_NOT_A_RATING_IN_PASSING = re.compile(
    r"\s*(?:nights?\b|evenings?\b|mornings?\b|sessions?\b|kids?\b|children\b|people\b|"
    r"grandchildren\b|places?\b|spots?\b|meds?\b|medications?\b|years?\s+old\b|yrs?\b|yo\b)"
)


def _token_value(m: re.Match) -> float | None:
    """The 0-10 value of a _RATING_TOKEN match, or None when it is not a usable rating."""
    if _NOT_A_RATING_AFTER.match(m.string, m.end()):
        return None
    if _NOT_A_RATING_IN_PASSING.match(m.string, m.end()):
        return None
    if m.group("num").isalpha() and re.match(r"\s+of\b", m.string[m.end():]):
        return None
    result = parse_rating(m.string[m.start("num"):m.end()])
    return result.value if result.ok else None


def _as_number(value: float) -> float:
    return int(value) if value == int(value) else value


def _other_symptom_in(key: str, gap: str) -> bool:
    return any(_KW[other].search(gap) for other in _SYMPTOMS if other != key)


def _first_value(matches: Iterable[re.Match]) -> float | None:
    """The value of the first match that is a usable rating."""
    for m in matches:
        v = _token_value(m)
        if v is not None:
            return v
    return None


def _backward(key: str, t: str) -> float | None:
    """A number before the symptom: "8 for anxiety", "a 6 for her pain"."""
    return _first_value(_BACKWARD[key].finditer(t))


def _forward(key: str, t: str) -> float | None:
    """The symptom, then its number: "pain is 6", "the pain in her hip is 6", "anxiety 7/10"."""
    return _first_value(_FORWARD[key].finditer(t))


def _flagged_after(key: str, t: str) -> float | None:
    """A later "N out of 10" in the sentence, unless another symptom comes between them."""
    return _first_value(m for m in _FLAGGED_AFTER[key].finditer(t)
                        if not _other_symptom_in(key, m.group("gap")))


# A rating that refers back to the one symptom named: "it's a 5", "he'd put it at 2", "she's at
# a 10", "I'd say about 6". Read only when exactly one symptom is named and no other pattern
# rated it, and only when the message holds one such rating.
_REFERS_BACK = re.compile(
    r"\b(?:it'?s|it\s+is|its|that'?s|that\s+is|(?:she|he)'?s\s+at|(?:she|he)\s+is\s+at|"
    r"they'?re\s+at|put\s+(?:it|her|him|them)\s+at|(?:rates?|rated|scores?|puts?)\s+it|"
    r"(?:i'?d|i\s+would|i)\s+(?:say|guess|reckon)|(?:says|said)\s+(?:it'?s|its)?)"
    rf"(?:\s+(?:about|around|roughly|maybe|probably|like|a|an|only|still|now|today|just|"
    rf"honestly|at))*\s+{_RATING_TOKEN}"
)


# "it's 10 past 3", "it's 5 to 6", "it's a 5 or 6": a time or a range, not one rating.
_CLOCK_OR_RANGE = re.compile(r"\s*(?:(?:past|to|or)\b|-|\u2013)\s*\w")


def _referring_back(found: dict[str, float], t: str) -> dict[str, float]:
    named = [key for key in _SYMPTOMS if _KW[key].search(t)]
    if len(named) != 1 or named[0] in found:
        return found
    values = [v for v in (_token_value(m) for m in _REFERS_BACK.finditer(t)
                          if not _CLOCK_OR_RANGE.match(t, m.end())) if v is not None]
    if len(values) != 1:
        return found
    return {**found, named[0]: _as_number(values[0])}


def extract_ratings(text: Any) -> dict[str, float]:
    """Ratings the caregiver already gave in passing: {"pain": 6, "anxiety": 8}.

    Only values inside 0-10 are returned; a symptom that was not rated is absent. Whole
    numbers come back as int, others as float. Recognised forms include "pain is 6",
    "pain 6/10", "anxiety about seven", "the pain in her hip is 6", "8 for anxiety",
    "pain and anxiety are both 7", "she rates her pain a 7 and her worry a 5", "he's really
    anxious, I'd say 9 out of 10", "(8/10)". Worry, nerves, fear and "anxious" count as
    anxiety; "hurting", "sore" and "discomfort" as pain.
    """
    t = _strip_scale(_clean(text))
    found: dict[str, float] = {}
    if not t:
        return found
    m = _BOTH.search(t)
    if m:
        v = _token_value(m)
        if v is not None:
            found = {"pain": _as_number(v), "anxiety": _as_number(v)}
            return found
    for read in (_backward, _forward, _flagged_after):
        for key in _SYMPTOMS:
            if key in found:
                continue
            v = read(key, t)
            if v is not None:
                found[key] = _as_number(v)
    return _referring_back(found, t)
