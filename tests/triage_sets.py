"""The held-out triage sets (tests/data/triage/) and how a triage is scored on them.

Shared by tests/bot/test_triage_sets.py (`make test`: a miss fails the build) and
bench/nlu_report.py (`make nlu-report`: recall per tier with the one-sided 95% upper bound of
the miss rate, the near-miss false-alarm rate and every miss, into bench/RESULTS.md).

What each message should get:
- emergency.yml: tier emergency, and the order its sign asks: "immediate" (911 first) for
  choking, heavy bleeding, a seizure that does not stop, a severe allergic reaction, an
  injury, thoughts of ending a life, a sudden unresponsiveness; "hospice_first" for the other
  emergency signs;
- nurse.yml: tier nurse; "expected" order for the expected signs of the last days;
- near_miss.yml: no alarm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SETS = Path(__file__).resolve().parent / "data" / "triage"
# Written after the triage was tuned against SETS, from the sources alone; measured, not tuned.
BLIND = Path(__file__).resolve().parent / "data" / "triage_blind"
EMERGENCY, NURSE, NONE = "emergency", "nurse", "none"
TIER_OF_SET = {"emergency": EMERGENCY, "nurse": NURSE, "near_miss": NONE}
IMMEDIATE = {"sudden_unresponsive"}


def load(name: str, sets: Path = SETS) -> list[dict[str, Any]]:
    return list(yaml.safe_load((sets / f"{name}.yml").read_text(encoding="utf-8"))["messages"])


def expected(name: str, message: dict[str, Any]) -> tuple[str, str]:
    """(tier, order) a message of set `name` should get."""
    tier = TIER_OF_SET[name]
    if tier == EMERGENCY:
        # The writers were briefed to put sudden unresponsiveness with the hospice-first signs;
        # EVIDENCE.md keeps a sudden, unexpected change for 911 first, and so does the bot.
        immediate = message.get("order") == "immediate" or message.get("sign") in IMMEDIATE
        return tier, "immediate" if immediate else "hospice_first"
    if tier == NURSE:
        return tier, "expected" if message.get("sign") == "expected_decline" else "nurse"
    return tier, ""


def upper_bound(misses: int, n: int, confidence: float = 0.95) -> float:
    """One-sided upper confidence bound of a miss rate (exact, Clopper-Pearson)."""
    if n == 0:
        return 1.0
    if misses >= n:
        return 1.0
    from scipy.stats import beta

    return float(beta.ppf(confidence, misses + 1, n - misses))


@dataclass
class SetScore:
    name: str
    total: int = 0
    right_tier: int = 0
    any_alarm: int = 0
    right_order: int = 0
    misses: list[str] = field(default_factory=list)  # wrong tier (or an alarm, for near misses)
    wrong_order: list[str] = field(default_factory=list)


def score(classify: Callable[[str], tuple[str, str]],
          sets: Path = SETS) -> dict[str, SetScore]:
    """`classify(text) -> (tier, order)` over every set of the directory `sets`."""
    scores = {}
    for name in TIER_OF_SET:
        s = SetScore(name)
        for m in load(name, sets):
            want_tier, want_order = expected(name, m)
            tier, order = classify(m["text"])
            s.total += 1
            s.any_alarm += tier != NONE
            label = m.get("sign") or m.get("why")
            if tier == want_tier:
                s.right_tier += 1
                if order == want_order:
                    s.right_order += 1
                else:
                    s.wrong_order.append(f"[{label}] {m['text']!r}: {order}, not {want_order}")
            else:
                s.misses.append(f"[{label}] {m['text']!r}: {tier}")
        scores[name] = s
    return scores
