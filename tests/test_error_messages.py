"""What a DBA reads when an entry point of the engine fails: `ERROR:  nls: <message>` with its SQLSTATE and HINT, and
no Python class name in the message (no `plpy.Error:`, no `spiexceptions.QueryCanceled:`), for bad arguments, a
missing key, a cancel and a statement_timeout, from the functions and from the procedures. Real PostgreSQL (the
message as psql shows it is psycopg's diag.message_primary), the emulator holding a request where one is needed."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from psycopg.types.json import Jsonb

from conftest import add_user_source, use_emulator

ARGUMENTS = [
    (
        "SELECT nls.add_integration(NULL, 'tok')",
        "22004",
        "nls: add_integration needs user_id (argument user_id); it was NULL",
        "add_integration(user_id text",
    ),
    (
        "SELECT nls.add_integration('u', ' ')",
        "22023",
        "nls: add_integration needs access_token (argument access_token), not an empty text",
        "access token",
    ),
    ("SELECT nls.sync_notion(database_id => 'zz')", "22023", "nls: database_id", None),
    (
        "SELECT nls.push_notion(dry_run => NULL)",
        "22004",
        "nls: push_notion needs dry_run (argument dry_run); it was NULL",
        "true lists what would be sent",
    ),
    (
        "SELECT nls.push_notion(' ')",
        "22023",
        "nls: push_notion needs user_id (argument user_id), not an empty text",
        "NULL for every user",
    ),
    (
        "SELECT * FROM nls.discover(NULL)",
        "22004",
        "nls: discover needs user_id (argument user_id); it was NULL",
        "discover(user_id text",
    ),
    (
        "SELECT * FROM nls.discover('nobody')",
        "P0002",
        "nls: user 'nobody' has no Notion integration this session can see",
        "nls.add_integration",
    ),
    (
        "SELECT nls.add_anki_account(NULL, 'me', 'pw')",
        "22004",
        "nls: add_anki_account needs user_id (argument user_id); it was NULL",
        "application id",
    ),
    (
        "SELECT nls.add_anki_account('u', 'me', 'pw', 'ftp://x')",
        "22023",
        "nls: add_anki_account got endpoint 'ftp://x', which is not a sync server URL (argument endpoint)",
        "Anki sync server",
    ),
    (
        "SELECT nls.anki_sync(NULL)",
        "22004",
        "nls: anki_sync needs user_id (argument user_id); it was NULL",
        "nls.anki_status",
    ),
    (
        "SELECT nls.anki_sync('')",
        "22023",
        "nls: anki_sync needs user_id (argument user_id), not an empty text",
        "nls.anki_status",
    ),
    (
        "SELECT nls.anki_sync('nobody')",
        "P0002",
        "nls: user 'nobody' has no Anki account this session can see",
        "nls.add_anki_account",
    ),
    (
        "SELECT nls.webhook_verification_token(NULL)",
        "22004",
        "nls: webhook_verification_token needs user_id (argument user_id); it was NULL",
        "webhook_verification_token(user_id text)",
    ),
    (
        "SELECT nls.apply_webhook_events('')",
        "22023",
        "nls: apply_webhook_events needs user_id (argument user_id), not an empty text",
        "NULL for every user",
    ),
    ("SELECT * FROM nls.create_typed_view()", "22023", "nls: create_typed_view needs a database_id or a user_id", None),
    ("SELECT * FROM nls.typed_select(NULL, NULL)", "22004", "nls: typed_select needs a source_id", None),
]


def failure(conn, statement: str) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as e:
        conn.execute(statement)
    return e.value


def reads_clean(error: psycopg.Error) -> str:
    """The primary message, once it is known to read as the product's: `nls: ` once, no Python class name."""
    message = error.diag.message_primary or ""
    assert message.startswith("nls: ") and not message.startswith("nls: nls:"), message
    for python in ("plpy", "spiexceptions", "Error:", "Traceback", "QueryCanceled"):
        assert python not in message, message
    return message


@pytest.mark.parametrize("statement, sqlstate, message, hint", ARGUMENTS, ids=[a[0][7:55] for a in ARGUMENTS])
def test_a_bad_argument_reads_as_nls_with_its_sqlstate_and_hint(conn, statement, sqlstate, message, hint):
    error = failure(conn, statement)
    assert error.sqlstate == sqlstate and reads_clean(error).startswith(message), (
        error.sqlstate,
        error.diag.message_primary,
    )
    if hint:
        assert hint in (error.diag.message_hint or ""), error.diag.message_hint


