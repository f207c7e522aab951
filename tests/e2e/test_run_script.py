"""`make run` (scripts/run.sh and the supervisor in scripts/rasa_serve.py), for real.

The first tests need no server: the supervisor against two tiny fake servers (a crash is
restarted with growing back-off while the other keeps running; it gives up after
RESTART_MAX_CRASHES crashes in a row), the rotating log (appended, rotated by renaming, never
truncated), and the API token file (0600, one per checkout, a loose file made private).

Then scripts/run.sh is started on free ports, as `make run` starts it (no RASA_AUTH_TOKEN:
the token file, here in a temporary folder; no ALLOWED_ORIGINS: the default), and:
- the token is on no command line of any process it started, not in its output nor in the
  logs, and its file is 0600;
- a body over 64 KB gets 413 from Rasa itself (no nginx here), a 10 KB one an answer;
- CORS answers the server's own origins only, never another page's;
- kill -9 of the action server: Rasa keeps answering (HTTP 200 and the kind "try again in a
  minute"), the action server is restarted and action-backed answers come back, and its log
  from before the kill is still there; kill -9 of Rasa: the action server keeps running and
  Rasa comes back;
- SIGTERM to the supervisor stops both servers and leaves no process behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from components.server_patches import FAILURE_TEXT
from tests.e2e.conftest import MODEL, BotServer, free_port
from tests.launcher import load_launcher

ROOT = Path(__file__).resolve().parents[2]
ESTIMATE = "estimate relief for pain 6 and anxiety 8"


serve = load_launcher()


# -- the supervisor, with fake servers ------------------------------------------------------
FAKE_SERVER = """
import http.server, pathlib, sys, time
port, crash_flag = int(sys.argv[1]), pathlib.Path(sys.argv[2])
print("fake server up on", port, flush=True)
if crash_flag.exists() and crash_flag.read_text() == "hang":
    print("fake server: hanging, never answering", flush=True)
    time.sleep(3600)
