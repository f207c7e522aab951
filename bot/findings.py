"""Free text -> screen findings, using the project's spaCy pipeline (`bot.nlp.get_nlp()`).

Deterministic rules, no statistical model. How a message is read:

1. Clean-up: curly quotes are straightened and a hyphen between letters becomes a space
   ("bed-sore" -> "bed sore", "port-a-cath" -> "port a cath").
2. Typos: a token that is neither a condition word nor a common English word (bot.typos), of
   5+ letters, is replaced by the condition word (5+ letters) with the same first letter at the
   smallest Damerau-Levenshtein (optimal string alignment) distance: 1, or 2 for words of 8+
   letters ("feever" -> fever, "brusies" -> bruises, "plateletts" -> platelets). The first
   letter must match so that names ("Brian") are not turned into terms ("drain").
3. The pipeline's EntityRuler marks CONDITION entities (ent_id_ = condition id, from the
   `terms` in conditions.yml). Body areas come from terms.yml, matched here over the lower-case
   tokens (so an area inside a condition, "broken hip", still counts); "back" only counts after
   a word such as her/his/the/lower ("she came back" is not an area). A side is "left"/"right"
   up to 3 tokens before an area ("her left upper arm") or "on the left" just after it.
4. Clauses: the text is split at sentence ends, ";", newlines, "but", "however", "although",
   "though", "except", "apart from", and at "and" before a new subject ("and she ...",
   "and her right leg is ..."). Segments are clauses split further at commas.
5. Each condition gets one area or several: areas inside its own words first, then the term's
   own place (`term_areas`, "mastectomy" -> chest), then the area mentions of its clause
   attached to it: an area after a preposition ("a PICC line in her left arm") belongs to the
   nearest condition before it; an area in subject position ("her left calf is swollen") to
   the nearest condition after it; an area joined by "and"/"or"/"," to the previous area
   ("bed sores on her heels and tailbone") goes with it.
6. Status of each condition mention:
   - unsure when its clause holds a hedge ("might", "maybe", "not sure", "I think",
     "possibly", "worried", "if", "I don't think") - a hedge wins over everything else, since
     unsure is a caution;
   - absent when a negation word comes shortly before it in the clause ("no fever", "he
     hasn't had surgery", "denies any clots", "without bleeding", "never had", "not on blood
     thinners", "no longer"); the look-back stops at "and", "," or "but", and "or"/"nor"
     continue a negated list; a negation that governs a verb of change is not a denial ("can't
     stop the bleeding"). Also absent: "fever: no", "a clot was ruled out", and a device or a
     tumour "removed"/"taken out" in its segment (an organ removed is an operation, not a
     denial of one: "her gallbladder was removed 10 days ago" is a recent surgery);
   - history when its segment holds a past cue ("years ago", "2+ months ago", "a few / a
     couple of months back", "last year", "in 2019", "used to", "in the past", "history of",
     "was treated", "resolved", "healed", "gone") and no present cue ("still", "now", "new",
     "again", "currently"); an anaphoric next clause passes its cue back ("she had a clot but
     it's gone now");
   - present otherwise.
7. Extra rules: swelling with a sign (red, warm, hot, painful, tender, new, sudden) and an arm
   or leg in the same sentence is also a suspected clot there ("swelling in her right arm and
   it's hot to touch"). A present clot in a sentence about treatment ("being treated",
   "treatment", "injections", or a blood thinner reported as present) is a known clot, not a
   suspected one, unless the sentence says it is not treated ("hasn't been treated yet": then
   it stays a suspected clot, whatever history cue there is). Condition words in a question
   about prevention or signs ("how do I avoid bruising?", "what are the signs of a clot?") are
   not findings, nor are words in another sense: "broke" without a bone or a body area after
   it ("she broke down", "a rash broke out"), "cut off / down / up" ("he feels cut off"), an
   illness followed by a vaccine word ("her flu jab").
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

from bot.nlp import CONDITION, get_nlp
from bot.screen import (
    ABSENT,
    HISTORY,
    PRESENT,
    UNSURE,
    Finding,
    body_areas,
    load_conditions,
)
from bot.typos import distance, is_common_word

MAX_CHARS = 2000

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
CLOT_SIGNS = {"red", "redness", "reddened", "warm", "warmth", "hot", "painful", "pain",
              "tender", "sore", "aching", "hurts", "hurting", "throbbing", "new", "sudden",
              "suddenly"}
CLOT_LIMBS = {"arm", "leg", "hand", "foot"}
QUESTION_START = re.compile(r"^\W*(how|what|can|could|should|is it|will|would|why|when|do i|"
                            r"does massage|are there)\b")
QUESTION_LEAD = re.compile(r"^\W*(does|do|did|is|are|was|were|has|have|had|could|can|might|"
                           r"may|would|should|will|what|how|why|when|where|which|who)\b")
# "broke" is a fracture only with a bone or a body area just after it ("broke her wrist",
# "broke a bone"), never "she broke down" or "a rash broke out".
BONE_WORDS = {"bone", "bones", "collarbone", "collar", "pelvis", "femur", "rib", "ribs",
              "vertebra", "vertebrae", "skull", "jaw", "nose", "kneecap", "something"}
BROKE_PARTICLES = {"down", "out", "up", "into", "off", "through", "free", "even", "away", "open",
                   "in", "over", "apart", "the", "news", "wind"}
# "cut off from everyone", "cut down on sugar", "she's cut up about it": no wound.
CUT_PARTICLES = {"off", "out", "down", "back", "up", "short", "in", "through", "across"}
# "her flu jab", "his covid booster": a vaccine, not the illness.
VACCINE_WORDS = {"jab", "jabs", "shot", "shots", "vaccine", "vaccines", "vaccination",
                 "vaccinations", "vaccinated", "booster", "boosters", "injection", "injections"}
PREVENTION = re.compile(r"\b(avoid|avoiding|prevent|preventing|prevention|cause|causes|causing|"
                        r"signs? of|symptoms? of|what is|what are|what does|mean|means|"
                        r"stop (her|him|them) from)\b")

CLAUSE_SPLIT = re.compile(
    r"[.!?;\n]+|\bbut\b|\bhowever\b|\balthough\b|\bthough\b|\bwhereas\b|\bexcept\b|"
    r"\bapart from\b|"
    r"\band\s+(?=(?:she|he|they|i|we|it|there|now|also|has|have|had|is|was|currently|still|"
    r"then)\b)|"
    r"\band\s+(?=(?:her|his|their|the|my)\s+(?:\S+\s+){0,3}?(?:is|are|was|were|has|have|had|"
    r"looks|seems|gets|got|feels)\b)"
)
SEGMENT_SPLIT = re.compile(CLAUSE_SPLIT.pattern + r"|,")
SENTENCE_SPLIT = re.compile(r"[.!?;\n]+")
BACK_OWNERS = {"her", "his", "their", "my", "the", "lower", "upper", "sore", "on", "whole",
               "a", "its", "your", "mid", "middle", "small", "of"}
PREPOSITIONS = {"in", "on", "at", "to", "over", "around", "near", "under", "of", "into",
                "across", "along", "by", "above", "below", "behind", "from"}
AREA_JOINERS = {"and", "or", ",", "&", "both", "her", "his", "their", "the", "left", "right",
                "on", "in", "at", "around", "plus"}


# --- vocabulary ----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _area_phrases() -> dict[tuple[str, ...], str]:
    return {tuple(word.split()): area for word, area in body_areas().items()}


@lru_cache(maxsize=1)
def _max_area_len() -> int:
    return max(len(k) for k in _area_phrases())


@lru_cache(maxsize=1)
def _typo_vocabulary() -> frozenset[str]:
    words: set[str] = set()
    for cond in load_conditions().values():
        for term in cond.terms:
            words.update(w for w in term.split() if len(w) >= 5 and w.isalpha())
    return frozenset(words)


@lru_cache(maxsize=4096)
def correct_word(word: str) -> str:
    """The condition word `word` is a small typo of, or `word` itself (see module docstring)."""
    w = word.lower()
    vocab = _typo_vocabulary()
    if len(w) < 5 or not w.isalpha() or w in vocab or is_common_word(w):
        return word
    best, best_d = word, 99
    for k in sorted(vocab):
        if k[0] != w[0]:
            continue
        limit = 2 if len(k) >= 8 else 1
        d = distance(w, k, limit)
        if d <= limit and d < best_d:
            best, best_d = k, d
    return best


# --- the document --------------------------------------------------------------------------
def _clean(text: str) -> str:
    text = text[:MAX_CHARS].replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z])", " ", text)


def _doc(text: str) -> Any:
    from spacy.tokens import Doc

    nlp = get_nlp()
    raw = nlp.make_doc(_clean(text))
    words = [correct_word(t.text) for t in raw]
    doc = Doc(nlp.vocab, words=words, spaces=[bool(t.whitespace_) for t in raw])
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    return doc


def _spans(doc: Any, pattern: re.Pattern[str]) -> list[tuple[int, int, str]]:
    """Token ranges between the matches of `pattern`, with the separator that ended each."""
    text = doc.text.lower()
    pieces: list[tuple[int, int, str]] = []
    start = 0
    for m in pattern.finditer(text):
        pieces.append((start, m.start(), m.group(0)))
        start = m.end()
    pieces.append((start, len(text), ""))
    out = []
    for a, b, sep in pieces:
        toks = [t.i for t in doc if a <= t.idx < b]
        if toks:
            out.append((toks[0], toks[-1] + 1, sep))
    return out


def _find(ranges: list[tuple[int, int, str]], i: int) -> tuple[int, int, str]:
    for r in ranges:
        if r[0] <= i < r[1]:
            return r
    return (i, i + 1, "")


class _Area:
    __slots__ = ("start", "end", "area", "side")

    def __init__(self, start: int, end: int, area: str, side: str | None) -> None:
        self.start, self.end, self.area, self.side = start, end, area, side


def _area_mentions(doc: Any) -> list[_Area]:
    words = [t.lower_ for t in doc]
    phrases = _area_phrases()
    out: list[_Area] = []
    i = 0
    while i < len(words):
        hit = None
        for n in range(min(_max_area_len(), len(words) - i), 0, -1):
            key = tuple(words[i:i + n])
            if key in phrases:
                hit = (n, phrases[key])
                break
        if hit is None or (words[i] == "back" and hit[0] == 1 and
                           (i == 0 or words[i - 1] not in BACK_OWNERS)):
            i += 1
            continue
        n, area = hit
        out.append(_Area(i, i + n, area, _side(words, i, i + n)))
        i += n
    return out


def _side(words: list[str], start: int, end: int) -> str | None:
    for j in range(start - 1, max(-1, start - 4), -1):
        if words[j] in ("left", "right"):
            return words[j]
        if words[j] in (",", "and", "or", ".", ";"):
            break
    after = words[end:end + 4]
    for k, w in enumerate(after[:3]):
        if w in ("left", "right") and (k > 0 and after[k - 1] in ("the", "on")):
            return w
    return None


# --- status --------------------------------------------------------------------------------
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


# --- extraction ----------------------------------------------------------------------------
def _attach(doc: Any, ents: list[Any], areas: list[_Area],
            clause: tuple[int, int, str]) -> dict[int, list[_Area]]:
    """Which area mentions (outside condition words) go with which condition (by ent index)."""
    out: dict[int, list[_Area]] = {}
    a, b, _ = clause
    in_clause = [k for k, e in enumerate(ents) if a <= e.start < b]
    prev_target: int | None = None
    prev_end: int | None = None
    for ar in areas:
        if not (a <= ar.start < b) or any(e.start <= ar.start < e.end for e in ents):
            continue
        target: int | None = None
        if prev_end is not None and prev_target is not None and all(
                doc[j].lower_ in AREA_JOINERS for j in range(prev_end, ar.start)):
            target = prev_target
        else:
            before = [k for k in in_clause if ents[k].end <= ar.start]
            after = [k for k in in_clause if ents[k].start >= ar.end]
            near_prep = any(doc[j].lower_ in PREPOSITIONS
                            for j in range(max(a, ar.start - 3), ar.start))
            first, second = (before, after) if near_prep else (after, before)
            if first:
                target = max(first, key=lambda k: ents[k].end) if first is before else \
                    min(first, key=lambda k: ents[k].start)
            elif second:
                target = max(second, key=lambda k: ents[k].end) if second is before else \
                    min(second, key=lambda k: ents[k].start)
        if target is not None:
            out.setdefault(target, []).append(ar)
        prev_target, prev_end = target, ar.end
    return out


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


def _is_prevention_question(doc: Any, clause: tuple[int, int, str]) -> bool:
    text = doc[clause[0]:clause[1]].text.lower()
    question = "?" in clause[2] or bool(QUESTION_START.search(text))
    return question and bool(PREVENTION.search(text))


def _not_a_finding(doc: Any, ent: Any, areas: list[_Area]) -> bool:
    """A condition word used in another sense: "she broke down", "his flu jab"."""
    following = [t.lower_ for t in doc[ent.end:ent.end + 4]]
    if ent.ent_id_ == "recent_fracture" and ent.text.lower() == "broke":
        if not following or following[0] in BROKE_PARTICLES:
            return True
        near = any(ent.end <= ar.start < ent.end + 4 for ar in areas)
        return not near and not any(w in BONE_WORDS for w in following)
    if ent.ent_id_ == "open_wound" and ent.text.lower() in ("cut", "cuts"):
        return bool(following) and following[0] in CUT_PARTICLES
    if ent.ent_id_ == "contagious_illness":
        return bool(following) and following[0] in VACCINE_WORDS
    return False


def extract_findings(text: str) -> list[Finding]:
    """Findings in a caregiver's free-text description (empty when there are none)."""
    if not text or not text.strip():
        return []
    conds = load_conditions()
    doc = _doc(text)
    clauses = _spans(doc, CLAUSE_SPLIT)
    segments = _spans(doc, SEGMENT_SPLIT)
    sentences = _spans(doc, SENTENCE_SPLIT)
    areas = _area_mentions(doc)
    ents = [e for e in doc.ents if e.label_ == CONDITION and e.ent_id_ in conds
            and not _not_a_finding(doc, e, areas)]
    attached: dict[int, list[_Area]] = {}
    for clause in clauses:
        attached.update(_attach(doc, ents, areas, clause))

    out: list[Finding] = []

    def add(cid: str, status: str, area: str | None, side: str | None) -> None:
        f = Finding(condition_id=cid, status=status, area=area, side=side if area else None)
        if f not in out:
            out.append(f)

    statuses: dict[int, str] = {}
    for k, ent in enumerate(ents):
        clause = _find(clauses, ent.start)
        if _is_prevention_question(doc, clause):
            continue
        idx = clauses.index(clause) if clause in clauses else -1
        nxt = doc[clauses[idx + 1][0]:clauses[idx + 1][1]].text.lower() \
            if 0 <= idx < len(clauses) - 1 else ""
        statuses[k] = _status(doc, ent, clause, _find(segments, ent.start), nxt)

    for k, ent in enumerate(ents):
        if k not in statuses:
            continue
        status = statuses[k]
        cid = ent.ent_id_
        cond = conds[cid]
        sa, sb, _ = _find(sentences, ent.start)
        sentence = doc[sa:sb].text.lower()
        if cid == "suspected_clot" and status == PRESENT and not NOT_TREATED.search(sentence) \
                and (TREATMENT.search(sentence) or any(
                    e.ent_id_ == "blood_thinners" and sa <= e.start < sb
                    and statuses.get(j) == PRESENT for j, e in enumerate(ents))):
            cid = "known_clot"
        places: list[tuple[str | None, str | None]] = []
        if conds[cid].placed:
            places = [(ar.area, ar.side) for ar in areas if ent.start <= ar.start < ent.end]
            if not places and ent.text.lower() in cond.term_areas:
                side = _side([t.lower_ for t in doc], ent.start, ent.end)
                places = [(cond.term_areas[ent.text.lower()], side)]
            if not places:
                places = [(ar.area, ar.side) for ar in attached.get(k, [])]
        for area, side in places or [(None, None)]:
            add(cid, status, area, side)

    # Swelling with a clot sign and a limb in the same sentence: a possible clot there.
    for k, ent in enumerate(ents):
        if ent.ent_id_ != "swelling" or statuses.get(k) not in (PRESENT, UNSURE, HISTORY):
            continue
        a, b, _ = _find(sentences, ent.start)
        signs = [t.i for t in doc[a:b] if t.lower_ in CLOT_SIGNS
                 and not (ent.start <= t.i < ent.end) and not _negated(doc, t.i, a)]
        limbs = [ar for ar in areas if a <= ar.start < b and ar.area in CLOT_LIMBS]
        if signs and limbs:
            for ar in limbs:
                add("suspected_clot", statuses[k], ar.area, ar.side)
    # A placed mention makes an unplaced one of the same condition and status redundant.
    placed = {(f.condition_id, f.status) for f in out if f.area}
    return [f for f in out if f.area or (f.condition_id, f.status) not in placed]


def areas_in(text: str) -> list[tuple[str, str | None]]:
    """(area, side) pairs named in `text`, in order: for "where is it?" follow-ups."""
    if not text or not text.strip():
        return []
    out: list[tuple[str, str | None]] = []
    for ar in _area_mentions(_doc(text)):
        if (ar.area, ar.side) not in out:
            out.append((ar.area, ar.side))
    return out
