"""PostgreSQL values as the SQLite copy stores them (docs/sqlite.md): uuid as text, timestamptz as ISO 8601 in UTC
(``2026-03-01 09:30:00.123456+00:00``, which SQLite's date functions read), date as ``YYYY-MM-DD``, boolean as 0/1,
numeric as REAL, jsonb and json as their JSON text, arrays as JSON arrays, ranges as PostgreSQL writes them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from psycopg.types.range import Range

from .schema import base_type

UTC = dt.UTC


def timestamp(v: dt.datetime) -> str:
    return (v.astimezone(UTC) if v.tzinfo else v).isoformat(sep=" ")


def _range_bound(v) -> str:
    return (
        ""
        if v is None
        else timestamp(v)
        if isinstance(v, dt.datetime)
        else v.isoformat()
        if isinstance(v, dt.date)
        else str(v)
    )


def range_text(r: Range) -> str:
    """A range as PostgreSQL writes it: ``[2026-03-01 00:00:00+00:00,2026-03-02 00:00:00+00:00]``; ``empty``."""
    if r.isempty:
        return "empty"
    return (
        ("[" if r.lower_inc else "(")
        + _range_bound(r.lower)
        + ","
        + _range_bound(r.upper)
        + ("]" if r.upper_inc else ")")
    )


def _array(v: list) -> str:
    return json.dumps(
        [
            x.isoformat()
            if isinstance(x, (dt.date, dt.datetime))
            else str(x)
            if not isinstance(x, (str, int, float, bool, type(None)))
            else x
            for x in v
        ],
        ensure_ascii=False,
    )


def converter(pg_type: str) -> Callable[[Any], Any] | None:
    """The function that turns a value of ``pg_type`` into what SQLite stores; None when it stores it as it is
    (text, integers, and jsonb, which the export reads as text)."""
    t = base_type(pg_type)
    if t.endswith("[]"):
        return _array
    by_type: dict[str, Callable[[Any], Any]] = {
        "uuid": str,
        "timestamp with time zone": timestamp,
        "timestamp without time zone": timestamp,
        "date": dt.date.isoformat,
        "boolean": int,
        "numeric": float,
        "tstzrange": range_text,
        "interval": str,
    }
    return by_type.get(t)


def row_converter(pg_types: list[str]) -> Callable[[tuple], tuple]:
    """A function converting a whole row of these column types."""
    convs = [converter(t) for t in pg_types]
    if not any(convs):
        return tuple
    pairs = list(enumerate(convs))

    def convert(row: tuple) -> tuple:
        return tuple(v if v is None or c is None else c(v) for (_, c), v in zip(pairs, row, strict=True))

    return convert