if crash_flag.exists():
    print("fake server: crashing at start", flush=True)
    sys.exit(3)
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Health).serve_forever()
"""


def fake_service(tmp_path: Path, name: str) -> tuple:
    port = free_port()
    script = tmp_path / "fake_server.py"
    script.write_text(FAKE_SERVER)
    flag = tmp_path / f"{name}.crash"
    service = serve.Service(name, [sys.executable, str(script), str(port), str(flag)],
                            dict(os.environ), f"http://127.0.0.1:{port}/",
                            serve.RotatingLog(tmp_path / f"{name}.log"))
    return service, flag


def wait_for(condition, timeout: float = 30, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_crashed_server_is_restarted_with_backoff_then_given_up(tmp_path, capsys):
    a, a_crash = fake_service(tmp_path, "a")
    b, _ = fake_service(tmp_path, "b")
    sup = serve.Supervisor([a, b], backoff=0.2, backoff_max=0.5, max_crashes=4, stable=60,
                           poll=0.05)
    seen: dict[str, object] = {}

    def drive() -> None:
        try:
            wait_for(lambda: sup.ready, what="both fake servers up")
            b_pid, first = b.proc.pid, a.proc.pid
            os.kill(first, signal.SIGKILL)  # 1st crash: restarted after 0.2 s
            wait_for(lambda: a.proc is not None and a.proc.pid != first
                     and a.healthy_since is not None, what="a restarted")
            seen["b alive throughout"] = b.proc is not None and b.proc.pid == b_pid
            a_crash.write_text("from now on a crashes at start")
            os.kill(a.proc.pid, signal.SIGKILL)  # 2nd; then 3rd, 4th at start: give up
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            seen["error"] = e
            sup._signal(signal.SIGTERM, None)

    driver = threading.Thread(target=drive, daemon=True)
    driver.start()
    started = time.monotonic()
    code = sup.run()
    driver.join(5)
    assert "error" not in seen, seen.get("error")
    assert code == 1, "the supervisor gives up after 4 crashes in a row"
    assert time.monotonic() - started < 30
    assert seen["b alive throughout"]
    log = (tmp_path / "a.log").read_text()
    # Back-off doubles and is capped: 0.2, 0.4, 0.5 s; the 4th crash in a row ends it.
    delays = [line.rsplit("restarting in ", 1)[1] for line in log.splitlines()
              if "restarting in" in line]
    assert delays == ["0.2 s", "0.4 s", "0.5 s"], log
    assert log.count("killed by signal 9") == 2
    assert log.count("exit code 3") == 2 and "giving up" in log
    assert log.count("fake server up on") == 4  # every start's output kept, in one file
    err = capsys.readouterr().err
    assert "crashed 4 times in a row" in err and "giving up" in err
    # Giving up stops the other server too (no half-running bot).
    assert b.proc.poll() is not None
    assert (tmp_path / "b.log").read_text().count("supervisor: started") == 1


def test_a_server_that_stayed_up_starts_a_new_series(tmp_path):
    """Crashes far apart never add up to giving up: each restarts after the first delay."""
    a, _ = fake_service(tmp_path, "a")
    b, _ = fake_service(tmp_path, "b")
    sup = serve.Supervisor([a, b], backoff=0.1, max_crashes=2, stable=0.3, poll=0.05)
    errors: list[BaseException] = []

    def drive() -> None:
        try:
            wait_for(lambda: sup.ready, what="both up")
            for _ in range(3):
                pid = a.proc.pid
                time.sleep(0.6)  # healthy for longer than `stable`
                os.kill(pid, signal.SIGKILL)
                wait_for(lambda pid=pid: a.proc is not None and a.proc.pid != pid
                         and a.healthy_since is not None, what="a restarted")
        except BaseException as e:  # noqa: BLE001
            errors.append(e)
        sup._signal(signal.SIGTERM, None)

    threading.Thread(target=drive, daemon=True).start()
    assert sup.run() == 128 + signal.SIGTERM
    assert not errors, errors
    log = (tmp_path / "a.log").read_text()
    assert log.count("restarting in 0.1 s") == 3 and "giving up" not in log


def test_a_restart_that_hangs_is_ended_and_counted_as_a_crash(tmp_path, capsys):
    a, a_flag = fake_service(tmp_path, "a")
    b, _ = fake_service(tmp_path, "b")
    sup = serve.Supervisor([a, b], backoff=0.1, max_crashes=3, stable=60, start_timeout=1.5,
                           poll=0.05)

    def drive() -> None:
        wait_for(lambda: sup.ready, what="both up")
        a_flag.write_text("hang")
        os.kill(a.proc.pid, signal.SIGKILL)

    threading.Thread(target=drive, daemon=True).start()
    assert sup.run() == 1
    log = (tmp_path / "a.log").read_text()
    assert log.count("did not answer within 2 s of its restart") == 2, log
    assert "crashed 3 times in a row" in capsys.readouterr().err


def test_a_server_that_never_starts_stops_everything_at_once(tmp_path, capsys):
    a, a_crash = fake_service(tmp_path, "a")
    b, _ = fake_service(tmp_path, "b")
    a_crash.write_text("crash")
    assert serve.Supervisor([a, b], poll=0.05).run() == 1
    assert "stopped while starting" in capsys.readouterr().err
    assert b.proc.poll() is not None


# -- the rotating log --------------------------------------------------------------------------
def test_logs_are_appended_and_rotated_never_truncated(tmp_path):
    path = tmp_path / "rasa.log"
    path.write_bytes(b"the crash of yesterday\n")
    log = serve.RotatingLog(path, max_bytes=1000, backups=3)
    log.write(b"today\n")
    log.close()
    assert path.read_bytes() == b"the crash of yesterday\ntoday\n"  # appended

    log = serve.RotatingLog(path, max_bytes=1000, backups=3)
    chunks = [f"{i:03d}".encode() * 75 + b"\n" for i in range(20)]  # 226 bytes each
    for chunk in chunks:
        log.write(chunk)
    log.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["rasa.log", "rasa.log.1", "rasa.log.2", "rasa.log.3"]
    for p in tmp_path.iterdir():
        assert p.stat().st_size <= 1000
    # Oldest to newest, the files hold the latest chunks in order, each chunk whole.
    kept = b"".join((tmp_path / n).read_bytes()
                    for n in ["rasa.log.3", "rasa.log.2", "rasa.log.1", "rasa.log"])
    assert kept == b"".join(chunks[-len(kept) // 226:])
    assert len(kept) // 226 >= 12


# -- the API token file ---------------------------------------------------------------------
def test_each_checkout_gets_its_own_private_token_whatever_the_folder(tmp_path, monkeypatch):
    env = {"PATH": os.environ["PATH"]}  # no RASA_AUTH_TOKEN
    one, two = tmp_path / "checkout-1", tmp_path / "checkout-2"
    one.mkdir()
    two.mkdir()
    old_umask = os.umask(0)  # even a careless umask gives a private file
    try:
        monkeypatch.chdir(two)  # started from another folder: still checkout-1's own file
        token1, where1 = serve.resolve_token(env, root=one)
        token2, where2 = serve.resolve_token(env, root=two)
    finally:
        os.umask(old_umask)
    assert where1 == str(one / "var" / "auth_token") and where2 == str(two / "var" / "auth_token")
    assert token1 != token2 and len(token1) >= 32
    for root in (one, two):
        assert (root / "var" / "auth_token").stat().st_mode & 0o777 == 0o600
    assert serve.resolve_token(env, root=one) == (token1, where1)  # kept across runs
    # RASA_AUTH_TOKEN wins and no file is made.
    three = tmp_path / "checkout-3"
    assert serve.resolve_token({"RASA_AUTH_TOKEN": "chosen"}, root=three)[0] == "chosen"
    assert not (three / "var").exists()


def test_a_token_file_others_can_read_is_made_private_with_a_warning(tmp_path, capsys):
    path = tmp_path / "auth_token"
    path.write_text("old-token\n")
    path.chmod(0o644)  # as earlier versions of run.sh left it
    assert serve.read_or_create_token(path) == "old-token"
    assert path.stat().st_mode & 0o777 == 0o600
    err = capsys.readouterr().err
    assert "could be read by other users (mode 0644)" in err and "old-token" not in err


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_token_file_of_another_user_is_refused(tmp_path):
    path = tmp_path / "auth_token"
    path.write_text("planted\n")
    path.chmod(0o600)
    os.chown(path, 65534, 65534)
    with pytest.raises(serve.SettingsError, match="belongs to another user"):
        serve.read_or_create_token(path)


def test_servers_starting_together_share_one_whole_token(tmp_path):
    """The two replicas of deploy_local.sh may create the file at the same moment."""
    path = tmp_path / "var" / "auth_token"
    code = ("import importlib.util, sys; s = importlib.util.spec_from_file_location('rs', "
            f"{str(ROOT / 'scripts' / 'rasa_serve.py')!r}); m = importlib.util.module_from_spec(s);"
            " sys.modules['rs'] = m; s.loader.exec_module(m); "
            f"print(m.read_or_create_token(__import__('pathlib').Path({str(path)!r})))")
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
             for _ in range(6)]
    tokens = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(tokens) == 1 and len(tokens.pop()) >= 32
    assert sorted(p.name for p in path.parent.iterdir()) == ["auth_token"]  # no temp files left


# -- CORS: Rasa 3.6 itself answered "*" with credentials (components/server_patches.py, 7) -----
def test_a_wildcard_origin_is_never_answered_with_credentials():
    """The headers sanic-cors computes for an app configured the way Rasa configures it."""
    from multidict import CIMultiDict
    from rasa import server as rasa_server
    from sanic import Sanic
    from sanic_cors.core import get_cors_headers

    from components import server_patches

    server_patches.install()  # as the launcher does, before Rasa builds its app
    app = Sanic("gh-cors-" + uuid.uuid4().hex[:8])
    rasa_server.configure_cors(app, "*")
    for _pattern, options in app.ctx.sanic_cors.resources:
        for method in ("GET", "OPTIONS"):
            headers = get_cors_headers(options, CIMultiDict({
                "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}),
                method)
            assert headers.get("Access-Control-Allow-Credentials") != "true", dict(headers)


# -- scripts/run.sh, for real -----------------------------------------------------------------
def group_processes(pgid: int) -> dict[int, str]:
    """pid -> command line of every process in the process group (run.sh's session)."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            out[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                "utf-8", "replace")
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
    return out


def children(server: BotServer) -> dict[str, int]:
    """The action server's and Rasa's pids (children of the supervisor)."""
    found = {}
    for pid, cmdline in group_processes(server.process.pid).items():
        try:
            ppid = int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, IndexError, ValueError):
            continue
        if ppid != server.process.pid:
            continue
        if "run actions" in cmdline:
            found["actions"] = pid
        elif "rasa_serve.py run" in cmdline:
            found["rasa"] = pid
    return found


