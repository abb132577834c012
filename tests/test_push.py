"""Two-way sync, against real PostgreSQL and the emulator over HTTP: what changed in PostgreSQL goes back to
Notion field by field (only the changed properties, one PATCH a page), an edit made in Notion is never overwritten
(conflicts shown and resolved), new atoms get pages exactly once even when answers are lost, the echo of nls's own
writes changes nothing, and faults and rate limits cost only the objects they hit."""

from __future__ import annotations

import json
import threading
import time

import psycopg
import pytest

from anki_support import USERS, AnkiServer, require_anki
from conftest import ROLLED_BACK, login_role, sync, use_emulator
from nls_emulator import Emulator
from nls_install import installed
from workspaces import generated_workspace

pytestmark = pytest.mark.runtimes  # each test runs in the server runtime and in the worker runtime

USER = "two-way-learner"
TOKEN = "secret_two_way_token"


@pytest.fixture
def learning(conn):
    """A fresh emulator with a generated learning workspace of 150 pages, the seven sources of one user, synced."""
    with Emulator() as emu:
        use_emulator(conn, emu)
        emu.gen = generated_workspace(conn, emu, USER, TOKEN, pages=150, seed=13)
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
    return conn.execute(
        "SELECT id::text, notion_id FROM nls.learning_atoms WHERE user_id = %s "
        "AND atom_type = 'flashcard' ORDER BY card_id LIMIT %s",
        (USER, n),
    ).fetchall()


def rewrite(conn, atom_id: str, front: str | None = None, back: str | None = None) -> None:
    """A reviewed rewrite of an atom: a review_queue item, edited by hand, approved (the review workflow)."""
    old_front, old_back = conn.execute(
        "SELECT front, back FROM nls.learning_atoms WHERE id = %s", (atom_id,)
    ).fetchone()
    item = conn.execute(
        "INSERT INTO nls.review_queue (user_id, front, back, original_front, original_back, "
        "original_atom_id, source) VALUES (%s, %s, %s, %s, %s, %s, 'gemini') RETURNING id",
        (USER, old_front, old_back, old_front, old_back, atom_id),
    ).fetchone()[0]
    conn.execute(
        "SELECT nls.edit_review(%s, %s, %s)", (item, front or old_front, back if back is not None else old_back)
    )
    conn.execute("SELECT nls.approve_review(%s)", (item,))


def state(conn, atom_id: str) -> dict:
    cur = conn.execute("SELECT * FROM nls.notion_sync_state WHERE local_id = %s", (atom_id,))
    row = cur.fetchone()
    return dict(zip([d.name for d in cur.description], row, strict=True)) if row else {}


def test_edited_and_approved_cards_go_back_with_one_patch_each_and_come_back_changing_nothing(conn, learning):
    ws = learning.gen.workspace
    cards = plain_cards(conn, 10)
    long_answer = ("A long answer that runs on and on. " * 80)[:2500]
    new = {
        atom: (f"What is changed card {i}?", long_answer if i == 0 else f"Changed answer {i}.")
        for i, (atom, _) in enumerate(cards)
    }
    for atom, (front, back) in new.items():
        rewrite(conn, atom, front, back)
    # the schedule's order: read and clean (the local changes stay), then push
    assert sync(conn, user_id=USER)["success"]
    assert (
        conn.execute(
            "SELECT count(*) FROM nls.learning_atoms WHERE id::text = ANY(%s) AND "
            "(front, back) IN (SELECT * FROM jsonb_to_recordset(%s) AS x(front text, back text))",
            ([a for a, _ in cards], json.dumps([{"front": f, "back": b} for f, b in new.values()])),
        ).fetchone()[0]
        == 10
    )
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
    logs = conn.execute(
        "SELECT sync_type, status, items_updated, items_added, requests_made FROM nls.sync_log "
        "WHERE sync_type = 'notion_push' AND items_updated > 0"
    ).fetchall()
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


def conflicts(conn) -> dict[str, dict]:
    cur = conn.execute(
        "SELECT c.*, s.local_id::text AS atom FROM nls.push_conflicts c JOIN nls.notion_sync_state s ON s.id = c.id"
    )
    cols = [d.name for d in cur.description]
    return {
        r["atom"] + "/" + r["column_name"]: r for r in (dict(zip(cols, row, strict=True)) for row in cur.fetchall())
    }


