"""No import cycle among the project's own modules (issue #16).

Every import in bot/, actions/, components/ and channels/ is read from the source with `ast`,
imports inside functions included (a deferred import is still a dependency; it only hides the
cycle until the function runs). Imports under `if TYPE_CHECKING:` are left out: they never run.
An import names the most specific project module it reaches: `from bot.storage import tables`
is an edge to bot.storage.tables, `from bot.storage import Journal` one to bot.storage.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "actions", "components", "channels")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skipped


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    """The project modules `name` (at `path`) imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def reach(dotted: str) -> None:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        if dotted and dotted != name:
            found.add(dotted)

    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                reach(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                reach(f"{base}.{alias.name}" if base else alias.name)
    return found


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    names = set(modules)
    return {name: imports_of(name, path, names) for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_scan_reads_every_kind_of_import(tmp_path):
    pkg = tmp_path / "bot"
    (pkg / "sub").mkdir(parents=True)
    source = ("import bot.a\nfrom bot import b\nfrom .sub import c\nfrom . import d\n"
              "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot import e\n"
              "def f():\n    from bot.sub.c import thing\n")
    path = pkg / "x.py"
    path.write_text(source)
    modules = {"bot", "bot.a", "bot.b", "bot.sub", "bot.sub.c", "bot.d", "bot.e", "bot.x"}
    assert imports_of("bot.x", path, modules) == {"bot.a", "bot.b", "bot.sub.c", "bot.d"}


def test_the_cycle_finder_finds_cycles_and_only_them():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_the_graph_covers_the_project():
    edges = graph()
    assert {"bot.redflags", "actions.screen", "components.routine_policy",
            "channels.telegram"} <= set(edges)
    assert "bot.redflag_detector" in edges["bot.redflags"] or any(
        m.startswith("bot.redflag_") for m in edges["bot.redflags"])


def test_no_import_cycle_in_the_project():
    found = cycles(graph())
    assert not found, f"import cycles among the project's modules: {found}"
