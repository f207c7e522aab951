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
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.nlp import get_nlp
from bot.textguard import valid_unicode
from bot.typos import Corrector, distance

CONTENT = Path(__file__).resolve().parent / "content" / "redflags.yml"

EMERGENCY = "emergency"
NURSE = "nurse"
TIER_ORDER = {EMERGENCY: 2, NURSE: 1}

NEGATION_CUES = {"no", "not", "n't", "nt", "never", "without", "denies", "deny", "denied", "nor",
                 "none", "free", "neither", "nothing"}
NEGATION_WINDOW = 5
HISTORY_CUES = re.compile(
    r"\b(years?|months?|decades?)\s+(ago|back)\b|\bin the past\b|\bused to\b|\bhistory of\b|"
    r"\blast (year|month)\b|\bwas treated\b|\bgot treated\b|\bbeen treated\b|\bresolved\b|"
    r"\b(weeks?|fortnight|fortnite|winters?|summers?|springs?|autumns?) (ago|back)\b|"
    r"\bback in (the )?('?\d0s|spring|summer|autumn|winter|january|february|march|april|may|"
    r"june|july|august|september|october|november|december)\b|\bcleared up\b|"
    r"\b(none|nothing|never) since\b|\bsince then\b|"
    r"\bhealed\b|\blong ago\b|\bback in (19|20)\d\d\b|\bin (19|20)\d\d\b|\bno longer\b|"
    # a long-known, stable state: "COPD for over ten years", "nothing new", "normal for him"
    r"\bfor (over |about |nearly |almost |at least |the (last|past) )?(\d+|a few|two|three|four|"
    r"five|six|ten|many|several|some) (years|yrs|months)\b|\bfor years\b|\bnothing new\b|"
    r"\b(normal|usual|standard) for (him|her|them|mum|mom|dad)\s*([.,!;]|$)|"
    r"\ball (his|her|their) life\b|"
    r"\bsince (he|she) was (a )?(young|little|small|child|kid|boy|girl)\b|"
    r"\bfor as long as (i|we) (can|could) remember\b|\bfor (decades|ages)\b|"
    r"\blast (spring|summer|autumn|fall|winter|christmas|easter|week)\b"
)
# The matter is over: said anywhere in the clause, it sets the clause's mentions aside.
RESOLVED_CUES = re.compile(
    r"\bhealed\b|\bcleared up\b|\bresolved\b|\b(was|got|been|were) treated\b|\bno longer\b|"
    r"\b(none|nothing|never) since\b|\bsince then\b|\b(fine|better|ok|okay|alright) now\b|"
    r"\ball better\b|\brecovered\b|\bgot over it\b"
)
# The present in the words of a sub-clause: a history cue elsewhere in the clause does not set
# aside "his face is swelling" in "he has an epipen from years ago, his face is swelling".
PRESENT_CUES = re.compile(
    r"\b(now|right now|just now|at the moment|currently|tonight|today|this (morning|afternoon|"
    r"evening)|happening|again)\b|\b(is|are|'s|keeps?|kept|started|starting) \w+ing\b|"
    r"\bhas (just|gone|started|suddenly)\b"
)
PREVENTION_CUES = re.compile(
    r"\b(avoid|avoiding|prevent|preventing|prevention|risk|risks|cause|causes|causing)\b|"
    r"\bwhat are the (signs|symptoms)\b|\bhow (do|can|would) (i|we|you) (tell|know|spot)\b|"
    r"\bsigns to (look|watch)\b|\bstop (him|her|them) from\b|\bkeep (him|her|them) from\b|"
    r"\bstops? (him|her|them|mum|mom|dad)\b|\bso (that )?(he|she|they|it|we|i) (does ?n'?t|doesnt|"
    r"do ?n'?t|dont|wo ?n'?t|wont|never|ca ?n'?t|cant) (get|slip|fall|choke|tear)\b|"
    r"\bmake sure (that )?(it |this |that )?(never|does ?n'?t|doesnt|wo ?n'?t|wont) "
    r"(happens?|again)\b|"
    r"\btips? (for|on|to) (keep|keeping|stop|stopping|avoid|avoiding|help|helping)\b|"
    r"\bwhat'?s the (trick|secret)\b"
)
# Someone who is not the person cared for ("my neighbour's husband had a seizure once"),
# or the word only mentioned ("I only mentioned fever because the leaflet says to check").
OTHER_PERSON_CUES = re.compile(
    r"\b(my|a|her|his|our|their|the) (friend|friends|neighbou?r|neighbou?rs|sister|brother|"
    r"cousin|aunt|auntie|uncle|colleague|workmate|boss|pal|mate)('s|s'|s)? (husband|wife|dad|"
    r"father|mother|mum|mom|son|daughter|partner|father in law|mother in law|gran|nan|grandad|"
    r"grandma|grandpa|uncle|aunt|brother|sister|friend)\b|"
    r"\b(a|my|one) (friend|neighbou?r|colleague|lady|man|woman) (told|said|says|tells|mentioned)\b|"
    r"\b(someone|somebody|a man|a woman|a lady) (on (the )?(tv|telly|news|radio|facebook|forum)|"
    r"at (church|work|the group|the support group))\b|\basking for (a friend|her|him|them)\b|"
    r"\b(could|will|would|might) (that|this|it) happen (to|with)\b"
)
META_CUES = re.compile(
    r"\bonly (mentioned|said|asked about|brought up)\b|\b(the (nurse|doctor|gp|hospice)|they) "
    r"called it\b"
)
# A what-if for later, kept even when the message also says "now" ("asking for later on, I'm
# alright right now").
LATER_CUES = re.compile(
    r"\basking for (later|the future|future)\b|\bfor (later on|the future)\b|"
    r"\b(write|written|stick|stuck|put|pin|keep) (it|them|the numbers?|a list)( up)? "
    r"on the fridge\b|"
    r"\bfor the fridge\b|\bin the future\b|\b(say|suppose|supposing|imagine) (i'?m|i am|"
    r"he|she|they|mum|mom|dad|nan|gran)\b"
)
# Another sense of the words, a what-if or a general question: "that bill nearly gave me a
# heart attack", "my back is killing me", "what if he chokes", "how high does a temperature
# have to be before I worry?". A clause that also says now (NOW_CUES) is never set aside.
OTHER_SENSE_CUES = re.compile(
    r"\b(nearly|almost|near|practically) (gave|give|had|have|having) (me |him |her |us )?a heart "
    r"attack\b|\bgave me a heart attack\b|\b(dying|dyin) (for|to)\b|\b(is|was|are) killing me\b|"
    r"\bsick (of|and tired)\b|\bbleeding (money|us dry|me dry)\b|"
    r"\b(kettle|machine|car|phone|computer|telly|tv|printer|boiler|laptop|hoover|battery|"
    r"engine|dishwasher|fridge|washing machine)\b.{0,30}\b(choked|collapsed|died|dead|dying|"
    r"fainted|sick)\b|\b(nearly|almost) (had a stroke|fainted|died|choked) (when|at|laughing|"
    r"on my)\b|\b(threw|throw|throws|throwing|thew) a fit\b|\bdrowning in\b|\bsick to death\b|"
    r"\b(laughing|laughed) (so|till|until)\b|\bkilling us\b|\bblack and blue\b"
)
HYPOTHETICAL_CUES = re.compile(
    r"\bwhat if\b|\bwhat (should|would|do|can) (i|we) do if\b|\bif (he|she|they|mum|mom|dad|"
    r"nan|gran) (ever|were|was|gets?|got|starts?|started|had|has)\b|\bin case (he|she|they)\b|"
    r"\bhow (high|low|long|bad|much|many|hot)\b.{0,60}\b(before|should|worry|call|ring)\b|"
    r"\bwhat (does|do|would|will) .{0,40}\blook like\b|"
    r"\bwhen (should|do|would|must) (i|we|you) (call|ring|phone|worry|ask)\b|"
    r"\bhow (would|do|can|will|could) (i|we|you) (know|tell|spot|recognise|recognize)\b|"
    r"\bwhat are the (signs|symptoms|warning signs)\b|\b(in general|generally|generally "
    r"speaking|for future reference|for future refrence|for later|just in case)\b|"
    r"\bwhat(?:'s| is) the (difference|diffrence|right|best)\b|\bwhat counts as\b|"
    r"\bwhat (is|does) [\w' ]{1,30} mean\b|\bif i ever\b|\bwhat should you do if\b|"
    r"\bis [\w ]{1,20} always\b|\bif (he|she|they|mum|mom|dad|nan|gran|grandad) (fell|fainted|"
    r"collapsed|choked|stopped|took|went)\b|\bhow long (does|do|will|would|can|should) "
    r"(a |an |the )?[\w-]+( [\w-]+)? (last|take|go on)\b|"
    r"\bhow (is|are) (it|they|that|this|those) (different|"
    r"diffrent|differ)\b|\bdifferen(t|ce|ces) (from|between)\b|\bwhat (is|are) (a |an )?[\w-]+ "
    r"and\b"
)
NOW_CUES = re.compile(r"\b(right now|now|just now|at the moment|currently|tonight|today|this "
                      r"(morning|afternoon|evening)|happening)\b")
