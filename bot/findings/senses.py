"""Condition words that are not findings: another sense of the word, or a general question.

Condition words in a question about prevention or signs ("how do I avoid bruising?", "what are
the signs of a clot?") are not findings, nor are words in another sense: "broke" without a bone
or a body area after it ("she broke down", "a rash broke out"), "cut off / down / up" ("he
feels cut off"), an illness followed by a vaccine word ("her flu jab").
"""

from __future__ import annotations

import re
from typing import Any

from bot.findings.areas import _Area

QUESTION_START = re.compile(r"^\W*(how|what|can|could|should|is it|will|would|why|when|do i|"
                            r"does massage|are there)\b")
PREVENTION = re.compile(r"\b(avoid|avoiding|prevent|preventing|prevention|cause|causes|causing|"
                        r"signs? of|symptoms? of|what is|what are|what does|mean|means|"
                        r"stop (her|him|them) from)\b")
# "broke" is a fracture only with a bone or a body area just after it ("broke her wrist",
# "broke a bone"), never "she broke down" or "a rash broke out".
BONE_WORDS = {"bone", "bones", "collarbone", "collar", "pelvis", "femur", "rib", "ribs",
              "vertebra", "vertebrae", "skull", "jaw", "nose", "kneecap", "something"}
BROKE_PARTICLES = {"down", "out", "up", "into", "off", "through", "free", "even", "away", "open",
                   "in", "over", "apart", "the", "news", "wind"}
# "cut off from everyone", "cut down on sugar", "she's cut up about it": no wound.
CUT_PARTICLES = {"off", "out", "down", "back", "up", "short", "in", "through", "across"}
# "her flu jab", "his covid booster": a vaccine, not the illness.
VACCINE_WORDS = {"jab", "jabs", "shot", "shots", "vaccine", "vaccines", "vaccination",
                 "vaccinations", "vaccinated", "booster", "boosters", "injection", "injections"}


def _is_prevention_question(doc: Any, clause: tuple[int, int, str]) -> bool:
    text = doc[clause[0]:clause[1]].text.lower()
    question = "?" in clause[2] or bool(QUESTION_START.search(text))
    return question and bool(PREVENTION.search(text))


def _not_a_finding(doc: Any, ent: Any, areas: list[_Area]) -> bool:
    """A condition word used in another sense: "she broke down", "his flu jab"."""
    following = [t.lower_ for t in doc[ent.end:ent.end + 4]]
    if ent.ent_id_ == "recent_fracture" and ent.text.lower() == "broke":
        if not following or following[0] in BROKE_PARTICLES:
            return True
        near = any(ent.end <= ar.start < ent.end + 4 for ar in areas)
        return not near and not any(w in BONE_WORDS for w in following)
    if ent.ent_id_ == "open_wound" and ent.text.lower() in ("cut", "cuts"):
        return bool(following) and following[0] in CUT_PARTICLES
    if ent.ent_id_ == "contagious_illness":
        return bool(following) and following[0] in VACCINE_WORDS
    return False
