"""Typed views' statements (``sql/70_typed_views.sql``): the registry rows and their history, what the stored pages
show of each property, names quoted as PostgreSQL needs, and the builder."""

from __future__ import annotations

import json

from .base import Statements


class TypedViewStatements(Statements):
    """The statements of typed views."""

    def typed_sources(self, database_id: str | None, user_id: str | None) -> list[dict]:
        """The sources this session sees of ``database_id`` and/or ``user_id`` (NULL: any), enabled or not:
        {id, user_id, database_id, database_name}. A malformed database_id raises 22023."""
        return self._rows(
            "SELECT s.id, s.user_id, s.database_id, s.database_name FROM nls.sources s "
            "WHERE ($1::text IS NULL OR s.user_id = $1) "
            "AND ($2::text IS NULL OR s.database_id = nls._normalize_id($2, 'database_id')) ORDER BY s.user_id, s.id",
            ["text", "text"],
            [user_id, database_id],
        )

    def data_sources_of(self, source_id: int) -> list[dict]:
        """The data sources a source's runs have read: {data_source_id, data_source_name}, by id."""
        return self._rows(
            "SELECT data_source_id, data_source_name FROM nls.sync_state WHERE source_id = $1 ORDER BY data_source_id",
            ["bigint"],
            [source_id],
        )

    def typed_view_rows(self, source_ids: list[int]) -> list[dict]:
        """The typed_views rows of these sources (as row-level security lets this session see them), columns as a
        list: {id, user_id, source_id, data_source_id, schema_name, view_name, columns, build_wanted, built_as}."""
        rows = self._rows(
            "SELECT id, user_id, source_id, data_source_id, schema_name, view_name, columns::text AS "
            "columns, build_wanted, built_as FROM nls.typed_views WHERE source_id = ANY ($1) ORDER BY id",
            ["bigint[]"],
            [source_ids],
        )
        return [{**r, "columns": json.loads(r["columns"])} for r in rows]

    def typed_observed(self, source_id: int, ds_id: str) -> list[dict]:
        """What the live stored pages of a data source show of each property (``nls._typed_observed``)."""
        rows = self._rows(
            "SELECT property_id, name, type, result_types::text AS result_types, has_time, has_end "
            "FROM nls._typed_observed($1, $2)",
            ["bigint", "text"],
            [source_id, ds_id],
        )
        return [{**r, "result_types": json.loads(r["result_types"])} for r in rows]

    def sql_keywords(self) -> frozenset[str]:
        """The key words a column name cannot be unquoted."""
        return frozenset(r["w"] for r in self._rows("SELECT nls._sql_keywords() AS w"))

    def relation_exists(self, qualified: str) -> bool:
        """Whether ``qualified`` (``schema.name``, quoted as needed) names a relation."""
        return self._row("SELECT to_regclass($1) IS NOT NULL AS ok", ["text"], [qualified])["ok"]

    def quoted(self, schema: str, name: str) -> str:
        """``schema.name`` quoted as PostgreSQL needs."""
        return self._row("SELECT format('%I.%I', $1::text, $2::text) AS q", ["text", "text"], [schema, name])["q"]

    def check_typed_schema(self, schema: str) -> None:
        """Whether ``schema`` may hold typed views (``nls._typed_view_schema_ok``; only the builder creates it);
        raises ``self.error`` (22023 reserved name, 42P06 a schema nls did not create)."""
        self.db.execute("SELECT nls._typed_view_schema_ok($1)", ["text"], [schema])

    def save_typed_view(self, row: dict) -> int:
        """Insert (no ``id``) or update a typed_views row and ask for its view to be built; returns its id. Raises
        ``self.error`` (23505 when the schema already holds a view of that name)."""
        values = [
            row.get("data_source_id"),
            row["schema_name"],
            row.get("view_name"),
            json.dumps(row.get("columns") or []),
        ]
        types = ["text", "text", "text", "jsonb", "text", "bigint"]
        if row.get("id") is None:
            return self._row(
                "INSERT INTO nls.typed_views (data_source_id, schema_name, view_name, columns, user_id, "
                "source_id, build_wanted) VALUES ($1, $2, $3, $4, $5, $6, true) RETURNING id",
                types,
                [*values, row["user_id"], row["source_id"]],
            )["id"]
        self.db.execute(
            "UPDATE nls.typed_views SET data_source_id = $1, schema_name = $2, view_name = $3, "
            "columns = $4, build_wanted = true, updated_at = now() WHERE user_id = $5 AND id = $6",
            types,
            [*values, row["user_id"], row["id"]],
        )
        return row["id"]

    def delete_typed_view_row(self, typed_view_id: int) -> None:
        self.db.execute("DELETE FROM nls.typed_views WHERE id = $1", ["bigint"], [typed_view_id])

    def typed_history(
        self, user_id: str, typed_view_id: int | None, view: str | None, ds_id: str | None, changes: list[dict]
    ) -> None:
        """One nls.typed_view_history row per change ({"change", "property_id"?, ...})."""
        self.db.execute(
            "INSERT INTO nls.typed_view_history (user_id, typed_view_id, view, data_source_id, change, property_id, "
            "property_name, column_name, old_type, new_type, detail) SELECT $1, $2, $3, $4, c.change, c.property_id, "
            "c.property_name, c.column_name, c.old_type, c.new_type, c.detail FROM jsonb_to_recordset($5) AS c("
            "change text, property_id text, property_name text, column_name text, old_type text, new_type text, "
            "detail text)",
            ["text", "bigint", "text", "text", "jsonb"],
            [user_id, typed_view_id, view, ds_id, json.dumps(changes)],
        )

    def build_typed_views(self) -> list[dict]:
        """Build the views that wait for it (``nls._build_typed_views``): [{typed_view_id, built_as, error,
        error_code}]."""
        return self._rows("SELECT typed_view_id, built_as, error, error_code FROM nls._build_typed_views()")

    def typed_view_query(self, source_id: int, ds_id: str, columns: list[dict]) -> str:
        """The SELECT text of a typed view with these columns (``nls._typed_view_query``)."""
        return self._row(
            "SELECT nls._typed_view_query($1, $2, $3) AS q",
            ["bigint", "text", "jsonb"],
            [source_id, ds_id, json.dumps(columns)],
        )["q"]
