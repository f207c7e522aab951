"""Throughput of the production topology: nginx, 2 Rasa replicas, PostgreSQL, Redis locks.

    .venv/bin/python bench/topology_load.py [--seconds 20] [--workers 1]

The same scripted caregivers as bench/speed.py (20, then 50 at once, each running the
Gentle Hands script in fresh conversations), sent through nginx to `make deploy-local`'s
topology (tests/deploy/topology.py starts it on free ports with fresh databases). On this
2-core machine the two replicas and the action server share the cores, so this shows what
scaling out buys here, not on a cluster. Needs TEST_POSTGRES_URL and TEST_REDIS_URL, as the
deploy tests do. Writes its section of bench/RESULTS.md and prints it. Not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from bench.speed import GH_SCRIPT, load  # noqa: E402
from tests.deploy.topology import Topology  # noqa: E402

BEGIN, END = "<!-- topology-load:begin -->", "<!-- topology-load:end -->"


class ThroughNginx:
    """What bench/speed.py's `load` needs of a server: `say(sender, text)`."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology

    def say(self, sender: str, text: str) -> tuple[float, int]:
        began = time.perf_counter()
        status, _body, _upstream = self.topology.say(sender, text, timeout=60)
        return time.perf_counter() - began, status


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=1, help="SANIC_WORKERS per replica")
    args = ap.parse_args()
    postgres = os.environ.get("TEST_POSTGRES_URL", "").strip()
    redis = os.environ.get("TEST_REDIS_URL", "").strip()
    if not postgres or not redis:
        print("Set TEST_POSTGRES_URL and TEST_REDIS_URL (see README).", file=sys.stderr)
        return 2
    os.environ["SANIC_WORKERS"] = str(args.workers)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        topology = Topology(postgres, redis, Path(tmp))
        topology.start()
        try:
            server = ThroughNginx(topology)
            for sender in ("warm-1", "warm-2"):  # both replicas answer once before timing
                for text in GH_SCRIPT[:4]:
                    server.say(sender, text)
            for users in (20, 50):
                print(f"[{time.strftime('%H:%M:%S')}] {users} users for {args.seconds:.0f} s",
                      flush=True)
                r = load(server, GH_SCRIPT, users, args.seconds)  # type: ignore[arg-type]
                rows.append(f"| {users} | {r['msgs_per_s']:.0f} | {r['p50_ms']:.0f} ms | "
                            f"{r['p95_ms']:.0f} ms | {r['errors']} |")
        finally:
            topology.stop()
    lines = [
        "## The production topology under load (bench/topology_load.py)", "",
        f"Measured {time.strftime('%Y-%m-%d')} on this machine ({os.cpu_count()} cores): nginx, "
        f"2 Rasa replicas ({args.workers} Sanic worker each), the action server, PostgreSQL "
        "tracker store and journal, the atomic Redis lock store, all on this one machine; the "
        f"bench/speed.py caregiver script, load levels of {args.seconds:.0f} s.", "",
        "| users | messages/s | p50 | p95 | failed |", "|---|---|---|---|---|", *rows]
    text = "\n".join(lines)
    write_section(BEGIN, END, text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
