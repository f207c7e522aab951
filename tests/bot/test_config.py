"""bot/config.py: every variable's default, a set value and an invalid one; read on call; read
nowhere else in bot/, actions/, components/ or channels/; listed in .env.example."""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot import config

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("bot", "actions", "components", "channels")
# Modules allowed to read the environment, each with its reason.
ALLOWED_READERS = {
    "bot/config.py": "the one module that reads the environment",
}


class Raises:
    """An expected error: its type and a pattern of its message."""

    def __init__(self, error: type[Exception], match: str) -> None:
        self.error, self.match = error, match


@dataclass(frozen=True)
class Case:
    read: Callable[[Any], Any]  # given an environ mapping, or None
    default: Any
    value: str  # a value set in the environment...
    expected: Any  # ...and what it reads as
    invalid: str  # a bad value...
    invalid_expected: Any  # ...and what it reads as (a value, or Raises)


CASES: dict[str, Case] = {
    "HOSPICE_PHONE": Case(
        lambda env: config.hospice_phone(env), config.DEFAULT_HOSPICE_PHONE,
        " 0800 555 0100 ", "0800 555 0100", "   ", config.DEFAULT_HOSPICE_PHONE),
    "EMERGENCY_NUMBER": Case(
        lambda env: config.emergency_number(env), "911", "112", "112", " ", "911"),
    "ESCALATION_ORDER": Case(
        lambda env: config.escalation_order(env), "hospice_first",
        " Emergency_First ", "emergency_first",
        "sometimes", Raises(ValueError, "ESCALATION_ORDER must be one of")),
    "JOURNAL_DB_URL": Case(
        lambda env: config.journal_db_url(env), "sqlite:///var/journal.db",
        "postgresql://u@db/j", "postgresql://u@db/j", " ", "sqlite:///var/journal.db"),
    "TRACKER_STORE_TIMEOUT": Case(
        lambda env: config.tracker_store_timeout(environ=env), 10.0, "4", 4.0,
        "soon", Raises(ValueError, "tracker store timeout must be a number")),
    "REDIS_URL": Case(
        lambda env: config.redis_url(environ=env), None,
        "redis://r:6379/2", "redis://r:6379/2", " ", None),
    "REDIS_HOST": Case(
        lambda env: config.redis_host(environ=env), "localhost", "redis", "redis", " ",
        "localhost"),
    "REDIS_PORT": Case(
        lambda env: config.redis_port(environ=env), 6379, " 6380 ", 6380,
        "six", Raises(ValueError, r"REDIS_PORT.*whole number, not 'six'")),
    "REDIS_DB": Case(
        lambda env: config.redis_db(environ=env), 1, "2", 2,
        "1.5", Raises(ValueError, r"REDIS_DB.*whole number")),
    "REDIS_USERNAME": Case(
        lambda env: config.redis_username(environ=env), None, "gentle", "gentle", " ", None),
    "REDIS_PASSWORD": Case(
        lambda env: config.redis_password(environ=env), None, "p@ss", "p@ss", " ", None),
    "REDIS_USE_SSL": Case(
        lambda env: config.redis_use_ssl(environ=env), False, "Yes", True, "maybe", False),
    "REDIS_SOCKET_TIMEOUT": Case(
        lambda env: config.redis_socket_timeout(environ=env), 10.0, "2.5", 2.5,
        "soon", Raises(ValueError, r"REDIS_SOCKET_TIMEOUT.*number of seconds")),
    "LOCK_STORE_KEY_PREFIX": Case(
        lambda env: config.lock_store_key_prefix(environ=env), "", "gh", "gh", " ", ""),
    "LOCK_POLL_INTERVAL": Case(
        lambda env: config.lock_poll_interval(environ=env), 0.02, "0.1", 0.1,
        "often", Raises(ValueError, r"LOCK_POLL_INTERVAL.*number of seconds")),
    "WEB_SESSION_SECRET": Case(
        lambda env: config.web_session_secret(env), "", "w" * 40, "w" * 40, " ", ""),
    "RASA_AUTH_TOKEN": Case(
        lambda env: config.rasa_auth_token(env), "", " t0ken ", "t0ken", " ", ""),
}


