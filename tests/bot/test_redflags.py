"""Red flags always win: phrasings that must escalate, and near-misses that must not."""

import pytest

from bot.redflags import EMERGENCY, NURSE, detect

MUST_ESCALATE = [
    # emergency services
    ("she says she has chest pain", EMERGENCY),
    ("he's got a crushing pain in his chest", EMERGENCY),
    ("her chest feels really tight and it hurts", EMERGENCY),
    ("chest pian all of a sudden", EMERGENCY),
    ("mum cant breathe", EMERGENCY),
    ("he can't breathe properly and is gasping", EMERGENCY),
    ("she is struggling to breathe", EMERGENCY),
    ("sudden bad trouble breathing", EMERGENCY),
    ("his lips are turning blue", EMERGENCY),
    ("he is coughing up blood", EMERGENCY),
    ("there was blood when she coughed", EMERGENCY),
    ("she fainted while I was massaging her feet", EMERGENCY),
    ("dad just passed out", EMERGENCY),
    ("he collapsed in the bathroom", EMERGENCY),
    ("she is bleeding heavily from her wound", EMERGENCY),
    ("the bleeding won't stop", EMERGENCY),
    ("there's a lot of blood on the sheets", EMERGENCY),
    ("bleding badly from the drain site", EMERGENCY),
    ("I want to end my life", EMERGENCY),
    # hospice nurse line
    ("his left calf is swollen, red and warm", NURSE),
    ("her leg is suddenly swollen and painful", NURSE),
    ("I think he might have a blood clot in his leg", NURSE),
    ("she has a fever", NURSE),
    ("he's running a high temperature", NURSE),
    ("she seems feverish tonight", NURSE),
    ("the morphine isn't helping her pain at all", NURSE),
    ("he is in agony even after his dose", NURSE),
    ("she's screaming in pain", NURSE),
    ("mum is suddenly confused and doesn't recognise me", NURSE),
    ("he has become very agitated tonight", NURSE),
    ("she fell out of bed this morning", NURSE),
    ("dad had a fall in the kitchen", NURSE),
    ("I can't cope anymore", NURSE),
    ("I'm completely overwhelmed", NURSE),
    ("im so overwhelmd i cant do this anymore", NURSE),
    ("she has a feverr and chills", NURSE),
]

MUST_NOT_ESCALATE = [
    "she had a clot years ago and it was treated",
    "how do I avoid bruising?",
    "no chest pain, she is just tired",
    "she doesn't have a fever",
    "he has no fever today",
    "can massage cause a blood clot?",
    "how do I prevent her from falling?",
    "she fell asleep during the hand massage",
    "he fell asleep halfway through",
    "what are the signs of a clot?",
    "is it safe with cancer?",
    "can massage help with her breathing?",
    "I'd like to try the breathing exercise",
    "how long should a session last?",
    "does it help with pain?",
    "she has pain in her back, can I massage her shoulders?",
    "he is on blood thinners",
    "her blood pressure is low",
    "what if she is unconscious?",
    "my mum has dementia and gets a bit confused in the evenings sometimes",
    "how warm should the room be?",
    "what temperature should the room be?",
    "her feet are a bit swollen, can I still massage them?",
    "thank you, that was helpful",
    "hello",
    "she smiled and relaxed",
    "he sighed and his breathing slowed",
    "can I use lotion on her hands?",
    "the clot in her leg was treated last year",
    "she had a fall in 2019 but she is fine now",
    "he hasn't had a fever for days",
    "does massage help with agitation in dementia?",
    "how do I tell if she's in pain when she can't speak?",
    "my back hurts from lifting him",
]


@pytest.mark.parametrize("text,tier", MUST_ESCALATE)
def test_red_flags_escalate(text: str, tier: str) -> None:
    flag = detect(text)
    assert flag is not None, f"missed a red flag: {text!r}"
    assert flag.tier == tier, f"{text!r}: {flag}"


@pytest.mark.parametrize("text", MUST_NOT_ESCALATE)
def test_near_misses_do_not_escalate(text: str) -> None:
    assert detect(text) is None, f"false alarm on {text!r}: {detect(text)}"


def test_counts_meet_the_safety_bar() -> None:
    assert len(MUST_ESCALATE) >= 30 and len(MUST_NOT_ESCALATE) >= 30


def test_strictest_tier_wins_when_both_are_present() -> None:
    flag = detect("she has a fever and now chest pain")
    assert flag is not None and flag.tier == EMERGENCY


@pytest.mark.parametrize("text", ["", "   ", "😊😊", "<b>hi</b>", "x" * 5000])
def test_odd_input_never_crashes(text: str) -> None:
    detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "anything i should never do when massaging her",
        "massage for someone who is passing away",
        "he has dementia and gets agitated, would massage calm him",
        "he gets really restless at night, would massage help",
    ],
)
def test_common_words_are_not_mistaken_for_typos(text: str) -> None:
    assert detect(text) is None, detect(text)


def test_a_red_flag_is_found_however_far_into_a_long_message() -> None:
    """Only the first 2,000 characters were read: the widget allows 4,000, Socket.IO 20,000."""
    filler = "we had a quiet morning and she ate a little toast. "
    for repeats in (0, 50, 400):
        flag = detect(filler * repeats + "now she says her chest is crushing")
        assert flag is not None and flag.kind == "chest_pain", repeats


def test_a_red_flag_across_a_window_edge_is_found() -> None:
    from bot.redflags import CHUNK, windows

    for shift in range(0, 40, 3):
        text = "x " * ((CHUNK - 10 + shift) // 2) + "she is coughing up blood"
        assert detect(text) is not None, shift
    pieces = list(windows("word " * 2000))
    assert all(len(p) <= CHUNK for p in pieces) and len(pieces) > 4


def test_half_an_emoji_does_not_silence_a_red_flag() -> None:
    flag = detect("my husband has chest pain \ud83d")
    assert flag is not None and flag.tier == "emergency"


def test_a_bare_on_or_no_in_a_pattern_is_refused() -> None:
    """YAML reads a bare `on` as true: {LOWER: on} silently matched nothing, then broke the
    whole matcher; the lexicon now refuses it with a clear message."""
    from bot.redflags import _check_strings

    with pytest.raises(ValueError, match="quote it"):
        _check_strings([{"LOWER": True}], "redflags.yml")
    _check_strings([{"LOWER": "on"}, {"LIKE_NUM": True}], "redflags.yml")  # fine
