"""The layout stays true: no import cycle, between modules or between packages, and no import
against the direction docs/layout.md writes down (its table is read here, so the document is the
rule). Every import counts: at the top of a module, inside a function, under TYPE_CHECKING."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from conftest import ROOT

LIBRARY = ROOT / "quotes"
LEAVES = {"records", "errors", "settings", "lexicon", "schema", "files", "terminal"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(*roots: Path) -> dict[str, Path]:
    return {_module_name(p): p for root in roots for p in sorted(root.rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that the module at ``path`` imports, anywhere in it."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            # `from quotes.store import reader` imports a module; `from quotes.store.reader import Tables` its module
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `from quotes.store import reader` names a module
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules(LIBRARY, ROOT / "flows")
    return {name: imports_of(path, set(modules)) for name, path in modules.items()}


def unit(module: str) -> str:
    """The layout unit of a module: its package under quotes/, 'leaves', '(root)' or 'flows'."""
    parts = module.split(".")
    if parts[0] == "flows":
        return "flows"
    if len(parts) == 1:
        return "(root)"
    if len(parts) == 2 and parts[1] in LEAVES:
        return "leaves"
    return parts[1]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def allowed_imports() -> dict[str, set[str]]:
    """docs/layout.md's table: package → the packages it may import (and itself, and the leaves)."""
    table = (ROOT / "docs" / "layout.md").read_text(encoding="utf-8").split("## Who may import whom", 1)[1]
    allowed: dict[str, set[str]] = {"leaves": {"leaves"}, "flows": set()}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("package", "") or set(cells[0]) <= set("-"):
            continue
        names = {n.strip() for n in re.split(r",", cells[2]) if n.strip()}
        allowed[cells[0]] = names | {cells[0], "leaves"}
    packages = {u for u in allowed if u not in ("leaves", "flows", "(root)", "cli")}
    allowed["flows"] = packages | {"flows", "leaves", "(root)"}
    return allowed


def test_the_table_names_every_package():
    packages = {p.name for p in LIBRARY.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(allowed_imports()), sorted(packages - set(allowed_imports()))


def test_no_import_cycle_between_modules():
    assert cycles(import_graph()) == []


def test_no_import_cycle_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in import_graph().items():
        graph[unit(module)] |= {unit(t) for t in targets} - {unit(module)}
    assert cycles(graph) == []


def test_every_import_goes_the_written_direction():
    allowed = allowed_imports()
    wrong = sorted(f"{module} imports {target}" for module, targets in import_graph().items()
                   for target in targets if unit(target) not in allowed[unit(module)])
    assert wrong == [], "against docs/layout.md:\n" + "\n".join(wrong)


def test_nothing_imports_the_command_line_and_only_flows_import_prefect():
    graph = import_graph()
    into_cli = sorted(m for m, targets in graph.items() if unit(m) != "cli" and any(unit(t) == "cli" for t in targets))
    assert into_cli == []
    for name, path in _modules(LIBRARY).items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        roots = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
        roots |= {node.module.split(".")[0] for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom) and node.module and not node.level}
        assert not roots & {"prefect", "prefect_dask"}, f"{name} imports Prefect: that belongs in flows/"


def test_the_top_of_the_library_holds_only_the_leaves():
    loose = {p.stem for p in LIBRARY.glob("*.py")} - {"__init__"}
    assert loose == LEAVES
    assert len(LEAVES) <= 10, "at most ten loose modules: a new concern is a package of its own"


def test_the_leaves_named_in_docs_layout_are_the_leaves():
    text = (ROOT / "docs" / "layout.md").read_text(encoding="utf-8")
    assert all(f"`{name}.py`" in text for name in LEAVES), "docs/layout.md names every leaf"
