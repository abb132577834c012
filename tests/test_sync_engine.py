"""The sync engine's promises (issue: Sync Notion into PostgreSQL from inside PostgreSQL), each against a real
PostgreSQL with plpython3u and pg_cron, and the emulator."""

from __future__ import annotations

import contextlib
import threading

import psycopg
import pytest

from conftest import add_user_source, last_log, sync, terminate, use_emulator, wait_until

pytestmark = pytest.mark.runtimes  # each test runs in the server runtime and in the worker runtime


def requests_of(emu, token: str, endpoint: str | None = None) -> list[dict]:
    return [r for r in emu.api.log if r["token"] == token and (endpoint is None or r["endpoint"] == endpoint)]


def xmins(conn) -> dict:
    return dict(conn.execute("SELECT page_id, xmin::text FROM nls.stg_notion_pages").fetchall())


@pytest.fixture
def flashcards(conn, emulator, request):
    token = f"tok-{request.node.name}"
    gen = emulator.add_generated("learning", pages=150, seed=11, token=token)
    use_emulator(conn, emulator)
    db_id = gen.database_ids["Flashcards"]
    add_user_source(conn, "bob", token, db_id, with_content=True)
    first = sync(conn, database_id=db_id)
    assert first["success"], first
    return gen, token, db_id


def test_second_sync_with_nothing_changed_writes_nothing_and_queries_once(conn, emulator, flashcards):
    _gen, token, db_id = flashcards
    before = xmins(conn)
    emulator.api.reset_log()
    result = sync(conn, database_id=db_id)
    assert result["success"] and result["synced_count"] == 0
    assert result["sync_type"] == "notion_incremental"
    assert xmins(conn) == before
    assert len(requests_of(emulator, token, "data_source_query")) == 1
    assert requests_of(emulator, token, "block_children") == []
    assert requests_of(emulator, token, "page_markdown") == []
    log = last_log(conn)
    assert log["status"] == "completed" and log["items_added"] == 0 and log["items_updated"] == 0


def test_editing_one_page_updates_exactly_that_page_and_refetches_its_content(conn, emulator, flashcards):
    gen, token, db_id = flashcards
    ws = gen.workspace
    target = gen.page_ids["Flashcards"][17]
    before = xmins(conn)
    ws.update_page(target, {"Answer": "A changed answer."})
    ws.set_content(
        target,
        [
            {
                "object": "block",
                "id": "6f0a1c54-5b1e-4c1b-9d3e-1a2b3c4d5e6f",
                "type": "paragraph",
                "has_children": False,
                "archived": False,
                "in_trash": False,
                "paragraph": {
                    "rich_text": [{"type": "text", "text": {"content": "new body"}, "plain_text": "new body"}]
                },
            }
        ],
    )
    emulator.api.reset_log()
    result = sync(conn, database_id=db_id)
    assert result["success"] and result["items_updated"] == 1 and result["items_added"] == 0
    after = xmins(conn)
    assert {p for p in after if after[p] != before[p]} == {target}
    # a changed page costs one markdown request; the unchanged ones none, and no block walk
    markdown = requests_of(emulator, token, "page_markdown")
    assert [r["path"] for r in markdown] == [f"/v1/pages/{target}/markdown"]
    assert requests_of(emulator, token, "block_children") == []
    props, content = conn.execute(
        "SELECT raw_properties, content_markdown FROM nls.stg_notion_pages WHERE page_id = %s", (target,)
    ).fetchone()
    assert props["Answer"]["rich_text"][0]["plain_text"] == "A changed answer."
    assert content == "new body"


def test_a_trashed_page_is_marked_not_lost(conn, emulator, flashcards):
    gen, _token, db_id = flashcards
    target = gen.page_ids["Flashcards"][3]
    gen.workspace.trash_page(target)
    result = sync(conn, database_id=db_id, full_sync=True)
    assert result["success"] and result["items_removed"] == 1, result
    in_trash, props = conn.execute(
        "SELECT in_trash, raw_properties FROM nls.stg_notion_pages WHERE page_id = %s", (target,)
    ).fetchone()
    assert in_trash is True and props  # still there, with its last properties
    gen.workspace.restore_page(target)
    sync(conn, database_id=db_id)
    assert (
        conn.execute("SELECT in_trash FROM nls.stg_notion_pages WHERE page_id = %s", (target,)).fetchone()[0] is False
    )


