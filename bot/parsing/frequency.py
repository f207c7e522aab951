"""How often, as sessions per week (1-14): `parse_frequency`.

"every other day" = 3.5, "daily" = 7, "twice a day" = 14, "weekdays" = 5, a bare number ("3")
is read as times a week. The readers below are tried in order and the first that understands
the reply wins: "every N days/weeks", "N times a day/week/month", the words for how often
("daily", "weekends", named days, "twice"), then a bare number.
"""

from __future__ import annotations

import re
from typing import Any

from bot.parsing.numbers import (
    _COUNT_WORDS,
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
    FREQUENCY_RANGE,
    WEEKS_PER_MONTH,
    ParseResult,
    _ranged,
)
from bot.parsing.text import DONT_KNOW_RE, _clean

_QTY = rf"(?:{_NUM}|once|twice|thrice|{_FEW})"
_PER = r"(?:a|an|per|each|every|/|in\s+a|a\s+single)"
_FREQ_RE = re.compile(
    rf"(?P<n>{_QTY})(?:\s*(?:-|\u2013|to|or)\s*(?P<n2>{_NUM}))?(?P<half>{_HALF})?"
    rf"\s*(?:x|times?|sessions?|massages?|days?|nights?)?"
    rf"\s*(?:{_PER})?\s*(?P<unit>week(?:ly)?|wk|fortnight|day|daily|month|monthly)\b"
)
_EVERY_RE = re.compile(
    rf"\bevery\s+(?:(?P<other>other|second)\s+|(?P<n>{_NUM})\s+)?(?P<unit>day|days|night|nights|"
    rf"week|weeks|month|months|morning|evening)\b"
)
_NAMED_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?"


def _every(t: str) -> ParseResult | None:
    """Every so often: "every day", "every other day", "every 3 weeks", "every month"."""
    n: float | None
    m = _EVERY_RE.search(t)
    if not m:
        return None
    unit = m.group("unit")
    if m.group("other"):
        n = 2.0
    elif m.group("n"):
        n = _to_float(m.group("n"))
    else:
        n = 1.0
    if n is not None and n > 0:
        if unit.startswith(("day", "night", "morning", "evening")):
            return _ranged(7.0 / n, FREQUENCY_RANGE)
        if unit.startswith("week"):
            return _ranged(1.0 / n, FREQUENCY_RANGE)
        return _ranged(1.0 / (n * 4.0), FREQUENCY_RANGE)
    return None


def _per_unit(n: float, unit: str) -> ParseResult:
    """`n` times per `unit` (week, fortnight, day or month) as sessions per week."""
    if unit.startswith(("week", "wk")):
        return _ranged(n, FREQUENCY_RANGE)
    if unit == "fortnight":
        return _ranged(n / 2.0, FREQUENCY_RANGE)
    if unit.startswith("day") or unit == "daily":
        return _ranged(n * 7.0, FREQUENCY_RANGE)
    return _ranged(n / WEEKS_PER_MONTH, FREQUENCY_RANGE)


def _times_per(t: str) -> ParseResult | None:
    """Times per unit: "twice a week", "3 times a day", "2-3 sessions a week", "once a month"."""
    m = _FREQ_RE.search(t)
    if not m:
        return None
    n = _quantity(m.group("n"))
    n2 = _to_float(m.group("n2")) if m.group("n2") else None
    if n is not None and n2 is not None and n2 >= n:
        n = (n + n2) / 2.0
    if n is not None and n >= 0:
        if m.group("half"):
            n += 0.5
        return _per_unit(n, m.group("unit"))
    return None


def _frequency_words(t: str) -> ParseResult | None:
    """Words for how often: "daily", "alternate days", "weekdays", "weekends", "monthly"..."""
    if re.search(r"\b(?:daily|everyday|each\s+day|all\s+days|every\s*day)\b", t):
        return _ranged(7.0, FREQUENCY_RANGE)
    if re.search(r"\b(?:alternate\s+days|on\s+and\s+off\s+days)\b", t):
        return _ranged(3.5, FREQUENCY_RANGE)
    if re.search(r"\bweekdays\b", t):
        return _ranged(5.0, FREQUENCY_RANGE)
    if re.search(r"\bweekends?\b", t):
        return _ranged(2.0 if "weekends" in t or "both" in t else 1.0, FREQUENCY_RANGE)
    if re.search(r"\bweekly\b", t):
        return _ranged(1.0, FREQUENCY_RANGE)
    if re.search(r"\b(?:fortnightly|biweekly)\b", t):
        return _ranged(0.5, FREQUENCY_RANGE)
    if re.search(r"\bmonthly\b", t):
        return _ranged(1.0 / WEEKS_PER_MONTH, FREQUENCY_RANGE)
    return None


def _named_days(t: str) -> ParseResult | None:
    """Named days ("mondays and thursdays"): one session a week for each different day."""
    days = re.findall(rf"\b{_NAMED_DAYS}\b", t)
    if days:
        return _ranged(float(len(set(d.rstrip("s") for d in days))), FREQUENCY_RANGE)
    return None


def _count_word(t: str) -> ParseResult | None:
    """A lone "once", "twice" or "thrice": times a week."""
    m = re.search(r"\b(once|twice|thrice)\b", t)
    if m:
        return _ranged(_COUNT_WORDS[m.group(1)], FREQUENCY_RANGE)
    return None


def _bare_number(t: str) -> ParseResult | None:
    """A number on its own ("3", "3 times", "2 and a half"): times a week."""
    m = re.search(rf"(?P<n>{_SIGNED})(?P<half>{_HALF})?(?:\s*(?:x|times?|sessions?|days?)\b)?", t)
    if m and not _NOT_A_RATING_AFTER.match(t, m.end()):
        n = _to_float(m.group("n"))
        if n is not None:
            return _ranged(n + (0.5 if m.group("half") else 0.0), FREQUENCY_RANGE)
    return None


_READERS = (_every, _times_per, _frequency_words, _named_days, _count_word, _bare_number)


def parse_frequency(text: Any) -> ParseResult:
    """Parse how often, as sessions per week ("twice a week" -> 2, "every other day" -> 3.5)."""
    t = _clean(text)
    if not t:
        return _INVALID
    for read in _READERS:
        result = read(t)
        if result is not None:
            return result
    if DONT_KNOW_RE.search(t):
        return _DONT_KNOW
    return _INVALID
