"""A 0-10 rating given as the answer to "how bad is it?": `parse_rating`.

"6/10" and "6 out of 10" are read as 6; "3 out of 5" and "60/100" are rescaled to 10; "6-7",
"6 or 7" and "between 6 and 7" give the midpoint (6.5). When several unrelated numbers appear,
one written as "/10" or "out of 10" wins, otherwise the first.
"""

from __future__ import annotations

import re
from typing import Any

from bot.parsing.numbers import _HALF, _NOT_A_RATING_AFTER, _NUM, _SIGNED, _to_float
from bot.parsing.results import _DONT_KNOW, _INVALID, OK, RATING_RANGE, ParseResult, _ranged
from bot.parsing.text import DONT_KNOW_RE, _clean, _strip_scale

_RATING_RANGE_RE = re.compile(
    rf"(?:between\s+)?(?P<a>{_NUM})\s*(?:-|\u2013|to|or|and)\s*(?P<b>{_NUM})"
    rf"(?:\s*(?:/|out\s+of)\s*(?:10|ten)\b)?(?!\s*(?:/|out\s+of))"
)
_RATING_RE = re.compile(
    rf"(?P<num>{_SIGNED})(?P<half>{_HALF})?(?:\s*ish\b)?"
    rf"(?:\s*(?:/|out\s+of|outta|over)\s*(?P<den>\d{{1,4}}|ten|five|hundred)\b)?"
)
_NO_SYMPTOM_RE = re.compile(
    r"^(?:none|nothing|no\s+(?:pain|anxiety)(?:\s+at\s+all)?|not\s+at\s+all|"
    r"(?:she|he|they)\s+(?:has|have|is)\s+(?:none|no\s+(?:pain|anxiety)))[.!]?$"
)


def _rating_candidates(text: str) -> list[tuple[float, bool]]:
    """(value, written_out_of_ten) for every number-like rating in the text, in order."""
    out: list[tuple[float, bool]] = []
    for m in _RATING_RE.finditer(text):
        if _NOT_A_RATING_AFTER.match(text, m.end()):
            continue
        value = _to_float(m.group("num"))
        if value is None:
            continue
        # "one of", "ten of" etc. are not ratings
        if m.group("num").isalpha() and re.match(r"\s+of\b", text[m.end():]):
            continue
        if m.group("half"):
            value += 0.5 if value >= 0 else -0.5
        den = m.group("den")
        flagged = False
        if den:
            d = _to_float(den)
            if d == 10:
                flagged = True
            elif d in (5.0, 100.0) and value >= 0:
                value = value * 10.0 / d
                flagged = True
            else:
                continue  # "6/7", "3/4": a date or a fraction, not a rating
        out.append((value, flagged))
    return out


def parse_rating(text: Any) -> ParseResult:
    """Parse a 0-10 rating ("6", "6/10", "six", "about 7", "7.5", "pain is 6")."""
    t = _strip_scale(_clean(text)).strip()
    if not t:
        return _DONT_KNOW if _clean(text) and DONT_KNOW_RE.search(_clean(text)) else _INVALID
    if _NO_SYMPTOM_RE.match(t):
        return ParseResult(OK, 0.0)
    m = _RATING_RANGE_RE.search(t)
    if m:
        a, b = _to_float(m.group("a")), _to_float(m.group("b"))
        if a is not None and b is not None and abs(a - b) <= 3:
            return _ranged((a + b) / 2.0, RATING_RANGE)
    candidates = _rating_candidates(t)
    if candidates:
        flagged = [v for v, f in candidates if f]
        return _ranged(flagged[0] if flagged else candidates[0][0], RATING_RANGE)
    if DONT_KNOW_RE.search(t):
        return _DONT_KNOW
    return _INVALID