def test_an_unshared_page_is_marked_gone_and_comes_back(conn, emulator, flashcards):
    gen, _token, db_id = flashcards
    target = gen.page_ids["Flashcards"][5]
    gen.workspace.unshare(target)
    sync(conn, database_id=db_id, full_sync=True)
    assert conn.execute(
        "SELECT deleted_at IS NOT NULL FROM nls.stg_notion_pages WHERE page_id = %s", (target,)
    ).fetchone()[0]
    gen.workspace.reshare(target)
    sync(conn, database_id=db_id, full_sync=True)
    assert (
        conn.execute("SELECT deleted_at FROM nls.stg_notion_pages WHERE page_id = %s", (target,)).fetchone()[0] is None
    )


def test_transient_faults_are_retried_and_nothing_is_missing(conn, fresh_emulator):
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=300, seed=3, token="tok-faults")
    use_emulator(conn, emu, read_timeout=1.0)
    conn.execute("SELECT nls.set_setting('max_attempts', '10')")  # eight faults in a row on one request
    emu.api.faults.stall_seconds = 2.5
    for kind in ("429_long", "529", "500", "502", "503", "504", "stall", "reset"):
        emu.api.faults.add(kind, path="/query")
    emu.api.faults.long_retry_after = 1
    db_id = gen.database_ids["Flashcards"]
    add_user_source(conn, "carol", "tok-faults", db_id)
    result = sync(conn, database_id=db_id)
    assert result["success"] and result["status"] == "success", result
    expected = {p["id"] for p in gen.workspace.pages_of(gen.data_source_ids["Flashcards"]) if not p["in_trash"]}
    stored = {r[0] for r in conn.execute("SELECT page_id FROM nls.stg_notion_pages")}
    assert stored == expected
    log = last_log(conn)
    assert log["retries"] >= 8 and log["status"] == "completed"
    statuses = [r["status"] for r in emu.api.log if r["endpoint"] in ("data_source_query", "reset")]
    assert {429, 529, 500, 502, 503, 504, 0} <= set(statuses)


def test_a_revoked_token_fails_cleanly_with_one_request(conn, fresh_emulator):
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=20, seed=4, token="tok-revoked")
    use_emulator(conn, emu)
    db_id = gen.database_ids["Concepts"]
    add_user_source(conn, "dave", "tok-revoked", db_id)
    emu.api.revoke("tok-revoked")
    result = sync(conn, database_id=db_id)
    assert result["success"] is False and result["error_code"] == "unauthorized"
    assert len(emu.api.log) == 1
    log = last_log(conn)
    assert log["status"] == "failed" and log["error_code"] == "unauthorized" and log["requests_made"] == 1
    assert "tok-revoked" not in (log["error_message"] or "")
    status = conn.execute("SELECT status FROM nls.integrations WHERE user_id = 'dave'").fetchone()[0]
    assert status == "needs_reauth"
    # marked: the next run sends nothing until a new token is stored
    sync(conn, database_id=db_id)
    assert len(emu.api.log) == 1


def test_a_second_sync_of_a_running_source_returns_at_once(conn, dsn, emulator, flashcards):
    _gen, token, db_id = flashcards
    source_id = conn.execute("SELECT id FROM nls.sources WHERE database_id = %s", (db_id,)).fetchone()[0]
    with psycopg.connect(dsn, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(nls._lock_key(), %s::int)", (source_id,))
        emulator.api.reset_log()
        conn.execute("SET statement_timeout = '30s'")  # a sync that waited for the lock would wait until then
        result = sync(conn, database_id=db_id)
        assert result["status"] == "skipped" and "another sync" in result["message"]
        assert requests_of(emulator, token) == []


def test_two_concurrent_syncs_one_works_the_other_skips(conn, dsn, fresh_emulator):
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=60, seed=5, token="tok-conc")
    use_emulator(conn, emu, read_timeout=10)
    db_id = gen.database_ids["Flashcards"]
    add_user_source(conn, "erin", "tok-conc", db_id)
    emu.api.faults.stall_seconds = 60
    emu.api.faults.add("stall", path="/query")  # the first run's query hangs until the second run has ended
    results = []

    def run():
        with psycopg.connect(dsn, autocommit=True) as c:
            results.append(sync(c, database_id=db_id))

    first, second = threading.Thread(target=run), threading.Thread(target=run)
    first.start()
    wait_until(lambda: not emu.api.faults.script, 30, "the first run's query held")  # it holds the lock
    second.start()
    second.join()
    emu.api._stop.set()  # the held query ends (504) and is retried
    first.join()
    assert [r["status"] for r in results] == ["skipped", "success"]


