"""The FAQ content and its loader: limits, links, honesty, originality and topic suggestions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot import faq
from bot.faq import Topic, count_sentences, load_sources, load_topics, nearest_topics, source_line

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO.parent / "shared" / "seeds"
COPY_RUN = 12

MUST_HAVE = [
    "what_is_palliative_massage",
    "differs_from_regular",
    "techniques_to_use",
    "techniques_to_avoid",
    "safe_with_cancer",
    "spread_or_hasten",
    "who_can_benefit",
    "who_should_not",
    "medical_devices",
    "unresponsive_person",
    "dementia",
    "nausea",
    "pain",
    "anxiety",
    "sleep",
    "breathing",
    "loneliness",
    "how_often",
    "session_length",
    "how_soon",
    "pressure",
    "lotion",
    "clothing",
    "positioning",
    "getting_ready",
    "signs_to_stop",
    "training",
    "find_therapist",
    "cost_insurance",
    "hospice_availability",
    "virtual_sessions",
    "replace_medication",
    "who_decides",
    "consent",
    "music_therapy",
    "breathing_exercise",
    "gentle_movement",
    "caregiver_self_care",
]

# Words that would mean an answer strays into medicine amounts. Medicines are for the nurse.
DOSE_WORDS = re.compile(
    r"\bmg\b|\bmcg\b|\bml\b|milligram|\bdos(e|es|age|ing)\b|\btake \d|\btablets? (a|per|every)\b",
    re.IGNORECASE,
)
# Figures from doc000 we could not verify: they must be framed as the document's own.
UNVERIFIED_FIGURES = ("78%", "60%", "40%", "35%")


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _topics() -> list[Topic]:
    return list(load_topics().values())


def _all_text(topic: Topic) -> str:
    return " ".join(filter(None, (topic.answer, topic.more)))


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    faq.clear_cache()
    yield
    faq.clear_cache()


# ------------------------------------------------------------------ sizes and limits


def test_enough_topics() -> None:
    assert len(load_topics()) >= 28


def test_must_have_topics_exist() -> None:
    missing = [t for t in MUST_HAVE if t not in load_topics()]
    assert not missing, f"missing topics: {missing}"


@pytest.mark.parametrize("topic", _topics(), ids=lambda t: t.id)
def test_answer_limits(topic: Topic) -> None:
    assert 2 <= count_sentences(topic.answer) <= 5
    assert len(topic.answer) <= 600
    assert len(topic.title) <= 40
    assert topic.more is None or len(topic.more) <= 900


@pytest.mark.parametrize("topic", _topics(), ids=lambda t: t.id)
def test_enough_phrasings(topic: Topic) -> None:
    assert len(topic.examples) >= 12
    assert len(topic.heldout) >= 3


def test_heldout_never_used_as_an_example() -> None:
    examples = {_norm(e) for t in _topics() for e in t.examples}
    leaked = [h for t in _topics() for h in t.heldout if _norm(h) in examples]
    assert not leaked, f"heldout phrasings also used as examples: {leaked}"


def test_heldout_phrasings_unique() -> None:
    heldout = [_norm(h) for t in _topics() for h in t.heldout]
    assert len(heldout) == len(set(heldout))


def test_no_example_duplicated() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for topic in _topics():
        for example in topic.examples:
            key = _norm(example)
            if key in seen:
                clashes.append((example, seen[key], topic.id))
            seen[key] = topic.id
    assert not clashes, f"duplicated examples: {clashes}"


# ------------------------------------------------------------------ links


def test_sources_exist() -> None:
    sources = load_sources()
    for topic in _topics():
        assert topic.sources, topic.id
        assert all(s in sources for s in topic.sources), topic.id


def test_related_exist_and_are_not_self() -> None:
    topics = load_topics()
    for topic in topics.values():
        assert 1 <= len(topic.related) <= 3, topic.id
        assert topic.id not in topic.related, topic.id
        assert all(r in topics for r in topic.related), topic.id


def test_source_line_names_the_documents() -> None:
    topic = load_topics()["safe_with_cancer"]
    line = source_line(topic)
    assert line.startswith("This comes from: ") and line.endswith(".")
    assert load_sources()[topic.sources[0]]["title"] in line
    assert "EVIDENCE.md" not in line


# ------------------------------------------------------------------ honesty and safety


@pytest.mark.parametrize("topic", _topics(), ids=lambda t: t.id)
def test_no_medication_amounts(topic: Topic) -> None:
    assert not DOSE_WORDS.search(_all_text(topic))


@pytest.mark.parametrize("topic", _topics(), ids=lambda t: t.id)
def test_unverified_figures_are_framed(topic: Topic) -> None:
    text = _all_text(topic)
    if any(figure in text for figure in UNVERIFIED_FIGURES):
        assert "document's figure" in text


def test_medicine_questions_point_to_the_nurse_or_pharmacist() -> None:
    answer = load_topics()["replace_medication"].answer.lower()
    assert "nurse" in answer and "pharmacist" in answer


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def test_nothing_copied_from_the_seeds() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS}")
    grams: set[tuple[str, ...]] = set()
    for seed in SEEDS.glob("*.txt"):
        words = _tokens(seed.read_text(errors="ignore"))
        grams.update(tuple(words[i : i + COPY_RUN]) for i in range(len(words) - COPY_RUN + 1))
    words = _tokens(faq.FAQ_PATH.read_text(encoding="utf-8"))
    copied = [
        " ".join(words[i : i + COPY_RUN])
        for i in range(len(words) - COPY_RUN + 1)
        if tuple(words[i : i + COPY_RUN]) in grams
    ]
    assert not copied, f"runs of {COPY_RUN} words copied from the seeds: {copied[:3]}"


# ------------------------------------------------------------------ suggestions


@pytest.mark.parametrize(
    "question,expected",
    [
        ("can I use coconut oil on her feet", "lotion"),
        ("how many minutes should a session last", "session_length"),
        ("my father has alzheimers and gets agitated", "dementia"),
        ("what does a massage therapist cost", "cost_insurance"),
    ],
)
def test_nearest_topics_suggests_sensibly(question: str, expected: str) -> None:
    assert expected in [t.id for t in nearest_topics(question)]


def test_nearest_topics_is_deterministic_and_bounded() -> None:
    first = nearest_topics("she gets breathless lying flat", k=3)
    assert first == nearest_topics("she gets breathless lying flat", k=3)
    assert len(first) == 3
    assert nearest_topics("she gets breathless lying flat", k=0) == []


def test_nearest_topics_returns_nothing_without_shared_words() -> None:
    assert nearest_topics("") == []
    assert nearest_topics("zebra xylophone") == []


# ------------------------------------------------------------------ loader errors


def _good_topics() -> list[dict]:
    return yaml.safe_load(faq.FAQ_PATH.read_text(encoding="utf-8"))["topics"][:2]


def _break_duplicate(topics: list[dict]) -> None:
    topics[1]["related"] = topics[0]["related"]  # the old id of topics[1]: not "itself" any more
    topics[1]["id"] = topics[0]["id"]


def _break_source(topics: list[dict]) -> None:
    topics[0]["sources"] = ["no_such_source"]


def _break_related_self(topics: list[dict]) -> None:
    topics[0]["related"] = [topics[0]["id"]]


def _break_related_unknown(topics: list[dict]) -> None:
    topics[0]["related"] = ["no_such_topic"]


def _break_answer_length(topics: list[dict]) -> None:
    topics[0]["answer"] = "Far too long. " + "word " * 150 + "end."


def _break_one_sentence(topics: list[dict]) -> None:
    topics[0]["answer"] = "Just one sentence."


def _break_quote_source(topics: list[dict]) -> None:
    topics[0]["quotes"] = {"kutner2008": "a few words"}  # a source the topic does not cite


def _break_quote_type(topics: list[dict]) -> None:
    topics[0]["quotes"] = ["doc000"]


@pytest.mark.parametrize(
    "breaker,message",
    [
        (_break_duplicate, "more than once"),
        (_break_source, "unknown source"),
        (_break_related_self, "itself"),
        (_break_related_unknown, "unknown related"),
        (_break_answer_length, "longer than"),
        (_break_one_sentence, "sentences"),
        (_break_quote_source, "does not cite"),
        (_break_quote_type, "quotes"),
    ],
)
def test_loader_rejects_bad_files(
    breaker, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    topics = _good_topics()
    topics[1]["related"] = [topics[0]["id"]]
    topics[0]["related"] = [topics[1]["id"]]
    breaker(topics)
    bad = tmp_path / "faq.yml"
    bad.write_text(yaml.safe_dump({"topics": topics}), encoding="utf-8")
    monkeypatch.setattr(faq, "FAQ_PATH", bad)
    with pytest.raises(ValueError, match=message):
        load_topics()


def test_loader_accepts_a_good_small_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    topics = _good_topics()
    topics[1]["related"] = [topics[0]["id"]]
    topics[0]["related"] = [topics[1]["id"]]
    good = tmp_path / "faq.yml"
    good.write_text(yaml.safe_dump({"topics": topics}), encoding="utf-8")
    monkeypatch.setattr(faq, "FAQ_PATH", good)
    assert list(load_topics()) == [topics[0]["id"], topics[1]["id"]]


@pytest.mark.parametrize("text", ["topics: [", "nothing: here", ""])
def test_loader_rejects_malformed_yaml(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    bad = tmp_path / "faq.yml"
    bad.write_text(text, encoding="utf-8")
    monkeypatch.setattr(faq, "FAQ_PATH", bad)
    with pytest.raises(ValueError):
        load_topics()


# ------------------------------------------------------------------ issue 13: clinical read


def _topic_text(topic_id: str) -> str:
    return _norm(_all_text(load_topics()[topic_id]))


def test_caregivers_are_offered_gliding_holding_and_still_touch_only() -> None:
    answer = _norm(load_topics()["techniques_to_use"].answer)
    assert "gliding" in answer and "holding" in answer and "still" in answer
    # kneading and pressing on points are named only to leave them to therapists
    for word in ("kneading", "reflexology", "acupressure"):
        sentence = next(s for s in answer.split(". ") if word in s)
        assert "leave" in sentence and "therapists" in sentence, sentence
    assert "never knead" in _topic_text("techniques_to_use")
    assert "kneading of any kind" in _topic_text("techniques_to_avoid")


def test_leaving_out_kneading_is_the_guides_own_caution() -> None:
    # doc000 lists light kneading among a palliative therapist's techniques
    topic = load_topics()["techniques_to_avoid"]
    text = _topic_text("techniques_to_avoid")
    assert "this guide's own caution" in text
    assert "trained therapists may use light kneading" in text
    assert "the advice to avoid them comes from the palliative documents" not in text
    assert dict(topic.quotes)["doc000"] == "light petrissage (gentle kneading)"


def test_the_training_study_comes_with_its_comparison_group() -> None:
    answer = _norm(load_topics()["training"].answer)
    assert "29 to 44% after massage, against 12 to 28% after reading aloud" in answer
    assert "saw clear drops" not in answer
    more = _norm(load_topics()["training"].more)
    assert "97 caregiver-patient pairs, some of whom read aloud" in more
    assert "97 caregivers learned" not in more


def test_bone_metastases_lightest_nearby_none_directly_over() -> None:
    text = _topic_text("safe_with_cancer")
    assert "bone metastases" in text and "spread to the bones" in text
    assert "none directly over them" in text
    assert "no touch directly over" in _topic_text("pressure")


def test_gentle_movement_agrees_with_the_techniques_to_avoid() -> None:
    text = _topic_text("gentle_movement")
    assert "check with the care team first" in text
    assert "fragile bones" in text and "cancer in the bones" in text
    assert "never stretch or pull their arms and legs for them" in text
    assert "stretch or pull their arms and legs for them" in _topic_text("techniques_to_avoid")


def test_a_warm_cloth_is_tested_on_your_own_wrist_first() -> None:
    assert "own wrist first" in _topic_text("unresponsive_person")


def test_oil_on_the_feet_of_someone_who_may_stand() -> None:
    text = _topic_text("lotion")
    assert "slip" in text and "stand" in text


def test_how_soon_does_not_state_lasting_gains_as_fact() -> None:
    text = _topic_text("how_soon")
    assert "usually take several" not in text
    assert "one document says lasting gains" in text
    assert "no lasting difference" in text
    assert "kutner2008" in load_topics()["how_soon"].sources


def test_study_results_are_averages_not_everyone() -> None:
    text = " ".join(_topic_text(t) for t in load_topics())
    assert "everyone felt better" not in text
    assert "on average" in _topic_text("how_often")


def test_nausea_claims_no_comparison_the_study_did_not_make() -> None:
    text = _topic_text("nausea")
    assert "massage helped more" not in text
    assert "not for nausea alone" not in text  # the study reports nausea on its own (-29%)


def test_the_nausea_figure_comes_with_reading_aloud_and_an_unclear_gain() -> None:
    # collinge2013 gives 12-28% for all symptoms after reading aloud, no nausea figure for it
    answer = _norm(load_topics()["nausea"].answer)
    assert "29%" in answer and "12 to 28%" in answer and "reading aloud" in answer
    assert "no nausea figure after reading aloud" in answer
    assert "symptoms overall fell 12 to 28%" in answer
    assert "for nausea is unclear" in answer and "may be small" not in answer


def test_nausea_cites_the_line_its_vomiting_quote_is_in() -> None:
    topic = load_topics()["nausea"]
    assert "urgent_signs" in topic.sources and "nci_eol" not in topic.sources
    assert dict(topic.quotes).get("urgent_signs") == "vomiting that will not stop"


def test_the_anxiety_figure_comes_with_its_comparison_group() -> None:
    answer = _norm(load_topics()["anxiety"].answer)
    assert "44%" in answer and "reading aloud" in answer and "12 to 28%" in answer
    # the range against the range, not one symptom's best figure against all symptoms
    assert "29 to 44% after massage, against 12 to 28% after reading aloud" in answer
    assert "distress eased after every session" not in _topic_text("anxiety")
    assert "on average" in _topic_text("anxiety")


def test_session_length_gives_one_range_for_home() -> None:
    answer = _norm(load_topics()["session_length"].answer)
    assert len(re.findall(r"\d+ to \d+", answer)) == 1


def test_topics_are_grouped_and_quote_their_seed_sources() -> None:
    sources = load_sources()
    for topic in load_topics().values():
        assert topic.group, topic.id
        quoted = dict(topic.quotes)
        for source in topic.sources:
            if sources[source]["kind"] == "seed":
                assert source in quoted, f"{topic.id}: no quote for {source}"


# ------------------------------------------------------------------ fresh clinical read

# Signs that are an immediate danger: the red-flag replies give the emergency number first.
IMMEDIATE = re.compile(r"heavy bleeding|choking|seizure|allergic|injur", re.IGNORECASE)
EMERGENCY = re.compile(r"emergency (?:services|number)|\b911\b|ambulance", re.IGNORECASE)
HOSPICE_LINE = re.compile(r"hospice", re.IGNORECASE)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s]


@pytest.mark.parametrize("topic", _topics(), ids=lambda t: t.id)
def test_the_faq_never_calls_emergency_services_before_the_hospice_line(topic: Topic) -> None:
    # Same order as the red-flag replies: the hospice's 24-hour line first, emergency services
    # if it can't be reached or there is no hospice team; only an immediate danger (heavy
    # bleeding, choking...) goes to the emergency number first.
    for text in filter(None, (topic.answer, topic.more)):
        sentences = _sentences(text)
        for i, sentence in enumerate(sentences):
            m = EMERGENCY.search(sentence)
            if not m or IMMEDIATE.search(sentence):
                continue
            before = " ".join(sentences[:i]) + " " + sentence[:m.start()]
            assert HOSPICE_LINE.search(before), f"{topic.id}: {sentence}"
        assert "call for help straight away" not in text.lower(), topic.id


@pytest.mark.parametrize("topic_id", ["signs_to_stop", "breathing", "last_days"])
def test_emergency_signs_go_to_the_hospice_line_first(topic_id: str) -> None:
    topic = load_topics()[topic_id]
    text = _topic_text(topic_id)
    assert "24-hour line first" in text
    assert "if you can't reach them, or there's no hospice team, call emergency services" in text
    assert "hospice_escalation" in topic.sources


def test_the_last_days_say_breathing_changes_and_mottled_hands_are_expected() -> None:
    topic = load_topics()["last_days"]
    text = _topic_text("last_days")
    assert "changes in breathing" in text and "mottled" in text and "expected" in text
    assert "last_hours" in topic.sources


def test_bleeding_that_will_not_stop_goes_to_the_emergency_number() -> None:
    # the red flag for "it won't stop bleeding" gives the emergency number first
    topic = load_topics()["who_should_not"]
    answer = _norm(topic.answer)
    assert "a small bleed slow to settle" in answer
    emergency = "for heavy bleeding, or bleeding that won't stop, call the emergency number now"
    assert emergency in answer
    assert "cdc_clots" in topic.sources


def test_the_ankle_turn_is_skipped_where_joints_must_not_be_moved() -> None:
    text = _topic_text("where_to_start")
    assert "turn the ankle" in text
    for word in ("fragile bones", "cancer in the bones", "swelling", "recent break",
                 "joint surgery"):
        assert word in text, word


def test_home_oxygen_lotion_is_a_question_for_the_nurse() -> None:
    assert "with home oxygen, ask the nurse which lotion is safe to use" in _topic_text("lotion")


def test_massage_and_dying_is_stated_as_no_evidence_not_as_fact() -> None:
    answer = _norm(load_topics()["spread_or_hasten"].answer)
    assert answer.startswith("there is no evidence that gentle massage speeds up dying")
    assert "does not speed up dying" not in answer


def test_the_therapist_credential_is_the_articles_not_ours() -> None:
    text = _topic_text("find_therapist")
    assert "ask what training they have in hospice or cancer massage" in text
    # doc000 only says to ask; doc003: availability varies
    assert "many have a trained" not in text and "some do, but not all" in text
    assert "international association" not in text
    assert "look for a palliative credential" not in text
    if "cpm" in text:
        assert "article's suggestion" in text


def test_hedged_claims_stay_hedged() -> None:
    assert "hearing often stays" not in _topic_text("unresponsive_person")
    assert "may still hear" in _topic_text("unresponsive_person")
    assert "mostly by helping" not in _topic_text("pain")
    assert "may work partly by" in _topic_text("pain")
    assert "people sometimes say" not in _topic_text("loneliness")
    assert "some people find" in _topic_text("loneliness")
    # one idea, not two of doc000's patient quotes run together
    assert "first time in months" not in _topic_text("loneliness")


@pytest.mark.parametrize("topic_id, word, explanation", [
    ("what_is_palliative_massage", "als", "nerve disease"),
    ("who_can_benefit", "als or ms", "nerve diseases"),
    ("who_should_not", "50,000", "blood test"),
    ("techniques_to_use", "lymph drainage", "fluid"),
    ("techniques_to_use", "acupressure", "pressing on set points"),
    ("sleep", "4-6 breathing", "count of four"),
])
def test_terms_are_explained_in_passing(topic_id: str, word: str, explanation: str) -> None:
    text = _topic_text(topic_id)
    assert word in text and explanation in text
