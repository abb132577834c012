"""One run of one flow over one source (nls_engine.run), with a stand-in store and flow: the lock, the sync_log row
that is always closed, the status each ending earns, and the run's answer."""

from __future__ import annotations

from typing import ClassVar

import pytest

from fakes import stand_in
from nls_engine import crypto, run
from nls_engine.notion.client import NotionError, RunDeadline
from nls_engine.report import RunReport, RunStatus
from nls_engine.run import Source, SourceRun, outcome
from nls_engine.schedule import user_status
from nls_engine.settings import Settings
from test_settings import rows


class Store:
    """Records what a run asks of the store."""

    def __init__(self, lock_free=True):
        self.lock_free, self.calls, self.user = lock_free, [], None

    def try_lock_source(self, source_id):
        self.calls.append("lock")
        return self.lock_free

    def unlock_source(self, source_id):
        self.calls.append("unlock")

    def acting_user(self):
        return self.user

    def act_as(self, user_id):
        self.calls.append(f"act_as {user_id}")
        self.user = user_id

    def begin_run(self, source_id, user_id, sync_type, notion_version):
        self.calls.append(f"begin {sync_type}")
        return "log-1"

    def finish_run(self, log_id, report):
        self.calls.append(f"finish {report.status.value}")
        self.finished = report

    def mark_needs_reauth(self, user_id):
        self.calls.append("needs_reauth")

    def progress_run(self, log_id, report):
        self.calls.append("progress")

    @staticmethod
    def interrupted(error):
        return getattr(error, "sqlstate", None) == "57014"


class Client:
    requests_made, retries, by_endpoint, pacer = 3, 1, {"x": 3}, None
    rate_limited, backoff_s = 1, 0.5
    timeouts_by_endpoint: ClassVar[dict[str, int]] = {"x": 1}
    invalid_json: ClassVar[dict[str, int]] = {}
    closed = False

    def close(self):
        self.closed = True


class Flow:
    def __init__(self, error=None):
        self.error = error

    def plan(self, store, settings, source):
        return "notion_full"

    def execute(self, ctx):
        ctx.report.processed, ctx.report.added = 2, 2
        if self.error:
            raise self.error


SOURCE = Source(1, "alice", "db-1", "Cards", "flashcards", False)


@pytest.fixture
def client(monkeypatch):
    c = Client()
    monkeypatch.setattr(run, "open_client", lambda store, user, settings: c)
    monkeypatch.setattr(run, "note_workspace", lambda store, user, client: None)
    return c


def go(store, flow):
    return SourceRun(store, Settings.from_catalogue(rows()), SOURCE, flow).go()


def test_a_run_locks_acts_for_the_user_logs_and_always_unlocks(client):
    store = Store()
    answer = go(store, Flow())
    assert store.calls == ["lock", "act_as alice", "begin notion_full", "finish completed", "act_as None", "unlock"]
    assert answer["status"] == "success" and answer["synced_count"] == 2 and answer["requests_made"] == 3
    assert client.closed and store.finished.requests_by_endpoint == {"x": 3} and store.finished.retries == 1
    assert store.finished.details()["rate_limited"] == 1 and store.finished.details()["timeouts"] == {"x": 1}


def test_a_source_another_run_holds_is_skipped_at_once(client):
    store = Store(lock_free=False)
    assert go(store, Flow())["status"] == "skipped" and store.calls == ["lock"]


def test_a_refused_token_fails_the_run_and_marks_the_integration(client):
    store = Store()
    answer = go(store, Flow(NotionError(401, "unauthorized", "API token is invalid.")))
    assert answer["status"] == "failed" and answer["error_code"] == "unauthorized" and "needs_reauth" in answer["error"]
    assert "needs_reauth" in store.calls and store.calls[-2:] == ["act_as None", "unlock"]


def test_a_bug_is_recorded_as_an_internal_error_and_the_log_row_is_still_closed(client):
    store = Store()
    answer = go(store, Flow(ZeroDivisionError("boom")))
    assert answer["error_code"] == "internal_error" and "finish failed" in store.calls
    assert "ZeroDivisionError" in store.finished.details()["traceback"]


def test_a_deadline_ends_the_run_partial_with_its_reason():
    report = RunReport("notion_full")
    status, code, message = outcome(RunDeadline("a backoff of 8 s would pass the run's deadline"), report)
    assert status is RunStatus.PARTIAL and code is None and "next run resumes" in message
    assert report.limits == [{"limit": "deadline", "reason": "a backoff of 8 s would pass the run's deadline"}]


@pytest.mark.parametrize(
    "error, code",
    [
        (NotionError(404, "object_not_found", "no"), "object_not_found"),
        (crypto.TokenUnreadable("bad"), "token_unreadable"),
        (crypto.KeyError_("no key", "set it"), "encryption_key_missing"),
    ],
)
def test_each_known_failure_keeps_its_code(error, code):
    status, got, message = outcome(error, RunReport("notion_full"))
    assert status is RunStatus.FAILED and got == code and message


def test_a_users_round_status_follows_its_sources():
    ok, skipped = {"status": "success"}, {"status": "skipped"}
    assert user_status({"success": False, "results": [skipped, skipped]}) is RunStatus.SKIPPED
    assert user_status({"success": False, "results": [ok, skipped]}) is RunStatus.COMPLETED
    assert user_status({"success": True, "results": [ok, ok]}) is RunStatus.COMPLETED
    assert user_status({"success": True, "results": [ok, {"status": "partial"}]}) is RunStatus.PARTIAL
    assert user_status({"success": False, "results": [ok, {"status": "failed"}]}) is RunStatus.FAILED
    assert user_status({"success": False, "error": "no enabled source"}) is RunStatus.FAILED


class Canceled(Exception):
    sqlstate = "57014"


def test_a_cancel_closes_the_log_row_as_cancelled_and_is_raised_to_the_caller(client):
    store = Store()
    with pytest.raises(Canceled):
        go(store, Flow(Canceled("canceling statement due to statement timeout")))
    assert "finish cancelled" in store.calls and store.calls[-2:] == ["act_as None", "unlock"]
    assert store.finished.error_code == "query_canceled" and store.finished.processed == 2


def test_in_the_scheduled_procedure_each_checkpoint_writes_the_counts_before_committing(client):
    store, commits = Store(), []
    SourceRun(
        stand_in(store),
        Settings.from_catalogue(rows()),
        SOURCE,
        CheckpointingFlow(),
        lambda: commits.append(store.calls[-1]),
    ).go()
    # after begin and at the flow's own checkpoint the counts are written, then committed; the closed row last
    assert commits == ["progress", "progress", "finish completed"]


class CheckpointingFlow(Flow):
    def execute(self, ctx):
        super().execute(ctx)
        ctx.checkpoint()
