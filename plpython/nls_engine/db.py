"""The database side of the engine: plpy with cached prepared plans, each statement in a subtransaction so
that an SQL error never leaves the run's transaction unusable (the run is then closed as failed)."""
from __future__ import annotations

import threading
import time
from typing import Any, Sequence


class Db:
    """Wraps ``plpy`` (inside PostgreSQL) or any object with the same ``prepare``/``execute``/``subtransaction``
    methods. ``cache`` keeps prepared plans (PL/Python's ``GD``)."""

    def __init__(self, plpy: Any, cache: dict):
        self.plpy = plpy
        self.cache = cache
        self.error = plpy.SPIError

    def _plan(self, sql: str, types: Sequence[str]):
        key = ("nls_plan", sql, tuple(types))
        plan = self.cache.get(key)
        if plan is None:
            plan = self.cache[key] = self.plpy.prepare(sql, list(types))
        return plan

    def execute(self, sql: str, types: Sequence[str] = (), args: Sequence[Any] = ()):
        """Run one statement; returns its rows (dicts)."""
        with self.plpy.subtransaction():
            return self.plpy.execute(self._plan(sql, types), list(args))

    def one(self, sql: str, types: Sequence[str] = (), args: Sequence[Any] = ()) -> dict | None:
        rows = self.execute(sql, types, args)
        return rows[0] if len(rows) else None

    def subtransaction(self):
        return self.plpy.subtransaction()

    @property
    def own_interrupts(self):
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
