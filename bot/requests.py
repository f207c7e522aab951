"""What a caregiver's request carries, read deterministically from the words.

- `routine_of(text)`: the hand or the foot routine the message names ("how do I do her feet?"
  -> "foot"), or None. A negated mention does not count ("not her feet, her hands" -> "hand");
  the caregiver's own hands do not either ("warm your hands first").
- `variant_of(text)`: how the person is right now, as the routine variant: "standard" (awake,
  able to talk), "unconscious", "dementia" or "tired" (a short routine), or None when the
  message does not say. Negations count: "she's not unconscious, she's awake" -> "standard";
  "not tired" is not tired (and alone says nothing: None). When several are said, the one
  that changes the routine most wins: unconscious, then dementia, then tired, then standard.
  The caregiver's own state is not the person's ("I'm exhausted" says nothing).
- `asks_for_routine(text)`: the message asks to be guided through a massage ("walk me
  through", "hand massage please", "how do I do her feet", "just a quick foot rub").
- `relief_question(text)`: the ratings of a message that gives at least one (pain or anxiety,
  0-10, bot.parsing.extract_ratings) and asks what massage could do ("would it help", "how
  much could massage ease", "what difference could it make"), else None. A bare answer ("6",
  "about a 7", "pain is 5 now") is never a question: the forms read those.

VARIANT_WORDS and ROUTINE_WORDS are the one list of words, shared by the NLU component
(components/request_reader.py) and the routine actions (actions/routine.py). Small typos in
key words are tolerated ("dementa", "massge", "unconcious"; bot/typos.py).

Pure Python, no Rasa, no I/O beyond spaCy's word-frequency table that bot/typos.py loads once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bot.parsing import WORD_NUMBERS, extract_ratings
from bot.typos import Corrector

MAX_CHARS = 500
ROUTINES = ("hand", "foot")
VARIANTS = ("standard", "unconscious", "dementia", "tired")

# --------------------------------------------------------------------------------------------
# Vocabulary (regular expressions over lower-case text with plain apostrophes)

# "doesn't", "doesnt", "does not", "can't", "won't", "no longer", "never", "stopped"...
_NEG = (r"(?:(?:does|do|did|is|was|are|were|has|have|had|would|could|will|should|wo|ca)"
        r"(?:n'?t|\s+not)|can'?t|cannot|can\s+not|never|no\s+longer|not|hardly\s+ever|"
        r"stopped|unable\s+to)")
_PERSON = r"(?:she|he|they|mum|mom|mam|dad|nan|gran|grandma|grandad|grandpa|wife|husband)"

# Said about the caregiver, or idioms: claimed first, they stand for nothing.
NEUTRAL_WORDS: tuple[str, ...] = (
    r"(?:i\s+am|i'?m|im|we\s+are|we'?re|i\s+feel|i\s+get|i'?ve\s+been|i\s+was|i\s+have\s+been|"
    r"myself)\s+(?:so\s+|very\s+|really\s+|a\s+bit\s+|a\s+little\s+|quite\s+|getting\s+|"
    r"feeling\s+|absolutely\s+|completely\s+|totally\s+|just\s+|too\s+|a\s+little\s+)*"
    r"(?:tired|exhausted|worn\s+out|drained|knackered|shattered|confused|awake|alert|weak|"
    r"sleepy|fine|ok|okay|fatigued|weary)",
    r"(?:sick\s+and\s+)?tired\s+of",
    r"falls\s+asleep|falling\s+asleep|(?:get|go|gets|goes|getting|going)\s+to\s+sleep",
    r"on\s+the\s+other\s+hand|(?:give|lend|need)\s+(?:me\s+|us\s+)?a\s+hand|by\s+hand|at\s+hand|"
    r"hand\s+in\s+hand|first\s*hand|second\s*hand|hand\s+(?:over|out|in)\b",
    r"on\s+foot|foot\s+of\s+the\s+bed|foot\s+the\s+bill|put\s+\w+\s+foot\s+down|"
    r"(?:on|off)\s+(?:my|our)\s+feet",
    r"(?:my|your|our)\s+(?:own\s+)?(?:hands?|fingers?|palms?|feet)",
)

# The variants, in the order their words are claimed (longer, negated phrases first, so
# "not awake" is unconscious before "awake" could be standard). Which variant wins when
# several are said is VARIANT_PRIORITY, not this order.
VARIANT_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tired", (r"(?:barely|hardly|only\s+just|half)\s+(?:awake|asleep|conscious)",)),
    ("unconscious", (
        rf"{_NEG}\s+(?:really\s+|even\s+|always\s+|properly\s+|fully\s+)?(?:respond\w*|"
        r"react\w*|wake\w*|woken|talk\w*|speak\w*|answer\w*|communicat\w*|conscious|awake|"
        r"responsive|aware|open\w*\s+(?:her|his|their)\s+eyes)",
        # "unconcious", "unconsious": misspellings common enough not to be corrected as typos
        r"uncon[sc]{0,3}i?[ou]{1,3}s|unresponsive|non[\s-]?responsive|semi[\s-]?conscious|comatose|"
        r"in\s+a\s+coma|coma|asleep|sedated|out\s+of\s+it|no\s+response|eyes\s+closed|"
        r"sleeping\s+(?:now|deeply|all\s+the\s+time|most\s+of\s+the\s+(?:day|time))|"
        r"in\s+and\s+out\s+of\s+consciousness|drifting\s+in\s+and\s+out",
    )),
    ("dementia", (
        rf"{_NEG}\s+(?:really\s+|always\s+)?(?:recogni[sz]e|know)\s+(?:me|us|who|where)",
        r"dementia|alzheimer'?s?|alzheimers|lewy\s+body|sundown\w*|confused|confusion|"
        r"muddled|disorient(?:at)?ed|forgetful|memory\s+(?:loss|problems?|issues?)|"
        r"memory\s+(?:is|'s)\s+(?:\w+\s+)?(?:bad|poor|going|gone|terrible|awful)|"
        r"(?:bad|poor)\s+memory|"
        r"(?:losing|lost)\s+(?:her|his|their)\s+memory",
    )),
    ("tired", (
        r"tired|exhausted|worn\s+out|wiped\s+out|knackered|shattered|drained|fatigued|"
        r"fatigue|weary|sleepy|drowsy|dozy|dozing|dozes|no\s+energy|low\s+energy|"
        r"not\s+up\s+to\s+much|"
        # weak, but not a weak arm or side (one-sided weakness is the SafetyNet's)
        r"weak(?:ness)?(?!\s+(?:(?:left|right)\s+)?(?:side|spot|point|in|on|down|arm|arms|leg|"
        r"legs|hand|hands|grip|"
        r"knees?|ankles?|face))|"
        r"(?:quick|short|brief|shorter|mini)\s+(?:(?:hand|foot)\s+)?(?:one|version|massage|"
        r"rub|session|routine)|(?:just|only)\s+(?:a\s+)?(?:few|couple\s+of)\s+minutes",
    )),
    ("standard", (
        r"awake|alert|chatty|chatting|talking|talkative|responsive|conscious|lucid|with\s+it|"
        r"sitting\s+up|in\s+good\s+spirits|standard|normal|usual|full\s+(?:one|version|routine|"
        r"massage)",
        rf"{_PERSON}(?:'s|\s+is|\s+are|'re)\s+(?:fine|ok|okay|good|well)\b(?!\s+with)",
    )),
)
VARIANT_PRIORITY = ("unconscious", "dementia", "tired", "standard")

ROUTINE_WORDS: dict[str, str] = {
    "hand": r"hands?|fingers?|palms?|knuckles?|handrub|handmassage",
    "foot": r"foot|feet|toes?|soles?|heels?|ankles?|footrub|footmassage",
}

# Words a misspelling is corrected to (bot/typos.py: distance 1, or 2 for long words; common
# English words are never changed).
TYPO_KEYWORDS = (
    "massage", "massaging", "hands", "hand", "feet", "foot", "fingers", "toes",
    "unconscious", "unresponsive", "responsive", "respond", "responding", "responds",
    "conscious", "dementia", "alzheimers", "confused", "confusion", "forgetful",
    "exhausted", "tired", "sleepy", "drowsy", "asleep", "awake", "alert", "chatty", "chatting",
    "talking", "through", "please", "would", "could", "should", "might", "help", "calm",
    "ease", "relief", "relieve", "estimate", "difference", "expect", "quick", "short",
    "guide", "walk", "start",
)

# --------------------------------------------------------------------------------------------
# Normalising


@lru_cache(maxsize=1)
def _corrector() -> Corrector:
    return Corrector(TYPO_KEYWORDS)


@lru_cache(maxsize=8192)
def _correct(word: str) -> str:
    return _corrector().correct(word)


def warm_up() -> None:
    """Load the word-frequency table now (a few seconds), not on the first message."""
    normalise("warm up the reader")


def normalise(text: Any) -> str:
    """Lower case, plain apostrophes and spaces, key words' typos corrected; '' for non-text."""
    if not isinstance(text, str):
        return ""
    t = text[:MAX_CHARS].lower().replace("\u2019", "'").replace("\u2018", "'")
    t = t.replace("`", "'")
    t = re.sub(r"\s+", " ", t).strip()
    if t.startswith("/"):
        return ""  # a button payload: its entities say what it means
    return re.sub(r"(?<!['\w])[a-z]+(?!['\w])", lambda m: _correct(m.group(0)), t)


