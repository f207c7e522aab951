"""The held-out understanding sets through the trained model, in `make test`, with floors.

tests/understanding_sets.py says what counts as right per message. The floors are what the
model reached when it was last measured (bench/RESULTS.md, `make nlu-report`), rounded down, so
a change to the data, the pipeline or the rules that loses understanding fails the run. The
issue's target (95%) is above them: the gap and its misses are in bench/RESULTS.md. The blind
set (understanding_blind/) is never tuned against; the floor only keeps what it measured.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from tests.understanding_sets import BLIND, SETS, load, score

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "gentle-hands.tar.gz"

# Share of messages reaching the right answer or flow, per set: measured 2026-12-02 at 85.5%
# (524/613) and 87.3% (247/283); a point and a half of slack for training on another machine.
FLOORS = {SETS.name: 0.84, BLIND.name: 0.86}
# FAQ questions that raised a red flag: 14 of 441 when measured (9 and 5). Some name what the
# nurse line should hear of anyway (pain not controlled, a carer at the end of their tether),
# some do not (a wheezy chest mentioned in passing); the count may only fall.
FALSE_ALARMS = 14

pytestmark = pytest.mark.e2e


@lru_cache(maxsize=1)
def parsed_all() -> dict[str, dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))

    async def parse_all() -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for sets in (SETS, BLIND):
            for name in ("faq", "requests"):
                for message in load(name, sets):
                    out[message["text"]] = await agent.parse_message(message["text"])
        return out

    return asyncio.run(parse_all())


@pytest.fixture(scope="module")
def parses() -> dict[str, dict[str, Any]]:
    if not MODEL.exists():
        pytest.skip("no trained model (models/gentle-hands.tar.gz): run `make train`")
    return parsed_all()


@pytest.mark.parametrize("sets", [SETS, BLIND], ids=lambda p: p.name)
def test_the_held_out_messages_reach_the_right_answer(parses, sets):
    scores = score(parses.__getitem__, sets)
    total = sum(s.total for s in scores.values())
    right = sum(s.right for s in scores.values())
    misses = [m for s in scores.values() for m in s.misses]
    assert right / total >= FLOORS[sets.name], (
        f"{sets.name}: {right}/{total} ({right / total:.1%}) below the floor "
        f"{FLOORS[sets.name]:.1%}; misses:\n" + "\n".join(misses))


def test_no_red_flag_is_raised_on_a_plain_question(parses):
    # An alarm on a caregiver's ordinary question is a wrong answer of its own kind, tracked
    # apart so a rise shows at once (condition questions, where a clot, a fever or bleeding
    # that won't stop are red flags by design, are not counted).
    alarms = [text for sets in (SETS, BLIND) for m in load("faq", sets)
              if (parses[text := m["text"]].get("intent") or {}).get("name") == "red_flag"]
    assert len(alarms) <= FALSE_ALARMS, alarms
