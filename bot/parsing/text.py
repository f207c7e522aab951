"""Any reply made plain for parsing, and the replies that mean "I don't know".

`_clean` lower-cases and tidies whatever value it is given (None, numbers and other objects
are tolerated) and cuts it at MAX_CHARS, which keeps every regex cheap; `_strip_scale` drops
"on a scale of 0 to 10" so that its numbers are not read as a rating.
"""

from __future__ import annotations

import math
import re
from typing import Any

MAX_CHARS = 500

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
