"""Reading numbers out of caregivers' replies: ratings, how often, for how long.

Pure Python, no Rasa, no I/O. Every public function takes any value (a string normally; None,
numbers and other objects are tolerated) and never raises: it returns a `ParseResult` whose
status says what happened:

- "ok": `value` holds the number, inside the allowed range;
- "out_of_range": a number was understood but is outside the range (`value` holds it, so the
  bot can say "15 is more than 10");
- "dont_know": the caregiver said they don't know, aren't sure, or want to skip;
- "invalid": nothing usable ("a lot", nonsense, empty).

Decisions worth knowing:
- Ratings are 0-10. "6/10" and "6 out of 10" are read as 6; "3 out of 5" and "60/100" are
  rescaled to 10; "6-7", "6 or 7" and "between 6 and 7" give the midpoint (6.5). When several
  unrelated numbers appear, one written as "/10" or "out of 10" wins, otherwise the first.
- Frequency is sessions per week, 1-14: "every other day" = 3.5, "daily" = 7, "twice a day" = 14,
  a bare number ("3") is read as times a week, "weekdays" = 5.
- Duration is weeks, 1-52: a month counts as 4 weeks ("for two months" = 8; the estimator caps
  at two weeks anyway), days are divided by 7 ("10 days" = 1.43), a bare number is weeks.
- Values are rounded to two decimals ("every three days" = 2.33 a week).
- Input longer than MAX_CHARS is cut before parsing, which keeps every regex cheap.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

OK = "ok"
OUT_OF_RANGE = "out_of_range"
DONT_KNOW = "dont_know"
INVALID = "invalid"

MAX_CHARS = 500

RATING_RANGE = (0.0, 10.0)
FREQUENCY_RANGE = (1.0, 14.0)
WEEKS_RANGE = (1.0, 52.0)
WEEKS_PER_MONTH = 4.0


@dataclass(frozen=True)
class ParseResult:
    status: str
    value: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def amount(self) -> float:
        """The value as a number; meaningful when `ok` (the value is set then)."""
        return 0.0 if self.value is None else float(self.value)


_INVALID = ParseResult(INVALID)
_DONT_KNOW = ParseResult(DONT_KNOW)

# --------------------------------------------------------------------------------------------
# Shared vocabulary

WORD_NUMBERS = {
    "zero": 0, "nil": 0, "nought": 0, "naught": 0,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}
_WORDS_ALT = "|".join(sorted(WORD_NUMBERS, key=len, reverse=True))

# A single number: digits (with an optional decimal point) or a number word. A decimal comma
# is not read as a decimal point ("6,7" is a list, not 6.7).
_NUM = rf"(?:(?<![\w.])\d{{1,12}}(?:\.\d{{1,6}})?(?!\d)|\b(?:{_WORDS_ALT})\b)"
# A signed number; a minus counts only when it is not glued to a word or digit before it.
_SIGNED = rf"(?:(?<![\w.])[-\u2212])?{_NUM}"
_HALF = r"(?:\s+and\s+a\s+half\b|\s*\u00bd)"

DONT_KNOW_RE = re.compile(
    r"\b(?:i\s+)?(?:do\s*n[o']?t|dont|don't|dunno|do\s+not)\s+know\b|\bnot\s+(?:really\s+)?sure\b|"
    r"\bno\s+idea\b|\bidk\b|\bdunno\b|\bunsure\b|\bskip(?:\s+(?:it|this|that))?\b|\bpass\b|"
    r"\bcan'?t\s+(?:say|tell)\b|\bcannot\s+(?:say|tell)\b|\bhard\s+to\s+(?:say|tell)\b|"
    r"\brather\s+not\b|\bno\s+clue\b|\bnot\s+certain\b|\bwho\s+knows\b|\bhaven'?t\s+a\s+clue\b"
)


def _clean(text: Any) -> str:
    """Lower-case, plain apostrophes and spaces; '' for None or unusable input."""
    if text is None or isinstance(text, bool):
        return ""
    if isinstance(text, (int, float)):
        if isinstance(text, float) and (math.isnan(text) or math.isinf(text)):
            return ""
        text = repr(text)
    elif not isinstance(text, str):
        try:
            text = str(text)
        except Exception:  # an object whose __str__ fails: treat as nothing
            return ""
    text = text[:MAX_CHARS].lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = re.sub(r"<[^<>]{0,200}>", " ", text)  # stray HTML tags
    text = re.sub(r"&nbsp;|&#160;", " ", text)
    return re.sub(r"\s+", " ", text).strip()


_SCALE_RE = re.compile(
    r"\b(?:on\s+)?(?:a\s+)?(?:scale\s+)?(?:of\s+|from\s+)?(?:0|1|zero|one)\s*"
    r"(?:-|\u2013|to)\s*(?:10|ten)\b(?!\s*(?:/|out\b))"
)


def _strip_scale(text: str) -> str:
    """Drop "on a scale of 0 to 10" and the like, so its numbers are not read as a rating."""
    return _SCALE_RE.sub(" ", text)


def _to_float(token: str) -> float | None:
    token = token.strip().replace("\u2212", "-")
    neg = token.startswith("-")
    token = token.lstrip("-").strip()
    if token in WORD_NUMBERS:
        value = float(WORD_NUMBERS[token])
    else:
        try:
            value = float(token)
        except ValueError:
            return None
    if math.isinf(value) or math.isnan(value):
        return None
    return -value if neg else value


def _ranged(value: float, lo_hi: tuple[float, float]) -> ParseResult:
    lo, hi = lo_hi
    value = round(value, 2)
    if value == int(value):
        value = float(int(value))
    return ParseResult(OK if lo <= value <= hi else OUT_OF_RANGE, value)


# --------------------------------------------------------------------------------------------
# Ratings (0-10)

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
# Numbers that are clearly not a rating (times, doses, durations).
_NOT_A_RATING_AFTER = re.compile(
    r"\s*(?:am\b|pm\b|a\.m|p\.m|o'?clock|h\b|hrs?\b|hours?\b|mins?\b|minutes?\b|days?\b|"
    r"weeks?\b|months?\b|years?\b|mg\b|ml\b|%|times?\b|x\b|tablets?\b|pills?\b|doses?\b|"
    r":\d|th\b|st\b|nd\b|rd\b)"
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


# --------------------------------------------------------------------------------------------
# Frequency (sessions per week, 1-14)

_COUNT_WORDS = {"once": 1.0, "twice": 2.0, "thrice": 3.0}
_FEW = r"\b(?:a\s+)?(?:couple\s+(?:of\s+)?|few\s+)"
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


def _quantity(token: str) -> float | None:
    token = token.strip()
    if token in _COUNT_WORDS:
        return _COUNT_WORDS[token]
    if re.fullmatch(_FEW, token + " ") or re.fullmatch(_FEW, token):
        return 2.0 if "couple" in token else 3.0
    return _to_float(token)


def parse_frequency(text: Any) -> ParseResult:
    """Parse how often, as sessions per week ("twice a week" -> 2, "every other day" -> 3.5)."""
    t = _clean(text)
    if not t:
        return _INVALID
    n: float | None
    m = _EVERY_RE.search(t)
    if m:
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
    m = _FREQ_RE.search(t)
    if m:
        n = _quantity(m.group("n"))
        n2 = _to_float(m.group("n2")) if m.group("n2") else None
        if n is not None and n2 is not None and n2 >= n:
            n = (n + n2) / 2.0
        if n is not None and n >= 0:
            if m.group("half"):
                n += 0.5
            unit = m.group("unit")
            if unit.startswith(("week", "wk")):
                return _ranged(n, FREQUENCY_RANGE)
            if unit == "fortnight":
                return _ranged(n / 2.0, FREQUENCY_RANGE)
            if unit.startswith("day") or unit == "daily":
                return _ranged(n * 7.0, FREQUENCY_RANGE)
            return _ranged(n / WEEKS_PER_MONTH, FREQUENCY_RANGE)
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
    days = re.findall(rf"\b{_NAMED_DAYS}\b", t)
    if days:
        return _ranged(float(len(set(d.rstrip("s") for d in days))), FREQUENCY_RANGE)
    m = re.search(r"\b(once|twice|thrice)\b", t)
    if m:
        return _ranged(_COUNT_WORDS[m.group(1)], FREQUENCY_RANGE)
    m = re.search(rf"(?P<n>{_SIGNED})(?P<half>{_HALF})?(?:\s*(?:x|times?|sessions?|days?)\b)?", t)
    if m and not _NOT_A_RATING_AFTER.match(t, m.end()):
        n = _to_float(m.group("n"))
        if n is not None:
            return _ranged(n + (0.5 if m.group("half") else 0.0), FREQUENCY_RANGE)
    if DONT_KNOW_RE.search(t):
        return _DONT_KNOW
    return _INVALID


# --------------------------------------------------------------------------------------------
# Duration (weeks, 1-52)

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


# --------------------------------------------------------------------------------------------
# Ratings already given in a free sentence

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
    for key in _SYMPTOMS:
        for m in _BACKWARD[key].finditer(t):
            v = _token_value(m)
            if v is not None:
                found[key] = _as_number(v)
                break
    for key in _SYMPTOMS:
        if key in found:
            continue
        for m in _FORWARD[key].finditer(t):
            v = _token_value(m)
            if v is not None:
                found[key] = _as_number(v)
                break
    for key in _SYMPTOMS:
        if key in found:
            continue
        for m in _FLAGGED_AFTER[key].finditer(t):
            if _other_symptom_in(key, m.group("gap")):
                continue
            v = _token_value(m)
            if v is not None:
                found[key] = _as_number(v)
                break
    return found
