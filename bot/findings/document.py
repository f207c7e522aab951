"""A message as a spaCy doc, and its clauses, segments and sentences as token ranges.

Clean-up first: curly quotes are straightened and a hyphen between letters becomes a space
("bed-sore" -> "bed sore", "port-a-cath" -> "port a cath"); then each token is typo-corrected
(vocabulary.py) and the project's pipeline (`bot.nlp.get_nlp()`) runs over the result.

Clauses: the text is split at sentence ends, ";", newlines, "but", "however", "although",
"though", "except", "apart from", and at "and" before a new subject ("and she ...", "and her
right leg is ..."). Segments are clauses split further at commas.
"""

from __future__ import annotations

import re
from typing import Any

from bot.findings.vocabulary import correct_word
from bot.nlp import get_nlp

MAX_CHARS = 2000

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
