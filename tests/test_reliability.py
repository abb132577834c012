"""A sync a DBA can stop, a bad page that costs only itself, one rate budget across backends, and a sync_log that
tells the truth after a kill. Real PostgreSQL with pg_cron, the emulator with its faults; the bounds on
time are the promises (a cancel within 3 s, a terminate within 2 s), not benchmarks."""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
import pytest

from conftest import (
    PG_OPTIONS,
    TEST_KEY,
    add_user_source,
    install_nls,
    last_log,
    other_session,
    sync,
    terminate,
    use_emulator,
    wait_until,
)
from nls_emulator import Emulator
from nls_install import installed
from pg_cluster import Cluster


def connect_like(conn: psycopg.Connection, autocommit: bool = True, **kwargs) -> psycopg.Connection:
    """Another session on the same database (autocommit unless asked)."""
    info = conn.info
    return psycopg.connect(
        host=info.host, port=info.port, user=info.user, dbname=info.dbname, autocommit=autocommit, **kwargs
    )


def paced_cards(conn, emu, token: str, pages: int = 3750, rate: float = 3.0, user: str = "ann"):
    """A source of about 0.8 x ``pages`` flashcards, read at ``rate`` requests a second from the first request (the
    older statement of Notion's limits: paced, no burst of a window); returns (the generated workspace, the
    flashcards' database id)."""
    gen = emu.add_generated("learning", pages=pages, seed=17, token=token)
    use_emulator(conn, emu, paced=True)
    settings = (("rate_limit_per_s", rate), ("rate_limit_burst", 1), ("workspace_rate_limit_per_s", 1000))
    for name, value in (*settings, ("rate_limit_model", "rate")):
        conn.execute("SELECT nls.set_setting(%s, %s)", (name, str(value)))
    add_user_source(conn, user, token, gen.database_ids["Flashcards"])
    return gen, gen.database_ids["Flashcards"]


class Hold:
    """Holds the emulator's answer that serves the ``nth`` flashcard of a read (in the order a read gets them: by
    last_edited_time, then id) until ``release()``: a read stopped at a known page for as long as the test needs."""

    def __init__(self, emu, gen, nth: int):
        pages = sorted(
            (p for p in gen.workspace.pages_of(gen.data_source_ids["Flashcards"]) if not p["in_trash"]),
            key=lambda p: (p["last_edited_time"], p["id"]),
        )
        self.entered, self.released, self.emu = threading.Event(), threading.Event(), emu
        emu.api.corrupt_page(pages[nth]["id"], self._hold)

    def _hold(self, page: dict) -> dict:
        self.entered.set()
        self.released.wait(60)
        return page

    def release(self) -> None:
        self.emu.api.corruptions.clear()
        self.released.set()


def running_rows(conn) -> int:
    return conn.execute("SELECT count(*) FROM nls.sync_log WHERE status = 'running'").fetchone()[0]


class Background:
    """A statement run on its own session in a thread: ``pid``, then ``error`` and ``seconds`` once it ends."""

    def __init__(self, conn, statement: str, params=()):
        self.session = connect_like(conn)
        self.pid = self.session.info.backend_pid
        self.error: BaseException | None = None
        self.ended_at: float | None = None
        self.thread = threading.Thread(target=self._run, args=(statement, params), daemon=True)
        self.thread.start()

    def _run(self, statement, params):
        try:
            self.session.execute(statement, params)
        except BaseException as e:  # noqa: BLE001 - what the statement ended with is the test's to check
            self.error = e
        self.ended_at = time.monotonic()

    def wait(self, seconds: float) -> None:
        self.thread.join(seconds)
        assert not self.thread.is_alive(), "the statement did not end"


