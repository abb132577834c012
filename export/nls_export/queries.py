"""Every statement ``nls export`` runs against PostgreSQL, named, in one place. Identifiers that vary (a table of
the export, a typed view's query) are composed with :mod:`psycopg.sql` by the functions below, never formatted in
by hand; values are always bound."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql


def one(pg: psycopg.Connection, query: Any, params: Any = None) -> tuple:
    """The row of a statement that always returns one (of this module). Raises LookupError when it returned none."""
    row = pg.execute(query, params).fetchone()
    if row is None:
        raise LookupError(f"PostgreSQL returned no row for: {str(query)[:80]}")
    return row


# ---- the session ---------------------------------------------------------------------------------------------
ROLE = (
    "SELECT current_user AS role, r.rolsuper OR r.rolbypassrls AS bypasses_rls, "
    "pg_has_role(current_user, 'nls_admin', 'MEMBER') AS admin, "
    "r.rolsuper OR pg_has_role(current_user, 'nls_app', 'MEMBER') AS can_be_app "
    "FROM pg_roles r WHERE r.rolname = current_user"
)
BECOME_APP = "SET ROLE nls_app"
ACT_FOR = "SELECT set_config('nls.user_id', %s, false)"
UTC = "SET TimeZone = 'UTC'"
ORIGIN = (
    "SELECT current_database() AS database, inet_server_addr()::text AS host, "
    "current_setting('port')::int AS port, current_setting('server_version') AS server_version"
)
SYSTEM_IDENTIFIER = "SELECT system_identifier::text AS id FROM pg_control_system()"
SCHEMA_VERSION = "SELECT max(migration_id) AS version FROM nls._yoyo_migration"

# ---- the tables of nls the export copies -------------------------------------------------------------------------
COLUMNS = (
    "SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null, "
    "pg_get_expr(d.adbin, d.adrelid) AS default_expr "
    "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
)
PRIMARY_KEY = (
    "SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
    "AND a.attnum = ANY (i.indkey) WHERE i.indrelid = to_regclass(%s) AND i.indisprimary "
    "ORDER BY array_position(i.indkey::int2[], a.attnum)"
)
FOREIGN_KEYS = (
    "SELECT c.conname AS name, "
    "ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a "
    "ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns, "
    "r.relname AS ref_table, n.nspname AS ref_schema, "
    "ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a "
    "ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_columns, "
    "c.confdeltype AS on_delete "
    "FROM pg_constraint c JOIN pg_class r ON r.oid = c.confrelid "
    "JOIN pg_namespace n ON n.oid = r.relnamespace "
    "WHERE c.conrelid = to_regclass(%s) AND c.contype = 'f' ORDER BY c.conname"
)
INDEXES = (
    "SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i "
    "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass(%s) AND NOT i.indisprimary "
    "ORDER BY c.relname"
)

# ---- what the user synced: one typed table per data source -------------------------------------------------------
DATA_SOURCES = (
    "SELECT s.id AS source_id, s.database_id, s.database_name, st.data_source_id, st.data_source_name "
    "FROM nls.sources s JOIN nls.sync_state st ON st.source_id = s.id "
    "WHERE s.user_id = %s ORDER BY s.id, st.data_source_id"
)
TYPED_SELECT = "SELECT columns, query FROM nls.typed_select(%s, %s)"
PAGES = (
    "SELECT p.source_id, p.page_id, p.data_source_id, nls._title(p.raw_properties) AS title, "
    "p.raw_page ->> 'url' AS url, p.content_markdown, p.created_time, p.last_edited_time, p.in_trash, "
    "p.deleted_at, p.sync_hash FROM nls.stg_notion_pages p WHERE p.user_id = %(user)s"
)


def user_known(tables: list[sql.Composable]) -> sql.Composed:
    """Whether the user (``%(user)s``) has an integration or a row in any of ``tables`` (the export's queries)."""
    return sql.SQL("SELECT EXISTS (SELECT 1 FROM nls.integrations i WHERE i.user_id = %(user)s) OR {}").format(
        sql.SQL(" OR ").join(sql.SQL("EXISTS ({})").format(q) for q in tables)
    )


def table_rows(table: str) -> sql.Composed:
    """Every row of ``nls.<table>`` that belongs to the user (``%(user)s``)."""
    return sql.SQL("SELECT * FROM {} t WHERE t.user_id = %(user)s").format(sql.Identifier("nls", table))


def hashed(query: sql.Composable, key: list[str]) -> sql.Composed:
    """``query``'s rows as (row key: a JSON array of the key columns, md5 of the row's text, the row's columns)."""
    return sql.SQL("SELECT json_build_array({})::text AS _nls_key, md5(t::text) AS _nls_hash, t.* FROM ({}) t").format(
        sql.SQL(", ").join(sql.Identifier("t", k) for k in key), query
    )


def hashes_only(query: sql.Composable, key: list[str]) -> sql.Composed:
    """``query``'s rows as (row key, md5 of the row's text) only: what changed is found from these."""
    return sql.SQL("SELECT json_build_array({})::text, md5(t::text) FROM ({}) t").format(
        sql.SQL(", ").join(sql.Identifier("t", k) for k in key), query
    )


def rows_with_keys(query: sql.Composable, key: list[str]) -> sql.Composed:
    """:func:`hashed`, only for the row keys in ``%(keys)s`` (a text[])."""
    return sql.SQL("SELECT * FROM ({}) h WHERE h._nls_key = ANY (%(keys)s)").format(hashed(query, key))
