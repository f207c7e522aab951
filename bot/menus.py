"""Typed menu words: which button of the bot's last reply a short message means (issue #15).

Plain Python, no Rasa. When the bot's last reply offered buttons, caregivers often type
instead of tapping: the title ("Fell asleep"), a shortened or misspelt one ("foot massge",
"saftey check", "asleep") or a menu word ("feet pls", "the feet one", "i have a question").
`resolve(text, buttons)` returns the payload of the one button such a message clearly means,
or None; components/server_patches.py (correction 8) then parses the message as that button,
on every channel.

How a message is read:

1. Only a short message can be a button press: at most MAX_WORDS words and MAX_CHARS
   characters, no markup or code characters (`<`, `{`, `/`, `=`...), not a slash payload.
2. The title typed as it is (case, punctuation and apostrophes aside) is that button. A button
   whose title is a number ("3", "7") is matched this way only.
3. Otherwise every word of the message, fillers left out ("the", "one", "please"; see
   bot/content/menus.yml), must be a word of ONE button: of its title, or of the extra words
   menus.yml keeps for its payload ("feet", "toes" for the foot massage). Words are compared in
   lower case, without apostrophes ("cant"), plural off ("feet" -> "foot", "hands" -> "hand"),
   with a small typo tolerance: one edit (a swap of two letters is one: "saftey"), two from
   seven letters on, none under four letters. A typed word that is a common English word
   itself ("hard", "feat", "tried") is a typo of a menu word only when another word of the
   message is that same button's exactly ("feat massage"): alone it means what it says. An
   exact word beats a typo ("unconscious" is that button's word, not a typo of "conscious").
4. A message of weak words only ("no", "fell", "not") is no button press: those words change
   a choice but do not make one.
5. One button holds every word: its payload. Several: the one with more exact words, if there
   is one; otherwise None ("massage" after Hand massage / Foot massage is ambiguous). A word
   that no button holds means the message says more than a menu choice ("she's asleep but
   can I ask about lotion"): None, and the NLU reads it as usual.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

MENUS_PATH = Path(__file__).resolve().parent / "content" / "menus.yml"

MAX_WORDS = 8
MAX_CHARS = 80
# Words more frequent than this (log probability in spaCy's English table, bot.typos) are real
# words: "hard" is not taken for "hand" on its own. Stricter than bot.typos (-16) so frequent
# misspellings ("saftey", -15.3) are still read as typos.
COMMON_LOGPROB = -13.0
EXACT, TYPO = 2, 1

# Markup, code and slash payloads are never a typed menu choice.
NOT_TYPED = re.compile(r"[<>{}\[\]\\/=|`@#$%^*_~]")
APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`\u00b4]")
WORD = re.compile(r"[^\W_]+")
PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$", re.DOTALL)

# The question actions/routine.py asks before a routine (ask_variant), and its buttons: here
# so that the action and the understanding scorer (tests/understanding_sets.py) read one list.
VARIANT_QUESTION = "How are they right now?"
VARIANT_BUTTONS: tuple[tuple[str, str], ...] = (
    ("Awake and able to talk", '/choose_variant{"variant": "standard"}'),
    ("Asleep or can't respond", '/choose_variant{"variant": "unconscious"}'),
    ("Confused or has dementia", '/choose_variant{"variant": "dementia"}'),
    ("Very tired: a short one", '/choose_variant{"variant": "tired"}'),
)

Phrase = tuple[str, ...]


# -- payloads -------------------------------------------------------------------------------------
def parse_payload(payload: str) -> tuple[str, dict[str, Any]] | None:
    """`("start_routine", {"routine": "foot"})` for '/start_routine{"routine": "foot"}'; None for
    a plain-text payload ("Fell asleep") or one that is not valid."""
    match = PAYLOAD.match(payload.strip()) if isinstance(payload, str) else None
    if match is None:
        return None
    entities: Any = {}
    if match.group(2):
        try:
            entities = json.loads(match.group(2))
        except ValueError:
            return None
        if not isinstance(entities, dict):
            return None
    return match.group(1), entities


def payload_key(payload: str) -> str:
    """How menus.yml names a button: `intent` or `intent:value` for a slash payload, the text
    itself in lower case for a plain-text one."""
    parsed = parse_payload(payload)
    if parsed is None:
        return " ".join(str(payload).lower().split())
    intent, entities = parsed
    return ":".join([intent] + [str(entities[k]) for k in sorted(entities)])


def same_payload(a: str, b: str) -> bool:
    """Whether two payloads send the same thing (JSON spacing and key order aside)."""
    pa, pb = parse_payload(a), parse_payload(b)
    if pa is None or pb is None:
        return pa is None and pb is None and payload_key(a) == payload_key(b)
    return pa == pb


# -- words ----------------------------------------------------------------------------------------
def tokens(text: str) -> list[str]:
    """Lower-case words without apostrophes or punctuation ("Can't respond!" -> cant, respond)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return WORD.findall(APOSTROPHES.sub("", text))


