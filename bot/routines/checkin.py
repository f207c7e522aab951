"""The check-in after a routine: how they responded, ratings before and after, a note.

The questions live under `checkin` in routines.yml.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.routines.content import load_routines


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str  # "choice" | "scale" | "text"
    optional: bool
    when: str  # "before" (how things were before the massage) | "after"
    options: tuple[str, ...] = ()
    low: int | None = None  # scale bounds
    high: int | None = None


def checkin_questions() -> list[Question]:
    """The end-of-routine check-in: how they responded, then optional 0-10 ratings of comfort,
    pain and anxiety before and after, and a free note."""
    out = []
    for q in load_routines()["checkin"]:
        scale = q["kind"] == "scale"
        out.append(Question(id=q["id"], text=q["text"], kind=q["kind"],
                            optional=bool(q.get("optional", True)), when=q.get("when", "after"),
                            options=tuple(q.get("options", ())), low=0 if scale else None,
                            high=10 if scale else None))
    return out
