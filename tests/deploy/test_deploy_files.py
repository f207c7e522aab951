"""The deploy/ files: parsed, rendered and linted as far as this machine allows.

nginx is checked with `nginx -t` when installed (scripts/deploy_local.sh installs it); the
Helm values and the Compose file cannot run here (no Kubernetes, no Docker engine), so they
are parsed and their wiring is checked against this repository and the chart's layout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from rasa.shared.utils.common import class_from_module_path

from deploy.render_template import render

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = "/app/scripts/rasa_serve.py"
DEPLOY = ROOT / "deploy"
ATOMIC = "components.lock_store.AtomicRedisLockStore"
TRACKER = "components.tracker_store.ForgettingSQLTrackerStore"


def load(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


# -- endpoints ---------------------------------------------------------------------------------
def test_production_endpoints_use_postgres_tracker_and_atomic_lock(monkeypatch) -> None:
    from rasa.shared.utils.io import read_config_file

    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://actions:5055/webhook")
    monkeypatch.setenv("TRACKER_DB_URL", "postgresql://u:p@db:5432/gh")
    config = read_config_file(str(DEPLOY / "endpoints.yml"))
    assert config["action_endpoint"]["url"] == "http://actions:5055/webhook"
    assert config["tracker_store"] == {"type": TRACKER, "url": "postgresql://u:p@db:5432/gh"}
    assert config["lock_store"] == {"type": ATOMIC}
    for path in (TRACKER, ATOMIC):
        assert class_from_module_path(path)


def test_production_endpoints_refuse_to_start_without_the_database_url(monkeypatch) -> None:
    from rasa.shared.utils.io import read_config_file

    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://actions:5055/webhook")
    monkeypatch.delenv("TRACKER_DB_URL", raising=False)
    with pytest.raises(Exception, match="TRACKER_DB_URL"):
        read_config_file(str(DEPLOY / "endpoints.yml"))


# -- nginx -------------------------------------------------------------------------------------
NGINX_ENV = {
    "RASA_UPSTREAM_SERVERS": "server 127.0.0.1:15001; server 127.0.0.1:15002;",
    "NGINX_LISTEN": "127.0.0.1:15000",
    "RATE_LIMIT": "5r/s",
    "RATE_BURST": "20",
    "CONN_LIMIT": "20",
    "NGINX_EXTRA": "",
}


def test_template_rendering_is_strict_and_leaves_nginx_variables_alone() -> None:
    text = (DEPLOY / "nginx" / "gentle-hands.conf.template").read_text()
    out = render(text, NGINX_ENV)
    assert "${" not in out
    assert "hash $binary_remote_addr consistent;" in out
    assert "client_max_body_size 64k;" in out
    assert "limit_req zone=gh_messages burst=20 nodelay;" in out
    assert out.count("server 127.0.0.1:15001;") == 2  # both upstreams
    with pytest.raises(KeyError, match="RATE_BURST"):
        render(text, {k: v for k, v in NGINX_ENV.items() if k != "RATE_BURST"})


def test_nginx_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if not nginx:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    env = dict(NGINX_ENV, DEPLOY_DIR=str(tmp_path))
    (tmp_path / "nginx-tmp").mkdir()
    for name in ("gentle-hands.conf", "nginx.conf"):
        text = (DEPLOY / "nginx" / f"{name}.template").read_text()
        (tmp_path / name).write_text(render(text, env))
    r = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        capture_output=True, text=True, timeout=30,
    )
    assert r.returncode == 0, r.stderr


def blocks(conf: str) -> dict[str, str]:
    """The `server { }` directives outside locations, and each location's body, by name."""
    server = conf[conf.index("server {"):]
    out, outside, depth, name, body = {}, [], 0, None, []
    for line in server.splitlines()[1:]:
        stripped = line.split("#", 1)[0].strip()
        if name is None and stripped.startswith("location "):
            name, body, depth = stripped[len("location "):].rstrip("{ ").strip(), [], 1
            continue
        if name is not None:
            depth += stripped.count("{") - stripped.count("}")
            if depth == 0:
                out[name], name = "\n".join(body), None
            else:
                body.append(stripped)
        else:
            outside.append(stripped)
    out["server"] = "\n".join(outside)
    return out