def test_statement_timeout_fails_a_sync_with_57014_within_a_second_of_it(conn, fresh_emulator):
    _, db = paced_cards(conn, fresh_emulator, "tok-timeout")  # 3,000 pages at 3 requests a second: about 10 s
    conn.execute("SET statement_timeout = '2s'")
    started = time.monotonic()
    with pytest.raises(psycopg.errors.QueryCanceled) as e:
        sync(conn, database_id=db)
    assert time.monotonic() - started < 3.0 and e.value.sqlstate == "57014"
    conn.execute("RESET statement_timeout")
    # the statement was the caller's: nothing it wrote stays, no log row is left running
    assert conn.execute("SELECT count(*) FROM nls.stg_notion_pages").fetchone()[0] == 0
    assert running_rows(conn) == 0
    conn.execute("SELECT nls.set_setting('rate_limit_per_s', '1000')")
    assert sync(conn, database_id=db)["status"] == "success"


def test_pg_cancel_backend_stops_a_sync_as_it_stops_any_statement(conn, fresh_emulator):
    _, db = paced_cards(conn, fresh_emulator, "tok-cancel")
    run = Background(conn, "SELECT nls.sync_notion(database_id => %s)", (db,))
    wait_until(lambda: len(fresh_emulator.api.log) >= 4, 30, "the sync reading, paced")
    cancelled = time.monotonic()
    conn.execute("SELECT pg_cancel_backend(%s)", (run.pid,))
    run.wait(5)
    assert run.ended_at is not None and isinstance(run.error, psycopg.errors.QueryCanceled)
    assert run.ended_at - cancelled < 1.0
    assert running_rows(conn) == 0


def test_a_terminate_during_a_stalled_request_ends_the_backend_in_under_two_seconds(conn, fresh_emulator):
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=40, seed=5, token="tok-stall")
    use_emulator(conn, emu, read_timeout=90)
    emu.api.faults.stall_seconds = 60
    emu.api.faults.add("stall", path="/query")
    add_user_source(conn, "sam", "tok-stall", gen.database_ids["Concepts"])
    run = Background(conn, "SELECT nls.sync_notion(database_id => %s)", (gen.database_ids["Concepts"],))
    wait_until(lambda: not emu.api.faults.script, 30, "the query held by the emulator")
    terminated = time.monotonic()
    conn.execute("SELECT pg_terminate_backend(%s)", (run.pid,))
    while conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (run.pid,)).fetchone()[0]:
        assert time.monotonic() - terminated < 2.0, "the backend outlived the terminate"
        time.sleep(0.05)
    run.wait(5)
    assert isinstance(run.error, psycopg.OperationalError)


def corrupt_first_rows(emu, gen, name: str) -> dict[str, str]:
    """Serve the first row of each of the first three answers of a read of ``name`` broken: without its id, with
    a time that is not a time, with a property value of the wrong shape. Returns {kind: page id}."""
    ds = gen.data_source_ids[name]
    pages = sorted(
        (p for p in gen.workspace.pages_of(ds) if not p["in_trash"]), key=lambda p: (p["last_edited_time"], p["id"])
    )
    bad = {"no_id": pages[0]["id"], "not_a_time": pages[100]["id"], "wrong_shape": pages[200]["id"]}
    emu.api.corrupt_page(bad["no_id"], lambda p: {k: v for k, v in p.items() if k != "id"})
    emu.api.corrupt_page(bad["not_a_time"], lambda p: dict(p, last_edited_time="not-a-time"))
    emu.api.corrupt_page(bad["wrong_shape"], _text_as_a_string)
    return bad


def _text_as_a_string(page: dict) -> dict:
    """The page with a rich_text property holding a string where Notion gives a list of rich text items."""
    name, prop = next(
        ((n, v) for n, v in page["properties"].items() if v["type"] == "rich_text"),
        ("Answer", {"id": "answer", "type": "rich_text"}),
    )  # a read that asked for fewer properties
    return dict(page, properties=dict(page["properties"], **{name: dict(prop, rich_text="oops")}))