_CLAUSE_END = re.compile(r"[.,;:!?()\n]|\bbut\b|\bthough\b|\balthough\b|\bhowever\b")
_NEGATORS = {"not", "no", "never", "nor", "isnt", "wasnt", "arent", "werent", "doesnt", "dont",
             "didnt", "cant", "cannot", "wont", "hasnt", "havent", "hardly", "barely", "without"}


def _negated(text: str, start: int, window: int = 3) -> bool:
    """A negation in the few words before `start`, in the same clause ("she's not tired")."""
    clause = _CLAUSE_END.split(text[:start])[-1]
    words = clause.split()[-window:]
    return any(w in _NEGATORS or w.endswith("n't") for w in words)


def _claims(text: str, groups: list[tuple[str | None, str]]) -> list[tuple[int, int, str | None]]:
    """Matches of each (label, pattern), in order; a later match may not overlap an earlier
    one. Label None marks words that stand for nothing (idioms, the caregiver's own state)."""
    taken: list[tuple[int, int, str | None]] = []
    for label, pattern in groups:
        for m in re.finditer(rf"(?<![\w'])(?:{pattern})(?![\w'])", text):
            if any(m.start() < e and s < m.end() for s, e, _ in taken):
                continue
            taken.append((m.start(), m.end(), label))
    return sorted(taken)


