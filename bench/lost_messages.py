"""Measure what the atomic lock store fixes; writes its section of bench/RESULTS.md.

    .venv/bin/python bench/lost_messages.py [--trials 3] [--no-topology]

1. The lock harness (tests/deploy/lock_harness.py): 4 processes call issue_ticket 500 times
   each on one conversation; then 4 processes x 4 asyncio tasks x 10 rounds take the lock.
2. The topology (tests/deploy/topology.py, unless --no-topology): nginx + 2 Rasa replicas +
   PostgreSQL, 50 conversations x 2 bursts x 3 concurrent messages, once with the atomic
   store and once with Rasa's RedisLockStore; then the tracker store is checked.
Needs TEST_REDIS_URL and (for the topology) TEST_POSTGRES_URL, as the tests do.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from tests.deploy.lock_harness import issue_race, race  # noqa: E402

BEGIN, END = "<!-- lost-messages:begin -->", "<!-- lost-messages:end -->"


def cleanup(redis_url: str, prefix: str) -> None:
    import redis

    r = redis.Redis.from_url(redis_url)
    keys = list(r.scan_iter(match=prefix + "*", count=1000))
    if keys:
        r.delete(*keys)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--no-topology", action="store_true")
    args = ap.parse_args()
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    postgres_url = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

    lines = ["## Lost messages with 2+ replicas (atomic vs stock Redis lock store)", "",
             f"Measured {time.strftime('%Y-%m-%d')} on this machine (2 shared cores), "
             "`bench/lost_messages.py`.", "",
             "### Lock harness (one conversation, 4 processes)", "",
             "| store | trial | tickets issued | distinct | lock acquisitions | served | "
             "duplicate tickets | overlapping holders | LockErrors/stranded | in order |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for kind in ("atomic", "stock"):
        for trial in range(args.trials):
            prefix = f"ghbench{uuid.uuid4().hex[:10]}"
            try:
                tickets = issue_race(kind, redis_url, prefix + "i", processes=4, n=500)
                r = race(kind, redis_url, prefix, processes=4, tasks=4, rounds=10,
                         lifetime=2, budget=8)
            finally:
                cleanup(redis_url, prefix)
            lines.append(f"| {kind} | {trial + 1} | {len(tickets)} | {len(set(tickets))} | "
                         f"{r.attempts} | {len(r.served)} | {r.duplicates} | {r.overlaps} | "
                         f"{r.errors} | {r.in_order} |")
            print(lines[-1], flush=True)

    if not args.no_topology:
        from tests.deploy.topology import Topology, check_tracker_store, converse

        lines += ["", "### Topology (nginx, 2 replicas, PostgreSQL tracker store)", "",
                  "50 conversations x 2 bursts x 3 concurrent messages through nginx.", "",
                  "| lock store | turns | HTTP errors | user messages lost | duplicated | "
                  "turns with lost/misplaced replies | conversations broken | "
                  "conversations on both replicas | traffic s |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for kind in ("atomic", "stock"):
            with tempfile.TemporaryDirectory() as tmp:
                t = Topology(postgres_url, redis_url, Path(tmp), lock_store=kind)
                try:
                    t.start()
                    t0 = time.time()
                    sent = converse(t, conversations=50, bursts=2, burst_size=3, parallel=10)
                    seconds = time.time() - t0
                    c = check_tracker_store(t.tracker_url, sent)
                finally:
                    t.stop()
                    cleanup(redis_url, t.key_prefix)
            lines.append(f"| {kind} | {c.turns} | {c.http_errors} | {c.lost_user} | "
                         f"{c.duplicated_user} | {c.lost_or_misplaced_bot} | "
                         f"{len(c.broken_conversations)} | "
                         f"{c.conversations_on_both_replicas} | {seconds:.0f} |")
            print(lines[-1], flush=True)
    write_section(BEGIN, END, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
