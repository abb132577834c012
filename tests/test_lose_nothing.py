"""Nothing lost past Notion's cuts: values of more than 25 items are read whole from the property-item endpoint
(and only those), relations become rows of nls.notion_relation_edges, and a data source past the 10,000-row
query cap lands completely."""
from __future__ import annotations

from conftest import add_user_source, sync, use_emulator
from nls_emulator import Emulator
from nls_emulator.model import rich_text


def test_values_past_25_items_are_stored_whole_and_every_relation_is_an_edge(conn):
    with Emulator() as emu:
        gen = emu.add_generated("learning", pages=600, seed=5, hard=True, token="tok-cut")
        ws = gen.workspace
        use_emulator(conn, emu)
        page = gen.hard_cases["many_relations"][0]
        ds = ws.data_source_of_page(ws.pages[page])
        db = next(d for d, i in gen.data_source_ids.items() if i == ds["id"])
        related = [r["id"] for r in next(p for p in ws.pages[page]["properties"].values()
                                         if p["type"] == "relation" and len(p["relation"]) > 25)["relation"]]
        assert len(related) == 45
        # a rich_text of 30 runs and a title of exactly 25: both arrive cut (or maybe cut) at 25
        text_prop = next(n for n, p in ws.pages[page]["properties"].items() if p["type"] == "rich_text")
        ws.update_page(page, {text_prop: [rich_text(f"run {i} ") for i in range(30)]})
        add_user_source(conn, "u-cut", "tok-cut", gen.database_ids[db])
        emu.api.reset_log()
        result = sync(conn, database_id=gen.database_ids[db])
        assert result["success"], result
        property_requests = [r["path"] for r in emu.api.log if r["path"].count("/properties/")]
        assert len(property_requests) == 2 and all(page.replace("-", "") in p.replace("-", "")
                                                   for p in property_requests)
        props = conn.execute("SELECT raw_properties FROM nls.stg_notion_pages WHERE page_id = %s",
                             (page,)).fetchone()[0]
        rel = next(p for p in props.values() if p["type"] == "relation" and len(p["relation"]) > 25)
        assert [r["id"] for r in rel["relation"]] == related and rel["has_more"] is False
        assert "".join(t["plain_text"] for t in props[text_prop]["rich_text"]) == "".join(f"run {i} " for i in range(30))
        edges = [r[0] for r in conn.execute(
            "SELECT target_page_id FROM nls.notion_relation_edges WHERE page_id = %s AND property_id = %s "
            "ORDER BY ordinal", (page, rel["id"]))]
        assert edges == related
        # every relation of every stored page is an edge
        expected = conn.execute("SELECT coalesce(sum(jsonb_array_length(v->'relation')), 0) FROM nls.stg_notion_pages, "
                                "jsonb_each(raw_properties) AS e(k, v) WHERE v->>'type' = 'relation'").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM nls.notion_relation_edges").fetchone()[0] == expected > 45
        # nothing changed: no property request, edges unchanged
        emu.api.reset_log()
        assert sync(conn, database_id=gen.database_ids[db])["synced_count"] == 0
        assert not [r for r in emu.api.log if "/properties/" in r["path"]]
        # the relation shrinks under the cut in Notion: the edges follow
        ws.update_page(page, {next(n for n, p in ws.pages[page]["properties"].items() if p["id"] == rel["id"]):
                              related[:3]})
        assert sync(conn, database_id=gen.database_ids[db])["success"]
        assert conn.execute("SELECT count(*) FROM nls.notion_relation_edges WHERE page_id = %s AND property_id = %s",
                            (page, rel["id"])).fetchone()[0] == 3


def test_a_sync_without_cut_values_makes_no_property_request(conn):
    with Emulator() as emu:
        gen = emu.add_generated("learning", pages=1251, seed=8, token="tok-plain")
        use_emulator(conn, emu)
        add_user_source(conn, "u-plain", "tok-plain", gen.database_ids["Flashcards"])
        result = sync(conn, database_id=gen.database_ids["Flashcards"])
        assert result["success"] and result["synced_count"] == len(gen.page_ids["Flashcards"]) >= 1000
        assert emu.api.counters["page_property"] == 0
        with_concept = sum(1 for pid in gen.page_ids["Flashcards"]
                           if gen.workspace.pages[pid]["properties"]["Concept"]["relation"])
        assert conn.execute("SELECT count(*) FROM nls.notion_relation_edges WHERE property_name = 'Concept'"
                            ).fetchone()[0] == with_concept


