"""The request minimum and the trash within one run, without webhooks: an incremental run of known data
sources sends their queries and nothing else, the data sources are listed again only when needed, and a page trashed
in Notion is marked by the next scheduled run through one trash listing per user."""

from __future__ import annotations

from collections import Counter

from conftest import sync, use_emulator
from nls_emulator import Emulator
from nls_emulator.generate import CREATIVE_TARGETS, generate

USER = "minimum-user"
TOKEN = "secret_minimum_token"


def _eighteen(emu: Emulator):
    """One workspace of 18 data sources (two learning workspaces and a creative one generated into it), its token,
    and the ids of its databases and data sources."""
    first = generate("learning", pages=120, seed=161)
    ws = first.workspace
    more = [
        generate("creative", pages=60, seed=162, workspace=ws),
        generate("learning", pages=120, seed=163, workspace=ws),
    ]
    emu.api.add_integration(TOKEN, ws)
    databases = [db for g in (first, *more) for db in g.database_ids.values()]
    data_sources = [ds for g in (first, *more) for ds in g.data_source_ids.values()]
    return ws, databases, data_sources


def _by_endpoint(emu: Emulator) -> Counter:
    return Counter(r["endpoint"] for r in emu.api.log)


def test_an_unchanged_run_of_18_data_sources_sends_only_their_queries_and_one_trash_listing(conn):
    with Emulator() as emu:
        _ws, databases, data_sources = _eighteen(emu)
        assert len(databases) == len(data_sources) == 18
        use_emulator(conn, emu)
        conn.execute("SELECT nls.add_integration(%s, %s)", (USER, TOKEN))
        for db in databases:
            conn.execute("SELECT nls.add_source(%s, %s)", (USER, db))
        assert sync(conn, user_id=USER)["success"]
        emu.api.reset_log()
        result = sync(conn, user_id=USER)
        assert result["success"] and all(r["sync_type"] == "notion_incremental" for r in result["results"])
        # was 18 GET /v1/databases/{id} and 18 queries (36); now the 18 queries and the user's one trash listing
        assert _by_endpoint(emu) == {"data_source_query": 18, "search": 1}, _by_endpoint(emu)
        assert sum(r["requests_made"] for r in result["results"]) == 18
        assert [t["requests_made"] for t in result["trash"]] == [1]
        # by hand, one database: its query alone
        emu.api.reset_log()
        assert sync(conn, database_id=databases[0])["status"] == "success"
        assert _by_endpoint(emu) == {"data_source_query": 1}
        # the daily reconciliation lists the data sources again (a data source added to a database shows there)
        conn.execute("SELECT nls.set_setting('reconcile_interval_s', '0')")
        emu.api.reset_log()
        assert sync(conn, database_id=databases[0])["sync_type"] == "notion_reconcile"
        assert _by_endpoint(emu)["database_retrieve"] == 1


def test_a_data_source_that_left_its_database_is_listed_again_once(conn):
    with Emulator() as emu:
        gen = emu.add_generated("learning", pages=60, seed=164, hard=True, token=TOKEN)
        use_emulator(conn, emu)
        conn.execute("SELECT nls.add_integration(%s, %s)", (USER, TOKEN))
        db = gen.database_ids["Two Sources"]
        conn.execute("SELECT nls.add_source(%s, %s)", (USER, db))
        assert sync(conn, database_id=db)["status"] == "success"
        listed = gen.workspace.databases[db]["data_sources"]
        gone = listed.pop(0)["id"]  # the first data source leaves the database and is no longer shared
        gen.workspace.unshare(gone)
        emu.api.reset_log()
        result = sync(conn, database_id=db)
        assert result["status"] == "success", result
        # its query answered 404, the database was listed once, the other data source read
        assert _by_endpoint(emu) == {"data_source_query": 2, "database_retrieve": 1}
        log = conn.execute("SELECT details FROM nls.sync_log WHERE id = %s", (result["sync_log_id"],)).fetchone()[0]
        assert log["data_sources_listed_again"] == 1 and [d["id"] for d in log["data_sources"]] == [listed[0]["id"]]
        assert conn.execute("SELECT listed FROM nls.sync_state WHERE data_source_id = %s", (gone,)).fetchone() == (
            False,
        )
        emu.api.reset_log()
        assert sync(conn, database_id=db)["status"] == "success"
        assert _by_endpoint(emu) == {"data_source_query": 1}


def test_a_page_trashed_in_notion_is_marked_by_the_next_scheduled_run(conn):
    with Emulator() as emu:
        gen = emu.add_generated("creative", pages=80, seed=165, token=TOKEN)
        ws = gen.workspace
        use_emulator(conn, emu)
        conn.execute("SELECT nls.add_integration(%s, %s)", (USER, TOKEN))
        for name, target in CREATIVE_TARGETS.items():
            conn.execute("SELECT nls.add_source(%s, %s, %s)", (USER, gen.database_ids[name], target))
        conn.execute("CALL nls.sync_all_users_notion_databases()")
        conn.execute("CALL nls.sync_all_users_notion_databases()")  # the first look at the trash notes the time
        stories = gen.page_ids["Stories"]
        ws.trash_page(stories[0])
        ws.trash_page(stories[1])
        ws.restore_page(stories[1])  # trashed and restored: not marked
        stored = conn.execute("SELECT count(*) FROM nls.stories").fetchone()[0]
        emu.api.reset_log()
        conn.execute("CALL nls.sync_all_users_notion_databases()")
        # the restored page is an edit: on Notion-Version 2026-12-01 its data source's recorded schema is checked
        # once (GET /v1/data_sources/{id}) before it is stored
        assert _by_endpoint(emu) == {"data_source_query": len(gen.database_ids), "search": 1, "data_source_retrieve": 1}
        trashed = dict(
            conn.execute(
                "SELECT page_id, in_trash FROM nls.stg_notion_pages WHERE page_id = ANY (%s)", (stories[:2],)
            ).fetchall()
        )
        assert trashed == {stories[0]: True, stories[1]: False}
        row = conn.execute(
            "SELECT status, items_removed, requests_made, details FROM nls.sync_log "
            "WHERE sync_type = 'notion_trash' ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
        assert row[:3] == ("completed", 1, 1) and row[3]["trashed_seen"] == 1
        # the cleaning followed: the story left the creative table
        assert conn.execute("SELECT count(*) FROM nls.stories").fetchone()[0] == stored - 1
        # the daily reconciliation finds nothing drifted about it (the mark holds Notion's time and hash)
        conn.execute("SELECT nls.set_setting('reconcile_interval_s', '0')")
        emu.api.reset_log()
        conn.execute("CALL nls.sync_all_users_notion_databases()")
        assert "page_retrieve" not in _by_endpoint(emu)
