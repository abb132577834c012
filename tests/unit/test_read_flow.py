"""The read flow's decisions (nls_engine.read.flow.NotionRead), over the in-memory store and a stand-in Notion: which
mode a run takes, where it reads from, when it reconciles and what that fetches, and what a page that cannot be
stored costs. The integration tests (tests/test_sync_engine.py, tests/test_request_minimum.py) run the same against
PostgreSQL and the emulator."""

from __future__ import annotations

from fakes import FakeClient, formula, iso, page, title
from memory_store import MemoryStore, as_store, context, moment
from nls_engine.read.flow import NotionRead

USER = "alice"


def workspace(*pages: dict) -> tuple[MemoryStore, FakeClient, int]:
    store, client = MemoryStore(), FakeClient()
    store.add_user(USER, bot_id=client.bot)
    client.add("db-1", "ds-1", list(pages))
    return store, client, store.add_source_row(USER, "db-1")


def read(store: MemoryStore, client: FakeClient, source_id: int, full: bool = False):
    """One run of the read: (its sync_type, its report)."""
    flow = NotionRead(full)
    ctx = context(store, client, source_id)
    sync_type = flow.plan(as_store(store), ctx.settings, ctx.the_source)
    ctx.report.sync_type = sync_type
    flow.execute(ctx)
    return sync_type, ctx.report


def test_the_first_run_reads_whole_and_the_next_reads_on_from_the_watermark_less_the_overlap():
    store, client, sid = workspace(page(1, 10, Name=title("a")), page(2, 20, Name=title("b")))
    sync_type, report = read(store, client, sid)
    assert sync_type == "notion_full" and report.added == 2
    assert "filter" not in client.data_sources["ds-1"].bodies[0]
    assert store.states[(sid, "ds-1")]["watermark"] == iso(20) and store.states[(sid, "ds-1")]["reconciled_at"]
    client.requests.clear()
    sync_type, report = read(store, client, sid)
    assert sync_type == "notion_incremental"
    # the known data source is queried (no GET /v1/databases/{id}) from the watermark less overlap_s (120 s)
    assert client.requests == [("data_sources.query", "ds-1")]
    since = client.data_sources["ds-1"].bodies[-1]["filter"]["last_edited_time"]["on_or_after"]
    assert moment(since) == moment(iso(18))
    assert (report.added, report.updated, report.processed) == (0, 0, 1)  # the page in the overlap is unchanged


def test_a_reconciliation_is_due_once_the_interval_has_passed_and_fetches_only_the_pages_that_drifted():
    pages = [page(n, 10 * n, Name=title(f"p{n}"), Score=formula("f", n)) for n in (1, 2, 3)]
    store, client, sid = workspace(*pages)
    read(store, client, sid)
    assert read(store, client, sid)[0] == "notion_incremental"
    store.advance(86400 + 1)  # reconcile_interval_s
    client.page_of(pages[1]["id"])["properties"]["Score"] = formula("f", 99)  # a formula moved, no edit of its own
    client.requests.clear()
    sync_type, report = read(store, client, sid)
    assert sync_type == "notion_reconcile"
    assert client.data_sources["ds-1"].property_ids[-1] == ["title", "f"]  # ids only: the title, the formula
    assert [r for r in client.requests if r[0] == "pages.retrieve"] == [("pages.retrieve", pages[1]["id"])]
    assert store.stored_copy(sid, pages[1]["id"])["properties"]["Score"]["formula"]["number"] == 99
    assert report.data_sources[0].reconciled["drifted"] == 1
    assert read(store, client, sid)[0] == "notion_incremental"  # the reconciliation was noted


def test_a_data_source_whose_schema_changed_is_read_whole_on_the_reconciling_run():
    pages = [page(n, 10 * n, Name=title(f"p{n}")) for n in (1, 2)]
    store, client, sid = workspace(*pages)
    read(store, client, sid)
    client.schemas["ds-1"] = {"Title": {"id": "title", "type": "title"}}  # renamed: no page was edited
    for p in pages:
        p["properties"] = {"Title": p["properties"]["Name"]}
    store.advance(86400 + 1)
    sync_type, report = read(store, client, sid)
    assert sync_type == "notion_reconcile" and report.data_sources[0].mode.startswith("full")
    assert {tuple(store.stored_copy(sid, p["id"])["properties"]) for p in pages} == {("Title",)}


