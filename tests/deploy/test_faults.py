"""Faults in the production topology: a replica killed, the action server down, a store down.

One `ManagedTopology` (tests/deploy/topology.py) for the module: nginx, 2 Rasa replicas and
the action server as separate processes the test controls, a fresh PostgreSQL database, and
the replicas' tracker store (PostgreSQL) and lock store (Redis) behind cuttable TCP proxies.
Every test leaves the topology whole again.

a. kill -9 of the replica that served a hand routine's last step: while it is down, nginx
   sends every message to the other replica (no 502); after a restart, the
   caregiver's next "next" (through nginx, whichever replica serves it) is step 3, and the
   restarted replica itself carries the conversation on to step 4. The routine lives in
   PostgreSQL, not in a replica.
b. Action server stopped: a message that needs an action gets, at once, "I'm sorry, I can't
   do that just now. Please try again in a minute." (components/server_patches.py; Rasa 3.6
   alone sends nothing); a red flag is still answered with the right number; once the action
   server is back the same message gets the estimate.
c. PostgreSQL, then Redis, down (the proxy refuses new connections and closes open ones)
   or hung (connections accepted and kept open, nothing answered): a message through nginx,
   and another to the replica that served it, get the kind reply within seconds, at most
   the stores' 10 s timeouts (Rasa 3.6 alone answered the first as a new conversation from
   memory, or with nothing, and a hung PostgreSQL froze the replica until nginx gave up);
   a red flag still gets its answer; both Rasa processes stay up (same pids); once the
   proxy is back, the first message to each replica, the one that saw no traffic during
   the outage first, is answered normally.

Needs TEST_POSTGRES_URL, TEST_REDIS_URL, nginx and the trained model; about 4 minutes here,
most of it loading the model into the replicas and waiting out the hung stores' timeouts.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.server_patches import FAILURE_TEXT
from tests.deploy.topology import MODEL, ManagedTopology

pytestmark = [pytest.mark.deploy, pytest.mark.postgres, pytest.mark.redis]

ESTIMATE = "estimate relief for pain 6 and anxiety 8"
BOUND = 30  # seconds: a fault must get its answer well within this


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedTopology]:
    postgres_url = os.environ.get("TEST_POSTGRES_URL", "").strip()
    redis_url = os.environ.get("TEST_REDIS_URL", "").strip()
    if not postgres_url or not redis_url:
        pytest.skip("TEST_POSTGRES_URL and TEST_REDIS_URL must be set (e.g. "
                    "postgresql://postgres@127.0.0.1:5432/test, redis://127.0.0.1:6379/0)")
    if not MODEL.exists():
        pytest.fail("No trained model: run `make train` (make test does it) before deploy tests.")
    topology = ManagedTopology(postgres_url, redis_url, Path(tmp_path_factory.mktemp("faults")))
    try:
        topology.start()
        yield topology
    finally:
        topology.stop()


def texts(body: list) -> list[str]:
    return [m.get("text") or "" for m in body]


def step_line(body: list) -> str | None:
    return next((t.splitlines()[0] for t in texts(body) if t.startswith("Step ")), None)


def sender(kind: str) -> str:
    return f"fault-{kind}-{uuid.uuid4().hex[:8]}"


def say(topology: ManagedTopology, who: str, text: str) -> tuple[list, str, float]:
    started = time.monotonic()
    status, body, upstream = topology.say(who, text)
    elapsed = time.monotonic() - started
    assert status == 200, (status, body, topology.logs())
    return body, upstream, elapsed


def test_a_replica_killed_mid_routine_loses_nothing(topology: ManagedTopology) -> None:
    who = sender("kill")
    say(topology, who, '/start_routine{"routine": "hand"}')
    body, _, _ = say(topology, who, "yes")
    for _ in range(6):
        body, _, _ = say(topology, who, "no")
        if any("that's all I need" in t for t in texts(body)):
            break
    assert any("that's all I need" in t for t in texts(body)), texts(body)
    body, _, _ = say(topology, who, '/choose_variant{"variant": "standard"}')
    assert (step_line(body) or "").startswith("Step 1 of "), texts(body)
    body, upstream, _ = say(topology, who, "next")
    assert (step_line(body) or "").startswith("Step 2 of "), texts(body)

    victim = topology.replica_of(upstream)  # the replica that served step 2
    pid = topology.processes[f"rasa-{victim}"].pid
    topology.kill_replica(victim)
    assert not topology.alive(f"rasa-{victim}")
    # While it is down, nginx skips it: every caregiver still gets an answer, none a 502.
    for n in range(10):
        status, body, upstream = topology.say(sender(f"down{n}"), "hi", timeout=BOUND)
        assert status == 200 and "Gentle Hands" in " ".join(texts(body)), (n, status, upstream)
        assert topology.replica_of(upstream) == 3 - victim, upstream
    topology.start_replica(victim)
    topology.wait_ready([f"rasa-{victim}"])
    assert topology.processes[f"rasa-{victim}"].pid != pid

    body, upstream, _ = say(topology, who, "next")
    assert (step_line(body) or "").startswith("Step 3 of "), (upstream, texts(body))
    status, body = topology.say_to(victim, who, "next")  # the restarted replica itself
    assert status == 200 and (step_line(body) or "").startswith("Step 4 of "), texts(body)


def test_action_server_down_gets_a_kind_reply_then_the_estimate(
        topology: ManagedTopology) -> None:
    who = sender("actions")
    body, _, _ = say(topology, who, "hi")
    assert "Gentle Hands" in " ".join(texts(body))

    topology.stop_process("actions")
    assert not topology.alive("actions")
    try:
        body, _, elapsed = say(topology, who, ESTIMATE)
        assert texts(body) == [FAILURE_TEXT] and elapsed < BOUND, (elapsed, texts(body))
        # A red flag never waits for the action server.
        body, _, _ = say(topology, sender("actions-flag"), "she has chest pain")
        assert "999" in " ".join(texts(body)) and "stop" in " ".join(texts(body)).lower()
    finally:
        topology.start_actions()
        topology.wait_ready(["actions"])

    body, _, _ = say(topology, who, ESTIMATE)
    text = " ".join(texts(body))
    assert "pain from 6 to about 4" in text and "anxiety from 8 to about 5" in text, texts(body)


def clear(status: int, body: list, elapsed: float) -> bool:
    """A clear answer to a message the stores could not take: 5xx or the kind reply, soon."""
    return elapsed < BOUND and (status >= 500 or texts(body) == [FAILURE_TEXT])


@pytest.mark.parametrize("store", ["postgres", "redis"])
@pytest.mark.parametrize("fault", ["down", "hung"])
def test_a_store_outage_gets_a_clear_answer_and_the_replicas_recover(
        topology: ManagedTopology, store: str, fault: str) -> None:
    proxy = topology.db_proxy if store == "postgres" else topology.redis_proxy
    who = sender(store)
    for i in (1, 2):  # both replicas have pooled connections to both stores
        status, body = topology.say_to(i, who, "hi")
        assert status == 200 and "Gentle Hands" in " ".join(texts(body)), (i, texts(body))
    pids = {i: topology.processes[f"rasa-{i}"].pid for i in (1, 2)}

    proxy.cut() if fault == "down" else proxy.hang()
    try:
        started = time.monotonic()
        status, body, upstream = topology.say(who, "what pressure should I use?", timeout=BOUND)
        elapsed = time.monotonic() - started
        assert clear(status, body, elapsed), (status, texts(body), elapsed, topology.logs())
        hit = topology.replica_of(upstream)
        started = time.monotonic()
        status, body = topology.say_to(hit, who, "thank you", timeout=BOUND)
        assert clear(status, body, time.monotonic() - started), (status, texts(body))
        # A red flag still gets its answer: the NLU needs no store.
        status, body = topology.say_to(hit, who, "she has chest pain", timeout=BOUND)
        said = " ".join(texts(body))
        assert status == 200 and "999" in said and "stop" in said.lower(), texts(body)
    finally:
        proxy.restore()

    for i in (1, 2):
        assert topology.alive(f"rasa-{i}"), topology.logs()
        assert topology.processes[f"rasa-{i}"].pid == pids[i]  # no crash, no restart
    # The replica that saw no traffic during the outage first: its pooled connections died
    # with the outage, and its first turn afterwards must not be the one to find out.
    for i in (3 - hit, hit):
        status, body = topology.say_to(i, who, "hi")
        assert status == 200 and "Gentle Hands" in " ".join(texts(body)), (i, texts(body))
    body, _, _ = say(topology, who, "what pressure should I use?")
    assert texts(body) and FAILURE_TEXT not in texts(body), texts(body)
