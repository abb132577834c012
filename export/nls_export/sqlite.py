"""``nls export sqlite``: one user's data as a SQLite file, for offline use, with the same table and column names
as in PostgreSQL.

The file holds the learning schema's 17 tables and 3 views (same names and columns, types mapped: docs/sqlite.md),
the creative tables, ``pages`` (every synced page's title and Markdown), one typed table per synced data source (the
columns of its typed view, ``notion_<name>``), FTS5 over atoms and pages, and ``_nls_export`` (one row per export:
when, from which database, schema version, rows written). It is read in one REPEATABLE READ snapshot, as the user
(row-level security applies to the session, which acts as ``nls_app`` for that user when it could see more), written
to a temporary file beside the target and renamed over it, so a reader never sees half a file and a killed export
leaves the previous one intact. A second export into the same file copies it and writes only the rows whose hash
changed (and deletes the rows that went).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import sqlite_utils
from psycopg import sql
from psycopg.types.string import TextLoader

from nls_engine.typed_views.columns import SQL_TYPE, identifier, unique

from . import queries
from .convert import row_converter
from .output import ExportError, Target, Temp
from .schema import (
    CREATIVE_TABLES,
    FORMAT_VERSION,
    FTS,
    LEARNING_TABLES,
    META_SQL,
    ON_DELETE,
    PAGE_COLUMNS,
    ROWS_SQL,
    TABLES_SQL,
    VIEWS,
    Table,
    quote,
    sqlite_index,
)

TYPED_FIXED = [
    ("page_id", "text", True, None),
    ("url", "text", False, None),
    ("in_trash", "boolean", False, None),
    ("is_archived", "boolean", False, None),
    ("deleted_at", "timestamp with time zone", False, None),
    ("value_marks", "jsonb", False, None),
]
PG_TYPE = {**SQL_TYPE, "timestamptz": "timestamp with time zone", "timestamptz_end": "timestamp with time zone"}
BATCH = 2000
ROW_HASH = "INSERT OR REPLACE INTO _nls_rows (table_name, row_key, row_hash) VALUES (?, ?, ?)"


@dataclass
class Report:
    """What an export did: per table {"written", "deleted"}, the mode (full or incremental), seconds (from
    ``started``, a time.monotonic() reading, to the file's last write), the file (absolute, as named)."""

    path: Path
    mode: str = "full"
    tables: dict[str, dict] = field(default_factory=dict)
    seconds: float = 0.0
    started: float = field(default_factory=time.monotonic, repr=False)

    @property
    def written(self) -> int:
        return sum(t["written"] for t in self.tables.values())

    @property
    def deleted(self) -> int:
        return sum(t["deleted"] for t in self.tables.values())


# ---- the PostgreSQL session ----------------------------------------------------------------------------------------
def _origin(pg: psycopg.Connection) -> dict:
    """Where the data comes from: database, host, port, server version, system identifier and schema version
    (the last two when this role may read them). Never a password or a token."""
    out = dict(zip(("database", "host", "port", "server_version"), queries.one(pg, queries.ORIGIN), strict=True))
    for key, name in (("system_identifier", "SYSTEM_IDENTIFIER"), ("schema_version", "SCHEMA_VERSION")):
        try:
            with pg.transaction():
                out[key] = queries.one(pg, getattr(queries, name))[0]
        except psycopg.Error:
            out[key] = None
    return out


def session(pg: psycopg.Connection, user: str) -> dict:
    """Set a connection up as the export reads: JSON as text (Notion's, not parsed and dumped again), times in
    UTC, acting for ``user``. Returns where the data comes from (:func:`_origin`)."""
    for t in ("json", "jsonb"):
        pg.adapters.register_loader(t, TextLoader)
    pg.execute(queries.UTC)
    origin = _origin(pg)
    _act_for(pg, user)
    return origin


def _act_for(pg: psycopg.Connection, user: str) -> None:
    """Act for ``user`` under row-level security: a role that would see every user's rows (a superuser, BYPASSRLS,
    nls_admin) becomes nls_app for the export. Raises ExportError when it cannot."""
    role, bypasses, admin, can_be_app = queries.one(pg, queries.ROLE)
    if bypasses or admin:
        if not can_be_app:
            raise ExportError(
                f"role {role} reads every user's rows and cannot act as nls_app: connect as a member "
                "of nls_app (GRANT nls_app TO ...) to export one user's rows"
            )
        pg.execute(queries.BECOME_APP)
    pg.execute(queries.ACT_FOR, (user,))


# ---- what the file holds ------------------------------------------------------------------------------------------
def _catalog_table(pg: psycopg.Connection, name: str, kind: str, user: str, exported: set[str]) -> Table:
    """A table of nls as PostgreSQL's catalog describes it, filled with the user's rows."""
    q = f"nls.{name}"
    columns = [tuple(r) for r in pg.execute(queries.COLUMNS, (q,))]
    key = [r[0] for r in pg.execute(queries.PRIMARY_KEY, (q,))]
    fks = [
        (cols, ref, ref_cols, ON_DELETE[on_delete])
        for _, cols, ref, schema, ref_cols, on_delete in pg.execute(queries.FOREIGN_KEYS, (q,))
        if schema == "nls" and ref in exported
    ]
    indexes = [i for i in (sqlite_index(d, exported) for _, d in pg.execute(queries.INDEXES, (q,))) if i]
    return Table(name, kind, columns, key, queries.table_rows(name), {"user": user}, fks, indexes, FTS.get(name, ()))


def _typed_tables(pg: psycopg.Connection, user: str, taken: set[str]) -> list[Table]:
    """One table per data source the user synced, with its typed view's columns (``nls.typed_select``), named
    ``notion_`` + its database's name (and its data source's when the database holds several), ``_2``... after a
    name already taken, in the order of the user's own sources: nothing another user has changes a name (a typed
    view's name would: it lives in a schema every user shares)."""
    rows = pg.execute(queries.DATA_SOURCES, (user,)).fetchall()
    per_source: dict[int, int] = {}
    for r in rows:
        per_source[r[0]] = per_source.get(r[0], 0) + 1
    out = []
    for source_id, database_id, db_name, ds_id, ds_name in rows:
        columns_json, query = queries.one(pg, queries.TYPED_SELECT, (source_id, ds_id))
        columns = json.loads(columns_json) if isinstance(columns_json, str) else columns_json
        words = db_name or f"database {database_id[:8]}"
        part = f" {ds_name or ds_id[:8]}" if per_source[source_id] > 1 else ""
        name = unique(identifier(f"notion {words}{part}"), taken)
        cols = TYPED_FIXED + [(c["column"], PG_TYPE[c["kind"]], False, None) for c in columns]
        out.append(Table(name, "typed", cols, ["page_id"], sql.SQL(query.replace("%", "%%")), {}))
    return out


def plan(pg: psycopg.Connection, user: str) -> list[Table]:
    """Every table of the file, in the order they are written (parents before children)."""
    exported = set(LEARNING_TABLES + CREATIVE_TABLES)
    tables = [_catalog_table(pg, n, "learning", user, exported) for n in LEARNING_TABLES]
    tables += [_catalog_table(pg, n, "creative", user, exported) for n in CREATIVE_TABLES]
    tables.append(
        Table(
            "pages",
            "pages",
            PAGE_COLUMNS,
            ["source_id", "page_id"],
            sql.SQL(queries.PAGES),
            {"user": user},
            fts=FTS["pages"],
        )
    )
    taken = {t.name for t in tables} | set(VIEWS)
    return tables + _typed_tables(pg, user, taken)


# ---- writing the file --------------------------------------------------------------------------------------------
def _recreate(db: sqlite_utils.Database, table: Table, definition: str) -> None:
    """(Re)create a table as planned; its row hashes and its full-text index go with the old one."""
    if table.name in db.table_names():
        if f"{table.name}_fts" in db.table_names():
            db.table(table.name).disable_fts()
        db.execute(f"DROP TABLE {quote(table.name)}")
    db.execute(definition)
    for index in table.indexes:
        db.execute(index)
    db.execute("DELETE FROM _nls_rows WHERE table_name = ?", [table.name])
    db.execute(
        "INSERT OR REPLACE INTO _nls_tables (table_name, kind, definition) VALUES (?, ?, ?)",
        [table.name, table.kind, definition],
    )


def _insert(db: sqlite_utils.Database, table: Table, cursor, tick) -> int:
    """Insert the rows ``cursor`` yields ((row key, hash, *columns)) and their hashes; returns how many. One
    prepared INSERT run over each batch (sqlite-utils' insert_all builds a statement per batch of dicts: slower)."""
    names = [c[0] for c in table.columns]
    convert = row_converter([c[1] for c in table.columns])
    insert = f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, names))}) VALUES ({', '.join('?' * len(names))})"
    n = 0
    while True:
        batch = cursor.fetchmany(BATCH)
        if not batch:
            return n
        db.conn.executemany(insert, [convert(r[2:]) for r in batch])
        db.conn.executemany(ROW_HASH, [(table.name, r[0], r[1]) for r in batch])
        n += len(batch)
        tick(len(batch))


