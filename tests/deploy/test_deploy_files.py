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
                 "PATH": os.environ["PATH"]},
        )
        assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("origins, expected", [
    ("*", ["--cors", "*"]),
    ("https://a.example.org, https://b.example.org",
     ["--cors", "https://a.example.org", "--cors", "https://b.example.org"]),
    ("", []),
])
def test_run_sh_passes_each_allowed_origin_to_rasa_as_it_is(tmp_path, origins, expected):
    """The lines of scripts/run.sh that build Rasa's --cors arguments, run in a folder with
    files in it: a "*" must reach Rasa as "*", not as the names of those files."""
    script = (ROOT / "scripts" / "run.sh").read_text()
    lines = script[script.index("# cors:begin"):script.index("# cors:end")]
    (tmp_path / "Makefile").write_text("")
    (tmp_path / "README.md").write_text("")
    r = subprocess.run(["bash", "-c", lines + '\nprintf "%s\\n" "${cors_args[@]}"'],
                       cwd=tmp_path, env={"ALLOWED_ORIGINS": origins, "PATH": os.environ["PATH"]},
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert [line for line in r.stdout.splitlines() if line] == expected
