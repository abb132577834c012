"""The worker runtime on a database set up as managed services set theirs up (conftest.managed_template): installed
by its owner, no superuser, without plpython3u; the engine in nls worker processes beside the server; the psql a DBA
knows unchanged."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import psycopg
import pytest

from conftest import (
    OWNER,
    TEMPLATE_DB,
    WORKER_DB,
    add_user_source,
    install,
    owner_dsn,
    running_worker,
    sync,
    terminate,
    use_emulator,
    wait_until,
    worker_dsn,
)


@pytest.fixture
def runtime() -> str:
    """Every test here is of the worker runtime."""
    return "worker"


PUBLIC = (
    "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') -> ' || "
    "pg_get_function_result(p.oid) FROM pg_proc p WHERE p.pronamespace = 'nls'::regnamespace "
    "AND p.proname !~ '^_' ORDER BY 1"
)
VIEWS = "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'nls'::regnamespace AND c.relkind = 'v' ORDER BY 1"


def learning(emu, conn, user="alice", token="tok-alice", pages=40):
    gen = emu.add_generated("learning", pages=pages, seed=5, token=token)
    use_emulator(conn, emu)
    add_user_source(conn, user, token, gen.database_ids["Flashcards"])
    return gen


def test_the_worker_runtime_has_the_server_runtimes_public_functions_and_views_and_no_plpython(conn, postgresql_proc):
    with postgresql_proc.connect(TEMPLATE_DB) as server:
        assert conn.execute(PUBLIC).fetchall() == server.execute(PUBLIC).fetchall()
        assert conn.execute(VIEWS).fetchall() == server.execute(VIEWS).fetchall()
    assert conn.execute(
        "SELECT count(*) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE l.lanname LIKE 'plpython%'"
    ).fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM pg_extension WHERE extname LIKE 'plpython%'").fetchone() == (0,)
    worker = conn.execute("SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'nls_worker'")
    assert worker.fetchone() == (False, False, True)


def test_nls_workers_shows_each_worker_with_the_release_and_engine_it_runs(conn):
    from nls_install import __version__

    row = conn.execute(
        "SELECT host, pid, alive, concurrency, release, engine = (nls.version() ->> 'engine') FROM nls.workers"
    ).fetchall()
    assert row == [(socket.gethostname(), os.getpid(), True, 2, __version__, True)]


def test_nls_install_check_says_which_runtime_and_why(conn, capsys):
    assert install(["--dsn", owner_dsn_of(conn), "--check"]) == 0
    out = capsys.readouterr().out
    assert "runtime: worker: nls is installed here with the worker runtime" in out, out
    assert "encryption key: kept by the workers" in out


def owner_dsn_of(conn) -> str:
    i = conn.info
    return f"host={i.host} port={i.port} user={i.user} password={i.password} dbname={i.dbname}"


def test_a_sync_in_psql_returns_its_json_once_a_worker_ran_it_and_stores_what_the_server_runtime_does(
    conn, emulator, postgresql_proc
):
    gen = learning(emulator, conn)
    cards = len(gen.page_ids["Flashcards"])
    result = sync(conn, database_id=gen.database_ids["Flashcards"])
    assert result["success"] and result["status"] == "success" and result["synced_count"] == cards, result
    log = conn.execute(
        "SELECT status, items_processed, backend_pid <> pg_backend_pid() FROM nls.sync_log WHERE id = %s",
        (result["sync_log_id"],),
    ).fetchone()
    assert log == ("completed", cards, True)  # the run was a worker's
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
    assert "32 hex digits" in (e.value.diag.message_hint or "")
    with pytest.raises(psycopg.errors.NullValueNotAllowed):
        conn.execute("SELECT nls.push_notion(dry_run => NULL)")


def test_with_no_live_worker_a_call_fails_at_once_saying_how_to_start_one(conn, postgresql_proc):
    conn.execute("UPDATE nls._workers SET stopping_at = now()")  # as if every worker had stopped
    started = time.monotonic()
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as e:
        conn.execute("SELECT nls.sync_notion()")
    assert time.monotonic() - started < 5
    assert (e.value.diag.message_primary or "").startswith(f"nls: no nls worker is running for database {WORKER_DB}")
    assert "nls worker --dsn" in (e.value.diag.message_hint or "")


def test_a_token_never_lies_in_a_table_in_clear(conn, emulator):
    learning(emulator, conn, token="tok-secret-never-stored")
    for table in ("nls._requests", "nls.integrations"):
        rows = conn.execute(f"SELECT t::text FROM {table} t").fetchall()
        assert rows and not any("tok-secret-never-stored" in r[0] for r in rows), table
    assert conn.execute("SELECT count(*) FROM nls._requests WHERE secret IS NOT NULL").fetchone() == (0,)


def test_a_statement_timeout_of_the_caller_stops_the_run_in_the_worker(conn, emulator):
    gen = learning(emulator, conn)
    emulator.api.faults.add("stall", path="/query", times=20)  # the run waits on Notion
    try:
        conn.execute("SET statement_timeout = '1s'")
        with pytest.raises(psycopg.errors.QueryCanceled):
            sync(conn, database_id=gen.database_ids["Flashcards"])
        conn.execute("RESET statement_timeout")
        # the worker was told at once: it stops the run at its next wait, and its slot is free again
        wait_until(
            lambda: (
                conn.execute("SELECT status FROM nls._requests ORDER BY requested_at DESC LIMIT 1").fetchone()
                == ("cancelled",)
            ),
            15,
            "the call cancelled in the worker",
        )
        wait_until(
            lambda: conn.execute("SELECT bool_and(running = '[]') FROM nls.workers").fetchone() == (True,),
            15,
            "the worker's slots free",
        )
    finally:
        emulator.api.faults.clear()
    # as in the server runtime, a statement that failed leaves nothing of its run
    assert conn.execute("SELECT count(*) FROM nls.sync_log WHERE sync_type LIKE 'notion%'").fetchone() == (0,)
    assert sync(conn, database_id=gen.database_ids["Flashcards"])["synced_count"] == len(gen.page_ids["Flashcards"])


def test_a_worker_stopping_mid_run_closes_the_run_and_exits_within_seconds(conn, emulator, worker):
    gen = learning(emulator, conn)
    emulator.api.faults.add("stall", path="/query", times=20)
    try:
        outcome: dict[str, Any] = {}
        caller = threading.Thread(target=_sync_into, args=(owner_dsn_of(conn), gen, outcome), daemon=True)
        caller.start()
        wait_until(
            lambda: conn.execute("SELECT count(*) FROM nls._requests WHERE status = 'running'").fetchone() == (1,),
            15,
            "the worker running the call",
        )
        started = time.monotonic()
        worker.stop()
        assert time.monotonic() - started < 5
        caller.join(15)
    finally:
        emulator.api.faults.clear()
    assert isinstance(outcome.get("error"), psycopg.errors.QueryCanceled), outcome
    assert "the nls worker is stopping" in outcome["error"].diag.message_primary
    assert conn.execute("SELECT count(*) FROM nls.workers WHERE alive").fetchone() == (0,)


def _sync_into(dsn: str, gen, outcome: dict) -> None:
    """A call in a session of its own, in a thread: what it returned or raised goes into ``outcome``."""
    try:
        with psycopg.connect(dsn, autocommit=True) as c:
            outcome["result"] = sync(c, database_id=gen.database_ids["Flashcards"])
    except psycopg.Error as e:
        outcome["error"] = e


def _held_call(conn, emulator):
    """A sync called in a session of its own, running in the fixture's worker while Notion holds its first query:
    (the workspace, the caller's thread, what it returned or raised, the worker backend running it)."""
    gen = learning(emulator, conn)
    emulator.api.faults.add("stall", path="/query", times=1)
    outcome: dict = {}
    caller = threading.Thread(target=_sync_into, args=(owner_dsn_of(conn), gen, outcome), daemon=True)
    caller.start()
    wait_until(lambda: emulator.api.faults.script == [], 15, "the worker's request held")
    pid = conn.execute("SELECT claimed_pid FROM nls._requests WHERE status = 'running'").fetchone()[0]
    return gen, caller, outcome, pid


def test_a_request_in_flight_is_waited_on_in_pg_sleeps_growing_from_1_ms_to_20_ms_each_request_anew(conn):
    from nls_worker.database import Plpy, connect

    slept: list[float] = []

    class Recording(Plpy):
        def sleep(self, seconds: float) -> None:
            slept.append(seconds)
            super().sleep(seconds)

    with connect(owner_dsn_of(conn)) as c:  # a connection as a worker's slot has
        plpy = Recording(c)
        for _ in range(2):  # two requests, one after the other
            answered = threading.Event()
            request = threading.Thread(target=answered.wait)
            request.start()
            for _ in range(7):
                plpy.join(request, 1.0)
            plpy.join(request, 0.005)  # never longer than the wait asked for
            answered.set()
            request.join()
            plpy.join(request, 1.0)  # answered: no wait on the backend
    assert slept == [0.001, 0.002, 0.004, 0.008, 0.016, 0.02, 0.02, 0.005] * 2


def test_a_terminated_worker_backend_ends_that_run_and_the_worker_serves_the_next_call(conn, emulator, managed_proc):
    gen, caller, outcome, pid = _held_call(conn, emulator)
    with managed_proc.connect(WORKER_DB, autocommit=True) as su:
        terminate(su, pid)
    caller.join(30)
    assert isinstance(outcome.get("error"), psycopg.Error), outcome
    assert outcome["error"].sqlstate in ("57P05", "57P01"), outcome["error"].diag.message_primary
    # the worker reconnected: the next call runs
    assert sync(conn, database_id=gen.database_ids["Flashcards"])["success"]


def test_a_pg_cancel_backend_of_a_workers_backend_cancels_its_run(conn, emulator, managed_proc):
    _, caller, outcome, pid = _held_call(conn, emulator)
    with managed_proc.connect(WORKER_DB, autocommit=True) as su:
        # the worker waits on its backend (pg_sleep) while Notion holds the answer: the cancel lands there (one sent
        # as a sleep ends is lost, as any cancel of a statement that ended: it is sent again until the call ends)
        def cancelled() -> bool:
            su.execute(
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = %s AND state = 'active' "
                "AND query LIKE 'SELECT pg_sleep%%'",
                (pid,),
            )
            return bool(outcome) or not caller.is_alive()

        wait_until(cancelled, 15, "a cancel landing in the worker's wait")
    caller.join(30)
    assert isinstance(outcome.get("error"), psycopg.errors.QueryCanceled), outcome


def test_two_workers_share_one_round_and_sync_each_user_once(conn, emulator, managed_proc):
    users = [f"u{i}" for i in range(6)]
    for u in users:
        gen = emulator.add_generated("learning", pages=20, seed=7, token=f"tok-{u}")
        add_user_source(conn, u, f"tok-{u}", gen.database_ids["Flashcards"])
    use_emulator(conn, emulator)
    with running_worker(worker_dsn(managed_proc), concurrency=2):
        conn.execute("CALL nls.sync_all_users_notion_databases()")  # what pg_cron's job runs: opens the round
        wait_until(
            lambda: (
                conn.execute(
                    "SELECT count(*) FILTER (WHERE finished_at IS NOT NULL), count(*) FROM nls.sync_rounds"
                ).fetchone()
                == (6, 6)
            ),
            60,
            "the round done",
        )
    rows = conn.execute(
        "SELECT user_id, count(*) FROM nls.sync_log WHERE sync_type LIKE 'notion_full' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert rows == [(u, 1) for u in users]
    claimed_by = conn.execute("SELECT count(DISTINCT claimed_by) FROM nls.sync_rounds").fetchone()[0]
    assert claimed_by >= 2  # the work was shared by the slots of both workers


def test_a_call_asked_in_another_backends_name_is_refused(conn, managed_proc):
    with managed_proc.connect(WORKER_DB, autocommit=True) as su:
        (conninfo,) = su.execute("SELECT conninfo FROM nls._loopback").fetchone()
    admin_pid = conn.info.backend_pid
    with psycopg.connect(conninfo + f" dbname={WORKER_DB}", autocommit=True) as forger:  # the loopback's own role
        forger.execute(
            "INSERT INTO nls._requests (id, kind, args, caller_role, caller_pid, caller_started, scope) "
            "VALUES (gen_random_uuid(), 'rotate_encryption_key', '{}', %s, %s, now(), 'all')",
            (conn.info.user, admin_pid),
        )
        forger.execute("NOTIFY nls_requests")
    wait_until(
        lambda: (
            conn.execute("SELECT status FROM nls._requests WHERE kind = 'rotate_encryption_key'").fetchone()
            == ("failed",)
        ),
        15,
        "the forged call answered",
    )
    error = conn.execute("SELECT error FROM nls._requests WHERE kind = 'rotate_encryption_key'").fetchone()[0]
    assert error["sqlstate"] == "42501", error


def test_nls_worker_says_in_one_line_what_keeps_it_from_starting(managed_proc, tmp_path):
    def run(dsn: str, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "nls_cli", "worker", "--dsn", dsn],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **(env or {})},
        )

    bad = run("host=127.0.0.1 port=1 dbname=x user=y connect_timeout=2")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "cannot connect to PostgreSQL" in bad.stderr
    no_nls = run(owner_dsn(managed_proc, "postgres"))
    assert no_nls.returncode == 1 and no_nls.stderr.count("\n") == 1 and "has no nls" in no_nls.stderr, no_nls.stderr
    no_key = run(worker_dsn(managed_proc, "tests_wtmpl"), {"NLS_ENCRYPTION_KEY": ""})
    assert no_key.returncode == 1 and no_key.stderr.count("\n") == 1 and "encryption key" in no_key.stderr, (
        no_key.stderr
    )
    assert "Traceback" not in bad.stderr + no_nls.stderr + no_key.stderr


