"""What the spelling normaliser (bot/spelling.py) costs: load time, memory, time per word.

Run: `.venv/bin/python bench/spelling.py` (a few seconds). Writes the "Spelling" section of
bench/RESULTS.md. Measured in a fresh process so the memory figure is the speller's own.
"""

from __future__ import annotations

import re
import resource
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402

START = "<!-- spelling:start -->"
END = "<!-- spelling:end -->"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def training_words() -> list[str]:
    """Every word of the NLU training data (the caregiver's voice, typos included)."""
    words = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            words += re.findall(r"[A-Za-z]+", str(item.get("examples") or ""))
    return words


def main() -> int:
    words = training_words()
    import symspellpy  # noqa: F401  (its import is not the speller's cost)

    before = rss_mb()
    start = time.perf_counter()
    from bot.spelling import Speller

    speller = Speller()
    load = time.perf_counter() - start
    memory = rss_mb() - before
    timings, changed = [], 0
    for word in words:
        t = time.perf_counter()
        fixed = speller.correct(word)
        timings.append((time.perf_counter() - t) * 1e6)
        changed += fixed != word
    unknown = [w for w in words if speller.correct(w) != w]
    body = "\n".join([
        "## Spelling (bench/spelling.py)", "",
        f"Measured {time.strftime('%Y-%m-%d')} on this machine, in a fresh process: the "
        "SymSpell speller of bot/spelling.py (English dictionary of 82,765 words plus "
        f"{len(speller.project)} words of the project's prose; prefix length 5, edit distance "
        "up to 2).", "",
        "| measure | value |", "| --- | --- |",
        f"| load (once per server process) | {load:.2f} s |",
        f"| memory added | {memory:.0f} MB |",
        f"| words corrected, NLU training data | {changed} of {len(words)} |",
        f"| per word, median | {statistics.median(timings):.1f} µs |",
        f"| per word, 99th percentile | {statistics.quantiles(timings, n=100)[98]:.0f} µs |",
        f"| per word, slowest | {max(timings):.0f} µs |", "",
        f"A message of 20 words costs about {20 * statistics.mean(timings) / 1000:.2f} ms. "
        f"Distinct words corrected: {len(set(unknown))}.",
    ])
    write_section(START, END, body)
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
