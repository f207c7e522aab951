"""Reading caregivers' replies: ratings, frequency, duration, ratings given in passing."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing import (
    DONT_KNOW,
    INVALID,
    OK,
    OUT_OF_RANGE,
    ParseResult,
    extract_ratings,
    parse_duration_weeks,
    parse_frequency,
    parse_rating,
)

# --- ratings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("6", 6),
        ("6/10", 6),
        ("6 / 10", 6),
        ("6 out of 10", 6),
        ("6 out of ten", 6),
        ("six", 6),
        ("Six.", 6),
        ("about 7", 7),
        ("around 7ish", 7),
        ("7ish", 7),
        ("7.5", 7.5),
        ("it's 8", 8),
        ("it\u2019s 8", 8),
        ("pain is 6", 6),
        ("she'd say a 4", 4),
        ("0", 0),
        ("zero", 0),
        ("10", 10),
        ("10/10", 10),
        ("ten", 10),
        ("none", 0),
        ("no pain", 0),
        ("seven and a half", 7.5),
        ("6-7", 6.5),
        ("6 or 7", 6.5),
        ("between 6 and 7", 6.5),
        ("8 to 9 out of 10", 8.5),
        ("3 out of 5", 6),
        ("on a scale of 1 to 10 she's a 7", 7),
        ("I don't know, maybe 6", 6),
        ("at 6pm it was 7", 7),
        ("<b>5</b>", 5),
        ("  5  ", 5),
    ],
)
def test_rating_accepted(text, value):
    result = parse_rating(text)
    assert result == ParseResult(OK, float(value))
    assert result.ok


@pytest.mark.parametrize("text, value", [("eleven", 11), ("-2", -2), ("15", 15), ("100", 100),
                                         ("twenty", 20), ("10.5", 10.5)])
def test_rating_out_of_range(text, value):
    assert parse_rating(text) == ParseResult(OUT_OF_RANGE, float(value))


@pytest.mark.parametrize(
    "text",
    ["don't know", "dont know", "I do not know", "not sure", "Not really sure", "no idea",
     "idk", "IDK", "skip", "skip it", "unsure", "dunno", "hard to say", "can't tell"],
)
def test_rating_dont_know(text):
    assert parse_rating(text) == ParseResult(DONT_KNOW)


@pytest.mark.parametrize(
    "text",
    ["a lot", "bad", "terrible", "asdfgh", "", "   ", "someone", "often", "6 hours", "6/7",
     "\u202e\u0000", None, float("nan"), object()],
)
def test_rating_invalid(text):
    assert parse_rating(text).status == INVALID
    assert parse_rating(text).value is None


def test_rating_accepts_numbers():
    assert parse_rating(7) == ParseResult(OK, 7.0)
    assert parse_rating(7.5) == ParseResult(OK, 7.5)
    assert parse_rating(12).status == OUT_OF_RANGE
    assert parse_rating(True).status == INVALID


# --- frequency ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("twice a week", 2),
        ("Twice a week.", 2),
        ("every day", 7),
        ("daily", 7),
        ("everyday", 7),
        ("3 times a week", 3),
        ("three times a week", 3),
        ("once a week", 1),
        ("every other day", 3.5),
        ("2x/week", 2),
        ("2x a week", 2),
        ("2 x per week", 2),
        ("twice weekly", 2),
        ("weekly", 1),
        ("4 days a week", 4),
        ("a couple of times a week", 2),
        ("a few times a week", 3),
        ("2-3 times a week", 2.5),
        ("every 2 days", 3.5),
        ("every three days", 2.33),
        ("twice a day", 14),
        ("once a day", 7),
        ("weekdays", 5),
        ("monday, wednesday and friday", 3),
        ("3", 3),
        ("twice", 2),
        ("we'll do it every evening", 7),
    ],
)
def test_frequency_accepted(text, value):
    assert parse_frequency(text) == ParseResult(OK, float(value))


@pytest.mark.parametrize("text", ["once a month", "once every two weeks", "20", "3 times a day",
                                  "0"])
def test_frequency_out_of_range(text):
    assert parse_frequency(text).status == OUT_OF_RANGE


@pytest.mark.parametrize("text, status", [("not sure", DONT_KNOW), ("idk", DONT_KNOW),
                                          ("often", INVALID), ("", INVALID),
                                          ("whenever", INVALID)])
def test_frequency_other(text, status):
    assert parse_frequency(text).status == status


# --- duration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("for a month", 4),
        ("a month", 4),
        ("one month", 4),
        ("two weeks", 2),
        ("2 weeks", 2),
        ("3 weeks", 3),
        ("a week", 1),
        ("6 weeks", 6),
        ("for two months", 8),
        ("a fortnight", 2),
        ("10 days", 1.43),
        ("a month and a half", 6),
        ("two and a half weeks", 2.5),
        ("half a month", 2),
        ("4-6 weeks", 5),
        ("a couple of weeks", 2),
        ("a few weeks", 3),
        ("a year", 52),
        ("3", 3),
    ],
)
def test_duration_accepted(text, value):
    assert parse_duration_weeks(text) == ParseResult(OK, float(value))


@pytest.mark.parametrize("text", ["3 days", "2 years", "100 weeks", "0"])
def test_duration_out_of_range(text):
    assert parse_duration_weeks(text).status == OUT_OF_RANGE


@pytest.mark.parametrize("text, status", [("not sure", DONT_KNOW), ("no idea", DONT_KNOW),
                                          ("until the end", INVALID), ("", INVALID)])
def test_duration_other(text, status):
    assert parse_duration_weeks(text).status == status


# --- ratings given in passing ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("her pain is 6 and anxiety 8", {"pain": 6, "anxiety": 8}),
        ("pain 6/10, anxiety about seven", {"pain": 6, "anxiety": 7}),
        ("anxiety is 8", {"anxiety": 8}),
        ("Pain is 6", {"pain": 6}),
        ("6 for pain and 8 for anxiety", {"pain": 6, "anxiety": 8}),
        ("the pain in her hip is 6", {"pain": 6}),
        ("pain and anxiety are both 7", {"pain": 7, "anxiety": 7}),
        ("on a scale of 1-10 pain is 6", {"pain": 6}),
        ("she's anxious, about a 7", {"anxiety": 7}),
        ("her pain seems like a 5 today, anxiety 3/10", {"pain": 5, "anxiety": 3}),
        ("pain: 4.5", {"pain": 4.5}),
        ("anxiety 8, pain 2", {"pain": 2, "anxiety": 8}),
    ],
)
def test_extract_ratings(text, expected):
    assert extract_ratings(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "pain was bad, she took 2 tablets",
        "pain 6 hours ago",
        "pain medication at 6pm",
        "pain is one of her worst problems",
        "she is in pain",
        "painting at 6",
        "pain is 15",
        "how do I help with anxiety?",
        "",
    ],
)
def test_extract_ratings_finds_nothing(text):
    assert extract_ratings(text) == {}


def test_extract_ratings_returns_ints_for_whole_numbers():
    found = extract_ratings("pain is 6")
    assert found == {"pain": 6} and isinstance(found["pain"], int)


# --- robustness --------------------------------------------------------------------------

NASTY = [
    "6" * 100_000,
    "pain " * 20_000 + "is 6",
    "<script>alert('6')</script>",
    "\u0000\u200b\ufeff\ud7ff",
    "\U0001f600 six \U0001f600",
    "\u0666",  # Arabic-Indic six
    "\uff16",  # full-width six
    "-" * 1000,
    "1e308",
    "9" * 40,
    "anxiety " + "about " * 500 + "7",
]


@pytest.mark.parametrize("text", NASTY)
@pytest.mark.parametrize("fn", [parse_rating, parse_frequency, parse_duration_weeks])
def test_never_raises_on_nasty_input(fn, text):
    result = fn(text)
    assert result.status in (OK, OUT_OF_RANGE, DONT_KNOW, INVALID)


@pytest.mark.parametrize("text", NASTY)
def test_extract_never_raises_on_nasty_input(text):
    found = extract_ratings(text)
    assert set(found) <= {"pain", "anxiety"}
    assert all(0 <= v <= 10 for v in found.values())


def _check(result: ParseResult, lo: float, hi: float) -> None:
    assert result.status in (OK, OUT_OF_RANGE, DONT_KNOW, INVALID)
    if result.status == OK:
        assert lo <= result.value <= hi
    elif result.status == OUT_OF_RANGE:
        assert result.value is not None and not lo <= result.value <= hi
    else:
        assert result.value is None


vocabulary = st.sampled_from(
    ["pain", "anxiety", "is", "about", "6", "7.5", "ten", "/10", "out of", "a", "week", "weeks",
     "month", "day", "every", "other", "twice", "times", "x", "-", "and", "half", ",", "idk",
     "not sure", "for", "<b>", "\u2019s", "ish", "between", "or", "to", "scale", "1", "0"]
)
phrases = st.lists(vocabulary, max_size=12).map(" ".join)
any_text = st.text(max_size=300) | phrases


@settings(max_examples=400, deadline=None)
@given(any_text)
def test_property_parsers_never_raise(text):
    _check(parse_rating(text), 0, 10)
    _check(parse_frequency(text), 1, 14)
    _check(parse_duration_weeks(text), 1, 52)
    found = extract_ratings(text)
    assert set(found) <= {"pain", "anxiety"}
    assert all(0 <= v <= 10 for v in found.values())


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10) | st.decimals(min_value=0, max_value=10,
                                                           places=1).map(float))
def test_property_plain_numbers_round_trip(value):
    for text in (f"{value}", f"{value}/10", f"about {value}", f"{value} out of 10"):
        assert parse_rating(text) == ParseResult(OK, float(value))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=10))
def test_property_extract_both(pain, anxiety):
    text = f"her pain is {pain} and anxiety {anxiety}"
    assert extract_ratings(text) == {"pain": pain, "anxiety": anxiety}


@pytest.mark.parametrize("text, expected", [
    ("pain about 4 and her nerves maybe 6", {"pain": 4, "anxiety": 6}),
    ("he's scared, I'd put it at 8", {"anxiety": 8}),
    ("stress is a 3 today", {"anxiety": 3}),
])
def test_worry_fear_and_nerves_count_as_anxiety(text, expected):
    from bot.parsing import extract_ratings

    assert extract_ratings(text) == expected


# --- ratings in estimate openings (issue #15) -------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("she rates her pain a 7 and her worry a 5, how much could massage help?",
         {"pain": 7, "anxiety": 5}),
        ("pain 4 anxiety 7 what could massage do", {"pain": 4, "anxiety": 7}),
        ("hes really anxious, id say 9 out of 10, would massage calm him", {"anxiety": 9}),
        ("her pain is about a 6, would massage help", {"pain": 6}),
        ("pain 7/10, could massage ease it", {"pain": 7}),
        ("he's nervous, about a seven", {"anxiety": 7}),
        ("his nerves are a 6", {"anxiety": 6}),
        ("mum is very anxious (8/10) will massage help", {"anxiety": 8}),
        ("his pain has been 6 all week", {"pain": 6}),
        ("her pain is bad, 8 out of 10", {"pain": 8}),
        ("her pain, i'd say, about 6", {"pain": 6}),
        ("I'd give her pain a 5 and her fear a 9", {"pain": 5, "anxiety": 9}),
        ("she's hurting, maybe a 6", {"pain": 6}),
        ("her pain and her worry are both about 6", {"pain": 6, "anxiety": 6}),
        ("anxeity 8 pian 3", {"pain": 3, "anxiety": 8}),  # common misspellings
        ("he's really anxious, honestly I'd put him at 9 out of 10", {"anxiety": 9}),
    ],
)
def test_extract_ratings_in_estimate_openings(text, expected):
    assert extract_ratings(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "pain meds at 6",
        "she's anxious, 2 kids at home",
        "she has been in pain for 3 nights",
        "he's anxious about his 2 grandchildren",
        "she's worried about the 3 tablets",
    ],
)
def test_extract_ratings_leaves_counts_and_times_alone(text):
    assert extract_ratings(text) == {}


# A rating that refers back to the one symptom the question named.
@pytest.mark.parametrize("text, expected", [
    ("could a foot rub ease her pain? she reckons it is a 6", {"pain": 6}),
    ("would massage settle his nerves? I would say about a 7", {"anxiety": 7}),
    ("would it help her pain, its a 4 today", {"pain": 4}),
    ("is a hand massage any good for worry? she's at a 9 most nights", {"anxiety": 9}),
    # not a rating: a duration, a time, a range, a count of tablets
    ("would massage help his pain? he has had it for 3 days", {}),
    ("would massage help his pain? its 10 past 3", {}),
    ("would massage help her pain? its a 5 or 6", {}),
    ("help with the pain? she had 2 tablets", {}),
    # two symptoms named: "it" is ambiguous, only the rated one counts
    ("would it help pain and worry? it's a 5", {}),
    ("it is a 5 and his anxiety is 3, pain too", {"anxiety": 3}),
    # today's rating, not yesterday's; two ratings of "it" now: ambiguous
    ("would massage help his pain? it's a 5 today, it was a 7 yesterday", {"pain": 5}),
    ("would massage help his pain? I'd say it's a 5, he says it's a 7", {}),
])
def test_a_rating_referring_back_to_the_one_symptom_named(text, expected):
    assert extract_ratings(text) == expected
