"""The contraindication screen: findings in, a `Verdict` out. Plain Python, no Rasa.

Content lives in bot/content/conditions.yml (conditions and the short-form questions); the
verdict types live in bot/verdict.py.

How findings combine (`screen`), in short: "present" and "unsure" count, "absent" never does
and a counted finding of the same condition wins over an absent one; "history" counts as the
condition's `on_history` says. The strictest counted level wins, every area restriction is
kept, and a still hand only is allowed whenever a clot-related finding counts. The full rules
are in combine.py (how findings count and combine) and words.py (the level semantics and the
words of `possible`).

The modules:
- content.py: `Finding`, `Condition`, the conditions, body areas and source titles, read and
  checked once; the status and level names; pronouns.
- serialise.py: findings and verdicts as plain dicts (slots, the journal) and back.
- combine.py: `_apply(findings)`, one small function a rule; `missing_areas`.
- words.py: what is still possible, and each reason, in plain words.
- verdicts.py: `screen(findings, pronoun)`, `where_question`, `explain`.
- short_form.py: the short form (`questions`, `next_question`, `findings_from_answer`), which
  asks one question at a time and only what the findings do not settle already.
- answers.py: `normalise_answer`, a free reply to "yes", "no" or "unsure".

Everything callers use is importable from `bot.screen`.
"""

from bot.screen.answers import normalise_answer
from bot.screen.combine import LIMB, missing_areas
from bot.screen.content import (
    ABSENT,
    CONTENT,
    HISTORY,
    LEVELS,
    ON_HISTORY,
    PRESENT,
    PRONOUNS,
    SIDES,
    STATUSES,
    UNKNOWN_SOURCE,
    UNSURE,
    Condition,
    Finding,
    _render,
    body_areas,
    canonical_area,
    load_conditions,
    source_titles,
)
from bot.screen.serialise import (
    _as_finding,
    finding_from_dict,
    finding_to_dict,
    verdict_from_dict,
    verdict_to_dict,
)
from bot.screen.short_form import (
    ANSWERS,
    MAX_QUESTION_CHARS,
    MAX_QUESTIONS,
    _question_specs,
    findings_from_answer,
    next_question,
    questions,
)
from bot.screen.verdicts import explain, screen, where_question
from bot.screen.words import AREA_WORDS, PAIRED, _area_phrase

__all__ = [
    "ABSENT",
    "ANSWERS",
    "AREA_WORDS",
    "CONTENT",
    "HISTORY",
    "LEVELS",
    "LIMB",
    "MAX_QUESTIONS",
    "MAX_QUESTION_CHARS",
    "ON_HISTORY",
    "PAIRED",
    "PRESENT",
    "PRONOUNS",
    "SIDES",
    "STATUSES",
    "UNKNOWN_SOURCE",
    "UNSURE",
    "Condition",
    "Finding",
    "_area_phrase",  # bot/condition_advice.py words a condition's place as the screen does
    "_as_finding",  # bot/condition_advice.py reads findings or their dicts as the screen does
    "_question_specs",  # tests read a question's raw spec
    "_render",  # bot/condition_advice.py fills the advice's pronouns as the screen does
    "body_areas",
    "canonical_area",
    "explain",
    "finding_from_dict",
    "finding_to_dict",
    "findings_from_answer",
    "load_conditions",
    "missing_areas",
    "next_question",
    "normalise_answer",
    "questions",
    "screen",
    "source_titles",
    "verdict_from_dict",
    "verdict_to_dict",
    "where_question",
]
