"""The one status vocabulary and the run report (nls_engine.report): the shape of sync_log.details and of a run's
answer."""

from __future__ import annotations

import pytest

from nls_engine.report import COUNTERS, RunReport, RunStatus, skipped_answer


def test_a_completed_run_answers_success_and_the_others_their_own_word():
    assert [s.answer for s in RunStatus] == ["running", "success", "partial", "failed", "cancelled", "skipped"]
    assert [s for s in RunStatus if s.succeeded] == [RunStatus.COMPLETED, RunStatus.PARTIAL]


def test_the_answer_word_maps_back_to_the_one_status():
    for status in RunStatus:
        assert RunStatus.of_answer(status.answer) is status
    with pytest.raises(ValueError, match="completed-ish"):
        RunStatus.of_answer("completed-ish")


def test_details_of_a_clean_run_hold_only_what_was_found():
    report = RunReport("notion_incremental")
    ds = report.data_source("ds-1", "Cards", "incremental")
    ds.pages = 12
    report.requests_by_endpoint = {"data_sources.query": 1}
    assert report.details() == {
        "data_sources": [{"id": "ds-1", "name": "Cards", "mode": "incremental", "pages": 12}],
        "cleaned_characters": 0,
        "requests_by_endpoint": {"data_sources.query": 1},
    }
    assert not report.short


def test_details_carry_errors_limits_counters_windows_and_pacing():
    report = RunReport("notion_full")
    ds = report.data_source("ds-1", None, "full")
    ds.windows, ds.reconciled = 2, {"ids_read": 5, "drifted": 1, "windows": 0}
    report.page_error("p1", "x" * 900)
    report.limit("deadline", reason="late")
    report.count("markdown_truncated")
    report.count("markdown_truncated", 2)
    report.paced_s = 1.23456
    details = report.details()
    assert details["data_sources"][0]["windows"] == 2 and details["data_sources"][0]["reconciled"]["drifted"] == 1
    assert details["page_errors"] == [{"page_id": "p1", "error": "x" * 500}]
    assert details["limits"] == [{"limit": "deadline", "reason": "late"}]
    assert details["markdown_truncated"] == 3 and details["paced_s"] == 1.235 and report.short


def test_a_counter_must_be_one_of_the_named_ones():
    report = RunReport("notion_full")
    with pytest.raises(ValueError, match="'markdown_truncted' is not a run counter"):
        report.count("markdown_truncted")
    assert "completed_values" in COUNTERS


def test_the_answer_has_the_shape_nls_sync_notion_returns():
    report = RunReport("notion_full", processed=5, added=3, updated=1, requests_made=4)
    report.close(RunStatus.FAILED, "unauthorized", "API token is invalid. (HTTP 401)")
    assert report.answer("Cards", "db-1", "log-1") == {
        "database_name": "Cards",
        "database_id": "db-1",
        "synced_count": 4,
        "status": "failed",
        "sync_log_id": "log-1",
        "sync_type": "notion_full",
        "items_processed": 5,
        "items_added": 3,
        "items_updated": 1,
        "items_removed": 0,
        "requests_made": 4,
        "error": "API token is invalid. (HTTP 401)",
        "error_code": "unauthorized",
    }


def test_a_skipped_source_says_that_nothing_was_done():
    answer = skipped_answer("Cards", "db-1")
    assert answer["status"] == "skipped" and answer["synced_count"] == 0 and "did nothing" in answer["message"]
