"""A free reply to a yes/no question of the short form -> "yes", "no" or "unsure" (or None).

Any doubt counts as "unsure" (which counts like a yes); small typos of the answer words are
forgiven (`_fix_answer_word`), but never into another kind of answer.
"""

from __future__ import annotations

import re

_UNSURE_PHRASES = re.compile(
    r"\b(not sure|unsure|not certain|uncertain|(i )?(do ?n'?t|dont|do not) know|no idea|"
    r"dunno|idk|maybe|perhaps|possibly|probably|might|could be|may be|i think|i guess|"
    r"i suppose|i believe|not really sure|hard to (say|tell)|ca ?n'?t (say|tell)|cannot (say|tell)|"
    r"kind of|kinda|sort of|sorta|a (little|bit)|sometimes|yes and no|not that i know)\b"
)
# "I don't think so" carries doubt: it is read as unsure, which counts like a yes.
_SOFT_NO = re.compile(r"\b(i )?(do ?n'?t|dont|do not) (think|believe) so\b")
_YES = {"yes", "yeah", "yea", "yep", "yup", "y", "ya", "yah", "yeh", "ye", "aye", "sure",
        "definitely", "absolutely", "correct", "indeed", "affirmative", "yess", "yes.", "yas"}
_NO = {"no", "nope", "n", "nah", "nay", "not", "never", "none", "negative", "nothing", "noo",
       "nop", "nooo"}
_UNSURE_WORDS = {"unsure", "maybe", "perhaps", "possibly", "probably", "idk", "dunno"}
_POS_AUX = {"does", "is", "has", "do", "are", "have", "did", "was", "were", "can", "will"}
_NEG_AUX = {"doesn't", "isn't", "hasn't", "don't", "aren't", "haven't", "didn't", "wasn't",
            "weren't", "can't", "won't", "doesnt", "isnt", "hasnt", "dont", "arent", "havent",
            "didnt", "wasnt", "werent", "cant", "wont", "cannot"}
_SUBJECTS = {"she", "he", "they", "it", "i", "we", "mum", "mom", "dad", "there"}
_DONT_CORRECT = {"yet", "you", "yes", "now", "not", "nor", "new", "how", "who", "why", "yo",
                 "on", "in", "oh", "ok", "okay", "any", "one", "nah", "nay", "see", "say"}


def _osa(a: str, b: str) -> int:
    """Optimal string alignment (restricted Damerau-Levenshtein) distance."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _fix_answer_word(w: str) -> str:
    if (len(w) < 3 or w in _DONT_CORRECT or w in _YES or w in _NO or w in _UNSURE_WORDS
            or w in _POS_AUX or w in _SUBJECTS):  # "are" is not a typo of "aye"
        return w
    hits = {k for k in sorted(_YES | _NO | _UNSURE_WORDS) if len(k) >= 2 and _osa(w, k) <= 1
            and k[0] == w[0]}
    kinds = {("yes" if k in _YES else "no" if k in _NO else "unsure") for k in hits}
    if len(kinds) == 1:
        return sorted(hits, key=lambda k: (_osa(w, k), k))[0]
    return w


def normalise_answer(text: str) -> str | None:
    """A free reply to a yes/no question -> "yes", "no" or "unsure"; None when unclear.

    Any doubt ("not sure", "maybe", "I think so", "I don't think so") is "unsure"; a reply
    with both a yes and a no word is unclear (None), so the caller asks again.
    """
    if not text:
        return None
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    t = re.sub(r"[^a-z' ]+", " ", t)
    t = " ".join(t.split())
    if not t:
        return None
    if _SOFT_NO.search(t) or _UNSURE_PHRASES.search(t):
        return "unsure"
    words = [_fix_answer_word(w) for w in t.split()]
    if any(w in _UNSURE_WORDS for w in words):
        return "unsure"
    yes = any(w in _YES for w in words)
    no = any(w in _NO for w in words)
    # "are you a bot?", "is she ok?": a question back, not an answer
    question = text.rstrip().endswith("?") or (
        len(words) > 1 and words[0] in _POS_AUX | _NEG_AUX and words[1] in _SUBJECTS | {"you"})
    if not yes and not no and len(words) <= 4 and not question:
        # a short reply led by an auxiliary: "she does", "he isn't", "they do not"
        rest = words[1:] if words[0] in _SUBJECTS else words
        if rest and (rest[0] in _NEG_AUX or rest[0].endswith("n't")):
            no = True
        elif rest and rest[0] in _POS_AUX:
            yes = True
    if yes and no:
        return None
    if yes:
        return "yes"
    if no:
        return "no"
    return None
