"""The push's decisions (nls_engine.push.flow.NotionPush), over the in-memory store and a stand-in Notion: what is
written (only the columns changed locally, by property id), what is a conflict, what Notion already holds, what a
hash says needs nothing, and a create whose answer was lost is never sent twice. The integration tests
(tests/test_push.py) run the same against PostgreSQL and the emulator."""

from __future__ import annotations

from fakes import FakeClient, iso, page, text, title
from memory_store import MemoryStore, context
from nls_engine.push.flow import NotionPush
from nls_engine.push.object import content_hash
from nls_engine.read.flow import NotionRead

USER = "alice"
COLUMNS = [
    {"column_name": "front", "keys": ["fr", "Front"], "create_options": False, "ref_table": None},
    {"column_name": "card_id", "keys": ["cid", "Card ID"], "create_options": False, "ref_table": None},
]


def new_atom() -> dict:
    """An atom with no page yet: the push creates one, with card id C-2."""
    return {
        "local_table": "learning_atoms",
        "page_id": None,
        "local": {"front": "New?", "card_id": None},
        "new_card": {"card_id": "C-2", "held_by": None},
    }


PAGE = page(1, 10, None, Name=title("atom 1"), Front=text("fr", "What is 2+2?"), **{"Card ID": text("cid", "C-1")})


def workspace(create: bool = False) -> tuple[MemoryStore, FakeClient, int]:
    """A flashcards source read once (its copy stored), its push map sending front and card_id, atom a1 on PAGE."""
    store, client = MemoryStore(), FakeClient()
    store.add_user(USER, bot_id=client.bot)
    client.add("db-1", "ds-1", [dict(PAGE, properties=dict(PAGE["properties"]))])
    sid = store.add_source_row(USER, "db-1", target="flashcards")
    NotionRead().execute(context(store, client, sid))
    store.plans[sid] = {
        "table": "learning_atoms",
        "key": "notion_id",
        "columns": COLUMNS,
        "create": create,
        "data_source_id": "ds-1",
        "schema": None,
    }
    store.local[sid] = {
        "a1": {
            "local_table": "learning_atoms",
            "page_id": PAGE["id"],
            "local": {"front": "What is 2+2?", "card_id": "C-1"},
        }
    }
    client.requests.clear()
    return store, client, sid


def push(store: MemoryStore, client: FakeClient, sid: int, commit=lambda: None):
    ctx = context(store, client, sid, sync_type="notion_push", commit=commit)
    NotionPush().execute(ctx)
    return ctx.report


def state(store: MemoryStore, local_id: str) -> dict:
    return next(s for s in store.push_states.values() if s["local_id"] == local_id)


def test_only_the_column_changed_locally_is_written_and_the_answer_is_the_new_copy():
    store, client, sid = workspace()
    store.change_locally(sid, "a1", "front", "What is 3+3?", base=text("fr", "What is 2+2?"))
    report = push(store, client, sid)
    assert client.writes == [
        ("pages.update", PAGE["id"], {"fr": {"rich_text": [{"type": "text", "text": {"content": "What is 3+3?"}}]}})
    ]
    assert report.updated == 1 and state(store, "a1")["status"] == "synced" and state(store, "a1")["base_values"] == {}
    copy = store.stored_copy(sid, PAGE["id"])
    assert copy["last_edited_time"] == client.page_of(PAGE["id"])["last_edited_time"]
    # the next read finds nls's own write already stored: nothing to write
    read = context(store, client, sid, sync_type="notion_incremental")
    NotionRead().execute(read)
    assert (read.report.added, read.report.updated) == (0, 0)
    assert push(store, client, sid).processed == 0  # nothing waits


def test_a_column_changed_on_both_sides_is_a_conflict_and_is_not_written():
    store, client, sid = workspace()
    client.page_of(PAGE["id"])["properties"]["Front"] = text("fr", "What is 2+2, Notion asks")
    client.page_of(PAGE["id"])["last_edited_time"] = iso(30)
    store.advance(60)  # the local change is newer than the stored copy: the push reads the page again first
    store.change_locally(sid, "a1", "front", "What is 2+2, PostgreSQL asks", base=text("fr", "What is 2+2?"))
    report = push(store, client, sid)
    assert client.count("pages.retrieve") == 1 and report.counts["refreshed"] == 1
    assert client.writes == [] and report.counts["conflicts"] == 1
    st = state(store, "a1")
    assert st["status"] == "conflict" and set(st["conflict"]) == {"front"}
    assert st["conflict"]["front"]["notion"]["rich_text"][0]["plain_text"] == "What is 2+2, Notion asks"


