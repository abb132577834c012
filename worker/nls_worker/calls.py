"""What a worker's slot runs: the calls made in SQL (``nls._requests``), the schedule's rounds and the webhook events,
each through the engine's own entry points (:mod:`nls_engine.entry`, :mod:`nls_engine.schedule`).

A call is claimed (FOR UPDATE SKIP LOCKED), its caller checked (its backend still there, its session's role the
one it claims), run acting for the user the caller acted for (``nls.user_id``; with ``nls.scope = 'all'`` when the
caller may read every user's rows), committed, and answered: its result, or its error with the SQLSTATE, message,
detail and hint the caller's statement then raises. Secrets (a token, a password; a verification token answered)
travel encrypted under a one-time key that only the notification to the listening workers carries.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from nls_engine import entry, schedule
from nls_engine.db import Db
from nls_engine.errors import PREFIX
from nls_engine.settings import Settings
from nls_engine.store import Store

from . import events, queries
from .database import Conn, Interrupted, Plpy, PlpyError

if TYPE_CHECKING:
    from .worker import Slot, Worker  # the worker module imports this one

log = logging.getLogger("nls.worker")

EVENTS_EVERY_S = 1.0  # how often a worker looks for webhook events waiting, at most


@dataclass(frozen=True)
class Kind:
    """One kind of call: the entry point, the public function it answers for (the caller must be allowed to run it),
    the names of its arguments in order (``secret`` ones come encrypted), how its answer is kept (``json``: the entry
    returns JSON text; ``value``: a plain value; ``rows``: a list of dicts; ``secret``: a text answered encrypted
    under the call's one-time key), and whether it runs with every user's rows in view whoever calls it (it is
    SECURITY DEFINER in the server runtime)."""

    run: Callable[..., Any]
    function: str
    args: tuple[str, ...]
    answer: str = "json"
    secret: tuple[str, ...] = ()
    every_user: bool = False


KINDS: dict[str, Kind] = {
    "sync_notion": Kind(
        entry.sync_notion,
        "nls.sync_notion(text, text, text, boolean)",
        ("database_id", "database_name", "user_id", "full_sync"),
    ),
    "push_notion": Kind(entry.push_notion, "nls.push_notion(text, boolean)", ("user_id", "dry_run")),
    "anki_sync": Kind(entry.anki_sync, "nls.anki_sync(text)", ("user_id",)),
    "apply_webhook_events": Kind(entry.apply_webhook_events, "nls.apply_webhook_events(text)", ("user_id",)),
    "rotate_encryption_key": Kind(entry.rotate_encryption_key, "nls.rotate_encryption_key()", (), every_user=True),
    "engine_status": Kind(entry.engine_status, "nls.engine_status()", ()),
    "discover": Kind(entry.discover, "nls.discover(text, boolean)", ("user_id", "add"), "rows"),
    "create_typed_view": Kind(
        entry.create_typed_view,
        "nls.create_typed_view(text, text, text, text)",
        ("database_id", "view_name", "schema_name", "user_id"),
        "rows",
    ),
    "typed_select": Kind(
        entry.typed_select, "nls.typed_select(bigint, text)", ("source_id", "data_source_id"), "value"
    ),
    "add_integration": Kind(
        entry.add_integration,
        "nls.add_integration(text, text, text, text, text, text)",
        ("user_id", "access_token", "workspace_id", "workspace_name", "workspace_icon", "bot_id"),
        "value",
        ("access_token",),
    ),
    "add_anki_account": Kind(
        entry.add_anki_account,
        "nls.add_anki_account(text, text, text, text)",
        ("user_id", "username", "password", "endpoint"),
        "value",
        ("password",),
    ),
    "webhook_receive": Kind(
        entry.webhook_receive,
        "nls.webhook_receive(text, bytea, text)",
        ("path", "body", "signature"),
        "value",
        every_user=True,
    ),
    "webhook_verification_token": Kind(
        entry.webhook_verification_token, "nls.webhook_verification_token(text)", ("user_id",), "secret"
    ),
    "apply_all_webhook_events": Kind(
        entry.apply_all_webhook_events, "nls.apply_all_webhook_events()", (), "value", every_user=True
    ),
}


def next_unit(slot: Slot, conn: Conn) -> bool:
    """Run the next unit of work there is (a call first, then a user of the round going, then webhook events, then
    the deliveries of nls's events due); returns False when there was none."""
    request = queries.one(conn, queries.CLAIM_REQUEST, [slot.worker.id])
    conn.commit()
    if request is not None:
        run_call(slot, conn, request)
        return True
    if sync_round_user(slot, conn):
        return True
    if apply_events(slot, conn):
        return True
    return events.deliver(slot, conn)


def run_call(slot: Slot, conn: Conn, request: dict) -> None:
    """One call: run it as its caller would have, answer it (result or error), commit."""
    rid, kind = str(request["id"]), KINDS.get(request["kind"])
    slot.now = {
        "slot": slot.number,
        "work": request["kind"],
        "request_id": rid,
        "user_id": request["acting_user"],
        "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    key = slot.worker.signals.key(rid) if (request["secret"] or (kind and kind.answer == "secret")) else None
    plpy = Plpy(conn, lambda: _why_stop(slot, rid))
    try:
        if kind is None:
            raise PlpyError(
                f"nls: this worker does not know the call {request['kind']!r}",
                sqlstate="0A000",
                hint="Run a worker of the same version as the database's nls (nls --version).",
            )
        queries.one(conn, queries.ACT_FOR_CALLER, [rid, kind.function, kind.every_user])  # else 42501
        answer = _answer(kind, kind.run(plpy, slot.gd, *_arguments(kind, request, key)), key)
        conn.commit()
        outcome: tuple[str, str | None, str | None] = ("done", json.dumps(answer), None)
    except Exception as e:  # every failure is the caller's error, never the worker's end
        if conn.closed:  # the backend ended (terminated, a restart): the heartbeat answers the call
            raise
        conn.rollback()
        outcome = ("cancelled" if rid in slot.worker.signals.cancelled else "failed", None, json.dumps(error_of(e)))
    finally:
        slot.now = None
    queries.one(conn, queries.RESET_CALLER)
    queries.one(conn, queries.FINISH_REQUEST, [rid, *outcome, json.dumps(plpy.messages)])
    conn.commit()
    slot.worker.signals.cancelled.discard(rid)


def _why_stop(slot: Slot, request_id: str | None) -> str | None:
    """Why the run of a slot must stop now, or None."""
    if slot.worker.signals.stopping.is_set():
        return "the nls worker is stopping (SIGTERM); what the run committed stays, the next run goes on"
    if request_id is not None and request_id in slot.worker.signals.cancelled:
        return "the caller cancelled the call (a cancel or statement_timeout)"
    return None


def _arguments(kind: Kind, request: dict, key: bytes | None) -> list:
    """The call's arguments in the entry point's order, its secret ones decrypted with the one-time ``key``."""
    args = request["args"] if isinstance(request["args"], dict) else json.loads(request["args"] or "{}")
    if kind.secret:
        if key is None or request["secret"] is None:
            raise PlpyError(
                "nls: the worker did not receive the one-time key of this call's secret",
                hint="Call again; every worker must be listening (nls.workers shows them).",
                sqlstate="55000",
            )
        args.update(json.loads(decrypt(key, request["secret_iv"], request["secret"])))
    values = [args.get(name) for name in kind.args]
    body = values[kind.args.index("body")] if "body" in kind.args else None
    if body is not None:
        values[kind.args.index("body")] = base64.b64decode(body)
    return values


def _answer(kind: Kind, value: Any, key: bytes | None) -> Any:
    """The answer kept in nls._requests.result: JSON as parsed, a value, rows, or a secret encrypted under ``key``."""
    if kind.answer == "json":
        return json.loads(value) if isinstance(value, str) else value
    if kind.answer == "secret":
        if key is None:  # run_call receives the key of every call whose answer is a secret
            raise PlpyError("nls: no one-time key to encrypt this call's secret answer with", sqlstate="55000")
        iv, ciphertext = encrypt(key, value)
        return {"iv": iv.hex(), "ciphertext": ciphertext.hex()}
    return value


def error_of(error: BaseException) -> dict:
    """{sqlstate, message, detail, hint} of what a call raised, as its caller's statement raises it: the entry
    point's error reads ``nls: <message>`` as PL/Python shows it; PostgreSQL's own keeps its SQLSTATE and words."""
    if isinstance(error, psycopg.Error) and error.diag.sqlstate:
        d = error.diag
        return {
            "sqlstate": d.sqlstate,
            "message": d.message_primary or str(error),
            "detail": d.message_detail,
            "hint": d.message_hint,
        }
    state = getattr(error, "sqlstate", None) or "XX000"
    message = str(error) or type(error).__name__
    if isinstance(error, PlpyError):  # PL/Python prints the entry point's error after its class name, nls
        message = PREFIX + message
    if state == "XX000":
        log.error("nls worker: a call failed", exc_info=error)
    return {
        "sqlstate": state,
        "message": message,
        "detail": getattr(error, "detail", None),
        "hint": getattr(error, "hint", None),
    }


def sync_round_user(slot: Slot, conn: Conn) -> bool:
    """One user of the schedule's round going (opened by pg_cron's job), if one is left; returns whether one was."""
    plpy = Plpy(conn, lambda: _why_stop(slot, None))
    store = Store(Db(plpy, slot.gd))
    if store.round_waiting() is None:
        conn.commit()
        return False
    settings = Settings.from_catalogue(store.settings_rows())
    slot.now = {"slot": slot.number, "work": "round", "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    try:
        return schedule.sync_round_user(store, settings, plpy.commit) is not None
    except Interrupted:
        conn.rollback()
        return True
    finally:
        slot.now = None


def apply_events(slot: Slot, conn: Conn) -> bool:
    """The webhook events waiting, at most once every EVENTS_EVERY_S per worker; returns whether any were."""
    worker = slot.worker
    now = time.monotonic()
    if now - worker.events_looked < EVENTS_EVERY_S:
        return False
    worker.events_looked = now
    worker.signals.events = False
    plpy = Plpy(conn, lambda: _why_stop(slot, None))
    if not Store(Db(plpy, slot.gd)).users_with_events():
        conn.commit()
        return False
    slot.now = {
        "slot": slot.number,
        "work": "webhook_events",
        "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    try:
        entry.apply_all_webhook_events(plpy, slot.gd)
        conn.commit()
    except Interrupted:
        conn.rollback()
    finally:
        slot.now = None
    return True


def idle_s(worker: Worker) -> float:
    """How long a slot with nothing to do waits for a notification: ``poll_s``, or until the worker may look for
    webhook events again when one was stored since the last look (EVENTS_EVERY_S)."""
    if not worker.signals.events:
        return worker.poll_s
    return max(0.05, min(worker.poll_s, getattr(worker, "events_looked", 0.0) + EVENTS_EVERY_S - time.monotonic()))


def encrypt(key: bytes, text: str) -> tuple[bytes, bytes]:
    """AES-CBC with PKCS#7 padding (pgcrypto's ``encrypt_iv(..., 'aes-cbc/pad:pkcs')``): (iv, ciphertext)."""
    import os

    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(text.encode()) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return iv, enc.update(data) + enc.finalize()


def decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> str:
    """The text pgcrypto's ``encrypt_iv(convert_to(text, 'UTF8'), key, iv, 'aes-cbc/pad:pkcs')`` encrypted."""
    dec = Cipher(algorithms.AES(key), modes.CBC(bytes(iv))).decryptor()
    data = dec.update(bytes(ciphertext)) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(data) + unpadder.finalize()).decode()


def check_database(conn: Conn) -> dict:
    """Whether this worker may serve the database: nls installed with the worker runtime, at this worker's release
    and engine, and the encryption key in this process's environment. Returns nls.version(); raises
    nls_worker.worker.WorkerError."""
    from nls_engine import crypto

    from .worker import WorkerError

    version = queries.version(conn)
    if version is None:
        raise WorkerError(
            f"database {conn.info.dbname!r} has no nls: install it first (nls install --dsn ... --runtime worker)"
        )
    mismatch = queries.mismatch(conn, version)
    if mismatch:
        raise WorkerError(mismatch)
    store = Store(Db(Plpy(conn), {}))
    try:
        crypto.load_ring(Settings.from_catalogue(store.settings_rows()).encryption_key_file)
    except crypto.KeyError_ as e:
        raise WorkerError(
            f"no encryption key for the worker: {e} ({e.hint}); the worker runtime keeps the key in "
            "the worker's environment (NLS_ENCRYPTION_KEY), never in the database server's"
        ) from None
    finally:
        conn.rollback()
    return version