def test_a_database_restart_is_survived_and_no_row_is_left_running(conn, emulator, managed_proc, worker):
    gen = learning(emulator, conn)
    assert sync(conn, database_id=gen.database_ids["Flashcards"])["success"]
    conn.close()
    managed_proc.restart("immediate")  # every connection dropped, the server recovers
    with psycopg.connect(owner_dsn(managed_proc, WORKER_DB), autocommit=True) as again:
        # the worker reconnected (control and slots): a call is answered again, and no run is left running
        wait_until(
            lambda: (
                again.execute(
                    "SELECT count(*) FROM nls.workers WHERE alive AND last_seen_at > "
                    "(SELECT pg_postmaster_start_time())"
                ).fetchone()
                == (1,)
            ),
            30,
            "the worker beating again after the restart",
        )
        assert sync(again, database_id=gen.database_ids["Flashcards"], full_sync=True)["success"]
        assert again.execute("SELECT count(*) FROM nls.sync_log WHERE status = 'running'").fetchone() == (0,)


def test_an_administrators_key_rotation_is_done_by_the_worker_that_holds_the_key(conn, emulator, managed_proc, worker):
    learning(emulator, conn)
    learning(emulator, conn, user="bob", token="tok-bob")
    old = os.environ["NLS_ENCRYPTION_KEY"]
    worker.stop()  # the worker below holds the new ring
    os.environ["NLS_ENCRYPTION_KEY"] = f"2:{'ab' * 32},1:{old}"
    try:
        with running_worker(worker_dsn(managed_proc), concurrency=1):
            result = conn.execute("SELECT nls.rotate_encryption_key()").fetchone()[0]
            assert (result["key_version"], result["rotated"], result["unreadable"]) == (2, 2, []), result
            assert conn.execute("SELECT array_agg(DISTINCT key_version) FROM nls.integrations").fetchone() == ([2],)
            assert sync(conn, user_id="bob")["success"]  # bob's token still reads Notion
    finally:
        os.environ["NLS_ENCRYPTION_KEY"] = old


