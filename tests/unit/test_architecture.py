"""The shape of the code, checked: every function fits on a screen, every SQL statement the engine runs is in its
store (``nls_engine/store/``), the engine's import graph keeps its rules (no circle, no arrow up, no flow importing
another: tests/unit/engine_imports.py says them), and each package's index names its modules."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from engine_imports import LEVELS, imports, module_names, part, violations

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "plpython" / "nls_engine"
EXPORT = ROOT / "export" / "nls_export"
PRODUCT = [
    ENGINE,
    ROOT / "installer" / "nls_install",
    ROOT / "cli" / "nls_cli",
    ROOT / "emulator" / "nls_emulator",
    EXPORT,
    ROOT / "worker" / "nls_worker",
    ROOT / "webhooks" / "nls_webhooks",
]
MAX_LINES = 60
# a statement begins with one of these (a hint such as "see SELECT * FROM nls.sync_status" inside a message does not)
SQL = re.compile(r"^\s*(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|WITH|CALL|CREATE|ALTER|DROP|SET|DO)\s")


def python_files(folders):
    return sorted(p for folder in folders for p in folder.rglob("*.py"))


def functions(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def test_no_function_of_the_product_is_longer_than_a_screen():
    long = [
        f"{p.relative_to(ROOT)}:{f.lineno} {f.name} ({f.end_lineno - f.lineno + 1} lines)"
        for p in python_files(PRODUCT)
        for f in functions(p)
        if f.end_lineno - f.lineno + 1 > MAX_LINES
    ]
    assert long == []


def docstrings(tree) -> set[int]:
    """ids of the string constants that are docstrings."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def sql_in(path: Path) -> list[str]:
    """The SQL a Python module holds outside its docstrings: string constants that begin a statement, and calls of
    ``execute``/``one``/``prepare`` on a database or plpy."""
    tree = ast.parse(path.read_text())
    skip = docstrings(tree)
    found = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and SQL.search(node.value)
    ]
    calls = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("execute", "one", "prepare")
        and re.search(r"(db|plpy)$", ast.unparse(node.func.value))
        and path.name != "db.py"
    ]
    return found + calls


@pytest.mark.parametrize(
    "path",
    [p for p in python_files([ENGINE]) if "store" not in p.relative_to(ENGINE).parts],
    ids=lambda p: str(p.relative_to(ENGINE)),
)
def test_no_engine_module_but_the_store_holds_sql(path):
    assert sql_in(path) == []


def test_the_sql_check_sees_sql_outside_the_store(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        '"""SELECT in a docstring is prose."""\n'
        'def f(store):\n    return store.db.execute("UPDATE nls.sources SET enabled = false")\n'
    )
    assert sql_in(planted) == [
        "UPDATE nls.sources SET enabled = false",
        "store.db.execute('UPDATE nls.sources SET enabled = false')",
    ]
    assert all(sql_in(p) for p in (ENGINE / "store").glob("[!_]*.py"))  # the store's modules do hold it


def test_the_engines_imports_keep_their_rules():
    graph = imports(ENGINE)
    assert violations(graph) == []
    # the graph is the real one: the schedule runs the flows, the flows share the pages, the store and the client
    flows = {"nls_engine.read.flow", "nls_engine.push.flow", "nls_engine.webhooks.events", "nls_engine.anki.sync"}
    assert flows <= graph["nls_engine.schedule"]
    assert "nls_engine.pages.fetch" in graph["nls_engine.push.flow"] & graph["nls_engine.webhooks.events"]
    assert "nls_engine.anki.collection" in graph["nls_engine.anki.sync"]  # imported inside a function


@pytest.mark.parametrize(
    "planted, said",
    [
        (
            "push/flow.py",
            "nls_engine.push.flow -> nls_engine.read.flow: a flow imports another flow (move what they share down)",
        ),
        ("notion/client.py", "nls_engine.notion.client -> nls_engine.read.flow: an arrow up (notion is below read)"),
        ("store/read.py", "nls_engine.store.read -> nls_engine.read.flow: an arrow up (store is below read)"),
        ("pages/page.py", "nls_engine.pages.page -> nls_engine.read.flow: an arrow up (pages is below read)"),
    ],
)
def test_the_import_rules_fail_on_an_arrow_up_or_across(tmp_path, planted, said):
    root = shutil.copytree(ENGINE, tmp_path / "nls_engine")
    with open(root / planted, "a") as f:
        f.write("\n\ndef later():\n    from ..read.flow import NotionRead\n    return NotionRead\n")
    assert [v for v in violations(imports(root)) if not v.startswith("import circle")] == [said]


