"""The held-out understanding sets (tests/data/understanding/) and how a parse is scored on them.

Used by bench/nlu_report.py (`make nlu-report`): accuracy per category, with the misses, into
bench/RESULTS.md. Each message is parsed on its own by the trained model (Rasa's Agent, as the
server parses it); what counts as right, per kind:

- faq: the FAQ answer of its topic (intent faq, response faq/<topic>);
- condition: the guidance for that condition: today the safety check hears it (intent
  inform_condition, or a FAQ answer, with a finding of that condition), or a red flag where
  the condition is one (a possible new clot, a fever, bleeding that won't stop);
- estimate: the relief estimate (intent estimate_relief) with every rating the message gives
  read right (bot.parsing.extract_ratings);
- routine: a routine of the right kind (intent start_routine; the hand or foot as asked) and,
  when the message says how the person is, that variant (the `variant` entity);
- menu: the button the typed words stand for, after that menu (its intent and entity; for the
  check-in, whose buttons send their own title, the title itself). `after` names the menu
  (main, variant, checkin: MENUS, read from domain.yml and bot/menus.py as the bot sends them);
  the Rasa server reads a typed menu word as its button (bot.menus.resolve, applied by
  components/server_patches.py, correction 8) unless the NLU raised a red flag, so the
  resolver's choice is scored first, and only when it finds none, the NLU's parse;
- pause_resume: going on from the same step (the routine's own reading of the words: resume,
  or next, which while paused shows the same step again), never back.

A red flag on a message that is not one is a miss. Messages that carry a condition which is
itself a red flag are right when the red flag is raised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SETS = ROOT / "tests" / "data" / "understanding"
# Written after the understanding was tuned (issue 15): measured, never tuned against.
BLIND = ROOT / "tests" / "data" / "understanding_blind"
RED_FLAG_CONDITIONS = {"suspected_clot", "fever_or_infection", "uncontrolled_bleeding"}
PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$")


# The menus a `menu` message can follow (its `after`): where the bot's buttons come from.
MENUS: dict[str, tuple[str, str]] = {
    "main": ("domain", "utter_greet"),
    "variant": ("bot.menus", "VARIANT_BUTTONS"),  # actions/routine.py ask_variant sends them
    "checkin": ("domain", "utter_ask_checkin_response"),
}


@lru_cache(maxsize=8)
def response_buttons(response: str) -> tuple[tuple[str, str], ...]:
    """A response's buttons in domain.yml, as the bot sends them: rendered by Rasa's own
    templating (domain.yml writes a payload's "{" as "{{")."""
    from rasa.core.nlg.interpolator import interpolate

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    variations = domain["responses"][response]
    rendered = interpolate([dict(b) for b in variations[0]["buttons"]], {})
    return tuple((str(b["title"]), str(b["payload"])) for b in rendered)


def menu_buttons(after: str | None) -> list[dict[str, str]] | None:
    """The buttons of the bot's reply named `after` (see MENUS), or None for another name."""
    if after not in MENUS:
        return None
    source, name = MENUS[after]
    if source == "domain":
        pairs = response_buttons(name)
    else:
        import importlib

        pairs = getattr(importlib.import_module(source), name)
    return [{"title": title, "payload": payload} for title, payload in pairs]


def menu_right(message: dict[str, Any], parsed: dict[str, Any]) -> bool:
    """A typed menu word: the button the resolver finds (what the server does), or else the
    NLU's parse (a red flag was handled before: it always wins)."""
    from bot.menus import resolve, same_payload

    buttons = menu_buttons(message.get("after"))
    chosen = resolve(message["text"], buttons) if buttons else None
    if chosen is not None:
        return same_payload(chosen, str(message["payload"]))
    want = PAYLOAD.match(str(message["payload"]))
    if want is None:  # a check-in answer: the payload is the title itself; the NLU alone
        # counts the title typed as it is (the form keeps other words as a note)
        return message["text"].strip().lower() == str(message["payload"]).lower()
    want_intent = want.group(1)
    want_entities = json.loads(want.group(2)) if want.group(2) else {}
    intent = (parsed.get("intent") or {}).get("name")
    return intent == want_intent and all(
        str(v) in _entities(parsed, k) for k, v in want_entities.items())


def load(name: str, sets: Path = SETS) -> list[dict[str, Any]]:
    return list(yaml.safe_load((sets / f"{name}.yml").read_text(encoding="utf-8"))["messages"])


def category(message: dict[str, Any]) -> str:
    return str(message.get("kind") or "faq")


def _entities(parsed: dict[str, Any], name: str) -> list[str]:
    return [str(e.get("value")) for e in parsed.get("entities") or [] if e.get("entity") == name]


def _response_key(parsed: dict[str, Any]) -> str | None:
    selector = (parsed.get("response_selector") or {}).get("faq") or {}
    return (selector.get("response") or {}).get("intent_response_key")


def right(message: dict[str, Any], parsed: dict[str, Any]) -> bool:
    """Whether a parse reaches the answer or flow the message asks for (see the docstring)."""
    from bot.parsing import extract_ratings

    intent = (parsed.get("intent") or {}).get("name")
    kind = category(message)
    if intent == "red_flag":
        return kind == "condition" and message.get("condition") in RED_FLAG_CONDITIONS
    if kind == "faq":
        return intent == "faq" and _response_key(parsed) == f"faq/{message['topic']}"
    if kind == "condition":
        findings = [f.split("|")[0] for f in _entities(parsed, "finding")]
        return intent in ("inform_condition", "faq", "start_screen") \
            and message["condition"] in findings
    if kind == "estimate":
        if intent != "estimate_relief":
            return False
        got = extract_ratings(message["text"])
        return all(abs(got.get(k, -1) - float(message[k])) < 1e-9
                   for k in ("pain", "anxiety") if k in message)
    if kind == "routine":
        text = message["text"].lower()
        routine_ok = message["routine"] in (_entities(parsed, "routine") or [
            "foot" if any(w in text for w in ("foot", "feet", "toe")) else "hand"])
        variant = message.get("variant")
        return intent == "start_routine" and routine_ok and (
            variant is None or variant in _entities(parsed, "variant"))
    if kind == "menu":
        return menu_right(message, parsed)
    if kind == "pause_resume":
        # In a routine the stepper reads the words itself (bot.routines.parse_command); while
        # paused, "next" and "resume" both show the same step again. Never "back".
        from bot.routines import parse_command

        return parse_command(message["text"]) in ("resume", "next")
    return False


@dataclass
class Score:
    total: int = 0
    right: int = 0
    misses: list[str] = field(default_factory=list)


def score(parse: Callable[[str], dict[str, Any]], sets: Path = SETS) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    for name in ("faq", "requests"):
        for message in load(name, sets):
            s = scores.setdefault(category(message), Score())
            parsed = parse(message["text"])
            s.total += 1
            if right(message, parsed):
                s.right += 1
            else:
                want = {k: v for k, v in message.items() if k not in ("text", "typo", "form")}
                got = (parsed.get("intent") or {}).get("name")
                s.misses.append(f"{message['text']!r}: wanted {want}, got {got} "
                                f"{_response_key(parsed) or ''}".rstrip())
    return scores
