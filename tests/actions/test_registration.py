"""Every action the domain names is registered when rasa-sdk loads the package, as
`rasa run actions --actions actions` does, even after a garbage collection."""

from __future__ import annotations

import gc
from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]


def domain_actions() -> set[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {a for a in domain.get("actions") or [] if a.startswith(("action_", "validate_"))}


def test_every_domain_action_is_registered_after_a_garbage_collection():
    import actions.screen  # noqa: F401  (imported first, as the executor would)

    gc.collect()  # the screen's question classes were only weakly held: they vanished here
    executor = ActionExecutor()
    executor.register_package("actions")
    missing = domain_actions() - set(executor.actions)
    assert not missing, f"actions the domain names but the action server lacks: {missing}"


def test_the_screen_question_actions_are_held_by_the_module():
    from actions.screen import SCREEN_QUESTION_ACTIONS
    from bot.screen import questions

    assert set(SCREEN_QUESTION_ACTIONS) == {q["id"] for q in questions()}
    names = {cls().name() for cls in SCREEN_QUESTION_ACTIONS.values()}
    assert names <= domain_actions()
