"""The engine's settings, typed, read once per call from the catalogue in ``nls.settings`` (``sql/06_settings.sql``).

The catalogue is the one place a setting is described (type, unit, default, allowed range); ``nls.set_setting`` and
a trigger refuse a value it does not allow, so a value read here is already valid. This module only gives each one
its Python type: ``number`` -> float, ``integer`` -> int, anything else -> str.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from .errors import NlsError


class SettingsError(NlsError):
    """The settings table lacks a setting the engine reads, or holds one it cannot type: SQLSTATE 55000."""

    sqlstate, hint = "55000", "Run nls install again: it makes the settings catalogue whole."


@dataclass(frozen=True)
class Settings:
    """Every setting of ``nls.settings`` (see its ``description`` column and the README's table); units in names."""

    api_base_url: str
    notion_version: str
    connect_timeout_s: float
    read_timeout_s: float
    run_deadline_s: float
    max_attempts: int
    retry_after_cap_s: float
    backoff_base_s: float
    overlap_s: float
    reconcile_interval_s: float
    content_format: str
    content_max_depth: int
    rate_limit_per_s: float
    rate_limit_burst: float
    workspace_rate_limit_per_s: float
    rate_limit_model: str  # 'window' | 'rate': window budgets learned from the 429s, or pacing only
    rate_limit_window_s: float
    encryption_key_file: str
    anki_python_path: str
    anki_timeout_s: float
    typed_views_schema: str  # read by nls.add_source (SQL); the engine does not use it
    push_after_read: str  # 'on' | 'off': the scheduled workers push after each user's read
    webhook_handshake_window_s: float  # read by nls.webhook_endpoint (SQL)
    webhook_max_body_bytes: int
    webhook_batch_size: int
    event_max_attempts: int  # the events' deliveries (sql/87_events.sql reads them)
    event_retry_s: float
    event_timeout_s: float
    event_keep_days: int
    worker_heartbeat_s: float  # the worker runtime: how often an nls worker beats (nls._worker_register reads it)

    @classmethod
    def from_catalogue(cls, rows: Iterable[Mapping]) -> Settings:
        """``rows``: ``{"name", "value", "type"}`` of ``nls.settings``. Returns the typed settings. Raises
        SettingsError naming a setting that is missing or whose value does not read as its type."""
        by_name = {r["name"]: r for r in rows}
        values: dict[str, Any] = {}
        for f in fields(cls):
            row = by_name.get(f.name)
            if row is None:
                raise SettingsError(f"nls.settings has no setting {f.name!r}; run `nls install` again")
            values[f.name] = _typed(f.name, row["value"], row.get("type"))
        return cls(**values)

    @classmethod
    def names(cls) -> list[str]:
        """The settings the engine reads, in declaration order."""
        return [f.name for f in fields(cls)]


def _typed(name: str, value: str | None, kind: str | None) -> float | int | str:
    text = "" if value is None else value  # NULL reads as no number
    try:
        if kind == "number":
            return float(text)
        if kind == "integer":
            return int(text)
    except (TypeError, ValueError):
        raise SettingsError(f"setting {name!r} holds {value!r}, which is not a {kind}") from None
    return "" if value is None else str(value)
