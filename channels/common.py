"""Small helpers shared by the channels: configuration values and message splitting."""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from typing import Any

from sanic.request import Request


def setting(credentials: dict[str, Any] | None, key: str, default: str = "") -> str:
    """A credentials.yml value as a stripped string; unset, empty and null all mean `default`.

    Rasa substitutes ${VAR} from the environment, so an empty variable arrives as "" (or None
    for an empty YAML value): both stand for "not configured".
    """
    value = (credentials or {}).get(key)
    if value is None:
        return default
    value = str(value).strip()
    return value or default


def utf16_len(text: str) -> int:
    """Length as Telegram and Twilio count it (UTF-16 code units: an emoji counts as two)."""
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units (never splits a character)."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return i
    return len(text)


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into parts of at most `limit` UTF-16 units, at the kindest boundary found.

    Paragraphs first, then lines, then sentences, then words; a hard cut only for a single
    unbroken run longer than the limit. Parts keep their order; empty text gives [].
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    parts: list[str] = []
    while text and utf16_len(text) > limit:
        cut = _fitting_prefix(text, limit)
        window = text[:cut]
        at = cut
        for sep, keep in (("\n\n", 0), ("\n", 0), (". ", 1), ("? ", 1), ("! ", 1), (" ", 0)):
            i = window.rfind(sep)
            if i > 0 and i >= cut // 3:
                at = i + keep
                break
        part = text[:at].rstrip()
        if not part:  # only whitespace before the boundary: cut hard instead
            part, at = text[:cut], cut
        parts.append(part)
        text = text[at:].lstrip()
    if text:
        parts.append(text)
    return parts


def bearer_or_query_token(request: Request) -> str:
    """The token a caller gave, as Rasa's HTTP API accepts it: ?token=... or a Bearer header."""
    token = request.args.get("token") or ""
    header = request.headers.get("Authorization", "")
    if not token and header.lower().startswith("bearer "):
        token = header[7:].strip()
    return token


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; an empty expected secret never matches."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def button_list(buttons: Iterable[dict[str, Any]] | None) -> list[dict[str, str]]:
    """Buttons as [{"title", "payload"}], skipping malformed ones; payload defaults to title."""
    out = []
    for b in buttons or []:
        if not isinstance(b, dict):
            continue
        title = str(b.get("title") or "").strip()
        payload = str(b.get("payload") or title).strip()
        if title and payload:
            out.append({"title": title, "payload": payload})
    return out


_DIGITS = re.compile(r"^\d+$")


def is_number(text: str) -> bool:
    return bool(_DIGITS.match(text.strip()))