def test_a_missing_key_reads_as_nls_with_55000_and_how_to_set_it(conn):
    conn.execute("SELECT nls.set_setting('encryption_key_file', '/nonexistent/nls.key')")
    for statement, begins in (
        (
            "SELECT nls.add_integration('u', 'tok')",
            "nls: cannot store the token of user 'u': the nls key file /nonexistent/nls.key",
        ),
        ("SELECT nls.rotate_encryption_key()", "nls: cannot rotate the token encryption key"),
    ):
        error = failure(conn, statement)
        assert error.sqlstate == "55000" and reads_clean(error).startswith(begins), error.diag.message_primary
        assert "NLS_ENCRYPTION_KEY" in (error.diag.message_hint or "")


@pytest.fixture
def held(conn, fresh_emulator):
    """A user whose every Notion request the emulator holds for 30 s (nls waits up to 60 s for an answer)."""
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=20, seed=71, token="tok-held")
    use_emulator(conn, emu, read_timeout=60)
    emu.database_id = gen.database_ids["Concepts"]
    add_user_source(conn, "hal", "tok-held", emu.database_id)
    emu.api.faults.stall_seconds = 30
    emu.api.faults.set_probabilities({"stall": 1.0})
    return emu


@pytest.mark.parametrize("statement", ["SELECT nls.sync_notion()", "CALL nls.sync_all_users_notion_databases()"])
def test_a_statement_timeout_reads_as_nls_with_57014(conn, held, statement):
    conn.execute("SET statement_timeout = '1s'")
    error = failure(conn, statement)
    assert error.sqlstate == "57014" and reads_clean(error) == "nls: canceling statement due to statement timeout"
    assert error.diag.message_hint is None


def test_a_timeout_of_the_scheduled_webhook_job_reads_as_nls_with_57014(conn, held):
    held.api.faults.clear()
    assert conn.execute("SELECT nls.sync_notion()").fetchone()[0]["success"]
    path = conn.execute("SELECT nls.webhook_endpoint('hal')").fetchone()[0].rsplit("/", 1)[-1]
    page = conn.execute("SELECT page_id FROM nls.stg_notion_pages LIMIT 1").fetchone()[0]
    conn.execute(
        "SELECT nls._save_webhook_event(%s, %s)",
        (
            path,
            Jsonb(
                {
                    "id": "00000000-0000-4000-8000-000000000001",
                    "timestamp": "2030-01-01T00:00:00.000Z",
                    "type": "page.properties_updated",
                    "authors": [{"id": "someone", "type": "person"}],
                    "entity": {"id": page, "type": "page"},
                    "data": {},
                    "api_version": "2025-09-03",
                }
            ),
        ),
    )
    held.api.faults.set_probabilities({"stall": 1.0})
    conn.execute("SET statement_timeout = '1s'")
    error = failure(conn, "CALL nls.apply_all_webhook_events()")
    assert error.sqlstate == "57014" and reads_clean(error) == "nls: canceling statement due to statement timeout"


def test_a_cancel_reads_as_nls_with_57014(conn, held):
    info = conn.info
    with psycopg.connect(host=info.host, port=info.port, user=info.user, dbname=info.dbname, autocommit=True) as other:
        pid, outcome = other.info.backend_pid, {}

        def run():
            try:
                other.execute("SELECT nls.sync_notion()")
            except psycopg.Error as e:  # what the statement ended with is the test's to check
                outcome["error"] = e

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not conn.execute(
            "SELECT count(*) FROM pg_locks WHERE pid = %s AND locktype = 'advisory' AND classid = nls._lock_key()",
            (pid,),
        ).fetchone()[0]:  # the run holds its source
            assert time.monotonic() < deadline, "the sync did not start"
            time.sleep(0.05)
        conn.execute("SELECT pg_cancel_backend(%s)", (pid,))
        thread.join(10)
    error = outcome["error"]
    assert error.sqlstate == "57014" and reads_clean(error) == "nls: canceling statement due to user request"