def _delete(db: sqlite_utils.Database, table: Table, keys: list[str]) -> None:
    """Delete the rows (and their hashes) whose row key is among ``keys`` (JSON arrays of the key columns)."""
    where = " AND ".join(f"{quote(k)} = ?" for k in table.key)
    db.conn.executemany(f"DELETE FROM {quote(table.name)} WHERE {where}", [json.loads(k) for k in keys])
    db.conn.executemany("DELETE FROM _nls_rows WHERE table_name = ? AND row_key = ?", [(table.name, k) for k in keys])


def _copy_table(pg: psycopg.Connection, db: sqlite_utils.Database, table: Table, incremental: bool, tick) -> dict:
    """Bring one table of the file up to the snapshot: all of it when new or its definition changed, else only
    the rows whose hash changed (and delete the rows that went). Returns {"written", "deleted"}."""
    definition = table.create_sql()
    known = db.execute("SELECT definition FROM _nls_tables WHERE table_name = ?", [table.name]).fetchone()
    if not incremental or known is None or known[0] != definition or table.name not in db.table_names():
        _recreate(db, table, definition)
        with pg.cursor(name=f"nls_export_{table.name}"[:60]) as cur:
            cur.execute(queries.hashed(table.query, table.key), table.params)
            return {"written": _insert(db, table, cur, tick), "deleted": 0}
    have = dict(db.execute("SELECT row_key, row_hash FROM _nls_rows WHERE table_name = ?", [table.name]).fetchall())
    now: dict[str, str] = dict(pg.execute(queries.hashes_only(table.query, table.key), table.params).fetchall())
    changed = [k for k, h in now.items() if have.get(k) != h]
    gone = [k for k in have if k not in now]
    _delete(db, table, changed + gone)
    written = 0
    if changed:
        with pg.cursor(name=f"nls_export_{table.name}"[:60]) as cur:
            cur.execute(queries.rows_with_keys(table.query, table.key), {**table.params, "keys": changed})
            written = _insert(db, table, cur, tick)
    tick(len(now) - written)
    return {"written": written, "deleted": len(gone)}


