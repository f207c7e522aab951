"""DIGRESSION_INTENTS (actions/common/digressions.py) and data/rules/digressions.yml stay in step.

The form validators pass over a digression (they leave the slot unfilled) because a rule
answers it and asks the form's question again. An intent in one list and not the other means
either an aside taken as an answer, or a rule that never fires.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.common.digressions import DIGRESSION_INTENTS
from actions.routine import JOURNAL_INTENTS

ROOT = Path(__file__).resolve().parents[2]
# Answered in any state by its own policy (RedFlagPolicy), not by a digression rule.
BY_POLICY = {"red_flag"}
# The check-in also answers questions about the journal, then asks again.
EXTRA = {"checkin_form": JOURNAL_INTENTS}


def intents_by_form() -> dict[str, set[str]]:
    rules = yaml.safe_load((ROOT / "data/rules/digressions.yml").read_text())["rules"]
    found: dict[str, set[str]] = {}
    for rule in rules:
        loops = [c["active_loop"] for c in rule.get("condition") or [] if "active_loop" in c]
        for loop in loops:
            for step in rule["steps"]:
                names = [step["intent"]] if "intent" in step else \
                    [s["intent"] for s in step.get("or") or [] if "intent" in s]
                found.setdefault(loop, set()).update(names)
    return found


@pytest.mark.parametrize("form", ["estimate_form", "screen_form", "checkin_form"])
def test_every_digression_has_a_rule_in_every_form_and_nothing_else(form):
    handled = intents_by_form()[form]
    assert handled == (DIGRESSION_INTENTS - BY_POLICY) | EXTRA.get(form, set())