WEAK = "~weak"  # the matcher key of a kind's weak patterns


def _near(word: str, words: set[str]) -> bool:
    """`word` is one of `words`, or a small typo of one of 5+ letters ("fell aslep")."""
    if word in words:
        return True
    return len(word) >= 4 and any(len(w) >= 5 and distance(word, w, 2) <= 1 for w in words)


def context_set_aside(text: str) -> bool:
    """Whether the message as a whole clearly speaks of something that is not happening now
    to the person cared for: another sense of the words, someone else, a mention, a what-if
    for later, a prevention tip or a general question (without a word of now). The classifier
    must then be surer (bot/triage.py), as where the lexicon set a mention aside."""
    lowered = valid_unicode(text or "").lower()
    if LATER_CUES.search(lowered) or META_CUES.search(lowered):
        return True
    if OTHER_SENSE_CUES.search(lowered) or OTHER_PERSON_CUES.search(lowered):
        return True
    general = HYPOTHETICAL_CUES.search(lowered) or PREVENTION_CUES.search(lowered)
    return bool(general and not NOW_CUES.search(lowered))


# The detector reads long text in overlapping windows (see Detector.detect_all).
CHUNK = 2000
OVERLAP = 300


def windows(text: str, size: int = CHUNK, overlap: int = OVERLAP) -> Iterable[str]:
    """`text` in pieces of at most `size` characters, each starting `overlap` characters
    before the previous one ended (at a space where there is one), so no phrase of up to
    `overlap` characters is cut in two without also appearing whole."""
    start = 0
    while True:
        end = min(len(text), start + size)
        if end < len(text):
            space = text.rfind(" ", start + overlap + 1, end)
            end = space if space > 0 else end
        yield text[start:end]
        if end >= len(text):
            return
        nxt = end - overlap
        space = text.find(" ", nxt, end)
        start = space + 1 if space >= 0 else nxt


