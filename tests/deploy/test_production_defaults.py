"""Production refuses to start on settings that are only fit for a laptop.

`make deploy-local` (scripts/deploy_local.sh) and the launcher every production Rasa runs
through (scripts/rasa_serve.py run --production: deploy_local.sh, deploy/compose, deploy/helm)
stop with a clear message, before anything is started, when the REST webhook would be open
(no REST_WEBHOOK_SECRET while the credentials file has a REST channel) or when
ALLOWED_ORIGINS is missing, "*" or not a list of web origins. Taking the REST channel out of
the credentials file is the one way to run without the secret. The API token is never
accepted on the command line. (The Compose and Helm files are checked in
test_deploy_files.py.)

No server, database or nginx is needed: every case stops before those.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.launcher import load_launcher

ROOT = Path(__file__).resolve().parents[2]
PY = ROOT / ".venv" / "bin" / "python"
PYTHON = str(PY) if PY.exists() else sys.executable
GOOD = {"REST_WEBHOOK_SECRET": "0123456789abcdef0123456789abcdef",
        "ALLOWED_ORIGINS": "https://www.example-hospice.org"}


serve = load_launcher()


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8",
           # Wherever the token would go, never the checkout's own var/auth_token.
           "RASA_AUTH_TOKEN_FILE": str(tmp_path / "auth_token"),
           "DEPLOY_DIR": str(tmp_path / "deploy"), "MODEL": str(tmp_path / "no-model.tar.gz"),
           # Free-looking ports, and an nginx that does nothing, in case a check let it through.
           "NGINX_PORT": "1", "RASA_PORTS": "2 3", "ACTION_PORT": "4", "NGINX": "/bin/false"}
    env.update(extra)
    return env


def skip_if_dotenv_sets(*names: str) -> None:
    """deploy_local.sh reads .env over the environment: a developer's .env could set these."""
    dotenv = ROOT / ".env"
    if dotenv.exists() and any(n in dotenv.read_text() for n in names):
        pytest.skip(f".env sets {'/'.join(names)}: the script would use it")