@pytest.fixture(scope="module")
def run_sh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServer]:
    if not MODEL.exists():
        pytest.fail("No trained model: run `make train` (make test does it) before e2e tests.")
    tmp = tmp_path_factory.mktemp("run_sh")
    rasa_port, action_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in {"RASA_AUTH_TOKEN", "ALLOWED_ORIGINS", "REST_WEBHOOK_SECRET",
                        "SANIC_REQUEST_MAX_SIZE"}}
    env.update(
        RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port),
        RASA_AUTH_TOKEN_FILE=str(tmp / "auth_token"),
        TRACKER_DB_URL=f"sqlite:///{tmp}/tracker.db", JOURNAL_DB_URL=f"sqlite:///{tmp}/journal.db",
        LOG_DIR=str(tmp), HOSPICE_PHONE="0800 555 0100", EMERGENCY_NUMBER="999",
        # Long enough to catch the action server down after a kill -9, every time.
        RESTART_BACKOFF="3",
    )
    server = BotServer(url=f"http://127.0.0.1:{rasa_port}", token="", env=env, log_dir=tmp)
    server.start()
    server.token = (tmp / "auth_token").read_text().strip()
    yield server
    server.stop()


@pytest.mark.e2e
def test_the_token_is_on_no_command_line_nor_printed_and_its_file_is_private(run_sh):
    token = run_sh.token
    assert len(token) >= 32
    processes = group_processes(run_sh.process.pid)
    for pid, cmdline in processes.items():
        assert token not in cmdline, f"the token is on the command line of {pid}: {cmdline}"
    assert set(children(run_sh)) == {"actions", "rasa"}, processes
    # It is the token in use: the HTTP API takes it, and only it.
    status = run_sh.url + "/status"
    assert requests.get(status, params={"token": token}, timeout=30).status_code == 200
    assert requests.get(status, params={"token": "x" + token}, timeout=30).status_code == 401
    assert (run_sh.log_dir / "auth_token").stat().st_mode & 0o777 == 0o600
    run_out = run_sh.log_dir / "run.out"
    wait_for(lambda: "Gentle Hands is ready." in run_out.read_text(), what="the ready message")
    out = run_out.read_text()
    assert f"from {run_sh.log_dir / 'auth_token'}" in out  # where it is, not what it is
    for name in ("run.out", "rasa.log", "actions.log"):
        assert token not in (run_sh.log_dir / name).read_text(errors="replace"), name