def lemma(word: str, irregular: Mapping[str, str]) -> str:
    """The singular, roughly: feet -> foot (menus.yml), hands -> hand, babies -> baby."""
    if word in irregular:
        return irregular[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return irregular.get(word[:-1], word[:-1])  # "feets" too
    return word


def distance(a: str, b: str, limit: int) -> int:
    from bot.typos import distance as osa

    return osa(a, b, limit)


def typo_limit(word: str) -> int:
    """Edits allowed to reach a menu word: none under four letters, two from seven on."""
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


def common_word(word: str) -> bool:
    """A frequent English word (see COMMON_LOGPROB)."""
    from bot.typos import _word_probs

    prob = _word_probs().get(word)
    return prob is not None and float(prob) > COMMON_LOGPROB


# -- the content ----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)  # hashed by identity: _phrases caches per vocabulary
class Vocabulary:
    """bot/content/menus.yml, read."""

    fillers: frozenset[Phrase]
    longest_filler: int
    weak: frozenset[str]
    lemmas: Mapping[str, str]
    extra: Mapping[str, tuple[str, ...]]  # payload key -> words and phrases, as written
    surfaces: Mapping[str, tuple[str, ...]]  # foot -> (feet,): a typo of "feet" is "foot" too

    def words(self, text: str) -> list[str]:
        return [lemma(w, self.lemmas) for w in tokens(text)]

    def without_fillers(self, words: list[str]) -> list[str]:
        out, i = [], 0
        while i < len(words):
            for n in range(min(self.longest_filler, len(words) - i), 0, -1):
                if tuple(words[i:i + n]) in self.fillers:
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def content(self, text: str) -> Phrase:
        return tuple(self.without_fillers(self.words(text)))


def _strings(where: str, values: Any) -> list[str]:
    """A list of words from menus.yml; anything else (YAML reads a bare no as false) is an
    error, found by the tests rather than silently dropped."""
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip()
                                               for v in values):
        raise ValueError(f"menus.yml: {where} must be a list of words (quote 'no', 'yes')")
    return list(values)


def vocabulary_from(data: Mapping[str, Any]) -> Vocabulary:
    lemmas = {str(k).lower(): str(v).lower() for k, v in (data.get("lemmas") or {}).items()}
    fillers = frozenset(tuple(lemma(w, lemmas) for w in tokens(f))
                        for f in _strings("fillers", data.get("fillers") or []))
    fillers = frozenset(f for f in fillers if f)
    extra = {payload_key(str(k)): tuple(_strings(f"buttons.{k}", v or []))
             for k, v in (data.get("buttons") or {}).items()}
    weak = frozenset(w for f in _strings("weak", data.get("weak") or [])
                     for w in (lemma(t, lemmas) for t in tokens(f)))
    surfaces: dict[str, tuple[str, ...]] = {}
    for surface, base in lemmas.items():
        surfaces[base] = (*surfaces.get(base, ()), surface)
    return Vocabulary(fillers=fillers, longest_filler=max((len(f) for f in fillers), default=1),
                      weak=weak, lemmas=lemmas, extra=extra, surfaces=surfaces)


