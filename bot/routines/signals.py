"""How the person responds: free text to a sign of discomfort or comfort, and what to say.

Signal phrases, negations and replies live under `signals` in routines.yml. Red flags are a
separate, earlier check (bot.redflags).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.routines.content import COMFORT, DISCOMFORT, load_routines
from bot.routines.state import State, locate, plan_for_state
from bot.routines.stepper import Reply, render_step

_CLAUSE_SPLIT = re.compile(r"[.;!?,:\n]+|\b(?:but|and|because|when|after|then|so|since|until|"
                           r"while|though|although|however)\b")
_NEG_WINDOW = 5


def _normalise_keep_clauses(text: str) -> str:
    """Like `_normalise` in commands.py, but keeps the punctuation that ends a clause ("no
    grimace, she smiled"), set off by spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"([.,;:!?\n])", r" \1 ", text)
    text = re.sub(r"[^a-z0-9'.,;:!?\n ]+", " ", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _phrase_regex(phrase: str) -> str:
    """See the phrase syntax in routines.yml: word* = any ending, ... = up to 3 words."""
    out = ""
    for word in phrase.split():
        if word == "...":
            out += r"(?:\s+[a-z0-9']+){0,3}"
            continue
        piece = re.escape(word[:-1]) + r"[a-z']*" if word.endswith("*") else re.escape(word)
        out += (r"\s+" if out else "") + piece
    return r"(?<![a-z0-9'])" + out + r"(?![a-z0-9'])"


@lru_cache(maxsize=1)
def _signal_patterns() -> dict[str, list[re.Pattern[str]]]:
    signals = load_routines()["signals"]
    return {kind: [re.compile(_phrase_regex(p)) for p in signals[kind]["phrases"]]
            for kind in (DISCOMFORT, COMFORT)}


def _is_negated(text: str, start: int) -> bool:
    clause = _CLAUSE_SPLIT.split(text[:start])[-1]
    words = clause.split()[-_NEG_WINDOW:]
    negations = set(load_routines()["signals"]["negations"])
    return any(w in negations or w.endswith("n't") or w in _NT_WORDS for w in words)


_NT_WORDS = {"didnt", "doesnt", "dont", "isnt", "wasnt", "hasnt", "havent", "hadnt", "cant",
             "couldnt", "wont", "wouldnt", "arent", "werent", "shouldnt", "aint"}


def _has(text: str, kind: str) -> bool:
    for pattern in _signal_patterns()[kind]:
        for m in pattern.finditer(text):
            if not _is_negated(text, m.start()):
                return True
    return False


def detect_signal(text: str) -> str | None:
    """"discomfort", "comfort" or None. Discomfort wins when both are there ("she relaxed,
    then winced"). A sign after a negation in the same clause does not count ("she didn't
    pull away", "no grimacing"). Red flags are a separate, earlier check (bot.redflags)."""
    norm = _normalise_keep_clauses(text or "")
    if not norm:
        return None
    if _has(norm, DISCOMFORT):
        return DISCOMFORT
    if _has(norm, COMFORT):
        return COMFORT
    return None


def signal_reply(kind: str, state: State | None) -> Reply:
    """What to say for a sign. Discomfort stops the routine (stopped=True); comfort is
    acknowledged and the current step is offered again. Use `handle_signal` to get the new
    state as well."""
    if kind not in (DISCOMFORT, COMFORT):
        raise ValueError(f"unknown signal {kind!r}")
    signals = load_routines()["signals"]
    if state is None:
        text = signals[kind]["reply"] if kind == DISCOMFORT else signals[COMFORT]["reply_idle"]
        return Reply(text=text, step_index=0, total=0, title="", stopped=kind == DISCOMFORT)
    p = plan_for_state(state)
    i = locate(p, state)
    title = p.steps[i].title
    if kind == DISCOMFORT:
        return Reply(text=signals[DISCOMFORT]["reply"], step_index=i, total=p.total, title=title,
                     stopped=not state.get("finished"), finished=bool(state.get("finished")))
    if state.get("finished"):
        return Reply(text=signals[COMFORT]["reply_finished"], step_index=i, total=p.total,
                     title=title, finished=True)
    if state.get("stopped") or state.get("paused"):
        return Reply(text=signals[COMFORT]["reply_idle"], step_index=i, total=p.total,
                     title=title, stopped=bool(state.get("stopped")),
                     paused=bool(state.get("paused")))
    return render_step(p, i, prefix=signals[COMFORT]["reply"])


def handle_signal(state: State | None, kind: str) -> tuple[State | None, Reply]:
    """`signal_reply` plus the new state: discomfort marks an active routine stopped."""
    reply = signal_reply(kind, state)
    if state is None:
        return None, reply
    new = dict(state)
    if kind == DISCOMFORT and not state.get("finished"):
        new.update(stopped=True, paused=False)
    return new, reply
