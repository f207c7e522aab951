"""The status of each condition mention: unsure, absent, history or present (`_status`).

- unsure when its clause holds a hedge ("might", "maybe", "not sure", "I think", "possibly",
  "worried", "if", "I don't think") - a hedge wins over everything else, since unsure is a
  caution;
- absent when a negation word comes shortly before it in the clause ("no fever", "he hasn't
  had surgery", "denies any clots", "without bleeding", "never had", "not on blood thinners",
  "no longer"); the look-back stops at "and", "," or "but", and "or"/"nor" continue a negated
  list; a negation that governs a verb of change is not a denial ("can't stop the bleeding").
  Also absent: "fever: no", "a clot was ruled out", and a device or a tumour "removed"/"taken
  out" in its segment (an organ removed is an operation, not a denial of one: "her gallbladder
  was removed 10 days ago" is a recent surgery);
- history when its segment holds a past cue ("years ago", "2+ months ago", "a few / a couple of
  months back", "last year", "in 2019", "used to", "in the past", "history of", "was treated",
  "resolved", "healed", "gone") and no present cue ("still", "now", "new", "again",
  "currently"); an anaphoric next clause passes its cue back ("she had a clot but it's gone
  now");
- present otherwise.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.screen import ABSENT, HISTORY, PRESENT, UNSURE

NEGATION_CUES = {"no", "not", "n't", "nt", "never", "without", "denies", "deny", "denied",
                 "nor", "none", "neither", "nothing", "free", "cannot", "dont", "doesnt",
                 "isnt", "hasnt", "havent", "didnt", "wasnt", "arent", "hadnt", "wont"}
NEGATION_WINDOW = 6
NEGATION_STOP = {"and", ",", "but", "while", "although", "which", "that", "who", "because",
                 "so", ";", "also", "plus"}
CHANGE_VERBS = re.compile(r"^(stop|control|settl|eas|improv|heal|help|slow|reduc|clear|"
                          r"respond|work)")
POST_NEGATION = re.compile(
    r"^\W*(no|none|nope|negative|nil|free|n)\b|\b(ruled out|came back (negative|clear|fine|"
    r"normal)|(was|were|is|are) (negative|excluded)|excluded)\b"
)
REMOVAL = re.compile(r"\b(removed|taken out|came out|come out|pulled out|is out|was out|"
                     r"are out|were out|out now|no longer in)\b")
# What can be "removed" or "taken out" so that it is gone: devices, and a tumour. An operation
# that removed an organ ("her gallbladder was removed") is a surgery, never a denial of one.
REMOVABLE = {"iv_site", "port", "picc_line", "central_line", "drain", "catheter",
             "feeding_tube", "stoma", "oxygen_tubing", "other_device", "tumour_site"}
HEDGES = re.compile(
    r"\b(not sure|unsure|not certain|uncertain|(do|does|did) ?(n't|nt|not) (know|think)|"
    r"dont (know|think)|no idea|maybe|perhaps|possibly|possible|probably|might|"
    r"may (be|have|has)|could (be|have|has)|i think|i guess|i suppose|i believe|suspect|"
    r"suspected|wonder|wondering|worried|worry|concerned|looks like|seems like|afraid|"
    r"if|whether|unclear|query)\b|\?"
)
MONTHS_WORDS = r"(\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|few|" \
               r"a couple of|a couple|couple of|several|many|some)"
HISTORY_CUES = re.compile(
    r"\b(years?|decades?)\s+(ago|back|before|earlier)\b|"
    rf"\b{MONTHS_WORDS}\s+months?\s+(ago|back|before|earlier)\b|"
    r"\blast year\b|\bthe year before\b|\bin the past\b|\bused to\b|\blong ago\b|"
    r"\blong time ago\b|\bages ago\b|\bhistory of\b|\bback in\b|\bwhen (she|he|they) (was|were) "
    r"(young|younger|a child|little)\b|\bas a child\b|\bresolved\b|\bhealed\b|\bcleared( up)?\b|"
    r"\bgone\b|\bwent away\b|\ball better\b|\b(was|were|been|got|get) treated\b|\btreated and\b|"
    r"\band treated\b|\bpreviously\b|\bprevious\b|\bprior\b|\bin the old days\b"
)
YEAR = re.compile(r"\b(?:in|since|during|back in)\s+((?:19|20)\d\d)\b")
PRESENT_CUES = re.compile(r"\b(still|now|new|again|currently|at the moment|right now|today|"
                          r"being treated|another|ongoing|this week|recently|recent)\b")
ANAPHOR = re.compile(r"^\W*(it|it's|its|that|that's|which|this|they|they're|those|these|"
                     r"she|he|she's|he's|not|no longer|the clot|the wound|the sore|the line|"
                     r"the drain)\b")
ANAPHOR_STOPPED = re.compile(r"\b(any ?more|no longer|stopped|came off|taken off)\b")
ANAPHOR_CUES = re.compile(r"\b(gone|resolved|healed|cleared|treated|better|fine now|"
                          r"not there|no longer|went away|over now|all clear)\b")
NOT_TREATED = re.compile(r"(\bnot|n't|(?<=[a-z])nt|\bnever|\bno)\b(\s+\w+){0,2}\s+"
                         r"(treated|treatment|treating)\b|\buntreated\b|\byet to be treated\b")
TREATMENT = re.compile(r"\b(treated|treatment|treating|anticoagula\w*|injections?)\b")
QUESTION_LEAD = re.compile(r"^\W*(does|do|did|is|are|was|were|has|have|had|could|can|might|"
                           r"may|would|should|will|what|how|why|when|where|which|who)\b")


def _negated(doc: Any, start: int, clause_start: int) -> bool:
    lo = max(clause_start, start - NEGATION_WINDOW)
    for j in range(start - 1, lo - 1, -1):
        w = doc[j].lower_
        if w in NEGATION_STOP:
            return False
        if w in NEGATION_CUES:
            between = [doc[k].lower_ for k in range(j + 1, start)]
            # "can't stop the bleeding" is no denial of the bleeding
            return not any(CHANGE_VERBS.match(b) for b in between)
    return False


def _history(text: str) -> bool:
    if PRESENT_CUES.search(text):
        return False
    if HISTORY_CUES.search(text):
        return True
    this_year = date.today().year
    return any(int(m.group(1)) < this_year for m in YEAR.finditer(text))


def _outside(doc: Any, a: int, b: int, start: int, end: int) -> str:
    """The text of tokens a..b, leaving out start..end (the condition's own words)."""
    return " ".join(t.lower_ for t in doc[a:b] if not start <= t.i < end)


def _status(doc: Any, ent: Any, clause: tuple[int, int, str], segment: tuple[int, int, str],
            next_clause_text: str) -> str:
    a, b, _ = clause
    sa, sb, _ = segment
    clause_text = doc[a:b].text.lower()
    # A question mark hedges a finding only when the question is about it: "does she have a
    # clot?", not "she has a PICC line, can I massage her?".
    if "?" in clause[2] and ("?" in segment[2] or QUESTION_LEAD.search(clause_text)):
        clause_text += "?"
    seg_text = _outside(doc, sa, sb, ent.start, ent.end)
    after = doc[ent.end:sb].text.lower()
    hedged = bool(HEDGES.search(clause_text))
    removable = ent.ent_id_ in REMOVABLE
    negated = (_negated(doc, ent.start, a) or bool(POST_NEGATION.search(after))
               or (removable and bool(REMOVAL.search(seg_text))))
    anaphor = bool(ANAPHOR.search(next_clause_text))
    if anaphor and ((removable and REMOVAL.search(next_clause_text))
                    or ANAPHOR_STOPPED.search(next_clause_text)):
        negated = True
    if negated:
        return UNSURE if hedged else ABSENT
    if hedged:
        return UNSURE
    if NOT_TREATED.search(doc[a:b].text.lower()):
        return PRESENT
    if _history(seg_text) or (anaphor and ANAPHOR_CUES.search(next_clause_text)
                              and not PRESENT_CUES.search(seg_text)):
        return HISTORY
    return PRESENT