def test_a_property_edited_on_both_sides_is_not_written_and_each_resolution_does_what_it_says(conn, learning):
    ws = learning.gen.workspace
    (a, page_a), (b, page_b), (c, page_c) = plain_cards(conn, 3)
    # between two runs: a's and b's Answer edited in Notion and locally; c's Question in Notion, its Answer locally
    for atom, page in ((a, page_a), (b, page_b)):
        rewrite(conn, atom, back=f"Local answer of {atom[:8]}.")
        ws.update_page(page, {"Answer": f"Notion answer of {atom[:8]}."})
    rewrite(conn, c, back="Only changed here.")
    ws.update_page(page_c, {"Question": "Only changed in Notion?"})
    assert sync(conn, user_id=USER)["success"]
    # the cleaning took Notion's Question into the atom: that is no local change to push
    assert set(state(conn, c)["base_values"]) == {"back"}
    learning.api.reset_log()
    result = push(conn, user_id=USER)
    flash = next(r for r in result["results"] if r["items_processed"])
    assert flash["conflicts"] == 2 and flash["items_updated"] == 1 and flash["status"] == "success"
    assert requests_of(learning) == [("PATCH", "page_update")]
    # not written: Notion keeps its edits; both values are shown
    found = conflicts(conn)
    assert set(found) == {f"{a}/back", f"{b}/back"}
    for atom, page in ((a, page_a), (b, page_b)):
        row = found[f"{atom}/back"]
        assert text(ws.pages[page], "Answer") == row["notion_value"] == f"Notion answer of {atom[:8]}."
        assert row["local_value"] == f"Local answer of {atom[:8]}." and row["property"] == "Answer"
        assert row["base_value"] != row["notion_value"]
    # edited only in Notion / only locally, on one page: both survive, in Notion and (after the next read) here
    assert (text(ws.pages[page_c], "Question"), text(ws.pages[page_c], "Answer")) == (
        "Only changed in Notion?",
        "Only changed here.",
    )
    assert sync(conn, user_id=USER)["success"]
    assert conn.execute("SELECT front, back FROM nls.learning_atoms WHERE id = %s", (c,)).fetchone() == (
        "Only changed in Notion?",
        "Only changed here.",
    )
    # the cleaning keeps the local values while they are in conflict
    assert conn.execute("SELECT back FROM nls.learning_atoms WHERE id = %s", (a,)).fetchone()[0].startswith("Local")
    # a second push: the same conflicts, no request
    learning.api.reset_log()
    push(conn, user_id=USER)
    assert learning.api.log == [] and set(conflicts(conn)) == {f"{a}/back", f"{b}/back"}
    # 'notion': the local row takes Notion's value, nothing is written
    answer = conn.execute("SELECT nls.resolve_conflict(%s, 'notion')", (found[f"{a}/back"]["id"],)).fetchone()[0]
    assert answer["status"] == "synced" and answer["columns"] == ["back"]
    assert (
        conn.execute("SELECT back FROM nls.learning_atoms WHERE id = %s", (a,)).fetchone()[0]
        == f"Notion answer of {a[:8]}."
    )
    # 'local': the next push reads the page again, then writes the local value
    answer = conn.execute("SELECT nls.resolve_conflict(%s, 'local', 'back')", (found[f"{b}/back"]["id"],)).fetchone()[0]
    assert answer["status"] == "pending"
    learning.api.reset_log()
    assert push(conn, user_id=USER)["success"]
    assert requests_of(learning) == [("GET", "page_retrieve"), ("PATCH", "page_update")]
    assert text(ws.pages[page_b], "Answer") == f"Local answer of {b[:8]}."
    assert text(ws.pages[page_a], "Answer") == f"Notion answer of {a[:8]}."
    assert conflicts(conn) == {} and {state(conn, x)["status"] for x in (a, b, c)} == {"synced"}
    assert sync(conn, user_id=USER)["success"]
    learning.api.reset_log()
    assert push(conn, user_id=USER)["success"]
    assert learning.api.log == []
    assert (
        conn.execute("SELECT back FROM nls.learning_atoms WHERE id = %s", (b,)).fetchone()[0]
        == f"Local answer of {b[:8]}."
    )


def test_a_local_change_pushed_before_any_read_reads_the_page_first_and_still_never_overwrites(conn, learning):
    ws = learning.gen.workspace
    (a, page_a), (b, page_b) = plain_cards(conn, 2)
    rewrite(conn, a, back="Pushed without a read first.")
    ws.update_page(page_b, {"Answer": "Edited in Notion after the last read."})
    rewrite(conn, b, back="Changed here too.")
    learning.api.reset_log()
    result = push(conn, user_id=USER)
    # the stored copies are older than the local changes: each page is read again first
    assert requests_of(learning) == [("GET", "page_retrieve"), ("PATCH", "page_update"), ("GET", "page_retrieve")]
    assert text(ws.pages[page_a], "Answer") == "Pushed without a read first."
    assert text(ws.pages[page_b], "Answer") == "Edited in Notion after the last read."
    assert set(conflicts(conn)) == {f"{b}/back"}
    assert sum(r.get("conflicts", 0) for r in result["results"]) == 1


def approve_new_cards(conn, n: int, prefix: str = "New card") -> list[str]:
    """``n`` AI-written cards approved into learning_atoms (no Notion page), each with a concept and a module."""
    concept, module = conn.execute(
        "SELECT c.id, m.id FROM nls.concepts c, nls.learning_modules m "
        "WHERE c.user_id = %s AND m.user_id = %s ORDER BY c.name, m.name LIMIT 1",
        (USER, USER),
    ).fetchone()
    atoms = []
    for i in range(n):
        item = conn.execute(
            "INSERT INTO nls.review_queue (user_id, front, back, concept_id, module_id, source) "
            "VALUES (%s, %s, %s, %s, %s, 'gemini') RETURNING id",
            (USER, f"{prefix} {i}: what is it?", f"Its answer {i}.", concept, module),
        ).fetchone()[0]
        atoms.append(str(conn.execute("SELECT nls.approve_review(%s)", (item,)).fetchone()[0]))
    return atoms


def cards_in_notion(emu) -> dict[str, list[str]]:
    """{card id: [page ids]} of the flashcards data source's pages."""
    out: dict[str, list[str]] = {}
    for page in emu.gen.workspace.pages_of(emu.gen.data_source_ids["Flashcards"]):
        out.setdefault(text(page, "CardID") or "", []).append(page["id"])
    return out


