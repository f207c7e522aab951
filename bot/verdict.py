"""The screen's verdict: the shared vocabulary between the screen and the routines.

Plain data, no Rasa. `bot.screen` produces a `Verdict`; `bot.routines` consumes one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Level(IntEnum):
    """How strict a finding is. A higher number is stricter; the strictest one wins."""

    GENTLE_OK = 0  # fine for a gentle routine
    LIGHTEST_TOUCH = 1  # lightest touch only (pressure level 1), or a still resting hand
    AVOID_AREA = 2  # avoid named areas; the rest is fine (kept alongside the general level)
    DO_NOT_MASSAGE = 3  # do not massage now; contact the care team


@dataclass(frozen=True)
class AreaRestriction:
    """An area to keep away from, e.g. ("arm", "left") for a PICC line in the left arm.

    `area` is a canonical body area from bot/content/terms.yml (hand, arm, foot, leg, back,
    shoulder, chest, belly, head, neck...). `side` is "left", "right" or None (both / unknown).
    """

    area: str
    side: str | None
    reason_id: str  # the condition id that asked for it


@dataclass(frozen=True)
class Reason:
    """One reason behind a verdict, in plain words, with the document it rests on."""

    condition_id: str
    text: str
    source: str


@dataclass(frozen=True)
class Verdict:
    level: Level
    # True when only a still, resting hand is allowed (clots are concerned): no stroking at all.
    still_hand_only: bool = False
    avoid: tuple[AreaRestriction, ...] = field(default_factory=tuple)
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    # What remains possible, in plain words ("the feet are fine", "hold her hand without stroking").
    possible: str = ""

    @property
    def may_touch(self) -> bool:
        return self.level < Level.DO_NOT_MASSAGE

    def avoids(self, area: str, side: str | None = None) -> bool:
        """True when `area` (on `side`, if given) must be left alone."""
        for r in self.avoid:
            if r.area != area:
                continue
            if r.side is None or side is None or r.side == side:
                return True
        return False
