"""Runs: the advisory locks of a source and of a user's flow, the ``nls.sync_log`` rows, the cleaning pipeline and
the scheduled workers' rounds."""

from __future__ import annotations

import json
from typing import Any

from .base import Statements


class RunStatements(Statements):
    """The statements of a run's envelope: locks, sync_log rows, the cleaning, the scheduled rounds."""

    def try_lock_source(self, source_id: int) -> bool:
        """The source's advisory lock (session level), if nobody holds it."""
        return self._row("SELECT pg_try_advisory_lock(nls._lock_key(), $1::int) AS ok", ["bigint"], [source_id])["ok"]

    def unlock_source(self, source_id: int) -> None:
        self._one("SELECT pg_advisory_unlock(nls._lock_key(), $1::int) AS ok", ["bigint"], [source_id])

    def try_lock_user(self, kind: str, user_id: str) -> bool:
        """The user's advisory lock for a flow of ``kind`` (notion_trash, notion_webhook; session level), if nobody
        holds it."""
        return self._row(
            "SELECT pg_try_advisory_lock(nls._lock_class('user_flow'), hashtext($1 || ':' || $2)) AS ok",
            ["text", "text"],
            [kind, user_id],
        )["ok"]

    def unlock_user(self, kind: str, user_id: str) -> None:
        self._one(
            "SELECT pg_advisory_unlock(nls._lock_class('user_flow'), hashtext($1 || ':' || $2)) AS ok",
            ["text", "text"],
            [kind, user_id],
        )

    def begin_run(self, source_id: int, user_id: str, sync_type: str, notion_version: str) -> str:
        """A running nls.sync_log row (stale running rows of the source closed first); returns its id."""
        return str(
            self._row(
                "SELECT nls._begin_run($1, $2, $3, $4) AS id",
                ["bigint", "text", "text", "text"],
                [source_id, user_id, sync_type, notion_version],
            )["id"]
        )

    def begin_user_run(self, user_id: str, sync_type: str) -> str:
        """A running nls.sync_log row of a user's flow (no source: the trash listing, webhook events, the Anki steps;
        the user's stale rows of that flow closed first); returns its id."""
        return str(
            self._row("SELECT nls._begin_run(NULL, $1, $2, NULL) AS id", ["text", "text"], [user_id, sync_type])["id"]
        )

    def progress_run(self, log_id: str, report: Any) -> None:
        """Write a running sync_log row's counts so far (with each batch the scheduled procedure commits)."""
        self.db.execute(
            "SELECT nls._progress_run($1, $2, $3, $4, $5, $6, $7, $8)",
            ["uuid", "int", "int", "int", "int", "int", "int", "jsonb"],
            [
                log_id,
                report.processed,
                report.added,
                report.updated,
                report.removed,
                report.requests_made,
                report.retries,
                json.dumps(report.details()),
            ],
        )

    def finish_run(self, log_id: str, report: Any) -> None:
        """Close a sync_log row from a :class:`nls_engine.report.RunReport`."""
        self.db.execute(
            "SELECT nls._finish_run($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            ["uuid", "text", "int", "int", "int", "int", "int", "int", "text", "text", "jsonb"],
            [
                log_id,
                report.status.value,
                report.processed,
                report.added,
                report.updated,
                report.removed,
                report.requests_made,
                report.retries,
                report.error_code,
                report.error_message,
                json.dumps(report.details()),
            ],
        )

    def round_waiting(self) -> str | None:
        """The schedule's round that has a user nobody took yet (``nls._round_waiting``), or None."""
        return self._row("SELECT nls._round_waiting()::text AS r")["r"]

    def close_stale_runs(self) -> int:
        """Close as failed the running rows whose backend is gone; returns how many sources had some."""
        return self._row("SELECT nls._close_stale_runs() AS n")["n"]

    def clean(self, user_id: str) -> dict:
        """``nls.clean(user_id)``: its JSON answer (a failure is in the answer, never raised)."""
        return json.loads(self._row("SELECT nls.clean($1)::text AS r", ["text"], [user_id])["r"])

    def claim_sync_user(self, round_: str | None) -> tuple[str | None, str | None]:
        """(round, next user of the round) for a scheduled worker; the user is None when none is left."""
        r = self._row(
            "SELECT p_round::text AS r, p_user AS u FROM nls._claim_sync_user($1::timestamptz)", ["text"], [round_]
        )
        return r["r"], r["u"]

    def finish_sync_user(self, round_: str | None, user_id: str, status: str) -> None:
        self.db.execute(
            "SELECT nls._finish_sync_user($1::timestamptz, $2, $3)", ["text", "text", "text"], [round_, user_id, status]
        )