def test_new_atoms_get_one_page_each_even_when_some_answers_are_lost(conn, learning):
    before = cards_in_notion(learning)
    atoms = approve_new_cards(conn, 100)
    learning.api.faults.set_probabilities({"reset_after_write": 0.08}, seed=5)
    result = push(conn, user_id=USER)
    learning.api.faults.clear()
    flash = next(r for r in result["results"] if r["items_processed"])
    assert flash["status"] == "success" and flash["items_added"] == 100, flash
    creates = [r for r in learning.api.log if r["endpoint"] == "page_create"]
    lost = [r for r in creates if r["status"] == 0]
    assert len(creates) == 100 and len(lost) >= 3  # every create sent once; some answers were dropped
    after = cards_in_notion(learning)
    new = {card: pages for card, pages in after.items() if card not in before}
    assert len(new) == 100 and all(len(pages) == 1 for pages in new.values())
    linked = dict(
        conn.execute("SELECT card_id, notion_id FROM nls.learning_atoms WHERE id::text = ANY(%s)", (atoms,)).fetchall()
    )
    assert linked == {card: pages[0] for card, pages in new.items()}
    adopted = conn.execute(
        "SELECT details ->> 'adopted' FROM nls.sync_log WHERE id = %s", (flash["sync_log_id"],)
    ).fetchone()[0]
    assert int(adopted) == len(lost)
    page = learning.gen.workspace.pages[linked[min(linked)]]
    assert (text(page, "Question") or "").endswith("what is it?") and page["properties"]["Concept"]["relation"]
    assert (
        page["created_by"]["id"]
        == page["last_edited_by"]["id"]
        != learning.gen.workspace.pages[before[min(before)][0]]["created_by"]["id"]
    )  # written by the integration's bot
    # the read brings the new pages back unchanged, and the cleaning changes none of the atoms
    rows = conn.execute(
        "SELECT id, front, back, card_id, concept_id, module_id, quality_score, updated_at "
        "FROM nls.learning_atoms ORDER BY id"
    ).fetchall()
    again = sync(conn, user_id=USER)
    assert sum(r["items_added"] + r["items_updated"] for r in again["results"]) == 0
    assert (again["cleaning"][0]["added"], again["cleaning"][0]["updated"]) == (0, 0)
    assert (
        conn.execute(
            "SELECT id, front, back, card_id, concept_id, module_id, quality_score, updated_at "
            "FROM nls.learning_atoms ORDER BY id"
        ).fetchall()
        == rows
    )
    learning.api.reset_log()
    assert push(conn, user_id=USER)["success"] and learning.api.log == []


def test_with_faults_and_rate_limits_every_write_lands_once_and_the_rest_fail_with_a_reason(conn, learning):
    ws = learning.gen.workspace
    cards = plain_cards(conn, 20)
    for i, (atom, _) in enumerate(cards):
        rewrite(conn, atom, back=f"Faulty network answer {i}.")
    atoms = approve_new_cards(conn, 10, prefix="Faulty")
    assert sync(conn, user_id=USER)["success"]
    for name, value in (("rate_limit_per_s", "15"), ("workspace_rate_limit_per_s", "15"), ("rate_limit_burst", "3")):
        conn.execute("SELECT nls.set_setting(%s, %s)", (name, value))
    learning.api.rate_limits.enabled, learning.api.rate_limits.token_rate = True, 10
    learning.api.rate_limits.token_burst = 3
    learning.api.reset_log()
    learning.api.faults.set_probabilities(
        dict.fromkeys(("500", "502", "503", "504", "reset", "reset_after_write"), 0.06), seed=17
    )
    first = push(conn, user_id=USER)
    learning.api.faults.clear()
    assert any(r["status"] == 429 for r in learning.api.log) and any(r["status"] in (0, 500) for r in learning.api.log)
    assert conn.execute("SELECT count(*) FROM nls.sync_log WHERE status = 'running'").fetchone()[0] == 0
    pages = cards_in_notion(learning)
    assert all(len(p) == 1 for p in pages.values())  # no create happened twice
    for i, (atom, page) in enumerate(cards):
        s = state(conn, atom)
        landed = text(ws.pages[page], "Answer") == f"Faulty network answer {i}."
        assert (s["status"], bool(s["last_error"])) in ((("synced", False),) if landed else (("failed", True),)), s
    for atom in atoms:
        s = state(conn, atom)
        card = conn.execute("SELECT card_id, notion_id FROM nls.learning_atoms WHERE id = %s", (atom,)).fetchone()
        if s["status"] == "synced":
            assert pages[card[0]] == [card[1]]
        else:
            assert s["status"] == "failed" and s["last_error"] and card[1] is None and card[0] not in pages, s
    flash = next(r for r in first["results"] if r["items_processed"])
    failed = conn.execute("SELECT count(*) FROM nls.notion_sync_state WHERE status = 'failed'").fetchone()[0]
    assert flash.get("failed", 0) == failed and flash["items_added"] + flash["items_updated"] + failed == 30
    # the next push (faults gone) lands the rest, each exactly once
    second = push(conn, user_id=USER)
    assert second["success"], second
    assert conn.execute("SELECT count(*) FROM nls.notion_sync_state WHERE status <> 'synced'").fetchone()[0] == 0
    assert all(text(ws.pages[p], "Answer") == f"Faulty network answer {i}." for i, (_, p) in enumerate(cards))
    pages = cards_in_notion(learning)
    assert all(len(p) == 1 for p in pages.values())
    assert (
        conn.execute(
            "SELECT count(*) FROM nls.learning_atoms WHERE id::text = ANY(%s) AND notion_id IS NOT NULL", (atoms,)
        ).fetchone()[0]
        == 10
    )