def test_every_variable_has_its_cases():
    assert set(CASES) == set(config.VARIABLES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_default_set_and_invalid_values(name):
    case = CASES[name]
    assert case.read({}) == case.default
    assert case.read({name: ""}) == case.default
    assert case.read({name: case.value}) == case.expected
    if isinstance(case.invalid_expected, Raises):
        with pytest.raises(case.invalid_expected.error, match=case.invalid_expected.match):
            case.read({name: case.invalid})
    else:
        assert case.read({name: case.invalid}) == case.invalid_expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_process_environment_is_read_on_each_call(name, monkeypatch):
    case = CASES[name]
    monkeypatch.delenv(name, raising=False)
    assert case.read(None) == case.default
    monkeypatch.setenv(name, case.value)
    assert case.read(None) == case.expected


def test_phones_and_whether_the_hospice_line_is_configured():
    assert not config.phones({}).hospice_configured
    phones = config.phones({"HOSPICE_PHONE": "0800 1", "EMERGENCY_NUMBER": "999"})
    assert (phones.hospice_phone, phones.emergency_number) == ("0800 1", "999")
    assert phones.hospice_configured


def test_the_rasa_servers_red_flag_fallback_never_refuses_an_escalation_order():
    assert config.escalation_order_or_default({"ESCALATION_ORDER": "emergency_first"}) \
        == "emergency_first"
    assert config.escalation_order_or_default({"ESCALATION_ORDER": "sometimes"}) \
        == "hospice_first"
    assert config.parse_escalation_order("") == "hospice_first"


def test_the_escalation_orders_are_those_the_red_flag_replies_know():
    from bot.redflags import ESCALATION_ORDERS

    assert config.ESCALATION_ORDERS == ESCALATION_ORDERS


@pytest.mark.parametrize("bad", ["soon", "0", "-1", "nan", "inf", " "])
def test_the_tracker_store_timeout_is_a_positive_number(bad):
    if bad == " ":  # only spaces: unset
        assert config.tracker_store_timeout(environ={"TRACKER_STORE_TIMEOUT": bad}) == 10.0
        return
    with pytest.raises(ValueError, match="tracker store timeout"):
        config.tracker_store_timeout(environ={"TRACKER_STORE_TIMEOUT": bad})
    with pytest.raises(ValueError, match="tracker store timeout"):
        config.tracker_store_timeout(bad, environ={})


def test_an_endpoint_value_wins_over_the_variable_and_is_checked_alike():
    env = {"TRACKER_STORE_TIMEOUT": "4", "REDIS_URL": "redis://env", "REDIS_HOST": "env",
           "REDIS_PORT": "1", "REDIS_DB": "5", "REDIS_USE_SSL": "true",
           "LOCK_STORE_KEY_PREFIX": "env", "LOCK_POLL_INTERVAL": "1",
           "REDIS_SOCKET_TIMEOUT": "1", "REDIS_USERNAME": "env", "REDIS_PASSWORD": "env"}
    assert config.tracker_store_timeout(3, env) == 3.0
    assert config.tracker_store_timeout("", env) == 4.0  # "" in endpoints.yml: not given
    assert config.redis_url("redis://yml", env) == "redis://yml"
    assert config.redis_host("yml", env) == "yml"
    assert config.redis_port(6380, env) == 6380
    assert config.redis_db(0, env) == 0  # 0 is a value, not "unset"
    assert config.redis_use_ssl(False, env) is False
    assert config.lock_store_key_prefix("k", env) == "k"
    assert config.lock_poll_interval(0.5, env) == 0.5
    assert config.redis_socket_timeout(0.5, env) == 0.5
    assert config.redis_username("yml", env) == "yml"
    assert config.redis_password(1234, env) == 1234  # as endpoints.yml holds it
    with pytest.raises(ValueError, match="`port` in endpoints.yml"):
        config.redis_port("x", env)


def test_the_channels_redis_url():
    assert config.channel_state_redis_url({}) is None
    assert config.channel_state_redis_url({"REDIS_PORT": "1", "REDIS_PASSWORD": "p"}) is None
    assert config.channel_state_redis_url({"REDIS_URL": " redis://r:1/0 ", "REDIS_HOST": "h"}) \
        == "redis://r:1/0"
    assert config.channel_state_redis_url({"REDIS_HOST": "redis", "REDIS_PASSWORD": "p@ss"}) \
        == "redis://:p%40ss@redis:6379/1"
    assert config.channel_state_redis_url({"REDIS_HOST": "redis", "REDIS_PORT": "6380",
                                           "REDIS_DB": "3"}) == "redis://redis:6380/1"


def test_a_short_web_session_secret_is_used_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="bot.config"):
        assert config.web_session_secret({"WEB_SESSION_SECRET": "short"}) == "short"
    assert "WEB_SESSION_SECRET is short (5 characters)" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.config"):
        config.web_session_secret({"WEB_SESSION_SECRET": "s" * 32})
    assert not caplog.text


