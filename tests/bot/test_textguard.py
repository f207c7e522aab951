"""The input guard: markup, length, empty and emoji-only messages, languages, medication asks."""

import pytest

from bot.textguard import MAX_CHARS, asks_about_medication, clean, other_language


def test_html_is_stripped_and_flagged() -> None:
    c = clean("<script>alert(1)</script><b>how often</b> should I massage?")
    assert "<" not in c.text and "how often" in c.text and c.had_html
    assert "alert" not in c.text  # script code is not something the caregiver said


def test_a_message_of_markup_only_is_empty() -> None:
    c = clean("<script>alert(1)</script>")
    assert c.empty and c.had_html and c.text == ""
    assert clean("<style>p {color: red}</style><p></p>").empty


def test_entities_are_decoded_once() -> None:
    assert clean("mum &amp; dad").text == "mum & dad"


def test_long_messages_are_capped_and_flagged() -> None:
    c = clean("word " * 1000)
    assert c.truncated and len(c.text) <= MAX_CHARS and c.original_length == 5000


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "...", "?!", None])
def test_empty(text: str) -> None:
    c = clean(text)
    assert c.empty and not c.emoji_only


@pytest.mark.parametrize("text", ["😊", "🙏🙏", "👍 ❤️"])
def test_emoji_only(text: str) -> None:
    c = clean(text)
    assert c.empty and c.emoji_only


def test_control_characters_removed() -> None:
    assert clean("hi\x00\x07 there").text == "hi there"


@pytest.mark.parametrize(
    "text,language",
    [
        ("hola, mi madre tiene mucho dolor", "Spanish"),
        ("bonjour, comment masser ma mère ?", "French"),
        ("Hallo, wie kann ich meiner Mutter helfen?", "German"),
        ("olá, minha mãe está com dor", "Portuguese"),
        ("ciao, mia madre ha dolore, come posso aiutare?", "Italian"),
        ("здравствуйте, как делать массаж?", "Russian or another language in Cyrillic script"),
        ("مرحبا كيف يمكنني المساعدة", "Arabic"),
        ("你好，我妈妈很痛", "Chinese or Japanese"),
        ("hola", "Spanish"),
    ],
)
def test_other_languages_are_recognised(text: str, language: str) -> None:
    assert other_language(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "how often should I massage my mum?",
        "is it safe with cancer",
        "hello",
        "my ma has dementia",
        "can I use lotion on her hands?",
        "she is on a PICC line",
        "thanks",
        "ok",
        "6",
        "Dé-ja vu, the café was nice",
    ],
)
def test_english_is_english(text: str) -> None:
    assert other_language(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "how much morphine can I give her?",
        "can I give him another painkiller?",
        "should I increase her dose?",
        "is it safe to mix lorazepam with her pain meds?",
        "when can she take her next pill",
        "can I crush his tablets",
    ],
)
def test_medication_questions(text: str) -> None:
    assert asks_about_medication(text)


@pytest.mark.parametrize(
    "text",
    [
        "he is on warfarin",
        "she takes blood thinners, is massage safe?",
        "how often should I massage her?",
        "does massage replace medication?",
    ],
)
def test_mentions_are_not_medication_questions(text: str) -> None:
    assert not asks_about_medication(text)


def test_lone_surrogates_and_nuls_become_valid_text() -> None:
    """Half an emoji made spaCy (and the stores) fail; it is now a replacement character."""
    from bot.textguard import valid_unicode

    assert valid_unicode("chest pain \ud83d") == "chest pain \ufffd"
    assert valid_unicode("a\x00b\udfff") == "ab\ufffd"
    assert valid_unicode("ok 😀") == "ok 😀"  # a whole emoji stays
    assert clean("chest pain \ud83d").text == "chest pain \ufffd"
    clean("chest pain \ud83d").text.encode("utf-8")  # encodable


def test_escaped_markup_is_stripped_not_decoded_into_markup() -> None:
    """Entities were decoded after tags were stripped: "&lt;img onerror=...&gt;" came out
    as a real tag for any client that renders HTML."""
    for raw in ("&lt;img src=x onerror=alert(1)&gt;hi", "&lt;b&gt;hi&lt;/b&gt;",
                "&#60;script&#62;alert(1)&#60;/script&#62;hi"):
        text = clean(raw).text
        assert "<" not in text and ">" not in text, text
        assert text.endswith("hi")
