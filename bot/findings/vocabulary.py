"""Small typos of condition words, corrected before matching: `correct_word`.

A token that is neither a condition word nor a common English word (bot.typos), of 5+ letters,
is replaced by the condition word (5+ letters) with the same first letter at the smallest
Damerau-Levenshtein (optimal string alignment) distance: 1, or 2 for words of 8+ letters
("feever" -> fever, "brusies" -> bruises, "plateletts" -> platelets). The first letter must
match so that names ("Brian") are not turned into terms ("drain").
"""

from __future__ import annotations

from functools import lru_cache

from bot.screen import load_conditions
from bot.typos import distance, is_common_word


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
