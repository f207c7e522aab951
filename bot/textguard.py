"""What arrives before understanding: clean the text and say what is odd about it.

- Text is made valid Unicode first: a lone surrogate (half an emoji, "\\udfff" in JSON) becomes
  U+FFFD and NUL is dropped, so nothing downstream (spaCy, SQLite, PostgreSQL) fails on it.
- Entities are decoded, then HTML tags stripped, so "<b>hi</b>" is read as "hi" and
  "&lt;img onerror=...&gt;" never turns back into markup (replies never echo user text as
  markup).
- Very long messages are cut to MAX_CHARS and flagged, so the bot can say it read the start.
- Empty or emoji-only messages are flagged.
- Messages in another language are recognised by script (Cyrillic, Arabic, CJK...) or by
  common function words of the main European languages, deterministically and without a model.
- Medication and dose questions are recognised so they are never answered (kindly pointed to
  the hospice nurse or pharmacist).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 500
# A lone UTF-16 surrogate: Python keeps one from JSON ("\\ud83d" without its pair), but it
# cannot be encoded as UTF-8, so spaCy, SQLite and PostgreSQL each fail on it.
SURROGATE = re.compile("[\ud800-\udfff]")

TAG = re.compile(r"<[^>]{0,200}>")
# Code inside <script> or <style> is not something the caregiver said: drop it with its tags.
CODE_BLOCK = re.compile(r"<(script|style)\b[^>]{0,200}>.*?(?:</\1\s*>|$)", re.I | re.S)
SPACE = re.compile(r"\s+")
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Function words that are common in each language and rare in English caregiver messages.
LANGUAGE_WORDS: dict[str, set[str]] = {
    "Spanish": {"el", "la", "los", "las", "es", "está", "que", "por", "para", "con", "una",
                "mi", "madre", "padre", "hola", "gracias", "cómo", "como", "puedo", "tiene",
                "muy", "pero", "también", "dolor", "masaje", "ella", "él", "ayuda", "qué"},
    "French": {"le", "les", "est", "je", "vous", "avec", "pour", "une", "mon", "ma", "mère",
               "père", "bonjour", "merci", "comment", "peux", "elle", "il", "très", "mais",
               "aussi", "douleur", "massage", "aide", "qui", "quoi", "nous", "des", "du", "sur"},
    "German": {"der", "die", "das", "ist", "ich", "nicht", "und", "mit", "ein", "eine",
               "meine", "mutter", "vater", "hallo", "danke", "wie", "kann", "sie", "er",
               "sehr", "aber", "auch", "schmerzen", "hilfe", "was", "wir", "bitte"},
    "Portuguese": {"o", "os", "as", "é", "não", "com", "uma", "minha", "mãe", "pai", "olá",
                   "obrigado", "obrigada", "como", "posso", "ela", "ele", "muito", "mas",
                   "também", "dor", "ajuda", "você", "está"},
    "Italian": {"il", "lo", "gli", "è", "non", "con", "una", "mia", "madre", "padre", "ciao",
                "grazie", "come", "posso", "lei", "lui", "molto", "ma", "anche", "dolore",
                "aiuto", "che", "sono", "per"},
    "Dutch": {"de", "het", "een", "is", "ik", "niet", "en", "met", "mijn", "moeder", "vader",
              "hallo", "dank", "hoe", "kan", "zij", "hij", "erg", "maar", "ook", "pijn",
              "hulp", "wat", "wij"},
    "Polish": {"jest", "nie", "się", "moja", "mama", "ojciec", "dzień", "dobry", "dziękuję",
               "jak", "mogę", "ona", "on", "bardzo", "ale", "też", "ból", "pomoc", "co"},
}
# Words that are ordinary English despite appearing above.
ENGLISH_WORDS = {"a", "i", "is", "as", "on", "me", "he", "she", "it", "in", "to", "the", "and",
                 "do", "my", "no", "so", "we", "an", "be", "can", "was", "are", "not", "but",
                 "what", "how", "with", "for", "her", "his", "our", "massage", "hello", "de",
                 "la", "pain", "help", "ok", "ma", "pa", "mum", "mom", "dad"}

SCRIPTS = {
    "CYRILLIC": "Russian or another language in Cyrillic script",
    "ARABIC": "Arabic",
    "HEBREW": "Hebrew",
    "GREEK": "Greek",
    "CJK": "Chinese or Japanese",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "HANGUL": "Korean",
    "DEVANAGARI": "Hindi or another language in Devanagari script",
    "THAI": "Thai",
    "BENGALI": "Bengali",
    "TAMIL": "Tamil",
    "GURMUKHI": "Punjabi",
}


@dataclass(frozen=True)
class Cleaned:
    text: str  # what the bot should read
    original_length: int
    truncated: bool
    had_html: bool
    empty: bool  # nothing left to read (empty, spaces, punctuation or emoji only)
    emoji_only: bool


def valid_unicode(text: str) -> str:
    """`text` as valid Unicode: lone surrogates become U+FFFD, NUL characters are dropped."""
    if not isinstance(text, str):
        text = str(text)
    return SURROGATE.sub("\ufffd", text).replace("\x00", "")


def strip_markup(raw: str) -> str:
    """The text without tags (and without script or style code).

    Entities are decoded first and the tags stripped after, so an escaped tag
    ("&lt;img onerror=...&gt;") is stripped like a real one instead of being decoded into
    markup after the stripping.
    """
    text = html.unescape(valid_unicode(raw))
    return TAG.sub(" ", CODE_BLOCK.sub(" ", text))


def clean(raw: str | None) -> Cleaned:
    """Strip markup and control characters, fold white space, cap the length."""
    raw = valid_unicode(raw or "")
    had_html = bool(TAG.search(html.unescape(raw)))
    text = strip_markup(raw)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    text = SPACE.sub(" ", text).strip()
    truncated = len(text) > MAX_CHARS
    if truncated:
        cut = text[:MAX_CHARS]
        text = cut.rsplit(" ", 1)[0] if " " in cut[-40:] else cut
    has_letters_or_digits = any(ch.isalnum() for ch in text)
    emoji_only = bool(text) and not has_letters_or_digits and any(
        unicodedata.category(ch) == "So" for ch in text
    )
    return Cleaned(
        text=text,
        original_length=len(raw),
        truncated=truncated,
        had_html=had_html,
        empty=not has_letters_or_digits,
        emoji_only=emoji_only,
    )


def _script_of(ch: str) -> str | None:
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return None
    for script in SCRIPTS:
        if name.startswith(script):
            return script
    return None


def other_language(text: str) -> str | None:
    """The language a message seems to be in, when it is clearly not English; else None."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    scripts = [s for s in (_script_of(ch) for ch in letters) if s]
    if len(scripts) >= max(2, len(letters) // 2):
        top = max(set(scripts), key=scripts.count)
        return SCRIPTS[top]
    words = [w.lower() for w in WORD.findall(text)]
    if not words:
        return None
    best, best_hits = None, 0
    for language, vocab in LANGUAGE_WORDS.items():
        hits = sum(1 for w in words if w in vocab and w not in ENGLISH_WORDS)
        if hits > best_hits:
            best, best_hits = language, hits
    # Clearly foreign: at least two telling words and they make up a good share of the message.
    if best and best_hits >= 2 and best_hits * 3 >= len(words):
        return best
    if best and len(words) <= 2 and best_hits == len(words):
        return best  # "hola", "bonjour merci"
    return None


MEDICATION = re.compile(
    r"\b(morphine|oxycodone|fentanyl|hydromorphone|codeine|tramadol|paracetamol|acetaminophen|"
    r"tylenol|ibuprofen|advil|aspirin|lorazepam|ativan|haloperidol|midazolam|diazepam|"
    r"painkillers?|pain ?killers?|medications?|medicines?|meds|pills?|tablets?|drugs?|"
    r"doses?|dosage|mg|milligrams?|patch(es)?|opioids?|sedatives?|laxatives?|"
    r"prescriptions?|insulin|warfarin|heparin|apixaban|steroids?|cbd|cannabis)\b",
    re.IGNORECASE,
)
MED_ASK = re.compile(
    r"\b(how much|how many|can i give|should i give|give (him|her|them)|increase|decrease|"
    r"double|skip|stop (his|her|their|the)|another|extra|more of|top ?up|mix|combine|"
    r"take (it|them|his|her)|safe to (take|give|mix)|what dose|which (medicine|medication|"
    r"painkiller|drug)|when (can|should) (he|she|they|i)|crush|with (his|her|their) "
    r"(medicine|medication|meds|pills))\b",
    re.IGNORECASE,
)


def asks_about_medication(text: str) -> bool:
    """True when a message asks what, how much or when to give a medicine.

    Mentions of medicines in passing ("he is on warfarin") are not questions about them: the
    screen reads those. Only an ask about giving, changing or combining a medicine counts.
    """
    return bool(MEDICATION.search(text) and MED_ASK.search(text))