def test_a_concepts_status_and_scores_go_to_their_properties_and_a_missing_option_waits_for_leave_to_create(
    conn, learning
):
    ws, gen = learning.gen.workspace, learning.gen
    concepts = conn.execute(
        "SELECT id::text, notion_id FROM nls.concepts WHERE user_id = %s ORDER BY name LIMIT 2", (USER,)
    ).fetchall()
    (one, page_one), (two, page_two) = concepts
    conn.execute("UPDATE nls.concepts SET status = 'mastered', dec_score = 9.5 WHERE id = %s", (one,))
    # "stale" is not an option of the emulator's Status any more
    schema = ws.data_sources[gen.data_source_ids["Concepts"]]["properties"]["Status"]["select"]
    schema["options"] = [o for o in schema["options"] if o["name"] != "stale"]
    conn.execute("UPDATE nls.concepts SET status = 'stale' WHERE id = %s", (two,))
    assert sync(conn, user_id=USER)["success"]  # the cleaning keeps both local changes
    assert conn.execute(
        "SELECT status FROM nls.concepts WHERE id::text = ANY(%s) ORDER BY status", ([one, two],)
    ).fetchall() == [("mastered",), ("stale",)]
    learning.api.reset_log()
    result = next(r for r in push(conn, user_id=USER)["results"] if r["database_name"] == "Concepts")
    assert (result["items_updated"], result["failed"], result["status"]) == (1, 1, "partial")
    assert requests_of(learning) == [("GET", "data_source_retrieve"), ("PATCH", "page_update")]
    props = ws.pages[page_one]["properties"]
    assert (props["Status"]["select"]["name"], props["DEC Score"]["number"]) == ("mastered", 9.5)
    failed = state(conn, two)
    assert failed["status"] == "failed" and failed["last_error_code"] == "refused"
    assert "'stale' is no option of the select property 'Status'" in failed["last_error"]
    assert (
        "create_options" in failed["last_error"]
        and ws.pages[page_two]["properties"]["Status"]["select"]["name"] != "stale"
    )
    errors = conn.execute(
        "SELECT details -> 'object_errors' FROM nls.sync_log WHERE id = %s", (result["sync_log_id"],)
    ).fetchone()[0]
    assert errors[0]["local_id"] == two and "no option" in errors[0]["error"]
    # nothing changed: it waits, costing no request
    learning.api.reset_log()
    push(conn, user_id=USER)
    assert learning.api.log == []
    # the push map lets Notion create the option: the next push writes it
    effective = conn.execute(
        "SELECT nls.set_push_map(%s, %s, %s)",
        (USER, gen.database_ids["Concepts"], json.dumps({"status": {"property": "Status", "create_options": True}})),
    ).fetchone()[0]
    assert effective["status"] == {"property": "Status", "create_options": True} and effective["dec_score"] is True
    push(conn, user_id=USER)
    assert ws.pages[page_two]["properties"]["Status"]["select"]["name"] == "stale"
    assert "stale" in [o["name"] for o in schema["options"]] or "stale" in [
        o["name"] for o in ws.data_sources[gen.data_source_ids["Concepts"]]["properties"]["Status"]["select"]["options"]
    ]
    assert state(conn, two)["status"] == "synced"


def test_a_text_notion_cannot_take_fails_that_object_alone_and_sends_nothing_for_it(conn, learning):
    ws = learning.gen.workspace
    (big, big_page), (small, small_page) = plain_cards(conn, 2)
    rewrite(conn, big, back="x" * 200_001)
    rewrite(conn, small, back="A small answer.")
    assert sync(conn, user_id=USER)["success"]
    before = text(ws.pages[big_page], "Answer")
    learning.api.reset_log()
    result = next(r for r in push(conn, user_id=USER)["results"] if r["items_processed"])
    assert (result["status"], result["failed"], result["items_updated"]) == ("partial", 1, 1)
    assert requests_of(learning) == [("PATCH", "page_update")]
    assert text(ws.pages[small_page], "Answer") == "A small answer." and text(ws.pages[big_page], "Answer") == before
    s = state(conn, big)
    assert s["status"] == "failed" and s["last_error_code"] == "refused"
    assert "200,001 characters takes 101 rich text items" in s["last_error"] and "at most 100" in s["last_error"]


def test_creates_the_workspace_block_limit_refuses_fail_with_that_status_with_one_request_and_updates_go_on(
    conn, learning
):
    ws = learning.gen.workspace
    ((atom, page),) = plain_cards(conn, 1)
    rewrite(conn, atom, back="Written although no block can be created.")
    new = approve_new_cards(conn, 3, prefix="Blocked")
    assert sync(conn, user_id=USER)["success"]
    learning.api.block_limit_reached.add(ws.id)  # a free workspace of several members past its 1,000 blocks
    learning.api.reset_log()
    result = next(r for r in push(conn, user_id=USER)["results"] if r["items_processed"])
    creates = [r["status"] for r in learning.api.log if r["endpoint"] == "page_create"]
    assert creates == [403]  # not retried, and the run's other creates are not sent
    assert (result["status"], result["failed"], result["items_updated"], result["items_added"]) == ("partial", 3, 1, 0)
    assert text(ws.pages[page], "Answer") == "Written although no block can be created."
    for atom_id in new:
        s = state(conn, atom_id)
        assert (s["status"], s["last_error_code"]) == ("failed", "workspace_block_limit")
        assert "block limit" in s["last_error"] and "personal access token" in s["last_error"]
    details = conn.execute("SELECT details FROM nls.sync_log WHERE id = %s", (result["sync_log_id"],)).fetchone()[0]
    assert details["block_limited"] == 3 and "block limit" in details["workspace_block_limit"]
    assert [e["error"].split(":")[0] for e in details["object_errors"]] == ["workspace_block_limit"] * 3
    # with a personal access token (exempt from the limit) the next push creates them
    learning.api.integrations[TOKEN].personal = True
    result = next(r for r in push(conn, user_id=USER)["results"] if r["items_processed"])
    assert (result["status"], result["items_added"]) == ("success", 3)
    assert {state(conn, a)["status"] for a in new} == {"synced"}


