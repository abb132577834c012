"""The store's base: the database it runs its statements on, and the session's own statements (the settings, the
user the session acts for, interrupts, the clock)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..db import Db


class Statements:
    """What every part of the store shares: ``db`` (a :class:`Db`: plpy inside PostgreSQL), ``error`` (the
    exception an SQL error raises, plpy.SPIError), and the statements of the session."""

    def __init__(self, db: Db):
        self.db = db
        self.error = db.error  # the exception an SQL error raises (plpy.SPIError)

    def _one(self, sql: str, types: Sequence[str] = (), args: Sequence[Any] = ()) -> dict[str, Any] | None:
        """The first row of a statement, or None when it returns none."""
        return self.db.one(sql, types, args)

    def _row(self, sql: str, types: Sequence[str] = (), args: Sequence[Any] = ()) -> dict[str, Any]:
        """The row of a statement that always returns one (an aggregate, a function call, an upsert's
        RETURNING). Raises LookupError when it returned none."""
        row = self.db.one(sql, types, args)
        if row is None:
            raise LookupError(f"the statement returned no row: {sql[:80]}")
        return row

    def _rows(self, sql: str, types: Sequence[str] = (), args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.execute(sql, types, args)]

    # -- settings and the session ---------------------------------------------------------------------------
    def settings_rows(self) -> list[dict]:
        """Every row of the settings catalogue: {name, value, type}."""
        return self._rows("SELECT name, value, type FROM nls.settings")

    def acting_user(self) -> str | None:
        """The user this session acts for (the ``nls.user_id`` setting), or None."""
        return self._row("SELECT current_setting('nls.user_id', true) AS v")["v"] or None

    def check_interrupts(self) -> None:
        """Let PostgreSQL process a pending cancel, statement_timeout or terminate (any statement does): a cancel
        raises ``query_canceled`` here, a terminate ends the backend here. A runtime outside PostgreSQL checks its own
        (:attr:`nls_engine.db.Db.own_interrupts`)."""
        own = self.db.own_interrupts
        if own is not None:
            own()
        else:
            self.db.execute("SELECT 1")

    @staticmethod
    def interrupted(error: BaseException) -> bool:
        """Whether ``error`` is PostgreSQL stopping the statement (a cancel or statement_timeout: SQLSTATE 57014),
        which the engine must pass on to its caller, not record and carry on."""
        return getattr(error, "sqlstate", None) == "57014"

    def act_as(self, user_id: str | None) -> None:
        """Act for ``user_id`` (row-level security reads ``nls.user_id``); None or '' for nobody."""
        self.db.execute("SELECT set_config('nls.user_id', $1, false)", ["text"], [user_id or ""])

    def clock(self) -> str:
        """The database's clock now (clock_timestamp(), ISO text)."""
        return self._row("SELECT clock_timestamp()::text AS t")["t"]
