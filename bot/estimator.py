"""Symptom relief estimator: what the documents' figure would mean for one person's numbers.

Pure Python, no Rasa, no network. The words live in bot/content/estimator.yml.

The reference point is the figure in one seed article (doc000): about 40% less pain and 35%
less anxiety with massage twice a week for two weeks (pain 6 -> 3.6, anxiety 8 -> 5.2). We
could not trace the study the article names, so the reply says whose figure it is and that its
study could not be traced, and sets beside it what a trial found (kutner2008: pain fell about
1.9 points out of 10 right after a massage and about 1 after simple touch, with no lasting
difference between the two).

Schedule rule: the bot's own assumption, not a finding of any study (the reply says so)::

    fraction_of_reference = min(1, sessions_per_week / 2) * min(1, weeks / 2)
    after = before * (1 - reference_reduction * fraction_of_reference)

- A plan of at least twice a week for at least two weeks gets the full reference reduction and
  no more: the article gives no figure beyond that schedule, so the estimate stops there
  (the reply says so, and that more sessions may still help: groninger2023).
- A thinner plan gets a proportional share: once a week for two weeks -> half, twice a week for
  one week -> half, once a week for one week -> a quarter. Frequency and duration are scaled
  separately so that four sessions over four weeks do not count as four in two weeks (relief
  fades within about a day: groninger2023). The proportions themselves are our guess.
- The fraction lies in [0.25, 1] for valid inputs, so `after` lies between
  `before * (1 - reduction)` and `before`: never below 0, never above `before`.

Numbers are worked out to one decimal (half up) and shown as whole numbers (half up): the
reference figure cannot be traced, so a decimal would suggest a precision it does not have.
Inputs are validated: ratings 0-10 (or None when
the caregiver skipped that symptom), 1-14 sessions per week, 1-52 weeks; anything else raises
ValueError with a plain message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import yaml

# The documents' reference figure (doc000).
REFERENCE_SESSIONS_PER_WEEK = 2.0
REFERENCE_WEEKS = 2.0
PAIN_REDUCTION = 0.40
ANXIETY_REDUCTION = 0.35

RATING_MIN, RATING_MAX = 0.0, 10.0
SESSIONS_MIN, SESSIONS_MAX = 1.0, 14.0
WEEKS_MIN, WEEKS_MAX = 1.0, 52.0

SOURCE_FIGURE = "doc000"
SOURCE_IMMEDIATE = "kutner2008"
OWN = "own"  # the bot's own assumption: never attributed to a document

CONTENT = Path(__file__).resolve().parent / "content" / "estimator.yml"
LINE_IDS = ("numbers", "no_numbers", "figure", "lighter", "capped", "trial")


@lru_cache(maxsize=1)
def load_lines() -> dict[str, dict[str, str]]:
    """The reply's words from estimator.yml: each line's text, source and quote."""
    with CONTENT.open(encoding="utf-8") as fh:
        data = (yaml.safe_load(fh) or {}).get("lines") or {}
    missing = [k for k in LINE_IDS if not (data.get(k) or {}).get("text")]
    if missing:
        raise ValueError(f"estimator.yml: missing lines {missing}")
    return {k: {f: " ".join(str(v).split()) for f, v in data[k].items()} for k in LINE_IDS}


def round1(x: float) -> float:
    """Round to one decimal, halves up (3.65 -> 3.7), without float surprises."""
    return float(Decimal(repr(float(x))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"{name} should be a number, not {type(value).__name__}.")
    x = float(value)
    if math.isnan(x) or math.isinf(x):
        raise ValueError(f"{name} should be an ordinary number.")
    return x


def _rating(value: object, name: str) -> float | None:
    if value is None:
        return None
    x = _number(value, name)
    if not RATING_MIN <= x <= RATING_MAX:
        raise ValueError(f"{name} should be between 0 and 10 (got {value}).")
    return x


def schedule_fraction(sessions_per_week: float, weeks: float) -> float:
    """Share of the reference reduction a schedule earns, in [0.25, 1] (see module docstring)."""
    spw = _number(sessions_per_week, "Sessions per week")
    wk = _number(weeks, "Weeks")
    if not SESSIONS_MIN <= spw <= SESSIONS_MAX:
        raise ValueError(
            f"Sessions per week should be between 1 and 14 (got {sessions_per_week})."
        )
    if not WEEKS_MIN <= wk <= WEEKS_MAX:
        raise ValueError(f"Weeks should be between 1 and 52 (got {weeks}).")
    return min(1.0, spw / REFERENCE_SESSIONS_PER_WEEK) * min(1.0, wk / REFERENCE_WEEKS)


def _fmt(x: float) -> str:
    """6.0 -> "6", 3.6 -> "3.6"."""
    return f"{x:.1f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def _whole(x: float) -> str:
    """A shown rating as a whole number, halves up: 3.6 -> "4", 5.2 -> "5", 6.5 -> "7"."""
    return str(int(Decimal(repr(float(x))).quantize(Decimal("1"), rounding=ROUND_HALF_UP)))


def _change(symptom: str, before: float, after: float) -> str:
    """Show "pain from 6 to about 4", or "pain staying at about 1" when the whole numbers meet."""
    b, a = _whole(before), _whole(after)
    if a == b:
        return f"{symptom} staying at about {b}"
    return f"{symptom} from {b} to about {a}"


def _schedule_words(spw: float, weeks: float) -> str:
    per_week = {1.0: "once a week", 2.0: "twice a week", 7.0: "every day",
                3.5: "every other day"}.get(spw, f"{_fmt(spw)} times a week")
    span = "one week" if weeks == 1 else f"{_fmt(weeks)} weeks"
    return f"{per_week} for {span}"


@dataclass(frozen=True)
class Estimate:
    pain_before: float | None
    pain_after: float | None
    anxiety_before: float | None
    anxiety_after: float | None
    sessions_per_week: float
    weeks: float
    fraction_of_reference: float  # 0..1 (0.25..1 for valid inputs)

    @property
    def is_full_reference(self) -> bool:
        return self.fraction_of_reference >= 1.0

    @property
    def sources(self) -> tuple[str, ...]:
        return (SOURCE_FIGURE, SOURCE_IMMEDIATE)

    def cited_lines(self) -> list[tuple[str, str | None]]:
        """Each sentence of the reply with what it rests on: a source id, or None for the
        bot's own assumption (the schedule rule)."""
        words = load_lines()

        def line(key: str, **kw: object) -> tuple[str, str | None]:
            source = words[key].get("source")
            return words[key]["text"].format(**kw), (None if source in (None, OWN) else source)

        parts = []
        if self.pain_before is not None and self.pain_after is not None:
            parts.append(_change("pain", self.pain_before, self.pain_after))
        if self.anxiety_before is not None and self.anxiety_after is not None:
            parts.append(_change("anxiety", self.anxiety_before, self.anxiety_after))
        plan = _schedule_words(self.sessions_per_week, self.weeks)
        out = [line("numbers", plan=plan, changes=" and ".join(parts)) if parts
               else line("no_numbers", plan=plan)]
        out.append(line("figure"))
        if not self.is_full_reference:
            out.append(line("lighter", pct=round(self.fraction_of_reference * 100)))
        elif self.sessions_per_week > REFERENCE_SESSIONS_PER_WEEK or self.weeks > REFERENCE_WEEKS:
            out.append(line("capped"))
        out.append(line("trial"))
        return out

    def lines(self) -> list[str]:
        """The reply in three lines: the numbers; whose figure it is, that its study could not
        be traced, and the schedule rule as our own assumption; what a trial found."""
        cited = self.cited_lines()
        return [cited[0][0], " ".join(text for text, _ in cited[1:-1]), cited[-1][0]]