def _finish(db: sqlite_utils.Database, tables: list[Table]) -> None:
    """Drop the tables no longer exported, (re)create the views and the full-text indexes."""
    planned = {t.name for t in tables}
    for (name,) in db.execute("SELECT table_name FROM _nls_tables").fetchall():
        if name not in planned:
            if f"{name}_fts" in db.table_names():
                db.table(name).disable_fts()
            db.execute(f"DROP TABLE IF EXISTS {quote(name)}")
            db.execute("DELETE FROM _nls_rows WHERE table_name = ?", [name])
            db.execute("DELETE FROM _nls_tables WHERE table_name = ?", [name])
    for name, body in VIEWS.items():
        db.create_view(name, body.strip(), replace=True)
    for t in tables:
        if t.fts and f"{t.name}_fts" not in db.table_names():
            db.table(t.name).enable_fts(list(t.fts), fts_version="FTS5", create_triggers=True)


# ---- the file: a temporary copy, renamed over the target (output.Target: never anywhere but the path named) ----
def _previous(path: Path, origin: dict, user: str) -> bool:
    """Whether the SQLite file at ``path`` is an export of this database and user in this format, that an export
    may update."""
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as c:
            row = c.execute(
                "SELECT format_version, database, system_identifier, user_id FROM _nls_export "
                "ORDER BY exported_at DESC LIMIT 1"
            ).fetchone()
    except sqlite3.Error:
        return False
    return row == (FORMAT_VERSION, origin["database"], origin["system_identifier"], user)


def _start(target: Target, temp: Temp, origin: dict, user: str, full: bool) -> str:
    """Fill ``temp`` with the file it replaces when that is an earlier export of this database and user (and
    ``full`` is false): "incremental"; else leave it empty: "full"."""
    if not full and target.copy_previous(temp) and _previous(temp.path, origin, user):
        return "incremental"
    os.ftruncate(temp.fd, 0)
    return "full"


