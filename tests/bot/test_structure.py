"""bot/ is the plain-Python core: no module over MAX_LINES lines, and no Rasa import anywhere.

Read from the source with `ast` (imports inside functions included), so nothing is imported.
No exception: the last three long modules (findings, parsing, red flags) were split in issue
#16. A module that grows past the limit becomes a package of focused modules (bot/screen/,
bot/findings/, bot/parsing/) or sheds a part into a sibling (bot/redflag_*.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"
MAX_LINES = 400
RASA = {"rasa", "rasa_sdk"}



def modules() -> list[Path]:
    return sorted(BOT.rglob("*.py"))


def lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def rasa_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in RASA]
        elif (isinstance(node, ast.ImportFrom) and not node.level and node.module
              and node.module.split(".")[0] in RASA):
            found.append(node.module)
    return found


def test_bot_has_modules():
    assert len(modules()) > 10


def test_no_module_of_bot_is_over_the_limit():
    long = {name(p): lines(p) for p in modules() if lines(p) > MAX_LINES}
    assert not long, f"over {MAX_LINES} lines: {long}; split them into focused modules"


def test_no_module_of_bot_imports_rasa():
    found = {name(p): rasa_imports(p) for p in modules()}
    found = {n: imports for n, imports in found.items() if imports}
    assert not found, f"bot/ is plain Python; these import Rasa: {found}"


def test_the_rasa_scan_sees_imports_of_every_kind(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import rasa.core\nfrom rasa_sdk import Action\nimport rasaa\n"
                     "def f():\n    from rasa.shared.nlu import x\n", encoding="utf-8")
    assert sorted(rasa_imports(probe)) == ["rasa.core", "rasa.shared.nlu", "rasa_sdk"]
