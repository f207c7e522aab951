"""The red-flag lexicon (bot/content/redflags.yml): the two tiers, loading the YAML once, and
checking and expanding its Matcher patterns. Re-exported by bot/redflags.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CONTENT = Path(__file__).resolve().parent / "content" / "redflags.yml"

EMERGENCY = "emergency"
NURSE = "nurse"
TIER_ORDER = {EMERGENCY: 2, NURSE: 1}

WEAK = "~weak"  # the matcher key of a kind's weak patterns


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """redflags.yml, read once."""
    with CONTENT.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def check_strings(value: Any, where: str) -> None:
    """YAML 1.1 reads a bare on/no/yes as a boolean: insist every IN list holds strings."""
    if isinstance(value, dict):
        for key, v in value.items():
            if isinstance(v, bool) and key in ("LOWER", "LEMMA", "TEXT", "ORTH", "NORM"):
                raise ValueError(f"{where}: a bare yes/no/on/off in a pattern; quote it")
            check_strings(v, where)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, bool):
                raise ValueError(f"{where}: a bare yes/no/on/off in a pattern; quote it")
            check_strings(v, where)


def expand(pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A pattern of redflags.yml as a spaCy Matcher pattern: {ANY: n} becomes n optional
    tokens."""
    check_strings(pattern, "redflags.yml")
    out: list[dict[str, Any]] = []
    for tok in pattern:
        if "ANY" in tok:
            out.extend({"OP": "?"} for _ in range(int(tok["ANY"])))
        else:
            out.append(tok)
    return out


def kinds() -> Iterable[str]:
    return lexicon()["kinds"].keys()


def kind_tiers() -> dict[str, str]:
    """Every red-flag kind and its tier."""
    return {kind: str(spec["tier"]) for kind, spec in lexicon()["kinds"].items()}