def test_malformed_pages_cost_only_themselves(conn, fresh_emulator):
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=375, seed=21, token="tok-bad")
    use_emulator(conn, emu)
    db = gen.database_ids["Flashcards"]
    add_user_source(conn, "bea", "tok-bad", db)
    bad = corrupt_first_rows(emu, gen, "Flashcards")
    result = sync(conn, database_id=db)
    total = sum(1 for p in gen.workspace.pages_of(gen.data_source_ids["Flashcards"]) if not p["in_trash"])
    stored = {r[0] for r in conn.execute("SELECT page_id FROM nls.stg_notion_pages")}
    assert result["status"] == "partial" and len(stored) == total - 3 and not stored & set(bad.values())
    errors = last_log(conn)["details"]["page_errors"]
    assert {e["page_id"] for e in errors} == {None, bad["not_a_time"], bad["wrong_shape"]}
    assert any("no id" in e["error"] for e in errors) and any("not-a-time" in e["error"] for e in errors)
    watermark = conn.execute("SELECT watermark FROM nls.sync_state").fetchone()[0]
    assert watermark is not None  # a real time, read from a page that was stored
    again = sync(conn, database_id=db)  # the next run ends, and does not loop on the bad pages
    assert again["status"] in ("partial", "success") and again["items_added"] == 0
    emu.api.corruptions.clear()
    assert sync(conn, database_id=db, full_sync=True)["status"] == "success"
    assert conn.execute("SELECT count(*) FROM nls.stg_notion_pages").fetchone()[0] == total


def test_a_scheduled_run_killed_after_1000_committed_pages_says_what_it_did(conn, fresh_emulator):
    emu = fresh_emulator
    gen, _ = paced_cards(conn, emu, "tok-kill", rate=20)
    hold = Hold(emu, gen, 1000)  # the 11th answer waits: the run is killed reading it
    run = Background(conn, "CALL nls.sync_all_users_notion_databases()")
    pages = "SELECT count(*) FROM nls.stg_notion_pages"
    wait_until(
        lambda: hold.entered.is_set() and conn.execute(pages).fetchone()[0] >= 1000,
        30,
        "1000 pages committed and the next answer held",
    )
    terminate(conn, run.pid)
    hold.release()
    run.wait(5)
    committed = conn.execute("SELECT count(*) FROM nls.stg_notion_pages").fetchone()[0]
    row = conn.execute(
        "SELECT status, items_processed, items_added, requests_made FROM nls.sync_log WHERE sync_type <> 'cleaning'"
    ).fetchone()
    seen = sum(1 for r in emu.api.log if r["token"] == "tok-kill")
    assert row[1] >= 1000 and row[2] >= 1000 and committed >= row[2] and 10 <= row[3] <= seen
    # the source never reads as running once its backend is gone; the next scheduled run closes the row
    assert conn.execute("SELECT last_status, last_error_code FROM nls.sync_status").fetchone() == (
        "failed",
        "backend_ended",
    )
    conn.execute("CALL nls.sync_all_users_notion_databases()")
    assert running_rows(conn) == 0
    assert (
        conn.execute("SELECT items_processed FROM nls.sync_log WHERE error_code = 'backend_ended'").fetchone()[0]
        == row[1]
    )


def test_answers_damaged_on_the_way_are_sent_again_and_the_read_stores_every_page_once(conn, fresh_emulator):
    """Behind a proxy that damages one 200 answer in ten (its JSON cut short, or an HTML page instead), a read of
    3,000 pages completes: each damaged answer is sent again after a backoff, as after a 502, and counted."""
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=3760, seed=17, token="tok-damaged")
    use_emulator(conn, emu)
    db = gen.database_ids["Flashcards"]
    add_user_source(conn, "dee", "tok-damaged", db)
    emu.api.faults.set_probabilities({"200_truncated": 0.05, "200_html": 0.05}, seed=5)
    result = sync(conn, database_id=db)
    assert result["status"] == "success", result
    expected = {p["id"] for p in gen.workspace.pages_of(gen.data_source_ids["Flashcards"]) if not p["in_trash"]}
    stored = [r[0] for r in conn.execute("SELECT page_id FROM nls.stg_notion_pages WHERE NOT in_trash")]
    assert len(expected) >= 3000 and len(stored) == len(set(stored)) and set(stored) == expected
    damaged = [r for r in emu.api.log if r["fault"] in ("200_truncated", "200_html")]
    log = last_log(conn)
    assert len(damaged) >= 3 and sum(log["details"]["invalid_json"].values()) == len(damaged)
    assert log["requests_made"] == len(emu.api.log) and log["retries"] == len(damaged)