def test_a_dry_run_lists_what_would_be_sent_and_sends_and_changes_nothing(conn, learning):
    ((atom, page),) = plain_cards(conn, 1)
    rewrite(conn, atom, front="Dry question?")
    (new,) = approve_new_cards(conn, 1, prefix="Dry")
    assert sync(conn, user_id=USER)["success"]
    learning.api.reset_log()
    states = conn.execute("SELECT * FROM nls.notion_sync_state ORDER BY id").fetchall()
    logs = conn.execute("SELECT count(*) FROM nls.sync_log").fetchone()[0]
    result = push(conn, user_id=USER, dry_run=True)
    assert learning.api.log == [] and result["dry_run"] is True
    assert conn.execute("SELECT * FROM nls.notion_sync_state ORDER BY id").fetchall() == states
    assert conn.execute("SELECT count(*) FROM nls.sync_log").fetchone()[0] == logs
    would = {w["local_id"]: w for r in result["results"] for w in r["would_send"]}
    assert would[atom]["action"] == "update" and would[atom]["page_id"] == page
    assert would[atom]["properties"] == {
        "Question": {"title": [{"type": "text", "text": {"content": "Dry question?"}}]}
    }
    assert would[new]["action"] == "create" and would[new]["page_id"] is None
    assert would[new]["properties"]["CardID"]["rich_text"][0]["text"]["content"].startswith("NLS-")


def test_a_page_gone_from_notion_fails_its_object_and_the_run_goes_on(conn, learning):
    ws = learning.gen.workspace
    (gone, gone_page), (kept, kept_page) = plain_cards(conn, 2)
    rewrite(conn, gone, back="Written to a page no longer shared.")
    rewrite(conn, kept, back="Written.")
    assert sync(conn, user_id=USER)["success"]
    ws.unshare(gone_page)
    result = next(r for r in push(conn, user_id=USER)["results"] if r["items_processed"])
    assert (result["status"], result["failed"], result["items_updated"]) == ("partial", 1, 1)
    assert text(ws.pages[kept_page], "Answer") == "Written."
    s = state(conn, gone)
    assert (s["status"], s["last_error_code"]) == ("failed", "page_gone") and "Could not find page" in s["last_error"]
    assert conn.execute(
        "SELECT deleted_at IS NOT NULL FROM nls.stg_notion_pages WHERE page_id = %s", (gone_page,)
    ).fetchone() == (True,)
    learning.api.reset_log()
    push(conn, user_id=USER)  # the copy says it is gone: no request to learn it again
    assert learning.api.log == []


def test_the_scheduled_workers_push_after_each_users_read_unless_told_not_to(conn, learning):
    ws = learning.gen.workspace
    (atom, page), (other, other_page) = plain_cards(conn, 2)
    rewrite(conn, atom, back="Pushed by the schedule.")
    conn.execute("CALL nls.sync_all_users_notion_databases()")
    assert text(ws.pages[page], "Answer") == "Pushed by the schedule."
    types = [r[0] for r in conn.execute("SELECT sync_type FROM nls.sync_log ORDER BY started_at")]
    last_read = max(i for i, t in enumerate(types) if t.startswith("notion_") and t != "notion_push")
    assert "notion_push" in types[last_read:] and types.index("cleaning", last_read) < types.index(
        "notion_push", last_read
    )
    assert conn.execute("SELECT count(*) FROM nls.sync_log WHERE status = 'running'").fetchone()[0] == 0
    conn.execute("SELECT nls.set_setting('push_after_read', 'off')")
    rewrite(conn, other, back="Waits for a push by hand.")
    conn.execute("CALL nls.sync_all_users_notion_databases()")
    assert (
        text(ws.pages[other_page], "Answer") != "Waits for a push by hand."
        and state(conn, other)["status"] == "pending"
    )
    push(conn, user_id=USER)
    assert text(ws.pages[other_page], "Answer") == "Waits for a push by hand."


def test_a_read_that_brings_back_a_write_of_nls_own_bot_says_so(conn, learning):
    import requests

    ((_atom, page),) = plain_cards(conn, 1)
    assert conn.execute("SELECT bot_id FROM nls.integrations WHERE user_id = %s", (USER,)).fetchone()[0]
    # a write of the integration itself whose answer nls never stored (as after a run killed mid-write)
    r = requests.patch(
        f"{learning.url}/v1/pages/{page}",
        timeout=10,
        json={"properties": {"Answer": {"rich_text": [{"text": {"content": "Written by nls, answer lost."}}]}}},
        headers={"Authorization": f"Bearer {TOKEN}", "Notion-Version": "2025-09-03"},
    )
    assert r.status_code == 200
    result = next(x for x in sync(conn, user_id=USER)["results"] if x["database_name"] == "Flashcards")
    details = conn.execute("SELECT details FROM nls.sync_log WHERE id = %s", (result["sync_log_id"],)).fetchone()[0]
    assert details["own_writes"] == 1 and result["items_updated"] == 1


