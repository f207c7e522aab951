"""Red-flag detection: deterministic, so a classifier can never miss one.

Two tiers: `emergency` (call emergency services now) and `nurse` (call the hospice nurse line
now). The lexicon lives in bot/content/redflags.yml. How a message is read:

1. Lower-case it and correct small typos in the key words of the lexicon (a Damerau-Levenshtein
   distance of 1, or 2 for words of 7+ letters, for tokens the English lemma table does not
   know), so "chest pian" and "bleding heavily" still count.
2. Run spaCy Matcher patterns over lemmas and lower-case forms; `cooccur` rules fire when one
   word of every listed group occurs in the same clause (new swelling + pain + a limb).
3. Drop a match whose clause is negated before it ("no chest pain", "she hasn't fallen"),
   is history ("the clot was years ago and treated") or asks about prevention or risk
   ("how do I avoid bruising?", "can massage cause a clot?").

This module is the public face; the work is done in:

- bot/redflag_cues.py: the cue words and patterns of the context rules;
- bot/redflag_lexicon.py: the tiers, and loading and expanding the patterns of redflags.yml;
- bot/redflag_context.py: the context rules that set a match aside, and the clause splitting;
- bot/redflag_detector.py: the Detector (the Matcher, windows over long text, `cooccur`);
- bot/redflag_replies.py: describing a kind, and the escalation replies.

Every name this module had before the split is still importable from it, including the private
_check_strings (the tests use it), _expand, _lexicon and _near.
"""

from __future__ import annotations

from bot.redflag_context import context_set_aside
from bot.redflag_context import near as _near  # noqa: F401
from bot.redflag_cues import (
    CLAUSE_SPLIT,
    HISTORY_CUES,
    HYPOTHETICAL_CUES,
    LATER_CUES,
    META_CUES,
    NEGATION_CUES,
    NEGATION_WINDOW,
    NOW_CUES,
    OTHER_PERSON_CUES,
    OTHER_SENSE_CUES,
    PRESENT_CUES,
    PREVENTION_CUES,
    RESOLVED_CUES,
)
from bot.redflag_detector import (
    CHUNK,
    OVERLAP,
    Detector,
    RedFlag,
    default_detector,
    detect,
    windows,
)
from bot.redflag_lexicon import (
    CONTENT,
    EMERGENCY,
    NURSE,
    TIER_ORDER,
    WEAK,
    kind_tiers,
    kinds,
)
from bot.redflag_lexicon import check_strings as _check_strings  # noqa: F401
from bot.redflag_lexicon import expand as _expand  # noqa: F401
from bot.redflag_lexicon import lexicon as _lexicon  # noqa: F401
from bot.redflag_replies import (
    DEFAULT_ORDER,
    ESCALATION_ORDERS,
    ORDERS,
    UNKNOWN_LABEL,
    describe,
    describe_kind,
    red_flag_message,
    red_flag_reply,
    reply_order,
)

__all__ = [
    "CHUNK", "CLAUSE_SPLIT", "CONTENT", "DEFAULT_ORDER", "EMERGENCY", "ESCALATION_ORDERS",
    "HISTORY_CUES", "HYPOTHETICAL_CUES", "LATER_CUES", "META_CUES", "NEGATION_CUES",
    "NEGATION_WINDOW", "NOW_CUES", "NURSE", "ORDERS", "OTHER_PERSON_CUES", "OTHER_SENSE_CUES",
    "OVERLAP", "PRESENT_CUES", "PREVENTION_CUES", "RESOLVED_CUES", "TIER_ORDER", "UNKNOWN_LABEL",
    "WEAK", "Detector", "RedFlag", "context_set_aside", "default_detector", "describe",
    "describe_kind", "detect", "kind_tiers", "kinds", "red_flag_message", "red_flag_reply",
    "reply_order", "windows",
]
