"""What a run did: one status vocabulary and one run report, whatever the flow (the read, the push, a user's flows,
the Anki steps).

``RunStatus`` is the vocabulary of ``nls.sync_log.status``; a run's answer (the JSON ``nls.sync_notion`` and the other
entry points return) says ``"success"`` where the log says ``completed``, and that mapping is made here once
(:attr:`RunStatus.answer`). ``RunReport`` is the one shape of a run's counts and of ``nls.sync_log.details``:

``details`` (jsonb) = {
  "data_sources": [{"id", "name", "mode": "full" | "incremental" | "full (...)", "pages": rows read,
                    "windows"?: created_time windows read past the 10,000-row cap,
                    "cursor_restarts"?: queries begun again from the last row read after Notion refused a cursor,
                    "reconciled"?: {"ids_read", "drifted", "windows"}}],
  "cleaned_characters": characters PostgreSQL cannot store that were removed or replaced,
  "page_errors"?: [{"page_id", "error"}], "limits"?: [{"limit": why the run is partial, ...}],
  "<counter>"?: n for each counter of COUNTERS that is not 0 (data_sources_listed_again: a query answered 404/400
                and GET /v1/databases/{id} listed the data sources again; trashed_seen: pages the trash listing
                found trashed since the last run; cursor_restarts: the run's queries begun again after a refused
                cursor),
  "requests_by_endpoint": {endpoint: attempts, every one Notion saw}, "rate_limited"?: 429 answers,
  "retry_waited_s"?: seconds waited between attempts, "paced_s"?: seconds waited for the budget (pacing, 429 holds),
  "timeouts"?: {endpoint: requests that timed out}, "invalid_json"?: {endpoint: answers whose body was not JSON, each
  sent again}, "traceback"?: the last frames of an internal error,
  "own_writes"?: pages a read found last edited by the integration's own bot (nls's push coming back),
  a push (sync_type notion_push, plpython/nls_engine/push/) also: "conflicts"?, "failed"?, "agreed"?,
  "unchanged"?, "refreshed"?, "adopted"?, "waiting"? (counters), "object_errors"?: [{"local_table", "local_id",
  "page_id", "error"}], "skipped_properties"?: [{"column", "reason"}],
  and a user flow's findings: notion_trash {"trash_since", "trashed_listed"}, notion_webhook {"events", "pages_read",
  "trashed", "schema_refreshes", "listed_again", "own_write", "not_synced", "ignored", "left_pending",
  "pages_moved"} }
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class RunStatus(str, Enum):
    """A run's status, as ``nls.sync_log.status`` and ``nls.sync_rounds.status`` hold it."""

    RUNNING = "running"
    COMPLETED = "completed"
    PARTIAL = "partial"  # stopped early or some pages could not be stored; the next run resumes
    FAILED = "failed"
    CANCELLED = "cancelled"  # a cancel or statement_timeout stopped it (the caller gets query_canceled)
    SKIPPED = "skipped"  # another run held the lock; nothing was done

    @property
    def answer(self) -> str:
        """The word a run's answer uses: ``success`` for a completed run, the status itself otherwise."""
        return "success" if self is RunStatus.COMPLETED else self.value

    @property
    def succeeded(self) -> bool:
        """An answer's ``"success"``: true for a completed or partial run."""
        return self in (RunStatus.COMPLETED, RunStatus.PARTIAL)

    @classmethod
    def of_answer(cls, word: str) -> RunStatus:
        """The status behind an answer's word (``success`` -> COMPLETED). Raises ValueError for another word."""
        return cls.COMPLETED if word == "success" else cls(word)


# the named counters a run may report in details (each only when not 0)
COUNTERS = (
    "completed_values",
    "unsupported_values",
    "rollups_over_cut_relations",
    "markdown_unavailable",
    "markdown_truncated",
    "markdown_unknown_blocks",
    "own_writes",
    "data_sources_listed_again",
    "trashed_seen",
    "cursor_restarts",
    # a push's: objects in conflict, failed, already matching Notion, unchanged by their hash,
    # pages read again first, creates found by card id, failures left until the object changes, creates
    # the workspace's block limit refused
    "conflicts",
    "failed",
    "agreed",
    "unchanged",
    "refreshed",
    "adopted",
    "waiting",
    "block_limited",
)
# the counters a run's answer carries too (a push's conflicts and failures)
ANSWERED = ("conflicts", "failed")
MAX_OBJECT_ERRORS = 200


