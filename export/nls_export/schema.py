"""The SQLite side of the export: which tables, their columns with PostgreSQL's types mapped to SQLite's
(docs/sqlite.md lists the mapping), keys, indexes, the learning schema's views in SQLite's SQL, and full-text search.

The learning schema's tables (and the creative ones) are described by PostgreSQL's catalog at export time, so the
copy has the same table and column names as the database it came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psycopg import sql

# the learning schema: 17 tables and 3 views (sql/30_learning.sql and its migrations); the creative tables
LEARNING_TABLES = (
    "stg_notion_flashcards",
    "stg_notion_concepts",
    "stg_notion_concept_areas",
    "stg_notion_concept_clusters",
    "stg_notion_modules",
    "stg_notion_tracks",
    "stg_notion_programs",
    "clean_concept_areas",
    "clean_concept_clusters",
    "concepts",
    "clean_programs",
    "clean_tracks",
    "learning_modules",
    "learning_atoms",
    "review_queue",
    "sync_log",
    "cleaning_log",
)
CREATIVE_TABLES = ("characters", "worlds", "stories", "chat_sessions")
FORMAT_VERSION = 1

# PostgreSQL type (format_type's spelling, without modifiers) -> SQLite declared type
SQLITE_TYPE = {
    "text": "TEXT",
    "character varying": "TEXT",
    "uuid": "TEXT",
    "jsonb": "TEXT",
    "json": "TEXT",
    "timestamp with time zone": "TEXT",
    "timestamp without time zone": "TEXT",
    "date": "TEXT",
    "interval": "TEXT",
    "tstzrange": "TEXT",
    "integer": "INTEGER",
    "bigint": "INTEGER",
    "smallint": "INTEGER",
    "boolean": "INTEGER",
    "numeric": "REAL",
    "double precision": "REAL",
    "real": "REAL",
    "bytea": "BLOB",
}
ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
# a literal default PostgreSQL shows ('flashcard'::text, 0, true) that SQLite can keep; others (now(), ...) go
_LITERAL = re.compile(r"^(?:'((?:[^']|'')*)'(?:::[a-z ]+)?|(-?\d+(?:\.\d+)?)|(true|false))$")


def base_type(pg_type: str) -> str:
    """``numeric(3,2)`` -> ``numeric``; an array (``text[]``) stays an array."""
    return re.sub(r"\(.*\)", "", pg_type).strip()


def sqlite_type(pg_type: str) -> str:
    """The SQLite type a PostgreSQL column type becomes: arrays and ranges are TEXT (JSON arrays; ranges as
    PostgreSQL writes them), booleans INTEGER 0/1, numeric REAL, time TEXT (ISO 8601, UTC)."""
    t = base_type(pg_type)
    return "TEXT" if t.endswith("[]") else SQLITE_TYPE.get(t, "TEXT")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_default(expr: str | None) -> str | None:
    """A PostgreSQL column default SQLite can keep, as SQLite SQL; None for the rest (now(), gen_random_uuid())."""
    m = _LITERAL.match(expr or "")
    if not m:
        return None
    if m.group(1) is not None:
        return "'" + m.group(1) + "'"
    if m.group(2) is not None:
        return m.group(2)
    return "1" if m.group(3) == "true" else "0"


@dataclass
class Table:
    """One table of the SQLite copy: its columns [(name, PostgreSQL type, not null, default)], primary key, foreign
    keys [(columns, table, columns, on delete)] and indexes (SQLite CREATE INDEX statements), and what fills it
    (``query``: SQL composed for PostgreSQL, ``params``)."""

    name: str
    kind: str
    columns: list[tuple[str, str, bool, str | None]]
    key: list[str]
    query: sql.SQL | sql.Composed
    params: dict
    foreign_keys: list[tuple[list[str], str, list[str], str]] = field(default_factory=list)
    indexes: list[str] = field(default_factory=list)
    fts: tuple[str, ...] = ()

    def create_sql(self) -> str:
        """The CREATE TABLE statement (what the copy is checked against on the next export)."""
        cols = []
        for name, pg_type, not_null, default in self.columns:
            d = sqlite_default(default)
            cols.append(
                f"{quote(name)} {sqlite_type(pg_type)}"
                + (" NOT NULL" if not_null else "")
                + (f" DEFAULT {d}" if d is not None else "")
            )
        cols.append(f"PRIMARY KEY ({', '.join(quote(k) for k in self.key)})")
        for columns, table, ref, on_delete in self.foreign_keys:
            cols.append(
                f"FOREIGN KEY ({', '.join(map(quote, columns))}) REFERENCES {quote(table)} "
                f"({', '.join(map(quote, ref))}) ON DELETE {on_delete}"
            )
        return f"CREATE TABLE {quote(self.name)} (\n    " + ",\n    ".join(cols) + "\n)"


def sqlite_index(definition: str, exported: set[str]) -> str | None:
    """PostgreSQL's index definition (pg_get_indexdef) in SQLite's SQL: same name, columns, order, uniqueness and
    partial predicate; None for an index SQLite cannot have (an expression or operator class)."""
    m = re.match(
        r"CREATE (UNIQUE )?INDEX (\S+) ON (?:\w+\.)?(\w+) USING btree \((.*?)\)(?: WHERE \((.*)\))?$", definition
    )
    if not m or m.group(3) not in exported or "(" in m.group(4):
        return None
    predicate = re.sub(r"::[a-z ]+(\[\])?", "", m.group(5)) if m.group(5) else None
    where = f" WHERE {predicate}" if predicate else ""
    return f"CREATE {m.group(1) or ''}INDEX {quote(m.group(2))} ON {quote(m.group(3))} ({m.group(4)}){where}"


# the learning schema's views, in SQLite's SQL (sql/30_learning.sql has PostgreSQL's): the same columns, in order
VIEWS = {
    "v_due_atoms": """
