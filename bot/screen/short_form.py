"""The short form: one question at a time, and only what the findings do not settle already.

The questions live in bot/content/conditions.yml (`questions`): at most `MAX_QUESTIONS`, each
under `MAX_QUESTION_CHARS` whatever the pronoun. `questions` lists them, `next_question` picks
the next one worth asking, `findings_from_answer` turns an answer into findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from bot.screen.answers import normalise_answer
from bot.screen.combine import _apply
from bot.screen.content import (
    ABSENT,
    PRESENT,
    PRONOUNS,
    UNSURE,
    Finding,
    _content,
    _render,
    load_conditions,
)
from bot.screen.serialise import _as_finding
from bot.verdict import Level

ANSWERS = ("yes", "no", "unsure")
MAX_QUESTIONS = 7
MAX_QUESTION_CHARS = 140


@lru_cache(maxsize=1)
def _question_specs() -> tuple[Mapping[str, Any], ...]:
    conds = load_conditions()
    specs = []
    seen: set[str] = set()
    for raw in _content().get("questions") or []:
        qid = raw.get("id")
        if not qid or qid in seen:
            raise ValueError(f"questions: missing or duplicate id {qid!r}")
        seen.add(qid)
        yields = tuple(raw.get("conditions") or ())
        covers = tuple(raw.get("covers") or yields)
        for c in (*yields, *covers):
            if c not in conds:
                raise ValueError(f"question {qid}: unknown condition {c!r}")
        if not yields:
            raise ValueError(f"question {qid}: no conditions")
        for p in PRONOUNS:
            if len(_render(raw["text"], p)) > MAX_QUESTION_CHARS:
                raise ValueError(f"question {qid}: longer than {MAX_QUESTION_CHARS} characters")
        specs.append(MappingProxyType({
            "id": qid, "text": str(raw["text"]), "conditions": yields, "covers": covers,
            "inverted": bool(raw.get("inverted")),
            "absent_settles": bool(raw.get("absent_settles", True)),
        }))
    if not specs or len(specs) > MAX_QUESTIONS:
        raise ValueError(f"questions: between 1 and {MAX_QUESTIONS} needed")
    return tuple(specs)


def _question_dict(spec: Mapping[str, Any], pronoun: str | None) -> dict[str, Any]:
    return {"id": spec["id"], "text": _render(spec["text"], pronoun),
            "conditions": list(spec["conditions"]), "inverted": spec["inverted"]}


def questions(pronoun: str | None = None) -> list[dict[str, Any]]:
    """The short form, in order: dicts with id, text, conditions and inverted."""
    return [_question_dict(s, pronoun) for s in _question_specs()]


def _statuses(findings: Iterable[Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for raw in findings:
        f = _as_finding(raw)
        out.setdefault(f.condition_id, set()).add(f.status)
    return out


def next_question(answered: Mapping[str, str], findings: Iterable[Finding],
                  pronoun: str | None = None,
                  stop_when_do_not_massage: bool = True) -> dict[str, Any] | None:
    """The next question to ask, or None when there is nothing left worth asking.

    Skips questions already answered and those the findings settle: a present or unsure
    finding of a condition the question covers (the answer would be yes), or, unless the
    question says `absent_settles: false`, all its covered conditions reported absent. Once a
    do-not-massage finding counts, nothing else can change the verdict, so it stops there.
    """
    findings = list(findings)
    if stop_when_do_not_massage and _apply(findings).general == Level.DO_NOT_MASSAGE:
        return None
    statuses = _statuses(findings)
    for spec in _question_specs():
        if spec["id"] in answered:
            continue
        covered = [statuses.get(c, set()) for c in spec["covers"]]
        if any(s & {PRESENT, UNSURE} for s in covered):
            continue
        if spec["absent_settles"] and all(ABSENT in s for s in covered):
            continue
        return _question_dict(spec, pronoun)
    return None


def findings_from_answer(question_id: str, answer: str) -> list[Finding]:
    """Findings for an answer ("yes", "no" or "unsure") to a short-form question."""
    spec = next((s for s in _question_specs() if s["id"] == question_id), None)
    if spec is None:
        raise ValueError(f"unknown question {question_id!r}")
    norm = answer if answer in ANSWERS else normalise_answer(answer)
    if norm is None:
        raise ValueError(f"cannot read the answer {answer!r}")
    if norm == "unsure":
        status = UNSURE
    elif (norm == "yes") != spec["inverted"]:
        status = PRESENT
    else:
        status = ABSENT
    return [Finding(condition_id=c, status=status) for c in spec["conditions"]]