@pytest.mark.e2e
def test_a_body_over_64_kb_gets_413_from_rasa_itself(run_sh):
    url = run_sh.url + "/webhooks/rest/webhook"
    big = {"sender": "big-" + uuid.uuid4().hex[:8], "message": "a " * 35_000}  # ~70 KB
    r = requests.post(url, json=big, timeout=60)
    assert r.status_code == 413, (r.status_code, r.text[:200])
    small = {"sender": "small-" + uuid.uuid4().hex[:8], "message": "my mum is tired " * 640}
    assert 9_000 < len(str(small)) < 11_000
    r = requests.post(url, json=small, timeout=60)
    assert r.status_code == 200 and r.json(), r.text[:200]


@pytest.mark.e2e
def test_cors_answers_only_the_servers_own_origins_by_default(run_sh):
    port = run_sh.url.rsplit(":", 1)[1]
    own = [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]
    other = "http://evil.example"
    paths = ["/", "/webhooks/rest/webhook", "/status", "/conversations/x/tracker"]
    for path in paths:
        preflight = requests.options(run_sh.url + path, timeout=30, headers={
            "Origin": other, "Access-Control-Request-Method": "POST"})
        assert "Access-Control-Allow-Origin" not in preflight.headers, (path, preflight.headers)
        assert "Access-Control-Allow-Credentials" not in preflight.headers
        r = requests.get(run_sh.url + path, headers={"Origin": other}, timeout=30)
        assert "Access-Control-Allow-Origin" not in r.headers, (path, r.headers)
        assert "Access-Control-Allow-Credentials" not in r.headers
    for origin in own:
        r = requests.get(run_sh.url + "/", headers={"Origin": origin}, timeout=30)
        assert r.headers.get("Access-Control-Allow-Origin") == origin  # never "*"


