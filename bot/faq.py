"""The FAQ content: load, validate, cite and suggest topics. Plain Python, no Rasa imports.

The topics live in bot/content/faq.yml; the documents they rest on in bot/content/sources.yml.
Each topic id becomes the Rasa retrieval intent ``faq/<id>``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CONTENT = Path(__file__).resolve().parent / "content"
FAQ_PATH = CONTENT / "faq.yml"
SOURCES_PATH = CONTENT / "sources.yml"

MAX_TITLE_CHARS = 40
MAX_ANSWER_CHARS = 600
MAX_MORE_CHARS = 900
MIN_SENTENCES = 2
MAX_SENTENCES = 5
MAX_RELATED = 3

ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# A note such as "(see EVIDENCE.md)" in a source title is for the team, not for the person.
TEAM_NOTE = re.compile(r"\s*\(see [^)]*\)")

# Words too common to tell topics apart. Kept tiny on purpose: "how", "when" and "who" stay,
# because they carry meaning in questions like "how often" or "who decides".
_STOP_TEXT = """
a an the and or but if of to in on at for with by from as is are was were be been am
i i'm im me my we our you your he he's hes him his she she's shes her it it's its they them
their this that these those do does did can could would should will just so very any some
what about have has get got really please mum mom dad mother father husband wife someone
massage massages massaging
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


@dataclass(frozen=True)
class Topic:
    """One FAQ topic: a short answer, optional detail, and how people ask about it."""

    id: str
    title: str
    answer: str
    more: str | None
    sources: tuple[str, ...]
    related: tuple[str, ...]
    examples: tuple[str, ...]
    heldout: tuple[str, ...]
    # The review sheet's heading, and for each source the few words that find its passage.
    group: str = ""
    quotes: tuple[tuple[str, str], ...] = ()


def count_sentences(text: str) -> int:
    """Count sentences: pieces of text ending in '.', '!' or '?' followed by a space or the end."""
    return len([s for s in SENTENCE_END.split(text.strip()) if s.strip()])


def _read_yaml(path: Path) -> Any:
    """Read one YAML file, turning a missing or broken file into a ValueError."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ValueError(f"{path}: file not found") from err
    except yaml.YAMLError as err:
        raise ValueError(f"{path}: not valid YAML: {err}") from err


@lru_cache(maxsize=1)
def load_sources() -> dict[str, dict[str, Any]]:
    """Return the documents from sources.yml, keyed by source id."""
    data = _read_yaml(SOURCES_PATH)
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        raise ValueError(f"{SOURCES_PATH}: expected a mapping under 'sources'")
    return data["sources"]


def _text(raw: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
    """Return a stripped string field, or None when an optional field is absent."""
    value = raw.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: '{key}' must be a non-empty string")
    return " ".join(value.split())


def _strings(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    """Return a list field of non-empty strings as a tuple."""
    value = raw.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _quotes(raw: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    """The optional `quotes` mapping (source id -> a few words of that source) as pairs."""
    value = raw.get("quotes")
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        raise ValueError(f"{where}: 'quotes' must map source ids to non-empty strings")
    return tuple((k, " ".join(v.split())) for k, v in value.items())


def _parse_topic(raw: Any, index: int) -> Topic:
    """Build one Topic from its YAML mapping and check the limits that need no other topic."""
    if not isinstance(raw, dict):
        raise ValueError(f"topic #{index + 1}: expected a mapping")
    topic_id = raw.get("id")
    if not isinstance(topic_id, str) or not ID_PATTERN.match(topic_id):
        raise ValueError(f"topic #{index + 1}: id {topic_id!r} must be snake_case")
    where = f"topic '{topic_id}'"
    topic = Topic(
        id=topic_id,
        title=_text(raw, "title", where) or "",
        answer=_text(raw, "answer", where) or "",
        more=_text(raw, "more", where, required=False),
        sources=_strings(raw, "sources", where),
        related=_strings(raw, "related", where),
        examples=_strings(raw, "examples", where),
        heldout=_strings(raw, "heldout", where),
        group=_text(raw, "group", where, required=False) or "",
        quotes=_quotes(raw, where),
    )
    _check_limits(topic, where)
    return topic


def _check_limits(topic: Topic, where: str) -> None:
    """Check lengths and counts of one topic's fields."""
    if len(topic.title) > MAX_TITLE_CHARS:
        raise ValueError(f"{where}: title longer than {MAX_TITLE_CHARS} characters")
    if len(topic.answer) > MAX_ANSWER_CHARS:
        raise ValueError(f"{where}: answer longer than {MAX_ANSWER_CHARS} characters")
    if not MIN_SENTENCES <= count_sentences(topic.answer) <= MAX_SENTENCES:
        raise ValueError(f"{where}: answer must have {MIN_SENTENCES}-{MAX_SENTENCES} sentences")
    if topic.more is not None and len(topic.more) > MAX_MORE_CHARS:
        raise ValueError(f"{where}: 'more' longer than {MAX_MORE_CHARS} characters")
    if not topic.sources:
        raise ValueError(f"{where}: needs at least one source")
    if not 1 <= len(topic.related) <= MAX_RELATED:
        raise ValueError(f"{where}: needs 1 to {MAX_RELATED} related topics")
    if topic.id in topic.related:
        raise ValueError(f"{where}: lists itself as related")