@dataclass
class DataSourceReport:
    """One data source of a run: how it was read and how many rows came."""

    id: str
    name: str | None
    mode: str
    pages: int = 0
    windows: int = 0
    cursor_restarts: int = 0
    reconciled: dict | None = None

    def as_details(self) -> dict:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "mode": self.mode, "pages": self.pages}
        if self.windows:
            out["windows"] = self.windows
        if self.cursor_restarts:
            out["cursor_restarts"] = self.cursor_restarts
        if self.reconciled is not None:
            out["reconciled"] = self.reconciled
        return out


@dataclass
class RunReport:
    """Counts and findings of one run of one source (``sync_type``: notion_full, notion_incremental,
    notion_reconcile, ...), filled by the parts of a flow and closed once by the run."""

    sync_type: str
    processed: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    cleaned_characters: int = 0
    data_sources: list[DataSourceReport] = field(default_factory=list)
    page_errors: list[dict] = field(default_factory=list)
    limits: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    object_errors: list[dict] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    requests_made: int = 0
    retries: int = 0
    requests_by_endpoint: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0
    retry_waited_s: float = 0.0
    paced_s: float = 0.0
    timeouts: dict[str, int] = field(default_factory=dict)
    invalid_json: dict[str, int] = field(default_factory=dict)
    traceback: str | None = None
    findings: dict = field(default_factory=dict)  # a flow's own findings (the webhook flow's counts of events)
    status: RunStatus = RunStatus.RUNNING
    error_code: str | None = None
    error_message: str | None = None
    _error_keys: set = field(default_factory=set, repr=False, compare=False)

    def data_source(self, ds_id: str, name: str | None, mode: str) -> DataSourceReport:
        """Start the report of one data source (kept in order)."""
        ds = DataSourceReport(ds_id, name, mode)
        self.data_sources.append(ds)
        return ds

    def count(self, key: str, n: int = 1) -> None:
        """Add ``n`` to a named counter of COUNTERS. Raises ValueError for another name."""
        if key not in COUNTERS:
            raise ValueError(f"{key!r} is not a run counter (report.COUNTERS)")
        self.counts[key] = self.counts.get(key, 0) + n

    def page_error(self, page_id: str | None, error: str) -> None:
        """A page that could not be read or stored (the run ends partial); the same error of the same page, read
        again within the run, is recorded once."""
        entry = {"page_id": page_id if isinstance(page_id, str) else None, "error": error[:500]}
        key = (entry["page_id"], entry["error"])
        if key not in self._error_keys:
            self._error_keys.add(key)
            self.page_errors.append(entry)

    def object_error(self, local_table: str, local_id: str, page_id: str | None, error: str) -> None:
        """A local object a push could not write (the run ends partial; the first MAX_OBJECT_ERRORS are listed)."""
        if len(self.object_errors) < MAX_OBJECT_ERRORS:
            self.object_errors.append(
                {"local_table": local_table, "local_id": local_id, "page_id": page_id, "error": error[:500]}
            )

    def limit(self, limit: str, **detail: Any) -> None:
        """A limit the run met (``deadline``, ``query_result_limit``, ``cursor_not_advancing``,
        ``content_max_depth``...): the run ends partial."""
        self.limits.append({"limit": limit, **detail})

    @property
    def short(self) -> bool:
        """Whether something was left for the next run (page errors or limits)."""
        return bool(self.page_errors or self.limits or self.counts.get("failed"))

    def took(self, client: Any) -> None:  # a NotionClient (its counters)
        """Take the client's counters: every attempt Notion saw, retries, 429s, waits, timeouts."""
        self.requests_made, self.retries = client.requests_made, client.retries
        self.requests_by_endpoint = dict(client.by_endpoint)
        self.rate_limited, self.retry_waited_s = client.rate_limited, client.backoff_s
        self.timeouts = dict(client.timeouts_by_endpoint)
        self.invalid_json = dict(client.invalid_json)
        self.paced_s = client.pacer.waited_s if client.pacer is not None else 0.0

    def close(self, status: RunStatus, code: str | None = None, message: str | None = None) -> None:
        """Set the run's final status, error code and message."""
        self.status, self.error_code, self.error_message = status, code, message

    def details(self) -> dict:
        """``nls.sync_log.details``: the shape in this module's docstring."""
        out: dict = {
            "data_sources": [ds.as_details() for ds in self.data_sources],
            "cleaned_characters": self.cleaned_characters,
            "requests_by_endpoint": dict(self.requests_by_endpoint),
        }
        if self.page_errors:
            out["page_errors"] = self.page_errors
        if self.limits:
            out["limits"] = self.limits
        out.update({k: v for k, v in self.counts.items() if v})
        if self.object_errors:
            out["object_errors"] = self.object_errors
        out.update(self.extra)
        if self.rate_limited:
            out["rate_limited"] = self.rate_limited
        if self.retry_waited_s:
            out["retry_waited_s"] = round(self.retry_waited_s, 3)
        if self.paced_s:
            out["paced_s"] = round(self.paced_s, 3)
        if self.timeouts:
            out["timeouts"] = dict(self.timeouts)
        if self.invalid_json:
            out["invalid_json"] = dict(self.invalid_json)
        if self.traceback:
            out["traceback"] = self.traceback
        out.update(self.findings)
        return out

    def answer(self, database_name: str | None, database_id: str, sync_log_id: str) -> dict:
        """The run's answer for one source: {"database_name", "database_id", "synced_count", "status",
        "sync_log_id", "sync_type", "items_processed", "items_added", "items_updated", "items_removed",
        "requests_made", "error"?, "error_code"?}."""
        out = {
            "database_name": database_name,
            "database_id": database_id,
            "synced_count": self.added + self.updated,
            "status": self.status.answer,
            "sync_log_id": sync_log_id,
            "sync_type": self.sync_type,
            "items_processed": self.processed,
            "items_added": self.added,
            "items_updated": self.updated,
            "items_removed": self.removed,
            "requests_made": self.requests_made,
        }
        out.update({k: self.counts[k] for k in ANSWERED if self.counts.get(k)})
        if self.error_message:
            out["error"] = self.error_message
        if self.error_code:
            out["error_code"] = self.error_code
        return out