def test_a_data_source_past_the_query_cap_lands_completely(conn):
    with Emulator() as emu:
        gen = emu.add_generated("learning", pages=31_500, seed=3, token="tok-big")   # 25,200 flashcards
        use_emulator(conn, emu, read_timeout=30)
        add_user_source(conn, "u-big", "tok-big", gen.database_ids["Flashcards"])
        result = sync(conn, database_id=gen.database_ids["Flashcards"])
        assert result["success"] and result["status"] == "success", result
        ids = [r[0] for r in conn.execute("SELECT page_id FROM nls.stg_notion_pages")]
        assert len(ids) == len(set(ids)) == len(gen.page_ids["Flashcards"]) > 25_000
        assert set(ids) == set(gen.page_ids["Flashcards"])
        capped = [r for r in emu.api.log if r["path"].endswith("/query")]
        assert len(capped) > 250   # read on past each 10,000-row answer


def test_a_cursor_that_does_not_advance_ends_the_run_partial_not_looping(conn, fresh_emulator):
    from conftest import last_log
    gen = fresh_emulator.add_generated("learning", pages=800, seed=4, token="tok-stuck")
    use_emulator(conn, fresh_emulator)
    add_user_source(conn, "u-stuck", "tok-stuck", gen.database_ids["Flashcards"])
    fresh_emulator.api._resume = lambda *args, **kwargs: 0     # every cursor starts the read over
    result = sync(conn, database_id=gen.database_ids["Flashcards"])
    assert result["status"] == "partial" and result["synced_count"] == 100
    assert fresh_emulator.api.counters["data_source_query"] == 4     # the first page, then 3 that bring nothing new
    log = last_log(conn)
    assert log["status"] == "partial"
    assert [x["limit"] for x in log["details"]["limits"]] == ["cursor_not_advancing"]
    # nothing is marked gone on the strength of that incomplete read
    assert conn.execute("SELECT count(*) FROM nls.stg_notion_pages WHERE deleted_at IS NOT NULL").fetchone()[0] == 0


def test_page_content_markdown_with_block_fallbacks(conn, fresh_emulator):
    from conftest import last_log
    from nls_emulator import markdown as md
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=200, seed=9, token="tok-md")
    ws = gen.workspace
    use_emulator(conn, emu)
    modules = gen.page_ids["Modules"]
    db = gen.database_ids["Modules"]
    # content asked for after a first sync without it: the next run reads it for the unchanged pages too
    add_user_source(conn, "u-md", "tok-md", db, with_content=False)
    assert sync(conn, database_id=db)["success"]
    assert emu.api.counters["page_markdown"] == 0
    conn.execute("SELECT nls.add_source('u-md', %s, 'pages', with_content => true)", (db,))
    # one page holds a block Markdown cannot render; another more blocks than the endpoint renders
    odd, long_page = modules[0], modules[1]
    bookmark = {"object": "block", "id": "0d6f6e0a-3c1b-4d7e-9a55-1b2c3d4e5f60", "type": "bookmark",
                "has_children": False, "archived": False, "in_trash": False,
                "bookmark": {"url": "https://example.com", "caption": []}}
    ws.add_block(bookmark, odd)
    ws.add_block_tree(long_page, [{"object": "block", "id": f"7e1d2c3b-4a59-4687-9a0b-{i:012d}", "type": "paragraph",
                                   "has_children": False, "archived": False, "in_trash": False,
                                   "paragraph": {"rich_text": [rich_text(f"line {i}")], "color": "default"}}
                                  for i in range(6)])
    emu.api.markdown_block_limit = 8
    emu.api.reset_log()
    assert sync(conn, database_id=db)["success"]
    assert emu.api.counters["page_markdown"] == len(modules)
    rows = {r[0]: r[1:] for r in conn.execute("SELECT page_id, content_markdown, raw_content FROM nls.stg_notion_pages")}
    assert all(rows[m][0] == md.render(ws, m, 8)[0] for m in modules)
    assert [b["id"] for b in rows[odd][1]] == [bookmark["id"]]                    # the unknown block, as a block
    assert len(rows[long_page][1]) == len(ws.children[long_page])                  # truncated: the whole walk
    assert all(rows[m][1] is None for m in modules if m not in (odd, long_page))   # Markdown held the rest
    details = last_log(conn)["details"]
    assert details["markdown_truncated"] == 1 and details["markdown_unknown_blocks"] == 1
    # unchanged pages cost nothing the next time
    emu.api.reset_log()
    assert sync(conn, database_id=db)["synced_count"] == 0
    assert emu.api.counters["page_markdown"] == 0 and emu.api.counters["block_children"] == 0
