"""The run: what every flow of one source shares. Lock the source, act for its user, open the ``nls.sync_log`` row,
open the user's Notion client, let the flow do its work, turn what went wrong into a status, close the row with the
run report, and answer (:meth:`RunReport.answer`).

A flow (the read: :class:`nls_engine.read.flow.NotionRead`; the push: :class:`nls_engine.push.flow.NotionPush`) is any
object with ``plan(store, settings, source) -> sync_type`` and ``execute(ctx)``. It shares the client, the pacing,
the store and the report through the :class:`RunContext`.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from . import crypto
from .integration import acting_for, note_workspace, open_client
from .notion.client import NotionClient, NotionError, RunDeadline
from .report import RunReport, RunStatus, StepReport, skipped_answer
from .settings import Settings
from .store import Store

# plpy.commit in the scheduled procedure (each run's rows committed as it goes); None in a call that runs in its
# caller's transaction
Commit = Callable[[], None] | None


@dataclass
class Source:
    """A row of nls.sources, as the engine uses it."""

    id: int
    user_id: str
    database_id: str
    database_name: str | None
    target: str
    with_content: bool

    @classmethod
    def from_row(cls, row: dict) -> Source:
        return cls(
            row["id"],
            row["user_id"],
            row["database_id"],
            row["database_name"],
            row["target"],
            bool(row["with_content"]),
        )


@dataclass
class RunContext:
    """What the parts of one run share. ``commit`` is plpy.commit in the scheduled procedure, None in a call that
    runs in its caller's transaction. ``source`` is None in a run of a user's flow (:class:`UserRun`), whose
    ``user_id`` says whose it is."""

    store: Store
    settings: Settings
    source: Source | None
    report: RunReport
    commit: Commit = None
    client: NotionClient | None = None
    log_id: str | None = None
    user: str | None = None

    @property
    def user_id(self) -> str:
        """The user the run acts for."""
        user = self.source.user_id if self.source is not None else self.user
        if user is None:
            raise RuntimeError("a run context names its source or its user")
        return user

    @property
    def the_source(self) -> Source:
        """The source of a run over one source (:class:`SourceRun`). Raises RuntimeError in a run of a user's flow,
        which has none."""
        if self.source is None:
            raise RuntimeError(f"the run of user {self.user!r} has no source")
        return self.source

    @property
    def notion(self) -> NotionClient:
        """The run's Notion client, opened by the run envelope before the flow executes. Raises RuntimeError
        before that."""
        if self.client is None:
            raise RuntimeError("the run's Notion client is not open yet")
        return self.client

    def checkpoint(self) -> None:
        """Commit what is done so far, where the run may commit (the scheduled procedure), with the run's counts so
        far in its sync_log row: a run killed later still tells what it committed."""
        if not self.commit:
            return
        if self.log_id is not None and self.report.status is RunStatus.RUNNING:
            if self.client is not None:
                self.report.took(self.client)
            self.store.progress_run(self.log_id, self.report)
        self.commit()


class Flow(Protocol):
    def plan(self, store: Store, settings: Settings, source: Source) -> str: ...

    def execute(self, ctx: RunContext) -> None: ...


def outcome(error: BaseException, report: RunReport | StepReport) -> tuple[RunStatus, str | None, str]:
    """What a run that raised ``error`` ends as: (status, error code, message). A deadline ends it partial (the
    limit recorded in ``report``); Notion's errors, an unreadable token or a missing key end it failed with their
    code; anything else is an internal error (its traceback kept in ``report``)."""
    if isinstance(error, RunDeadline):
        if isinstance(report, RunReport):  # a step of a flow that reads no data source records no limit
            report.limit("deadline", reason=error.reason)
        return RunStatus.PARTIAL, None, f"stopped early: {error.reason}; the next run resumes from the watermark"
    if isinstance(error, NotionError):
        message = f"{error.message} (HTTP {error.status})"
        if refused_token(error):
            message += "; the integration is marked needs_reauth and is not synced until a new token is stored"
        return RunStatus.FAILED, error.code, message
    if isinstance(error, crypto.TokenUnreadable):
        return RunStatus.FAILED, "token_unreadable", str(error)
    if isinstance(error, crypto.KeyError_):
        return RunStatus.FAILED, "encryption_key_missing", f"{error} ({error.hint})"
    report.traceback = "".join(traceback.format_exception(error, limit=8))
    return RunStatus.FAILED, "internal_error", f"{type(error).__name__}: {error}"


def refused_token(error: NotionError) -> bool:
    """Notion refused the token itself (401 unauthorized): the integration needs a new one."""
    return error.status == 401 and error.code == "unauthorized"


class SourceRun:
    """One run of one flow over one source."""

    def __init__(self, store: Store, settings: Settings, source: Source, flow: Flow, commit: Commit = None):
        self.store, self.settings, self.source, self.flow, self.commit = store, settings, source, flow, commit

    def go(self) -> dict:
        """Run, unless another run holds the source (then ``skipped`` at once). Returns the run's answer for the
        source (:meth:`RunReport.answer`). Notion's failures are in the answer and the log, never raised."""
        src = self.source
        if not self.store.try_lock_source(src.id):
            return skipped_answer(src.database_name, src.database_id)
        try:
            with acting_for(self.store, src.user_id):
                return self._locked()
        finally:
            self.store.unlock_source(src.id)

    def _locked(self) -> dict:
        src = self.source
        sync_type = self.flow.plan(self.store, self.settings, src)
        ctx = RunContext(self.store, self.settings, src, RunReport(sync_type), self.commit)
        ctx.log_id = self.store.begin_run(src.id, src.user_id, sync_type, self.settings.notion_version)
        ctx.checkpoint()
        close_run(self.store, ctx.log_id, ctx.report, self.commit, execute(ctx, self.flow))
        return ctx.report.answer(src.database_name, src.database_id, ctx.log_id)


