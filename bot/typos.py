"""Small typo tolerance for key words, without a dependency.

A token that is not a common English word is replaced by the key word it is closest to, when
the Damerau-Levenshtein (optimal string alignment) distance is 1, or 2 for words of seven
letters or more. Common words are never changed ("never" stays "never", not "fever";
"passing" stays "passing", not "gasping"). "Common" means a log probability above
KNOWN_LOGPROB in spaCy's English word-frequency table (spacy-lookups-data), which keeps
frequent misspellings such as "pian" or "swolen" correctable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any


def distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal string alignment distance, stopping early once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


KNOWN_LOGPROB = -16.0


@lru_cache(maxsize=1)
def _word_probs() -> Any:
    from spacy.lookups import load_lookups

    return load_lookups("en", ["lexeme_prob"]).get_table("lexeme_prob")


def is_common_word(word: str) -> bool:
    prob = _word_probs().get(word.lower())
    return prob is not None and float(prob) > KNOWN_LOGPROB


class Corrector:
    def __init__(self, keywords: Iterable[str],
                 known: Callable[[str], bool] | None = None) -> None:
        self.keywords = sorted({k.lower() for k in keywords if k})
        self._known = known or is_common_word

    def correct(self, word: str) -> str:
        w = word.lower()
        if len(w) < 4 or not w.isalpha() or w in self.keywords or self._known(w):
            return word
        best, best_d = word, 99
        for k in self.keywords:
            limit = 2 if len(k) >= 7 else 1
            d = distance(w, k, limit)
            if d <= limit and d < best_d:
                best, best_d = k, d
        return best