def test_a_page_that_cannot_be_stored_costs_only_itself_and_holds_the_watermark_at_its_time():
    pages = [page(n, 10 * n, Name=title(f"p{n}")) for n in (1, 2, 3)]
    store, client, sid = workspace(*pages)
    store.refused.add(pages[1]["id"])  # the database refuses its row
    _sync_type, report = read(store, client, sid)
    assert report.added == 2 and store.stored(sid, pages[1]["id"]) is None
    assert [e["page_id"] for e in report.page_errors] == [pages[1]["id"]]
    assert report.page_errors[0]["error"].startswith("database: ")
    assert store.states[(sid, "ds-1")]["watermark"] == iso(20)  # held at the page it could not store
    assert store.states[(sid, "ds-1")]["reconciled_at"] is None  # an incomplete copy is not reconciled
    store.refused.clear()
    _sync_type, report = read(store, client, sid)
    assert store.stored(sid, pages[1]["id"]) is not None and report.added == 1
    assert store.states[(sid, "ds-1")]["watermark"] == iso(30)


def test_a_full_read_asks_for_each_stored_page_it_did_not_return():
    pages = [page(n, 10 * n, Name=title(f"p{n}")) for n in (1, 2, 3)]
    store, client, sid = workspace(*pages)
    read(store, client, sid)
    client.gone.add(pages[1]["id"])  # deleted for good: 404
    del client.data_sources["ds-1"].pages[pages[1]["id"]]
    client.page_of(pages[2]["id"]).update(in_trash=True, last_edited_time=iso(40))  # no query returns it
    client.requests.clear()
    _sync_type, report = read(store, client, sid, full=True)
    assert sorted(r[1] for r in client.requests if r[0] == "pages.retrieve") == sorted([pages[1]["id"], pages[2]["id"]])
    assert store.stored_copy(sid, pages[1]["id"])["gone"] and store.stored_copy(sid, pages[2]["id"])["in_trash"]
    assert report.removed == 2


def test_a_known_data_source_that_left_the_database_is_listed_again_and_the_new_one_read():
    store, client, sid = workspace(page(1, 10, Name=title("a")))
    read(store, client, sid)
    del client.data_sources["ds-1"]
    client.databases["db-1"]["data_sources"] = []
    client.add("db-1", "ds-2", [page(5, 50, Name=title("e"))], name="Moved")
    sync_type, report = read(store, client, sid)
    assert sync_type == "notion_incremental" and report.counts["data_sources_listed_again"] == 1
    assert store.stored_copy(sid, page(5, 50)["id"])["data_source_id"] == "ds-2"
    assert store.listed_data_sources(sid) == [{"id": "ds-2", "name": "Moved"}]


def test_on_2026_12_01_a_read_names_every_property_by_id_and_checks_the_recorded_schema_once_an_edit_comes():
    store, client, sid = workspace(page(1, 10, Name=title("a"), Score=formula("f", 1)), page(2, 20, Name=title("b")))
    client.lists_title_only = True
    read(store, client, sid)
    queried = client.data_sources["ds-1"].property_ids
    assert queried[-1] == ["f", "title"] and client.count("data_sources.retrieve") == 1  # the schema, on a full run
    client.requests.clear()
    read(store, client, sid)  # unchanged: the recorded schema's ids, no other request
    assert client.requests == [("data_sources.query", "ds-1")] and queried[-1] == ["f", "title"]
    # a property added in Notion, and a page edited: the schema is read once and the query begins again with it
    client.schemas["ds-1"]["Hint"] = {"id": "h%3A", "type": "rich_text"}
    client.data_sources["ds-1"].edit(client.page_of(page(2, 20)["id"])["id"], 30)
    client.requests.clear()
    read(store, client, sid)
    assert client.count("data_sources.retrieve") == 1 and client.count("data_sources.query") == 2
    assert queried[-1] == ["f", "h%3A", "title"]
