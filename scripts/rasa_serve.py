"""Start Gentle Hands' Rasa server without its API token on any command line; supervise `make run`.

    python scripts/rasa_serve.py run [--production] [rasa run options...]
    python scripts/rasa_serve.py preflight [--production] [--credentials FILE]
    python scripts/rasa_serve.py supervise

`run` is `rasa run` in this very process. `rasa run` only takes the HTTP API token as
`--auth-token TOKEN`, and every local user can read every process's command line
(`ps`, /proc/PID/cmdline), so the token is read here, from RASA_AUTH_TOKEN or from a file
only its owner can read, and put into `sys.argv` in-process: the command line the system shows
is this one, without it. The web origins come from ALLOWED_ORIGINS (all after one `--cors`;
no shell ever expands a `*`), the request body limit from SANIC_REQUEST_MAX_SIZE (64 KB unless
set), and with `--production` the server refuses to start on settings that are fine on a
laptop but not on the internet: no REST_WEBHOOK_SECRET while the REST channel is on, and
ALLOWED_ORIGINS unset or `*`. scripts/deploy_local.sh, deploy/compose and deploy/helm start Rasa
this way; `preflight` runs the same checks alone (deploy_local.sh, before it starts anything).

`supervise` is `make run` (scripts/run.sh sets the environment, then hands over to it): the
action server and Rasa, each restarted when it crashes, with back-off (1, 2, 4 ... 30 s), while
the other keeps answering: with the action server down Rasa still answers, with the kind "try
again in a minute" (components/server_patches.py). After RESTART_MAX_CRASHES crashes in a row
(default 5; a run that stays healthy for a minute ends the series) it gives up, says so and
stops both. Output goes to LOG_DIR/actions.log and LOG_DIR/rasa.log: appended, never
truncated, rotated beyond LOG_MAX_BYTES (5 MB; LOG_BACKUPS=3 older files kept), so the log of
a crash survives the restart. Ctrl-C or SIGTERM stops both. Settings (environment):
RESTART_BACKOFF=1, RESTART_BACKOFF_MAX=30, RESTART_MAX_CRASHES=5, RESTART_STABLE_SECONDS=60,
SERVER_START_TIMEOUT=300 (a server that never answers is ended), LOG_MAX_BYTES, LOG_BACKUPS.

Written for Rasa 3.6.21. Only `run` imports Rasa.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TOKEN_FILE = Path("var") / "auth_token"  # relative to the checkout, not to the cwd
# A caregiver's message is a few hundred bytes; nginx allows 64 KB in production
# (deploy/nginx/gentle-hands.conf.template), and so does Sanic under `make run` now.
DEFAULT_REQUEST_MAX_SIZE = 64 * 1024
REST_CHANNELS = {"rest", "RestInput", "SecureRestInput"}
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")


class SettingsError(Exception):
    """A setting that keeps the server from starting; the message says what to do."""


def say(*lines: str, err: bool = True) -> None:
    print("\n".join(lines), file=sys.stderr if err else sys.stdout, flush=True)


# -- the API token ---------------------------------------------------------------------------
def token_path(env: Mapping[str, str] = os.environ, root: Path = ROOT) -> Path:
    """RASA_AUTH_TOKEN_FILE, or var/auth_token of this checkout.

    Relative paths are taken from the checkout's root, never from the current directory:
    each checkout keeps its own token, whichever folder `make run` is started from.
    """
    path = Path(env.get("RASA_AUTH_TOKEN_FILE", "").strip() or DEFAULT_TOKEN_FILE)
    return path if path.is_absolute() else root / path


def resolve_token(env: Mapping[str, str] = os.environ, root: Path = ROOT) -> tuple[str, str]:
    """(token, where it comes from): RASA_AUTH_TOKEN, else the token file (created if need be)."""
    token = env.get("RASA_AUTH_TOKEN", "").strip()
    if token:
        return token, "the RASA_AUTH_TOKEN environment variable"
    path = token_path(env, root)
    return read_or_create_token(path), str(path)


def read_or_create_token(path: Path) -> str:
    """The token in `path`, which only its owner may read.

    A missing or empty file gets a new random token, written with umask 077 (mode 0600) to
    a temporary file that is then linked into place: two servers starting at once (the two
    replicas of deploy_local.sh) end up with the same token, never a half-written one. A
    file that others may read (the token files of earlier versions were 0644) is made 0600,
    with a warning, since someone may have read it; one owned by another user is refused.
    """
    for _ in range(3):
        if path.exists():
            token = _read_private(path)
            if token:
                return token
            path.unlink()  # empty: as if missing
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        old_umask = os.umask(0o077)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(32) + "\n")
                f.flush()
                os.fsync(f.fileno())
            # Another server may have made it first: then theirs is used.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.umask(old_umask)
            tmp.unlink(missing_ok=True)
    raise SettingsError(f"Could not create the API token file {path}.")


def _read_private(path: Path) -> str:
    st = path.stat()
    if st.st_uid != os.getuid():
        raise SettingsError(
            f"The API token file {path} belongs to another user (uid {st.st_uid}): a token "
            "others control is refused. Remove it, or set RASA_AUTH_TOKEN_FILE to your own file.")
    mode = st.st_mode & 0o777
    if mode & 0o077:
        try:
            os.chmod(path, 0o600)
        except OSError as e:
            raise SettingsError(
                f"The API token file {path} can be read by other users (mode {mode:04o}) and "
                f"could not be made private ({e}). Run `chmod 600 {path}` (for a mounted "
                "secret: mode 0400 or 0600), or set RASA_AUTH_TOKEN.") from None
        say(f"Warning: the API token file {path} could be read by other users (mode "
            f"{mode:04o}); it is now 0600. Anyone who read it can use the HTTP API: delete "
            "the file to get a new token at the next start.")
    return path.read_text(encoding="utf-8").strip()


# -- origins and production checks ----------------------------------------------------------
def parse_origins(value: str | None) -> list[str]:
    """ALLOWED_ORIGINS (comma-separated) as a list, spaces and empty items dropped."""
    return [o for o in (item.strip() for item in (value or "").split(",")) if o]


def cors_args(value: str | None) -> list[str]:
    """`--cors ORIGIN...`: every allowed origin, exactly as written (a `*` stays a `*`).

    One `--cors` followed by all of them: Rasa's option takes a list (nargs="*") and, given
    several times, keeps only the last (`--cors a --cors b` allowed b alone).
    """
    origins = parse_origins(value)
    return ["--cors", *origins] if origins else []


def rest_channel_on(credentials: Path) -> bool:
    """Whether the credentials file turns on a REST webhook (Rasa's `rest` or ours)."""
    import yaml

    try:
        data = yaml.safe_load(credentials.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise SettingsError(f"No credentials file at {credentials}.") from None
    return any(str(key) == "rest" or str(key).rsplit(".", 1)[-1] in REST_CHANNELS
               for key in data)


def production_problems(env: Mapping[str, str], credentials: Path) -> list[str]:
    """What keeps a production server from starting, one sentence each (empty: nothing)."""
    problems = []
    raw = env.get("ALLOWED_ORIGINS", "")
    origins = parse_origins(raw)
    if not origins:
        problems.append(
            "ALLOWED_ORIGINS is not set: set it to the web origins of the pages that embed the "
            "chat, comma-separated (for example https://www.example-hospice.org).")
    elif "*" in raw:
        problems.append(
            "ALLOWED_ORIGINS contains '*', which lets any web page call this server: list the "
            "hospice's own origins instead.")
    else:
        bad = [o for o in origins if not ORIGIN.match(o.rstrip("/"))]
        if bad:
            problems.append(
                f"ALLOWED_ORIGINS has {', '.join(map(repr, bad))}, which is not a web origin: "
                "write each as scheme://host[:port], e.g. https://www.example-hospice.org.")
    if rest_channel_on(credentials) and not env.get("REST_WEBHOOK_SECRET", "").strip():
        problems.append(
            f"REST_WEBHOOK_SECRET is not set while the REST channel is on ({credentials}): "
            "anyone could post messages as any conversation. Set a long random secret (e.g. "
            "`openssl rand -hex 32`) and send it as X-Webhook-Secret, or take the REST "
            "channel out of the credentials file.")
    return problems


def option(args: list[str], name: str, default: str | None = None) -> str | None:
    """The value of `--name value` or `--name=value` in args."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return default


def cors_values(args: list[str]) -> list[str]:
    """The origins given after `--cors` in args (Rasa reads all of them up to the next option)."""
    values, taking = [], False
    for arg in args:
        if arg == "--cors":
            taking = True
        elif arg.startswith("-"):
            taking = False
        elif taking:
            values.append(arg)
    return values


def check(args: list[str], production: bool, env: Mapping[str, str] = os.environ) -> None:
    """Refuse to start (SettingsError) on what `run` must never accept."""
    if any(a == "--auth-token" or a.startswith("--auth-token=") for a in args):
        raise SettingsError(
            "The API token must not be given on the command line (any local user can read "
            "it there): set RASA_AUTH_TOKEN, or let it be read from var/auth_token "
            "(RASA_AUTH_TOKEN_FILE).")
    if production:
        credentials = Path(option(args, "--credentials", "credentials.yml") or "")
        problems = production_problems(env, credentials)
        if any("*" in o for o in cors_values(args)):
            problems.append("--cors '*' lets any web page call this server: list origins.")
        if problems:
            raise SettingsError(
                "Gentle Hands will not start in production with these settings:\n  - "
                + "\n  - ".join(problems))


# -- run: Rasa in this process ----------------------------------------------------------------
def run(argv: list[str]) -> None:
    production = "--production" in argv
    args = [a for a in argv if a != "--production"]
    check(args, production)
    token, _where = resolve_token()
    # credentials.yml names ${RASA_AUTH_TOKEN} (Telegram's set_webhook): the token is in this
    # process's environment (readable only by its user), never in its arguments.
    os.environ["RASA_AUTH_TOKEN"] = token
    # Sanic reads SANIC_* settings from the environment when Rasa builds its app: without a
    # limit it accepts bodies of 100 MB. Only Rasa gets this, not the action server (which
    # receives whole conversations from Rasa).
    if not os.environ.get("SANIC_REQUEST_MAX_SIZE", "").strip():
        os.environ["SANIC_REQUEST_MAX_SIZE"] = str(DEFAULT_REQUEST_MAX_SIZE)
    origins = os.environ.get("ALLOWED_ORIGINS", "")
    if "--cors" not in args:
        args += cors_args(origins)
    if not production and "*" in parse_origins(origins):
        say("Warning: ALLOWED_ORIGINS=* lets any web page call this server: use it only where "
            "nobody else can reach it.")
    sys.path.insert(0, str(ROOT))
    # Corrections to Rasa that must be in place before the app is built (the CORS set-up is
    # configured by rasa.core.run.configure_app, before any component is imported); install()
    # is idempotent and runs again when the tracker store is loaded.
    from components import server_patches

    server_patches.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", "run", *args, "--auth-token", token]
    rasa_main()


def preflight(argv: list[str]) -> None:
    """The checks of `run` and the token file, without starting anything."""
    production = "--production" in argv
    args = [a for a in argv if a != "--production"]
    check(args, production)
    _token, where = resolve_token()
    say(f"HTTP API token: from {where}", err=False)


# -- supervise: `make run` -------------------------------------------------------------------
class RotatingLog:
    """An append-only log file, rotated by renaming (log -> log.1 -> ... -> log.N) when large.

    Never truncated: what a server wrote before it crashed is still there after its restart.
    Writers are the pumps of successive processes of one server, so writes are locked.
    """

    def __init__(self, path: Path, max_bytes: int = 5 * 1024 * 1024, backups: int = 3) -> None:
        self.path, self.max_bytes, self.backups = path, max_bytes, backups
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "ab")  # noqa: SIM115 - kept open across writes
        if self._size() >= max_bytes:
            self._rotate()

    def _size(self) -> int:
        return os.fstat(self._file.fileno()).st_size

    def _rotate(self) -> None:
        self._file.close()
        for i in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{i}")
            if older.exists():
                os.replace(older, self.path.with_name(f"{self.path.name}.{i + 1}"))
        if self.backups > 0:
            os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))
        else:
            self.path.unlink(missing_ok=True)
        self._file = open(self.path, "ab")  # noqa: SIM115

    def write(self, data: bytes) -> None:
        with self._lock:
            size = self._size()
            if size and size + len(data) > self.max_bytes:
                self._rotate()
            self._file.write(data)
            self._file.flush()

    def note(self, text: str) -> None:
        self.write(f"=== {time.strftime('%Y-%m-%d %H:%M:%S')} {text}\n".encode())

    def tail(self, lines: int = 20) -> str:
        with self._lock, open(self.path, "rb") as f:
            f.seek(max(0, self._size() - 16384))
            return b"\n".join(f.read().splitlines()[-lines:]).decode("utf-8", "replace")

    def close(self) -> None:
        with self._lock:
            self._file.close()


@dataclass
class Service:
    """One server the supervisor keeps running."""

    name: str
    argv: list[str]
    env: dict[str, str]
    health_url: str
    log: RotatingLog
    proc: subprocess.Popen | None = None
    started: float = 0.0
    healthy_since: float | None = None
    crashes: int = 0  # in a row: each within `stable` seconds of its (re)start
    restart_at: float | None = None
    pumps: list[threading.Thread] = field(default_factory=list)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as r:
            return r.status == 200
    except Exception:
        return False


class Supervisor:
    """Starts the services, restarts one that dies (with back-off), stops all on a signal."""

    def __init__(self, services: list[Service], *, backoff: float = 1.0,
                 backoff_max: float = 30.0, max_crashes: int = 5, stable: float = 60.0,
                 start_timeout: float = 300.0, poll: float = 0.5,
                 on_ready: Callable[[], None] | None = None,
                 is_healthy: Callable[[str], bool] = healthy) -> None:
        self.services = services
        self.backoff, self.backoff_max = backoff, backoff_max
        self.max_crashes, self.stable = max_crashes, stable
        self.start_timeout, self.poll = start_timeout, poll
        self.on_ready = on_ready or (lambda: None)
        self.is_healthy = is_healthy
        self.ready = False
        self.stopping: int | None = None
        self._wake = threading.Event()

    # -- processes ------------------------------------------------------------------------
    def start(self, s: Service) -> None:
        s.restart_at, s.healthy_since = None, None
        s.proc = subprocess.Popen(s.argv, env=s.env, cwd=ROOT, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        s.started = time.monotonic()
        s.log.note(f"supervisor: started the {s.name} (pid {s.proc.pid})")
        pump = threading.Thread(target=self._pump, args=(s.proc, s.log), daemon=True)
        pump.start()
        s.pumps = [p for p in s.pumps if p.is_alive()] + [pump]

    @staticmethod
    def _pump(proc: subprocess.Popen, log: RotatingLog) -> None:
        """Copy the process's output into its log until the pipe closes, even after a kill -9
        (what the kernel still holds in the pipe is written too)."""
        fd = proc.stdout.fileno()  # type: ignore[union-attr]
        while chunk := os.read(fd, 65536):
            log.write(chunk)
        proc.stdout.close()  # type: ignore[union-attr]

    def stop_all(self, timeout: float = 30.0) -> None:
        live = [s for s in self.services if s.proc and s.proc.poll() is None]
        for s in live:
            s.proc.terminate()  # type: ignore[union-attr]
        deadline = time.monotonic() + timeout
        for s in live:
            try:
                s.proc.wait(max(0.1, deadline - time.monotonic()))  # type: ignore[union-attr]
            except subprocess.TimeoutExpired:
                s.proc.kill()  # type: ignore[union-attr]
                s.proc.wait()  # type: ignore[union-attr]
        for s in self.services:
            for pump in s.pumps:
                pump.join(5)
            if s.proc:
                s.log.note(f"supervisor: stopped the {s.name}")

    def _signal(self, signum: int, _frame: object) -> None:
        self.stopping = signum
        self._wake.set()

    # -- the loop -------------------------------------------------------------------------
    def run(self) -> int:
        """Run until a signal (exit 130 / 143) or a server that cannot be kept up (1)."""
        previous = {sig: signal.signal(sig, self._signal)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            return self._run()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _run(self) -> int:
        for s in self.services:
            self.start(s)
        began = time.monotonic()
        code = 0
        while self.stopping is None:
            now = time.monotonic()
            for s in self.services:
                if s.proc is None:
                    if s.restart_at is not None and now >= s.restart_at:
                        self.start(s)
                    continue
                exit_code = s.proc.poll()
                if exit_code is None:
                    self._check_health(s, now)
                    continue
                if self.stopping is not None:
                    break
                code = self._crashed(s, exit_code, now)
                if code:
                    break
            if code:
                break
            if not self.ready:
                if all(s.healthy_since is not None for s in self.services):
                    self.ready = True
                    self.on_ready()
                elif now - began > self.start_timeout:
                    say(f"Gentle Hands did not start within {self.start_timeout:.0f} s; the "
                        "ends of the logs:", *(f"--- {s.log.path}\n{s.log.tail()}"
                                               for s in self.services))
                    code = 1
                    break
            self._wake.wait(self.poll)
        if self.stopping is not None:
            say("Stopping Gentle Hands...")
            code = 128 + self.stopping
        self.stop_all()
        for s in self.services:
            s.log.close()
        return code

    def _check_health(self, s: Service, now: float) -> None:
        if s.healthy_since is None:
            if self.is_healthy(s.health_url):
                s.healthy_since = now
                if self.ready:
                    say(f"The {s.name} is back.", err=False)
            elif self.ready and now - s.started > self.start_timeout:
                # A restart that hangs without ever answering is a crash too: end it, and
                # the next turn of the loop restarts it (or gives up).
                s.log.note(f"supervisor: the {s.name} did not answer within "
                           f"{self.start_timeout:.0f} s of its restart; ending it")
                s.proc.kill()  # type: ignore[union-attr]
        elif s.crashes and now - s.healthy_since >= self.stable:
            s.crashes = 0  # it stayed up: the next crash starts a new series

    def _crashed(self, s: Service, exit_code: int, now: float) -> int:
        """Note a server's death and plan its restart; 1 when it is time to give up."""
        ran = now - s.started
        how = f"killed by signal {-exit_code}" if exit_code < 0 else f"exit code {exit_code}"
        for pump in s.pumps:
            pump.join(5)  # its last words are in the log before the note
        s.proc = None
        if not self.ready:
            # Never came up: a wrong setting, not bad luck. Say so at once, as before.
            say(f"The {s.name} stopped while starting ({how}); the end of its log "
                f"({s.log.path}):", s.log.tail())
            return 1
        s.crashes += 1
        if s.crashes >= self.max_crashes:
            s.log.note(f"supervisor: the {s.name} stopped ({how}); giving up")
            say(f"The {s.name} crashed {s.crashes} times in a row, each within "
                f"{self.stable:.0f} s of starting: giving up and stopping Gentle Hands. The end "
                f"of its log ({s.log.path}):", s.log.tail())
            return 1
        delay = min(self.backoff * 2 ** (s.crashes - 1), self.backoff_max)
        s.restart_at = now + delay
        s.log.note(f"supervisor: the {s.name} stopped ({how}) after {ran:.0f} s; restarting "
                   f"in {delay:g} s")
        say(f"The {s.name} stopped ({how}); restarting it in {delay:g} s "
            f"(the other server keeps answering; log: {s.log.path}).")
        return 0


def env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def supervise() -> int:
    """`make run`: scripts/run.sh has set the environment (ports, databases, origins)."""
    env = dict(os.environ)
    rasa_port, action_port = env["RASA_PORT"], env["ACTION_PORT"]
    log_dir = Path(env.get("LOG_DIR", "var/log"))
    log_dir = log_dir if log_dir.is_absolute() else ROOT / log_dir
    max_bytes = int(env_number("LOG_MAX_BYTES", 5 * 1024 * 1024))
    backups = int(env_number("LOG_BACKUPS", 3))
    venv = Path(env.get("VENV", ".venv"))
    venv = venv if venv.is_absolute() else ROOT / venv
    model = env.get("MODEL", "models/gentle-hands.tar.gz")
    try:
        _token, token_where = resolve_token(env)  # created now, once, not by the server
    except SettingsError as e:
        say(str(e))
        return 2

    actions_env = dict(env)
    # The action server needs neither the API token nor Rasa's body limit (Rasa posts whole
    # conversations to it). Sanic closes a new connection that has not sent its request
    # within the keep-alive timeout (5 s by default); when Rasa's event loop is busy for
    # longer (several messages at once while it warms up), the action fails with "Cannot
    # write to closing transport", so the action server waits longer (as in deploy_local.sh).
    actions_env.pop("RASA_AUTH_TOKEN", None)
    actions_env.pop("SANIC_REQUEST_MAX_SIZE", None)
    actions_env["SANIC_KEEP_ALIVE_TIMEOUT"] = env.get("ACTIONS_KEEP_ALIVE_TIMEOUT", "75")
    actions = Service(
        "action server",
        [str(venv / "bin" / "rasa"), "run", "actions", "--actions", "actions",
         "--port", action_port],
        actions_env, f"http://127.0.0.1:{action_port}/health",
        RotatingLog(log_dir / "actions.log", max_bytes, backups))
    rasa = Service(
        "Rasa server",
        [sys.executable, str(Path(__file__).resolve()), "run", "--model", model,
         "--port", rasa_port, "--endpoints", "endpoints.yml", "--credentials",
         "credentials.yml", "--enable-api"],
        env, f"http://127.0.0.1:{rasa_port}/",
        RotatingLog(log_dir / "rasa.log", max_bytes, backups))

    def ready() -> None:
        secret = env.get("REST_WEBHOOK_SECRET", "").strip()
        header = " -H 'X-Webhook-Secret: <REST_WEBHOOK_SECRET>'" if secret else ""
        origins = ", ".join(parse_origins(env.get("ALLOWED_ORIGINS"))) or "(none)"
        say("Gentle Hands is ready.",
            f"  Chat in a browser: http://localhost:{rasa_port}/chat",
            f"  Chat over REST:  curl -s localhost:{rasa_port}/webhooks/rest/webhook{header} "
            """-d '{"sender":"me","message":"hi"}'""",
            f"  HTTP API token:  from {token_where} (set RASA_AUTH_TOKEN to choose one)",
            f"  Web origins allowed: {origins} (ALLOWED_ORIGINS)",
            f"  Logs: {log_dir}/ (a server that crashes is restarted)",
            "Press Ctrl-C to stop both servers.", err=False)

    if "*" in parse_origins(env.get("ALLOWED_ORIGINS")):
        say("Warning: ALLOWED_ORIGINS=* lets any web page call this server: use it only where "
            "nobody else can reach it.")
    say(f"Starting Gentle Hands (logs in {log_dir}/)...", err=False)
    return Supervisor(
        [actions, rasa],
        backoff=env_number("RESTART_BACKOFF", 1.0),
        backoff_max=env_number("RESTART_BACKOFF_MAX", 30.0),
        max_crashes=int(env_number("RESTART_MAX_CRASHES", 5)),
        stable=env_number("RESTART_STABLE_SECONDS", 60.0),
        start_timeout=env_number("SERVER_START_TIMEOUT", 300.0),
        on_ready=ready,
    ).run()


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    try:
        if command == "run":
            run(rest)
            return 0
        if command == "preflight":
            preflight(rest)
            return 0
        if command == "supervise":
            return supervise()
    except SettingsError as e:
        say(str(e))
        return 2
    say(__doc__.split("\n\n")[1] if __doc__ else "usage: rasa_serve.py run|preflight|supervise")
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