def test_every_proxied_location_sends_host_and_forwarded_headers() -> None:
    """nginx inherits proxy_set_header into a location only when the location sets none.

    The locations that set only Connection sent Rasa no Host and no X-Forwarded-*; now every
    location that proxies either sets none (and gets the server's, NGINX_EXTRA's included) or
    sets them all again.
    """
    conf = render((DEPLOY / "nginx" / "gentle-hands.conf.template").read_text(),
                  dict(NGINX_ENV, NGINX_EXTRA='proxy_set_header X-Test "1";'))
    parts = blocks(conf)
    needed = ["Host $http_host", "X-Forwarded-For $proxy_add_x_forwarded_for",
              "X-Forwarded-Proto $scheme", "X-Real-IP $remote_addr"]
    for header in needed + ['Connection ""', 'X-Test "1"']:
        assert f"proxy_set_header {header};" in parts["server"], header
    proxied = {name: body for name, body in parts.items() if "proxy_pass" in body}
    assert set(proxied) == {"= /", "/webhooks/", "/socket.io/", "/chat"}
    for name, body in proxied.items():
        if "proxy_set_header" in body:
            for header in needed:
                assert f"proxy_set_header {header};" in body, (name, header)
        else:
            assert name != "/socket.io/"  # it must set Upgrade and Connection itself


def test_deploy_local_script_parses() -> None:
    script = ROOT / "scripts" / "deploy_local.sh"
    assert subprocess.run(["bash", "-n", str(script)], timeout=10).returncode == 0
    if shutil.which("shellcheck"):
        r = subprocess.run(["shellcheck", "-S", "error", str(script)], capture_output=True,
                           text=True, timeout=30)
        assert r.returncode == 0, r.stdout


# -- Helm (untested here: no Kubernetes) ------------------------------------------------------
# Top-level and applicationSettings keys of RasaHQ/helm-charts charts/rasa/values.yaml; a key
# outside these would be silently ignored by the chart.
CHART_KEYS = {
    "nameOverride", "fullnameOverride", "registry", "applicationSettings", "replicaCount",
    "networkPolicy", "args", "extraArgs", "command", "extraEnv", "image", "serviceAccount",
    "podAnnotations", "podLabels", "deploymentAnnotations", "deploymentLabels",
    "podSecurityContext", "securityContext", "service", "ingress", "resources", "autoscaling",
    "nodeSelector", "tolerations", "affinity", "strategy", "livenessProbe", "readinessProbe",
    "initContainers", "extraContainers", "volumes", "volumeMounts", "global", "postgresql",
    "redis", "rabbitmq", "nginx", "rasa-action-server", "duckling",
}
APP_KEYS = {
    "debugMode", "initialModel", "trainInitialModel", "port", "scheme", "token", "cors",
    "enableAPI", "credentials", "telemetry", "endpoints", "rasaX",
}
INGRESS_KEYS = {"enabled", "annotations", "labels", "pathType", "path", "hostname", "tls",
                "extraPaths"}


