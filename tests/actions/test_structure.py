"""The action server's modules: one per feature, and no feature module imports another.

What several features share lives in actions/common/ (the resume note, the journal handle, the
digression intents, topic buttons, "not understood", settings, the routine's and the screen's
state). A feature module (every actions/*.py but the aliases below) may import actions/common/
and bot/, never another feature module; actions/common/ imports no feature module either. Read
from the source with `ast`, imports inside functions included.

KNOWN_VIOLATIONS are the imports that break the rule today (none since issue #16: a routine
command mid-routine reaches the routine through components/routine_policy.py, and the screen
hands over to the routine with FollowupAction): a new one fails
`test_no_new_cross_feature_import`, and once one is gone `test_known_violations_are_still_there`
says to delete its line, so the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = ROOT / "actions"
COMMON = "common"

# Old module paths once kept as re-exports of actions/common/ (none left).
ALIASES: dict[str, str] = {}

# (importer, imported): what is imported, and the fix.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}


def feature_modules() -> set[str]:
    return {p.stem for p in ACTIONS.glob("*.py")} - {"__init__", *ALIASES}


def imported_modules(text: str, package: str) -> set[str]:
    """Every module the code imports (absolute dotted names), at any depth of the code."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from .x import y, from . import x
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.add(module)
            # "from actions import journal" imports the module actions.journal
            out |= {f"{module}.{alias.name}" for alias in node.names}
    return out


def actions_imports(path: Path) -> set[str]:
    """The top-level modules of actions/ that `path` imports ("common" for actions/common/)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = imported_modules(path.read_text(encoding="utf-8"), package)
    return {n.split(".")[1] for n in names if n.startswith("actions.")}


def violations() -> set[tuple[str, str]]:
    features = feature_modules()
    found: set[tuple[str, str]] = set()
    for name in features:
        found |= {(name, other) for other in actions_imports(ACTIONS / f"{name}.py")
                  if other in features and other != name}
    for path in (ACTIONS / COMMON).rglob("*.py"):
        found |= {(f"{COMMON}/{path.stem}", other) for other in actions_imports(path)
                  if other in features}
    return found


def test_the_scan_sees_imports_of_every_kind():
    text = ("import actions.faq\nfrom actions import journal\nfrom actions.screen import x\n"
            "from .safety import y\nfrom . import session\nfrom .common.flows import buttons\n"
            "def f():\n    from actions.fallback import z\n")
    names = imported_modules(text, "actions")
    tops = {n.split(".")[1] for n in names if n.startswith("actions.")}
    assert tops == {"faq", "journal", "screen", "safety", "session", "common", "fallback"}
    inside_common = imported_modules("from .flows import b\nfrom ..faq import c\n",
                                     "actions.common")
    assert {"actions.common.flows", "actions.faq"} <= inside_common


def test_every_module_of_actions_is_a_feature_an_alias_or_common():
    assert feature_modules(), "no feature modules found: is ACTIONS right?"
    assert (ACTIONS / COMMON / "__init__.py").is_file()
    for alias in ALIASES:
        names = actions_imports(ACTIONS / f"{alias}.py")
        assert names <= {COMMON}, f"actions/{alias}.py is an alias of actions/common/: {names}"


def test_no_new_cross_feature_import():
    new = sorted(violations() - set(KNOWN_VIOLATIONS))
    assert not new, (
        "a feature module of actions/ imports another (importer, imported): "
        f"{new}; move what they share to actions/common/")


def test_known_violations_are_still_there():
    gone = sorted(set(KNOWN_VIOLATIONS) - violations())
    assert not gone, f"fixed, so delete them from KNOWN_VIOLATIONS: {gone}"
