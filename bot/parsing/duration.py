"""For how long, in weeks (1-52): `parse_duration_weeks`.

A month counts as 4 weeks ("for two months" = 8; the estimator caps at two weeks anyway), days
are divided by 7 ("10 days" = 1.43), a bare number is weeks. Phrases of how often ("once a
week", "every day") are taken out first: they are not durations.
"""

from __future__ import annotations

import re
from typing import Any

from bot.parsing.numbers import (
    _FEW,
    _HALF,
    _NOT_A_RATING_AFTER,
    _NUM,
    _SIGNED,
    _quantity,
    _to_float,
)
from bot.parsing.results import (
    _DONT_KNOW,
    _INVALID,
    WEEKS_PER_MONTH,
    WEEKS_RANGE,
    ParseResult,
    _ranged,
)
from bot.parsing.text import DONT_KNOW_RE, _clean

_DUR_RE = re.compile(
    rf"(?P<n>{_NUM}|\ban?\b|{_FEW})(?:\s*(?:-|\u2013|to|or)\s*(?P<n2>{_NUM}))?"
    rf"(?P<half>{_HALF})?\s*-?\s*"
    rf"(?P<unit>weeks?|wks?|fortnights?|months?|days?|years?)\b(?P<half2>\s+and\s+a\s+half\b)?"
)
_HALF_UNIT_RE = re.compile(r"\bhalf\s+(?:a|an)\s+(?P<unit>month|year)\b")
_UNIT_WEEKS = {"week": 1.0, "wk": 1.0, "fortnight": 2.0, "month": WEEKS_PER_MONTH,
               "day": 1.0 / 7.0, "year": 52.0}


def _unit_weeks(unit: str) -> float:
    return _UNIT_WEEKS.get(unit[:-1] if unit.endswith("s") else unit, 1.0)


# How often, not how long: "once a week", "3 times a week", "2x per week", "every day".
_FREQUENCY_PHRASE = re.compile(
    r"\b(?:once|twice|thrice|[\w.]+\s*(?:times?|x))\s*(?:a|an|per|each|every|/)\s*"
    r"(?:day|week|month)\b|\bevery\s+(?:other\s+)?(?:day|week|night|morning|evening)\b|"
    r"\b(?:daily|weekly|nightly)\b"
)


def parse_duration_weeks(text: Any) -> ParseResult:
    """Parse for how long, in weeks ("two weeks" -> 2, "for a month" -> 4, "10 days" -> 1.4).

    Frequency phrases ("once a week", "3 times a week", "every day") are not durations.
    """
    t = _FREQUENCY_PHRASE.sub(" ", _clean(text))
    if not t.strip():
        return _INVALID
    m = _HALF_UNIT_RE.search(t)
    if m:
        return _ranged(0.5 * _unit_weeks(m.group("unit")), WEEKS_RANGE)
    m = _DUR_RE.search(t)
    if m:
        tok = m.group("n")
        n = 1.0 if tok in ("a", "an") else _quantity(tok)
        n2 = _to_float(m.group("n2")) if m.group("n2") else None
        if n is not None and n2 is not None and n2 >= n:
            n = (n + n2) / 2.0
        if n is not None and n >= 0:
            if m.group("half") or m.group("half2"):
                n += 0.5
            return _ranged(n * _unit_weeks(m.group("unit")), WEEKS_RANGE)
    if re.search(r"\b(?:a\s+)?fortnight\b", t):
        return _ranged(2.0, WEEKS_RANGE)
    m = re.search(rf"(?P<n>{_SIGNED})(?P<half>{_HALF})?", t)
    if m and not _NOT_A_RATING_AFTER.match(t, m.end()):
        n = _to_float(m.group("n"))
        if n is not None:
            return _ranged(n + (0.5 if m.group("half") else 0.0), WEEKS_RANGE)
    if DONT_KNOW_RE.search(t):
        return _DONT_KNOW
    return _INVALID