# --------------------------------------------------------------------------------------------
# How the person is: the variant


def _variant_groups() -> list[tuple[str | None, str]]:
    groups: list[tuple[str | None, str]] = [(None, p) for p in NEUTRAL_WORDS]
    for variant, patterns in VARIANT_WORDS:
        groups += [(variant, p) for p in patterns]
    return groups


def variants_said(text: Any) -> set[str]:
    """Every variant the message says, negations left out."""
    t = normalise(text)
    if not t:
        return set()
    return {label for start, _end, label in _claims(t, _variant_groups())
            if label is not None and not _negated(t, start)}


def variant_of(text: Any) -> str | None:
    """How the person is right now, as a routine variant, or None when not said."""
    said = variants_said(text)
    return next((v for v in VARIANT_PRIORITY if v in said), None)


# --------------------------------------------------------------------------------------------
# Which routine

_DET = r"(?:her|his|their|the|a|an|both|left|right|other|mum's|mom's|dad's|any|either|one)"
_NEGATED_BEFORE = re.compile(
    rf"(?:\bnot|\bno|\bnever|\bavoid(?:ing)?|\binstead\s+of|\brather\s+than|\bexcept|\bwithout|"
    rf"\bskip(?:ping)?|\bnot\s+\w+|n't\s+\w+|\bnot|n't)\s+(?:{_DET}\s+){{0,3}}$"
)
_REQUESTED = (
    r"(?:massage|massaging|rub|rubbing|do|doing|start|try|stroke|work\s+on|switch\s+to|"
    r"move\s+(?:on\s+)?to|go\s+to|begin\s+with|start\s+with)\s+(?:" + _DET + r"\s+){0,3}$"
)


