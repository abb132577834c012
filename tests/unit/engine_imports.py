"""The engine's import graph and the rules it keeps, for tests/unit/test_architecture.py.

The engine's parts, from the bottom up (a part is a top-level module or a subpackage of ``nls_engine``):

0. the shared base: errors, text, db, settings, crypto, report (they import each other only)
1. notion/ (the client) and store/ (every SQL statement): each imports the base only, not the other
2. integration, run: the run envelope every flow shares (they import the parts below)
3. pages/: Notion's pages as nls stores them, shared by the flows that store pages
4. the flows: read/, push/, anki/, typed_views/, webhooks/; none imports another
5. schedule: which flows run when
6. entry: what the PL/Python functions call

A module imports its own part and the parts below it; within one level only the base and the run envelope import
each other. No import circle, lazy imports (inside a function) included.
"""

from __future__ import annotations

import ast
from pathlib import Path

LEVELS = {
    "errors": 0,
    "text": 0,
    "db": 0,
    "settings": 0,
    "crypto": 0,
    "report": 0,
    "notion": 1,
    "store": 1,
    "integration": 2,
    "run": 2,
    "pages": 3,
    "read": 4,
    "push": 4,
    "anki": 4,
    "typed_views": 4,
    "webhooks": 4,
    "schedule": 5,
    "entry": 6,
}
FLOWS = {part for part, level in LEVELS.items() if level == 4}
SHARED_WITHIN = {0, 2}  # the levels whose parts may import each other


def module_names(root: Path) -> dict[str, Path]:
    """{module name: file} of the engine package at ``root`` (``nls_engine``, ``nls_engine.read.flow``, ...)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        out[".".join(("nls_engine",) + (parts[:-1] if parts[-1] == "__init__" else parts))] = path
    return out


def imports(root: Path) -> dict[str, set[str]]:
    """{module: the engine modules it imports}, every ``import`` and ``from ... import`` of the module (inside
    functions too), a name imported from a package resolved to its module where it is one."""
    names = module_names(root)
    out: dict[str, set[str]] = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.split(".")[0] == "nls_engine"}
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]) if node.level else ""
                base = ".".join(p for p in (base, node.module or "") if p)
                if base.split(".")[0] != "nls_engine":
                    continue
                found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in names else base for a in node.names}
        out[name] = {m for m in found if m != name}
    return out


def part(module: str) -> str:
    """The part a module belongs to: ``nls_engine.read.flow`` -> read, ``nls_engine.run`` -> run."""
    return module.split(".")[1] if "." in module else "nls_engine"


def violations(graph: dict[str, set[str]]) -> list[str]:
    """What breaks the rules (see the module docstring), one line each: a module outside every part, an arrow up or
    across, an import circle."""
    out = [
        f"{m}: not in any part of the engine (place it in engine_imports.LEVELS)"
        for m in sorted(graph)
        if m != "nls_engine" and part(m) not in LEVELS
    ]
    for src in sorted(graph):
        for dst in sorted(graph[src]):
            a, b = part(src), part(dst)
            if a == b or b == "nls_engine" or a not in LEVELS or b not in LEVELS:
                continue
            if a in FLOWS and b in FLOWS:
                out.append(f"{src} -> {dst}: a flow imports another flow (move what they share down)")
            elif LEVELS[b] > LEVELS[a] or (LEVELS[b] == LEVELS[a] and LEVELS[a] not in SHARED_WITHIN):
                out.append(
                    f"{src} -> {dst}: an arrow up ({a} is below {b})"
                    if LEVELS[b] > LEVELS[a]
                    else f"{src} -> {dst}: {a} and {b} import each other's level"
                )
    out += [f"import circle: {' -> '.join(c)}" for c in circles(graph)]
    return out


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import circle of ``graph`` once, found depth first: the path from its first module (by name) back to it."""
    found: list[list[str]] = []
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> None:
        if module in path:
            circle = path[path.index(module) :]
            first = circle.index(min(circle))
            found.append(circle[first:] + circle[:first] + [min(circle)])
            return
        if module in done:
            return
        path.append(module)
        for dst in sorted(graph.get(module, ())):
            visit(dst)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
    return found
