"""Message splitting and configuration helpers shared by the channels."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.common import button_list, setting, split_text, utf16_len


def test_short_text_is_one_part():
    assert split_text("  Hello there.  ", 100) == ["Hello there."]
    assert split_text("", 100) == [] and split_text("   ", 10) == []


def test_paragraphs_are_preferred_then_lines_then_sentences():
    text = "First paragraph here.\n\nSecond one."
    assert split_text(text, 25) == ["First paragraph here.", "Second one."]
    assert split_text("Line one is here\nLine two", 20) == ["Line one is here", "Line two"]
    assert split_text("One sentence here. Another sentence.", 24) == [
        "One sentence here.", "Another sentence."]


def test_an_unbroken_run_is_cut_hard():
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_emoji_count_as_two_and_are_never_cut_in_half():
    parts = split_text("🙏" * 7, 4)
    assert parts == ["🙏🙏", "🙏🙏", "🙏🙏", "🙏"]
    assert utf16_len("🙏") == 2


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab c.\n🙏é")), max_size=400),
       st.integers(min_value=2, max_value=60))
def test_split_keeps_every_word_and_respects_the_limit(text, limit):
    parts = split_text(text, limit)
    assert all(0 < utf16_len(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_setting_treats_empty_and_null_as_unset():
    assert setting({"a": " x "}, "a") == "x"
    assert setting({"a": ""}, "a", "d") == "d"
    assert setting({"a": None}, "a", "d") == "d"
    assert setting(None, "a") == ""


def test_button_list_skips_malformed_buttons():
    assert button_list([{"title": "A", "payload": "/a"}, {"title": ""}, "x", {"title": "B"}]) \
        == [{"title": "A", "payload": "/a"}, {"title": "B", "payload": "B"}]


@pytest.mark.parametrize("limit", [0, -1])
def test_split_needs_a_positive_limit(limit):
    with pytest.raises(ValueError):
        split_text("x", limit)
