"""The one module that reads the environment: each variable's name, default and check.

Every function reads the environment when it is called, never at import, so a test (or a
server started later) sees the values of the moment. Each takes an optional `environ` mapping
(tests pass one; default: the process's environment). A value is stripped, and one that is
empty or only spaces counts as unset. The functions that take `configured` are given the value
of the same setting from endpoints.yml (None or "" when it has none): it wins over the
variable, and goes through the same check.

`VARIABLES` names every variable read here (tests/bot/test_config.py checks each is read here
and nowhere else in bot/, actions/, components/ or channels/, and that .env.example lists it).
Not here: what only the launcher reads (scripts/run.sh, scripts/rasa_serve.py: ports, the
token file, log rotation, ALLOWED_ORIGINS...), what Rasa reads itself (TICKET_LOCK_LIFETIME,
SANIC_*, TF_*), and what Rasa substitutes into endpoints.yml and credentials.yml
(${TRACKER_DB_URL}, ${TELEGRAM_TOKEN}...).

Plain Python: no Rasa import (bot/ is in both the Rasa server's and the action server's image).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

logger = logging.getLogger(__name__)

Environ = Mapping[str, str]

VARIABLES: dict[str, str] = {
    "HOSPICE_PHONE": "the hospice's 24-hour nurse line (slots, red-flag replies)",
    "EMERGENCY_NUMBER": "emergency services (slots, red-flag replies)",
    "ESCALATION_ORDER": "hospice_first or emergency_first, for emergencies short of danger",
    "JOURNAL_DB_URL": "the caregiver journal's SQLAlchemy URL (action server)",
    "TRACKER_STORE_TIMEOUT": "seconds one read or write of a conversation may take",
    "REDIS_URL": "the lock store's and the channels' shared Redis (wins over the rest)",
    "REDIS_HOST": "Redis host when REDIS_URL is unset (Rasa's Helm chart sets it)",
    "REDIS_PORT": "Redis port when REDIS_URL is unset",
    "REDIS_DB": "the lock store's Redis database when REDIS_URL is unset",
    "REDIS_USERNAME": "the lock store's Redis user when REDIS_URL is unset",
    "REDIS_PASSWORD": "Redis password when REDIS_URL is unset",
    "REDIS_USE_SSL": "the lock store's Redis over TLS when REDIS_URL is unset",
    "REDIS_SOCKET_TIMEOUT": "seconds the lock store waits for Redis",
    "LOCK_STORE_KEY_PREFIX": "prefix of the lock store's Redis keys",
    "LOCK_POLL_INTERVAL": "seconds between two looks at a conversation's lock queue",
    "WEB_SESSION_SECRET": "signs the web chat's session tokens",
    "RASA_AUTH_TOKEN": "Rasa's HTTP API token (web session key derived from it)",
}

DEFAULT_HOSPICE_PHONE = "the 24-hour number your hospice gave you"
DEFAULT_EMERGENCY_NUMBER = "911"
# "hospice_first" (default): for emergencies that are not immediate danger, a configured
# hospice line is named before emergency services; "emergency_first": never.
ESCALATION_ORDERS = ("hospice_first", "emergency_first")
DEFAULT_ESCALATION_ORDER = "hospice_first"
DEFAULT_JOURNAL_DB_URL = "sqlite:///var/journal.db"
DEFAULT_TRACKER_STORE_TIMEOUT = 10.0  # seconds
DEFAULT_REDIS_HOST = "localhost"
DEFAULT_REDIS_PORT = 6379
DEFAULT_REDIS_DB = 1
DEFAULT_REDIS_SOCKET_TIMEOUT = 10.0  # seconds
DEFAULT_LOCK_POLL_INTERVAL = 0.02  # seconds
# The database of the channels' shared state when it is reached through REDIS_HOST: the one
# Rasa's Helm chart gives the lock store (deploy/helm/values.yaml). REDIS_DB is not used there.
CHANNEL_STATE_REDIS_DB = 1
SHORT_SESSION_SECRET = 32  # characters; shorter gets a warning
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def _raw(name: str, environ: Environ | None = None) -> str:
    """The variable, stripped; "" when unset."""
    if name not in VARIABLES:
        raise KeyError(f"{name} is not a variable of bot/config.py: add it to VARIABLES.")
    env = os.environ if environ is None else environ
    return (env.get(name) or "").strip()


def _pick(configured: Any, name: str, environ: Environ | None, default: Any = "") -> Any:
    """The endpoint's value when it has one (not None or ""), as given; else the variable;
    else `default`."""
    if configured is None or configured == "":
        return _raw(name, environ) or default
    return configured


def _int(value: Any, what: str) -> int:
    """int(value); a value that is not a whole number is a ValueError that names the setting."""
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{what} must be a whole number, not {value!r}.") from None


def _float(value: Any, what: str) -> float:
    """float(value); a value that is not a number is a ValueError that names the setting."""
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{what} must be a number of seconds, not {value!r}.") from None


# -- phones and escalation (action server; the Rasa server's fallbacks) ----------------------
@dataclass(frozen=True)
class Phones:
    hospice_phone: str
    emergency_number: str

    @property
    def hospice_configured(self) -> bool:
        return self.hospice_phone != DEFAULT_HOSPICE_PHONE


def hospice_phone(environ: Environ | None = None) -> str:
    return _raw("HOSPICE_PHONE", environ) or DEFAULT_HOSPICE_PHONE


def emergency_number(environ: Environ | None = None) -> str:
    return _raw("EMERGENCY_NUMBER", environ) or DEFAULT_EMERGENCY_NUMBER


def phones(environ: Environ | None = None) -> Phones:
    return Phones(hospice_phone(environ), emergency_number(environ))


def parse_escalation_order(value: str) -> str:
    """An ESCALATION_ORDER value, checked: an unknown value is an error, not a silent default."""
    value = value.strip().lower() or DEFAULT_ESCALATION_ORDER
    if value not in ESCALATION_ORDERS:
        raise ValueError(f"ESCALATION_ORDER must be one of {', '.join(ESCALATION_ORDERS)}, "
                         f"not {value!r}.")
    return value


def escalation_order(environ: Environ | None = None) -> str:
    """ESCALATION_ORDER (default hospice_first); ValueError for an unknown value."""
    return parse_escalation_order(_raw("ESCALATION_ORDER", environ))


def escalation_order_or_default(environ: Environ | None = None) -> str:
    """ESCALATION_ORDER for a red flag answered by the Rasa server itself (the action server is
    down): that answer must be given whatever the setting, so an unknown value means the
    default there, where the action server refuses it."""
    try:
        return escalation_order(environ)
    except ValueError:
        return DEFAULT_ESCALATION_ORDER


def journal_db_url(environ: Environ | None = None) -> str:
    return _raw("JOURNAL_DB_URL", environ) or DEFAULT_JOURNAL_DB_URL


# -- the tracker store -----------------------------------------------------------------------
def tracker_store_timeout(configured: Any = None, environ: Environ | None = None) -> float:
    """`timeout` from endpoints.yml, else TRACKER_STORE_TIMEOUT, else 10 s; always > 0.

    A value that is not a number, or not a positive finite one, is a ValueError."""
    raw = _pick(configured, "TRACKER_STORE_TIMEOUT", environ)
    try:
        seconds = float(raw) if raw not in (None, "") else DEFAULT_TRACKER_STORE_TIMEOUT
    except (TypeError, ValueError):
        raise ValueError(
            f"The tracker store timeout must be a number of seconds, not {raw!r}.") from None
    if not 0 < seconds < math.inf:
        raise ValueError(f"The tracker store timeout must be positive, not {seconds}.")
    return seconds


# -- Redis: the lock store (its endpoint keys win) and the channels' shared state -----------
def redis_url(configured: Any = None, environ: Environ | None = None) -> str | None:
    """`url` / REDIS_URL, or None. A value without "://" is a host name (as in Rasa's own lock
    store configuration, where Rasa's Helm chart puts ${REDIS_HOST})."""
    value = _pick(configured, "REDIS_URL", environ)
    return str(value) if value else None


def redis_host(configured: Any = None, environ: Environ | None = None) -> str:
    return str(_pick(configured, "REDIS_HOST", environ, DEFAULT_REDIS_HOST))


def redis_port(configured: Any = None, environ: Environ | None = None) -> int:
    return _int(_pick(configured, "REDIS_PORT", environ, DEFAULT_REDIS_PORT),
                "The Redis port (REDIS_PORT, or `port` in endpoints.yml)")


def redis_db(configured: Any = None, environ: Environ | None = None) -> int:
    return _int(_pick(configured, "REDIS_DB", environ, DEFAULT_REDIS_DB),
                "The Redis database (REDIS_DB, or `db` in endpoints.yml)")


def redis_username(configured: Any = None, environ: Environ | None = None) -> Any:
    """As given (a string, or what endpoints.yml holds), or None."""
    value = _pick(configured, "REDIS_USERNAME", environ)
    return None if value == "" else value


def redis_password(configured: Any = None, environ: Environ | None = None) -> Any:
    """As given (a string, or what endpoints.yml holds), or None."""
    value = _pick(configured, "REDIS_PASSWORD", environ)
    return None if value == "" else value


def redis_use_ssl(configured: Any = None, environ: Environ | None = None) -> bool:
    """True for 1, true, yes or on (any case); anything else, and unset, is False."""
    return str(_pick(configured, "REDIS_USE_SSL", environ, False)).strip().lower() in TRUE_WORDS


def redis_socket_timeout(configured: Any = None, environ: Environ | None = None) -> float:
    return _float(_pick(configured, "REDIS_SOCKET_TIMEOUT", environ, DEFAULT_REDIS_SOCKET_TIMEOUT),
                  "The Redis socket timeout (REDIS_SOCKET_TIMEOUT, or `socket_timeout` in "
                  "endpoints.yml)")


def lock_store_key_prefix(configured: Any = None, environ: Environ | None = None) -> str:
    """`key_prefix` / LOCK_STORE_KEY_PREFIX, "" (none) by default."""
    return str(_pick(configured, "LOCK_STORE_KEY_PREFIX", environ) or "")


def lock_poll_interval(configured: Any = None, environ: Environ | None = None) -> float:
    return _float(_pick(configured, "LOCK_POLL_INTERVAL", environ, DEFAULT_LOCK_POLL_INTERVAL),
                  "The lock store's poll interval (LOCK_POLL_INTERVAL, or `poll_interval` in "
                  "endpoints.yml)")


def channel_state_redis_url(environ: Environ | None = None) -> str | None:
    """Where the channels keep their shared state: REDIS_URL; else, when REDIS_HOST is set, a
    URL made of it with REDIS_PORT and REDIS_PASSWORD (what Rasa's Helm chart gives its pods,
    deploy/helm/values.yaml) and database 1; else None (this process's memory)."""
    url = redis_url(environ=environ)
    if url:
        return url
    if not _raw("REDIS_HOST", environ):
        return None
    password = quote(redis_password(environ=environ) or "", safe="")
    auth = f":{password}@" if password else ""
    return (f"redis://{auth}{redis_host(environ=environ)}:{redis_port(environ=environ)}"
            f"/{CHANNEL_STATE_REDIS_DB}")


# -- the web chat ----------------------------------------------------------------------------
def web_session_secret(environ: Environ | None = None) -> str:
    """WEB_SESSION_SECRET, "" when unset; a short one is used, with a warning."""
    secret = _raw("WEB_SESSION_SECRET", environ)
    if secret and len(secret) < SHORT_SESSION_SECRET:
        logger.warning("WEB_SESSION_SECRET is short (%d characters): use %d or more random "
                       "characters.", len(secret), SHORT_SESSION_SECRET)
    return secret


def rasa_auth_token(environ: Environ | None = None) -> str:
    """RASA_AUTH_TOKEN, "" when unset (scripts/rasa_serve.py sets it for the server it starts,
    from RASA_AUTH_TOKEN_FILE when needed)."""
    return _raw("RASA_AUTH_TOKEN", environ)
