"""Every FAQ topic answers from phrasings the model never saw, with its source one step away."""

import json

import pytest

from bot.condition_advice import answers_faq
from bot.faq import load_topics, source_line
from bot.redflags import detect
from bot.screen import Finding
from bot.textguard import asks_about_medication

pytestmark = pytest.mark.e2e

HELDOUT = [
    (topic.id, text)
    for topic in load_topics().values()
    for text in topic.heldout
]


def said_findings(parsed: dict) -> list[Finding]:
    out = []
    for e in parsed.get("entities") or []:
        if e.get("entity") == "finding":
            cid, status, area, side = str(e["value"]).split("|")
            out.append(Finding(cid, status, area or None, side or None))
    return out


def test_heldout_phrasings_reach_the_right_topic(bot):
    """At least 3 unseen phrasings per topic, parsed by the running model."""
    misses = []
    for topic_id, text in HELDOUT:
        parsed = bot.parse(text)
        intent = parsed["intent"]["name"]
        if detect(text):  # red flags always win; that is the right answer then
            assert intent == "red_flag", text
            continue
        if asks_about_medication(text):
            assert intent == "ask_medication", text
            continue
        if intent == "inform_condition" and answers_faq(topic_id, said_findings(parsed), text):
            continue  # a safety question naming a condition gets that condition's guidance
        got = parsed.get("response_selector", {}).get("faq", {}).get("response", {})
        key = got.get("intent_response_key")
        if intent != "faq" or key != f"faq/{topic_id}":
            misses.append(f"{text!r}: expected faq/{topic_id}, got {intent} / {key}")
    # Report every miss; a small share is tolerated (measured in bench/RESULTS.md).
    accuracy = 1 - len(misses) / len(HELDOUT)
    assert accuracy >= 0.85, f"accuracy {accuracy:.2%}\n" + "\n".join(misses)


def test_answer_then_source_then_more(bot, sender):
    topics = load_topics()
    first = bot.say(sender, "is massage ok for someone who has cancer?")
    assert first[0]["text"] == topics["safe_with_cancer"].answer
    titles = [b["title"] for b in first[0]["buttons"]]
    assert "Where is that from?" in titles and len(titles) >= 3
    source = bot.text(sender, "where is that from?")
    assert source == source_line(topics["safe_with_cancer"])
    more = bot.text(sender, "tell me more")
    assert more == (topics["safe_with_cancer"].more or "")


def test_a_topic_button_answers_that_topic(bot, sender):
    topics = load_topics()
    payload = "/choose_topic" + json.dumps({"faq_topic": "how_often"})
    (msg,) = bot.say(sender, payload)
    assert msg["text"] == topics["how_often"].answer


def test_ask_question_offers_common_topics(bot, sender):
    (msg,) = bot.say(sender, "I have a question")
    assert len(msg["buttons"]) >= 4


def test_an_uncovered_question_gets_an_honest_answer(bot, sender):
    text = bot.text(sender, "what brand of car should I buy for the hospice trips?")
    assert ("don't have reliable information" in text or "can't help with that" in text
            or "another way" in text)