@pytest.fixture
def own_cluster():
    """A cluster of this test's own, which it may restart (commits wait for their WAL, so that a commit the test
    saw survives an immediate stop)."""
    with Cluster(options=dict(PG_OPTIONS, synchronous_commit="on"), env={"NLS_ENCRYPTION_KEY": TEST_KEY}) as cluster:
        cluster.start()
        cluster.create_database("restarts")
        install_nls(cluster.dsn("restarts"))
        yield cluster


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_restart_during_a_scheduled_sync_leaves_no_running_row_and_loses_no_committed_page(own_cluster, mode):
    with Emulator() as emu:
        with own_cluster.connect("restarts", autocommit=True) as conn:
            gen, _ = paced_cards(conn, emu, "tok-restart", rate=10)
            hold = Hold(emu, gen, 400)  # the 5th answer waits: the server restarts while the run reads it
            run = Background(conn, "CALL nls.sync_all_users_notion_databases()")
            pages = "SELECT count(*) FROM nls.stg_notion_pages"
            wait_until(
                lambda: hold.entered.is_set() and conn.execute(pages).fetchone()[0] >= 300,
                30,
                "300 pages committed and the next answer held",
            )
            seen = conn.execute(pages).fetchone()[0]
        own_cluster.restart(mode)
        hold.release()
        run.wait(10)
        with own_cluster.connect("restarts", autocommit=True) as conn:
            committed = conn.execute("SELECT count(*) FROM nls.stg_notion_pages").fetchone()[0]
            processed = conn.execute(
                "SELECT items_processed FROM nls.sync_log WHERE sync_type <> 'cleaning'"
            ).fetchone()[0]
            assert committed >= seen and processed >= 300
            assert conn.execute("SELECT last_status FROM nls.sync_status").fetchone()[0] == "failed"
            conn.execute("SELECT nls.set_setting('rate_limit_per_s', '1000')")
            conn.execute("CALL nls.sync_all_users_notion_databases()")  # closes the dead run, then syncs
            assert running_rows(conn) == 0
            total = sum(1 for p in gen.workspace.pages_of(gen.data_source_ids["Flashcards"]) if not p["in_trash"])
            assert conn.execute("SELECT count(*) FROM nls.stg_notion_pages").fetchone()[0] == total


def test_a_worker_that_meets_a_user_synced_by_hand_records_skipped_without_a_warning(conn, emulator):
    gen = emulator.add_generated("creative", pages=20, seed=8, token="tok-busy")
    use_emulator(conn, emulator)
    source = add_user_source(conn, "busy", "tok-busy", gen.database_ids["Worlds"])
    with connect_like(conn) as by_hand:  # a sync by hand holds the source's lock meanwhile
        by_hand.execute("SELECT pg_advisory_lock(nls._lock_key(), %s)", (source,))
        notices: list[str] = []
        conn.add_notice_handler(lambda d: notices.append(d.message_primary))
        conn.execute("CALL nls.sync_all_users_notion_databases()")
    assert conn.execute("SELECT status FROM nls.sync_rounds WHERE user_id = 'busy'").fetchone()[0] == "skipped"
    assert not [n for n in notices if "failed" in n]


def test_the_deadline_is_a_deadline_and_the_log_says_what_timed_out(conn, fresh_emulator):
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=40, seed=6, token="tok-late")
    use_emulator(conn, emu, read_timeout=30)
    conn.execute("SELECT nls.set_setting('run_deadline_s', '4')")
    emu.api.faults.stall_seconds = 60
    emu.api.faults.add("stall", path="/query", times=10)
    db = gen.database_ids["Concepts"]
    add_user_source(conn, "lou", "tok-late", db)
    started = time.monotonic()
    result = sync(conn, database_id=db)
    assert time.monotonic() - started < 5.0  # the deadline, and the statement's own bookkeeping
    log = last_log(conn)
    timeouts = log["details"]["timeouts"]["data_sources.query"]
    assert result["status"] == "partial" and timeouts >= 1
    assert f"timed out (data_sources.query {timeouts})" in log["error_message"]
    # every attempt counts, the stalled ones too (the emulator logs those only when they end)
    assert log["requests_made"] == sum(1 for r in emu.api.log if r["token"] == "tok-late") + timeouts


