"""bot.spelling: which words it corrects, which it never touches, and the vocabulary it trusts."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.spelling import CONTENT, MIN_LETTERS, Speller, get_speller, project_vocabulary


@pytest.fixture(scope="module")
def speller() -> Speller:
    return get_speller()


@pytest.mark.parametrize("typed, meant", [
    ("pian", "pain"),            # a transposition beats a more frequent word ("plan")
    ("swolen", "swollen"),       # a letter undoubled
    ("clott", "clot"),           # a letter doubled beats "cloth"
    ("bleading", "bleeding"),    # the project's word beats the commoner "leading"
    ("massge", "massage"),
    ("unconcious", "unconscious"),
    ("temprature", "temperature"),
    ("brething", "breathing"),
    ("rubbin", "rubbing"),       # the dropped g
    ("hospise", "hospice"),
    ("dimentia", "dementia"),
    ("tabelts", "tablets"),
])
def test_common_slips_are_corrected(speller: Speller, typed: str, meant: str) -> None:
    assert speller.correct(typed) == meant


@pytest.mark.parametrize("word", [
    "mum", "nan", "nans", "hubby", "nite", "abit", "dont", "gonna",   # the caregiver's words
    "DVT", "PICC", "COPD",                                          # capitals
    "38.5", "2x", "b12",                                             # digits and signs
    "sesh",                                                          # four letters, unsure
    "effleurage", "lymphoedema",                                     # the project's own words
    "fever", "bleeding", "seizure", "chest",                         # words it knows
])
def test_words_it_must_not_change(speller: Speller, word: str) -> None:
    assert speller.correct(word) == word


def test_short_words_are_never_changed(speller: Speller) -> None:
    for word in ("hr", "ok", "teh", "fal", "bld"):
        assert len(word) < MIN_LETTERS
        assert speller.correct(word) == word


def test_correct_text_keeps_everything_but_the_misspelt_words(speller: Speller) -> None:
    assert (speller.correct_text("Mum's in pian, can I massge her hands? 38.5 temp")
            == "Mum's in pain, can I massage her hands? 38.5 temp")


def test_every_prose_word_of_the_content_is_known(speller: Speller) -> None:
    """The bot's own words are never 'corrected' into something else."""
    vocabulary = project_vocabulary()
    assert {"effleurage", "hospice", "lymphoedema", "swollen"} <= vocabulary
    for word in vocabulary:
        assert speller.correct(word) == word


def test_typed_word_lists_are_not_vocabulary() -> None:
    """FAQ examples, lay terms and red-flag patterns hold deliberate misspellings: if they were
    vocabulary, the speller would keep "fevr" as it is."""
    vocabulary = project_vocabulary()
    conditions = yaml.safe_load((CONTENT / "conditions.yml").read_text(encoding="utf-8"))
    typed = {w for c in conditions["conditions"] for t in c.get("terms") or []
             for w in re.findall(r"[a-z]+", t.lower())}
    assert "fevr" in typed and "fevr" not in vocabulary
    assert Speller(vocabulary).correct("fevr") == "fever"
