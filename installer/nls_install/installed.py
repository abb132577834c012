"""What a database holds of nls, read without changing anything and from the schema it has (an older release may
lack a table, a column, a function or a setting this one has): :func:`read` returns an :class:`Installed`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from . import releases


@dataclass
class Installed:
    """nls as found in a database: ``schema`` (schema nls exists), ``migrations`` (the ids yoyo applied, in order),
    ``deployed`` (what ``nls._deployed()`` recorded at the last deploy: {"release", "migrations"}; None before
    releases recorded it), ``modules`` ({engine module: sha256} of nls._python_module) and ``settings``
    ({name: value})."""

    schema: bool = False
    migrations: list[str] = field(default_factory=list)
    deployed: dict | None = None
    modules: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def release(self) -> str | None:
        """The release deployed: the one it recorded, else the published release its migrations end (None for a
        database without nls, or a build between releases)."""
        if self.deployed:
            return self.deployed["release"]
        return releases.of_migrations(self.migrations)

    @property
    def last_migration(self) -> str | None:
        return max(self.migrations) if self.migrations else None

    def describe(self) -> str:
        """In words: 'not installed', '0.1.0 (migration 0013.webhooks-and-change)', 'a build of nls between
        releases (migration 0011.two-way)'."""
        if not self.migrations:
            return "not installed" if not self.modules else "installed without migrations (damaged)"
        what = self.release or "a build of nls between releases"
        return f"{what} (migration {self.last_migration})"


def row(conn: psycopg.Connection, query: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> tuple:
    """The one row ``query`` returns (a SELECT of expressions, an aggregate). Raises LookupError when it returned
    none."""
    found = conn.execute(query, params).fetchone()
    if found is None:
        raise LookupError(f"the statement returned no row: {query[:80]}")
    return found


def value(conn: psycopg.Connection, query: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> Any:
    """The first column of the one row ``query`` returns. Raises LookupError when it returned none."""
    return row(conn, query, params)[0]


def _exists(conn: psycopg.Connection, kind: str, name: str) -> bool:
    """Whether the relation (``kind`` 'regclass') or function ('regprocedure') ``name`` exists."""
    return value(conn, f"SELECT to_{kind}(%s) IS NOT NULL", (name,))


def read(conn: psycopg.Connection) -> Installed:
    """Read what the database at ``conn`` holds of nls (superuser; no row-level security applies). Changes
    nothing."""
    found = Installed(schema=value(conn, "SELECT to_regnamespace('nls') IS NOT NULL"))
    if not found.schema:
        return found
    if _exists(conn, "regclass", "nls._yoyo_migration"):
        found.migrations = [r[0] for r in conn.execute("SELECT migration_id FROM nls._yoyo_migration ORDER BY 1")]
    if _exists(conn, "regprocedure", "nls._deployed()"):
        found.deployed = value(conn, "SELECT nls._deployed()")
    if _exists(conn, "regclass", "nls._python_module"):
        found.modules = dict(conn.execute("SELECT name, sha256 FROM nls._python_module").fetchall())
    if _exists(conn, "regclass", "nls.settings"):
        found.settings = dict(conn.execute("SELECT name, value FROM nls.settings").fetchall())
    return found


def setting(conn: psycopg.Connection, name: str, default: str) -> str:
    """The value of setting ``name`` as the database holds it, or ``default`` (the value the install gives a
    setting it adds) when the database has no nls.settings or no such setting yet."""
    if not _exists(conn, "regclass", "nls.settings"):
        return default
    row = conn.execute("SELECT value FROM nls.settings WHERE name = %s", (name,)).fetchone()
    return default if row is None else row[0]