def _routine_mentions(t: str) -> list[tuple[int, int, str]]:
    groups: list[tuple[str | None, str]] = [(None, p) for p in NEUTRAL_WORDS]
    groups += [(kind, p) for kind, p in ROUTINE_WORDS.items()]
    return [(s, e, str(label)) for s, e, label in _claims(t, groups)
            if label is not None and not _NEGATED_BEFORE.search(t[:s])]


def _requested(t: str, start: int, end: int) -> bool:
    """The mention is what is to be massaged ("do her feet", "a foot rub")."""
    return bool(re.search(_REQUESTED, t[:start])) or bool(
        re.match(r"\s*(?:massage|rub|routine)", t[end:]))


def routine_of(text: Any) -> str | None:
    """"hand" or "foot" when the message names one (see the module docstring), else None."""
    t = normalise(text)
    if not t:
        return None
    mentions = _routine_mentions(t)
    kinds = {kind for _s, _e, kind in mentions}
    if len(kinds) <= 1:
        return next(iter(kinds), None)
    requested = {kind for s, e, kind in mentions if _requested(t, s, e)}
    if len(requested) == 1:
        return requested.pop()
    return mentions[0][2]


# --------------------------------------------------------------------------------------------
# Asking to be guided through a massage

_ROUTINE_NOUN = r"(?:(?:hand|foot|feet|hands)\s+(?:massage|rub|routine|one)s?|handmassage|" \
    r"footmassage|handrub|footrub)"
_STRONG = re.compile("|".join([
    r"\b(?:walk|talk|take|guide|lead|coach|steer|run|help)\s+(?:me|us)\s+(?:through|thru|with)\b",
    r"\bguide\s+(?:me|us)\b", r"\bshow\s+(?:me|us)\s+how\b", r"\bteach\s+(?:me|us)\b",
    r"\bstep[\s-]*by[\s-]*step\b", r"\bone\s+step\s+at\s+a\s+time\b",
    rf"\b(?:{_ROUTINE_NOUN}|hands|feet)\s+(?:for\s+(?:[\w']+\s+){{1,3}})?(?:please|pls|plz)\b",
    rf"\b{_ROUTINE_NOUN}\s+(?:guide|time)\b",
    r"\bplease\s+(?:do|start|guide|walk|help|show|massage|begin)\b",
    rf"^(?:(?:ok|okay|yes|right|so|now)\s+)?(?:a\s+|the\s+)?{_ROUTINE_NOUN}[.!]*$",
    r"\bhelp\s+(?:me|us)\s+(?:with|do|doing|give|giving|to\s+(?:do|give|massage))\b",
]))
_MEDIUM = re.compile("|".join([
    r"\b(?:let'?s|lets|let\s+us|(?:can|cn|could|cud|shall)\s+we|we\s+(?:want|would\s+like|"
    r"'d\s+like)\s+to|(?:i'?d|id|i\s+would)\s+like\s+to|(?:i\s+)?(?:want\s+to|wanna)|"
    r"i'?m\s+ready\s+to|ready\s+to|time\s+(?:for|to)|i\s+need\s+to)\s+(?:\w+\s+)?"
    r"(?:do|start|begin|try|give|"
    r"massage|rub|have|go)\b",
    # "how do I do her feet" (a person's hands or feet, not "how do I do a hand massage")
    r"\bhow\s+(?:do|should|can|would|shall)\s+(?:i|we)\s+(?:\w+\s+)?(?:do|massage|rub|start|"
    r"give|go\s+about)\s+(?:(?:her|his|their|mum's|mom's|dad's|my\s+\w+'s)\s|(?:her|him|them)$)",
    r"\b(?:can|could|would|will)\s+you\s+(?:\w+\s+)?(?:do|give|start|help|walk|talk|guide|"
    r"take|run)\b",
    r"(?:^|[,.;!]\s*)(?:please\s+|now\s+|then\s+|just\s+|ok\s+|okay\s+|so\s+)?(?:do|start|begin|"
    r"massage|rub|try)\s+(?:her|his|their|the|a|mum's|mom's|dad's)\s",
    rf"\b(?:quick|short|little|brief|nice|soothing|relaxing)\s+{_ROUTINE_NOUN}\b",
    rf"\bready\s+for\s+(?:the\s+|a\s+|her\s+|his\s+)?{_ROUTINE_NOUN}",
    rf"\b(?:{_ROUTINE_NOUN}|hands|feet)\s+(?:now|then|next)\b",
    rf"\b(?:start|strat|begin|try|give\s+(?:her|him|them)|want|need|fancy)\s+(?:\w+\s+)?"
    rf"(?:a|the|her|his|their)\s+(?:\w+\s+)?{_ROUTINE_NOUN}\b",
]))
# Questions about massage (the FAQ), not requests to be guided through one.
_QUESTION = re.compile("|".join([
    r"\b(?:is|are|would|will)\s+(?:it|a|the|massage|massaging|(?:a\s+)?(?:hand|foot)\s+"
    r"(?:massage|rub))\s+(?:\w+\s+)?(?:safe|ok|okay|alright|all\s+right|good|bad|dangerous|"
    r"worth|normal|possible|appropriate|harmful|risky)\b",
    r"\bsafe(?:ly|ty)?\b", r"\bshould\s+(?:i|we)\b",
    r"\bhow\s+(?:long|often|many|hard|soon|firm)\b",
    r"\bwhat\s+(?:oil|lotion|cream|kind|type|sort|pressure)\b", r"\bwhy\b", r"\bwhen\b",
    r"\bwhere\s+(?:to|do|does|should|would|can|shall)\b",
    r"\bworth\b", r"\bany\s+point\b", r"\bcan\s+(?:she|he|they)\s+(?:still\s+)?(?:feel|hear|tell|"
    r"know|sense)\b", r"\bwill\s+(?:she|he|they)\s+(?:still\s+)?(?:feel|know|notice|mind)\b",
    r"\b(?:benefits?|risks?|evidence|research|studies)\b",
    r"\b(?:can|may)\s+i\b[^.?!]*\b(?:if|with|while|even\s+though|although)\b",
    # may I? (permission is the FAQ's); courses, videos and therapists are FAQ topics too
    r"\b(?:can|may|could)\s+i\s+(?:still\s+|safely\s+|ever\s+)?(?:give|do|massage|rub|use|"
    r"touch|try)\b",
    r"\b(?:course|courses|class|classes|training|lessons?|videos?|therapists?|books?|app|"
    r"website|exist)\b",
]))


