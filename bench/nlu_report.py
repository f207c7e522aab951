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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--skip-cv", action="store_true")
    ap.add_argument("--model", default=str(ROOT / "models" / "gentle-hands.tar.gz"))
    args = ap.parse_args()
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
