"""The worker runtime on a database set up as managed services set theirs up (conftest.managed_template): installed
by its owner, no superuser, without plpython3u; the engine in nls worker processes beside the server; the psql a DBA
knows unchanged."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from conftest import (TEMPLATE_DB, WORKER_DB, add_user_source, install_nls, owner_dsn, running_worker, sync, terminate,
                      use_emulator, wait_until, worker_dsn)

pytestmark = pytest.mark.parametrize("runtime", ["worker"], indirect=True)

PUBLIC = ("SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') -> ' || "
          "pg_get_function_result(p.oid) FROM pg_proc p WHERE p.pronamespace = 'nls'::regnamespace "
          "AND p.proname !~ '^_' ORDER BY 1")
VIEWS = "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'nls'::regnamespace AND c.relkind = 'v' ORDER BY 1"


def learning(emu, conn, user="alice", token="tok-alice", pages=40):
    gen = emu.add_generated("learning", pages=pages, seed=5, token=token)
    use_emulator(conn, emu)
    add_user_source(conn, user, token, gen.database_ids["Flashcards"])
    return gen


def test_the_worker_runtime_has_the_server_runtimes_public_functions_and_views_and_no_plpython(
        conn, postgresql_proc):
    with postgresql_proc.connect(TEMPLATE_DB) as server:
        assert conn.execute(PUBLIC).fetchall() == server.execute(PUBLIC).fetchall()
        assert conn.execute(VIEWS).fetchall() == server.execute(VIEWS).fetchall()
    assert conn.execute("SELECT count(*) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
                        "WHERE l.lanname LIKE 'plpython%'").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM pg_extension WHERE extname LIKE 'plpython%'").fetchone() == (0,)
    worker = conn.execute("SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'nls_worker'")
    assert worker.fetchone() == (False, False, True)


def test_nls_install_check_says_which_runtime_and_why(conn, capsys):
    from nls_install.cli import main
    assert main(["--dsn", owner_dsn_of(conn), "--check"]) == 0
    out = capsys.readouterr().out
    assert "runtime: worker: nls is installed here with the worker runtime" in out, out
    assert "encryption key: kept by the workers" in out


def owner_dsn_of(conn) -> str:
    i = conn.info
    return f"host={i.host} port={i.port} user={i.user} password={i.password} dbname={i.dbname}"


def test_a_sync_in_psql_returns_its_json_once_a_worker_ran_it_and_stores_what_the_server_runtime_does(
        conn, emulator, postgresql_proc):
    gen = learning(emulator, conn)
    cards = len(gen.page_ids["Flashcards"])
    result = sync(conn, database_id=gen.database_ids["Flashcards"])
    assert result["success"] and result["status"] == "success" and result["synced_count"] == cards, result
    log = conn.execute("SELECT status, items_processed, backend_pid <> pg_backend_pid() FROM nls.sync_log "
                       "WHERE id = %s", (result["sync_log_id"],)).fetchone()
    assert log == ("completed", cards, True)   # the run was a worker's
    # the same workspace synced by the server runtime stores the same pages
    postgresql_proc.create_database("tests_server_twin", template=TEMPLATE_DB)
    try:
        with postgresql_proc.connect("tests_server_twin", autocommit=True) as server:
            use_emulator(server, emulator)
            add_user_source(server, "alice", "tok-alice", gen.database_ids["Flashcards"])
            assert sync(server, database_id=gen.database_ids["Flashcards"])["synced_count"] == cards
            pages = "SELECT page_id, sync_hash FROM nls.stg_notion_pages ORDER BY page_id"
            assert conn.execute(pages).fetchall() == server.execute(pages).fetchall()
    finally:
        postgresql_proc.drop_database("tests_server_twin")


def test_bad_input_comes_back_with_its_sqlstate_message_and_hint(conn):
    with pytest.raises(psycopg.errors.InvalidParameterValue) as e:
        conn.execute("SELECT nls.sync_notion(database_id => 'zz')")
    assert e.value.diag.message_primary == 'nls: database_id "zz" is not a Notion id'
    assert "32 hex digits" in e.value.diag.message_hint
    with pytest.raises(psycopg.errors.NullValueNotAllowed):
        conn.execute("SELECT nls.push_notion(dry_run => NULL)")


def test_with_no_live_worker_a_call_fails_at_once_saying_how_to_start_one(conn, postgresql_proc):
    conn.execute("UPDATE nls._workers SET stopping_at = now()")   # as if every worker had stopped
    started = time.monotonic()
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as e:
        conn.execute("SELECT nls.sync_notion()")
    assert time.monotonic() - started < 5
    assert e.value.diag.message_primary.startswith(f"nls: no nls worker is running for database {WORKER_DB}")
    assert "nls worker --dsn" in e.value.diag.message_hint


def test_a_token_never_lies_in_a_table_in_clear(conn, emulator):
    learning(emulator, conn, token="tok-secret-never-stored")
    for table in ("nls._requests", "nls.integrations"):
        rows = conn.execute(f"SELECT t::text FROM {table} t").fetchall()
        assert rows and not any("tok-secret-never-stored" in r[0] for r in rows), table
    assert conn.execute("SELECT count(*) FROM nls._requests WHERE secret IS NOT NULL").fetchone() == (0,)


def test_a_statement_timeout_of_the_caller_stops_the_run_in_the_worker(conn, emulator):
    gen = learning(emulator, conn)
    emulator.api.faults.add("stall", path="/query", times=20)   # the run waits on Notion
    try:
        conn.execute("SET statement_timeout = '1s'")
        with pytest.raises(psycopg.errors.QueryCanceled):
            sync(conn, database_id=gen.database_ids["Flashcards"])
        conn.execute("RESET statement_timeout")
        # the worker was told at once: it stops the run at its next wait, and its slot is free again
        wait_until(lambda: conn.execute("SELECT status FROM nls._requests ORDER BY requested_at DESC LIMIT 1")
                   .fetchone() == ("cancelled",), 15, "the call cancelled in the worker")
        wait_until(lambda: conn.execute("SELECT bool_and(running = '[]') FROM nls.workers").fetchone() == (True,),
                   15, "the worker's slots free")
    finally:
        emulator.api.faults.clear()
    # as in the server runtime, a statement that failed leaves nothing of its run
    assert conn.execute("SELECT count(*) FROM nls.sync_log WHERE sync_type LIKE 'notion%'").fetchone() == (0,)
    assert sync(conn, database_id=gen.database_ids["Flashcards"])["synced_count"] == len(gen.page_ids["Flashcards"])