def skipped_answer(database_name: str | None, database_id: str) -> dict:
    """The answer for a source another run holds: nothing was done."""
    return {
        "database_name": database_name,
        "database_id": database_id,
        "synced_count": 0,
        "status": RunStatus.SKIPPED.answer,
        "message": "another sync of this source is running; this call did nothing",
    }


@dataclass
class StepReport:
    """One step of a flow that reads no Notion data source (the Anki sync's ``anki_sync``, ``anki_pull`` and
    ``anki_push``): the counts of ``nls.sync_log``, the status and, as ``details``, its named findings
    (``{"<finding>": value, ..., "traceback"?}``; each flow's docstring lists them)."""

    sync_type: str
    processed: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    findings: dict = field(default_factory=dict)
    requests_made: int = 0
    retries: int = 0
    traceback: str | None = None
    status: RunStatus = RunStatus.RUNNING
    error_code: str | None = None
    error_message: str | None = None

    def close(self, status: RunStatus, code: str | None = None, message: str | None = None) -> None:
        """Set the step's final status, error code and message."""
        self.status, self.error_code, self.error_message = status, code, message

    def details(self) -> dict:
        out = dict(self.findings)
        if self.traceback:
            out["traceback"] = self.traceback
        return out

    def answer(self, sync_log_id: str | None) -> dict:
        """{"sync_type", "status" (the answer's word: :attr:`RunStatus.answer`), "sync_log_id", "items_processed",
        "items_added", "items_updated", "items_removed", "details", "error"?, "error_code"?}."""
        out = {
            "sync_type": self.sync_type,
            "status": self.status.answer,
            "sync_log_id": sync_log_id,
            "items_processed": self.processed,
            "items_added": self.added,
            "items_updated": self.updated,
            "items_removed": self.removed,
            "details": self.details(),
        }
        if self.error_message:
            out["error"] = self.error_message
        if self.error_code:
            out["error_code"] = self.error_code
        return out