def test_every_attempt_is_counted_and_a_429_that_ends_the_run_too(conn, fresh_emulator):
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=40, seed=9, token="tok-count")
    use_emulator(conn, emu)
    db = gen.database_ids["Concepts"]
    add_user_source(conn, "cy", "tok-count", db)
    emu.api.faults.long_retry_after = 1
    for kind in ("500", "503", "429_long"):
        emu.api.faults.add(kind, path="/query")
    assert sync(conn, database_id=db)["status"] == "success"
    log = last_log(conn)
    assert log["requests_made"] == len(emu.api.log) and log["retries"] == 3
    assert log["details"]["rate_limited"] == 1 and log["details"]["retry_waited_s"] > 0
    emu.api.reset_log()
    conn.execute("SELECT nls.set_setting('retry_after_cap_s', '5')")
    emu.api.faults.long_retry_after = 120
    emu.api.faults.add("429_long", path="/query")
    assert sync(conn, database_id=db, full_sync=True)["status"] == "partial"
    log = last_log(conn)
    assert log["requests_made"] == len(emu.api.log) and log["details"]["rate_limited"] == 1


def test_two_backends_of_one_token_share_its_budget(conn, fresh_emulator):
    emu = fresh_emulator
    limits = emu.api.rate_limits
    limits.enabled, limits.token_rate, limits.token_burst = True, 3.0, 3.0
    limits.workspace_rate, limits.workspace_burst = 1000.0, 1000.0
    gen = emu.add_generated("creative", pages=3000, seed=12, token="tok-two")
    use_emulator(conn, emu, paced=True)  # nls's defaults: 3 requests a second, burst 3
    # the older statement of Notion's limits (3 a second): paced from the first request on, never above
    conn.execute("SELECT nls.set_setting('rate_limit_model', 'rate')")
    conn.execute("SELECT nls.add_integration('duo', 'tok-two', workspace_id => %s)", (gen.workspace.id,))
    dbs = [gen.database_ids[n] for n in ("Characters", "Chat Sessions")]
    for db in dbs:
        conn.execute("SELECT nls.add_source('duo', %s)", (db,))
    limits.reset()
    emu.api.reset_log()
    started = time.monotonic()
    runs = [Background(conn, "SELECT nls.sync_notion(database_id => %s)", (db,)) for db in dbs]
    for run in runs:
        run.wait(120)
        assert run.error is None, run.error
    wall = time.monotonic() - started
    requests = len(emu.api.log)
    throttled = sum(1 for r in emu.api.log if r["status"] == 429)
    assert throttled < 0.02 * requests, (throttled, requests)
    assert abs(wall - requests / 3) <= 0.15 * requests / 3, (wall, requests)


def rate_limited(emu, token_rate: float, token_burst: float, workspace_rate: float, workspace_burst: float):
    """Turn the emulator's rate limits on (buckets full) and its log clean."""
    limits = emu.api.rate_limits
    limits.enabled, limits.token_rate, limits.token_burst = True, token_rate, token_burst
    limits.workspace_rate, limits.workspace_burst = workspace_rate, workspace_burst
    limits.reset()
    emu.api.reset_log()


def at_once(sessions: list[psycopg.Connection], statements: list[tuple[str, tuple]]) -> list:
    """Run statement i on session i, every one in its own thread, started together (a barrier); returns what each
    ended with: its first column, or the error."""
    barrier = threading.Barrier(len(sessions))
    out: list[Any] = [None] * len(sessions)

    def run(i):
        barrier.wait()
        try:
            out[i] = sessions[i].execute(*statements[i]).fetchone()[0]
        except psycopg.Error as e:  # what the statement ended with is the test's to check
            out[i] = e

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
        assert not t.is_alive(), "a statement did not end"
    return out