def test_a_card_changed_and_changed_back_costs_no_request(conn, learning):
    ((atom, page),) = plain_cards(conn, 1)
    rewrite(conn, atom, back="Once.")
    assert push(conn, user_id=USER)["success"] and text(learning.gen.workspace.pages[page], "Answer") == "Once."
    sent = state(conn, atom)["sync_hash"]
    conn.execute("UPDATE nls.learning_atoms SET back = 'Twice.' WHERE id = %s", (atom,))
    conn.execute("UPDATE nls.learning_atoms SET back = 'Once.' WHERE id = %s", (atom,))
    assert state(conn, atom)["status"] == "pending"
    learning.api.reset_log()
    result = next(r for r in push(conn, user_id=USER)["results"] if r["items_processed"])
    assert learning.api.log == [] and result["items_updated"] == 0
    details = conn.execute("SELECT details FROM nls.sync_log WHERE id = %s", (result["sync_log_id"],)).fetchone()[0]
    assert (
        details["unchanged"] == 1 and state(conn, atom)["status"] == "synced" and state(conn, atom)["sync_hash"] == sent
    )


def test_the_application_role_pushes_its_users_changes_under_row_level_security(conn, learning):
    ((atom, page),) = plain_cards(conn, 1)
    with login_role(conn, "push_app") as dsn, psycopg.connect(dsn, autocommit=True) as app:
        app.execute("SELECT set_config('nls.user_id', %s, false)", (USER,))
        app.execute("UPDATE nls.learning_atoms SET back = 'Changed by the application.' WHERE id = %s", (atom,))
        result = installed.value(app, "SELECT nls.push_notion(user_id => %s)", (USER,))
        assert result["success"] and text(learning.gen.workspace.pages[page], "Answer") == "Changed by the application."
        assert app.execute(
            "SELECT push_pending, push_failed FROM nls.sync_status WHERE target = 'flashcards'"
        ).fetchone() == (0, 0)
        app.execute("SELECT set_config('nls.user_id', 'someone-else', false)")
        assert app.execute("SELECT count(*) FROM nls.notion_sync_state").fetchone() == (0,)
        assert installed.value(app, "SELECT nls.push_notion(user_id => %s)", (USER,))["results"] == []


def test_a_statement_timeout_stops_a_push_with_query_canceled_and_leaves_nothing_running(conn, learning):
    for atom, _ in plain_cards(conn, 12):
        conn.execute("UPDATE nls.learning_atoms SET back = back || ' (timed out)' WHERE id = %s", (atom,))
    assert sync(conn, user_id=USER)["success"]
    for name in ("rate_limit_per_s", "workspace_rate_limit_per_s", "rate_limit_burst"):
        conn.execute("SELECT nls.set_setting(%s, '2')", (name,))
    conn.execute("SELECT nls.set_setting('rate_limit_model', 'rate')")  # paced from the first request: 2 a second
    conn.execute("SET statement_timeout = '1500ms'")
    with pytest.raises(psycopg.errors.QueryCanceled):
        push(conn, user_id=USER)
    conn.execute("RESET statement_timeout")
    assert conn.execute("SELECT count(*) FROM nls.sync_log WHERE status = 'running'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM nls.notion_sync_state WHERE status = 'pending'").fetchone()[0] == 12


def test_a_second_local_change_after_a_push_is_written_not_taken_for_a_conflict_with_nls_own_write(conn, learning):
    ws = learning.gen.workspace
    ((atom, page),) = plain_cards(conn, 1)
    rewrite(conn, atom, back="First rewrite.")
    assert sync(conn, user_id=USER)["success"] and push(conn, user_id=USER)["success"]
    # before any read or cleaning stages nls's own write, the answer changes here again
    rewrite(conn, atom, back="Second rewrite.")
    assert sync(conn, user_id=USER)["success"]
    learning.api.reset_log()
    result = next(r for r in push(conn, user_id=USER)["results"] if r["items_processed"])
    assert result.get("conflicts") is None and result["items_updated"] == 1
    assert requests_of(learning) == [("PATCH", "page_update")] and text(ws.pages[page], "Answer") == "Second rewrite."


@pytest.mark.server_only(ROLLED_BACK)
def test_a_push_by_hand_rolled_back_after_its_creates_does_not_create_them_twice(conn, learning):
    before = cards_in_notion(learning)
    atoms = approve_new_cards(conn, 5, prefix="Rolled back")
    with conn.transaction(force_rollback=True):  # the caller's transaction: the creates reach Notion, then rollback
        assert push(conn, user_id=USER)["success"]
    created = [r for r in learning.api.log if r["endpoint"] == "page_create"]
    assert (
        len(created) == 5
        and conn.execute(
            "SELECT count(*) FROM nls.learning_atoms WHERE id = ANY(%s::uuid[]) AND notion_id IS NOT NULL", (atoms,)
        ).fetchone()[0]
        == 0
    )
    learning.api.reset_log()
    assert push(conn, user_id=USER)["success"]
    # the pages the rolled-back push made are found by their card ids and adopted: no second create
    assert [r for r in learning.api.log if r["endpoint"] == "page_create"] == []
    new = {card: p for card, p in cards_in_notion(learning).items() if card not in before}
    assert len(new) == 5 and all(len(p) == 1 for p in new.values())
    linked = conn.execute(
        "SELECT count(*) FROM nls.learning_atoms WHERE id = ANY(%s::uuid[]) AND notion_id IS NOT NULL", (atoms,)
    ).fetchone()[0]
    assert linked == 5


def derived_card_id(atom_id: str) -> str:
    """The card id a push gives a new atom that has none: NLS- and the first 12 hex digits of its id."""
    return "NLS-" + atom_id.replace("-", "")[:12].upper()


