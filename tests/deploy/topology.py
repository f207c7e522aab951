"""The local production topology (scripts/deploy_local.sh) as a test and benchmark harness.

`Topology` starts nginx, 2 Rasa replicas and the action server on free ports, with a fresh
PostgreSQL database for the tracker store and one for the journal, and its own Redis key
prefix (its `channels` settings switch on more channels, e.g. Telegram and WhatsApp pointed at
local fakes); `stop()` ends them and drops the databases. `converse()` sends bursts of messages
through nginx and `check_tracker_store()` compares what PostgreSQL holds with what was sent
and answered. `ManagedTopology` is the same topology with each process started by the
harness, and the replicas' stores behind cuttable `TcpProxy`s, for the fault tests
(tests/deploy/test_faults.py).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "gentle-hands.tar.gz"
START_TIMEOUT = 300

# Ordinary caregiver turns; each message gets a unique tag so it can be found in the store.
MESSAGES = [
    "hi",
    "how do I massage her hands?",
    "thank you",
    "is lotion ok on dry skin?",
    "how long should a foot massage take?",
    "what pressure should I use?",
    "she seems calmer now",
    "ok",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Topology:
    postgres_url: str
    redis_url: str
    workdir: Path
    lock_store: str = "atomic"  # or "stock": Rasa's RedisLockStore, for comparison
    rate_limit: str = "1000r/s"
    rate_burst: int = 1000
    conn_limit: int = 1000
    # More environment for every process, e.g. the Telegram and WhatsApp channels pointed at
    # local fakes of the providers (tests/channels/fakes.py): empty leaves them off.
    channels: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    def __post_init__(self) -> None:
        self.nginx_port = free_port()
        self.rasa_ports = [free_port(), free_port()]
        self.action_port = free_port()
        base = make_url(self.postgres_url)
        self.tracker_url = str(base.set(database=f"ghdeploy_{self.tag}"))
        self.journal_url = str(base.set(database=f"ghdeploy_{self.tag}_journal"))
        self.key_prefix = f"ghdeploy{self.tag}"
        self.token = uuid.uuid4().hex
        # deploy_local.sh refuses to start without a REST secret and explicit origins.
        self.rest_secret = uuid.uuid4().hex
        self.url = f"http://127.0.0.1:{self.nginx_port}"
        self.origins = self.url
        self.log_dir = self.workdir / "deploy"

    # -- life cycle -------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        model = self.workdir / "model.tar.gz"
        if not model.exists():  # the lead may retrain while we run
            shutil.copy(MODEL, model)
        env.update(
            DEPLOY_DIR=str(self.log_dir), MODEL=str(model), NGINX_PORT=str(self.nginx_port),
            RASA_PORTS=" ".join(map(str, self.rasa_ports)), ACTION_PORT=str(self.action_port),
            TRACKER_DB_URL=self.tracker_url, JOURNAL_DB_URL=self.journal_url,
            REDIS_URL=self.redis_url, LOCK_STORE_KEY_PREFIX=self.key_prefix,
            RASA_AUTH_TOKEN=self.token, RATE_LIMIT=self.rate_limit,
            RATE_BURST=str(self.rate_burst), CONN_LIMIT=str(self.conn_limit),
            REST_WEBHOOK_SECRET=self.rest_secret, ALLOWED_ORIGINS=self.origins,
            # nginx adds the REST secret to what it forwards, as a hospice's own system
            # would send it: the harness's clients (tests/fuzzing.py among them) post without
            # it, and the replicas require it.
            NGINX_EXTRA="add_header X-Upstream $upstream_addr always; "
                        f'proxy_set_header X-Webhook-Secret "{self.rest_secret}";',
            HOSPICE_PHONE="0800 555 0100", EMERGENCY_NUMBER="999",
        )
        env.update(self.channels)
        if self.lock_store == "stock":
            env["ENDPOINTS"] = str(self._stock_endpoints())
        return env

    def _stock_endpoints(self) -> Path:
        from urllib.parse import urlparse

        u = urlparse(self.redis_url)
        text = (ROOT / "deploy" / "endpoints.yml").read_text()
        text = text.split("lock_store:")[0] + (
            "lock_store:\n  type: redis\n"
            f"  url: {u.hostname}\n  port: {u.port or 6379}\n"
            f"  db: {int((u.path or '/0').lstrip('/') or 0)}\n  key_prefix: {self.key_prefix}\n"
        )
        path = self.workdir / "endpoints-stock.yml"
        path.write_text(text)
        return path

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.workdir / "deploy_local.out", "wb") as out:
            self.process = subprocess.Popen(
                ["bash", str(ROOT / "scripts" / "deploy_local.sh")], cwd=ROOT, env=self.env(),
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"deploy_local.sh exited early:\n{self.logs()}")
            if "is ready" in (self.workdir / "deploy_local.out").read_text(errors="replace"):
                return
            time.sleep(0.5)
        raise RuntimeError(f"the topology did not start in {START_TIMEOUT}s:\n{self.logs()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.drop_databases()

    def drop_databases(self) -> None:
        admin = sa.create_engine(make_url(self.postgres_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            for url in (self.tracker_url, self.journal_url):
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" '
                                  "WITH (FORCE)"))
        admin.dispose()

    def logs(self) -> str:
        parts = []
        for p in [self.workdir / "deploy_local.out", *sorted(self.log_dir.glob("*.log"))]:
            if p.exists():
                parts.append(f"--- {p.name}\n" + p.read_text(errors="replace")[-2500:])
        return "\n".join(parts)

    def replica_url(self, i: int) -> str:
        """Replica i (1 or 2) itself, past nginx."""
        return f"http://127.0.0.1:{self.rasa_ports[i - 1]}"

    def replica_of(self, upstream: str) -> int:
        """Which replica (1 or 2) an X-Upstream header names."""
        port = int(upstream.rsplit(":", 1)[-1])
        return self.rasa_ports.index(port) + 1

    # -- traffic ------------------------------------------------------------------------------
    def say(self, sender: str, text: str, timeout: float = 120) -> tuple[int, list, str]:
        r = requests.post(f"{self.url}/webhooks/rest/webhook",
                          json={"sender": sender, "message": text}, timeout=timeout,
                          headers={"X-Webhook-Secret": self.rest_secret})
        body = r.json() if r.headers.get("content-type", "").startswith("application/json") \
            else []
        return r.status_code, body, r.headers.get("X-Upstream", "")


@dataclass
class Turn:
    burst: int
    text: str
    status: int = 0
    replies: list[str | None] = field(default_factory=list)
    upstream: str = ""


def converse(topology: Topology, conversations: int = 50, bursts: int = 2, burst_size: int = 3,
             parallel: int = 10) -> dict[str, list[Turn]]:
    """Every conversation sends `bursts` bursts of `burst_size` concurrent messages."""
    senders = [f"conv-{topology.tag}-{i:03d}" for i in range(conversations)]

    def one(sender: str) -> list[Turn]:
        turns: list[Turn] = []
        with cf.ThreadPoolExecutor(burst_size) as pool:
            for b in range(bursts):
                batch = [
                    Turn(b, f"{MESSAGES[(b * burst_size + k) % len(MESSAGES)]} [{b}.{k}]")
                    for k in range(burst_size)
                ]
                for turn, (status, body, upstream) in zip(
                    batch, pool.map(lambda t: topology.say(sender, t.text), batch), strict=True
                ):
                    turn.status, turn.upstream = status, upstream
                    turn.replies = [m.get("text") for m in body] if isinstance(body, list) else []
                turns += batch
        return turns

    with cf.ThreadPoolExecutor(parallel) as pool:
        return dict(zip(senders, pool.map(one, senders), strict=True))


@dataclass
class Check:
    conversations: int = 0
    turns: int = 0
    http_errors: int = 0
    lost_user: int = 0  # user messages missing from the store
    duplicated_user: int = 0
    lost_or_misplaced_bot: int = 0  # turns whose replies are not right after their message
    out_of_order: int = 0  # a message of burst k+1 stored before one of burst k
    conversations_on_both_replicas: int = 0
    broken_conversations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.http_errors or self.lost_user or self.duplicated_user
                    or self.lost_or_misplaced_bot or self.out_of_order)

    def summary(self) -> str:
        return (
            f"{self.conversations} conversations, {self.turns} turns: {self.http_errors} HTTP "
            f"errors, {self.lost_user} user messages lost, {self.duplicated_user} duplicated, "
            f"{self.lost_or_misplaced_bot} turns with lost/misplaced replies, "
            f"{self.out_of_order} out of order; {len(self.broken_conversations)} conversations "
            f"broken; {self.conversations_on_both_replicas} conversations served by both "
            f"replicas"
        )


def stored_events(tracker_url: str, senders: list[str]) -> dict[str, list[tuple[str, Any]]]:
    """Each REST sender's stored turns (channels/rest.py names its conversation rest:<sender>)."""
    engine = sa.create_engine(tracker_url)
    out: dict[str, list[tuple[str, Any]]] = {s: [] for s in senders}
    with engine.connect() as c:
        rows = c.execute(sa.text(
            "SELECT sender_id, type_name, data FROM events WHERE type_name IN ('user', 'bot') "
            "ORDER BY id"))
        for sender, kind, data in rows:
            sender = sender.removeprefix("rest:")
            if sender in out:
                out[sender].append((kind, json.loads(data).get("text")))
    engine.dispose()
    return out


