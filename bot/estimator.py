"""Symptom relief estimator: what the documents' figure would mean for one person's numbers.

Pure Python, no Rasa, no I/O.

The reference point is the figure in the source article (doc000): about 40% less pain and 35%
less anxiety with massage twice a week for two weeks (pain 6 -> 3.6, anxiety 8 -> 5.2). We could
not trace the study the article cites, so the bot always calls it the documents' figure and an
estimate, never a promise.

Schedule rule (documented, monotone, never above the reference)::

    fraction_of_reference = min(1, sessions_per_week / 2) * min(1, weeks / 2)
    after = before * (1 - reference_reduction * fraction_of_reference)

- A plan of at least twice a week for at least two weeks gets the full reference reduction and
  no more: the article gives no figure beyond that schedule, so more sessions add nothing here.
- A thinner plan gets a proportional share: once a week for two weeks -> half, twice a week for
  one week -> half, once a week for one week -> a quarter. Frequency and duration are scaled
  separately (not just the total count) because the trials found relief fades within about a
  day and that more frequent sessions kept it longer (groninger2023): four sessions spread over
  four weeks are not counted as four sessions in two weeks.
- The fraction lies in [0.25, 1] for valid inputs, so `after` lies between
  `before * (1 - reduction)` and `before`: never below 0, never above `before`.

Numbers are rounded to one decimal (half up). Inputs are validated: ratings 0-10 (or None when
the caregiver skipped that symptom), 1-14 sessions per week, 1-52 weeks; anything else raises
ValueError with a plain message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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
SOURCE_FREQUENCY = "groninger2023"
SOURCE_CAREGIVER_TRIAL = "collinge2013"

RULE_TEXT = (
    "The estimate counts twice a week for two weeks as the full figure; a lighter plan counts "
    "for a proportional share, and extra sessions add nothing, since the figure stops there."
)


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


def _schedule_words(spw: float, weeks: float) -> str:
    per_week = {1.0: "once a week", 2.0: "twice a week", 7.0: "every day",
                3.5: "every other day"}.get(spw, f"{_fmt(spw)} times a week")
    span = "one week" if weeks == 1 else f"{_fmt(weeks)} weeks"
    return f"{per_week} for {span}"


@dataclass(frozen=True)
class Fact:
    """A figure the bot may quote, in plain words, with the documents it rests on."""

    text: str
    sources: tuple[str, ...]

    def __str__(self) -> str:
        return self.text


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
        return (SOURCE_FIGURE, SOURCE_IMMEDIATE, SOURCE_FREQUENCY)

    def cited_lines(self) -> list[tuple[str, str | None]]:
        """The framing as (text, source id) pairs; source is None for the numbers line."""
        out: list[tuple[str, str | None]] = []
        parts = []
        if self.pain_before is not None and self.pain_after is not None:
            parts.append(f"pain from {_fmt(self.pain_before)} to about {_fmt(self.pain_after)}")
        if self.anxiety_before is not None and self.anxiety_after is not None:
            parts.append(
                f"anxiety from {_fmt(self.anxiety_before)} to about {_fmt(self.anxiety_after)}"
            )
        plan = _schedule_words(self.sessions_per_week, self.weeks)
        if parts:
            out.append((f"Estimate for {plan}: " + " and ".join(parts) + " (out of 10).", None))
        else:
            out.append((f"Without a rating I can't put numbers on {plan}, but here is what "
                        "the figures say.", None))
        out.append((
            "That uses the guide's own figure (40% less pain, 35% less anxiety); "
            "it's an estimate, not a promise.",
            SOURCE_FIGURE,
        ))
        if not self.is_full_reference:
            pct = round(self.fraction_of_reference * 100)
            out.append((f"Your plan is lighter than that, so I used about {pct}% of it.",
                        SOURCE_FIGURE))
        elif self.sessions_per_week > REFERENCE_SESSIONS_PER_WEEK or self.weeks > REFERENCE_WEEKS:
            out.append(("More than twice a week for two weeks is not counted as extra relief.",
                        SOURCE_FIGURE))
        out.append((
            "In trials, relief was clearest right after each massage (about 1.9 points out of "
            "10) and faded within a day.",
            SOURCE_IMMEDIATE,
        ))
        out.append(("Sessions closer together helped it last longer.", SOURCE_FREQUENCY))
        return out

    def lines(self) -> list[str]:
        """The honest framing, plain text lines in the order the bot says them."""
        return [text for text, _ in self.cited_lines()]


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


def nausea_fact() -> Fact:
    """The documents' nausea figure, framed honestly."""
    return Fact(
        "The article this guide draws on reports that about ten minutes of hand massage eased "
        "queasiness in more than 6 out of 10 cases. It does not name the study, so take it as "
        "encouraging rather than proven; in a trial of massage given by family caregivers, "
        "nausea fell by about 29% after sessions. Nausea that persists is one for the nurse.",
        (SOURCE_FIGURE, SOURCE_CAREGIVER_TRIAL),
    )


def dementia_fact() -> Fact:
    """The documents' dementia figure, framed honestly."""
    return Fact(
        "The article this guide draws on cites a 2024 review in which about 78% of people "
        "with dementia seemed calmer and in better spirits with a weekly massage. We could not "
        "check that review, so treat it as a hopeful sign rather than a promise: watch how "
        "they respond each time, and stop if touch seems to unsettle them.",
        (SOURCE_FIGURE,),
    )