CLAUSE_SPLIT = re.compile(r"[.!?;\n]+|,\s*but\b|\bbut\b|\bhowever\b|\balthough\b")


@dataclass(frozen=True)
class RedFlag:
    kind: str  # e.g. "chest_pain"
    tier: str  # "emergency" | "nurse"
    label: str  # plain words, e.g. "chest pain"
    source: str  # id from bot/content/sources.yml
    matched: str  # the words that matched (not logged: may hold personal data)


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    with CONTENT.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def _check_strings(value: Any, where: str) -> None:
    """YAML 1.1 reads a bare on/no/yes as a boolean: insist every IN list holds strings."""
    if isinstance(value, dict):
        for key, v in value.items():
            if isinstance(v, bool) and key in ("LOWER", "LEMMA", "TEXT", "ORTH", "NORM"):
                raise ValueError(f"{where}: a bare yes/no/on/off in a pattern; quote it")
            _check_strings(v, where)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, bool):
                raise ValueError(f"{where}: a bare yes/no/on/off in a pattern; quote it")
            _check_strings(v, where)


def _expand(pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    _check_strings(pattern, "redflags.yml")
    out: list[dict[str, Any]] = []
    for tok in pattern:
        if "ANY" in tok:
            out.extend({"OP": "?"} for _ in range(int(tok["ANY"])))
        else:
            out.append(tok)
    return out


class Detector:
    """Builds the matcher once; `detect` is cheap and thread-safe for reads."""

    def __init__(self, nlp: Any = None) -> None:
        from spacy.matcher import Matcher

        self.nlp = nlp if nlp is not None else get_nlp()
        lex = _lexicon()
        self.kinds: dict[str, dict[str, Any]] = lex["kinds"]
        self.tiers: dict[str, dict[str, Any]] = lex["tiers"]
        self.matcher = Matcher(self.nlp.vocab)
        for kind, spec in self.kinds.items():
            patterns = [_expand(p) for p in spec.get("patterns") or []]
            if patterns:
                self.matcher.add(kind, patterns)
            # Weak patterns count only when the message lacks `weak_unless`: shaking all over
            # is a seizure, unless a fever explains it (shivering with a fever, rigors).
            weak = [_expand(p) for p in spec.get("weak_patterns") or []]
            if weak:
                self.matcher.add(kind + WEAK, weak)
        vocab = set(lex.get("vocabulary") or [])
        for spec in self.kinds.values():
            for group in (spec.get("cooccur") or {}).get("all", []):
                vocab.update(group)
        self.corrector = Corrector(vocab)

    # -- reading -----------------------------------------------------------------------------
    def _doc(self, text: str) -> Any:
        from spacy.tokens import Doc

        raw = self.nlp.make_doc(text.lower())
        words = [self.corrector.correct(t.text) for t in raw]
        doc = Doc(self.nlp.vocab, words=words, spaces=[bool(t.whitespace_) for t in raw])
        for _, proc in self.nlp.pipeline:
            doc = proc(doc)
        return doc

    @staticmethod
    def _clause_bounds(doc: Any) -> list[tuple[int, int]]:
        """Token index ranges of clauses (split on sentence ends and contrast words)."""
        text = doc.text
        bounds: list[tuple[int, int]] = []
        start_char = 0
        for m in CLAUSE_SPLIT.finditer(text):
            bounds.append((start_char, m.start()))
            start_char = m.end()
        bounds.append((start_char, len(text)))
        out = []
        for a, b in bounds:
            toks = [t.i for t in doc if t.idx >= a and t.idx < b]
            if toks:
                out.append((toks[0], toks[-1] + 1))
        return out

    def _clause_of(self, clauses: list[tuple[int, int]], i: int) -> tuple[int, int]:
        for a, b in clauses:
            if a <= i < b:
                return a, b
        return i, i + 1

    def _suppressed(self, doc: Any, start: int, end: int, clause: tuple[int, int],
                    spec: dict[str, Any]) -> bool:
        a, b = clause
        clause_text = doc[a:b].text
        if not spec.get("negation_ok"):
            lo = max(a, start - NEGATION_WINDOW)
            if any(doc[j].lower_ in NEGATION_CUES for j in range(lo, start)):
                return True
        lowered = clause_text.lower()
        if self._history(doc, start, clause):
            return True
        if PREVENTION_CUES.search(lowered) or OTHER_SENSE_CUES.search(lowered):
            return True
        if OTHER_PERSON_CUES.search(lowered) or META_CUES.search(lowered):
            return True
        whole = doc.text.lower()
        if LATER_CUES.search(whole):
            return True
        return bool(HYPOTHETICAL_CUES.search(whole) and not NOW_CUES.search(whole))

    @staticmethod
    def _history(doc: Any, start: int, clause: tuple[int, int]) -> bool:
        """History sets a match aside when its own sub-clause (between commas) dates it ("she
        fainted at a wedding years ago"), or when the clause says the matter is over ("she
        broke her wrist, it's healed now") and the sub-clause does not speak in the present.
        A date elsewhere dates something else: "he turned a horrible colour, he had a heart
        attack two years ago" is now."""
        a, b = clause
        lo = next((j + 1 for j in range(start - 1, a - 1, -1) if doc[j].text == ","), a)
        hi = next((j for j in range(start, b) if doc[j].text == ","), b)
        segment = doc[lo:hi].text.lower()
        if HISTORY_CUES.search(segment):
            return True
        return bool(RESOLVED_CUES.search(doc[a:b].text.lower())
                    and not PRESENT_CUES.search(segment))

    def detect_all(self, text: str, suppressed: list[str] | None = None) -> list[RedFlag]:
        """Every red flag in `text`, strictest first (empty when there is none).

        The whole text is read, however long: a red flag at the end of a long ramble must
        win as surely as one at the start. It is read in windows of CHUNK characters that
        overlap by OVERLAP (cut at white space), so the clause logic stays small per window.
        """
        text = valid_unicode(text or "")
        if not text.strip():
            return []
        found: dict[str, RedFlag] = {}
        for window in windows(text):
            for flag in self._detect_window(window, suppressed):
                found.setdefault(flag.kind, flag)
        return sorted(found.values(), key=lambda f: -TIER_ORDER[f.tier])

    def _detect_window(self, text: str, suppressed: list[str] | None) -> list[RedFlag]:
        """The red flags of one window; kinds matched but set aside go into `suppressed`."""
        doc = self._doc(text)
        clauses = self._clause_bounds(doc)
        found: dict[str, RedFlag] = {}
        for match_id, start, end in self.matcher(doc):
            kind = self.nlp.vocab.strings[match_id]
            if kind.endswith(WEAK):
                kind = kind[:-len(WEAK)]
                if re.search(str(self.kinds[kind]["weak_unless"]), doc.text):
                    continue
            spec = self.kinds[kind]
            excl = set(spec.get("exclude_next") or [])
            if excl and end < len(doc) and _near(doc[end].lower_, excl):
                continue
            clause = self._clause_of(clauses, start)
            if self._suppressed(doc, start, end, clause, spec):
                if suppressed is not None:
                    suppressed.append(kind)
                continue
            found.setdefault(kind, self._flag(kind, doc[start:end].text))
        for kind, spec in self.kinds.items():
            groups = (spec.get("cooccur") or {}).get("all")
            if not groups or kind in found:
                continue
            for a, b in clauses:
                words = {t.lower_ for t in doc[a:b]} | {t.lemma_ for t in doc[a:b]}
                if all(words & set(g) for g in groups):
                    first = min(t.i for t in doc[a:b] if t.lower_ in set(groups[0]) or
                                t.lemma_ in set(groups[0]))
                    if not self._suppressed(doc, first, first + 1, (a, b), spec):
                        found[kind] = self._flag(kind, doc[a:b].text)
                        break
                    if suppressed is not None:
                        suppressed.append(kind)
        return sorted(found.values(), key=lambda f: -TIER_ORDER[f.tier])

    def detect(self, text: str) -> RedFlag | None:
        """The strictest red flag in `text`, or None."""
        flags = self.detect_all(text)
        return flags[0] if flags else None

    def _flag(self, kind: str, matched: str) -> RedFlag:
        spec = self.kinds[kind]
        tier = spec["tier"]
        return RedFlag(kind=kind, tier=tier, label=spec["label"],
                       source=self.tiers[tier]["source"], matched=matched)


@lru_cache(maxsize=1)
def default_detector() -> Detector:
    return Detector()


def detect(text: str) -> RedFlag | None:
    """The strictest red flag in `text`, or None (uses the project's pipeline)."""
    return default_detector().detect(text)


def kinds() -> Iterable[str]:
    return _lexicon()["kinds"].keys()


# What an unknown kind is called (it errs on the safe side: an emergency).
UNKNOWN_LABEL = "a warning sign"
# The order of the calls when a kind's entry names none (bot/triage.py explains them).
DEFAULT_ORDER = {EMERGENCY: "hospice_first", NURSE: "nurse"}


def kind_tiers() -> dict[str, str]:
    """Every red-flag kind and its tier."""
    return {kind: str(spec["tier"]) for kind, spec in _lexicon()["kinds"].items()}


def describe_kind(kind: str) -> tuple[str, str, str]:
    """(tier, label, order) of a kind; an unknown kind errs on the safe side (emergency)."""
    spec = _lexicon()["kinds"].get(kind)
    if not spec:
        return EMERGENCY, UNKNOWN_LABEL, DEFAULT_ORDER[EMERGENCY]
    tier = str(spec["tier"])
    return tier, str(spec["label"]), str(spec.get("order") or DEFAULT_ORDER[tier])


def describe(kind: str) -> tuple[str, str]:
    """(tier, label) of a red-flag kind; unknown kinds are treated as emergencies."""
    tier, label, _ = describe_kind(kind)
    return tier, label


ORDERS = ("immediate", "hospice_first", "expected", "nurse")
# ESCALATION_ORDER values: "hospice_first" (the default: a configured hospice line is named
# first for the emergencies that are not immediate danger) or "emergency_first" (deployments
# outside hospice care: emergency services first for every emergency).
ESCALATION_ORDERS = ("hospice_first", "emergency_first")


def reply_order(kind: str, tier: str | None, hospice_configured: bool = True,
                escalation_order: str = "hospice_first") -> str:
    """Which reply a red flag gets: one of ORDERS, or the kind itself for crisis/overwhelmed."""
    if kind in ("crisis", "overwhelmed"):
        return kind
    default_tier, _, order = describe_kind(kind)
    tier = tier if tier in TIER_ORDER else default_tier
    if tier != default_tier:  # a tier from elsewhere (an entity) wins over the kind's
        order = DEFAULT_ORDER[tier]
    if order == "hospice_first" and (not hospice_configured
                                     or escalation_order == "emergency_first"):
        order = "immediate"
    return order


def red_flag_message(tier: str, kind: str, label: str, hospice: str, emergency: str,
                     hospice_configured: bool = True,
                     escalation_order: str = "hospice_first") -> str:
    """The escalation text for a red flag (redflags.yml `messages`), calls in the right order."""
    order = reply_order(kind, tier, hospice_configured, escalation_order)
    template = " ".join(str(_lexicon()["messages"][order]).split())
    return template.format(label=label, Label=label[:1].upper() + label[1:], hospice=hospice,
                           emergency=emergency)


def red_flag_reply(kind: str | None, tier: str | None, hospice: str, emergency: str,
                   hospice_configured: bool = True,
                   escalation_order: str = "hospice_first") -> str:
    """The reply to a red flag of `kind` (the SafetyNet's entities); an unknown kind errs on the
    safe side (emergency). Used by action_red_flag, and by the Rasa server itself when the
    action server cannot be reached (components/server_patches.py)."""
    kind = kind or ""
    default_tier, label = describe(kind)
    return red_flag_message(tier or default_tier, kind, label, hospice, emergency,
                            hospice_configured, escalation_order)
