"""The database side of the engine: plpy with cached prepared plans, each statement in a subtransaction so
that an SQL error never leaves the run's transaction unusable (the run is then closed as failed)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, NoReturn, Protocol


class Plpy(Protocol):
    """What the engine uses of ``plpy``: PL/Python's module inside PostgreSQL (its types: ``stubs/plpy``), the
    worker's :class:`nls_worker.database.Plpy` outside it. Rows are dicts of column name to value."""

    @property
    def SPIError(self) -> type[Exception]: ...  # what an SQL error raises
    @property
    def Error(self) -> type: ...  # what ``error`` raises (an Exception class); the engine raises a subclass of it

    def prepare(self, query: str, argtypes: Sequence[str], /) -> Any: ...
    def execute(self, plan: Any, args: Sequence[Any], /) -> Sequence[dict[str, Any]]: ...
    def subtransaction(self) -> AbstractContextManager[Any]: ...
    def commit(self) -> None: ...
    def warning(self, message: str, /) -> None: ...
    def error(self, message: str, /) -> NoReturn: ...  # raises Error: never returns


if TYPE_CHECKING:
    import plpy as _server_plpy

    _SERVER: Plpy = _server_plpy  # PL/Python's own module is a Plpy


class Db:
    """Wraps ``plpy`` (inside PostgreSQL) or any object with the same ``prepare``/``execute``/``subtransaction``
    methods. ``cache`` keeps prepared plans (PL/Python's ``GD``)."""

    def __init__(self, plpy: Plpy, cache: dict[Any, Any]):
        self.plpy = plpy
        self.cache = cache
        self.error = plpy.SPIError

    def _plan(self, sql: str, types: Sequence[str]) -> Any:
        key = ("nls_plan", sql, tuple(types))
        plan = self.cache.get(key)
        if plan is None:
            plan = self.cache[key] = self.plpy.prepare(sql, list(types))
        return plan

    def execute(self, sql: str, types: Sequence[str] = (), args: Sequence[Any] = ()) -> Sequence[dict[str, Any]]:
        """Run one statement; returns its rows (dicts)."""
        with self.plpy.subtransaction():
            return self.plpy.execute(self._plan(sql, types), list(args))

    def one(self, sql: str, types: Sequence[str] = (), args: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self.execute(sql, types, args)
        return rows[0] if len(rows) else None

    def subtransaction(self) -> AbstractContextManager[Any]:
        return self.plpy.subtransaction()

    @property
    def own_interrupts(self) -> Callable[[], None] | None:
        """A runtime outside PostgreSQL (a worker's ``plpy``) checks its own interrupts with this (the worker
        stopping, a caller gone); None inside PostgreSQL, where any statement lets it act on a cancel."""
        return getattr(self.plpy, "check_interrupts", None)

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``; a worker's ``plpy`` waits on its backend (pg_sleep), where a cancel lands."""
        sleep = getattr(self.plpy, "sleep", None)
        (sleep or time.sleep)(seconds)

    def join(self, thread: threading.Thread, seconds: float) -> None:
        """Wait up to ``seconds`` for ``thread`` to end (a request in flight); a worker's ``plpy`` waits on its
        backend meanwhile."""
        join = getattr(self.plpy, "join", None)
        if join is not None:
            join(thread, seconds)
        else:
            thread.join(seconds)
