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

The modules:
- results.py: `ParseResult`, the status names and the allowed ranges.
- text.py: cleaning any input into plain lower-case text; "I don't know" and its kin.
- numbers.py: digits and number words, and the regex pieces the parsers share.
- ratings.py: `parse_rating`, a 0-10 rating given as an answer.
- frequency.py: `parse_frequency`, sessions per week.
- duration.py: `parse_duration_weeks`, for how many weeks.
- in_passing.py: `extract_ratings`, pain and anxiety ratings given in a free sentence.

Everything callers use is importable from `bot.parsing`.
"""

from bot.parsing.duration import parse_duration_weeks
from bot.parsing.frequency import parse_frequency
from bot.parsing.in_passing import extract_ratings
from bot.parsing.numbers import WORD_NUMBERS
from bot.parsing.ratings import parse_rating
from bot.parsing.results import (
    DONT_KNOW,
    FREQUENCY_RANGE,
    INVALID,
    OK,
    OUT_OF_RANGE,
    RATING_RANGE,
    WEEKS_PER_MONTH,
    WEEKS_RANGE,
    ParseResult,
)
from bot.parsing.text import DONT_KNOW_RE, MAX_CHARS

__all__ = [
    "DONT_KNOW",
    "DONT_KNOW_RE",
    "FREQUENCY_RANGE",
    "INVALID",
    "MAX_CHARS",
    "OK",
    "OUT_OF_RANGE",
    "RATING_RANGE",
    "WEEKS_PER_MONTH",
    "WEEKS_RANGE",
    "WORD_NUMBERS",
    "ParseResult",
    "extract_ratings",
    "parse_duration_weeks",
    "parse_frequency",
    "parse_rating",
]
