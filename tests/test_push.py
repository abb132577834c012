"""Two-way sync (issue 13), against real PostgreSQL and the emulator over HTTP: what changed in PostgreSQL goes back to
Notion field by field (only the changed properties, one PATCH a page), an edit made in Notion is never overwritten
(conflicts shown and resolved), new atoms get pages exactly once even when answers are lost, the echo of nls's own
writes changes nothing, and faults and rate limits cost only the objects they hit."""
from __future__ import annotations

import json

import psycopg
import pytest

from conftest import sync, use_emulator
from nls_emulator import Emulator
from nls_emulator.generate import LEARNING_TARGETS

USER = "two-way-learner"
TOKEN = "secret_two_way_token"


@pytest.fixture
def learning(conn):
    """A fresh emulator with a generated learning workspace of 150 pages, the seven sources of one user, synced."""
    with Emulator() as emu:
        gen = emu.gen = emu.add_generated("learning", pages=150, seed=13, token=TOKEN)
        use_emulator(conn, emu)
        conn.execute("SELECT nls.add_integration(%s, %s)", (USER, TOKEN))
        for name, target in LEARNING_TARGETS.items():
            conn.execute("SELECT nls.add_source(%s, %s, %s)", (USER, gen.database_ids[name], target))
        assert sync(conn, user_id=USER)["success"]
        emu.api.reset_log()
        yield emu


def push(conn, **kwargs) -> dict:
    args = ", ".join(f"{k} => %({k})s" for k in kwargs)
    return conn.execute(f"SELECT nls.push_notion({args})", kwargs).fetchone()[0]


def requests_of(emu) -> list[tuple[str, str]]:
    return [(r["method"], r["endpoint"]) for r in emu.api.log]


def text(page: dict, name: str) -> str | None:
    prop = page["properties"][name]
    return "".join(t["plain_text"] for t in prop[prop["type"]]) or None


def plain_cards(conn, n: int) -> list[tuple[str, str]]:
    """(atom id, page id) of ``n`` flashcards whose front is a question (not a cloze), by card id."""
    return conn.execute("SELECT id::text, notion_id FROM nls.learning_atoms WHERE user_id = %s "
                        "AND atom_type = 'flashcard' ORDER BY card_id LIMIT %s", (USER, n)).fetchall()


def rewrite(conn, atom_id: str, front: str | None = None, back: str | None = None) -> None:
    """A reviewed rewrite of an atom: a review_queue item, edited by hand, approved (seed 001's workflow)."""
    old_front, old_back = conn.execute("SELECT front, back FROM nls.learning_atoms WHERE id = %s",
                                       (atom_id,)).fetchone()
    item = conn.execute("INSERT INTO nls.review_queue (user_id, front, back, original_front, original_back, "
                        "original_atom_id, source) VALUES (%s, %s, %s, %s, %s, %s, 'gemini') RETURNING id",
                        (USER, old_front, old_back, old_front, old_back, atom_id)).fetchone()[0]
    conn.execute("SELECT nls.edit_review(%s, %s, %s)", (item, front or old_front, back if back is not None else old_back))
    conn.execute("SELECT nls.approve_review(%s)", (item,))


def state(conn, atom_id: str) -> dict:
    cur = conn.execute("SELECT * FROM nls.notion_sync_state WHERE local_id = %s", (atom_id,))
    row = cur.fetchone()
    return dict(zip([d.name for d in cur.description], row)) if row else {}


def test_edited_and_approved_cards_go_back_with_one_patch_each_and_come_back_changing_nothing(conn, learning):
    ws = learning.gen.workspace
    cards = plain_cards(conn, 10)
    long_answer = ("A long answer that runs on and on. " * 80)[:2500]
    new = {atom: (f"What is changed card {i}?", long_answer if i == 0 else f"Changed answer {i}.")
           for i, (atom, _) in enumerate(cards)}
    for atom, (front, back) in new.items():
        rewrite(conn, atom, front, back)
    # the schedule's order: read and clean (the local changes stay), then push
    assert sync(conn, user_id=USER)["success"]
    assert conn.execute("SELECT count(*) FROM nls.learning_atoms WHERE id::text = ANY(%s) AND "
                        "(front, back) IN (SELECT * FROM jsonb_to_recordset(%s) AS x(front text, back text))",
                        ([a for a, _ in cards], json.dumps([{"front": f, "back": b} for f, b in new.values()]))
                        ).fetchone()[0] == 10
    learning.api.reset_log()
    result = push(conn, user_id=USER)
    assert result["success"], result
    assert requests_of(learning) == [("PATCH", "page_update")] * 10
    for atom, page_id in cards:
        page = ws.pages[page_id]
        assert (text(page, "Question"), text(page, "Answer")) == new[atom]
    long_page = ws.pages[cards[0][1]]
    assert len(long_page["properties"]["Answer"]["rich_text"]) == 2
    # only the changed properties were sent, by property id
    flashcards = ws.data_sources[learning.gen.data_source_ids["Flashcards"]]["properties"]
    for r in learning.api.log:
        assert set(json.loads(r["body"])["properties"]) == {flashcards["Question"]["id"], flashcards["Answer"]["id"]}
    logs = conn.execute("SELECT sync_type, status, items_updated, items_added, requests_made FROM nls.sync_log "
                        "WHERE sync_type = 'notion_push' AND items_updated > 0").fetchall()
    assert logs == [("notion_push", "completed", 10, 0, 10)]
    assert {state(conn, a)["status"] for a, _ in cards} == {"synced"}
    # the next read writes no row, and the cleaning changes nothing
    before = conn.execute("SELECT id, front, back, updated_at FROM nls.learning_atoms ORDER BY id").fetchall()
    cleaning_log = conn.execute("SELECT count(*) FROM nls.cleaning_log").fetchone()[0]
    again = sync(conn, user_id=USER)
    assert sum(r["items_added"] + r["items_updated"] for r in again["results"]) == 0
    clean = again["cleaning"][0]
    assert (clean["added"], clean["updated"], clean["removed"]) == (0, 0, 0)
    assert conn.execute("SELECT count(*) FROM nls.cleaning_log").fetchone()[0] == cleaning_log
    assert conn.execute("SELECT id, front, back, updated_at FROM nls.learning_atoms ORDER BY id").fetchall() == before
    # a second push makes no request
    learning.api.reset_log()
    assert push(conn, user_id=USER)["success"]
    assert learning.api.log == []
