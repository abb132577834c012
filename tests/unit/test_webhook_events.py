"""What a webhook delivery is let in as (nls_engine.webhooks.receive), and what a batch of events asks
(nls_engine.webhooks.events), without a database."""

from __future__ import annotations

import hashlib
import hmac
from types import SimpleNamespace

import pytest

from fakes import stand_in
from nls_engine.notion.client import NotionError
from nls_engine.pages.fetch import fetch_page
from nls_engine.report import RunReport
from nls_engine.webhooks.events import parent_data_source, plan
from nls_engine.webhooks.receive import handshake_token, signature_ok

TOKEN = "secret_verification_token"
BOT = "bot-of-this-integration"


def sign(body: bytes, token: str = TOKEN) -> str:
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def event(n: int, kind: str, entity: str, authors=None, ts: str | None = None, **data) -> dict:
    return {
        "event_id": f"e{n}",
        "event_type": kind,
        "entity_id": entity,
        "payload": {
            "timestamp": ts or f"2026-11-30T10:00:{n:02d}.000Z",
            "type": kind,
            "authors": authors if authors is not None else [{"id": "person", "type": "person"}],
            "data": data,
        },
    }


def test_a_signature_is_the_hmac_of_the_raw_bytes_keyed_by_the_token():
    body = b'{"id": "e1", "type": "page.created"}'
    assert signature_ok(TOKEN, body, sign(body))
    assert not signature_ok(TOKEN, body + b" ", sign(body))  # re-serialized: not the same bytes
    assert not signature_ok(TOKEN, body, sign(body, "secret_other"))
    assert not signature_ok(TOKEN, body, None) and not signature_ok(TOKEN, body, "sha256=")
    assert not signature_ok(TOKEN, body, "sha256=é")  # not even ASCII: refused, no error
    assert not signature_ok("", body, sign(body, ""))


def test_a_handshake_is_a_verification_token_and_nothing_that_makes_an_event():
    assert handshake_token(b'{"verification_token": "secret_x"}') == "secret_x"
    assert handshake_token(b'{"verification_token": "secret_x", "type": "page.created"}') is None
    assert handshake_token(b'{"verification_token": ""}') is None and handshake_token(b"not json") is None
    assert handshake_token(b'["verification_token"]') is None


def test_many_events_of_one_page_cost_one_read_with_content_only_when_asked():
    todo = plan(
        [
            event(1, "page.properties_updated", "p1"),
            event(2, "page.properties_updated", "p1"),
            event(3, "page.content_updated", "p1"),
            event(4, "page.created", "p2"),
        ],
        BOT,
    )
    assert todo.read == {"p1": True, "p2": False} and todo.trash == []
    assert set(todo.outcomes.values()) == {"read"}


def test_a_deletion_after_an_edit_wins_and_an_undelete_after_it_reads_the_page():
    todo = plan(
        [
            event(1, "page.properties_updated", "p1"),
            event(2, "page.deleted", "p1"),
            event(3, "page.deleted", "p2"),
            event(4, "page.undeleted", "p2"),
        ],
        BOT,
    )
    assert todo.read == {"p2": False} and todo.trash == ["p1"]


def test_events_are_taken_in_the_order_they_happened_not_the_order_they_came():
    todo = plan(
        [
            event(2, "page.deleted", "p1", ts="2026-11-30T10:00:09.000Z"),
            event(1, "page.properties_updated", "p1", ts="2026-11-30T10:00:01.000Z"),
        ],
        BOT,
    )
    assert todo.trash == ["p1"] and todo.read == {}


def test_the_integrations_own_writes_cost_nothing_but_a_person_among_the_authors_counts():
    bot = [{"id": BOT, "type": "bot"}]
    todo = plan(
        [
            event(1, "page.properties_updated", "p1", bot),
            event(2, "page.properties_updated", "p2", [*bot, {"id": "person", "type": "person"}]),
            event(3, "page.properties_updated", "p3", [{"id": "another-bot", "type": "bot"}]),
        ],
        BOT,
    )
    assert todo.read == {"p2": False, "p3": False} and todo.outcomes["e1"] == "own_write"


def test_schema_and_listing_events_and_the_rest():
    todo = plan(
        [
            event(1, "data_source.schema_updated", "ds1"),
            event(2, "data_source.created", "ds2", parent={"id": "db1", "type": "database"}),
            event(3, "comment.created", "c1"),
        ],
        None,
    )
    assert todo.schemas == {"ds1"} and todo.listing == {"db1"} and todo.outcomes["e3"] == "ignored"


def test_a_deletion_carries_the_time_notion_deleted_the_page():
    """What nls._mark_trashed compares with the stored copy's last_edited_time: a deletion delivered after the restore
    that undid it was read must change nothing."""
    todo = plan(
        [
            event(1, "page.deleted", "p1", ts="2026-11-30T10:00:09.000Z"),
            event(2, "page.deleted", "p2", ts="2026-11-30T10:00:05.000Z"),
        ],
        BOT,
    )
    assert todo.trash == ["p2", "p1"]
    assert todo.deleted_at == {"p1": "2026-11-30T10:00:09.000Z", "p2": "2026-11-30T10:00:05.000Z"}


def test_the_data_source_a_page_names_as_its_parent():
    moved = {"parent": {"type": "data_source_id", "data_source_id": "ds-new", "database_id": "db"}}
    assert parent_data_source(moved, "ds-old") == "ds-new"
    # under a page, a block or the workspace: in no data source any more
    assert parent_data_source({"parent": {"type": "page_id", "page_id": "p"}}, "ds-old") is None
    assert parent_data_source({"parent": {"type": "workspace", "workspace": True}}, "ds-old") is None
    # a database only (another API version's shape) or no parent at all: nothing says it moved
    assert parent_data_source({"parent": {"type": "database_id", "database_id": "db"}}, "ds-old") == "ds-old"
    assert parent_data_source({}, "ds-old") == "ds-old"


class _Pages:
    """A client whose GET /v1/pages/{id} answers ``answers[id]`` (a page, or a NotionError to raise)."""

    def __init__(self, answers: dict):
        self.answers = answers

    def page(self, page_id: str) -> dict:
        answer = self.answers[page_id]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_fetching_a_page_again_marks_it_gone_on_a_404_only():
    """reconcile.fetch_page: the one "read a page again; gone when Notion says so" of the reconciliation, the
    webhook flow and the push."""
    gone: list = []
    store = SimpleNamespace(mark_gone=lambda source_id, page_id: gone.append((source_id, page_id)))
    client = _Pages(
        {
            "live": {"id": "live"},
            "deleted": NotionError(404, "object_not_found", "no such page"),
            "down": NotionError(503, "service_unavailable", "later"),
        }
    )
    ctx = SimpleNamespace(
        notion=client, store=store, the_source=SimpleNamespace(id=7), report=RunReport("notion_webhook")
    )
    assert fetch_page(stand_in(ctx), "live") == {"id": "live"} and gone == []
    assert fetch_page(stand_in(ctx), "deleted") is None
    assert gone == [(7, "deleted")] and ctx.report.removed == 1
    with pytest.raises(NotionError):
        fetch_page(stand_in(ctx), "down")
    assert gone == [(7, "deleted")] and ctx.report.removed == 1
