"""Every statement the worker itself runs (the engine's own are its store's): each calls a function of the worker
runtime's SQL (worker/functions.sql) with bound parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .database import Conn

REGISTER = "SELECT id, heartbeat_s FROM nls._worker_register($1, $2, $3, $4, $5)"
HEARTBEAT = "SELECT id FROM nls._worker_beat($1, $2::jsonb) AS id"
STOPPED = "SELECT nls._worker_stopped($1)"
CLAIM_REQUEST = "SELECT id, kind, args::text AS args, secret, secret_iv, acting_user, scope FROM nls._claim_request($1)"
ACT_FOR_CALLER = "SELECT nls._act_for_caller($1, $2, $3)"
FINISH_REQUEST = "SELECT nls._finish_request($1, $2, $3::jsonb, $4::jsonb, $5::jsonb)"
RESET_CALLER = "SELECT set_config('nls.user_id', '', false), set_config('nls.scope', '', false)"
VERSION = "SELECT nls.version()::text AS v"
RUNTIME = "SELECT to_regprocedure('nls._claim_request(uuid)') IS NOT NULL AS worker"


def one(conn: Conn, query: str, params: Sequence[Any] = ()) -> dict | None:
    """The first row of ``query`` (a dict), or None."""
    with conn.cursor() as cur:
        cur.execute(query, list(params) if params else None)
        return cur.fetchone() if cur.description else None


def row(conn: Conn, query: str, params: Sequence[Any] = ()) -> dict:
    """The row of a statement that always returns one (a function call, an upsert's RETURNING). Raises
    LookupError when it returned none."""
    found = one(conn, query, params)
    if found is None:
        raise LookupError(f"the statement returned no row: {query[:80]}")
    return found


def rows(conn: Conn, query: str, params: Sequence[Any] = ()) -> list[dict]:
    with conn.cursor() as cur:
        cur.execute(query, list(params) if params else None)
        return cur.fetchall() if cur.description else []


ENGINE_HASH = (
    "SELECT left(encode(sha256(convert_to(string_agg(sha256, '' ORDER BY name COLLATE \"C\"), 'UTF8')), "
    "'hex'), 16) AS engine FROM nls._python_module"
)
INSTALLED = "SELECT to_regclass('nls._python_module') IS NOT NULL AS ok"


def version(conn: Conn) -> dict | None:
    """What the database holds of nls: {"engine": the deployed engine's hash, "worker": whether the worker runtime's
    functions are there}, or None when nls is not installed."""
    if not row(conn, INSTALLED)["ok"]:
        return None
    return {"engine": row(conn, ENGINE_HASH)["engine"], "worker": row(conn, RUNTIME)["worker"]}


def mismatch(conn: Conn, version: dict) -> str | None:
    """Why this worker may not serve the database (another runtime, another engine), or None."""
    import hashlib

    from nls_install.resources import engine_modules

    if not version["worker"]:
        return (
            f"database {conn.info.dbname!r} runs nls in the server runtime (PL/Python): it needs no worker "
            "(nls install --runtime worker installs the worker runtime)"
        )
    mine = hashlib.sha256(
        "".join(hashlib.sha256(s.encode()).hexdigest() for _, s in sorted(engine_modules().items())).encode()
    ).hexdigest()[:16]
    if mine != version["engine"]:
        return (
            f"database {conn.info.dbname!r} has nls engine {version['engine']}, this worker runs {mine}: run the "
            "same release of nls install and nls worker"
        )
    return None


# the events' deliveries (sql/87_events.sql): claimed signed, POSTed by the worker, answered
CLAIM_EVENT_DELIVERIES = (
    "SELECT endpoint_id, event_id, url, headers::text AS headers, body FROM nls._claim_event_deliveries($1)"
)
EVENT_DELIVERED = "SELECT nls._event_delivered($1, $2, $3, $4) AS status"
EVENT_TIMEOUT = "SELECT nls._event_setting('event_timeout_s') AS s"