@pytest.mark.e2e
def test_a_killed_action_server_is_restarted_while_rasa_keeps_answering(run_sh):
    before = run_sh.text("before-" + uuid.uuid4().hex[:8], ESTIMATE)
    assert "to about 4" in before and "to about 5" in before  # the estimate (whole numbers)
    pids = children(run_sh)
    log = run_sh.log_dir / "actions.log"
    log_before = log.read_bytes()

    os.kill(pids["actions"], signal.SIGKILL)
    # The restart waits RESTART_BACKOFF (3 s) and then the action server's start-up: Rasa
    # answers meanwhile, HTTP 200 with the kind reply (components/server_patches.py).
    r = requests.post(run_sh.url + "/webhooks/rest/webhook", timeout=60,
                      json={"sender": "down-" + uuid.uuid4().hex[:8], "message": ESTIMATE})
    assert r.status_code == 200, r.text
    assert FAILURE_TEXT in [m.get("text") for m in r.json()], r.json()
    assert requests.get(run_sh.url + "/", timeout=10).ok
    assert children(run_sh).get("rasa") == pids["rasa"]  # Rasa was never touched

    wait_for(lambda: run_sh._actions_ready(), timeout=120, what="the action server back")
    after = run_sh.text("after-" + uuid.uuid4().hex[:8], ESTIMATE)
    assert "to about 4" in after and "to about 5" in after
    assert children(run_sh)["actions"] != pids["actions"]
    # The log was appended to, not truncated: the first run's lines, then the crash.
    log_after = log.read_bytes()
    assert log_after.startswith(log_before)
    assert f"started the action server (pid {pids['actions']})".encode() in log_before
    tail = log_after[len(log_before):].decode(errors="replace")
    assert "killed by signal 9" in tail and "started the action server" in tail
    assert "restarting it in 3 s" in (run_sh.log_dir / "run.out").read_text()


@pytest.mark.e2e
def test_a_killed_rasa_is_restarted_while_the_action_server_keeps_running(run_sh):
    pids = children(run_sh)
    log = run_sh.log_dir / "rasa.log"
    log_before = log.read_bytes()
    os.kill(pids["rasa"], signal.SIGKILL)
    time.sleep(1)
    assert run_sh._actions_ready()
    assert children(run_sh).get("actions") == pids["actions"]

    def rasa_back() -> bool:
        try:
            return requests.get(run_sh.url + "/", timeout=2).ok
        except requests.RequestException:
            return False

    wait_for(rasa_back, timeout=240, what="Rasa back")
    text = run_sh.text("rasa-back-" + uuid.uuid4().hex[:8], ESTIMATE)
    assert "pain from 6 to about 4" in text
    assert log.read_bytes().startswith(log_before)
    assert "The Rasa server is back." in (run_sh.log_dir / "run.out").read_text()
    # The new Rasa process has no token on its command line either.
    for cmdline in group_processes(run_sh.process.pid).values():
        assert run_sh.token not in cmdline


@pytest.mark.e2e
def test_sigterm_stops_both_servers_and_leaves_nothing_behind(run_sh):
    """Last in this module: it stops the server (`make run`'s Ctrl-C does the same)."""
    supervisor = run_sh.process
    assert set(children(run_sh)) == {"actions", "rasa"}
    os.kill(supervisor.pid, signal.SIGTERM)  # the supervisor alone, as `kill PID` would
    assert supervisor.wait(timeout=60) == 128 + signal.SIGTERM
    wait_for(lambda: not group_processes(supervisor.pid), timeout=30, what="no process left")
    assert "Stopping Gentle Hands" in (run_sh.log_dir / "run.out").read_text()