def test_the_import_rules_fail_on_a_circle_and_on_a_module_outside_every_part(tmp_path):
    root = shutil.copytree(ENGINE, tmp_path / "nls_engine")
    with open(root / "pages" / "page.py", "a") as f:  # writer imports page: the circle stays within pages/
        f.write("\nfrom .writer import BatchWriter\n")
    (root / "notion" / "store_too.py").write_text("from ..store import Store\n")
    (root / "misc.py").write_text("")
    assert violations(imports(root)) == [
        "nls_engine.misc: not in any part of the engine (place it in engine_imports.LEVELS)",
        "nls_engine.notion.store_too -> nls_engine.store: notion and store import each other's level",
        "import circle: nls_engine.pages.page -> nls_engine.pages.writer -> nls_engine.pages.page",
    ]


def test_each_package_index_says_what_each_of_its_modules_is_for():
    """The docstring of nls_engine/__init__.py names every top-level module and subpackage, and each subpackage's
    names each of its modules (as ``name``), so that a newcomer finds every module from the index."""
    missing = []
    for package in [ENGINE, *sorted(p.parent for p in ENGINE.glob("*/__init__.py"))]:
        index = ast.get_docstring(ast.parse((package / "__init__.py").read_text())) or ""
        names = [p.stem for p in package.glob("*.py") if p.stem != "__init__"] + [
            p.parent.name for p in package.glob("*/__init__.py")
        ]
        missing += [f"{package.relative_to(ENGINE.parent)}: {n}" for n in sorted(names) if f"``{n}``" not in index]
    assert missing == []
    assert {part(m) for m in module_names(ENGINE)} - {"nls_engine"} == set(LEVELS)  # every part exists


def test_the_export_reads_postgresql_only_through_its_queries_module():
    """Every PostgreSQL statement of the export is in nls_export/queries.py (SQLite's own SQL is in schema.py and
    where its tables are written)."""
    for path in python_files([EXPORT]):
        if path.name == "queries.py":
            continue
        calls = [
            ast.unparse(node)
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("execute", "cursor")
            and ast.unparse(node.func.value) == "pg"
            and node.args
            and not ast.unparse(node.args[0]).startswith(("queries.", "getattr(queries,", "t.query"))
        ]
        assert calls == [], path.name


def test_the_sql_detector_sees_sql():
    assert SQL.search("SELECT 1") and SQL.search("  UPDATE nls.sources SET x = 1") and SQL.search("WITH x AS (")
    assert not SQL.search("select the newest page") and not SQL.search("Update the watermark")
    assert not SQL.search("failed; see SELECT * FROM nls.sync_status")


def sql_functions(path: Path):
    """(name, first line, lines) of each function or procedure a repeatable SQL file creates."""
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        found = re.match(r"CREATE OR REPLACE (?:FUNCTION|PROCEDURE) (nls\.\w+)", lines[i])
        if found:
            end = next(j for j in range(i + 1, len(lines)) if re.search(r"\$\$;\s*$|\$body\$;", lines[j]))
            yield found.group(1), i + 1, end - i + 1
            i = end
        i += 1


def test_no_sql_function_is_longer_than_a_screen():
    files = [
        *sorted((ROOT / "sql").glob("*.sql")),
        ROOT / "plpython" / "functions.sql",
        ROOT / "worker" / "functions.sql",
    ]
    found = {f"{p.name}:{line} {name}" for p in files for name, line, _ in sql_functions(p)}
    assert len(found) > 100  # the scan does see the functions
    long = [
        f"{p.relative_to(ROOT)}:{line} {name} ({n} lines)"
        for p in files
        for name, line, n in sql_functions(p)
        if n > MAX_LINES
    ]
    assert long == []
