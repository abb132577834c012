"""The database side of the engine outside PostgreSQL: a stand-in for PL/Python's ``plpy`` over a psycopg 3
connection, so that the engine's :class:`nls_engine.db.Db`, its store and its entry points run unchanged in a worker.

It behaves as ``plpy`` does where the engine relies on it:

- ``prepare(sql, types)`` and ``execute(plan, args)`` with PostgreSQL's own ``$1`` placeholders, each parameter bound
  with the type the plan declares (``$1`` becomes ``$1::text``), rows as dicts;
- values come back as PL/Python gives them: integers, floats, ``Decimal``, booleans, ``bytes`` and lists as Python
  values, every other type (json, jsonb, uuid, dates and times, intervals, ranges, ...) as PostgreSQL's text;
- ``subtransaction()`` is a savepoint, released on success and rolled back on an error; it never commits;
- ``commit()`` ends the transaction as ``plpy.commit()`` does in a procedure (the next statement begins another);
- ``error(message, detail, hint, sqlstate)`` raises :class:`PlpyError`, and an SQL error is a :class:`SPIError`
  with its ``sqlstate``, detail and hint, as plpy.SPIError is;
- ``warning``/``notice`` are kept in ``messages`` (and logged), for the caller to show.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import psycopg
from psycopg import postgres
from psycopg.rows import dict_row
from psycopg.types.string import TextLoader

log = logging.getLogger("nls.worker")

# a connection of the engine: its rows are dicts (column name to value)
Conn = psycopg.Connection[dict[str, Any]]

# the types PL/Python turns into Python values of their own; every other type comes back as its text
PYTHON_VALUED = {
    "bool",
    "int2",
    "int4",
    "int8",
    "oid",
    "float4",
    "float8",
    "numeric",
    "bytea",
    "text",
    "varchar",
    "bpchar",
    "name",
    "char",
    "regclass",
    "regproc",
    "regtype",
    "xid",
    "cid",
    "tid",
}
_PARAM = re.compile(r"\$(\d+)")


class PlpyError(Exception):
    """What ``plpy.error`` raises: ``sqlstate``, ``detail`` and ``hint`` as PL/Python's plpy.Error carries them."""

    def __init__(self, message: str, detail: str | None = None, hint: str | None = None, sqlstate: str | None = None):
        super().__init__(message)
        self.message, self.detail, self.hint, self.sqlstate = message, detail, hint, sqlstate or "XX000"


