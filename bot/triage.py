"""Red-flag triage: one call per message, one verdict (tier, kind, the order of the calls, why).

Red flags always win, so this is the first thing read of every message (components/safety_net.py
writes the verdict onto it). Three readers, united: a message is an alarm when any of them
says so, and the strictest tier wins (emergency beats nurse).

1. The lexicon (bot/redflags.py, bot/content/redflags.yml): spaCy Matcher patterns over
   lemmas with typo tolerance. Exact, explainable, and it knows when a mention is not an
   event: negated ("no chest pain"), history with a time or a resolution ("she fainted at a
   wedding years ago"), prevention or a general question ("what are the signs of a clot?").
2. Temperatures given as numbers: 38 °C / 100.4 °F or more is a fever for the nurse line
   ("thermometer says 39.1"), unless the sentence is history.
3. A classifier (bot/triage_model.py) over word and character n-grams, for the words the
   lexicon cannot foresee. Its threshold is set for recall: ALARM_THRESHOLD on the probability
   that the message is any red flag. Where the lexicon recognised a mention and set it aside
   (negation, history, question), the classifier must be surer (SUPPRESSED_THRESHOLD).

The verdict carries the order of the calls from the kind (redflags.yml `order`): "immediate"
(911 first: choking, heavy bleeding, a seizure, a severe allergic reaction, an injury, thoughts
of ending a life), "hospice_first" (the hospice's 24-hour line first when one is configured,
911 in the same reply), "expected" (the expected signs of the last days: the hospice line,
with reassurance, not 911) and "nurse" (the hospice line now). See bot/redflags.py for the
replies. Measured on held-out sets (tests/data/triage/): `make nlu-report`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.redflags import (
    EMERGENCY,
    HISTORY_CUES,
    NURSE,
    TIER_ORDER,
    RedFlag,
    context_set_aside,
    default_detector,
    describe_kind,
)
from bot.textguard import valid_unicode

NONE = "none"
ALARM_THRESHOLD = 0.7
SUPPRESSED_THRESHOLD = 0.8
# Emergency beats nurse: when the kinds of the emergency tier hold this share of the kind
# model's probability, the classifier's verdict is an emergency.
EMERGENCY_SHARE = 0.5
# The classifier may raise a message above the tier the lexicon found (a nurse sign the
# lexicon recognised, the classifier hearing an emergency) only when emergencies hold this
# share: "she hasn't had a wee all day" is a nurse sign however alarmed the wording.
ESCALATION_SHARE = 0.7
# Within a tier the explainable readers (lexicon, temperature) name the kind before the
# classifier; among kinds of one tier, the strictest order of the calls wins.
ORDER_RANK = {"immediate": 3, "hospice_first": 2, "nurse": 1, "expected": 0}
# The expected signs of the last days (EVIDENCE.md, "Escalation in hospice care": hard to
# rouse, changed breathing, cool mottled hands and feet, confusion or restlessness, little or
# no urine). Said of someone in their last days, they get the expected-decline reply (the
# hospice line, with reassurance), not the plain nurse-line one.
EXPECTED_SIGNS = {"expected_decline", "no_urine", "confusion"}
LAST_DAYS = re.compile(
    r"\b(last|final) (days|day|hours|weeks)\b|\bactively dying\b|\bend of (her|his|their)? ?"
    r"life\b|\bthe end is near\b|\bdying\b|\bnear(ing)? the end\b"
)
# A seizure that has stopped is still an emergency, but no longer immediate danger: the calls
# go in the hospice-first order (the "a seizure that does not stop" is 911 first).
# What the classifier's guess of the expected decline needs beside it before the reply
# reassures: the last days named, or the sleep and breathing they bring.
EXPECTED_CONTEXT = re.compile(
    LAST_DAYS.pattern + r"|\bthe end\b|\bat the end\b|\b(sleep|sleeps|sleeping|asleep|drowsy|"
    r"drifting|woken|awake|rouse|unrousable|murmurs?|murmuring|breathing|breaths?|breathes)\b"
)
SETTLED = re.compile(
    r"\b(has|had|it's|it has|it had|now|finally|since) (stopped|passed|finished|ended|over)\b|"
    r"\b(stopped|over|passed) now\b|\blasted (about |around |maybe |roughly )?(a|an|\d+|one|two|"
    r"three|few) (seconds?|secs?|minutes?|mins?)\b|\b(is|was) over\b"
)
SETTLED_KIND = {"seizure": "seizure_stopped"}
# Short replies ("next", "back. keep going", "yes") are the lexicon's alone: the classifier has
# too few words to go on there, and a false alarm would break the routine a caregiver follows.
MIN_CLASSIFIER_WORDS = 4
# The classifier reads this much of a message (the lexicon and the temperature rule read all).
CLASSIFIER_CHARS = 2000

# A temperature: a number, optionally with a decimal part ("38.5", "38,5", "38 point 5"), with
# a unit or a word that says it is one.
NUMBER = r"(\d{2,3}(?:\s*(?:[.,]|point)\s*\d{1,2})?)"
TEMP_WORD = r"(?:temp\w*|thermometer|fever\w*|febrile|pyrexi\w*|read(?:s|ing)?|degrees?|°|hot)"
UNIT = r"(?:\s*(?:°|degrees?|deg|º)?\s*(c|f|celsius|centigrade|fahrenheit)?\b)"
TEMPERATURE = re.compile(
    rf"{TEMP_WORD}[^.!?\d]{{0,40}}?{NUMBER}{UNIT}|{NUMBER}{UNIT}[^.!?\d]{{0,30}}?{TEMP_WORD}|"
    rf"{NUMBER}\s*(?:°|º|degrees?)\s*(c|f|celsius|fahrenheit)?\b|{NUMBER}\s*(c|f)\b|"
    # a bare reading with a decimal part in a fever's range ("38.5 this evening")
    rf"(?<![\d.])((?:3[89]|4[0-2])[.,]\d|1(?:0[0-5])[.,]\d)(?![\d.]|\s*(?:kg|mg|ml|%|lb|cm))",
    re.IGNORECASE,
)
# Sentence ends: . ! ? followed by a space, or a new line ("38.5" is not one).
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class Verdict:
    tier: str  # EMERGENCY, NURSE or NONE
    kind: str  # a kind of bot/content/redflags.yml, or NONE
    label: str  # plain words for the kind ("chest pain")
    order: str  # immediate | hospice_first | expected | nurse | "" for NONE
    reason: str  # lexicon | temperature | classifier | none (never the caregiver's words)
    score: float  # the classifier's alarm probability (for reports, not for decisions)

    @property
    def alarm(self) -> bool:
        return self.tier != NONE


def _number(raw: str) -> float | None:
    text = re.sub(r"\s*(point|,)\s*", ".", raw.strip().lower()).replace(" ", "")
    try:
        return float(text)
    except ValueError:
        return None


def fever_from_numbers(text: str) -> bool:
    """True when a sentence gives a temperature of 38 °C / 100.4 °F or more, not as history."""
    for sentence in SENTENCE_END.split(text):
        if HISTORY_CUES.search(sentence.lower()):
            continue
        for m in TEMPERATURE.finditer(sentence):
            groups = [g for g in m.groups() if g]
            value = next((_number(g) for g in groups if _number(g) is not None), None)
            unit = next((g.lower()[0] for g in groups if g.lower() in
                         ("c", "f", "celsius", "centigrade", "fahrenheit")), "")
            if value is None:
                continue
            if unit == "f" or (not unit and value >= 90):
                if 100.4 <= value <= 110:
                    return True
            elif 38.0 <= value <= 44:
                return True
    return False


def _verdict(kind: str, reason: str, score: float) -> Verdict:
    tier, label, order = describe_kind(kind)
    return Verdict(tier=tier, kind=kind, label=label, order=order, reason=reason, score=score)


NO_ALARM = Verdict(tier=NONE, kind=NONE, label="", order="", reason="none", score=0.0)


class Triage:
    def __init__(self, use_model: bool = True) -> None:
        self.detector = default_detector()
        self.model = None
        if use_model:
            from bot.triage_model import default_model

            self.model = default_model()

    def __call__(self, text: str | None) -> Verdict:
        text = valid_unicode(text or "")
        if not text.strip():
            return NO_ALARM
        suppressed: list[str] = []
        flags: list[RedFlag] = self.detector.detect_all(text, suppressed=suppressed)
        found: list[Verdict] = [_verdict(f.kind, "lexicon", 0.0) for f in flags]
        if fever_from_numbers(text):
            found.append(_verdict("fever", "temperature", 0.0))
        score = 0.0
        if self.model is not None and len(text.split()) >= MIN_CLASSIFIER_WORDS:
            prediction = self.model.predict(text[:CLASSIFIER_CHARS])
            score = prediction.alarm
            careful = suppressed or context_set_aside(text)
            threshold = SUPPRESSED_THRESHOLD if careful else ALARM_THRESHOLD
            if prediction.alarm >= threshold:
                share = ESCALATION_SHARE if found else EMERGENCY_SHARE
                kind = prediction.strictest(share)
                if kind == "expected_decline" and not EXPECTED_CONTEXT.search(text.lower()):
                    # Reassurance ("these changes are expected") needs the words for it: the
                    # classifier's guess alone gets the plain nurse line.
                    kind = prediction.likeliest(NURSE, exclude=("expected_decline",)) or kind
                found.append(_verdict(kind, "classifier", score))
        if not found:
            return Verdict(tier=NONE, kind=NONE, label="", order="", reason="none", score=score)
        best = _settled(_expected(_strictest(found), found, text), text)
        return Verdict(best.tier, best.kind, best.label, best.order, best.reason, score)


def _strictest(found: list[Verdict]) -> Verdict:
    """The strictest tier; within it the lexicon's (or the temperature's) kind before the
    classifier's, and among those the strictest order of the calls."""
    return max(found, key=lambda v: (TIER_ORDER.get(v.tier, 0), v.reason != "classifier",
                                     ORDER_RANK.get(v.order, 0)))


def _expected(best: Verdict, found: list[Verdict], text: str) -> Verdict:
    """Nurse-tier signs that are all expected ones, in someone said to be in their last days,
    get the expected-decline reply."""
    if best.tier != NURSE or best.kind == "expected_decline":
        return best
    kinds = {v.kind for v in found if v.tier == NURSE}
    if kinds <= EXPECTED_SIGNS and LAST_DAYS.search(text.lower()):
        return _verdict("expected_decline", best.reason, best.score)
    return best


def _settled(best: Verdict, text: str) -> Verdict:
    """A sign that has passed ("the fit has stopped") keeps its tier with a calmer order."""
    settled = SETTLED_KIND.get(best.kind)
    if settled and SETTLED.search(text.lower()):
        return _verdict(settled, best.reason, best.score)
    return best


@lru_cache(maxsize=1)
def default_triage() -> Triage:
    return Triage()


def triage(text: str | None) -> Verdict:
    """The verdict for one message (the project's lexicon and classifier)."""
    return default_triage()(text)


__all__ = ["EMERGENCY", "NURSE", "NONE", "Verdict", "Triage", "triage", "fever_from_numbers"]