def estimate(
    pain: float | None,
    anxiety: float | None,
    sessions_per_week: float = 2,
    weeks: float = 2,
) -> Estimate:
    """Apply the documents' figure (scaled by the schedule rule) to the caregiver's ratings.

    `pain` and `anxiety` are 0-10 ratings, or None when the caregiver skipped that question
    (both may be None: the numbers are then None and the lines still give the framing).
    Raises ValueError with a plain message for anything out of range or not a number.
    """
    p = _rating(pain, "Pain")
    a = _rating(anxiety, "Anxiety")
    fraction = schedule_fraction(sessions_per_week, weeks)
    spw, wk = float(sessions_per_week), float(weeks)

    def after(before: float | None, reduction: float) -> float | None:
        # Works from the rounded "before" the caregiver sees, in exact decimal arithmetic
        # (so 6 x 0.6 is 3.6, not 3.5999...).
        if before is None:
            return None
        share = Decimal(repr(reduction)) * Decimal(repr(fraction))
        value = float((Decimal(repr(before)) * (1 - share)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP))
        return min(before, max(0.0, value))

    p = None if p is None else round1(p)
    a = None if a is None else round1(a)
    return Estimate(
        pain_before=p,
        pain_after=after(p, PAIN_REDUCTION),
        anxiety_before=a,
        anxiety_after=after(a, ANXIETY_REDUCTION),
        sessions_per_week=spw,
        weeks=wk,
        fraction_of_reference=fraction,
    )