def check_tracker_store(tracker_url: str, sent: dict[str, list[Turn]]) -> Check:
    """Every user message once, each followed by exactly its replies, bursts in order."""
    check = Check(conversations=len(sent))
    events = stored_events(tracker_url, list(sent))
    for sender, turns in sent.items():
        check.turns += len(turns)
        check.http_errors += sum(t.status != 200 for t in turns)
        if len({t.upstream for t in turns if t.upstream}) > 1:
            check.conversations_on_both_replicas += 1
        stored = events[sender]
        user_at = [i for i, (kind, _) in enumerate(stored) if kind == "user"]
        user_texts = [stored[i][1] for i in user_at]
        broken = False
        for turn in turns:
            n = user_texts.count(turn.text)
            if n == 0:
                check.lost_user += 1
                broken = True
                continue
            if n > 1:
                check.duplicated_user += n - 1
                broken = True
            i = user_at[user_texts.index(turn.text)]
            following = []
            for kind, text in stored[i + 1:]:
                if kind == "user":
                    break
                following.append(text)
            if following != turn.replies:
                check.lost_or_misplaced_bot += 1
                broken = True
        burst_of = {t.text: t.burst for t in turns}
        order = [burst_of.get(t, -1) for t in user_texts]
        bad = sum(a > b for a, b in zip(order, order[1:], strict=False))
        check.out_of_order += bad
        extra = [t for t in user_texts if t not in burst_of]
        if bad or extra:
            broken = True
        if broken:
            check.broken_conversations.append(sender)
    return check