class SPIError(Exception):
    """An SQL error, as PL/Python's plpy.SPIError carries it: ``str()`` the primary message, ``sqlstate``, and
    ``spidata`` (code, detail, hint, query, position, ...) with the detail and hint. A lost connection is no
    SPIError: psycopg's OperationalError goes on as it is (the slot reconnects)."""

    def __init__(self, message: str, sqlstate: str, detail: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.sqlstate, self.detail, self.hint = sqlstate, detail, hint
        self.spidata = (None, detail, hint, None, 0, None, None, None, None, None)

    @classmethod
    def of(cls, error: psycopg.Error) -> SPIError:
        """The SPIError of a psycopg error (its cause)."""
        d = error.diag
        out = cls(d.message_primary or str(error), d.sqlstate or "XX000", d.message_detail, d.message_hint)
        out.__cause__ = error
        return out


class Interrupted(SPIError):
    """A run stopped from outside the engine (the worker stopping, the caller gone): an SPIError of SQLSTATE 57014,
    as PostgreSQL's cancel is, so that the run's row is closed ``cancelled`` and the call fails with 57014."""

    def __init__(self, message: str):
        super().__init__(message, "57014")


class Plan:
    """A prepared statement as ``plpy.prepare`` returns one: the text with each ``$n`` cast to its declared type."""

    def __init__(self, sql: str, types: Sequence[str]):
        self.types = tuple(types)
        self.sql = _PARAM.sub(lambda m: f"${m.group(1)}::{self.types[int(m.group(1)) - 1]}", sql) if types else sql


def connect(dsn: str, **kwargs: Any) -> Conn:
    """A connection for the engine: not autocommit (the engine commits where it may), ``$n`` placeholders, dict rows,
    and values loaded as PL/Python loads them. Raises psycopg.OperationalError when it cannot connect."""
    kwargs.setdefault("autocommit", False)
    conn = psycopg.connect(dsn, cursor_factory=psycopg.RawCursor, row_factory=dict_row, **kwargs)
    load_as_plpython(conn)
    return conn


def load_as_plpython(conn: Conn) -> None:
    """Make ``conn`` load every type that PL/Python gives as text (json, uuid, timestamps, ...) as text too."""
    for info in postgres.types:
        if info.name not in PYTHON_VALUED:
            conn.adapters.register_loader(info.oid, TextLoader)


def join_slice(n: int, first_s: float, most_s: float) -> float:
    """Seconds of the ``n``-th wait (from 0) on one request in flight: ``first_s`` doubling, at most ``most_s``."""
    return min(most_s, first_s * 2 ** min(n, 30))


class Plpy:
    """The ``plpy`` the engine sees in a worker: statements, savepoints, commits and messages over ``conn``."""

    SPIError = SPIError
    Error = PlpyError

    JOIN_SLICE_S = 0.02  # how long one wait on the backend lasts, at most, while a request is in flight
    FIRST_SLICE_S = 0.001  # the first wait on a request: each next one twice as long, up to JOIN_SLICE_S

    def __init__(self, conn: Conn, interrupted: Callable[[], str | None] = lambda: None):
        self.conn = conn
        self.interrupted = interrupted  # why the run must stop now (None: it goes on)
        self.messages: list[tuple[str, str]] = []  # (level, text) of warnings and notices, in order
        self._depth = 0
        self._joining: tuple[threading.Thread | None, int] = (None, 0)  # (the request waited on, waits on it)

    # -- the waits of the engine (nls_engine.db.Db): on the backend, where a DBA's cancel lands ----------------
    def check_interrupts(self) -> None:
        """Raise :class:`Interrupted` when the run must stop (the worker stopping, the caller gone)."""
        reason = self.interrupted()
        if reason:
            raise Interrupted(f"nls: {reason}")

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` in ``SELECT pg_sleep(...)`` (a savepoint around it): a pg_cancel_backend of this
        connection's backend, or its statement_timeout, raises query_canceled (57014) here."""
        if seconds > 0:
            with self.subtransaction():
                self.execute(Plan("SELECT pg_sleep($1)", ["float8"]), [seconds])

    def join(self, thread: threading.Thread, seconds: float) -> None:
        """Wait up to ``seconds`` for ``thread`` (a request in flight), in short waits on the backend: the first of
        a request 1 ms, each next one twice as long up to 20 ms (join_slice), so that a request answered in a few
        ms costs about that, and a long one leaves the backend in pg_sleep, where a cancel lands, nearly all the
        time."""
        thread.join(0.001)
        if thread.is_alive():
            waited, n = self._joining
            n = n + 1 if waited is thread else 0
            self._joining = (thread, n)
            self.sleep(min(seconds, join_slice(n, self.FIRST_SLICE_S, self.JOIN_SLICE_S)))

    def prepare(self, sql: str, types: Sequence[str] = ()) -> Plan:
        return Plan(sql, types)

    def execute(self, plan: Plan | str, args: Sequence[Any] = ()) -> list[dict]:
        """Run one statement (a Plan, or text without parameters); returns its rows as dicts ([] for none)."""
        plan = plan if isinstance(plan, Plan) else Plan(plan, ())
        try:
            with self.conn.cursor() as cur:
                cur.execute(plan.sql, list(args) if args else None)
                return cur.fetchall() if cur.description else []
        except psycopg.Error as e:
            if e.sqlstate is None or (isinstance(e, psycopg.OperationalError) and self.conn.closed):
                raise
            raise SPIError.of(e) from e

    @contextmanager
    def subtransaction(self) -> Iterator[None]:
        """A savepoint: released when the block ends, rolled back to when it raises (the error goes on)."""
        self._depth += 1
        name = f"nls_sp_{self._depth}"
        try:
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                if not self.conn.closed:  # as plpy: any exception rolls the subtransaction back
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    self.conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            self.conn.execute(f"RELEASE SAVEPOINT {name}")
        finally:
            self._depth -= 1

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def error(
        self, message: str, detail: str | None = None, hint: str | None = None, sqlstate: str | None = None, **_: Any
    ) -> NoReturn:
        raise PlpyError(message, detail, hint, sqlstate)

    def warning(self, message: str, **_: Any) -> None:
        self.messages.append(("warning", message))
        log.warning("%s", message)

    def notice(self, message: str, **_: Any) -> None:
        self.messages.append(("notice", message))
        log.info("%s", message)

    info = notice
