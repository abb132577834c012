"""What each webhook event does once applied (nls_engine.webhooks.events.ApplyEvents), over the in-memory store and a
stand-in Notion: a page read again once however many events it had, a deletion marked at once unless the copy is
newer, the integration's own writes and data sources nobody syncs costing nothing, a schema change read whole only
when it changed something, a source another run holds leaving its events pending. The integration tests
(tests/test_webhooks.py) run the same against PostgreSQL, the emulator and the receiver."""

from __future__ import annotations

from fakes import FakeClient, iso, page, text, title
from memory_store import MemoryStore, context
from nls_engine.read.flow import NotionRead
from nls_engine.webhooks.events import ApplyEvents

USER, PATH = "alice", "path-1"
PAGES = [page(n, 10 * n, Name=title(f"p{n}"), Note=text("nt", f"note {n}")) for n in (1, 2)]


def workspace() -> tuple[MemoryStore, FakeClient, int]:
    """A source read once (two pages of ds-1), a webhook subscription of its user."""
    store, client = MemoryStore(), FakeClient()
    store.add_user(USER, bot_id=client.bot)
    client.add("db-1", "ds-1", [dict(p, parent={"type": "data_source_id", "data_source_id": "ds-1"}) for p in PAGES])
    sid = store.add_source_row(USER, "db-1")
    NotionRead().execute(context(store, client, sid))
    store.subscriptions[PATH] = {"user_id": USER, "armed": False, "subscription_id": None}
    client.requests.clear()
    return store, client, sid


def deliver(store: MemoryStore, n: int, kind: str, entity: str, at: int = 100, authors=None, parent="ds-1") -> None:
    entity_type = "page" if kind.startswith("page") else "data_source"
    store.save_webhook_event(
        PATH,
        {
            "id": f"ev-{n}",
            "type": kind,
            "timestamp": iso(at),
            "entity": {"id": entity, "type": entity_type},
            "authors": authors or [{"id": "person-1", "type": "person"}],
            "data": {"parent": {"id": parent, "type": "data_source"}},
        },
    )


def apply(store: MemoryStore, client: FakeClient, read_whole=None):
    """One batch; ``read_whole`` records the data sources read whole."""
    whole = []
    ctx = context(store, client, user=USER, sync_type="notion_webhook")
    ApplyEvents(read_whole or (lambda sctx, schemas, ds_id: whole.append(ds_id))).execute(ctx)
    return ctx.report, whole


def outcome(store: MemoryStore, n: int) -> str | None:
    return store.events[f"ev-{n}"]["outcome"]


def test_a_page_edited_is_read_again_once_however_many_events_it_had():
    store, client, sid = workspace()
    client.page_of(PAGES[0]["id"]).update(
        properties={**PAGES[0]["properties"], "Note": text("nt", "edited")}, last_edited_time=iso(50)
    )
    for n in (1, 2, 3):
        deliver(store, n, "page.properties_updated", PAGES[0]["id"], at=50 + n)
    report, _ = apply(store, client)
    assert client.requests == [("pages.retrieve", PAGES[0]["id"])]
    assert store.stored_copy(sid, PAGES[0]["id"])["properties"]["Note"]["rich_text"][0]["plain_text"] == "edited"
    assert {outcome(store, n) for n in (1, 2, 3)} == {"read"} and report.findings["pages_read"] == 1


def test_a_deletion_is_marked_at_once_unless_the_copy_is_newer_than_it():
    store, client, sid = workspace()
    deliver(store, 1, "page.deleted", PAGES[0]["id"], at=60)
    deliver(store, 2, "page.deleted", PAGES[1]["id"], at=15)  # delivered late: the copy was edited after it
    report, _ = apply(store, client)
    assert client.requests == []
    assert store.stored_copy(sid, PAGES[0]["id"])["in_trash"] and not store.stored_copy(sid, PAGES[1]["id"])["in_trash"]
    assert report.findings["trashed"] == 1 and report.removed == 1


def test_the_integrations_own_writes_and_pages_nobody_syncs_cost_nothing():
    store, client, _sid = workspace()
    deliver(store, 1, "page.properties_updated", PAGES[0]["id"], authors=[{"id": client.bot, "type": "bot"}])
    deliver(store, 2, "page.created", "page-elsewhere", parent="ds-nobody-syncs")
    report, _ = apply(store, client)
    assert client.requests == []
    assert (outcome(store, 1), outcome(store, 2)) == ("own_write", "not_synced")
    assert report.findings["own_write"] == 1 and report.findings["not_synced"] == 1


def test_a_schema_change_reads_the_data_source_whole_only_when_the_stored_pages_hold_another_schema():
    store, client, _sid = workspace()
    deliver(store, 1, "data_source.schema_updated", "ds-1")
    report, whole = apply(store, client)
    assert client.requests == [("data_sources.retrieve", "ds-1")] and whole == [] and outcome(store, 1) == "schema"
    client.schemas["ds-1"]["Note"] = {"id": "nt", "type": "select"}  # retyped: no page was edited
    deliver(store, 2, "data_source.schema_updated", "ds-1")
    report, whole = apply(store, client)
    assert whole == ["ds-1"] and report.findings["schema_refreshes"] == 1


def test_events_of_a_source_another_run_holds_stay_pending_for_the_next_batch():
    store, client, sid = workspace()
    deliver(store, 1, "page.properties_updated", PAGES[0]["id"])
    assert store.try_lock_source(sid)  # another run holds the source
    report, _ = apply(store, client)
    assert client.requests == [] and store.events["ev-1"]["applied_at"] is None
    assert report.findings["left_pending"] == 1
    store.unlock_source(sid)
    apply(store, client)
    assert outcome(store, 1) == "read" and client.requests == [("pages.retrieve", PAGES[0]["id"])]


def test_a_page_moved_to_a_data_source_another_source_reads_is_stored_there_and_gone_here():
    store, client, sid = workspace()
    client.add("db-2", "ds-2", [])
    other = store.add_source_row(USER, "db-2")
    NotionRead().execute(context(store, client, other))  # lists ds-2
    client.page_of(PAGES[0]["id"]).update(
        parent={"type": "data_source_id", "data_source_id": "ds-2"}, last_edited_time=iso(70)
    )
    deliver(store, 1, "page.moved", PAGES[0]["id"], parent="ds-2")
    client.requests.clear()
    report, _ = apply(store, client)
    assert client.requests == [("pages.retrieve", PAGES[0]["id"])]  # read once, stored in its new home as read
    assert store.stored_copy(sid, PAGES[0]["id"])["gone"]
    assert store.stored_copy(other, PAGES[0]["id"])["data_source_id"] == "ds-2" and report.findings["pages_moved"] == 1
