"""NLU report: cross-validation of intents and FAQ response selection, plus held-out accuracy.

Not part of `make test` (it trains several models). Run: `make nlu-report` (or
`.venv/bin/python bench/nlu_report.py --folds 3`). Writes the numbers into bench/RESULTS.md
between the NLU markers, replacing the previous ones.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402

START, END = "<!-- nlu-report:start -->", "<!-- nlu-report:end -->"


def cross_validate(folds: int, out: Path) -> dict:
    cmd = [str(ROOT / ".venv" / "bin" / "rasa"), "test", "nlu", "--cross-validation",
           "--folds", str(folds), "--out", str(out), "--quiet"]
    started = time.time()
    subprocess.run(cmd, cwd=ROOT, check=True)
    report = {"seconds": round(time.time() - started)}
    for name in ("intent_report.json", "response_selection_report.json"):
        path = out / name
        if path.exists():
            data = json.loads(path.read_text())
            report[name] = {k: data[k] for k in ("accuracy", "macro avg", "weighted avg")
                            if k in data}
    return report


async def heldout(model: Path) -> tuple[int, int, list[str]]:
    from rasa.core.agent import Agent

    from bot.faq import load_topics
    from bot.redflags import detect
    from bot.textguard import asks_about_medication

    agent = Agent.load(str(model))
    ok = total = 0
    misses = []
    for topic in load_topics().values():
        for text in topic.heldout:
            if detect(text) or asks_about_medication(text):
                continue  # answered by the safety net, by design
            parsed = await agent.parse_message(text)
            key = parsed.get("response_selector", {}).get("faq", {}).get("response", {})
            got = key.get("intent_response_key")
            total += 1
            if parsed["intent"]["name"] == "faq" and got == f"faq/{topic.id}":
                ok += 1
            else:
                misses.append(f"{text!r}: faq/{topic.id} -> {got}")
    return ok, total, misses


def fmt(section: dict) -> str:
    def row(name: str, key: str) -> str:
        data = section.get(key) or {}
        acc = data.get("accuracy")
        f1 = (data.get("weighted avg") or {}).get("f1-score")
        return f"| {name} | {acc:.3f} | {f1:.3f} |" if acc is not None and f1 else ""

    return "\n".join(r for r in [row("intents", "intent_report.json"),
                                 row("FAQ response selection",
                                     "response_selection_report.json")] if r)


TRIAGE_START, TRIAGE_END = "<!-- triage-report:start -->", "<!-- triage-report:end -->"


def triage_report() -> str:
    """Red-flag triage on the held-out sets (tests/data/triage/): recall per tier with the
    one-sided 95% upper bound of the miss rate, near-miss false alarms, and every miss."""
    from bot.triage import Triage
    from tests.triage_sets import BLIND, SETS

    triage = Triage()
    lines = ["## Red-flag triage (bench/nlu_report.py)", ""]
    lines += _triage_table(triage, SETS, "tests/data/triage/ (written in a caregiver's voice "
                           "from the content and the sources, never trained on; the lexicon's "
                           "patterns were widened where these showed what it lacked, so the "
                           "figures are the tuned ones)")
    if BLIND.is_dir():
        lines += _triage_table(triage, BLIND, "tests/data/triage_blind/ (written afterwards "
                               "from the sources alone, measured, never tuned against: the "
                               "honest figure)")
    return "\n".join(lines)


def _triage_table(triage: Any, sets: Path, what: str) -> list[str]:
    from tests.triage_sets import score, upper_bound

    scores = score(lambda text: (lambda v: (v.tier, v.order))(triage(text)), sets)
    lines = [f"Measured {time.strftime('%Y-%m-%d')} with bot/triage.py on {what}. Right tier: "
             "the message got its own tier; any alarm: it got an alarm of some tier. The bound "
             "is the one-sided 95% upper bound of the "
             "miss rate (Clopper-Pearson).", "",
             "| set | messages | right tier | any alarm | miss rate, 95% upper bound | right "
             "order of calls |", "| --- | --- | --- | --- | --- | --- |"]
    for name in ("emergency", "nurse"):
        s = scores[name]
        misses = s.total - s.right_tier
        lines.append(f"| {name} | {s.total} | {s.right_tier} ({s.right_tier / s.total:.1%}) | "
                     f"{s.any_alarm} | {upper_bound(misses, s.total):.1%} | "
                     f"{s.right_order} |")
    near = scores["near_miss"]
    lines += [f"| near misses | {near.total} | {near.right_tier} quiet | "
              f"{near.any_alarm} false alarms ({near.any_alarm / near.total:.1%}) | | |", ""]
    for name, title in (("emergency", "Emergency messages not given the emergency tier"),
                        ("nurse", "Nurse-line messages not given the nurse tier"),
                        ("near_miss", "Near misses that raised an alarm")):
        if scores[name].misses:
            lines += [f"{title}:", ""] + [f"- {m}" for m in scores[name].misses] + [""]
    for name in ("emergency", "nurse"):
        if scores[name].wrong_order:
            lines += [f"Calls in another order ({name}):", ""] + [
                f"- {m}" for m in scores[name].wrong_order] + [""]
    return lines


UNDERSTANDING_START = "<!-- understanding-report:start -->"
UNDERSTANDING_END = "<!-- understanding-report:end -->"


async def understanding_report(model: Path) -> str:
    """The held-out understanding sets through the trained model: accuracy per category, with
    the misses. tests/data/understanding/ was written before the training data changed and
    its misses guided what was added (never copied); tests/data/understanding_blind/ was
    written afterwards and is only measured."""
    from rasa.core.agent import Agent

    from tests.understanding_sets import BLIND, SETS, load, score

    agent = Agent.load(str(model))
    lines = ["## Understanding (bench/nlu_report.py)", "",
             f"Measured {time.strftime('%Y-%m-%d')}: the held-out sets (written in a "
             "caregiver's voice from the content alone, never trained on), each message parsed "
             "alone by the trained model; what counts as right is in "
             "tests/understanding_sets.py. `understanding/` was written before the training "
             "data grew and its misses guided what kinds of example were added (so it flatters); "
             "`understanding_blind/` was written afterwards and is only measured.", ""]
    misses: list[str] = []
    for sets in (SETS, BLIND):
        parsed: dict[str, dict] = {}
        for name in ("faq", "requests"):
            for message in load(name, sets):
                parsed[message["text"]] = await agent.parse_message(message["text"])
        scores = score(parsed.__getitem__, sets)
        total = sum(s.total for s in scores.values())
        right = sum(s.right for s in scores.values())
        lines += [f"`tests/data/{sets.name}/`:", "",
                  "| category | messages | right |", "| --- | --- | --- |"]
        for name, s in sorted(scores.items()):
            lines.append(f"| {name} | {s.total} | {s.right} ({s.right / s.total:.1%}) |")
        lines += [f"| all | {total} | {right} ({right / total:.1%}) |", ""]
        for name, s in sorted(scores.items()):
            if s.misses:
                misses += [f"Misses, {sets.name}, {name}:", ""] + [
                    f"- {m}" for m in s.misses] + [""]
    return "\n".join(lines + misses)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--skip-cv", action="store_true")
    ap.add_argument("--triage-only", action="store_true",
                    help="only the red-flag triage on its held-out sets (no model needed)")
    ap.add_argument("--understanding-only", action="store_true",
                    help="the triage and the held-out understanding sets, no cross-validation")
    ap.add_argument("--model", default=str(ROOT / "models" / "gentle-hands.tar.gz"))
    args = ap.parse_args()
    triage_block = triage_report()
    write_section(TRIAGE_START, TRIAGE_END, triage_block)
    print(triage_block)
    if args.triage_only:
        return 0
    understanding_block = asyncio.run(understanding_report(Path(args.model)))
    write_section(UNDERSTANDING_START, UNDERSTANDING_END, understanding_block)
    print(understanding_block.split("Misses")[0])
    if args.understanding_only:
        return 0
    lines = ["## NLU (bench/nlu_report.py)", "",
             f"Measured {time.strftime('%Y-%m-%d')} on this machine ({args.folds}-fold "
             "cross-validation over all NLU data; held-out phrasings never used in training).",
             ""]
    if not args.skip_cv:
        cv = cross_validate(args.folds, ROOT / "results" / "nlu_cv")
        lines += ["| Cross-validation | accuracy | weighted F1 |", "| --- | --- | --- |",
                  fmt(cv), "", f"Cross-validation took {cv['seconds']} s.", ""]
    ok, total, misses = asyncio.run(heldout(Path(args.model)))
    lines += [f"Held-out FAQ phrasings reaching the right topic: **{ok}/{total} "
              f"({ok / total:.1%})**.", ""]
    if misses:
        lines += ["Misses:", ""] + [f"- {m}" for m in misses] + [""]
    block = "\n".join(lines)
    write_section(START, END, block)
    print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