@lru_cache(maxsize=1)
def load_vocabulary(path: Path = MENUS_PATH) -> Vocabulary:
    return vocabulary_from(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


@lru_cache(maxsize=1024)
def _phrases(vocabulary: Vocabulary, title: str, payload: str) -> tuple[Phrase, ...]:
    """A button's words: each word of its title, and each extra word or phrase of menus.yml."""
    title_words = [(w,) for w in vocabulary.content(title)]
    extra = [vocabulary.content(p) for p in vocabulary.extra.get(payload_key(payload), ())]
    return tuple(dict.fromkeys(p for p in title_words + extra if p))


# -- resolving ------------------------------------------------------------------------------------
def _buttons(buttons: Any) -> list[tuple[str, str]]:
    """(title, payload) of the well-formed buttons."""
    out = []
    for b in buttons if isinstance(buttons, (list, tuple)) else []:
        if isinstance(b, Mapping):
            title, payload = b.get("title"), b.get("payload")
            if isinstance(title, str) and isinstance(payload, str) and title.strip() \
                    and payload.strip():
                out.append((title, payload))
    return out


def _one(payloads: Iterable[str]) -> str | None:
    """The payload if all are the same button, else None."""
    found = list(dict.fromkeys(payloads))
    if len(found) == 1:
        return found[0]
    return None


def _match(typed: str, word: str, surfaces: tuple[str, ...] = ()) -> int:
    if typed == word:
        return EXACT
    if typed.isalpha() and len(typed) >= 4:
        for form in (word, *surfaces):
            limit = typo_limit(form)
            if form.isalpha() and limit and distance(typed, form, limit) <= limit:
                return TYPO
    return 0


def _coverage(content: Phrase, phrases: tuple[Phrase, ...], vocabulary: Vocabulary,
              known: Callable[[str], bool]) -> dict[int, int]:
    """For each position of the message, how well this button holds it (EXACT or TYPO)."""
    held: dict[int, int] = {}
    for phrase in phrases:
        n = len(phrase)
        for start in range(len(content) - n + 1):
            quality = [_match(content[start + k], phrase[k], vocabulary.surfaces.get(phrase[k], ()))
                       for k in range(n)]
            if all(quality):
                for k, q in enumerate(quality):
                    held[start + k] = max(held.get(start + k, 0), q)
    if EXACT not in held.values():
        # Only typos: a typed common word ("hard") is a word of its own, not "hand".
        held = {p: q for p, q in held.items() if not known(content[p])}
    return held


def resolve(text: Any, buttons: Any, vocabulary: Vocabulary | None = None,
            known: Callable[[str], bool] | None = None) -> str | None:
    """The payload of the one button of `buttons` ([{title, payload}]) that `text` clearly
    means, or None (see the module docstring)."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_CHARS:
        return None
    if NOT_TYPED.search(text):
        return None
    offered = _buttons(buttons)
    typed = tokens(text)
    if not offered or not typed or len(typed) > MAX_WORDS:
        return None

    # The title as it is.
    same = [payload for title, payload in offered if tokens(title) == typed]
    if same:
        return _one(same)

    vocabulary = vocabulary or load_vocabulary()
    known = known or common_word
    content = vocabulary.content(text)
    if not content or all(w in vocabulary.weak for w in content):
        return None
    worded = [(title, payload) for title, payload in offered
              if not all(w.isdigit() for w in tokens(title))]  # numbers: the title only
    cover = [_coverage(content, _phrases(vocabulary, title, payload), vocabulary, known)
             for title, payload in worded]

    # Each word goes to the buttons that hold it best; a word no button holds: not a choice.
    for pos in range(len(content)):
        best = max((held.get(pos, 0) for held in cover), default=0)
        if not best:
            return None
        for held in cover:
            if held.get(pos, 0) < best:
                held.pop(pos, None)

    candidates = [(sum(q == EXACT for q in held.values()), payload)
                  for held, (_, payload) in zip(cover, worded, strict=True)
                  if len(held) == len(content)]
    if not candidates:
        return None
    most = max(exact for exact, _ in candidates)
    return _one(payload for exact, payload in candidates if exact == most)
