"""The sync engine against the emulator's generated workspace, inside a real PostgreSQL."""

from __future__ import annotations

import pytest

from conftest import add_user_source, last_log, sync, use_emulator
from nls_emulator import markdown as md

pytestmark = pytest.mark.runtimes  # each test runs in the server runtime and in the worker runtime


def test_first_sync_lands_every_page_with_the_served_properties(conn, emulator):
    gen = emulator.add_generated("learning", pages=120, seed=7, token="tok-basic")
    use_emulator(conn, emulator)
    db_id = gen.database_ids["Flashcards"]
    add_user_source(conn, "alice", "tok-basic", db_id, with_content=True)
    result = sync(conn, database_id=db_id)
    ds_id = gen.data_source_ids["Flashcards"]
    expected = {p["id"]: p for p in gen.workspace.pages_of(ds_id) if not p["in_trash"]}
    assert result["success"] is True, result
    assert result["database_name"] == "Flashcards"
    assert result["synced_count"] == len(expected)
    rows = conn.execute(
        "SELECT page_id, raw_properties, content_markdown, raw_content FROM nls.stg_notion_pages"
    ).fetchall()
    assert {r[0] for r in rows} == set(expected)
    for page_id, props, markdown, blocks in rows:
        assert props == expected[page_id]["properties"]
        # content_format markdown (the default): GET /v1/pages/{id}/markdown, exactly as served; no blocks needed
        assert markdown == md.render(gen.workspace, page_id, emulator.api.markdown_block_limit)[0]
        assert blocks is None
    assert emulator.api.counters["page_markdown"] >= len(expected)
    assert all(r["endpoint"] != "block_children" for r in emulator.api.log if r["token"] == "tok-basic")
    log = last_log(conn)
    assert log["status"] == "completed" and log["sync_type"] == "notion_full"
    assert log["items_added"] == len(expected) and log["items_processed"] == len(expected)
