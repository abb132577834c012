"""Every SQL statement the engine runs, each a named method of :class:`Store`, and no statement anywhere else.

The set-based work is in SQL functions (``sql/10_engine.sql``: ``nls._upsert_pages``, ``nls._begin_run``, ...);
the statements here call them or read a row. Arguments are always bound (``$1``...), never formatted into the text.
Each statement runs in its own subtransaction (:class:`nls_engine.db.Db`), so an SQL error never leaves the caller's
transaction unusable. A test checks that no other module of the engine holds SQL text.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any

from .db import Db


class Store:
    """The engine's view of the ``nls`` schema. ``db`` is a :class:`Db` (plpy inside PostgreSQL)."""

    def __init__(self, db: Db):
        self.db = db
        self.error = db.error   # the exception an SQL error raises (plpy.SPIError)

    def _one(self, sql: str, types=(), args=()) -> dict | None:
        return self.db.one(sql, types, args)

    def _rows(self, sql: str, types=(), args=()) -> list[dict]:
        return [dict(r) for r in self.db.execute(sql, types, args)]

    # -- settings and the session ---------------------------------------------------------------------------
    def settings_rows(self) -> list[dict]:
        """Every row of the settings catalogue: {name, value, type}."""
        return self._rows("SELECT name, value, type FROM nls.settings")

    def acting_user(self) -> str | None:
        """The user this session acts for (the ``nls.user_id`` setting), or None."""
        return self._one("SELECT current_setting('nls.user_id', true) AS v")["v"] or None

    def check_interrupts(self) -> None:
        """Let PostgreSQL process a pending cancel, statement_timeout or terminate (any statement does): a cancel
        raises ``query_canceled`` here, a terminate ends the backend here."""
        self.db.check_interrupts()

    @staticmethod
    def interrupted(error: BaseException) -> bool:
        """Whether ``error`` is PostgreSQL stopping the statement (a cancel or statement_timeout: SQLSTATE 57014),
        which the engine must pass on to its caller, not record and carry on."""
        return getattr(error, "sqlstate", None) == "57014"

    def act_as(self, user_id: str | None) -> None:
        """Act for ``user_id`` (row-level security reads ``nls.user_id``); None or '' for nobody."""
        self.db.execute("SELECT set_config('nls.user_id', $1, false)", ["text"], [user_id or ""])

    # -- integrations (tokens, workspaces) --------------------------------------------------------------------
    def integration(self, user_id: str) -> dict | None:
        """The user's integration as this session may see it, with what runs noted about it
        (``nls._integration_now``): token ciphertext, nonce, key version, status, workspace id, bot id; None when
        there is none."""
        return self._one("SELECT i.token_ciphertext, i.token_nonce, i.key_version, n.status, n.workspace_id, n.bot_id "
                         "FROM nls.integrations i, nls._integration_now(i.id) n WHERE i.user_id = $1", ["text"],
                         [user_id])

    def has_integration(self, user_id: str) -> bool:
        return self._one("SELECT count(*) AS n FROM nls.integrations WHERE user_id = $1", ["text"], [user_id])["n"] > 0

    def save_token(self, user_id: str, key_version: int, nonce: bytes, ciphertext: bytes, workspace_id, workspace_name,
                   workspace_icon, bot_id) -> int:
        """Store (or replace) a user's encrypted token and set the integration active; returns its id."""
        return self._one(
            "INSERT INTO nls.integrations AS i (user_id, token_ciphertext, token_nonce, key_version, workspace_id, "
            "workspace_name, workspace_icon, bot_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
            "ON CONFLICT (user_id) DO UPDATE SET token_ciphertext = excluded.token_ciphertext, "
            "token_nonce = excluded.token_nonce, key_version = excluded.key_version, "
            "workspace_id = coalesce(excluded.workspace_id, i.workspace_id), "
            "workspace_name = coalesce(excluded.workspace_name, i.workspace_name), "
            "workspace_icon = coalesce(excluded.workspace_icon, i.workspace_icon), "
            "bot_id = coalesce(excluded.bot_id, i.bot_id), status = 'active', updated_at = now() RETURNING id",
            ["text", "bytea", "bytea", "int", "text", "text", "text", "text"],
            [user_id, ciphertext, nonce, key_version, workspace_id, workspace_name, workspace_icon, bot_id])["id"]

    def tokens_to_rotate(self, newest: int) -> list[dict]:
        """Every integration not under key version ``newest``, locked for an update of its token (FOR NO KEY UPDATE:
        a run that holds the row's key share, through its source's foreign key, does not hold it up): {user_id,
        token_ciphertext, token_nonce, key_version}."""
        return self._rows("SELECT user_id, token_ciphertext, token_nonce, key_version FROM nls.integrations "
                          "WHERE key_version <> $1 ORDER BY user_id FOR NO KEY UPDATE", ["int"], [newest])

    def replace_token(self, user_id: str, key_version: int, nonce: bytes, ciphertext: bytes) -> None:
        self.db.execute("UPDATE nls.integrations SET token_ciphertext = $2, token_nonce = $3, key_version = $4, "
                        "updated_at = now() WHERE user_id = $1", ["text", "bytea", "bytea", "int"],
                        [user_id, ciphertext, nonce, key_version])

    def tokens_at(self, key_version: int) -> int:
        """How many integrations are under key version ``key_version``."""
        return self._one("SELECT count(*) AS n FROM nls.integrations WHERE key_version = $1", ["int"],
                         [key_version])["n"]

    def mark_needs_reauth(self, user_id: str) -> None:
        """Notion refused the token itself (401): the integration waits for a new one (a note: see :meth:`_note`)."""
        self._note(user_id, refused=True)

    def save_workspace(self, user_id: str, workspace_id: str, workspace_name: str | None) -> None:
        """Record the workspace a token turned out to be in (``GET /v1/users/me``; a note: see :meth:`_note`)."""
        self._note(user_id, workspace_id=workspace_id, workspace_name=workspace_name)

    def save_bot_id(self, user_id: str, bot_id: str) -> None:
        """Record the id of the integration's bot user (the author of nls's own writes; a note: see :meth:`_note`)."""
        self._note(user_id, bot_id=bot_id)

    def _note(self, user_id: str, workspace_id: str | None = None, workspace_name: str | None = None,
              bot_id: str | None = None, trash_checked_at: str | None = None, refused: bool = False) -> None:
        """Note what a run learned about the user's integration in ``nls.integration_notes`` (``refused``: Notion
        refused the token stored now): an insert, which locks no row another session needs, so that a run never
        waits on another session for it nor holds one up; it is folded into ``nls.integrations`` as the run's
        transaction commits, and read with the integration until then (:meth:`integration`)."""
        self.db.execute("INSERT INTO nls.integration_notes (integration_id, user_id, workspace_id, workspace_name, "
                        "bot_id, trash_checked_at, refused_nonce) SELECT i.id, i.user_id, $2, $3, $4, $5::timestamptz, "
                        "CASE WHEN $6 THEN i.token_nonce END FROM nls.integrations i WHERE i.user_id = $1",
                        ["text", "text", "text", "text", "text", "bool"],
                        [user_id, workspace_id, workspace_name, bot_id, trash_checked_at, refused])

    def take_budget(self, user_id: str, workspace_id: str | None, rate: float, workspace_rate: float,
                    burst: float) -> tuple[float, bool]:
        """One request of the user's token in the budgets every backend shares (``nls._take_budget``): ``rate``
        and ``workspace_rate`` requests a second, ``burst`` at once (less one kept for jitter). Returns (seconds to
        wait before sending it, reserved); not reserved: wait, then ask again."""
        r = self._one("SELECT wait_s, reserved FROM nls._take_budget($1, $2, $3, $4, $5)",
                      ["text", "text", "float8", "float8", "float8"], [user_id, workspace_id, rate, workspace_rate, burst])
        return r["wait_s"], r["reserved"]

    def hold_budget(self, kind: str, key: str | None, seconds: float, rate: float, burst: float) -> bool:
        """Notion asked to wait ``seconds`` (a 429) for a budget (kind ``token``: key the user id; ``workspace``:
        its id, None while not known): no backend's request of it starts before (``nls._hold_budget``). False when
        it could not be noted (every register in use)."""
        return self._one("SELECT nls._hold_budget($1, $2, $3, $4, $5) AS held",
                         ["text", "text", "float8", "float8", "float8"], [kind, key, seconds, rate, burst])["held"]

    def clock(self) -> str:
        """The database's clock now (clock_timestamp(), ISO text)."""
        return self._one("SELECT clock_timestamp()::text AS t")["t"]

    def trash_since(self, user_id: str, overlap_s: float) -> str | None:
        """Where the next look at the user's trash reads back to: the last look's start less ``overlap_s`` (ISO,
        UTC, milliseconds as Notion writes them), or None before the first look."""
        row = self._one("SELECT to_char((n.trash_checked_at - make_interval(secs => $2)) AT TIME ZONE 'UTC', "
                        "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS since FROM nls.integrations i, "
                        "nls._integration_now(i.id) n WHERE i.user_id = $1", ["text", "float8"], [user_id, overlap_s])
        return row["since"] if row else None

    def save_trash_checked(self, user_id: str, began: str) -> None:
        """The look at the user's trash that began at ``began`` (timestamptz text) is done (a note: see
        :meth:`_note`)."""
        self._note(user_id, trash_checked_at=began)

    def mark_trashed(self, user_id: str, pages: list[dict]) -> int:
        """Mark the user's stored pages trashed (``nls._mark_trashed``): ``pages`` [{page_id, last_edited_time?,
        sync_hash?, event_time?}]; returns how many were marked (live stored pages not newer than the given time)."""
        return self._one("SELECT nls._mark_trashed($1, $2) AS n", ["text", "jsonb"],
                         [user_id, json.dumps(pages)])["n"]

    # -- sources --------------------------------------------------------------------------------------------
    def sources(self, database_id: str | None, database_name: str | None, user_id: str | None) -> list[dict]:
        """The enabled sources matching the filters (NULL: any), with an integration, ordered by user and id:
        {id, user_id, database_id, database_name, target, with_content}. A malformed database_id raises 22023."""
        return self._rows(
            "SELECT s.id, s.user_id, s.database_id, s.database_name, s.target, s.with_content FROM nls.sources s "
            "JOIN nls.integrations i ON i.user_id = s.user_id "
            "WHERE s.enabled AND ($1::text IS NULL OR s.user_id = $1) "
            "AND ($2::text IS NULL OR s.database_id = nls._normalize_id($2, 'database_id')) "
            "AND ($3::text IS NULL OR $2::text IS NOT NULL OR lower(s.database_name) = lower($3)) "
            "ORDER BY s.user_id, s.id", ["text", "text", "text"], [user_id, database_id, database_name])

    def set_database_name(self, source_id: int, name: str) -> None:
        self.db.execute("UPDATE nls.sources SET database_name = $2 WHERE id = $1", ["bigint", "text"], [source_id, name])

    def source_id(self, user_id: str, database_id: str) -> int | None:
        row = self._one("SELECT id FROM nls.sources WHERE user_id = $1 AND database_id = $2", ["text", "text"],
                        [user_id, database_id])
        return row["id"] if row else None

    def add_source(self, user_id: str, database_id: str, target: str, name: str | None) -> int:
        """``nls.add_source`` (its checks and errors); returns the source id."""
        return self._one("SELECT nls.add_source($1, $2, $3, $4) AS id", ["text", "text", "text", "text"],
                         [user_id, database_id, target, name])["id"]

    def targets_by_database_name(self) -> dict[str, str]:
        """{lower-case Notion database name: target} of nls.targets()."""
        rows = self._rows("SELECT notion_database_name AS name, target FROM nls.targets() "
                          "WHERE notion_database_name IS NOT NULL")
        return {r["name"].lower(): r["target"] for r in rows}

    # -- runs -----------------------------------------------------------------------------------------------
    def try_lock_source(self, source_id: int) -> bool:
        """The source's advisory lock (session level), if nobody holds it."""
        return self._one("SELECT pg_try_advisory_lock(nls._lock_key(), $1::int) AS ok", ["bigint"], [source_id])["ok"]

    def unlock_source(self, source_id: int) -> None:
        self._one("SELECT pg_advisory_unlock(nls._lock_key(), $1::int) AS ok", ["bigint"], [source_id])

    def try_lock_user(self, kind: str, user_id: str) -> bool:
        """The user's advisory lock for a flow of ``kind`` (notion_trash, notion_webhook; session level), if nobody
        holds it."""
        return self._one("SELECT pg_try_advisory_lock(nls._lock_class('user_flow'), hashtext($1 || ':' || $2)) "
                         "AS ok", ["text", "text"], [kind, user_id])["ok"]

    def unlock_user(self, kind: str, user_id: str) -> None:
        self._one("SELECT pg_advisory_unlock(nls._lock_class('user_flow'), hashtext($1 || ':' || $2)) AS ok",
                  ["text", "text"], [kind, user_id])

    def begin_user_run(self, user_id: str, sync_type: str) -> str:
        """A running nls.sync_log row of a user's flow (no source: the trash listing, webhook events, the Anki steps;
        the user's stale rows of that flow closed first); returns its id."""
        return str(self._one("SELECT nls._begin_run(NULL, $1, $2, NULL) AS id", ["text", "text"],
                             [user_id, sync_type])["id"])

    def run_plan(self, source_id: int, reconcile_interval_s: float) -> tuple[bool, bool]:
        """(whether any data source of the source has a watermark, whether its reconciliation is due: the last
        one older than ``reconcile_interval_s`` seconds, or none yet)."""
        r = self._one("SELECT count(*) FILTER (WHERE watermark IS NOT NULL) > 0 AS any, "
                      "coalesce(bool_or(last_full_sync_at IS NULL OR last_full_sync_at < now() - "
                      "make_interval(secs => $2)), true) AS due FROM nls.sync_state WHERE source_id = $1",
                      ["bigint", "float8"], [source_id, reconcile_interval_s])
        return r["any"], r["due"]

    def begin_run(self, source_id: int, user_id: str, sync_type: str, notion_version: str) -> str:
        """A running nls.sync_log row (stale running rows of the source closed first); returns its id."""
        return str(self._one("SELECT nls._begin_run($1, $2, $3, $4) AS id", ["bigint", "text", "text", "text"],
                             [source_id, user_id, sync_type, notion_version])["id"])

    def finish_run(self, log_id: str, report: Any) -> None:
        """Close a sync_log row from a :class:`nls_engine.report.RunReport`."""
        self.db.execute("SELECT nls._finish_run($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                        ["uuid", "text", "int", "int", "int", "int", "int", "int", "text", "text", "jsonb"],
                        [log_id, report.status.value, report.processed, report.added, report.updated, report.removed,
                         report.requests_made, report.retries, report.error_code, report.error_message,
                         json.dumps(report.details())])

    def progress_run(self, log_id: str, report: Any) -> None:
        """Write a running sync_log row's counts so far (with each batch the scheduled procedure commits)."""
        self.db.execute("SELECT nls._progress_run($1, $2, $3, $4, $5, $6, $7, $8)",
                        ["uuid", "int", "int", "int", "int", "int", "int", "jsonb"],
                        [log_id, report.processed, report.added, report.updated, report.removed,
                         report.requests_made, report.retries, json.dumps(report.details())])

    def round_waiting(self) -> str | None:
        """The schedule's round that has a user nobody took yet (``nls._round_waiting``), or None."""
        return self._one("SELECT nls._round_waiting()::text AS r")["r"]

    def close_stale_runs(self) -> int:
        """Close as failed the running rows whose backend is gone; returns how many sources had some."""
        return self._one("SELECT nls._close_stale_runs() AS n")["n"]

    # -- data sources: watermarks, schemas ------------------------------------------------------------------
    def read_since(self, source_id: int, ds_id: str, overlap_s: float) -> str | None:
        """Where an incremental read of the data source starts: its watermark less ``overlap_s`` seconds (ISO
        time, UTC), or None when it has none (the read is then full)."""
        row = self._one("SELECT to_char((watermark - make_interval(secs => $3)) AT TIME ZONE 'UTC', "
                        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS since FROM nls.sync_state "
                        "WHERE source_id = $1 AND data_source_id = $2 AND watermark IS NOT NULL",
                        ["bigint", "text", "float8"], [source_id, ds_id, overlap_s])
        return row["since"] if row else None

    def save_state(self, source_id: int, ds_id: str, name: str | None, watermark: str | None,
                   reconciled: bool = False) -> None:
        """Move the data source's watermark forward (never back; None leaves it) and, when ``reconciled``, note a
        complete reconciliation."""
        self.db.execute("SELECT nls._save_state($1, $2, $3, $4::timestamptz, $5)",
                        ["bigint", "text", "text", "text", "bool"], [source_id, ds_id, name, watermark, reconciled])

    def listed_data_sources(self, source_id: int) -> list[dict] | None:
        """The data sources GET /v1/databases/{id} listed last time: [{id, name}] in the order listed, or None when
        they are unknown (never listed, or forgotten: :meth:`forget_data_sources`)."""
        rows = self._rows("SELECT st.data_source_id AS id, st.data_source_name AS name, "
                          "s.data_sources_listed_at IS NOT NULL AS known FROM nls.sources s "
                          "LEFT JOIN nls.sync_state st ON st.source_id = s.id AND st.listed "
                          "WHERE s.id = $1 ORDER BY st.data_source_id", ["bigint"], [source_id])
        if not rows or not rows[0]["known"]:
            return None
        return [{"id": r["id"], "name": r["name"]} for r in rows if r["id"] is not None]

    def save_data_sources(self, source_id: int, data_sources: list[dict]) -> None:
        """Remember the data sources the database lists now ([{id, name}]): each gets a sync_state row (a new one
        without a watermark: its first read is whole), those no longer listed are marked so."""
        self.db.execute("SELECT nls._save_data_sources($1, $2)", ["bigint", "jsonb"],
                        [source_id, json.dumps([{"id": d["id"], "name": d.get("name")} for d in data_sources])])

    def forget_data_sources(self, source_id: int) -> None:
        """The source's data sources are to be listed again by its next run (GET /v1/databases/{id})."""
        self.db.execute("UPDATE nls.sources SET data_sources_listed_at = NULL WHERE id = $1", ["bigint"], [source_id])

    def save_schema(self, source_id: int, ds_id: str, schema: dict) -> None:
        """Keep a schema ({name: {id, type}}) in the data source's schema history."""
        self._one("SELECT nls._save_schema($1, $2, $3) AS h", ["bigint", "text", "jsonb"],
                  [source_id, ds_id, json.dumps(schema, sort_keys=True)])

    def pages_off_schema(self, source_id: int, ds_id: str, schema: dict) -> int:
        """How many live stored pages of the data source hold another schema than ``schema``."""
        return self._one("SELECT nls._pages_off_schema($1, $2, $3) AS n", ["bigint", "text", "jsonb"],
                         [source_id, ds_id, json.dumps(schema)])["n"]

    # -- pages ----------------------------------------------------------------------------------------------
    def stored_hashes(self, source_id: int, page_ids: list[str]) -> dict[str, dict]:
        """{page id: {sync_hash, has_content, gone}} of the pages already stored."""
        return {r["page_id"]: r for r in self._rows(
            "SELECT page_id, sync_hash, has_content, gone FROM nls._stored_hashes($1, $2)", ["bigint", "text[]"],
            [source_id, page_ids])}

    def upsert_pages(self, source_id: int, user_id: str, rows: list[dict]) -> tuple[int, int]:
        """Write the staged rows (``nls._upsert_pages``: only changed hashes, never an older copy over a newer one)
        and their relation edges, together or not at all. Returns (added, updated); raises ``self.error``."""
        with self.db.subtransaction():
            r = self._one("SELECT added, updated FROM nls._upsert_pages($1, $2, $3)", ["bigint", "text", "jsonb"],
                          [source_id, user_id, json.dumps(rows, ensure_ascii=False)])
            self._one("SELECT nls._write_edges($1, $2) AS n", ["bigint", "text[]"],
                      [source_id, [row["page_id"] for row in rows]])
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
        return [r["page_id"] for r in self._rows("SELECT nls._unseen_pages($1, $2) AS page_id", ["bigint", "text"],
                                                 [source_id, ds_id])]

    def mark_gone(self, source_id: int, page_id: str) -> None:
        """A page Notion answered 404 for: ``deleted_at`` is set, nothing is dropped."""
        self.db.execute("SELECT nls._mark_gone($1, $2)", ["bigint", "text"], [source_id, page_id])

    def drifted_pages(self, source_id: int, pages: list[dict]) -> list[str]:
        """Of ``pages`` ([{id, last_edited_time, in_trash, computed}]), the ids that differ from the stored copy."""
        return [r["id"] for r in self._rows("SELECT nls._drifted_pages($1, $2) AS id", ["bigint", "jsonb"],
                                            [source_id, json.dumps(pages)])]

    # -- the cleaning pipeline and the schedule's rounds ----------------------------------------------------
    def clean(self, user_id: str) -> dict:
        """``nls.clean(user_id)``: its JSON answer (a failure is in the answer, never raised)."""
        return json.loads(self._one("SELECT nls.clean($1)::text AS r", ["text"], [user_id])["r"])

    def claim_sync_user(self, round_: str | None) -> tuple[str | None, str | None]:
        """(round, next user of the round) for a scheduled worker; the user is None when none is left."""
        r = self._one("SELECT p_round::text AS r, p_user AS u FROM nls._claim_sync_user($1::timestamptz)", ["text"],
                      [round_])
        return r["r"], r["u"]

    def finish_sync_user(self, round_: str, user_id: str, status: str) -> None:
        self.db.execute("SELECT nls._finish_sync_user($1::timestamptz, $2, $3)", ["text", "text", "text"],
                        [round_, user_id, status])

    # -- Anki (sql/60_anki.sql; the flow: anki_sync.py) -----------------------------------------------------
    def anki_account(self, user_id: str) -> dict | None:
        """The user's Anki account as this session may see it: {id, endpoint, credential_kind,
        credential_ciphertext, credential_nonce, key_version, status}; None when there is none."""
        return self._one("SELECT id, endpoint, credential_kind, credential_ciphertext, credential_nonce, key_version, "
                         "status FROM nls.anki_accounts WHERE user_id = $1", ["text"], [user_id])

    def save_anki_account(self, user_id: str, endpoint: str | None, kind: str, key_version: int, nonce: bytes,
                          ciphertext: bytes, forget_collection: bool) -> int:
        """Store (or replace) a user's encrypted Anki credential and set the account active; with
        ``forget_collection`` (another account or endpoint) the collection nls kept and its notes go. Returns the
        account id."""
        with self.db.subtransaction():
            if forget_collection:
                self.db.execute("DELETE FROM nls.anki_collections WHERE user_id = $1", ["text"], [user_id])
                self.db.execute("DELETE FROM nls.anki_notes WHERE user_id = $1", ["text"], [user_id])
            return self._one(
                "INSERT INTO nls.anki_accounts AS a (user_id, endpoint, credential_kind, key_version, credential_nonce, "
                "credential_ciphertext) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE "
                "SET endpoint = excluded.endpoint, credential_kind = excluded.credential_kind, "
                "credential_ciphertext = excluded.credential_ciphertext, credential_nonce = excluded.credential_nonce, "
                "key_version = excluded.key_version, status = 'active', updated_at = now() RETURNING id",
                ["text", "text", "text", "int", "bytea", "bytea"],
                [user_id, endpoint, kind, key_version, nonce, ciphertext])["id"]

    def replace_anki_credential(self, user_id: str, kind: str, key_version: int, nonce: bytes,
                                ciphertext: bytes) -> None:
        """Keep the session key a login returned (the password goes), or a credential under a newer key."""
        self.db.execute("UPDATE nls.anki_accounts SET credential_kind = $2, key_version = $3, credential_nonce = $4, "
                        "credential_ciphertext = $5, updated_at = now() WHERE user_id = $1",
                        ["text", "text", "int", "bytea", "bytea"], [user_id, kind, key_version, nonce, ciphertext])

    def anki_needs_reauth(self, user_id: str) -> None:
        """The endpoint refused the login or the session key: the account waits for add_anki_account."""
        self.db.execute("UPDATE nls.anki_accounts SET status = 'needs_reauth', updated_at = now() "
                        "WHERE user_id = $1 AND status = 'active'", ["text"], [user_id])

    def anki_credentials_to_rotate(self, newest: int) -> list[dict]:
        """Every Anki credential not under key version ``newest``, locked."""
        return self._rows("SELECT user_id, credential_kind, credential_ciphertext, credential_nonce, key_version "
                          "FROM nls.anki_accounts WHERE key_version <> $1 ORDER BY user_id FOR UPDATE", ["int"],
                          [newest])

    def active_anki_account(self, user_id: str) -> bool:
        """Whether the user has an active Anki account (the schedule syncs it after the Notion read)."""
        return self._one("SELECT count(*) AS n FROM nls.anki_accounts WHERE user_id = $1 AND status = 'active'",
                         ["text"], [user_id])["n"] > 0

    def try_lock_anki(self, account_id: int) -> bool:
        """The user's Anki advisory lock (session level), if nobody holds it."""
        return self._one("SELECT pg_try_advisory_lock(nls._anki_lock_key(), $1::int) AS ok", ["bigint"],
                         [account_id])["ok"]

    def unlock_anki(self, account_id: int) -> None:
        self._one("SELECT pg_advisory_unlock(nls._anki_lock_key(), $1::int) AS ok", ["bigint"], [account_id])

    def anki_collection(self, user_id: str) -> bytes | None:
        """The collection file nls keeps for the user, or None before the first exchange."""
        row = self._one("SELECT collection FROM nls.anki_collections WHERE user_id = $1", ["text"], [user_id])
        return bytes(row["collection"]) if row else None

    def save_anki_collection(self, user_id: str, data: bytes) -> None:
        self.db.execute("INSERT INTO nls.anki_collections AS c (user_id, collection, bytes) VALUES ($1, $2, $3) "
                        "ON CONFLICT (user_id) DO UPDATE SET collection = excluded.collection, bytes = excluded.bytes, "
                        "saved_at = now()", ["text", "bytea", "int"], [user_id, data, len(data)])

    def anki_atoms(self, user_id: str) -> list[dict]:
        """The user's flashcard and cloze atoms with their deck and tag names (``nls._anki_atoms``)."""
        return self._rows("SELECT atom_id::text, notion_id, card_id, atom_type, front, back, program, track, module, "
                          "area, cluster, concept, anki_note_id, anki_deck FROM nls._anki_atoms($1)", ["text"], [user_id])

    def anki_notes(self, user_id: str) -> dict[str, dict]:
        """{guid: {atom_key, notetype, note_id, content_hash, fields_hash, removed, deleted}} of the notes nls put
        into the user's collection."""
        return {r["guid"]: r for r in self._rows(
            "SELECT guid, atom_key, notetype, note_id, content_hash, fields_hash, removed_at IS NOT NULL AS removed, "
            "deleted_at IS NOT NULL AS deleted FROM nls.anki_notes WHERE user_id = $1", ["text"], [user_id])}

    def anki_pushed(self, user_id: str, rows: list[dict]) -> int:
        """Record the notes a push wrote (``nls._anki_pushed``); returns the atoms updated."""
        return self._one("SELECT nls._anki_pushed($1, $2) AS n", ["text", "jsonb"],
                         [user_id, json.dumps(rows, ensure_ascii=False)])["n"]

    def anki_pull_rows(self, user_id: str) -> list[dict]:
        """The notes a pull reads, with their atoms (``nls._anki_pull_rows``)."""
        return self._rows("SELECT guid, note_id, fields_hash, edit_hash, reviews, atom_id::text, atom_type, front, "
                          "back, stats FROM nls._anki_pull_rows($1)", ["text"], [user_id])

    def anki_pulled(self, user_id: str, rows: list[dict]) -> dict:
        """Record what a pull read (``nls._anki_pulled``): {atoms, edits, deleted}."""
        return self._one("SELECT atoms, edits, deleted FROM nls._anki_pulled($1, $2)", ["text", "jsonb"],
                         [user_id, json.dumps(rows, ensure_ascii=False)])
    # -- webhooks (sql/85_webhooks.sql; the flow: webhooks.py) --------------------------------------------------
    def webhook_subscription(self, path: str | None = None, user_id: str | None = None) -> dict | None:
        """The subscription served on ``path`` (as nls.webhook_receive, its owner, sees it), or the one of
        ``user_id`` (as this session sees it): {user_id, armed, token_ciphertext, token_nonce, key_version,
        subscription_id, token_shown_at}; None when there is none."""
        return self._one("SELECT user_id, armed_until > now() AS armed, token_ciphertext, token_nonce, key_version, "
                         "subscription_id, token_shown_at FROM nls.webhook_subscriptions "
                         "WHERE path = $1 OR user_id = $2", ["text", "text"], [path, user_id])

    def webhook_refused(self, path: str) -> None:
        """Count a delivery refused on ``path`` (nothing of it is stored)."""
        self.db.execute("UPDATE nls.webhook_subscriptions SET refused = refused + 1 WHERE path = $1", ["text"], [path])

    def save_webhook_token(self, path: str, key_version: int, nonce: bytes, ciphertext: bytes) -> None:
        """Keep the verification token Notion's handshake brought (encrypted); the path is disarmed, the token is
        to be shown once and confirmed in Notion, and the next signed delivery names the subscription."""
        self.db.execute("UPDATE nls.webhook_subscriptions SET token_ciphertext = $2, token_nonce = $3, "
                        "key_version = $4, armed_until = NULL, verified_at = NULL, token_shown_at = NULL, "
                        "subscription_id = NULL WHERE path = $1", ["text", "bytea", "bytea", "int"],
                        [path, ciphertext, nonce, key_version])

    def save_webhook_event(self, path: str, event: dict) -> None:
        """Store a verified event once per event id (``nls._save_webhook_event``)."""
        self.db.execute("SELECT nls._save_webhook_event($1, $2)", ["text", "jsonb"],
                        [path, json.dumps(event, ensure_ascii=False)])

    def webhook_token_shown(self, user_id: str) -> None:
        self.db.execute("UPDATE nls.webhook_subscriptions SET token_shown_at = now() WHERE user_id = $1", ["text"],
                        [user_id])

    def pending_events(self, user_id: str, limit: int) -> list[dict]:
        """Up to ``limit`` of the user's events not applied yet, oldest first, locked (another run skips them):
        {event_id, event_type, entity_id, entity_type, payload}."""
        rows = self._rows("SELECT event_id, event_type, entity_id, entity_type, payload::text AS payload "
                          "FROM nls.webhook_events WHERE user_id = $1 AND applied_at IS NULL "
                          "ORDER BY received_at, event_id LIMIT $2 FOR UPDATE SKIP LOCKED", ["text", "int"],
                          [user_id, limit])
        return [{**r, "payload": json.loads(r["payload"])} for r in rows]

    def events_applied(self, user_id: str, outcomes: list[dict], log_id: str | None) -> None:
        """Mark events applied with their outcome ([{event_id, outcome}]) and the run that applied them."""
        self.db.execute("UPDATE nls.webhook_events e SET applied_at = now(), outcome = o.outcome, sync_log_id = $3 "
                        "FROM jsonb_to_recordset($2) AS o(event_id text, outcome text) "
                        "WHERE e.user_id = $1 AND e.event_id = o.event_id", ["text", "jsonb", "uuid"],
                        [user_id, json.dumps(outcomes), log_id])

    def users_with_events(self) -> list[str]:
        """Every user with webhook events waiting (``nls._webhook_users``: the scheduled job sees every user)."""
        return [r["u"] for r in self._rows("SELECT nls._webhook_users() AS u")]

    def pending_count(self, user_id: str) -> int:
        """How many of the user's webhook events this session sees waiting."""
        return self._one("SELECT count(*) AS n FROM nls.webhook_events WHERE user_id = $1 AND applied_at IS NULL",
                         ["text"], [user_id])["n"]

    def pending_users(self) -> list[str]:
        """The users whose waiting webhook events this session sees (row-level security)."""
        return [r["user_id"] for r in self._rows("SELECT DISTINCT user_id FROM nls.webhook_events "
                                                 "WHERE applied_at IS NULL ORDER BY 1")]

    def integration_bot(self, user_id: str) -> str | None:
        """The integration's bot user id (its own writes come back as events it authored), when known."""
        row = self.integration(user_id)
        return row["bot_id"] if row else None

    def locate_pages(self, user_id: str, page_ids: list[str]) -> dict[str, dict]:
        """{page id: {source_id, data_source_id}} of the user's stored pages among ``page_ids`` (of an enabled
        source; when several store one page, a live copy before one marked gone (a page that moved), then the first
        source by id)."""
        return {r["page_id"]: r for r in self._rows(
            "SELECT DISTINCT ON (p.page_id) p.page_id, p.source_id, p.data_source_id FROM nls.stg_notion_pages p "
            "JOIN nls.sources s ON s.id = p.source_id AND s.enabled WHERE p.user_id = $1 AND p.page_id = ANY ($2) "
            "ORDER BY p.page_id, p.deleted_at IS NOT NULL, p.source_id", ["text", "text[]"], [user_id, page_ids])}

    def locate_data_sources(self, user_id: str, ds_ids: list[str]) -> dict[str, dict]:
        """{data source id: {source_id, data_source_id}} of the data sources among ``ds_ids`` that the user's
        enabled sources read."""
        return {r["data_source_id"]: r for r in self._rows(
            "SELECT DISTINCT ON (st.data_source_id) st.data_source_id, st.source_id FROM nls.sync_state st "
            "JOIN nls.sources s ON s.id = st.source_id AND s.enabled AND s.user_id = $1 "
            "WHERE st.data_source_id = ANY ($2) AND st.listed ORDER BY st.data_source_id, st.source_id",
            ["text", "text[]"], [user_id, ds_ids])}

    def forget_listing(self, user_id: str, ids: list[str]) -> int:
        """The user's sources whose database, or one of whose data sources, is among ``ids`` list their data
        sources again on their next run; returns how many sources."""
        if not ids:
            return 0
        return len(self._rows(
            "UPDATE nls.sources s SET data_sources_listed_at = NULL WHERE s.user_id = $1 AND (s.database_id = ANY ($2) "
            "OR EXISTS (SELECT 1 FROM nls.sync_state st WHERE st.source_id = s.id AND st.data_source_id = ANY ($2))) "
            "RETURNING s.id", ["text", "text[]"], [user_id, ids]))

    def source_row(self, source_id: int) -> dict:
        """One row of nls.sources as :meth:`sources` gives them."""
        return self._one("SELECT id, user_id, database_id, database_name, target, with_content FROM nls.sources "
                         "WHERE id = $1", ["bigint"], [source_id])

    # -- typed views (sql/70_typed_views.sql) ----------------------------------------------------------------
    def typed_sources(self, database_id: str | None, user_id: str | None) -> list[dict]:
        """The sources this session sees of ``database_id`` and/or ``user_id`` (NULL: any), enabled or not:
        {id, user_id, database_id, database_name}. A malformed database_id raises 22023."""
        return self._rows(
            "SELECT s.id, s.user_id, s.database_id, s.database_name FROM nls.sources s "
            "WHERE ($1::text IS NULL OR s.user_id = $1) "
            "AND ($2::text IS NULL OR s.database_id = nls._normalize_id($2, 'database_id')) ORDER BY s.user_id, s.id",
            ["text", "text"], [user_id, database_id])

    def data_sources_of(self, source_id: int) -> list[dict]:
        """The data sources a source's runs have read: {data_source_id, data_source_name}, by id."""
        return self._rows("SELECT data_source_id, data_source_name FROM nls.sync_state WHERE source_id = $1 "
                          "ORDER BY data_source_id", ["bigint"], [source_id])

    def typed_view_rows(self, source_ids: list[int]) -> list[dict]:
        """The typed_views rows of these sources (as row-level security lets this session see them), columns as a
        list: {id, user_id, source_id, data_source_id, schema_name, view_name, columns, build_wanted, built_as}."""
        rows = self._rows("SELECT id, user_id, source_id, data_source_id, schema_name, view_name, columns::text AS "
                          "columns, build_wanted, built_as FROM nls.typed_views WHERE source_id = ANY ($1) ORDER BY id",
                          ["bigint[]"], [source_ids])
        return [{**r, "columns": json.loads(r["columns"])} for r in rows]

    def typed_observed(self, source_id: int, ds_id: str) -> list[dict]:
        """What the live stored pages of a data source show of each property (``nls._typed_observed``)."""
        rows = self._rows("SELECT property_id, name, type, result_types::text AS result_types, has_time, has_end "
                          "FROM nls._typed_observed($1, $2)", ["bigint", "text"], [source_id, ds_id])
        return [{**r, "result_types": json.loads(r["result_types"])} for r in rows]

    def sql_keywords(self) -> frozenset[str]:
        """The key words a column name cannot be unquoted."""
        return frozenset(r["w"] for r in self._rows("SELECT nls._sql_keywords() AS w"))

    def relation_exists(self, qualified: str) -> bool:
        """Whether ``qualified`` (``schema.name``, quoted as needed) names a relation."""
        return self._one("SELECT to_regclass($1) IS NOT NULL AS ok", ["text"], [qualified])["ok"]

    def quoted(self, schema: str, name: str) -> str:
        """``schema.name`` quoted as PostgreSQL needs."""
        return self._one("SELECT format('%I.%I', $1::text, $2::text) AS q", ["text", "text"], [schema, name])["q"]

    def check_typed_schema(self, schema: str) -> None:
        """Whether ``schema`` may hold typed views (``nls._typed_view_schema_ok``; only the builder creates it);
        raises ``self.error`` (22023 reserved name, 42P06 a schema nls did not create)."""
        self.db.execute("SELECT nls._typed_view_schema_ok($1)", ["text"], [schema])

    def save_typed_view(self, row: dict) -> int:
        """Insert (no ``id``) or update a typed_views row and ask for its view to be built; returns its id. Raises
        ``self.error`` (23505 when the schema already holds a view of that name)."""
        values = [row.get("data_source_id"), row["schema_name"], row.get("view_name"),
                  json.dumps(row.get("columns") or [])]
        types = ["text", "text", "text", "jsonb", "text", "bigint"]
        if row.get("id") is None:
            return self._one("INSERT INTO nls.typed_views (data_source_id, schema_name, view_name, columns, user_id, "
                             "source_id, build_wanted) VALUES ($1, $2, $3, $4, $5, $6, true) RETURNING id", types,
                             values + [row["user_id"], row["source_id"]])["id"]
        self.db.execute("UPDATE nls.typed_views SET data_source_id = $1, schema_name = $2, view_name = $3, "
                        "columns = $4, build_wanted = true, updated_at = now() WHERE user_id = $5 AND id = $6",
                        types, values + [row["user_id"], row["id"]])
        return row["id"]

    def delete_typed_view_row(self, typed_view_id: int) -> None:
        self.db.execute("DELETE FROM nls.typed_views WHERE id = $1", ["bigint"], [typed_view_id])

    def typed_history(self, user_id: str, typed_view_id: int | None, view: str | None, ds_id: str | None,
                      changes: list[dict]) -> None:
        """One nls.typed_view_history row per change ({"change", "property_id"?, ...})."""
        self.db.execute(
            "INSERT INTO nls.typed_view_history (user_id, typed_view_id, view, data_source_id, change, property_id, "
            "property_name, column_name, old_type, new_type, detail) SELECT $1, $2, $3, $4, c.change, c.property_id, "
            "c.property_name, c.column_name, c.old_type, c.new_type, c.detail FROM jsonb_to_recordset($5) AS c("
            "change text, property_id text, property_name text, column_name text, old_type text, new_type text, "
            "detail text)", ["text", "bigint", "text", "text", "jsonb"],
            [user_id, typed_view_id, view, ds_id, json.dumps(changes)])

    def build_typed_views(self) -> list[dict]:
        """Build the views that wait for it (``nls._build_typed_views``): [{typed_view_id, built_as, error,
        error_code}]."""
        return self._rows("SELECT typed_view_id, built_as, error, error_code FROM nls._build_typed_views()")

    def typed_view_query(self, source_id: int, ds_id: str, columns: list[dict]) -> str:
        """The SELECT text of a typed view with these columns (``nls._typed_view_query``)."""
        return self._one("SELECT nls._typed_view_query($1, $2, $3) AS q", ["bigint", "text", "jsonb"],
                         [source_id, ds_id, json.dumps(columns)])["q"]

    # -- two-way sync: the push (sql/80_push.sql; the flow: push.py) ---------------------------------------------
    def push_sources(self, user_id: str | None, retried: list[str]) -> list[dict]:
        """The sources with something to push (``nls._push_sources``; ``retried``: the error codes after which a
        failed object is tried again): {id, user_id, database_id, database_name, target, with_content}."""
        return self._rows("SELECT id, user_id, database_id, database_name, target, with_content "
                          "FROM nls._push_sources($1, $2)", ["text", "text[]"], [user_id, retried])

    def push_plan(self, source_id: int) -> dict:
        """What a push of the source works with (``nls._push_plan``): {table, key, columns, create, data_source_id,
        schema}."""
        return json.loads(self._one("SELECT nls._push_plan($1)::text AS p", ["bigint"], [source_id])["p"])

    def push_prune(self, source_id: int) -> int:
        """Drop the state rows of the source's objects whose local row is gone (``nls._push_prune``)."""
        return self._one("SELECT nls._push_prune($1) AS n", ["bigint"], [source_id])["n"]

    def push_objects(self, source_id: int, create: bool) -> list[dict]:
        """The objects of the source to push (``nls._push_objects``; with ``create``, atoms with no page too)."""
        return [json.loads(r["o"]) for r in self._rows("SELECT o::text AS o FROM nls._push_objects($1, $2) AS o",
                                                       ["bigint", "bool"], [source_id, create])]

    @contextmanager
    def push_object_scope(self):
        """A subtransaction for one step of a push's object: an SQL error in it rolls back what the step wrote, and
        leaves the run's transaction usable. As it ends, the atoms' unique card ids (a deferred constraint, else
        checked only at commit, where a violation would fail the whole run and lose every outcome since the last
        commit) are checked, so that a violation fails that object alone. Raises ``self.error`` (23505)."""
        with self.db.subtransaction():
            yield
            self.db.execute("SET CONSTRAINTS nls.learning_atoms_user_card_id_key IMMEDIATE")
            self.db.execute("SET CONSTRAINTS nls.learning_atoms_user_card_id_key DEFERRED")

    def push_outcome(self, state_id: str, outcome: dict) -> None:
        """Record what the push did with one object (``nls._push_outcome``)."""
        self.db.execute("SELECT nls._push_outcome($1, $2)", ["uuid", "jsonb"],
                        [state_id, json.dumps(outcome, ensure_ascii=False)])

    def push_create_state(self, source_id: int, atom_id: str, card_id: str, ds_id: str | None,
                          attempted: bool) -> str:
        """The state row of an atom whose page the push creates, the card id given to the atom, and with
        ``attempted`` that a create is being sent (``nls._push_create_state``); returns the row's id."""
        return str(self._one("SELECT nls._push_create_state($1, $2, $3, $4, $5) AS id",
                             ["bigint", "uuid", "text", "text", "bool"],
                             [source_id, atom_id, card_id, ds_id, attempted])["id"])

    def push_created(self, state_id: str, page_id: str, ds_id: str, last_edited_time: str | None,
                     sync_hash: str, agreed: dict) -> bool:
        """A page created (or found) for an atom (``nls._push_created``; ``agreed``: {column: the page's value});
        False when another atom holds it."""
        return self._one("SELECT nls._push_created($1, $2, $3, $4::timestamptz, $5, $6) AS ok",
                         ["uuid", "text", "text", "text", "text", "jsonb"],
                         [state_id, page_id, ds_id, last_edited_time, sync_hash,
                          json.dumps(agreed, ensure_ascii=False)])["ok"]
