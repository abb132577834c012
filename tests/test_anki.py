"""Anki both ways (issue 14), against Anki's own library and sync server on 127.0.0.1: the learner's atoms pushed as
notes, answered on the learner's "phone" (a second collection driven through Anki's library) with FSRS on, and the
review progress pulled back exactly; edits on either side; the endpoint down; a full sync demanded."""
from __future__ import annotations

import html

import psycopg
import pytest

from anki_support import USERS, AnkiServer, Phone, require_anki
from conftest import sync, use_emulator
from nls_emulator import Emulator
from nls_emulator.generate import LEARNING_TARGETS

USER = "learner-a"
TOKEN = "secret_anki_learning_token"


@pytest.fixture
def anki_server(conn):
    require_anki(conn)
    server = AnkiServer().start()
    yield server
    server.close()


@pytest.fixture
def learner(conn):
    """A learner with 500 flashcard and cloze atoms synced from the emulator's generated learning workspace."""
    with Emulator() as emu:
        gen = emu.add_generated("learning", pages=624, seed=14, token=TOKEN)
        use_emulator(conn, emu)
        conn.execute("SELECT nls.add_integration(%s, %s)", (USER, TOKEN))
        for name, target in LEARNING_TARGETS.items():
            conn.execute("SELECT nls.add_source(%s, %s, %s)", (USER, gen.database_ids[name], target))
        assert sync(conn, user_id=USER)["success"]
        emu.gen = gen
        yield emu


def anki_sync(conn, user: str = USER) -> dict:
    return conn.execute("SELECT nls.anki_sync(user_id => %s)", (user,)).fetchone()[0]


def steps(result: dict) -> dict[str, dict]:
    return {s["sync_type"]: s for s in result["steps"]}


def log_rows(conn, user: str = USER) -> list[tuple]:
    return conn.execute("SELECT sync_type, status, items_processed, items_added, items_updated, items_removed, "
                        "error_code FROM nls.sync_log WHERE user_id = %s AND sync_type LIKE 'anki%%' "
                        "ORDER BY started_at", (user,)).fetchall()


def expected_deck(conn, card_id: str) -> str:
    program, track, module = conn.execute(
        "SELECT p.name, t.name, m.name FROM nls.learning_atoms a JOIN nls.learning_modules m ON m.id = a.module_id "
        "LEFT JOIN nls.clean_tracks t ON t.id = m.track_id LEFT JOIN nls.clean_programs p ON p.id = t.program_id "
        "WHERE a.card_id = %s", (card_id,)).fetchone()
    return "::".join(x for x in (program, track, module) if x)


