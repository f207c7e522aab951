"""Readability of everything the bot says about care: short sentences, medical words explained
where they are used, calm wording, and nurse-line replies that say "now" without "today".

The texts are the ones on the review sheet (scripts/content_review.py): every FAQ answer and
"more", screen question, condition verdict and advice, routine step (with its variants),
estimate line and red-flag reply, plus the escalation wording in redflags.yml.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import content_review  # noqa: E402

from bot.redflags import red_flag_reply  # noqa: E402

MAX_WORDS = 25
SENTENCE = re.compile(r"(?<=[.!?])[\"')]?\s+")
WORD = re.compile(r"[A-Za-z0-9]")
HOSPICE, EMERGENCY = "[the hospice line]", "[the emergency number]"

# A medical word, and what must be said in the same text to explain it in passing.
JARGON = {
    r"lymph(?:o)?edema|lymphoedema": r"swell",
    r"\bplatelets?\b": r"cells that help|blood cells",
    r"metastas": r"spread",
    r"effleurage": r"glid",
    r"petrissage": r"knead",
    r"tapotement": r"tapping",
    r"reflexology|acupressure": r"pressing on points|press",
    r"neuropath": r"nerve",
    r"\b(?:o|)edema\b": r"swell",
    r"oxytocin": r"hormone",
    r"dyspn": r"breath",
    r"thrombocytopenia": r"platelet",
    r"parasympathetic": r"rest",
    r"\bdvt\b|thrombosis": r"clot",
}
# Lines that frighten without helping.
FRIGHTENING = re.compile(
    r"\bbreak (?:easily|under)|\bcan break\b|\bcould (?:loosen|kill)\b|\bfatal\b|\bdeadly\b|"
    r"\bdangerous\b|\bwill die\b|\bloosen (?:it|the clot)\b",
    re.IGNORECASE,
)
# Texts that are the sheet's own explanations, not something the bot says.
SHEET_ONLY = {"Counts as"}


def _texts() -> list[tuple[str, str]]:
    out = []
    for item in content_review.collect_items():
        for label, text in item.texts:
            if label not in SHEET_ONLY:
                out.append((f"{item.id} [{label}]", text))
    data = yaml.safe_load((ROOT / "bot/content/redflags.yml").read_text(encoding="utf-8"))
    for key, template in data["messages"].items():
        out.append((f"redflags.yml messages.{key}", _fill(template, "a fever")))
    return out


def _fill(template: str, label: str) -> str:
    return " ".join(template.split()).format(label=label, Label=label.capitalize(),
                                             hospice=HOSPICE, emergency=EMERGENCY)


TEXTS = _texts()


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE.split(text.strip()) if s.strip()]


def words(sentence: str) -> int:
    return len([w for w in sentence.split() if WORD.search(w)])


def test_there_is_something_to_read() -> None:
    assert len(TEXTS) > 300


@pytest.mark.parametrize("where, text", TEXTS, ids=[w for w, _ in TEXTS])
def test_sentences_are_short(where: str, text: str) -> None:
    long = [s for s in sentences(text) if words(s) > MAX_WORDS]
    assert not long, f"{where}: sentences over {MAX_WORDS} words: {long}"


@pytest.mark.parametrize("where, text", TEXTS, ids=[w for w, _ in TEXTS])
def test_medical_words_are_explained_where_they_are_used(where: str, text: str) -> None:
    for word, explanation in JARGON.items():
        if re.search(word, text, re.IGNORECASE):
            assert re.search(explanation, text, re.IGNORECASE), (
                f"{where}: {word!r} is not explained ({explanation!r}): {text}")


@pytest.mark.parametrize("where, text", TEXTS, ids=[w for w, _ in TEXTS])
def test_calm_wording(where: str, text: str) -> None:
    assert not FRIGHTENING.search(text), f"{where}: {text}"


def test_the_examples_of_the_issue_are_gone() -> None:
    everything = " ".join(text for _, text in TEXTS).lower()
    assert "fragile bones can break" not in everything
    assert "could loosen it" not in everything
    session = next(text for where, text in TEXTS if where == "faq/session_length [Answer]")
    ranges = re.findall(r"\d+ to \d+", session)
    assert len(ranges) <= 1, session  # one range for home, not three that conflict


def _nurse_kinds() -> list[str]:
    data = yaml.safe_load((ROOT / "bot/content/redflags.yml").read_text(encoding="utf-8"))
    return [k for k, spec in data["kinds"].items() if spec["tier"] == "nurse"]


def test_the_nurse_line_wording_says_now_not_today() -> None:
    data = yaml.safe_load((ROOT / "bot/content/redflags.yml").read_text(encoding="utf-8"))
    for key in ("nurse", "overwhelmed"):
        text = _fill(data["messages"][key], "a fever").lower()
        assert "now" in text and "today" not in text, text


def test_nurse_line_replies_say_now_not_today() -> None:
    for kind in _nurse_kinds():
        reply = red_flag_reply(kind, "nurse", HOSPICE, EMERGENCY).lower()
        assert not ("today" in reply and re.search(r"\bnow\b", reply)), reply
