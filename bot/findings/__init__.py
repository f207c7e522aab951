"""Free text -> screen findings, using the project's spaCy pipeline (`bot.nlp.get_nlp()`).

Deterministic rules, no statistical model. How a message is read:

1. Clean-up: curly quotes are straightened and a hyphen between letters becomes a space
   ("bed-sore" -> "bed sore"); then small typos of condition words are corrected ("feever" ->
   fever), so long as the first letter matches.
2. The pipeline's EntityRuler marks CONDITION entities (ent_id_ = condition id, from the
   `terms` in conditions.yml); body areas come from terms.yml, with a side ("her left upper
   arm", "on the left").
3. Clauses: the text is split at sentence ends, ";", newlines, "but", "however", "although"...
   and at "and" before a new subject. Segments are clauses split further at commas.
4. Each condition gets one area or several: in its own words, its term's own place
   ("mastectomy" -> chest), or the area mentions of its clause attached to it.
5. Each condition mention gets a status: unsure (a hedge in its clause), absent (a negation
   shortly before it, "ruled out", a device removed), history (a past cue and no present cue
   in its segment), present otherwise.
6. Extra rules: swelling with a clot sign and a limb is also a suspected clot there; a clot
   being treated is a known clot; condition words in a question about prevention or signs,
   or in another sense ("she broke down", "her flu jab"), are not findings.

The modules, each with the full rules of its part:
- vocabulary.py: `correct_word`, typos of condition words corrected.
- document.py: the cleaned text as a spaCy doc; clauses, segments and sentences.
- areas.py: body areas and sides, which condition each area goes with; `areas_in`.
- status.py: negation, hedges, past and present cues: unsure, absent, history or present.
- senses.py: condition words in another sense, and questions about prevention or signs.
- extract.py: `extract_findings`, the rules put together, and the clot rules.

Everything callers use is importable from `bot.findings`.
"""

from bot.findings.areas import AREA_JOINERS, BACK_OWNERS, PREPOSITIONS, areas_in
from bot.findings.document import (
    CLAUSE_SPLIT,
    MAX_CHARS,
    SEGMENT_SPLIT,
    SENTENCE_SPLIT,
    _clean,
)
from bot.findings.extract import CLOT_LIMBS, CLOT_SIGNS, extract_findings
from bot.findings.senses import (
    BONE_WORDS,
    BROKE_PARTICLES,
    CUT_PARTICLES,
    PREVENTION,
    QUESTION_START,
    VACCINE_WORDS,
)
from bot.findings.status import (
    ANAPHOR,
    ANAPHOR_CUES,
    ANAPHOR_STOPPED,
    CHANGE_VERBS,
    HEDGES,
    HISTORY_CUES,
    MONTHS_WORDS,
    NEGATION_CUES,
    NEGATION_STOP,
    NEGATION_WINDOW,
    NOT_TREATED,
    POST_NEGATION,
    PRESENT_CUES,
    QUESTION_LEAD,
    REMOVABLE,
    REMOVAL,
    TREATMENT,
    YEAR,
)
from bot.findings.vocabulary import correct_word

__all__ = [
    "ANAPHOR",
    "ANAPHOR_CUES",
    "ANAPHOR_STOPPED",
    "AREA_JOINERS",
    "BACK_OWNERS",
    "BONE_WORDS",
    "BROKE_PARTICLES",
    "CHANGE_VERBS",
    "CLAUSE_SPLIT",
    "CLOT_LIMBS",
    "CLOT_SIGNS",
    "CUT_PARTICLES",
    "HEDGES",
    "HISTORY_CUES",
    "MAX_CHARS",
    "MONTHS_WORDS",
    "NEGATION_CUES",
    "NEGATION_STOP",
    "NEGATION_WINDOW",
    "NOT_TREATED",
    "POST_NEGATION",
    "PREPOSITIONS",
    "PRESENT_CUES",
    "PREVENTION",
    "QUESTION_LEAD",
    "QUESTION_START",
    "REMOVABLE",
    "REMOVAL",
    "SEGMENT_SPLIT",
    "SENTENCE_SPLIT",
    "TREATMENT",
    "VACCINE_WORDS",
    "YEAR",
    "_clean",  # tests read the clean-up on its own
    "areas_in",
    "correct_word",
    "extract_findings",
]
