"""The read's statements: sources, their data sources and watermarks, schemas, the stored pages (hashes, upserts,
the read's record of what it saw, pages gone, trashed or drifted)."""

from __future__ import annotations

import json

from .base import Statements


class ReadStatements(Statements):
    """The statements of the read and of the stored pages every flow writes."""

    def sources(self, database_id: str | None, database_name: str | None, user_id: str | None) -> list[dict]:
        """The enabled sources matching the filters (NULL: any), with an integration, ordered by user and id:
        {id, user_id, database_id, database_name, target, with_content}. A malformed database_id raises 22023."""
        return self._rows(
            "SELECT s.id, s.user_id, s.database_id, s.database_name, s.target, s.with_content FROM nls.sources s "
            "JOIN nls.integrations i ON i.user_id = s.user_id "
            "WHERE s.enabled AND ($1::text IS NULL OR s.user_id = $1) "
            "AND ($2::text IS NULL OR s.database_id = nls._normalize_id($2, 'database_id')) "
            "AND ($3::text IS NULL OR $2::text IS NOT NULL OR lower(s.database_name) = lower($3)) "
            "ORDER BY s.user_id, s.id",
            ["text", "text", "text"],
            [user_id, database_id, database_name],
        )

    def source_row(self, source_id: int) -> dict | None:
        """One row of nls.sources as :meth:`sources` gives them; None when there is no such source (or the session
        may not see it)."""
        return self._one(
            "SELECT id, user_id, database_id, database_name, target, with_content FROM nls.sources WHERE id = $1",
            ["bigint"],
            [source_id],
        )

    def source_id(self, user_id: str, database_id: str) -> int | None:
        row = self._one(
            "SELECT id FROM nls.sources WHERE user_id = $1 AND database_id = $2",
            ["text", "text"],
            [user_id, database_id],
        )
        return row["id"] if row else None

    def set_database_name(self, source_id: int, name: str) -> None:
        self.db.execute(
            "UPDATE nls.sources SET database_name = $2 WHERE id = $1", ["bigint", "text"], [source_id, name]
        )

    def add_source(self, user_id: str, database_id: str, target: str, name: str | None) -> int:
        """``nls.add_source`` (its checks and errors); returns the source id."""
        return self._row(
            "SELECT nls.add_source($1, $2, $3, $4) AS id",
            ["text", "text", "text", "text"],
            [user_id, database_id, target, name],
        )["id"]

    def targets_by_database_name(self) -> dict[str, str]:
        """{lower-case Notion database name: target} of nls.targets()."""
        rows = self._rows(
            "SELECT notion_database_name AS name, target FROM nls.targets() WHERE notion_database_name IS NOT NULL"
        )
        return {r["name"].lower(): r["target"] for r in rows}

    def run_plan(self, source_id: int, reconcile_interval_s: float) -> tuple[bool, bool]:
        """(whether any data source of the source has a watermark, whether its reconciliation is due: the last
        one older than ``reconcile_interval_s`` seconds, or none yet)."""
        r = self._row(
            "SELECT count(*) FILTER (WHERE watermark IS NOT NULL) > 0 AS any, "
            "coalesce(bool_or(last_full_sync_at IS NULL OR last_full_sync_at < now() - "
            "make_interval(secs => $2)), true) AS due FROM nls.sync_state WHERE source_id = $1",
            ["bigint", "float8"],
            [source_id, reconcile_interval_s],
        )
        return r["any"], r["due"]

    def read_since(self, source_id: int, ds_id: str, overlap_s: float) -> str | None:
        """Where an incremental read of the data source starts: its watermark less ``overlap_s`` seconds (ISO
        time, UTC), or None when it has none (the read is then full)."""
        row = self._one(
            "SELECT to_char((watermark - make_interval(secs => $3)) AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS since FROM nls.sync_state "
            "WHERE source_id = $1 AND data_source_id = $2 AND watermark IS NOT NULL",
            ["bigint", "text", "float8"],
            [source_id, ds_id, overlap_s],
        )
        return row["since"] if row else None

    def save_state(
        self, source_id: int, ds_id: str, name: str | None, watermark: str | None, reconciled: bool = False
    ) -> None:
        """Move the data source's watermark forward (never back; None leaves it) and, when ``reconciled``, note a
        complete reconciliation."""
        self.db.execute(
            "SELECT nls._save_state($1, $2, $3, $4::timestamptz, $5)",
            ["bigint", "text", "text", "text", "bool"],
            [source_id, ds_id, name, watermark, reconciled],
        )

    def listed_data_sources(self, source_id: int) -> list[dict] | None:
        """The data sources GET /v1/databases/{id} listed last time: [{id, name}] in the order listed, or None when
        they are unknown (never listed, or forgotten: :meth:`forget_data_sources`)."""
        rows = self._rows(
            "SELECT st.data_source_id AS id, st.data_source_name AS name, "
            "s.data_sources_listed_at IS NOT NULL AS known FROM nls.sources s "
            "LEFT JOIN nls.sync_state st ON st.source_id = s.id AND st.listed "
            "WHERE s.id = $1 ORDER BY st.data_source_id",
            ["bigint"],
            [source_id],
        )
        if not rows or not rows[0]["known"]:
            return None
        return [{"id": r["id"], "name": r["name"]} for r in rows if r["id"] is not None]

    def save_data_sources(self, source_id: int, data_sources: list[dict]) -> None:
        """Remember the data sources the database lists now ([{id, name}]): each gets a sync_state row (a new one
        without a watermark: its first read is whole), those no longer listed are marked so."""
        self.db.execute(
            "SELECT nls._save_data_sources($1, $2)",
            ["bigint", "jsonb"],
            [source_id, json.dumps([{"id": d["id"], "name": d.get("name")} for d in data_sources])],
        )

    def forget_data_sources(self, source_id: int) -> None:
        """The source's data sources are to be listed again by its next run (GET /v1/databases/{id})."""
        self.db.execute("UPDATE nls.sources SET data_sources_listed_at = NULL WHERE id = $1", ["bigint"], [source_id])

    def save_schema(self, source_id: int, ds_id: str, schema: dict) -> None:
        """Keep a schema ({name: {id, type}}) in the data source's schema history."""
        self._one(
            "SELECT nls._save_schema($1, $2, $3) AS h",
            ["bigint", "text", "jsonb"],
            [source_id, ds_id, json.dumps(schema, sort_keys=True)],
        )

    def current_schema(self, source_id: int, ds_id: str) -> dict | None:
        """The data source's schema as last recorded ({name: {id, type}}: the one ``sync_state.schema_hash`` names),
        or None when none is."""
        row = self._one(
            "SELECT d.properties::text AS p FROM nls.sync_state st JOIN nls.data_source_schemas d "
            "ON d.source_id = st.source_id AND d.data_source_id = st.data_source_id "
            "AND d.schema_hash = st.schema_hash WHERE st.source_id = $1 AND st.data_source_id = $2",
            ["bigint", "text"],
            [source_id, ds_id],
        )
        return json.loads(row["p"]) if row else None

    def pages_off_schema(self, source_id: int, ds_id: str, schema: dict) -> int:
        """How many live stored pages of the data source hold another schema than ``schema``."""
        return self._row(
            "SELECT nls._pages_off_schema($1, $2, $3) AS n",
            ["bigint", "text", "jsonb"],
            [source_id, ds_id, json.dumps(schema)],
        )["n"]

    def stored_hashes(self, source_id: int, page_ids: list[str]) -> dict[str, dict]:
        """{page id: {sync_hash, has_content, gone}} of the pages already stored."""
        return {
            r["page_id"]: r
            for r in self._rows(
                "SELECT page_id, sync_hash, has_content, gone FROM nls._stored_hashes($1, $2)",
                ["bigint", "text[]"],
                [source_id, page_ids],
            )
        }

    def upsert_pages(self, source_id: int, user_id: str, rows: list[dict]) -> tuple[int, int]:
        """Write the staged rows (``nls._upsert_pages``: only changed hashes, never an older copy over a newer one)
        and their relation edges, together or not at all. Returns (added, updated); raises ``self.error``."""
        with self.db.subtransaction():
            r = self._row(
                "SELECT added, updated FROM nls._upsert_pages($1, $2, $3)",
                ["bigint", "text", "jsonb"],
                [source_id, user_id, json.dumps(rows, ensure_ascii=False)],
            )
            self._one(
                "SELECT nls._write_edges($1, $2) AS n",
                ["bigint", "text[]"],
                [source_id, [row["page_id"] for row in rows]],
            )
        return r["added"], r["updated"]

    def seen_begin(self) -> None:
        """Begin a read's record of the rows it handed on (``pg_temp._nls_seen``, emptied)."""
        self.db.execute("SELECT nls._seen_begin()")

    def seen_fresh(self, rows: list[tuple[str, str]]) -> tuple[set[str], int]:
        """Record an answer's rows [(page id, last_edited_time)]: returns (the ids new to the read or edited since
        it handed them on, how many of them are new to it)."""
        ids, times = [r[0] for r in rows], [r[1] for r in rows]
        out = self._rows("SELECT page_id, is_new FROM nls._seen_fresh($1, $2)", ["text[]", "text[]"], [ids, times])
        return {r["page_id"] for r in out}, sum(1 for r in out if r["is_new"])

    def unseen_pages(self, source_id: int, ds_id: str) -> list[str]:
        """Live stored pages of the data source that the complete read just made (its record, :meth:`seen_begin`)
        did not return."""
        return [
            r["page_id"]
            for r in self._rows("SELECT nls._unseen_pages($1, $2) AS page_id", ["bigint", "text"], [source_id, ds_id])
        ]

    def mark_gone(self, source_id: int, page_id: str) -> None:
        """A page Notion answered 404 for: ``deleted_at`` is set, nothing is dropped."""
        self.db.execute("SELECT nls._mark_gone($1, $2)", ["bigint", "text"], [source_id, page_id])

    def mark_trashed(self, user_id: str, pages: list[dict]) -> int:
        """Mark the user's stored pages trashed (``nls._mark_trashed``): ``pages`` [{page_id, last_edited_time?,
        sync_hash?, event_time?}]; returns how many were marked (live stored pages not newer than the given time)."""
        return self._row("SELECT nls._mark_trashed($1, $2) AS n", ["text", "jsonb"], [user_id, json.dumps(pages)])["n"]

    def drifted_pages(self, source_id: int, pages: list[dict]) -> list[str]:
        """Of ``pages`` ([{id, last_edited_time, in_trash, computed}]), the ids that differ from the stored copy."""
        return [
            r["id"]
            for r in self._rows(
                "SELECT nls._drifted_pages($1, $2) AS id", ["bigint", "jsonb"], [source_id, json.dumps(pages)]
            )
        ]