def test_500_atoms_pushed_answered_on_the_phone_with_fsrs_and_pulled_back_exactly(conn, learner, anki_server,
                                                                                   tmp_path):
    atoms = conn.execute("SELECT card_id, atom_type, front, back, notion_id FROM nls.learning_atoms "
                         "WHERE user_id = %s AND atom_type IN ('flashcard', 'cloze') ORDER BY card_id",
                         (USER,)).fetchall()
    assert len(atoms) == 500 and {a[1] for a in atoms} == {"flashcard", "cloze"}
    conn.execute("SELECT nls.add_anki_account(%s, %s, %s, endpoint => %s)",
                 (USER, "learner", USERS["learner"], anki_server.url))
    first = anki_sync(conn)
    assert first["status"] == "success", first
    assert steps(first)["anki_push"]["items_added"] == 500
    assert steps(first)["anki_push"]["details"]["upload"] in ("normal_sync", "no_changes", "upload")
    assert conn.execute("SELECT count(*) FROM nls.learning_atoms WHERE user_id = %s AND anki_note_id IS NOT NULL "
                        "AND anki_card_id IS NOT NULL AND anki_deck IS NOT NULL AND anki_synced_at IS NOT NULL",
                        (USER,)).fetchone()[0] == 500

    phone = Phone(tmp_path / "phone", anki_server)
    phone.sync()
    assert len(phone.col.find_notes("")) == 500
    for card_id, atom_type, front, back, notion_id in atoms:
        note = phone.note_by_card_id(card_id)
        assert note.note_type()["name"] == ("nls Cloze" if atom_type == "cloze" else "nls Basic")
        assert note.fields[0] == html.escape(front, quote=False) and note.fields[1] == html.escape(back or "", quote=False)
        assert notion_id.replace("-", "") in note.fields[3]
        deck = phone.col.decks.name(phone.col.get_card(note.card_ids()[0]).did)
        assert deck == expected_deck(conn, card_id), card_id
    # 50 cards answered with FSRS on: some easy (into review), some good (learning), some again
    phone.col.set_config("fsrs", True)
    answered = {}
    for i, (card_id, *_rest) in enumerate(atoms[:50]):
        cid = min(phone.note_by_card_id(card_id).card_ids())
        phone.answer(cid, (4, 3, 1)[i % 3])
        if i % 5 == 0:
            phone.answer(cid, 4)
        answered[card_id] = cid
    phone.sync()

    second = anki_sync(conn)
    assert second["status"] == "success", second
    pull = steps(second)["anki_pull"]
    assert (pull["items_processed"], pull["items_updated"], pull["details"]["reviewed"]) == (500, 50, 50)
    assert steps(second)["anki_push"]["items_added"] == steps(second)["anki_push"]["items_updated"] == 0
    for card_id, cid in answered.items():
        card = phone.col.get_card(cid)
        row = conn.execute("SELECT anki_interval, anki_stability, anki_difficulty, anki_review_count, anki_queue, "
                           "anki_lapses, anki_card_id FROM nls.learning_atoms WHERE card_id = %s",
                           (card_id,)).fetchone()
        memory = card.memory_state
        assert memory is not None
        assert row == (card.ivl, round(__import__("decimal").Decimal(str(round(memory.stability, 2))), 2),
                       round(__import__("decimal").Decimal(str(round((memory.difficulty - 1) / 9, 2))), 2),
                       card.reps, card.queue, card.lapses, cid), card_id
    assert {r[0] for r in conn.execute("SELECT anki_queue FROM nls.learning_atoms WHERE card_id = ANY(%s)",
                                       (list(answered),))} >= {1, 2}
    # seed 001's views show them
    due = conn.execute("SELECT count(*) FROM nls.v_due_atoms WHERE card_id = ANY(%s) AND anki_review_count > 0",
                       (list(answered),)).fetchone()[0]
    atomic = conn.execute("SELECT count(*) FROM nls.learning_atoms WHERE card_id = ANY(%s) AND is_atomic",
                          (list(answered),)).fetchone()[0]
    assert due == atomic > 0
    stats = conn.execute("SELECT sum(in_anki_count), max(avg_interval) FROM nls.v_concept_atom_stats "
                         "WHERE user_id = %s", (USER,)).fetchone()
    assert stats[0] == conn.execute("SELECT count(*) FROM nls.learning_atoms WHERE user_id = %s AND concept_id IS NOT "
                                    "NULL AND anki_note_id IS NOT NULL", (USER,)).fetchone()[0]
    assert stats[1] > 0
    # the concepts of the answered cards were reviewed now, and the cleaning keeps that
    reviewed = conn.execute("SELECT count(*) FROM nls.concepts c WHERE c.last_reviewed_at > now() - interval '1 hour' "
                            "AND EXISTS (SELECT 1 FROM nls.learning_atoms a WHERE a.concept_id = c.id "
                            "AND a.card_id = ANY(%s))", (list(answered),)).fetchone()[0]
    assert reviewed > 0
    assert conn.execute("SELECT nls.clean(%s)", (USER,)).fetchone()[0]["updated"] == 0
    # sync_log: each step its row, with true counts
    rows = log_rows(conn)
    assert [r[:2] for r in rows] == [("anki_sync", "completed"), ("anki_pull", "completed"),
                                     ("anki_push", "completed")] * 2
    assert rows[2][2:6] == (500, 500, 0, 0) and rows[4][2:6] == (500, 0, 50, 0) and rows[5][2:6] == (500, 0, 0, 0)
    phone.close()