def test_two_first_syncs_of_a_new_integration_by_hand_neither_wait_nor_meet_a_429(conn, fresh_emulator):
    """Right after add_integration without a workspace, two backends sync two databases of the user at once, each
    by hand in a transaction it keeps open: neither waits on the other (a lock wait would end the statement after
    lock_timeout), no request is answered 429, and while both transactions are open another session can lock the
    integration's row at once. Once they commit, the workspace and the bot user are stored."""
    emu = fresh_emulator
    gen = emu.add_generated("creative", pages=2000, seed=12, token="tok-new")
    use_emulator(conn, emu, paced=True)  # nls's defaults: 3 requests a second, burst 3
    # the older statement of Notion's limits (3 a second): paced from the first request on, never above
    conn.execute("SELECT nls.set_setting('rate_limit_model', 'rate')")
    conn.execute("SELECT nls.add_integration('neo', 'tok-new')")
    dbs = [gen.database_ids[n] for n in ("Characters", "Chat Sessions")]
    for db in dbs:
        conn.execute("SELECT nls.add_source('neo', %s)", (db,))
    rate_limited(emu, 3.0, 3.0, 1000.0, 1000.0)  # the token: 3 requests a second, burst 3
    with connect_like(conn, autocommit=False) as a, connect_like(conn, autocommit=False) as b:
        for s in (a, b):
            s.execute("SET lock_timeout = '10s'")
        answers = at_once([a, b], [("SELECT nls.sync_notion(database_id => %s)", (db,)) for db in dbs])
        assert [r["status"] for r in answers] == ["success", "success"], answers
        # both transactions still open: nothing of theirs holds the integration's row against an update (storing
        # a new token, a key rotation, another run's notes); FOR UPDATE, which only deleting the row needs, meets
        # the key share the sources' foreign key takes, as PostgreSQL's foreign keys do
        assert conn.execute(
            "SELECT user_id FROM nls.integrations WHERE user_id = 'neo' FOR NO KEY UPDATE NOWAIT"
        ).fetchone() == ("neo",)
        a.commit()
        b.commit()
    statuses = [r["status"] for r in emu.api.log]
    assert statuses.count(429) == 0 and len(statuses) == sum(r["requests_made"] for r in answers)
    bot = emu.api.integrations["tok-new"].bot
    assert conn.execute(
        "SELECT workspace_id, workspace_name, bot_id FROM nls.integrations WHERE user_id = 'neo'"
    ).fetchone() == (gen.workspace.id, gen.workspace.name, bot["id"])
    assert conn.execute("SELECT count(*) FROM nls.integration_notes").fetchone() == (0,)  # folded as they committed


def test_four_users_of_one_workspace_starting_together_meet_no_429(conn, fresh_emulator):
    """Four new users of one workspace (added without it) sync at once, each in a backend of its own, against a
    workspace budget of 3 requests a second with a burst of 3: the requests of all four together stay within it
    from the first one on (the first ones, before any knows its workspace, share the budget of workspaces not
    known yet), so that none of several hundred requests is answered 429."""
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=6250, seed=23, token="tok-member0")
    users = [f"member{i}" for i in range(4)]
    for i in range(1, 4):
        emu.api.add_integration(f"tok-member{i}", gen.workspace, bot_name=f"member {i}'s integration")
    use_emulator(conn, emu, paced=True)  # nls's defaults: 3 requests a second per token and workspace, burst 3
    # the older statement of Notion's limits (3 a second): paced from the first request on, never above
    conn.execute("SELECT nls.set_setting('rate_limit_model', 'rate')")
    for i, user in enumerate(users):
        conn.execute("SELECT nls.add_integration(%s, %s)", (user, f"tok-member{i}"))
        conn.execute("SELECT nls.add_source(%s, %s)", (user, gen.database_ids["Flashcards"]))
    rate_limited(emu, 3.0, 10.0, 3.0, 3.0)  # each token 3 a second (burst 10); the workspace 3 a second, burst 3
    sessions = [connect_like(conn) for _ in users]
    try:
        answers = at_once(sessions, [("SELECT nls.sync_notion(user_id => %s)", (user,)) for user in users])
    finally:
        for s in sessions:
            s.close()
    assert [a["success"] for a in answers] == [True] * 4, answers
    statuses = [r["status"] for r in emu.api.log]
    made = conn.execute("SELECT sum(requests_made) FROM nls.sync_log WHERE sync_type LIKE 'notion%'").fetchone()[0]
    assert statuses.count(429) == 0 and len(statuses) == made >= 200, (statuses.count(429), len(statuses), made)


