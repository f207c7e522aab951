"""Fuzz: thousands of hostile or odd messages over REST, concurrently; no conversation breaks.

A seeded generator (FUZZ_SEED, default 8; every conversation has its own generator, so a run
is reproducible whatever the thread timing) writes unicode of many scripts, emoji, messages up
to 20,000 characters, empty and whitespace-only messages, JSON-looking strings, HTML and
script tags, numbers out of range ("-2", "11", "1e9", "six hundred"), button payload
lookalikes ('/routine_command{"command": "nope"}', '/choose_topic{"faq_topic": "<b>"}'),
SQL-looking text and control characters, mixed with ordinary answers ("next", "yes", "6") so
the conversations keep moving.

200 conversations (FUZZ_CONVERSATIONS) share the fuzzed messages (FUZZ_MESSAGES), sent through
POST /webhooks/rest/webhook by 8 threads (FUZZ_THREADS). Three conversations in four are
first steered into an action: the relief estimate's form, the safety check's form, or a hand
routine (safety check answered, then the stepper), so the fuzz reaches form validation and
the routine stepper, not only the NLU.

Asserted: every response is HTTP 200 with a JSON list of messages (no 5xx, no transport
error); no action failed and the servers logged no traceback while the fuzz ran; and
afterwards every fuzzed conversation still answers a plain "hi" (no stuck conversation).
The throughput is printed.

The generator and the run live in tests/fuzzing.py. This file fuzzes one Rasa server as
`make run` starts it (SQLite, no proxy): 600 fuzzed messages (FUZZ_MESSAGES; about 1,150
with the steering turns, about two minutes on a 2-core machine). The production topology gets
2,000 in `make test` (10,000 with FUZZ_TOPOLOGY_MESSAGES=10000):
tests/deploy/test_fuzz_topology.py.
Silent turns are counted, not failed: Rasa's own '/session_start' and '/back' say nothing.
"""

from __future__ import annotations

import os

import pytest

from tests.fuzzing import fuzz

pytestmark = pytest.mark.e2e

MESSAGES = int(os.environ.get("FUZZ_MESSAGES", "600"))


def test_fuzz_never_breaks_a_conversation(bot, capsys):
    def report(line: str) -> None:
        with capsys.disabled():
            print("\n" + line)

    try:
        fuzz(bot.url + "/webhooks/rest/webhook",
             [bot.log_dir / "rasa.log", bot.log_dir / "actions.log"], MESSAGES, report)
    except AssertionError as e:
        raise AssertionError(f"{e}\n{bot.logs()}") from None