def test_an_atom_edited_in_notion_updates_that_note_only_and_keeps_its_review_history(conn, learner, anki_server,
                                                                                       tmp_path):
    conn.execute("SELECT nls.add_anki_account(%s, 'learner', %s, endpoint => %s)",
                 (USER, USERS["learner"], anki_server.url))
    assert anki_sync(conn)["status"] == "success"
    phone = Phone(tmp_path / "phone", anki_server)
    phone.sync()
    card_id, notion_id = conn.execute("SELECT card_id, notion_id FROM nls.learning_atoms WHERE user_id = %s "
                                      "AND atom_type = 'flashcard' ORDER BY card_id LIMIT 1", (USER,)).fetchone()
    note = phone.note_by_card_id(card_id)
    cid = min(note.card_ids())
    phone.answer(cid, 4)
    phone.sync()
    mtimes = {nid: phone.col.get_note(nid).mod for nid in phone.col.find_notes("")}

    learner.gen.workspace.update_page(notion_id, {"Answer": "The new answer, edited in Notion."})
    assert sync(conn, user_id=USER)["success"]
    result = anki_sync(conn)
    push = steps(result)["anki_push"]
    assert (push["items_added"], push["items_updated"], push["items_removed"]) == (0, 1, 0)
    assert push["details"]["unchanged"] == 499
    phone.sync()
    note = phone.note_by_card_id(card_id)
    assert note.fields[1] == "The new answer, edited in Notion."
    changed = [nid for nid in phone.col.find_notes("") if phone.col.get_note(nid).mod != mtimes[nid]]
    assert changed == [note.id]
    card = phone.col.get_card(cid)
    assert card.reps == 1 and len(phone.col.card_stats_data(cid).revlog) == 1
    phone.close()


def test_a_note_edited_on_the_phone_becomes_a_review_item_and_nothing_goes_to_notion(conn, learner, anki_server,
                                                                                     tmp_path):
    conn.execute("SELECT nls.add_anki_account(%s, 'learner', %s, endpoint => %s)",
                 (USER, USERS["learner"], anki_server.url))
    assert anki_sync(conn)["status"] == "success"
    phone = Phone(tmp_path / "phone", anki_server)
    phone.sync()
    card_id, atom_id, front, back = conn.execute(
        "SELECT card_id, id, front, back FROM nls.learning_atoms WHERE user_id = %s AND atom_type = 'flashcard' "
        "ORDER BY card_id OFFSET 3 LIMIT 1", (USER,)).fetchone()
    note = phone.note_by_card_id(card_id)
    note["Back"] = "My own words<br>on two lines &amp; more"
    phone.col.update_note(note)
    phone.sync()
    requests_before = len(learner.api.log)

    result = anki_sync(conn)
    assert result["status"] == "success" and steps(result)["anki_pull"]["items_added"] == 1
    items = conn.execute("SELECT source, status, front, back, original_front, original_back, original_atom_id "
                         "FROM nls.review_queue WHERE user_id = %s", (USER,)).fetchall()
    assert items == [("anki_edit", "pending", front, "My own words\non two lines & more", front, back, atom_id)]
    # the atom keeps Notion's text; Notion heard nothing; the learner's text stays on the phone
    assert conn.execute("SELECT back FROM nls.learning_atoms WHERE id = %s", (atom_id,)).fetchone()[0] == back
    assert len(learner.api.log) == requests_before
    assert steps(result)["anki_push"]["items_updated"] == 0
    # offered once
    again = anki_sync(conn)
    assert steps(again)["anki_pull"]["items_added"] == 0
    assert conn.execute("SELECT count(*) FROM nls.review_queue WHERE user_id = %s", (USER,)).fetchone()[0] == 1
    phone.sync()
    assert phone.note_by_card_id(card_id)["Back"] == "My own words<br>on two lines &amp; more"
    phone.close()