def test_an_unknown_variable_cannot_be_read_unlisted():
    with pytest.raises(KeyError, match="VARIABLES"):
        config._raw("NOT_A_SETTING", {})


# -- the variables are read in bot/config.py only, and only when called ----------------------
CONFIG_SOURCE = ROOT / "bot" / "config.py"
ENV_READERS = {"environ", "environb", "getenv", "getenvb"}


def environment_reads(source: str, filename: str = "<source>") -> list[int]:
    """Lines of `source` that read the process environment (os.environ, os.getenv..., under
    any alias of os, or imported from os)."""
    tree = ast.parse(source, filename=filename)
    aliases = {"os"}
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name == "os"}
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            names |= {a.asname or a.name for a in node.names if a.name in ENV_READERS}

    def reads(node: ast.AST) -> bool:
        if isinstance(node, ast.Attribute):  # os.environ, o.getenv
            return (node.attr in ENV_READERS and isinstance(node.value, ast.Name)
                    and node.value.id in aliases)
        if isinstance(node, ast.Name):  # environ, after `from os import environ`
            return node.id in names
        if isinstance(node, ast.ImportFrom):  # the import itself
            return node.module == "os" and any(a.name in ENV_READERS for a in node.names)
        return False

    return sorted({getattr(node, "lineno", 0) for node in ast.walk(tree) if reads(node)})


def test_the_scan_finds_every_way_of_reading_the_environment():
    assert environment_reads("import os\nx = os.environ.get('A')\n") == [2]
    assert environment_reads("import os as o\nx = o.getenv('A')\n") == [2]
    assert environment_reads("from os import environ as e\nx = e['A']\n") == [1, 2]
    assert environment_reads("from os import getenv\n") == [1]
    assert environment_reads("def f(environ):\n    return environ.get('A')\n") == []
    assert environment_reads("import os\nos.path.join('a')\n") == []


def test_no_module_but_bot_config_reads_the_environment():
    found = {}
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            lines = environment_reads(path.read_text(encoding="utf-8"), name)
            if lines and name not in ALLOWED_READERS:
                found[name] = lines
    assert not found, (f"environment read outside bot/config.py: {found}; add a function to "
                       "bot/config.py and call it")


def test_bot_config_reads_the_environment_only_inside_functions():
    tree = ast.parse(CONFIG_SOURCE.read_text(encoding="utf-8"))
    reads = set(environment_reads(CONFIG_SOURCE.read_text(encoding="utf-8")))
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            inside |= {n.lineno for n in ast.walk(node) if getattr(n, "lineno", None)}
    assert reads and reads <= inside


def names_read_by_config() -> set[str]:
    """Every variable name bot/config.py passes to _raw or _pick."""
    found = set()
    for node in ast.walk(ast.parse(CONFIG_SOURCE.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("_raw", "_pick"):
            found |= {a.value for a in node.args
                      if isinstance(a, ast.Constant) and isinstance(a.value, str)
                      and re.fullmatch(r"[A-Z][A-Z0-9_]+", a.value)}
    return found


def test_variables_lists_exactly_what_bot_config_reads():
    assert names_read_by_config() == set(config.VARIABLES)


# -- .env.example ----------------------------------------------------------------------------
def env_example_names() -> set[str]:
    """The variables .env.example sets or shows commented out (`NAME=` or `#NAME=`)."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_env_example_lists_every_variable_bot_config_reads():
    missing = set(config.VARIABLES) - env_example_names()
    assert not missing, f"add to .env.example (and README 'Configuration'): {sorted(missing)}"
