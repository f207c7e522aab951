"""bench/RESULTS.md: each measuring script owns one section between its two markers."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(begin: str, end: str, body: str) -> None:
    """Put `body` between the markers `begin` and `end`, replacing what was there (or append
    the section when the file has no such markers yet)."""
    block = f"{begin}\n{body.strip(chr(10))}\n{end}"
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text)