def deploy_local(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(ROOT / "scripts" / "deploy_local.sh")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


# -- make deploy-local -----------------------------------------------------------------------
@pytest.mark.parametrize("missing, expected", [
    ({"REST_WEBHOOK_SECRET": ""}, "REST_WEBHOOK_SECRET is not set"),
    ({"ALLOWED_ORIGINS": ""}, "ALLOWED_ORIGINS is not set"),
    ({"ALLOWED_ORIGINS": "*"}, "ALLOWED_ORIGINS contains '*'"),
    ({"ALLOWED_ORIGINS": "https://www.example-hospice.org,*"}, "ALLOWED_ORIGINS contains '*'"),
    ({"ALLOWED_ORIGINS": "www.example-hospice.org"}, "not a web origin"),
])
def test_deploy_local_refuses_unsafe_settings_before_starting_anything(tmp_path, missing,
                                                                        expected):
    skip_if_dotenv_sets("REST_WEBHOOK_SECRET", "ALLOWED_ORIGINS")
    r = deploy_local(base_env(tmp_path, **{**GOOD, **missing}))
    assert r.returncode != 0
    assert expected in r.stderr, r.stderr
    assert "will not start" in r.stderr
    # It stopped at the check: nothing installed, rendered or started, no token made.
    assert "Installing nginx" not in r.stdout + r.stderr
    assert not (tmp_path / "deploy" / "nginx.conf").exists()
    assert not (tmp_path / "auth_token").exists()


def test_deploy_local_passes_the_check_with_production_settings(tmp_path):
    """With both set it goes on (here to nginx, which is /bin/false: it fails after the check)."""
    skip_if_dotenv_sets("REST_WEBHOOK_SECRET", "ALLOWED_ORIGINS")
    r = deploy_local(base_env(tmp_path, **GOOD))
    assert "will not start" not in r.stderr, r.stderr
    token = tmp_path / "auth_token"
    assert token.exists() and token.stat().st_mode & 0o777 == 0o600


def test_deploy_local_never_puts_the_token_on_a_command_line_nor_defaults_origins():
    script = (ROOT / "scripts" / "deploy_local.sh").read_text()
    code = "\n".join(line.split("#", 1)[0] for line in script.splitlines())
    assert "--auth-token" not in code
    assert "ALLOWED_ORIGINS:-*" not in code and "ALLOWED_ORIGINS:-\\*" not in code
    assert "rasa_serve.py run --production" in code
    assert "rasa_serve.py preflight --production" in code


# -- the launcher ----------------------------------------------------------------------------
def launcher(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, str(ROOT / "scripts" / "rasa_serve.py"), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("missing, expected", [
    ({"REST_WEBHOOK_SECRET": ""}, "REST_WEBHOOK_SECRET is not set"),
    ({"ALLOWED_ORIGINS": "*"}, "ALLOWED_ORIGINS contains '*'"),
])
def test_the_production_launcher_refuses_before_loading_rasa(tmp_path, missing, expected):
    """What Compose and Helm run: the same refusal, exit code 2, in about a second."""
    env = base_env(tmp_path, **{**GOOD, **missing})
    r = launcher(["run", "--production", "--model", "x", "--credentials", "credentials.yml",
                  "--enable-api"], env)
    assert r.returncode == 2, r.stderr
    assert expected in r.stderr


def test_an_explicit_wildcard_cors_argument_is_refused_in_production(tmp_path):
    r = launcher(["run", "--production", "--cors", "*", "--credentials", "credentials.yml"],
                 base_env(tmp_path, **GOOD))
    assert r.returncode == 2 and "--cors '*'" in r.stderr


def test_the_launcher_refuses_a_token_on_its_command_line(tmp_path):
    r = launcher(["run", "--auth-token", "s3cret-on-the-command-line"], base_env(tmp_path))
    assert r.returncode == 2
    assert "must not be given on the command line" in r.stderr
    assert "s3cret-on-the-command-line" not in r.stdout + r.stderr


def test_without_a_rest_channel_no_secret_is_needed(tmp_path):
    """Switching the REST channel off (out of the credentials file) is the one exception."""
    credentials = tmp_path / "credentials.yml"
    text = (ROOT / "credentials.yml").read_text()
    kept = [block for block in text.split("\n\n") if "SecureRestInput" not in block]
    credentials.write_text("\n\n".join(kept))
    assert not serve.rest_channel_on(credentials)
    assert serve.rest_channel_on(ROOT / "credentials.yml")
    env = base_env(tmp_path, ALLOWED_ORIGINS=GOOD["ALLOWED_ORIGINS"], REST_WEBHOOK_SECRET="")
    r = launcher(["preflight", "--production", "--credentials", str(credentials)], env)
    assert r.returncode == 0, r.stderr
    r = launcher(["preflight", "--production", "--credentials", "credentials.yml"], env)
    assert r.returncode == 2 and "REST_WEBHOOK_SECRET" in r.stderr


@pytest.mark.parametrize("key", ["rest", "channels.rest.SecureRestInput",
                                 "rasa.core.channels.rest.RestInput"])
def test_every_way_of_naming_a_rest_channel_counts(tmp_path, key):
    credentials = tmp_path / "c.yml"
    credentials.write_text(f"{key}:\n")
    assert serve.production_problems({"ALLOWED_ORIGINS": "https://a.example.org"}, credentials)


@pytest.mark.parametrize("origins, ok", [
    ("https://www.example-hospice.org", True),
    ("https://a.example.org, https://b.example.org:8443/", True),
    ("http://localhost:5005,http://127.0.0.1:5005", True),
    ("", False), (" , ", False), ("*", False), ("https://*.example.org", False),
    ("www.example.org", False), ("https://example.org/chat", False),
])
def test_production_origins_must_be_listed_web_origins(tmp_path, origins, ok):
    credentials = tmp_path / "c.yml"
    credentials.write_text("channels.web.WebChatWidget:\n")  # no REST channel
    problems = serve.production_problems({"ALLOWED_ORIGINS": origins}, credentials)
    assert (not problems) == ok, problems
