"""Free text to a stepper command: next, repeat, back, more, pause, resume, stop.

`parse_command(text)` reads short messages only (up to 8 words; a longer one only when it
unmistakably says "let's go on" after a pause); anything else is left to the other handlers
(signals, red flags, questions).
"""

from __future__ import annotations

import re
from functools import lru_cache

COMMANDS = ("next", "repeat", "back", "more", "pause", "resume", "stop")


# (command, phrases found anywhere in a short message, phrases that count only on their own).
# Checked in this order; the first command with a match wins. "go on" is next but "let's go on"
# is resume, so resume comes before next; "one more time" (repeat) before more; and "I'm back"
# after a pause is resume, never a step back, so resume comes before back.
_COMMAND_PHRASES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("stop", ("stop", "that's enough", "thats enough", "end it", "let's stop", "lets stop",
              "we're done", "no more", "quit"),
     ("end", "enough", "the end", "finish now")),
    ("pause", ("wait", "hold on", "pause", "one moment", "just a moment", "one minute",
               "just a minute", "one sec", "just a sec", "give me a minute", "hang on",
               "not yet"),
     ("a moment", "a minute", "sec", "not now")),
    ("resume", ("continue", "resume", "let's go on", "lets go on", "let's continue",
                "let's carry on", "i'm back", "im back", "i am back", "we're back", "back now",
                "back again", "back keep going", "back carry on", "ready again",
                "where were we", "where was i", "where we left off", "where we stopped",
                "where we paused", "pick up where", "carry on from"),
     ()),
    ("back", ("go back", "previous", "last step", "step back", "the one before", "back"),
     ()),
    ("repeat", ("again", "repeat", "one more time", "once more", "one more", "say that again"),
     ()),
    ("more", ("slower", "more slowly", "slow down", "more detail", "more details", "explain",
              "how do i", "how do you", "tell me more", "i don't understand",
              "i dont understand", "what do you mean", "show me"),
     ("how", "details", "detail", "more", "what")),
    ("next", ("ok done", "okay done", "done", "next", "go on", "keep going", "carry on",
              "finished", "did it", "got it"),
     ("ok", "okay", "k", "yes", "yeah", "yep", "sure", "ready", "right", "alright",
      "all right", "good", "yes please", "ok next", "fine")),
)
_COMMAND_NEGATORS = ("don't", "dont", "do not", "not", "never", "no need to", "no need")
_FILLERS = re.compile(r"^(?:please|and|so|um|erm)\s+|\s+(?:please|thanks|thank you|now)$")
_MAX_COMMAND_WORDS = 8
# Phrases that mean "go on from where we stopped" however long the message (up to 16 words).
_LONG_RESUME = ("where were we", "where was i", "where we left off", "where we stopped",
                "where we paused", "pick up where", "i'm back", "im back", "carry on from")
_MAX_RESUME_WORDS = 16
# Questions ("is it ok to use lotion?") must not read as "next".
_QUESTION_START = re.compile(r"^(?:is|are|can|could|should|would|will|does|do|what|why|when|"
                             r"where|which|who|how long|how often|how much|how many)\b")


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def _command_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for command, phrases, _exact in _COMMAND_PHRASES:
        for phrase in sorted(phrases, key=len, reverse=True):
            out.append((command, re.compile(r"(?<![a-z0-9'])" + re.escape(phrase) +
                                            r"(?![a-z0-9'])")))
    return tuple(out)


def parse_command(text: str) -> str | None:
    """Free text to a stepper command, or None. Only short messages (up to 8 words) are read:
    a longer sentence is left to the other handlers (signals, red flags, questions)."""
    raw = _normalise(text or "")
    norm = raw
    for _ in range(3):
        norm = _FILLERS.sub("", norm).strip()
    if not norm:
        return None
    for candidate in dict.fromkeys((raw, norm)):
        for command, phrases, exact in _COMMAND_PHRASES:
            if candidate in phrases or candidate in exact:
                return command
    if len(norm.split()) > _MAX_COMMAND_WORDS:
        # A longer message is a command only when it says, unmistakably, "let's go on" after a
        # pause ("sorry, had to get the door, where were we").
        if len(norm.split()) <= _MAX_RESUME_WORDS and any(
                re.search(r"(?<![a-z0-9'])" + re.escape(p) + r"(?![a-z0-9'])", norm)
                for p in _LONG_RESUME):
            return "resume"
        return None
    question = "?" in (text or "") or bool(_QUESTION_START.match(norm))
    for command, pattern in _command_patterns():
        for m in pattern.finditer(norm):
            before = norm[: m.start()].strip()
            if any(before == n or before.endswith(" " + n) for n in _COMMAND_NEGATORS):
                if command in ("stop", "pause"):
                    return "next"  # "please don't stop", "no need to wait"
                continue
            if command == "next" and question:
                continue
            return command
    return None