def test_helm_values_wire_the_topology() -> None:
    values = load(DEPLOY / "helm" / "values.yaml")
    assert set(values) <= CHART_KEYS, set(values) - CHART_KEYS
    app = values["applicationSettings"]
    assert set(app) <= APP_KEYS, set(app) - APP_KEYS
    assert set(values["ingress"]) <= INGRESS_KEYS
    assert values["image"]["tag"] == "3.6.21"
    assert values["replicaCount"] >= 2
    endpoints = app["endpoints"]
    assert endpoints["lockStore"] == {"enabled": True, "type": ATOMIC}
    assert endpoints["trackerStore"] == {"enabled": True, "type": TRACKER}
    assert values["postgresql"]["install"] is True
    assert values["redis"]["install"] is True
    assert values["rasa-action-server"]["install"] is True
    assert values["nginx"]["enabled"] is False  # the ingress balances between replicas
    annotations = values["ingress"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == "64k"
    assert "limit-rps" in " ".join(annotations)
    env = {e["name"] for e in values["rasa-action-server"]["extraEnv"]}
    assert "JOURNAL_DB_URL" in env
    # The chart's schema types: strings stay strings.
    assert all(isinstance(e.get("value", ""), str) for e in values["extraEnv"])


def test_helm_values_require_production_settings_and_keep_secrets_off_the_command_line():
    values = load(DEPLOY / "helm" / "values.yaml")
    app = values["applicationSettings"]
    # Rasa starts through the launcher with --production, not with the chart's arguments
    # (those put `--auth-token "$(RASA_TOKEN)"` into argv and pass `--jwt-secret "$(JWT_SECRET)"`,
    # "UNSET" by default).
    assert values["command"] == ["python", LAUNCHER]
    args = values["args"]
    assert args[:2] == ["run", "--production"] and "--enable-api" in args
    for forbidden in ("--auth-token", "--jwt-secret", "--cors"):
        assert forbidden not in args, forbidden
    assert not any("$(" in a for a in args)
    assert "token" not in app and app.get("cors") in (None, "")
    # Secrets come from a Secret, the origins from a ConfigMap; none is optional, and none is
    # a literal in this file.
    env = {e["name"]: e for e in values["extraEnv"]}
    for name, source in [("RASA_AUTH_TOKEN", "secretKeyRef"),
                         ("REST_WEBHOOK_SECRET", "secretKeyRef"),
                         ("ALLOWED_ORIGINS", "configMapKeyRef")]:
        assert "value" not in env[name], name
        ref = env[name]["valueFrom"][source]
        assert ref["name"] and ref["key"] and not ref.get("optional", False), name
    assert env["SANIC_REQUEST_MAX_SIZE"]["value"] == "65536"
    assert "*" not in str(values)
    # The project's channels, as credentials.yml has them: the REST webhook with its secret
    # and the socket with its origin check, never Rasa's stock `socketio` or `rest`.
    channels = app["credentials"]["additionalChannelCredentials"]
    project = load(ROOT / "credentials.yml")
    assert "socketio" not in channels and "rest" not in channels
    assert channels["channels.rest.SecureRestInput"] == {"shared_secret": "${REST_WEBHOOK_SECRET}"}
    assert channels["channels.socketio.SocketIOInput"] == project["channels.socketio.SocketIOInput"]
    for name, settings in channels.items():
        assert class_from_module_path(name)
        assert settings == project[name], name
    # Every ${VAR} the mounted credentials name is set (Rasa refuses an unset one); the
    # launcher sets RASA_AUTH_TOKEN itself.
    for var in re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", yaml.safe_dump(channels)):
        assert var in env, var
    # The image runs the launcher: Dockerfile.rasa copies it where `command` looks.
    assert f"COPY scripts/rasa_serve.py {LAUNCHER}" in (
        DEPLOY / "compose" / "Dockerfile.rasa").read_text()


def test_lock_store_accepts_the_keys_the_chart_renders(monkeypatch) -> None:
    """The chart keeps its lockStore defaults (url, port, password, db) next to our type."""
    import inspect

    from components import lock_store

    source = inspect.getsource(lock_store.AtomicRedisLockStore.__init__)
    for key in ("url", "port", "password", "db"):
        assert f'"{key}"' in source


# -- Docker Compose (untested here: no Docker engine) -----------------------------------------
def interpolate(text: str) -> str:
    """Compose's ${VAR:?msg} / ${VAR:-default} with test values."""
    def sub(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3)
        return arg if op == ":-" else f"test-{name.lower()}"
    return re.sub(r"\$\{([A-Z_][A-Z0-9_]*)(?:(:[?-])([^}]*))?\}", sub, text).replace("$$", "$")


def test_compose_file_wires_the_topology() -> None:
    text = (DEPLOY / "compose" / "docker-compose.yml").read_text()
    compose = yaml.safe_load(interpolate(text))
    services = compose["services"]
    assert {"postgres", "redis", "actions", "rasa-1", "rasa-2", "nginx"} <= set(services)
    for name in ("rasa-1", "rasa-2"):
        svc = services[name]
        env = svc["environment"]
        assert env["TRACKER_DB_URL"].startswith("postgresql://")
        assert env["REDIS_URL"].startswith("redis://")
        assert env["ACTION_ENDPOINT_URL"] == "http://actions:5055/webhook"
        assert "deploy/endpoints.yml" in svc["command"]
        assert svc["image"].endswith(":3.6.21")
    nginx = services["nginx"]
    upstreams = nginx["environment"]["RASA_UPSTREAM_SERVERS"]
    assert "rasa-1:5005" in upstreams and "rasa-2:5005" in upstreams
    for volume in nginx["volumes"] + services["postgres"]["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("."):
            assert (DEPLOY / "compose" / source).resolve().exists(), source
    # The nginx template's variables are all provided by the nginx service.
    template = (DEPLOY / "nginx" / "gentle-hands.conf.template").read_text()
    render(template, {k: str(v) for k, v in nginx["environment"].items()})
    # Dockerfiles copy only what exists in the repository (models/ and build/ after training).
    for dockerfile in ("Dockerfile.rasa", "Dockerfile.actions"):
        for line in (DEPLOY / "compose" / dockerfile).read_text().splitlines():
            if line.startswith("COPY "):
                for src in line.split()[1:-1]:
                    if not src.startswith(("models/", "build/")):
                        assert (ROOT / src).exists(), f"{dockerfile}: {src}"
    # Rasa refuses to start on an unset ${VAR} in credentials.yml: the replicas set each one.
    for var in set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", (ROOT / "credentials.yml").read_text())):
        for name in ("rasa-1", "rasa-2"):
            assert var in services[name]["environment"], f"{name} does not set {var}"
    # The Rasa image holds every project package that credentials.yml and the endpoints name.
    rasa_image = (DEPLOY / "compose" / "Dockerfile.rasa").read_text()
    named = {key.split(".")[0] for key in load(ROOT / "credentials.yml") if "." in key}
    named.add("components")
    for package in sorted(named):
        assert f"COPY {package} " in rasa_image, f"Dockerfile.rasa does not copy {package}/"
    # `docker compose config` needs no engine, only the Compose plugin.
    has_compose = shutil.which("docker") and subprocess.run(
        ["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0
    if has_compose:
        r = subprocess.run(
            ["docker", "compose", "-f", str(DEPLOY / "compose" / "docker-compose.yml"), "config",
             "-q"], capture_output=True, text=True, timeout=60,
            env={"RASA_AUTH_TOKEN": "t", "POSTGRES_PASSWORD": "p", "REDIS_PASSWORD": "r",
                 "REST_WEBHOOK_SECRET": "s", "ALLOWED_ORIGINS": "https://a.example.org",
                 "PATH": os.environ["PATH"]},
        )
        assert r.returncode == 0, r.stderr


def interpolate_strictly(text: str, env: dict[str, str]) -> str:
    """Compose's interpolation: ${VAR:?msg} fails when VAR is unset or empty."""
    def sub(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3)
        value = env.get(name, "")
        if op == ":?" and not value:
            raise KeyError(f"{name}: {arg}")
        return value or (arg if op == ":-" else "")
    return re.sub(r"\$\{([A-Z_][A-Z0-9_]*)(?:(:[?-])([^}]*))?\}", sub, text).replace("$$", "$")


COMPOSE_REQUIRED = {"RASA_AUTH_TOKEN": "t0ken", "REST_WEBHOOK_SECRET": "s3cret",
                    "ALLOWED_ORIGINS": "https://www.example-hospice.org",
                    "POSTGRES_PASSWORD": "p", "REDIS_PASSWORD": "r"}


@pytest.mark.parametrize("name", ["RASA_AUTH_TOKEN", "REST_WEBHOOK_SECRET", "ALLOWED_ORIGINS"])
def test_compose_refuses_to_start_without_production_settings(name) -> None:
    text = (DEPLOY / "compose" / "docker-compose.yml").read_text()
    assert f"${{{name}:?" in text
    with pytest.raises(KeyError, match=name):
        interpolate_strictly(text, {k: v for k, v in COMPOSE_REQUIRED.items() if k != name})
    with pytest.raises(KeyError, match=name):
        interpolate_strictly(text, dict(COMPOSE_REQUIRED, **{name: ""}))


def test_compose_keeps_the_token_off_the_command_line_and_cors_off_wildcards() -> None:
    text = (DEPLOY / "compose" / "docker-compose.yml").read_text()
    compose = yaml.safe_load(interpolate_strictly(text, COMPOSE_REQUIRED))
    for name in ("rasa-1", "rasa-2"):
        svc = compose["services"][name]
        assert svc["entrypoint"] == ["python", LAUNCHER]
        assert svc["command"][:2] == ["run", "--production"]
        assert "--auth-token" not in svc["command"] and "t0ken" not in svc["command"]
        env = svc["environment"]
        assert env["RASA_AUTH_TOKEN"] == "t0ken"  # from the environment, to the launcher
        assert env["REST_WEBHOOK_SECRET"] == "s3cret"
        assert env["ALLOWED_ORIGINS"] == "https://www.example-hospice.org"
        assert env["SANIC_REQUEST_MAX_SIZE"] == "65536"
    assert "ALLOWED_ORIGINS:-" not in text and "REST_WEBHOOK_SECRET:-" not in text


@pytest.mark.parametrize("origins, expected", [
    ("*", ["*"]),
    ("https://a.example.org, https://b.example.org", ["https://a.example.org",
                                                     "https://b.example.org"]),
    ("http://localhost:5005,http://127.0.0.1:5005", ["http://localhost:5005",
                                                     "http://127.0.0.1:5005"]),
    ("", None),
])
def test_every_allowed_origin_reaches_rasa_as_it_is(origins, expected):
    """scripts/rasa_serve.py turns ALLOWED_ORIGINS into Rasa's --cors, with no shell in
    between (a shell once expanded "*" into the names of files). Rasa's own argument parser
    must then see every origin: its --cors takes a list and, given several times, keeps the
    last one only (run.sh's `--cors a --cors b` allowed b alone)."""
    import importlib.util
    import sys

    from rasa.__main__ import create_argument_parser

    if "rasa_serve" not in sys.modules:
        spec = importlib.util.spec_from_file_location("rasa_serve",
                                                      ROOT / "scripts" / "rasa_serve.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["rasa_serve"] = module
        spec.loader.exec_module(module)
    cors_args = sys.modules["rasa_serve"].cors_args
    parsed = create_argument_parser().parse_args(["run", *cors_args(origins), "--enable-api"])
    assert parsed.cors == expected
