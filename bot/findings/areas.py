"""Body areas and sides named in a message, and which condition each area goes with.

Body areas come from terms.yml, matched over the lower-case tokens (so an area inside a
condition, "broken hip", still counts); "back" only counts after a word such as
her/his/the/lower ("she came back" is not an area). A side is "left"/"right" up to 3 tokens
before an area ("her left upper arm") or "on the left" just after it.

Attaching areas to conditions (`_attach`), within a clause: an area after a preposition ("a
PICC line in her left arm") belongs to the nearest condition before it; an area in subject
position ("her left calf is swollen") to the nearest condition after it; an area joined by
"and"/"or"/"," to the previous area ("bed sores on her heels and tailbone") goes with it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bot.findings.document import _doc
from bot.screen import body_areas

BACK_OWNERS = {"her", "his", "their", "my", "the", "lower", "upper", "sore", "on", "whole",
               "a", "its", "your", "mid", "middle", "small", "of"}
PREPOSITIONS = {"in", "on", "at", "to", "over", "around", "near", "under", "of", "into",
                "across", "along", "by", "above", "below", "behind", "from"}
AREA_JOINERS = {"and", "or", ",", "&", "both", "her", "his", "their", "the", "left", "right",
                "on", "in", "at", "around", "plus"}


@lru_cache(maxsize=1)
def _area_phrases() -> dict[tuple[str, ...], str]:
    return {tuple(word.split()): area for word, area in body_areas().items()}


@lru_cache(maxsize=1)
def _max_area_len() -> int:
    return max(len(k) for k in _area_phrases())


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


def areas_in(text: str) -> list[tuple[str, str | None]]:
    """(area, side) pairs named in `text`, in order: for "where is it?" follow-ups."""
    if not text or not text.strip():
        return []
    out: list[tuple[str, str | None]] = []
    for ar in _area_mentions(_doc(text)):
        if (ar.area, ar.side) not in out:
            out.append((ar.area, ar.side))
    return out