SELECT a.*, c.name AS concept_name, m.name AS module_name, cl.name AS cluster_name, ca.name AS area_name
  FROM learning_atoms a
  LEFT JOIN concepts c ON a.concept_id = c.id
  LEFT JOIN learning_modules m ON a.module_id = m.id
  LEFT JOIN clean_concept_clusters cl ON c.cluster_id = cl.id
  LEFT JOIN clean_concept_areas ca ON cl.concept_area_id = ca.id
 WHERE a.atom_type IN ('flashcard', 'cloze')
   AND a.anki_note_id IS NOT NULL
   AND a.is_atomic = 1""",
    "v_concept_atom_stats": """
SELECT c.id AS concept_id, c.name AS concept_name, c.status,
       count(a.id) AS total_atoms,
       count(a.id) FILTER (WHERE a.is_atomic = 1) AS atomic_count,
       count(a.id) FILTER (WHERE a.atom_type IN ('flashcard', 'cloze')) AS anki_syncable,
       count(a.id) FILTER (WHERE a.anki_note_id IS NOT NULL) AS in_anki_count,
       avg(a.anki_ease_factor) AS avg_ease,
       avg(a.anki_interval) AS avg_interval,
       count(a.id) FILTER (WHERE a.needs_review) AS needs_review_count,
       c.user_id
  FROM concepts c
  LEFT JOIN learning_atoms a ON a.concept_id = c.id
 GROUP BY c.id, c.name, c.status, c.user_id""",
    "v_review_queue_summary": """
SELECT source, status, count(*) AS count, min(created_at) AS oldest, max(created_at) AS newest
  FROM review_queue
 GROUP BY source, status
 ORDER BY source, status""",
}

# full-text search (FTS5, kept current by triggers): atoms' front and back, pages' titles and Markdown
FTS = {"learning_atoms": ("front", "back"), "pages": ("title", "content_markdown")}

# the columns of the pages table (queries.PAGES), with their PostgreSQL types
PAGE_COLUMNS: list[tuple[str, str, bool, str | None]] = [
    ("source_id", "bigint", True, None),
    ("page_id", "text", True, None),
    ("data_source_id", "text", True, None),
    ("title", "text", False, None),
    ("url", "text", False, None),
    ("content_markdown", "text", False, None),
    ("created_time", "timestamp with time zone", True, None),
    ("last_edited_time", "timestamp with time zone", True, None),
    ("in_trash", "boolean", True, None),
    ("deleted_at", "timestamp with time zone", False, None),
    ("sync_hash", "text", True, None),
]

META_SQL = """CREATE TABLE IF NOT EXISTS _nls_export (
    exported_at TEXT NOT NULL, database TEXT, host TEXT, port INTEGER, system_identifier TEXT, user_id TEXT NOT NULL,
    schema_version TEXT, nls_version TEXT, format_version INTEGER NOT NULL, mode TEXT NOT NULL,
    rows_written INTEGER NOT NULL, rows_deleted INTEGER NOT NULL, seconds REAL NOT NULL)"""
ROWS_SQL = """CREATE TABLE IF NOT EXISTS _nls_rows (
    table_name TEXT NOT NULL, row_key TEXT NOT NULL, row_hash TEXT NOT NULL,
    PRIMARY KEY (table_name, row_key)) WITHOUT ROWID"""
TABLES_SQL = """CREATE TABLE IF NOT EXISTS _nls_tables (
    table_name TEXT PRIMARY KEY, kind TEXT NOT NULL, definition TEXT NOT NULL)"""
