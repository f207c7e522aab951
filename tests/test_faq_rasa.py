"""The Rasa FAQ files agree with bot/content/faq.yml, the one place the content lives."""

import subprocess
import sys
from pathlib import Path

import yaml

from bot.faq import load_topics

ROOT = Path(__file__).resolve().parent.parent


def test_generated_faq_training_data_is_current() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/gen_faq.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_every_topic_has_a_retrieval_intent_and_response() -> None:
    data = yaml.safe_load((ROOT / "data" / "nlu" / "faq.yml").read_text())
    intents = {block["intent"] for block in data["nlu"]}
    responses = set(data["responses"])
    topics = load_topics()
    assert intents == {f"faq/{t}" for t in topics}
    assert responses == {f"utter_faq/{t}" for t in topics}
    for topic in topics.values():
        (resp,) = data["responses"][f"utter_faq/{topic.id}"]
        assert resp["text"] == topic.answer


def test_domain_declares_the_faq_flow() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    for intent in ("faq", "ask_question", "choose_topic", "ask_source", "tell_more"):
        assert intent in domain["intents"]
    for action in ("action_answer_faq", "action_faq_source", "action_faq_more",
                   "action_list_topics"):
        assert action in domain["actions"]
