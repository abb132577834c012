"""Nothing lost past Notion's cuts: values of more than 25 items are read whole from the property-item endpoint
(and only those), relations become rows of nls.notion_relation_edges, and a data source past the 10,000-row
query cap lands completely."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from conftest import add_user_source, last_log, sync, use_emulator
from nls_emulator import Emulator
from nls_emulator.model import render_page, rich_text


def test_values_past_25_items_are_stored_whole_and_every_relation_is_an_edge(conn):
    with Emulator() as emu:
        gen = emu.add_generated("learning", pages=600, seed=5, hard=True, token="tok-cut")
        ws = gen.workspace
        use_emulator(conn, emu)
        page = gen.hard_cases["many_relations"][0]
        ds = ws.data_source_of_page(ws.pages[page])
        db = next(d for d, i in gen.data_source_ids.items() if i == ds["id"])
        related = [
            r["id"]
            for r in next(
                p for p in ws.pages[page]["properties"].values() if p["type"] == "relation" and len(p["relation"]) > 25
            )["relation"]
        ]
        assert len(related) == 60
        # a rich_text of 30 runs and a title of exactly 25: both arrive cut (or maybe cut) at 25
        text_prop = next(n for n, p in ws.pages[page]["properties"].items() if p["type"] == "rich_text")
        ws.update_page(page, {text_prop: [rich_text(f"run {i} ") for i in range(30)]})
        add_user_source(conn, "u-cut", "tok-cut", gen.database_ids[db])
        emu.api.reset_log()
        result = sync(conn, database_id=gen.database_ids[db])
        assert result["success"], result
        property_requests = [r["path"] for r in emu.api.log if r["path"].count("/properties/")]
        assert len(property_requests) == 2 and all(
            page.replace("-", "") in p.replace("-", "") for p in property_requests
        )
        props = conn.execute("SELECT raw_properties FROM nls.stg_notion_pages WHERE page_id = %s", (page,)).fetchone()[
            0
        ]
        rel = next(p for p in props.values() if p["type"] == "relation" and len(p["relation"]) > 25)
        assert [r["id"] for r in rel["relation"]] == related and rel["has_more"] is False
        assert "".join(t["plain_text"] for t in props[text_prop]["rich_text"]) == "".join(
            f"run {i} " for i in range(30)
        )
        edges = [
            r[0]
            for r in conn.execute(
                "SELECT target_page_id FROM nls.notion_relation_edges WHERE page_id = %s AND property_id = %s "
                "ORDER BY ordinal",
                (page, rel["id"]),
            )
        ]
        assert edges == related
        # every relation of every stored page is an edge
        expected = conn.execute(
            "SELECT coalesce(sum(jsonb_array_length(v->'relation')), 0) FROM nls.stg_notion_pages, "
            "jsonb_each(raw_properties) AS e(k, v) WHERE v->>'type' = 'relation'"
        ).fetchone()[0]
        assert conn.execute("SELECT count(*) FROM nls.notion_relation_edges").fetchone()[0] == expected > 60
        # nothing changed: no property request, edges unchanged
        emu.api.reset_log()
        assert sync(conn, database_id=gen.database_ids[db])["synced_count"] == 0
        assert not [r for r in emu.api.log if "/properties/" in r["path"]]
        # the relation shrinks under the cut in Notion: the edges follow
        ws.update_page(
            page, {next(n for n, p in ws.pages[page]["properties"].items() if p["id"] == rel["id"]): related[:3]}
        )
        assert sync(conn, database_id=gen.database_ids[db])["success"]
        assert (
            conn.execute(
                "SELECT count(*) FROM nls.notion_relation_edges WHERE page_id = %s AND property_id = %s",
                (page, rel["id"]),
            ).fetchone()[0]
            == 3
        )


def test_a_sync_without_cut_values_makes_no_property_request(conn):
    with Emulator() as emu:
        gen = emu.add_generated("learning", pages=1251, seed=8, token="tok-plain")
        use_emulator(conn, emu)
        add_user_source(conn, "u-plain", "tok-plain", gen.database_ids["Flashcards"])
        result = sync(conn, database_id=gen.database_ids["Flashcards"])
        assert result["success"] and result["synced_count"] == len(gen.page_ids["Flashcards"]) >= 1000
        assert emu.api.counters["page_property"] == 0
        with_concept = sum(
            1 for pid in gen.page_ids["Flashcards"] if gen.workspace.pages[pid]["properties"]["Concept"]["relation"]
        )
        assert (
            conn.execute("SELECT count(*) FROM nls.notion_relation_edges WHERE property_name = 'Concept'").fetchone()[0]
            == with_concept
        )


def test_a_data_source_past_the_query_cap_lands_completely(conn):
    with Emulator() as emu:
        gen = emu.add_generated("learning", pages=31_500, seed=3, token="tok-big")  # 25,200 flashcards
        use_emulator(conn, emu, read_timeout=30)
        add_user_source(conn, "u-big", "tok-big", gen.database_ids["Flashcards"])
        result = sync(conn, database_id=gen.database_ids["Flashcards"])
        assert result["success"] and result["status"] == "success", result
        ids = [r[0] for r in conn.execute("SELECT page_id FROM nls.stg_notion_pages")]
        assert len(ids) == len(set(ids)) == len(gen.page_ids["Flashcards"]) > 25_000
        assert set(ids) == set(gen.page_ids["Flashcards"])
        capped = [r for r in emu.api.log if r["path"].endswith("/query")]
        assert len(capped) > 250  # read on past each 10,000-row answer


def test_a_cursor_that_does_not_advance_ends_the_run_partial_not_looping(conn, fresh_emulator):
    gen = fresh_emulator.add_generated("learning", pages=800, seed=4, token="tok-stuck")
    use_emulator(conn, fresh_emulator)
    add_user_source(conn, "u-stuck", "tok-stuck", gen.database_ids["Flashcards"])
    fresh_emulator.api._resume = lambda *args, **kwargs: 0  # every cursor starts the read over
    result = sync(conn, database_id=gen.database_ids["Flashcards"])
    assert result["status"] == "partial" and result["synced_count"] == 100
    assert fresh_emulator.api.counters["data_source_query"] == 4  # the first page, then 3 that bring nothing new
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
    bookmark = {
        "object": "block",
        "id": "0d6f6e0a-3c1b-4d7e-9a55-1b2c3d4e5f60",
        "type": "bookmark",
        "has_children": False,
        "archived": False,
        "in_trash": False,
        "bookmark": {"url": "https://example.com", "caption": []},
    }
    ws.add_block(bookmark, odd)
    ws.add_block_tree(
        long_page,
        [
            {
                "object": "block",
                "id": f"7e1d2c3b-4a59-4687-9a0b-{i:012d}",
                "type": "paragraph",
                "has_children": False,
                "archived": False,
                "in_trash": False,
                "paragraph": {"rich_text": [rich_text(f"line {i}")], "color": "default"},
            }
            for i in range(6)
        ],
    )
    emu.api.markdown_block_limit = 8
    emu.api.reset_log()
    assert sync(conn, database_id=db)["success"]
    assert emu.api.counters["page_markdown"] == len(modules)
    rows = {
        r[0]: r[1:] for r in conn.execute("SELECT page_id, content_markdown, raw_content FROM nls.stg_notion_pages")
    }
    assert all(rows[m][0] == md.render(ws, m, 8)[0] for m in modules)
    assert [b["id"] for b in rows[odd][1]] == [bookmark["id"]]  # the unknown block, as a block
    assert len(rows[long_page][1]) == len(ws.children[long_page])  # truncated: the whole walk
    assert all(rows[m][1] is None for m in modules if m not in (odd, long_page))  # Markdown held the rest
    details = last_log(conn)["details"]
    assert details["markdown_truncated"] == 1 and details["markdown_unknown_blocks"] == 1
    # unchanged pages cost nothing the next time
    emu.api.reset_log()
    assert sync(conn, database_id=db)["synced_count"] == 0
    assert emu.api.counters["page_markdown"] == 0 and emu.api.counters["block_children"] == 0


def _title_name(ws, ds_id: str) -> str:
    return next(n for n, p in ws.data_sources[ds_id]["properties"].items() if p["type"] == "title")


def _queries(emu) -> list[dict]:
    return [json.loads(r["body"] or "{}") for r in emu.api.log if r["endpoint"] == "data_source_query"]


def test_past_the_cap_the_rest_comes_in_created_time_windows_with_changes_during_the_read(conn, fresh_emulator):
    emu = fresh_emulator
    emu.api.query_result_limit = 300  # Notion's cap is 10,000: the same reading, at a size a test can hold
    gen = emu.add_generated("learning", pages=1500, seed=12, token="tok-win")
    ws, ds_id = gen.workspace, gen.data_source_ids["Flashcards"]
    title = _title_name(ws, ds_id)
    use_emulator(conn, emu)
    add_user_source(conn, "u-win", "tok-win", gen.database_ids["Flashcards"])
    cards = [p["id"] for p in ws.pages_of(ds_id)]
    real_query, calls, added = emu.api._query, [], []

    def query(*args):  # between the pages of the read: edits (of pages read and not yet read) and additions
        calls.append(1)
        if len(calls) in (2, 5):
            for pid in cards[len(calls) * 7 : len(calls) * 7 + 6]:
                ws.update_page(pid, {title: f"edited during call {len(calls)}: {pid}"})
            added.append(ws.create_page(ds_id, {title: f"added during call {len(calls)}"}))
        return real_query(*args)

    emu.api._query = query
    result = sync(conn, database_id=gen.database_ids["Flashcards"])
    assert result["success"] and result["status"] == "success", result
    bodies = _queries(emu)
    assert bodies[0]["sorts"] == [{"timestamp": "last_edited_time", "direction": "ascending"}]
    windows = [b for b in bodies if b["sorts"][0]["timestamp"] == "created_time"]
    starts = [
        f.get("created_time", {}).get("on_or_after")
        for b in windows
        for f in (b["filter"].get("and") or [b["filter"]])
        if f.get("timestamp") == "created_time"
    ]
    assert len(windows) >= 4 and len(set(starts)) >= 2 and starts == sorted(starts)
    details = last_log(conn)["details"]["data_sources"][0]
    assert details["windows"] >= 3
    live = {p["id"] for p in ws.pages_of(ds_id) if not p.get("in_trash")}
    stored = dict(conn.execute("SELECT page_id, raw_properties FROM nls.stg_notion_pages"))
    assert set(stored) == live and set(added) <= set(stored)  # every id present, once (page_id is the key)
    # an edit made during the windows to a page of a window already read is the next run's: the watermark
    # waits for it; after one more scheduled run the copy equals Notion
    emu.api._query = real_query
    assert sync(conn, database_id=gen.database_ids["Flashcards"])["status"] == "success"
    for pid, props in conn.execute("SELECT page_id, raw_properties FROM nls.stg_notion_pages"):
        assert props == render_page(ws.pages[pid], "2025-09-03", ws, cut=False)["properties"], pid


def test_the_scheduled_reconciliation_reads_ids_only_and_fetches_what_drifted(conn, fresh_emulator):
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=400, seed=21, token="tok-rec")
    ws, ds_id = gen.workspace, gen.data_source_ids["Flashcards"]
    formula_id = ws.add_property(ds_id, "Score", "formula", {"expression": "prop(\"Ease\")"})
    use_emulator(conn, emu)
    add_user_source(conn, "u-rec", "tok-rec", gen.database_ids["Flashcards"], with_content=True)
    assert sync(conn, database_id=gen.database_ids["Flashcards"])["status"] == "success"
    cards = [p["id"] for p in ws.pages_of(ds_id) if not p.get("in_trash")]
    # what an incremental read cannot see: a formula that changed with the pages it reads (no edit of its own
    # page), a page unshared, a page trashed, and a stored copy that fell behind (an edit missed)
    ws.set_computed(cards[10], "Score", {"type": "number", "number": 42})
    ws.unshare(cards[11])
    ws.trash_page(cards[12])
    conn.execute(
        "UPDATE nls.stg_notion_pages SET last_edited_time = last_edited_time - interval '1 day', "
        "raw_properties = jsonb_set(raw_properties, ARRAY[%s, 'title'], '[]'), sync_hash = 'an older "
        "version' WHERE page_id = %s",
        (_title_name(ws, ds_id), cards[13]),
    )
    emu.api.reset_log()
    assert sync(conn, database_id=gen.database_ids["Flashcards"])["status"] == "success"
    assert emu.api.counters["page_retrieve"] == 0  # the incremental run sees none of it
    conn.execute("SELECT nls.set_setting('reconcile_interval_s', '0')")
    emu.api.reset_log()
    result = sync(conn, database_id=gen.database_ids["Flashcards"])
    assert result["status"] == "success" and result["sync_type"] == "notion_reconcile", result
    # the ids-only read: every query asks for the title and the formula only; no content, no property items
    # (from Notion-Version 2026-12-01 on, the incremental read's queries name every property: two is the ids-only read)
    queries = [r for r in emu.api.log if r["endpoint"] == "data_source_query"]
    id_queries = [r for r in queries if r["query"].count("filter_properties=") == 2]
    full_queries = [r for r in queries if r not in id_queries]
    assert full_queries and len(id_queries) == -(-(len(cards) - 2) // 100)
    assert all(
        "filter_properties=title" in r["query"] and f"filter_properties={formula_id}" in r["query"] for r in id_queries
    )
    fetched = sorted(r["path"].rsplit("/", 1)[1] for r in emu.api.log if r["endpoint"] == "page_retrieve")
    assert fetched == sorted([cards[10], cards[11], cards[12], cards[13]]), fetched
    assert emu.api.counters["page_markdown"] == 2  # content re-read for the two changed pages only
    assert emu.api.counters["data_source_retrieve"] == 1  # the schema, to see renames (none here)
    details = last_log(conn)["details"]["data_sources"][0]
    assert details["reconciled"]["ids_read"] == len(cards) - 2 and details["reconciled"]["drifted"] == 2
    row = {
        r[0]: (r[1], r[2])
        for r in conn.execute(
            "SELECT page_id, in_trash, deleted_at IS NOT NULL FROM nls.stg_notion_pages WHERE page_id = ANY(%s)",
            (cards[10:14],),
        )
    }
    assert row == {
        cards[10]: (False, False),
        cards[11]: (False, True),
        cards[12]: (True, False),
        cards[13]: (False, False),
    }
    for pid in (cards[10], cards[13]):
        props = conn.execute("SELECT raw_properties FROM nls.stg_notion_pages WHERE page_id = %s", (pid,)).fetchone()[0]
        assert props == render_page(ws.pages[pid], "2025-09-03", ws, cut=False)["properties"], pid
    assert conn.execute("SELECT last_full_sync_at > now() - interval '1 minute' FROM nls.sync_state").fetchone()[0]
    # a rename moves no page: the reconciliation sees the schema changed and reads every page whole
    ws.rename_property(ds_id, "Score", "Ease score")
    emu.api.reset_log()
    assert sync(conn, database_id=gen.database_ids["Flashcards"])["status"] == "success"
    assert last_log(conn)["details"]["data_sources"][0]["mode"].startswith("full")
    names = conn.execute("SELECT count(*) FROM nls.stg_notion_pages WHERE raw_properties ? 'Ease score'").fetchone()[0]
    assert names == len(cards) - 2


def test_rollups_over_cut_relations_and_unsupported_values_are_marked(conn, fresh_emulator):
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=600, seed=5, hard=True, token="tok-mark")
    ws = gen.workspace
    page = gen.hard_cases["many_relations"][0]
    ds_id = ws.data_source_of_page(ws.pages[page])["id"]
    rel = next(p for p in ws.pages[page]["properties"].values() if p["type"] == "relation" and len(p["relation"]) > 25)
    other_rel = ws.add_property(ds_id, "See also", "relation", {"data_source_id": ds_id, "type": "single_property"})
    count_id = ws.add_property(
        ds_id,
        "Related count",
        "rollup",
        {"relation_property_id": rel["id"], "rollup_property_id": "title", "function": "count"},
    )
    other_id = ws.add_property(
        ds_id,
        "See also count",
        "rollup",
        {"relation_property_id": other_rel, "rollup_property_id": "title", "function": "count"},
    )
    formula_id = ws.add_property(ds_id, "Mastery", "formula", {"expression": "..."})
    # Notion computes a rollup over the first 25 related pages only, and answers "unsupported" where it cannot
    ws.set_computed(page, "Related count", {"type": "number", "number": 25, "function": "count"})
    plain = next(p["id"] for p in ws.pages_of(ds_id) if p["id"] != page and not p.get("in_trash"))
    ws.set_computed(plain, "Mastery", {"type": "unsupported", "unsupported": {}})
    ws.set_computed(plain, "Related count", {"type": "number", "number": 1, "function": "count"})
    use_emulator(conn, emu)
    db = next(d for d, i in gen.data_source_ids.items() if i == ds_id)
    add_user_source(conn, "u-mark", "tok-mark", gen.database_ids[db])
    result = sync(conn, database_id=gen.database_ids[db])
    assert result["status"] == "success", result
    marks = dict(conn.execute("SELECT page_id, value_marks FROM nls.stg_notion_pages WHERE value_marks <> '{}'"))
    assert marks == {
        page: {
            count_id: {
                "property": "Related count",
                "type": "rollup",
                "mark": "computed_over_cut_relation",
                "relation_property_id": rel["id"],
                "related": 60,
            }
        },
        plain: {formula_id: {"property": "Mastery", "type": "formula", "mark": "unsupported"}},
    }
    assert other_id not in marks[page]  # a rollup over a whole relation is right as it stands
    assert emu.api.counters["data_source_retrieve"] == 1  # the schema, once, for the page with a cut relation
    # the stored value is Notion's own, beside its mark; typed text of an unsupported formula is NULL, not a value
    assert conn.execute(
        "SELECT nls.notion_text(raw_properties -> 'Mastery') IS NULL FROM nls.stg_notion_pages WHERE page_id = %s",
        (plain,),
    ).fetchone()[0]
    # the relation shrinks under the cut: the rollup is right again and the mark goes
    ws.update_page(
        page,
        {
            next(n for n, p in ws.pages[page]["properties"].items() if p["id"] == rel["id"]): [
                r["id"] for r in rel["relation"][:3]
            ]
        },
    )
    assert sync(conn, database_id=gen.database_ids[db])["status"] == "success"
    assert conn.execute("SELECT value_marks FROM nls.stg_notion_pages WHERE page_id = %s", (page,)).fetchone()[0] == {}


def test_notion_hosted_files_are_stored_with_their_expiry_never_as_lasting_links(conn, fresh_emulator):
    emu = fresh_emulator
    gen = emu.add_generated("learning", pages=300, seed=9, token="tok-file")
    ws, ds_id = gen.workspace, gen.data_source_ids["Flashcards"]
    ws.add_property(ds_id, "Attachments", "files")
    hosted, external = [p["id"] for p in ws.pages_of(ds_id) if not p.get("in_trash")][:2]
    s3 = "https://prod-files-secure.s3.us-west-2.amazonaws.com/ws/abc/diagram.png"
    ws.update_page(hosted, {"Attachments": [{"name": "diagram.png", "type": "file", "file": {"url": s3}}]})
    ws.update_page(
        external,
        {"Attachments": [{"name": "paper", "type": "external", "external": {"url": "https://example.org/paper.pdf"}}]},
    )
    ws.set_content(
        hosted,
        [
            {
                "object": "block",
                "id": str(uuid.uuid4()),
                "type": "image",
                "has_children": False,
                "archived": False,
                "in_trash": False,
                "parent": {"type": "page_id", "page_id": hosted},
                "image": {"type": "file", "caption": [], "file": {"url": s3.replace("diagram", "photo")}},
            }
        ],
    )
    use_emulator(conn, emu)
    add_user_source(conn, "u-file", "tok-file", gen.database_ids["Flashcards"], with_content=True)
    conn.execute("SELECT nls.set_setting('content_format', 'blocks')")
    assert sync(conn, database_id=gen.database_ids["Flashcards"])["status"] == "success"
    files = conn.execute(
        "SELECT page_id, found_in, name, notion_hosted, lasting, expired, url, "
        "expires_at - now() FROM nls.notion_files ORDER BY found_in, page_id"
    ).fetchall()
    by = {(f[0], f[1]): f for f in files}
    prop = by[(hosted, "property")]
    assert prop[2:6] == ("diagram.png", True, False, False) and prop[6].startswith(s3 + "?")
    assert timedelta(minutes=50) < prop[7] <= timedelta(hours=1)
    block = by[(hosted, "block")]
    assert block[3:6] == (True, False, False) and "photo.png?" in block[6]
    assert by[(external, "property")][2:7] == ("paper", False, True, False, "https://example.org/paper.pdf")
    # the typed text of a files property is its names, never a url that stops working in an hour
    assert (
        conn.execute(
            "SELECT nls.notion_text(raw_properties -> 'Attachments') FROM nls.stg_notion_pages WHERE page_id = %s",
            (hosted,),
        ).fetchone()[0]
        == "diagram.png"
    )
    # each read signs the url anew: that is not a change of the page
    assert sync(conn, database_id=gen.database_ids["Flashcards"], full_sync=True)["synced_count"] == 0
    # past its expiry, a stored url says so
    conn.execute(
        "UPDATE nls.stg_notion_pages SET raw_properties = jsonb_set(raw_properties, "
        "'{Attachments,files,0,file,expiry_time}', '\"2020-01-01T00:00:00.000Z\"') WHERE page_id = %s",
        (hosted,),
    )
    assert (
        conn.execute(
            "SELECT expired FROM nls.notion_files WHERE page_id = %s AND found_in = 'property'", (hosted,)
        ).fetchone()[0]
        is True
    )


def test_a_bulk_import_past_the_cap_in_one_minute_reads_whole_or_says_why(conn, fresh_emulator):
    emu = fresh_emulator
    emu.api.query_result_limit = 300
    gen = emu.add_generated("learning", pages=1000, seed=14, token="tok-bulk")
    ws, ds_id = gen.workspace, gen.data_source_ids["Flashcards"]
    cards = [p for p in ws.pages_of(ds_id) if not p.get("in_trash")]
    for page in cards:  # every row edited in one minute (an import): last_edited_time windows cannot split them
        page["last_edited_time"] = "2026-01-05T10:00:00.000Z"
    ws.touch()
    use_emulator(conn, emu)
    add_user_source(conn, "u-bulk", "tok-bulk", gen.database_ids["Flashcards"])
    result = sync(conn, database_id=gen.database_ids["Flashcards"])
    assert result["status"] == "success", result
    assert {r[0] for r in conn.execute("SELECT page_id FROM nls.stg_notion_pages")} == {p["id"] for p in cards}
    # created in one minute too: no window can split them; the run says so and marks nothing gone
    for page in cards:
        page["created_time"] = "2026-01-05T09:00:00.000Z"
    ws.trash_page(cards[0]["id"])
    ws.touch()
    result = sync(conn, database_id=gen.database_ids["Flashcards"], full_sync=True)
    assert result["status"] == "partial", result
    assert [x["limit"] for x in last_log(conn)["details"]["limits"]] == ["query_result_limit"]
    assert (
        conn.execute("SELECT count(*) FROM nls.stg_notion_pages WHERE in_trash OR deleted_at IS NOT NULL").fetchone()[0]
        == 0
    )