def _asks_about_massage(t: str) -> bool:
    """A question about massage (the FAQ's), or about what it could do ("would a short foot
    massage help her sleep?"): not a request to be guided through one."""
    return bool(_QUESTION.search(t) or _RELIEF_QUESTION.search(t))


def asks_for_routine(text: Any) -> bool:
    """The message asks to be guided through a massage (see the module docstring). A clear
    request ("walk me through", "hand massage please") counts even after a question; a softer
    one ("how do I do her feet", "let's do her hands") only when the message is not a question
    about massage ("how often should I do her feet?")."""
    t = normalise(text)
    if not t:
        return False
    if _STRONG.search(t):
        return True
    return bool(_MEDIUM.search(t)) and not _asks_about_massage(t)


# --------------------------------------------------------------------------------------------
# What could massage do? (the relief estimate)

_SUBJECT = (r"(?:(?:a|the|some|gentle|regular|daily|more|this|that|our|my|her|his)\s+)*"
            r"(?:(?:short|quick|little|light|soft|slow|nightly|bedtime|proper)\s+)?"
            r"(?:massage|massages|massaging|it|this|that|rubbing|touch|a\s+rub|"
            r"(?:hand|foot)\s+(?:massage|rub)s?)")
_EFFECT = (r"(?:help|helps|helping|ease|eases|calm|calms|settle|settles|soothe|soothes|relax|"
           r"relaxes|relieve|relieves|reduce|reduces|lower|lowers|lessen|lessens|improve|"
           r"improves|work|works|bring|take\s+(?:\w+\s+){0,3}off|comfort|benefit|change|"
           r"do\s+(?:any|some|much)\s+good|do\s+anything|do\s+for|make\s+(?:a|any|much\s+of\s+a|"
           r"much|some)\s+difference|make\s+(?:her|him|them)\s+(?:feel\s+)?(?:better|calmer|"
           r"easier|more\s+comfortable))")