def budget_waits(session, user: str, workspace: str | None, n: int = 1) -> list[float]:
    """The waits nls._take_budget gives ``n`` requests of ``user``'s token in ``workspace``, at one request every
    1,000 s (burst 3), so that the milliseconds between statements do not count."""
    return [
        session.execute("SELECT wait_s FROM nls._take_budget(%s, %s, 0.001, 0.001, 3)", (user, workspace)).fetchone()[0]
        for _ in range(n)
    ]


def test_the_budget_is_shared_by_every_backend_at_once_and_a_429_holds_it(conn):
    """The budget a token and a workspace have is one state every backend sees at once, also while the sync that
    spent it runs in its caller's open transaction, and whatever that transaction does after."""

    def approx(*waits: float) -> object:
        return pytest.approx(list(waits), abs=5)

    budget_locks = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = nls._lock_class('budget')"
    with connect_like(conn, autocommit=False) as a, connect_like(conn) as b:
        assert budget_waits(a, "ann", "ws-1", 2) == approx(0, 0)  # a burst of 3 sends 2 at once, one kept back
        assert a.execute(budget_locks).fetchone() == (0,)  # in a's open transaction: no lock left
        assert (
            installed.value(
                a,
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = "
                "pg_backend_pid() AND c.relname LIKE '\\_budget\\_%'",
            )
            <= 24
        )  # its windows
        assert budget_waits(b, "bob", "ws-1", 2) == approx(1000, 2000)  # another token of the workspace: its turn
        a.rollback()  # what a spent stays spent (the requests were sent)
        assert budget_waits(b, "bob", "ws-2") == approx(2000)  # bob's token is ahead by its own requests
        assert a.execute("SELECT nls._hold_budget('workspace', 'ws-1', 5000, 0.001, 3)").fetchone() == (True,)
        a.commit()
        assert budget_waits(b, "cy", "ws-1") == approx(5000)  # a 429's Retry-After holds every token of it
        # a token whose workspace is not known yet counts in every workspace budget in use, and a workspace's
        # budget that starts afterwards is not behind it
        assert budget_waits(b, "dee", None) == approx(6000) and budget_waits(b, "eve", "ws-3") == approx(6000)


def test_when_every_budget_register_is_in_use_a_request_waits_for_one_to_come_free(conn):
    """Other budgets fill every register for 1,000 s: a request of a new budget is not reserved (and overwrites
    nobody's), and is told to ask again when the first of them is full again."""
    conn.execute(
        "SELECT setval(r.seq, (((nls._budget_tag('token', 'one-more') + 1) % 262144) << 44) "
        "| (floor((extract(epoch FROM clock_timestamp()) - 1735689600) * 10000)::bigint + 10000000)) "
        "FROM nls._budget_registers r"
    )
    before = "SELECT array_agg(pg_sequence_last_value(seq) ORDER BY register) FROM nls._budget_registers"
    filled = conn.execute(before).fetchone()
    wait, reserved = conn.execute(
        "SELECT wait_s, reserved FROM nls._take_budget('one-more', 'ws-full', 0.001, 0.001, 3)"
    ).fetchone()
    assert reserved is False and wait == pytest.approx(1000, abs=5)
    assert conn.execute(before).fetchone() == filled


def test_a_session_left_by_other_session_holds_no_lock_even_when_its_backend_is_slow_to_exit(conn):
    """The tests' own other_session: a client's close returns before PostgreSQL has ended the backend and released
    its advisory locks (here slowed by 2,000 temporary tables to drop); leaving the block waits for that."""
    with other_session(conn) as s:
        s.execute("SELECT pg_advisory_lock(17, 17)")
        s.execute(
            "DO $$ BEGIN FOR i IN 1..2000 LOOP EXECUTE format('CREATE TEMP TABLE t%s (x int)', i); END LOOP; END $$"
        )
    assert conn.execute("SELECT pg_try_advisory_lock(17, 17)").fetchone() == (True,)
