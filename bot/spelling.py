"""Spelling normalised before the classifiers read a message (issue 15).

Tired caregivers on a phone write "pian", "swolen", "massge", "unconcious". The intent and
FAQ classifiers learn from word and character n-grams, so a misspelt word weakens what they
see. This module corrects single words with SymSpell (symspellpy, MIT) over its bundled
English frequency dictionary plus the project's own vocabulary: every word of bot/content/.

What it never does:
- touch the text itself. components/spelling.py corrects only the tokens the featurisers read;
  the message text, which the red-flag triage, the findings extractor, the request reader, the
  journal and the logs read, stays as the caregiver wrote it. A correction can therefore never
  hide a red flag (tests/bot/test_spelling.py and tests/components/test_spelling.py check it).
- change a word it knows (any word of the dictionary or of the project), a word of fewer than
  four letters ("mum", "nan", "hr"), a word with digits or other signs, or one in capitals
  ("DVT", "PICC").

How it chooses: a dropped final g is put back ("rubbin"). Otherwise SymSpell's closest words
within edit distance 1 for words of four to six letters (for four letters, only the same letters
reordered or a word of the project) and 2 for longer ones; of those, the most frequent, where a
word of the project's vocabulary and a word with the letters typed in another order or with a
letter doubled or undoubled (the commonest slips on a phone) each count a hundred times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

CONTENT = Path(__file__).resolve().parent / "content"
DICTIONARY = "frequency_dictionary_en_82_765.txt"
# Deletes are indexed over the first PREFIX letters only: 38 MB and about a second to load,
# against 140 MB and three seconds at SymSpell's default of 7, with the same corrections for
# the words caregivers misspell (measured in bench/RESULTS.md, "Spelling").
PREFIX = 5
MAX_DISTANCE = 2
MIN_LETTERS = 4
# A project word missing from the English dictionary still needs a count to be suggested.
PROJECT_COUNT = 1_000_000
# Among the closest words, frequency decides, weighted: a word of the project's vocabulary
# counts PROJECT_WEIGHT times ("bleading": "bleeding", not "leading"), a word with exactly the
# letters typed, in another order or with a letter doubled or undoubled, SAME_WEIGHT times
# ("pian": "pain", not "plan"; "clott": "clot", not "cloth").
PROJECT_WEIGHT = 100
SAME_WEIGHT = 100
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


# The project's vocabulary is its prose: the fields the bot says or cites. Lists of what
# caregivers type (FAQ examples, lay terms, red-flag patterns, menu words, the triage sets) are
# left out on purpose: they hold misspellings ("fevr", "brething") that must stay correctable.
PROSE_FILES = ("faq.yml", "conditions.yml", "routines.yml", "estimator.yml", "sources.yml",
               "redflags.yml", "terms.yml")
PROSE_KEYS = frozenset({
    "answer", "title", "more", "label", "advice", "text", "noun", "quote", "direction",
    "pressure", "amount", "watch", "still_alternative", "still_title", "intro",
    "swelling_text", "swelling_more", "lightest_text", "note", "reply", "passage",
    # terms.yml: the body areas' lay words and the words caregivers write
    "body_areas", "sides", "caregiver_words",
})


def _prose(node: Any, inside: bool = False) -> Iterator[str]:
    if isinstance(node, str):
        if inside:
            yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _prose(value, inside or str(key) in PROSE_KEYS)
    elif isinstance(node, list):
        for value in node:
            yield from _prose(value, inside)


def project_vocabulary(content: Path = CONTENT) -> frozenset[str]:
    """Every word of the project's prose (PROSE_FILES, PROSE_KEYS), lower case."""
    words: set[str] = set()
    for name in PROSE_FILES:
        data = yaml.safe_load((content / name).read_text(encoding="utf-8"))
        for text in _prose(data):
            for word in WORD.findall(text.lower()):
                words.update(word.split("'"))
    return frozenset(w for w in words if len(w) >= 2)


class Speller:
    """Corrects one word at a time; built once per process (about a second)."""

    def __init__(self, vocabulary: Iterable[str] | None = None) -> None:
        from symspellpy import SymSpell

        self.project = frozenset(vocabulary if vocabulary is not None else project_vocabulary())
        self._symspell = SymSpell(max_dictionary_edit_distance=MAX_DISTANCE, prefix_length=PREFIX)
        path = files("symspellpy") / DICTIONARY
        if not self._symspell.load_dictionary(str(path), term_index=0, count_index=1):
            raise RuntimeError(f"symspellpy's dictionary {DICTIONARY} could not be read")
        words = self._symspell.words
        for word in self.project:
            if word not in words:
                self._symspell.create_dictionary_entry(word, PROJECT_COUNT)
        self.known = frozenset(self._symspell.words)

    def correct(self, word: str) -> str:
        """The word as the caregiver meant it, in lower case; the word itself if unsure."""
        lower = word.lower()
        if (len(lower) < MIN_LETTERS or not lower.isalpha() or word.isupper()
                or lower in self.known):
            return word
        from symspellpy import Verbosity

        if lower.endswith("in") and lower + "g" in self.known:
            return lower + "g"  # "rubbin", "doin", "mornin": the dropped g
        limit = 1 if len(lower) <= 6 else MAX_DISTANCE
        found = self._symspell.lookup(lower, Verbosity.CLOSEST, max_edit_distance=limit)
        typed = _letters(lower)
        if len(lower) == MIN_LETTERS:
            # four letters leave too many neighbours ("sesh": mesh? "calc": call?): only the
            # same letters reordered or a word of the project
            found = [s for s in found if typed & _letters(s.term) or s.term in self.project]
        if not found:
            return word

        def weight(item: Any) -> int:
            project = PROJECT_WEIGHT if item.term in self.project else 1
            same = SAME_WEIGHT if typed & _letters(item.term) else 1
            return int(item.count) * project * same

        return str(max(found, key=weight).term)

    def correct_text(self, text: str) -> str:
        """Every word of `text` corrected (for reports and tests; the pipeline corrects
        tokens, see components/spelling.py)."""
        return re.sub(r"[A-Za-z]+", lambda m: self.correct(m.group(0)), text)


def _letters(word: str) -> set[str]:
    """Two keys that a slip of the finger keeps: the letters in order with runs of one letter
    squeezed ("clott" and "clot" both "clot"), and the sorted letters ("pian", "pain")."""
    squeezed = re.sub(r"(.)\1+", r"\1", word)
    return {"run:" + squeezed, "sorted:" + "".join(sorted(word))}


@lru_cache(maxsize=1)
def get_speller() -> Speller:
    return Speller()
