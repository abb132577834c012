"""The typed settings (nls_engine.settings): typed by the catalogue's type column, every one required."""

from __future__ import annotations

import pytest

from nls_engine.settings import Settings, SettingsError

TYPES = {
    "api_base_url": "url",
    "notion_version": "choice",
    "content_format": "choice",
    "encryption_key_file": "path",
    "anki_python_path": "path",
    "typed_views_schema": "identifier",
    "push_after_read": "choice",
    "rate_limit_model": "choice",
    "max_attempts": "integer",
    "content_max_depth": "integer",
    "webhook_max_body_bytes": "integer",
    "webhook_batch_size": "integer",
    "event_max_attempts": "integer",
    "event_keep_days": "integer",
}


def rows(**values) -> list[dict]:
    base = {
        "api_base_url": "http://127.0.0.1:1",
        "notion_version": "2025-09-03",
        "connect_timeout_s": "5",
        "read_timeout_s": "30",
        "run_deadline_s": "600",
        "max_attempts": "6",
        "retry_after_cap_s": "60",
        "backoff_base_s": "0.5",
        "overlap_s": "120",
        "reconcile_interval_s": "86400",
        "content_format": "markdown",
        "content_max_depth": "5",
        "rate_limit_per_s": "3",
        "rate_limit_burst": "3",
        "workspace_rate_limit_per_s": "3",
        "rate_limit_model": "window",
        "rate_limit_window_s": "60",
        "encryption_key_file": "",
        "anki_python_path": "",
        "anki_timeout_s": "60",
        "typed_views_schema": "",
        "push_after_read": "on",
        "webhook_handshake_window_s": "600",
        "webhook_max_body_bytes": "262144",
        "webhook_batch_size": "1000",
        "event_max_attempts": "8",
        "event_retry_s": "10",
        "event_timeout_s": "5",
        "event_keep_days": "7",
        "worker_heartbeat_s": "5",
    }
    base.update(values)
    return [{"name": k, "value": v, "type": TYPES.get(k, "number")} for k, v in base.items()]


def test_each_setting_gets_the_python_type_of_its_catalogue_type():
    s = Settings.from_catalogue(rows(backoff_base_s="0.05"))
    assert s.backoff_base_s == 0.05 and isinstance(s.read_timeout_s, float)
    assert s.max_attempts == 6 and isinstance(s.max_attempts, int)
    assert s.content_format == "markdown" and s.encryption_key_file == ""


def test_a_missing_setting_is_named_with_what_to_do():
    with pytest.raises(SettingsError, match=r"overlap_s.*nls install"):
        Settings.from_catalogue([r for r in rows() if r["name"] != "overlap_s"])


def test_a_value_that_is_not_its_type_is_named():
    with pytest.raises(SettingsError, match="max_attempts"):
        Settings.from_catalogue(rows(max_attempts="six"))


def test_settings_the_engine_does_not_know_are_ignored_and_the_names_are_listed():
    s = Settings.from_catalogue([*rows(), {"name": "future_setting", "value": "x", "type": "text"}])
    assert "future_setting" not in Settings.names() and s.overlap_s == 120.0
    assert len(Settings.names()) == 30