@pytest.mark.server_only("the run's backend is a worker's there: test_worker.py terminates a worker's backend mid-run")
def test_a_run_left_running_by_a_killed_backend_is_closed_by_the_next(conn, dsn, fresh_emulator):
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=30, seed=6, token="tok-kill")
    use_emulator(conn, emu, read_timeout=20)
    db_id = gen.database_ids["Flashcards"]
    add_user_source(conn, "frank", "tok-kill", db_id)
    emu.api.faults.stall_seconds = 10
    emu.api.faults.add("stall", path="/query")
    victim = psycopg.connect(dsn, autocommit=True)
    pid = victim.info.backend_pid
    t = threading.Thread(target=lambda: _swallow(victim.execute, "CALL nls.sync_all_users_notion_databases()"))
    t.start()
    running = "SELECT count(*) FROM nls.sync_log WHERE status = 'running'"
    wait_until(
        lambda: not emu.api.faults.script and conn.execute(running).fetchone()[0],
        30,
        "the run's query held, its log row running",
    )
    terminate(conn, pid)
    t.join()
    emu.api.faults.clear()
    emu.api._stop.set()
    result = sync(conn, database_id=db_id)
    assert result["success"]
    rows = conn.execute("SELECT status, error_code FROM nls.sync_log ORDER BY started_at").fetchall()
    assert rows[0] == ("failed", "backend_ended") and rows[-1][0] == "completed"
    assert conn.execute("SELECT count(*) FROM nls.sync_log WHERE status = 'running'").fetchone()[0] == 0


def _swallow(fn, *args):
    with contextlib.suppress(psycopg.Error):
        fn(*args)


def test_text_postgres_cannot_store_is_cleaned_and_counted(conn, emulator):
    gen = emulator.add_generated("learning", pages=60, seed=8, hard=True, token="tok-hard")
    use_emulator(conn, emulator)
    db_id = gen.database_ids["Flashcards"]
    add_user_source(conn, "gina", "tok-hard", db_id, with_content=True)
    conn.execute("SELECT nls.set_setting('content_format', 'both')")  # the raw block tree beside the Markdown
    result = sync(conn, database_id=db_id)
    assert result["success"], result
    details = last_log(conn)["details"]
    # one NUL and two lone surrogates, each in text.content and in plain_text
    assert details["cleaned_characters"] == 6
    nul = gen.hard_cases["nul"][0]
    text = conn.execute(
        "SELECT raw_properties->'CardID'->'rich_text'->0->>'plain_text' FROM nls.stg_notion_pages WHERE page_id = %s",
        (nul,),
    ).fetchone()[0]
    assert text == "beforeafter"
    emoji = gen.hard_cases["emoji"][0]
    text = conn.execute(
        "SELECT raw_properties->'CardID'->'rich_text'->0->>'plain_text' FROM nls.stg_notion_pages WHERE page_id = %s",
        (emoji,),
    ).fetchone()[0]
    assert text == "emoji \U0001f9e0\U0001f4da and accents éàü and 中文"
    deep = gen.hard_cases["deep_blocks"][0]
    content = conn.execute("SELECT raw_content FROM nls.stg_notion_pages WHERE page_id = %s", (deep,)).fetchone()[0]
    depth, node = 0, content[0]
    while node.get("children"):
        depth, node = depth + 1, node["children"][0]
    assert depth == 4  # content_max_depth 5: the deeper toggles are cut, and the run says so
    assert last_log(conn)["status"] == "partial"
    assert any(x["limit"] == "content_max_depth" for x in details["limits"])


def test_sync_all_users_syncs_every_source_of_every_user(conn, emulator):
    a = emulator.add_generated("creative", pages=40, seed=21, token="tok-u1")
    b = emulator.add_generated("learning", pages=40, seed=22, token="tok-u2")
    use_emulator(conn, emulator)
    add_user_source(conn, "u1", "tok-u1", a.database_ids["Characters"])
    conn.execute("SELECT nls.add_source('u1', %s)", (a.database_ids["Worlds"],))
    add_user_source(conn, "u2", "tok-u2", b.database_ids["Concepts"])
    conn.execute("CALL nls.sync_all_users_notion_databases()")
    rows = dict(
        conn.execute(
            "SELECT s.database_name, count(p.page_id) FROM nls.sources s "
            "LEFT JOIN nls.stg_notion_pages p ON p.source_id = s.id GROUP BY 1"
        ).fetchall()
    )
    assert rows == {
        "Characters": len(a.page_ids["Characters"]),
        "Worlds": len(a.page_ids["Worlds"]),
        "Concepts": len(b.page_ids["Concepts"]),
    }
    status = conn.execute("SELECT database_name, last_status FROM nls.sync_status ORDER BY 1").fetchall()
    assert status == [("Characters", "completed"), ("Concepts", "completed"), ("Worlds", "completed")]
    result = sync(conn, user_id="u1")
    assert result["success"] and {r["database_name"] for r in result["results"]} == {"Characters", "Worlds"}