def cancelled(report: RunReport | StepReport, error: BaseException) -> bool:
    """Close ``report`` as cancelled when ``error`` is PostgreSQL stopping the statement (a cancel or
    statement_timeout, 57014); returns whether it was."""
    if getattr(error, "sqlstate", None) != "57014":
        return False
    report.close(
        RunStatus.CANCELLED, "query_canceled", "a cancel or statement_timeout stopped the run; what it committed stays"
    )
    return True


def close_run(
    store: Store, log_id: str, report: RunReport | StepReport, commit: Commit, cancel: BaseException | None
) -> None:
    """Close a run's sync_log row with its report (a RunReport or StepReport), commit where the run may, and raise
    the cancel that stopped it, if any: PostgreSQL's cancel is the caller's, the statement fails with 57014."""
    store.finish_run(log_id, report)
    if commit:
        commit()
    if cancel is not None:
        raise cancel


def execute(ctx: RunContext, flow: Flow | UserFlow) -> BaseException | None:
    """Open the user's client, run ``flow``, and close the run's report with the status it earned. Returns the
    cancel that stopped it (to be raised once the log row is closed), or None."""
    report = ctx.report
    try:
        ctx.client = open_client(ctx.store, ctx.user_id, ctx.settings)
        note_workspace(ctx.store, ctx.user_id, ctx.client)
        flow.execute(ctx)
        report.close(RunStatus.PARTIAL if report.short else RunStatus.COMPLETED)
    except Exception as e:  # noqa: BLE001 - a bug or a database error too: recorded, never left running
        if cancelled(report, e):
            return e
        report.close(*outcome(e, report))
        if isinstance(e, NotionError) and refused_token(e):
            ctx.store.mark_needs_reauth(ctx.user_id)
    finally:
        if ctx.client:
            ctx.client.close()
            report.took(ctx.client)
    return None


class UserFlow(Protocol):
    """A flow over all of one user's sources at once (the trash listing, the webhook events)."""

    kind: str  # its sync_type, and the name of the user's lock it runs under

    def execute(self, ctx: RunContext) -> None: ...


class UserRun:
    """One run of a user's flow: the user's lock for that flow (another run of it: skipped at once), acting for the
    user, a sync_log row of the flow's ``kind`` without a source, the user's client, the status its ending earns."""

    def __init__(self, store: Store, settings: Settings, user_id: str, flow: UserFlow, commit: Commit = None):
        self.store, self.settings, self.user_id, self.flow, self.commit = store, settings, user_id, flow, commit

    def go(self) -> dict:
        """Run unless another run of the flow holds the user. Returns {"user_id", "sync_type", "status",
        "sync_log_id", "items_*", "requests_made", "details", "error"?, "error_code"?}; Notion's failures are in
        it and the log, never raised; a cancel is raised once the row is closed."""
        if not self.store.try_lock_user(self.flow.kind, self.user_id):
            return {"user_id": self.user_id, "sync_type": self.flow.kind, "status": RunStatus.SKIPPED.answer}
        try:
            with acting_for(self.store, self.user_id):
                return self._locked()
        finally:
            self.store.unlock_user(self.flow.kind, self.user_id)

    def _locked(self) -> dict:
        ctx = RunContext(self.store, self.settings, None, RunReport(self.flow.kind), self.commit, user=self.user_id)
        ctx.log_id = self.store.begin_user_run(self.user_id, self.flow.kind)
        ctx.checkpoint()
        close_run(self.store, ctx.log_id, ctx.report, self.commit, execute(ctx, self.flow))
        r = ctx.report
        out = {
            "user_id": self.user_id,
            "sync_type": self.flow.kind,
            "status": r.status.answer,
            "sync_log_id": ctx.log_id,
            "items_processed": r.processed,
            "items_added": r.added,
            "items_updated": r.updated,
            "items_removed": r.removed,
            "requests_made": r.requests_made,
            "details": r.details(),
        }
        if r.error_code:
            out.update(error=r.error_message, error_code=r.error_code)
        return out
