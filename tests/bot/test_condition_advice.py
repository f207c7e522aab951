"""A condition told or asked about -> its guidance, what it means for massage, and its source."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.condition_advice import (
    MAX_CONDITIONS,
    MORE_NOTED,
    PAST_ONLY,
    RED_FLAG_CONDITIONS,
    SAFETY_QUESTION,
    SAFETY_TOPICS,
    advice_for,
    answers_faq,
    pronoun_in,
    reply_messages,
    source_line,
)
from bot.faq import CONTENT, load_topics
from bot.findings import extract_findings
from bot.screen import Finding, load_conditions, screen
from bot.verdict import Level
from tests.test_content_readability import FRIGHTENING, JARGON, MAX_WORDS, sentences, words

CONDS = load_conditions()
SOURCES = yaml.safe_load((CONTENT / "sources.yml").read_text(encoding="utf-8"))["sources"]
MEANS = {Level.DO_NOT_MASSAGE: "no massage for now",
         Level.AVOID_AREA: "keep away from",
         Level.LIGHTEST_TOUCH: "the lightest touch only"}


@pytest.mark.parametrize("cid", list(CONDS))
def test_every_condition_gives_its_advice_level_and_source(cid: str) -> None:
    cond = CONDS[cid]
    (advice,) = advice_for([Finding(cid)], "she")
    (message,) = reply_messages([Finding(cid)], "she")
    assert advice.condition_id == cid and advice.source == cond.source
    assert message == advice.message
    # the advice sentences, with the pronouns filled in
    rendered = cond.advice.replace("{them}", "her").replace("{their}", "her")
    assert rendered[1:] in message
    # what it means for massage: the level's words, or a still hand where clots are concerned
    means = "a still, resting hand only" if cond.still_hand and cond.level == Level.AVOID_AREA \
        else MEANS[cond.level]
    assert means in message.lower()
    # where it comes from: the title the caregiver is shown, as the FAQ's "Where is that from?"
    title = re.sub(r"\s*\(see [^)]*\)", "", SOURCES[cond.source]["title"]).strip()
    assert message.endswith("\nThis comes from: " + title + ("" if title[-1] in ".?!" else "."))
    assert "{" not in message and "EVIDENCE" not in message


@pytest.mark.parametrize("cid", list(CONDS))
def test_replies_are_short_plain_and_calm(cid: str) -> None:
    for pronoun in ("she", "he", "they"):
        for message in reply_messages([Finding(cid)], pronoun):
            long = [s for s in sentences(message) if words(s) > MAX_WORDS]
            assert not long, long
            assert not FRIGHTENING.search(message), message
            for word, explanation in JARGON.items():
                if re.search(word, message, re.IGNORECASE):
                    assert re.search(explanation, message, re.IGNORECASE), (word, message)


def test_the_extra_lines_are_short_too() -> None:
    for text in (PAST_ONLY, MORE_NOTED):
        assert all(words(s) <= MAX_WORDS for s in sentences(text))


def test_an_example_reply() -> None:
    assert reply_messages(extract_findings("her platelets are low, is touch still all right?"),
                          "she") == [
        "Low platelets: the lightest touch only. Use only the lightest stroking, with no "
        "kneading or squeezing. Platelets are blood cells that help stop bleeding, so with few "
        "of them bruises come easily.\nThis comes from: Integrative Therapies in Palliative "
        "Care: Massage, Music, and Expanding Access."]


def test_a_place_is_named() -> None:
    (message,) = reply_messages([Finding("picc_line", "present", "arm", "left")])
    assert message.startswith("A PICC line (a thin tube into an arm vein), in the left arm: "
                              "keep away from the PICC line. Leave the arm with the line alone")


def test_no_massage_is_said_once() -> None:
    (message,) = reply_messages([Finding("uncontrolled_bleeding")])
    assert message.lower().count("no massage for now") == 1


def test_pronouns() -> None:
    assert "Let him be for now" in reply_messages([Finding("refuses_or_distressed")], "he")[0]
    assert "Let them be for now" in reply_messages([Finding("refuses_or_distressed")])[0]
    assert pronoun_in("mum has a catheter") == "she"
    assert pronoun_in("he's on blood thinners") == "he"
    assert pronoun_in("dad and mum both bruise easily") == "they"
    assert pronoun_in("") == "they"


def test_absent_findings_say_nothing() -> None:
    assert reply_messages([Finding("blood_thinners", "absent")]) == []
    assert advice_for([]) == []


def test_unsure_counts_like_present() -> None:
    assert [a.condition_id for a in advice_for([Finding("bone_mets", "unsure")])] == ["bone_mets"]


def test_history_follows_on_history() -> None:
    # an earlier clot is a known clot: a still hand, away from that limb
    (clot,) = advice_for([Finding("suspected_clot", "history", "leg", "left")])
    assert clot.condition_id == "known_clot"
    assert clot.text.startswith("A known or earlier blood clot, in the left leg: a still, "
                                "resting hand only")
    # lasting conditions count as now
    assert [a.condition_id for a in advice_for([Finding("bone_mets", "history")])] == [
        "bone_mets"]
    # a healed fracture no longer counts, and the reply says so
    assert advice_for([Finding("recent_fracture", "history", "hip")]) == []
    assert reply_messages([Finding("recent_fracture", "history", "hip")]) == [PAST_ONLY]
    # ... unless something else counts: then only that is answered
    assert reply_messages([Finding("recent_fracture", "history"), Finding("catheter")])[0] \
        .startswith("A catheter:")


def test_the_reply_agrees_with_the_screen() -> None:
    for cid in CONDS:
        for status in ("present", "unsure", "history", "absent"):
            findings = [Finding(cid, status)]
            counted = {a.condition_id for a in advice_for(findings)}
            assert counted == {r.condition_id for r in screen(findings).reasons}, (cid, status)


def test_strictest_first_then_as_told_and_at_most_three() -> None:
    findings = [Finding("catheter"), Finding("low_platelets"), Finding("contagious_illness"),
                Finding("fragile_skin"), Finding("stoma")]
    ids = [a.condition_id for a in advice_for(findings)]
    assert ids == ["contagious_illness", "catheter", "low_platelets", "fragile_skin", "stoma"]
    messages = reply_messages(findings)
    assert len(messages) == MAX_CONDITIONS + 1 and messages[-1] == MORE_NOTED
    assert messages[0].startswith("An illness others could catch: no massage for now.")


def test_one_reply_per_condition() -> None:
    findings = [Finding("swelling", "present", "leg", "left"),
                Finding("swelling", "present", "foot", "left")]
    (message,) = reply_messages(findings)
    assert message.startswith("Swelling, in the left leg and the left foot: ")


def test_source_line_matches_the_faq_wording() -> None:
    assert source_line("doc001") == "This comes from: What is Palliative Massage? (Massage " \
        "Today, 2023)."
    assert source_line("oncology_guidance").endswith("several published guides.")


# --- which FAQ questions get the condition's guidance -------------------------------------
def test_the_safety_topics_exist() -> None:
    assert set(load_topics()) >= SAFETY_TOPICS


@pytest.mark.parametrize("topic, findings, expected", [
    ("safe_with_cancer", [Finding("bone_mets", "unsure")], True),
    ("who_should_not", [Finding("low_platelets")], True),
    ("medical_devices", [Finding("catheter")], True),
    ("pressure", [Finding("blood_thinners")], True),
    ("techniques_to_avoid", [Finding("fragile_skin")], True),
    # an earlier clot is a known clot, not a red flag
    ("who_should_not", [Finding("suspected_clot", "history")], True),
    # red flags are triage's
    ("who_should_not", [Finding("suspected_clot")], False),
    ("who_should_not", [Finding("fever_or_infection", "unsure")], False),
    ("who_should_not", [Finding("uncontrolled_bleeding")], False),
    # ... but a condition beside one still counts
    ("who_should_not", [Finding("fever_or_infection"), Finding("catheter")], True),
    # nothing that counts
    ("who_should_not", [Finding("blood_thinners", "absent")], False),
    ("who_should_not", [Finding("recent_fracture", "history")], False),
    ("who_should_not", [], False),
    # other topics keep their own answer ("can massage spread the cancer in her bones?")
    ("spread_or_hasten", [Finding("bone_mets")], False),
    ("signs_to_stop", [Finding("refuses_or_distressed")], False),
    ("pain", [Finding("neuropathy")], False),
    (None, [Finding("catheter")], False),
])
def test_answers_faq(topic: str | None, findings: list[Finding], expected: bool) -> None:
    assert answers_faq(topic, findings) is expected


@pytest.mark.parametrize("topic, text, expected", [
    # a statement about the person: the FAQ topic was the classifier's guess
    ("anxiety", "her counts are down", True),
    ("clothing", "her skin is paper thin", True),
    ("replace_medication", "secondaries in her bones", True),
    # a question whether touch itself is all right
    ("unresponsive_person", "his blood counts are low, is touch still all right?", True),
    ("pain", "she has nerve pain in her feet, can I still massage them?", True),
    # ... not whether something else is (the FAQ topic answers that)
    ("lotion", "which cream is safe with his oxygen?", False),
    ("gentle_movement", "is gentle exercise ok with her thin bones?", False),
    # a question on a topic of its own keeps its answer
    ("pain", "can massage ease his nerve pain", False),
    ("pain", "would massage help the burning in her feet?", False),
    ("spread_or_hasten", "i read massage spreads tumours is that true", False),
    # refusal and distress have FAQ topics of their own (consent, signs to stop)
    ("consent", "she doesn't want to be touched", False),
    ("signs_to_stop", "she pulled her hand away", False),
    # red flags stay with triage, absent or past findings count for nothing
    ("anxiety", "she has a fever", False),
    ("anxiety", "he isn't on blood thinners any more", False),
    ("anxiety", "he broke his hip years ago", False),
])
def test_a_statement_about_the_person_gets_the_conditions_guidance(
        topic: str, text: str, expected: bool) -> None:
    assert answers_faq(topic, extract_findings(text), text) is expected


def test_faq_training_examples_outside_the_safety_topics_keep_their_answer() -> None:
    # only a question whether touch itself is safe, naming a condition, is taken over
    rerouted = [ex for t in load_topics().values() if t.id not in SAFETY_TOPICS
                for ex in t.examples if answers_faq(t.id, extract_findings(ex), ex)]
    assert all(SAFETY_QUESTION.search(ex) for ex in rerouted), rerouted
    assert len(rerouted) <= 3, rerouted


def test_red_flag_conditions_are_real_conditions() -> None:
    assert set(CONDS) >= RED_FLAG_CONDITIONS
    assert all(CONDS[c].level == Level.DO_NOT_MASSAGE for c in RED_FLAG_CONDITIONS)


# --- the issue's messages, end to end through the findings --------------------------------
@pytest.mark.parametrize("text, first", [
    ("his blood counts are low, is touch still all right?", "low_platelets"),
    ("he's on blood thinners", "blood_thinners"),
    ("she has bone metastases", "bone_mets"),
    ("she has nerve pain in her hands", "neuropathy"),
    ("he has the flu", "contagious_illness"),
    ("her skin is paper thin", "fragile_skin"),
    ("he had a DVT a few months back", "known_clot"),
    ("she broke her wrist last week", "recent_fracture"),
    ("dad has a catheter", "catheter"),
    ("is massage ok with bone mets?", "bone_mets"),
])
def test_the_issues_examples_get_their_guidance(text: str, first: str) -> None:
    advice = advice_for(extract_findings(text), pronoun_in(text))
    assert advice and advice[0].condition_id == first
    assert "This comes from: " in advice[0].message