def _check_links(topics: dict[str, Topic], sources: dict[str, Any]) -> None:
    """Check that every cited source, every quoted source and every related topic exists."""
    for topic in topics.values():
        missing = [s for s in topic.sources if s not in sources]
        if missing:
            raise ValueError(f"topic '{topic.id}': unknown source id(s) {missing}")
        stray = [s for s, _ in topic.quotes if s not in topic.sources]
        if stray:
            raise ValueError(f"topic '{topic.id}': quotes for source(s) it does not cite {stray}")
        unknown = [r for r in topic.related if r not in topics]
        if unknown:
            raise ValueError(f"topic '{topic.id}': unknown related topic(s) {unknown}")


@lru_cache(maxsize=1)
def load_topics() -> dict[str, Topic]:
    """Load and validate faq.yml; return the topics keyed by id, in file order.

    Raises ValueError with a plain message if the file is missing, malformed, or breaks a rule
    (duplicate ids, answers too long or with the wrong number of sentences, unknown sources or
    related topics, a topic related to itself).
    """
    data = _read_yaml(FAQ_PATH)
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise ValueError(f"{FAQ_PATH}: expected a list under 'topics'")
    topics: dict[str, Topic] = {}
    for index, raw in enumerate(data["topics"]):
        topic = _parse_topic(raw, index)
        if topic.id in topics:
            raise ValueError(f"topic '{topic.id}': id used more than once")
        topics[topic.id] = topic
    if not topics:
        raise ValueError(f"{FAQ_PATH}: no topics")
    _check_links(topics, load_sources())
    return topics


def _title_of(source_id: str) -> str:
    """Return the reader-facing title of one source, without notes meant for the team."""
    title = str(load_sources()[source_id].get("title") or source_id)
    return TEAM_NOTE.sub("", title).strip()


def source_line(topic: Topic) -> str:
    """Return one plain sentence naming the documents a topic rests on, main source first.

    Example: "This comes from: What is Palliative Massage? (Massage Today, 2023)."
    """
    titles = [_title_of(s) for s in topic.sources]
    line = "This comes from: " + "; ".join(titles)
    return line if line.endswith((".", "!", "?")) else line + "."


def _stem(word: str) -> str:
    """Strip a common ending so "sleeps", "sleeping" and "sleep" meet. Crude but predictable."""
    word = word.removesuffix("'s")
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith(("ed", "es")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def _tokens(text: str) -> set[str]:
    """Lower-case, stemmed words of a text, without stop words."""
    words = WORD.findall(text.lower().replace("\u2019", "'"))
    return {_stem(w) for w in words if w not in STOP_WORDS}


@lru_cache(maxsize=1)
def _topic_vocab() -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    """Each topic's id, the words of its title, and the words of its title and examples."""
    return tuple(
        (t.id, frozenset(_tokens(t.title)), frozenset(_tokens(" ".join((t.title, *t.examples)))))
        for t in load_topics().values()
    )


@lru_cache(maxsize=1)
def _word_weights() -> dict[str, float]:
    """Rarer words count more: log(1 + topics / topics using the word)."""
    vocab = _topic_vocab()
    counts = Counter(word for _, _, words in vocab for word in words)
    return {word: math.log(1 + len(vocab) / n) for word, n in counts.items()}


def nearest_topics(text: str, k: int = 2) -> list[Topic]:
    """Suggest up to k topics sharing the most (weighted) words with the text.

    Words are lower-cased, stemmed and weighted by rarity across topics; a word that also
    appears in a topic's title counts twice. Deterministic: ties keep file order. Returns an
    empty list when no word matches.
    """
    query = _tokens(text)
    weights = _word_weights()
    topics = load_topics()
    scored = []
    for order, (topic_id, title_words, words) in enumerate(_topic_vocab()):
        # A word in the title counts twice: titles say what a topic is about.
        shared, in_title = query & words, query & title_words
        score = sum(weights[w] for w in shared) + sum(weights[w] for w in in_title)
        if score > 0:
            scored.append((-score, order, topic_id))
    return [topics[topic_id] for _, _, topic_id in sorted(scored)[: max(k, 0)]]


def clear_cache() -> None:
    """Forget loaded content, e.g. after a test points FAQ_PATH at another file."""
    for cached in (load_sources, load_topics, _topic_vocab, _word_weights):
        cached.cache_clear()