def test_a_loopback_the_server_cannot_reach_is_said_with_its_fix_and_a_second_install_mends_it(managed_proc, capsys):
    managed_proc.create_database("tests_loopback", owner=OWNER)
    try:
        with managed_proc.connect("tests_loopback", autocommit=True) as su:  # as a provider enables them
            su.execute("CREATE EXTENSION dblink")
        dsn = owner_dsn(managed_proc, "tests_loopback")
        # 127.0.0.2 is no address this server listens at: the install commits, then says the loopback fails
        assert install(["--dsn", dsn, "--no-schedule", "--loopback-host", "127.0.0.2"]) == 1
        out = capsys.readouterr().out
        assert "loopback (role nls_loopback_tests_loopback) does not reach this database" in out, out
        assert "--loopback-host" in out.split("fix:")[-1]
        assert install(["--dsn", dsn, "--no-schedule"]) == 0
        assert "the loopback (role nls_loopback_tests_loopback) reaches the database" in capsys.readouterr().out
    finally:
        managed_proc.drop_database("tests_loopback")


def test_uninstall_removes_the_worker_runtime_of_a_database_and_a_reinstall_works(managed_proc, capsys):
    managed_proc.create_database("tests_again", owner=OWNER)
    try:
        with managed_proc.connect("tests_again", autocommit=True) as su:
            su.execute("CREATE EXTENSION dblink")
        dsn = owner_dsn(managed_proc, "tests_again")
        assert install(["--dsn", dsn, "--no-schedule"]) == 0
        assert install(["--dsn", dsn, "--uninstall", "--yes"]) == 0
        out = capsys.readouterr().out
        assert "dropped role nls_loopback_tests_again" in out and "dropped schema nls" in out, out
        with managed_proc.connect("tests_again", autocommit=True) as su:
            assert su.execute(
                "SELECT count(*) FROM pg_roles WHERE rolname = 'nls_loopback_tests_again'"
            ).fetchone() == (0,)
        # the cluster-wide roles stayed: installing again, as no superuser, works
        assert install(["--dsn", dsn, "--no-schedule"]) == 0
    finally:
        managed_proc.drop_database("tests_again")
