"""The held-out test sets in tests/data/ are never trained on, and are well formed.

tests/data/triage/ (red flags: emergency, nurse line, near misses) and
tests/data/understanding/ (FAQ questions; conditions, estimates, routines, menu words,
pause/resume) were written in a caregiver's voice from bot/content and the sources alone,
before the training data changed, by writers who did not read data/ or the examples;
triage_blind/ and understanding_blind/ the same way, after the tuning, and are only measured.
They judge understanding on messages the model never saw: no message of theirs may appear in
data/ or bot/content/ (after folding case, punctuation and spaces). A missed test message
is never copied into training; different examples of what it lacked are added instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "tests" / "data"
TRIAGE = {"emergency": 150, "nurse": 150, "near_miss": 150}
UNDERSTANDING = {"faq": 200, "requests": 200}
# Written after the triage was tuned, from the sources alone: measured, never tuned against.
TRIAGE_BLIND = {"emergency": 70, "nurse": 70, "near_miss": 70}
# Written after the understanding was tuned (issue 15), from bot/content's prose and the sources
# alone: measured, never tuned against.
UNDERSTANDING_BLIND = {"faq": 140, "requests": 135}
NON_WORD = re.compile(r"[^\w]+")


def norm(text: str) -> str:
    return NON_WORD.sub(" ", text.lower()).strip()


def load(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["messages"])


def strings(node: Any) -> Iterator[str]:
    """Every string in a YAML tree, and every line of the NLU examples blocks."""
    if isinstance(node, str):
        yield node
        for line in node.splitlines():
            yield line.strip().lstrip("-").strip()
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


@lru_cache(maxsize=1)
def trained_on() -> frozenset[str]:
    """Everything the model or the rules could have seen, normalised."""
    found = set()
    for path in [*ROOT.glob("data/**/*.yml"), *ROOT.glob("bot/content/**/*.yml"),
                 ROOT / "domain.yml", ROOT / "tests" / "test_stories.yml"]:
        found.update(norm(s) for s in strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    found.discard("")
    return frozenset(found)


def all_sets() -> list[tuple[str, Path]]:
    return [(f"triage/{name}", SETS / "triage" / f"{name}.yml") for name in TRIAGE] + \
        [(f"triage_blind/{name}", SETS / "triage_blind" / f"{name}.yml")
         for name in TRIAGE_BLIND] + \
        [(f"understanding/{name}", SETS / "understanding" / f"{name}.yml")
         for name in UNDERSTANDING] + \
        [(f"understanding_blind/{name}", SETS / "understanding_blind" / f"{name}.yml")
         for name in UNDERSTANDING_BLIND]


@pytest.mark.parametrize("name, path", all_sets())
def test_no_held_out_message_is_in_the_training_data_or_content(name, path):
    # A typed menu word ("hand", "Fell asleep") is the button's own title or part of it, which
    # the content holds by definition: those test that a typed title works as the button.
    leaked = [m["text"] for m in load(path)
              if m.get("kind") != "menu" and norm(m["text"]) in trained_on()]
    assert not leaked, f"{name}: held-out messages found in data/ or bot/content/: {leaked}"


@pytest.mark.parametrize("name, path", all_sets())
def test_each_set_is_big_enough_and_has_no_repeats(name, path):
    texts = [norm(m["text"]) for m in load(path)]
    folder, stem = name.split("/")
    minimum = {"triage": TRIAGE, "triage_blind": TRIAGE_BLIND,
               "understanding": UNDERSTANDING,
               "understanding_blind": UNDERSTANDING_BLIND}[folder][stem]
    assert len(texts) >= minimum
    assert len(texts) == len(set(texts))
    typos = sum(1 for m in load(path) if m.get("typo") is True)
    assert 0.25 <= typos / len(texts) <= 0.45  # about a third carry typos


def test_the_sets_do_not_share_messages():
    seen: dict[str, str] = {}
    for name, path in all_sets():
        for m in load(path):
            key = norm(m["text"])
            assert key not in seen, f"{m['text']!r} is in {seen.get(key)} and {name}"
            seen[key] = name


def test_the_labels_name_real_content():
    faq = {t["id"] for t in yaml.safe_load((ROOT / "bot/content/faq.yml").read_text())["topics"]}
    conditions = {c["id"] for c in yaml.safe_load(
        (ROOT / "bot/content/conditions.yml").read_text())["conditions"]}
    folders = ("understanding", "understanding_blind")
    for m in (m for f in folders for m in load(SETS / f / "faq.yml")):
        assert m["topic"] in faq and m.get("also", m["topic"]) in faq, m
    for m in (m for f in folders for m in load(SETS / f / "requests.yml")):
        if m["kind"] == "condition":
            assert m["condition"] in conditions, m
        if m["kind"] == "routine":
            assert m["routine"] in ("hand", "foot"), m
            assert m.get("variant", "standard") in ("standard", "unconscious", "dementia",
                                                    "tired"), m
        if m["kind"] == "estimate":
            assert all(0 <= m[k] <= 10 for k in ("pain", "anxiety") if k in m), m
    for m in load(SETS / "triage" / "emergency.yml"):
        assert m["order"] in ("immediate", "hospice_first"), m
