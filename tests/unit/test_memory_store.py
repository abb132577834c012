"""The in-memory Store (tests/unit/memory_store.py) cannot drift from the real one: every method the flows and the
run envelope call on a store is there, with the real one's parameters (names, kinds, defaults)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from memory_store import MemoryStore
from nls_engine.store import Store

ENGINE = Path(__file__).resolve().parents[2] / "plpython" / "nls_engine"
# what the flows' unit tests run through: the flows, the pages they store with, the run and the integration
CALLERS = ["read", "push", "anki", "webhooks", "typed_views", "pages", "run.py", "integration.py"]


def called_on_a_store() -> set[str]:
    """The names of the Store's attributes that the callers read from something named ``store`` (``store.x``,
    ``ctx.store.x``, ``self.store.x``, ...)."""
    names = {n for n in dir(Store) if not n.startswith("__")} | {"error"}
    files = [p for c in CALLERS for p in ([ENGINE / c] if c.endswith(".py") else sorted((ENGINE / c).glob("*.py")))]
    return {
        node.attr
        for path in files
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr in names and ast.unparse(node.value).split(".")[-1] == "store"
    }


def parameters(function) -> list[tuple]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


CALLED = sorted(called_on_a_store() - {"error"})


def test_the_scan_sees_what_the_flows_call():
    called = called_on_a_store()
    assert {
        "upsert_pages",
        "push_outcome",
        "anki_pushed",
        "events_applied",
        "typed_view_rows",
        "begin_run",
        "take_budget",
        "error",
    } <= called
    assert len(called) > 80


@pytest.mark.parametrize("name", CALLED)
def test_the_memory_store_has_each_method_the_flows_call_with_its_signature(name):
    real = inspect.getattr_static(Store, name)
    memory = inspect.getattr_static(MemoryStore, name, None)
    assert memory is not None, f"MemoryStore lacks {name}{inspect.signature(getattr(Store, name))}"
    assert type(memory) is type(real)  # a staticmethod stays one, a method a method
    assert parameters(getattr(MemoryStore, name)) == parameters(getattr(Store, name))


def test_the_memory_stores_error_is_an_sql_error_with_its_sqlstate():
    error = MemoryStore().error("duplicate key", "23505")
    assert isinstance(error, Exception) and error.sqlstate == "23505"
    assert MemoryStore.interrupted(MemoryStore.error("canceling statement", "57014"))
