"""The red-flag detector: builds the spaCy Matcher from the lexicon once, reads a message
(typo correction, windows over long text), runs the patterns and `cooccur` rules, and keeps
what the context rules (bot/redflag_context.py) do not set aside. Re-exported by
bot/redflags.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.nlp import get_nlp
from bot.redflag_context import clause_bounds, clause_of, match_set_aside, near
from bot.redflag_lexicon import TIER_ORDER, WEAK, expand, lexicon
from bot.textguard import valid_unicode
from bot.typos import Corrector

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


@dataclass(frozen=True)
class RedFlag:
    kind: str  # e.g. "chest_pain"
    tier: str  # "emergency" | "nurse"
    label: str  # plain words, e.g. "chest pain"
    source: str  # id from bot/content/sources.yml
    matched: str  # the words that matched (not logged: may hold personal data)


class Detector:
    """Builds the matcher once; `detect` is cheap and thread-safe for reads."""

    def __init__(self, nlp: Any = None) -> None:
        from spacy.matcher import Matcher

        self.nlp = nlp if nlp is not None else get_nlp()
        lex = lexicon()
        self.kinds: dict[str, dict[str, Any]] = lex["kinds"]
        self.tiers: dict[str, dict[str, Any]] = lex["tiers"]
        self.matcher = Matcher(self.nlp.vocab)
        for kind, spec in self.kinds.items():
            patterns = [expand(p) for p in spec.get("patterns") or []]
            if patterns:
                self.matcher.add(kind, patterns)
            # Weak patterns count only when the message lacks `weak_unless`: shaking all over
            # is a seizure, unless a fever explains it (shivering with a fever, rigors).
            weak = [expand(p) for p in spec.get("weak_patterns") or []]
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
        clauses = clause_bounds(doc)
        found: dict[str, RedFlag] = {}
        for match_id, start, end in self.matcher(doc):
            kind = self.nlp.vocab.strings[match_id]
            if kind.endswith(WEAK):
                kind = kind[:-len(WEAK)]
                if re.search(str(self.kinds[kind]["weak_unless"]), doc.text):
                    continue
            spec = self.kinds[kind]
            excl = set(spec.get("exclude_next") or [])
            if excl and end < len(doc) and near(doc[end].lower_, excl):
                continue
            clause = clause_of(clauses, start)
            if match_set_aside(doc, start, end, clause, spec):
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
                    if not match_set_aside(doc, first, first + 1, (a, b), spec):
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