# -- faults: a cuttable proxy, and a topology whose processes the test controls ------------------

class TcpProxy:
    """A TCP proxy on 127.0.0.1 that a test can cut, to play a service going down.

    `cut()` closes the listening socket (new connections are refused, as when the service is
    down) and every open connection (clients find them closed). `hang()` plays a service that
    is stuck: connections stay open and new ones are accepted, but nothing goes through in
    either direction. `restore()` ends either (a hang's connections are closed, their
    protocol state is lost) and listens again on the same port. Threads, one pair per
    connection: fine for a few dozen connections.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._hung = False
        self.connections = 0  # accepted so far

    def start(self) -> TcpProxy:
        self.restore()
        return self

    def hang(self) -> None:
        with self._lock:
            self._hung = True

    def restore(self) -> None:
        with self._lock:
            hung, self._hung = self._hung, False
            stuck, self._conns = (self._conns, set()) if hung else (set(), self._conns)
        for conn in stuck:
            _close(conn)
        with self._lock:
            if self._listener is not None:
                return
            listener = socket.create_server(("127.0.0.1", self.port))
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            conns, self._conns = self._conns, set()
        if listener is not None:
            _close(listener)
        for conn in conns:
            _close(conn)

    stop = cut

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            if self._hung:  # accept, then never answer
                with self._lock:
                    self._conns.add(client)
                threading.Thread(target=self._pump, args=(client, None), daemon=True).start()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    _close(client)
                    _close(upstream)
                    return
                self._conns |= {client, upstream}
                self.connections += 1
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket | None) -> None:
        try:
            while data := src.recv(65536):
                if dst is not None and not self._hung:
                    dst.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._conns -= {src, dst}
            _close(src)
            if dst is not None:
                _close(dst)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


@dataclass
class ManagedTopology(Topology):
    """The topology of scripts/deploy_local.sh, each process started by the harness itself.

    deploy_local.sh stops everything as soon as one process exits, which is right for a
    terminal but leaves nothing to observe when a test kills a replica. Here the action
    server, each Rasa replica and nginx are separate children (the same commands, settings,
    endpoints and nginx templates as deploy_local.sh), so a test can kill -9 one replica, stop
    and start the action server, and see what the others do. The replicas reach PostgreSQL
    (tracker store) and Redis (lock store) through a `TcpProxy` each (`db_proxy`,
    `redis_proxy`) that a test can cut; the action server's journal connects directly.
    """

    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        pg, rd = make_url(self.postgres_url), make_url(self.redis_url)
        self.db_proxy = TcpProxy(pg.host or "127.0.0.1", pg.port or 5432)
        self.redis_proxy = TcpProxy(rd.host or "127.0.0.1", rd.port or 6379)
        self.proxied_tracker_url = str(make_url(self.tracker_url).set(
            host="127.0.0.1", port=self.db_proxy.port))
        self.proxied_redis_url = str(rd.set(host="127.0.0.1", port=self.redis_proxy.port))

    # -- processes --------------------------------------------------------------------------
    def managed_env(self) -> dict[str, str]:
        env = self.env()
        env.update(
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.action_port}/webhook",
            SANIC_WORKERS="1", RASA_TELEMETRY_ENABLED="false",
            TF_INTRA_OP_PARALLELISM_THREADS="1", TF_INTER_OP_PARALLELISM_THREADS="1",
            TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1",
        )
        credentials = (ROOT / "credentials.yml").read_text()
        for var in set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", credentials)):
            env.setdefault(var, "")
        return env

    def _spawn(self, name: str, cmd: list[str], env: dict[str, str]) -> subprocess.Popen:
        with open(self.log_dir / f"{name}.log", "ab") as out:
            out.write(f"\n--- started {time.strftime('%H:%M:%S')}: {' '.join(cmd)}\n".encode())
            out.flush()
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name] = proc
        return proc

    def start_actions(self) -> None:
        env = self.managed_env()
        env["SANIC_KEEP_ALIVE_TIMEOUT"] = "75"  # as in deploy_local.sh
        self._spawn("actions", [str(ROOT / ".venv/bin/rasa"), "run", "actions", "--actions",
                                "actions", "--port", str(self.action_port)], env)

    def start_replica(self, i: int) -> None:
        """Replica i (1 or 2), its stores behind the proxies."""
        env = self.managed_env()
        env.update(TRACKER_DB_URL=self.proxied_tracker_url, REDIS_URL=self.proxied_redis_url)
        # As deploy_local.sh starts them: through the launcher, the token (RASA_AUTH_TOKEN)
        # read from the environment, production settings checked.
        self._spawn(f"rasa-{i}", [
            str(ROOT / ".venv/bin/python"), str(ROOT / "scripts" / "rasa_serve.py"), "run",
            "--production", "--model", env["MODEL"],
            "--port", str(self.rasa_ports[i - 1]), "--interface", "127.0.0.1",
            "--endpoints", str(ROOT / "deploy" / "endpoints.yml"),
            "--credentials", str(ROOT / "credentials.yml"),
            "--enable-api",
        ], env)

    def start_nginx(self) -> None:
        from deploy.render_template import render

        env = self.managed_env()
        (self.log_dir / "nginx-tmp").mkdir(parents=True, exist_ok=True)
        env.update(
            DEPLOY_DIR=str(self.log_dir.resolve()), NGINX_LISTEN=f"127.0.0.1:{self.nginx_port}",
            RASA_UPSTREAM_SERVERS="".join(f"server 127.0.0.1:{p} max_fails=3 fail_timeout=5s; "
                                          for p in self.rasa_ports),
        )
        for name in ("gentle-hands.conf", "nginx.conf"):
            template = ROOT / "deploy" / "nginx" / f"{name}.template"
            (self.log_dir / name).write_text(render(template.read_text(), env))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        conf = str(self.log_dir.resolve() / "nginx.conf")
        self._spawn("nginx", [nginx, "-p", str(self.log_dir.resolve()), "-c", conf,
                              "-g", "daemon off;"], env)

    def stop_process(self, name: str, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
        proc = self.processes.get(name)
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def kill_replica(self, i: int) -> None:
        """kill -9: no shutdown handler runs, nothing is flushed or released."""
        self.stop_process(f"rasa-{i}", signal.SIGKILL)

    def alive(self, name: str) -> bool:
        proc = self.processes.get(name)
        return proc is not None and proc.poll() is None

    def wait_ready(self, names: list[str] | None = None, timeout: float = START_TIMEOUT) -> None:
        urls = {"actions": f"http://127.0.0.1:{self.action_port}/health",
                "nginx": f"{self.url}/"}
        urls.update({f"rasa-{i}": f"http://127.0.0.1:{p}/"
                     for i, p in enumerate(self.rasa_ports, 1)})
        pending = list(names or urls)
        deadline = time.time() + timeout
        while pending and time.time() < deadline:
            for name in list(pending):
                if not self.alive(name):
                    raise RuntimeError(f"{name} exited while starting:\n{self.logs()}")
                with contextlib.suppress(requests.RequestException):
                    if requests.get(urls[name], timeout=2).ok:
                        pending.remove(name)
            time.sleep(0.5)
        if pending:
            raise RuntimeError(f"{pending} not ready in {timeout:.0f}s:\n{self.logs()}")

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.create_databases()
        self.db_proxy.start()
        self.redis_proxy.start()
        self.start_actions()
        self.start_replica(1)
        self.start_replica(2)
        self.start_nginx()
        self.wait_ready()

    def stop(self) -> None:
        for name in list(self.processes):
            self.stop_process(name)
        self.db_proxy.stop()
        self.redis_proxy.stop()
        self.drop_databases()

    def create_databases(self) -> None:
        admin = sa.create_engine(make_url(self.postgres_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            for url in (self.tracker_url, self.journal_url):
                c.execute(sa.text(f'CREATE DATABASE "{make_url(url).database}"'))
        admin.dispose()

    def logs(self) -> str:
        parts = []
        for p in sorted(self.log_dir.glob("*.log")):
            parts.append(f"--- {p.name}\n" + p.read_text(errors="replace")[-2500:])
        return "\n".join(parts)

    def say_to(self, i: int, sender: str, text: str, timeout: float = 120) -> tuple[int, list]:
        """A message straight to replica i, past nginx."""
        r = requests.post(f"http://127.0.0.1:{self.rasa_ports[i - 1]}/webhooks/rest/webhook",
                          json={"sender": sender, "message": text}, timeout=timeout,
                          headers={"X-Webhook-Secret": self.rest_secret})
        return r.status_code, r.json() if r.status_code == 200 else []