# with the spellings of a phone in a hurry ("wud a massage help", "cud it ease")
_MODAL = r"(?:would|could|will|might|may|can|does|do|wud|wuld|woud|wld|cud|coud|cld|wil)"
_RELIEF_QUESTION = re.compile("|".join([
    rf"\b{_MODAL}\s+{_SUBJECT}\s+(?:\w+\s+){{0,3}}?{_EFFECT}\b",
    rf"\b{_SUBJECT}\s+(?:would|could|will|might|may|can)\s+(?:\w+\s+){{0,2}}?{_EFFECT}\b",
    rf"\b(?:is|are)\s+{_SUBJECT}\s+(?:\w+\s+)?(?:going\s+to|gonna)\s+(?:\w+\s+)?{_EFFECT}\b",
    # "worth it?", "worth a try", "any point trying a massage", "what are the chances it helps"
    r"\bworth\s+(?:it|a\s+(?:try|go|shot|massage|rub)|trying|doing|bothering)\b",
    r"\b(?:any|is\s+there\s+a|what'?s\s+the)\s+point\b",
    rf"\bchances?\b(?:\s+(?:that|of|\w+)){{0,3}}?\s+{_SUBJECT}\s+(?:\w+\s+)?{_EFFECT}",
    r"\b(?:would|could|will|might)\s+(?:it|massage|a\s+massage)\s+be\s+(?:\w+\s+)?(?:helpful|"
    r"useful|beneficial|worth|good|soothing|calming)\b",
    r"\bhow\s+much\s+(?:could|would|will|might|can|does|do|may|is|better|less|relief|good|"
    r"difference|help|lower|easier|calmer)\b",
    r"\bhow\s+much\s+(?:\w+\s+){0,4}?(?:help|better|relief|easier|ease|reduce|lower|less|"
    r"improve|difference|calm|good|benefit|change|drop|down)\b",
    r"\bwhat\s+(?:sort\s+of\s+|kind\s+of\s+)?(?:difference|effect|impact|benefit|relief|good|"
    r"improvement|change|results?)\b",
    r"\b(?:what|wat|wot)\s+(?:could|would|can|might|will|may)\s+(?:\w+\s+){0,3}?(?:do|achieve|"
    r"expect|hope\s+for|see|get)\b",
    r"\b(?:can|could|should|might|would)\s+(?:we|i|she|he|they|you|u)\s+expect\b",
    r"\b(?:potential|possible|likely|expected|realistic)\s+(?:relief|benefit|improvement|"
    r"difference|effect|change)\b",
    r"\b(?:estimate|estimation|calculate|calculator|predict|prediction|work\s+out)\b",
    r"\b(?:is|would)\s+(?:it|massage|a\s+massage)\s+(?:\w+\s+)?worth\b",
    r"\bany\s+(?:relief|benefit|difference|improvement|help)\b[^.!]*\?",
]))

# Words that may sit around a number in a bare answer ("I'd say about a 7 now").
_ANSWER_WORDS = frozenset(re.findall(r"[a-z]+", """
    pain anxiety anxious worry worried nerves nervous fear stress her his their my the a an is
    was are were s re d i id im it its about around roughly approximately approx maybe perhaps
    probably like nearly almost close to at least most only still now today currently just
    level score rating rate rates rated say think would guess reckon put out of ten over and
    both so well hmm um erm ok okay yes yeah she he they mum mom dad be been has have had
    ish half or between this morning tonight right moment quite pretty very really
"""))
_NUMBER_WORDS = frozenset(WORD_NUMBERS)


def is_bare_answer(text: Any) -> bool:
    """Only a rating, with the words around it ("6", "about a 7", "pain is 5 now")."""
    t = normalise(text)
    words = re.findall(r"[a-z]+|\d+(?:\.\d+)?", t)
    return not any(w not in _ANSWER_WORDS and w not in _NUMBER_WORDS and not w[0].isdigit()
                   for w in words)


def asks_what_massage_could_do(text: Any) -> bool:
    """"Would massage help?", "how much could it ease", "what difference could it make"."""
    t = normalise(text)
    return bool(t) and bool(_RELIEF_QUESTION.search(t))


def relief_question(text: Any) -> dict[str, float] | None:
    """The ratings of a message that gives one and asks what massage could do, else None."""
    if not isinstance(text, str) or text.strip().startswith("/"):
        return None
    ratings = extract_ratings(text)
    if not ratings or is_bare_answer(text) or not asks_what_massage_could_do(text):
        return None
    return ratings