def test_a_value_notion_already_holds_settles_without_a_request():
    store, client, sid = workspace()
    store.change_locally(sid, "a1", "front", "What is 2+2?", base=text("fr", "What is 1+1?"))
    report = push(store, client, sid)
    assert client.requests == [] and report.counts["agreed"] == 1 and state(store, "a1")["status"] == "synced"


def test_an_object_whose_values_hash_to_what_was_last_sent_costs_nothing():
    store, client, sid = workspace()
    store.change_locally(sid, "a1", "front", "What is 3+3?", base=text("fr", "What is 2+2?"))
    state(store, "a1")["sync_hash"] = content_hash({"front": "What is 3+3?", "card_id": "C-1"})
    report = push(store, client, sid)
    assert client.requests == [] and report.counts["unchanged"] == 1 and state(store, "a1")["status"] == "synced"


def test_a_create_whose_answer_was_lost_is_looked_for_and_adopted_never_sent_twice():
    store, client, sid = workspace(create=True)
    store.local[sid]["a2"] = new_atom()
    client.lose_create_answer = client.index_lag = True  # made, but no answer; and a query does not see it yet
    report = push(store, client, sid)
    assert client.count("pages.create") == 1 and report.counts["failed"] == 1
    st = state(store, "a2")
    assert (st["status"], st["last_error_code"]) == ("failed", "create_unconfirmed") and st["create_attempted_at"]
    made = next(p for p in client.data_sources["ds-1"].pages.values() if p["id"] != PAGE["id"])
    client.lose_create_answer = False
    client.unindexed.clear()  # the query sees it now
    report = push(store, client, sid)
    assert client.count("pages.create") == 1  # looked for by its card id first, and found: never sent again
    assert report.counts["adopted"] == 1 and report.added == 1
    assert store.local[sid]["a2"]["page_id"] == made["id"] and state(store, "a2")["status"] == "synced"
    assert push(store, client, sid).processed == 0 and client.count("pages.create") == 1


def test_a_create_whose_answer_came_is_stored_with_its_card_id():
    store, client, sid = workspace(create=True)
    store.local[sid]["a2"] = new_atom()
    report = push(store, client, sid)
    ((endpoint, ds, sent),) = client.writes
    assert (endpoint, ds, sent["cid"]["rich_text"][0]["text"]["content"]) == ("pages.create", "ds-1", "C-2")
    assert report.added == 1 and client.count("data_sources.query") == 0  # nothing to look for first
    new = store.local[sid]["a2"]["page_id"]
    assert store.stored(sid, new) is not None and store.local[sid]["a2"]["local"]["card_id"] == "C-2"


def test_the_workspace_block_limit_fails_the_creates_with_one_request_and_the_updates_still_go():
    from nls_engine.notion.client import NotionError

    store, client, sid = workspace(create=True)
    store.local[sid]["a2"] = new_atom()
    store.local[sid]["a3"] = dict(new_atom(), new_card={"card_id": "C-3", "held_by": None})
    store.change_locally(sid, "a1", "front", "What is 3+3?", base=text("fr", "What is 2+2?"))
    client.errors[("pages.create", "ds-1")] = NotionError(
        403, "restricted_resource", "This workspace has reached its block limit. Upgrade to create more blocks."
    )
    report = push(store, client, sid)
    assert client.count("pages.create") == 1 and client.count("pages.update") == 1 and report.updated == 1
    assert report.counts["block_limited"] == 2 and report.counts["failed"] == 2
    assert report.extra["workspace_block_limit"].startswith("This workspace has reached its block limit")
    for local_id in ("a2", "a3"):
        st = state(store, local_id)
        assert (st["status"], st["last_error_code"]) == ("failed", "workspace_block_limit")
        assert "personal access token" in st["last_error"]
    # the next push tries one create again (the plan may have changed), and no more while Notion refuses
    report = push(store, client, sid)
    assert client.count("pages.create") == 2 and report.counts["block_limited"] == 2
    del client.errors[("pages.create", "ds-1")]
    report = push(store, client, sid)
    assert report.added == 2 and state(store, "a3")["status"] == "synced"


def test_a_create_refused_for_another_reason_of_the_workspace_stops_the_runs_creates_as_restricted_resource():
    from nls_engine.notion.client import NotionError

    store, client, sid = workspace(create=True)
    store.local[sid]["a2"] = new_atom()
    store.local[sid]["a3"] = dict(new_atom(), new_card={"card_id": "C-3", "held_by": None})
    client.errors[("pages.create", "ds-1")] = NotionError(
        403, "restricted_resource", "Insufficient permissions for this endpoint."
    )
    report = push(store, client, sid)
    assert client.count("pages.create") == 1 and report.counts["failed"] == 2 and "block_limited" not in report.counts
    assert {state(store, a)["last_error_code"] for a in ("a2", "a3")} == {"restricted_resource"}
    assert "insert content capability" in state(store, "a3")["last_error"]