@pytest.mark.server_only(ROLLED_BACK)
def test_a_read_between_a_rolled_back_push_and_the_next_gives_the_page_to_its_atom_not_to_a_second_one(conn, learning):
    ws = learning.gen.workspace
    before = cards_in_notion(learning)
    (atom,) = approve_new_cards(conn, 1, prefix="Rolled back, then read")
    ((other, other_page),) = plain_cards(conn, 1)
    with conn.transaction(force_rollback=True):  # the page reaches Notion; its card id and notion_id roll back
        assert push(conn, user_id=USER)["success"]
    ((card, pages),) = [(c, p) for c, p in cards_in_notion(learning).items() if c not in before]
    assert card == derived_card_id(atom) and len(pages) == 1
    rewrite(conn, other, back="Changed after the rolled-back push.")
    assert sync(conn, user_id=USER)["success"]  # the read brings the page back before any push
    atoms = conn.execute(
        "SELECT id::text, card_id, notion_id FROM nls.learning_atoms WHERE user_id = %s "
        "AND (notion_id = %s OR id = %s)",
        (USER, pages[0], atom),
    ).fetchall()
    assert atoms == [(atom, card, pages[0])]  # the page is the atom's own: one atom
    learning.api.reset_log()
    result = push(conn, user_id=USER)
    assert result["success"], result
    assert requests_of(learning) == [("PATCH", "page_update")]  # nothing more for the atom; the other card written
    assert text(ws.pages[other_page], "Answer") == "Changed after the rolled-back push."
    assert cards_in_notion(learning)[card] == pages
    assert state(conn, other)["status"] == "synced"
    learning.api.reset_log()
    assert push(conn, user_id=USER)["success"] and learning.api.log == []


def push_rows(conn, user: str) -> list[dict]:
    cur = conn.execute(
        "SELECT status, items_added, items_updated, details FROM nls.sync_log WHERE user_id = %s "
        "AND sync_type = 'notion_push' ORDER BY started_at",
        (user,),
    )
    return [dict(zip([d.name for d in cur.description], row, strict=True)) for row in cur.fetchall()]


def test_in_a_scheduled_round_an_atom_whose_card_id_is_taken_fails_alone_and_every_other_outcome_is_kept(
    conn, learning
):
    ws = learning.gen.workspace
    second = generated_workspace(conn, learning, "two-way-second", "secret_two_way_second", pages=40, seed=131)
    blocked, fine = approve_new_cards(conn, 2, prefix="Scheduled")
    (taker, taker_page), (other, other_page) = plain_cards(conn, 2)
    # a learner types into another card the card id the blocked atom's new page would carry
    ws.update_page(taker_page, {"CardID": derived_card_id(blocked)})
    rewrite(conn, other, back="Pushed by the round.")
    second_atom, second_page = conn.execute(
        "SELECT id::text, notion_id FROM nls.learning_atoms WHERE user_id = "
        "'two-way-second' AND atom_type = 'flashcard' ORDER BY card_id LIMIT 1"
    ).fetchone()
    conn.execute("UPDATE nls.learning_atoms SET back = 'The second user''s change.' WHERE id = %s", (second_atom,))
    conn.execute("CALL nls.sync_all_users_notion_databases()")
    # the blocked atom alone failed, with its reason; the user's other outcomes and the next user's are kept
    s = state(conn, blocked)
    assert (s["status"], s["last_error_code"]) == ("failed", "card_id_taken"), s
    assert derived_card_id(blocked) in s["last_error"] and taker in s["last_error"]
    assert text(ws.pages[other_page], "Answer") == "Pushed by the round." and state(conn, other)["status"] == "synced"
    page = conn.execute("SELECT notion_id FROM nls.learning_atoms WHERE id = %s", (fine,)).fetchone()[0]
    assert page and cards_in_notion(learning)[derived_card_id(fine)] == [page]
    assert conn.execute("SELECT notion_id FROM nls.learning_atoms WHERE id = %s", (blocked,)).fetchone() == (None,)
    assert cards_in_notion(learning)[derived_card_id(blocked)] == [taker_page]  # no page was created for it
    assert text(second.workspace.pages[second_page], "Answer") == "The second user's change."
    (row,) = push_rows(conn, USER)
    assert (row["status"], row["items_added"], row["items_updated"], row["details"]["failed"]) == ("partial", 1, 1, 1)
    assert [(e["local_id"], e["error"].split(":")[0]) for e in row["details"]["object_errors"]] == [
        (blocked, "card_id_taken")
    ]
    assert [r["status"] for r in push_rows(conn, "two-way-second")] == ["completed"]
    # the next round: the blocked atom waits (no run, no request for it); a Notion edit of the other card comes in
    ws.update_page(other_page, {"Answer": "Edited in Notion after the round."})
    learning.api.reset_log()
    conn.execute("CALL nls.sync_all_users_notion_databases()")
    assert len(push_rows(conn, USER)) == 1
    assert [r for r in learning.api.log if r["endpoint"] in ("page_create", "page_update")] == []
    assert conn.execute("SELECT back FROM nls.learning_atoms WHERE id = %s", (other,)).fetchone() == (
        "Edited in Notion after the round.",
    )
    # the card id freed in Notion: the next round creates the blocked atom's page
    ws.update_page(taker_page, {"CardID": "TAKEN-BACK"})
    conn.execute("CALL nls.sync_all_users_notion_databases()")
    page = conn.execute("SELECT notion_id FROM nls.learning_atoms WHERE id = %s", (blocked,)).fetchone()[0]
    assert page and cards_in_notion(learning)[derived_card_id(blocked)] == [page]
    assert state(conn, blocked)["status"] == "synced"


