"""Numbers as caregivers write them: digits, number words, "and a half", "a couple", "twice".

The regex pieces here (`_NUM`, `_SIGNED`, `_HALF`, `_FEW`) are shared by the rating, frequency
and duration parsers, and so is `_NOT_A_RATING_AFTER`, the units that make a number a time, a
dose or a count rather than the value asked for.
"""

from __future__ import annotations

import math
import re

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

# Numbers that are clearly not a rating (times, doses, durations).
_NOT_A_RATING_AFTER = re.compile(
    r"\s*(?:am\b|pm\b|a\.m|p\.m|o'?clock|h\b|hrs?\b|hours?\b|mins?\b|minutes?\b|days?\b|"
    r"weeks?\b|months?\b|years?\b|mg\b|ml\b|%|times?\b|x\b|tablets?\b|pills?\b|doses?\b|"
    r":\d|th\b|st\b|nd\b|rd\b)"
)

_COUNT_WORDS = {"once": 1.0, "twice": 2.0, "thrice": 3.0}
_FEW = r"\b(?:a\s+)?(?:couple\s+(?:of\s+)?|few\s+)"


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


def _quantity(token: str) -> float | None:
    token = token.strip()
    if token in _COUNT_WORDS:
        return _COUNT_WORDS[token]
    if re.fullmatch(_FEW, token + " ") or re.fullmatch(_FEW, token):
        return 2.0 if "couple" in token else 3.0
    return _to_float(token)