def _open(target: Target, temp: Temp) -> sqlite_utils.Database:
    """SQLite on ``temp``, once it is sure to be the file SQLite opened."""
    conn = sqlite3.connect(temp.path)
    try:
        target.check_opened(temp, conn.execute("PRAGMA database_list").fetchone()[2])
    except BaseException:
        conn.close()
        raise
    return sqlite_utils.Database(conn)


def _note(db: sqlite_utils.Database, origin: dict, user: str, report: Report) -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        nls_version = version("notion-learning-sync")
    except PackageNotFoundError:
        nls_version = None
    db.table("_nls_export").insert(
        {
            "exported_at": dt.datetime.now(dt.UTC).isoformat(sep=" "),
            "database": origin["database"],
            "host": origin["host"],
            "port": origin["port"],
            "system_identifier": origin["system_identifier"],
            "user_id": user,
            "schema_version": origin["schema_version"],
            "nls_version": nls_version,
            "format_version": FORMAT_VERSION,
            "mode": report.mode,
            "rows_written": report.written,
            "rows_deleted": report.deleted,
            "seconds": round(report.seconds, 3),
        }
    )


def _write(pg: psycopg.Connection, db: sqlite_utils.Database, tables: list[Table], incremental: bool, progress) -> dict:
    db.execute("PRAGMA journal_mode = OFF")  # a temporary file: the rename is what makes it whole
    db.execute("PRAGMA synchronous = OFF")
    for ddl in (META_SQL, ROWS_SQL, TABLES_SQL):
        db.execute(ddl)
    out = {}
    with db.conn:
        for table in tables:
            task = progress.add_task(table.name, total=None)
            out[table.name] = _copy_table(pg, db, table, incremental, functools.partial(progress.advance, task))
            progress.update(task, total=progress.tasks[task].completed)
        _finish(db, tables)
    return out


def export_sqlite(dsn: str, user: str, path: str | Path, full: bool = False, progress=None) -> Report:
    """Export ``user``'s rows from the nls database at ``dsn`` into the SQLite file ``path`` (created, or updated
    in place when it is an earlier export of the same database and user and ``full`` is false). ``path`` is
    checked before PostgreSQL is read (output.Target: a link, folder, FIFO, device or socket there, or a folder
    that is missing or not writable, is refused); exports into one file take turns. ``progress``: a rich Progress
    (None: none shown). Returns a :class:`Report`. Raises ExportError (an unknown user included) or
    psycopg.Error; the file at ``path`` is then as it was."""
    if not user:
        raise ExportError("--user names the user whose rows are exported")
    target = Target(path)
    with target, psycopg.connect(dsn, autocommit=False) as pg:
        report = Report(target.path)
        pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        pg.read_only = True
        origin = session(pg, user)
        tables = plan(pg, user)
        _known(pg, user, tables, origin)
        temp = target.new_temp()
        try:
            _fill(pg, target, temp, tables, origin, user, full, report, progress)
            target.replace(temp)
        except sqlite3.Error as e:
            target.discard(temp)
            raise ExportError(f"{target.path}: SQLite: {e}") from e
        except BaseException:
            target.discard(temp)
            raise
    return report


def _fill(
    pg: psycopg.Connection,
    target: Target,
    temp: Temp,
    tables: list[Table],
    origin: dict,
    user: str,
    full: bool,
    report: Report,
    progress,
) -> None:
    """Write the new copy into ``temp``: the earlier export brought up to the snapshot, or a whole new file; its
    ``_nls_export`` row; closed."""
    from contextlib import nullcontext

    from rich.progress import Progress

    report.mode = _start(target, temp, origin, user, full)
    db = _open(target, temp)
    try:
        with progress or nullcontext(Progress(disable=True)) as p:
            report.tables = _write(pg, db, tables, report.mode == "incremental", p)
        report.seconds = time.monotonic() - report.started
        _note(db, origin, user, report)
        db.conn.commit()
        db.execute("PRAGMA journal_mode = DELETE")
    finally:
        db.close()


def _known(pg: psycopg.Connection, user: str, tables: list[Table], origin: dict) -> None:
    """Raise ExportError unless ``user`` is one this session sees: an integration, or a row in a table the export
    copies (rows can outlive the integration)."""
    if not queries.one(pg, queries.user_known([t.query for t in tables]), {"user": user})[0]:
        raise ExportError(
            f"--user {user!r}: no such user in database {origin['database']} that this role can see "
            "(nls.integrations lists the users; nothing was written)"
        )