@pytest.mark.server_only(
    "it watches the pushing session's own backend wait for another's lock; in the "
    "worker runtime a worker's backend pushes"
)
def test_a_card_id_another_session_gives_away_meanwhile_fails_that_atom_alone_not_the_push(conn, learning):
    ws = learning.gen.workspace
    raced, fine = approve_new_cards(conn, 2, prefix="Raced")
    ((other, other_page),) = plain_cards(conn, 1)
    rewrite(conn, other, back="Written while another session held a card id.")
    assert sync(conn, user_id=USER)["success"]
    info = conn.info
    connect = {"host": info.host, "port": info.port, "user": info.user, "dbname": info.dbname}
    with psycopg.connect(**connect) as taker, psycopg.connect(**connect, autocommit=True) as pusher:
        # another session gives the card id the raced atom's page would carry to an atom of its own, not committed
        # yet: the push cannot see it, and the unique card ids are checked when that session commits
        taken = installed.value(
            taker,
            "INSERT INTO nls.learning_atoms (user_id, card_id, front, back) VALUES "
            "(%s, %s, 'Taken meanwhile?', 'Yes.') RETURNING id::text",
            (USER, derived_card_id(raced)),
        )
        answer: dict = {}
        run = threading.Thread(
            target=lambda: answer.update(
                result=installed.value(pusher, "SELECT nls.push_notion(user_id => %s)", (USER,))
            ),
            daemon=True,
        )
        run.start()
        deadline = time.monotonic() + 30
        while conn.execute(
            "SELECT NOT %s = ANY (pg_blocking_pids(%s))", (taker.info.backend_pid, pusher.info.backend_pid)
        ).fetchone()[0]:
            assert run.is_alive() and time.monotonic() < deadline, "the push never waited on the other session"
            time.sleep(0.05)
        taker.commit()  # now the card id is taken: the push's check of it fails
        run.join(60)
    assert not run.is_alive() and answer, "the push raised or did not end"
    flash = next(r for r in answer["result"]["results"] if r["items_processed"])
    assert (flash["status"], flash["failed"], flash["items_added"], flash["items_updated"]) == ("partial", 1, 1, 1)
    s = state(conn, raced)
    assert (s["status"], s["last_error_code"]) == ("failed", "database") and "learning_atoms_user_card_id_key" in s[
        "last_error"
    ]
    errors = conn.execute(
        "SELECT details -> 'object_errors' FROM nls.sync_log WHERE id = %s", (flash["sync_log_id"],)
    ).fetchone()[0]
    assert [e["local_id"] for e in errors] == [raced] and "duplicate key" in errors[0]["error"]
    assert conn.execute("SELECT card_id, notion_id FROM nls.learning_atoms WHERE id = %s", (raced,)).fetchone() == (
        None,
        None,
    )
    # the other objects' outcomes are kept
    assert (
        state(conn, other)["status"] == "synced"
        and text(ws.pages[other_page], "Answer") == "Written while another session held a card id."
    )
    assert conn.execute("SELECT notion_id IS NOT NULL FROM nls.learning_atoms WHERE id = %s", (fine,)).fetchone() == (
        True,
    )
    # the next push says whose the card id is and sends nothing for the raced atom; the card id's page is the
    # page of the atom that holds it
    again = next(r for r in push(conn, user_id=USER)["results"] if r["items_processed"])
    s = state(conn, raced)
    assert (s["status"], s["last_error_code"]) == ("failed", "card_id_taken") and taken in s["last_error"]
    assert (again["failed"], again["items_added"]) == (1, 1)
    assert cards_in_notion(learning)[derived_card_id(raced)] == [
        conn.execute("SELECT notion_id FROM nls.learning_atoms WHERE id = %s", (taken,)).fetchone()[0]
    ]
    # given a card id of its own, the raced atom gets its page with the next push
    conn.execute("UPDATE nls.learning_atoms SET card_id = 'RACED-OWN' WHERE id = %s", (raced,))
    assert push(conn, user_id=USER)["success"]
    page = conn.execute("SELECT notion_id FROM nls.learning_atoms WHERE id = %s", (raced,)).fetchone()[0]
    assert page and cards_in_notion(learning)["RACED-OWN"] == [page] and state(conn, raced)["status"] == "synced"


@pytest.mark.server_only(ROLLED_BACK)
def test_a_rolled_back_push_then_the_scheduled_round_gives_the_card_one_atom_one_page_and_one_anki_note(conn, learning):
    require_anki(conn)
    server = AnkiServer().start()
    try:
        conn.execute(
            "SELECT nls.add_anki_account(%s, 'learner', %s, endpoint => %s)", (USER, USERS["learner"], server.url)
        )
        (atom,) = approve_new_cards(conn, 1, prefix="Rolled back, then scheduled")
        with conn.transaction(force_rollback=True):
            assert push(conn, user_id=USER)["success"]
        (page,) = cards_in_notion(learning)[derived_card_id(atom)]
        learning.api.reset_log()
        conn.execute("CALL nls.sync_all_users_notion_databases()")  # read, clean, push, then Anki
    finally:
        server.close()
    assert conn.execute("SELECT status FROM nls.sync_log WHERE sync_type = 'anki_push'").fetchall() == [("completed",)]
    notes = conn.execute(
        "SELECT atom_key FROM nls.anki_notes WHERE removed_at IS NULL AND atom_key IN (%s, %s)", (page, f"atom:{atom}")
    ).fetchall()
    assert notes == [(page,)]  # one note, of the atom's page
    assert conn.execute(
        "SELECT id::text, notion_id FROM nls.learning_atoms WHERE card_id = %s OR id = %s",
        (derived_card_id(atom), atom),
    ).fetchall() == [(atom, page)]
    assert [r for r in learning.api.log if r["endpoint"] == "page_create"] == []
    assert conn.execute(
        "SELECT anki_note_id IS NOT NULL FROM nls.learning_atoms WHERE id = %s", (atom,)
    ).fetchone() == (True,)
