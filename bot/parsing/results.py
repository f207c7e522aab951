"""What every parser returns: a `ParseResult` with a status, and the allowed ranges.

The statuses: "ok" (`value` is inside the range), "out_of_range" (`value` holds the number
that was understood), "dont_know" and "invalid". Values are rounded to two decimals.
"""

from __future__ import annotations

from dataclasses import dataclass

OK = "ok"
OUT_OF_RANGE = "out_of_range"
DONT_KNOW = "dont_know"
INVALID = "invalid"

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


def _ranged(value: float, lo_hi: tuple[float, float]) -> ParseResult:
    lo, hi = lo_hi
    value = round(value, 2)
    if value == int(value):
        value = float(int(value))
    return ParseResult(OK if lo <= value <= hi else OUT_OF_RANGE, value)
