"""The shape of the code, checked (issue "One engine, many flows"): every function fits on a screen, and every SQL
statement the engine runs is in its one store module."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "plpython" / "nls_engine"
EXPORT = ROOT / "export" / "nls_export"
PRODUCT = [ENGINE, ROOT / "installer" / "nls_install", ROOT / "cli" / "nls_cli", ROOT / "emulator" / "nls_emulator",
           EXPORT]
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
    long = [f"{p.relative_to(ROOT)}:{f.lineno} {f.name} ({f.end_lineno - f.lineno + 1} lines)"
            for p in python_files(PRODUCT) for f in functions(p) if f.end_lineno - f.lineno + 1 > MAX_LINES]
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


@pytest.mark.parametrize("path", [p for p in python_files([ENGINE]) if "store" not in p.relative_to(ENGINE).parts],
                         ids=lambda p: str(p.relative_to(ENGINE)))
def test_no_engine_module_but_the_store_holds_sql(path):
    tree = ast.parse(path.read_text())
    skip = docstrings(tree)
    found = [node.value for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
             and SQL.search(node.value)]
    calls = [ast.unparse(node) for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute) and node.func.attr in ("execute", "one", "prepare")
             and re.search(r"(db|plpy)$", ast.unparse(node.func.value)) and path.name != "db.py"]
    assert found == [] and calls == []


def test_the_export_reads_postgresql_only_through_its_queries_module():
    """Every PostgreSQL statement of the export is in nls_export/queries.py (SQLite's own SQL is in schema.py and
    where its tables are written)."""
    for path in python_files([EXPORT]):
        if path.name == "queries.py":
            continue
        calls = [ast.unparse(node) for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Call)
                 and isinstance(node.func, ast.Attribute) and node.func.attr in ("execute", "cursor")
                 and ast.unparse(node.func.value) == "pg" and node.args
                 and not ast.unparse(node.args[0]).startswith(("queries.", "getattr(queries,", "t.query"))]
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
    files = sorted((ROOT / "sql").glob("*.sql")) + [ROOT / "plpython" / "functions.sql"]
    found = {f"{p.name}:{line} {name}" for p in files for name, line, _ in sql_functions(p)}
    assert len(found) > 100   # the scan does see the functions
    long = [f"{p.relative_to(ROOT)}:{line} {name} ({n} lines)" for p in files for name, line, n in sql_functions(p)
            if n > MAX_LINES]
    assert long == []
