"""Anki both ways, against Anki's own library and sync server on 127.0.0.1: the learner's atoms pushed as
notes, answered on the learner's "phone" (a second collection driven through Anki's library) with FSRS on, and the
review progress pulled back exactly; edits on either side; the endpoint down; a full sync demanded."""

from __future__ import annotations

import html

import psycopg
import pytest

from anki_support import USERS, AnkiServer, Phone, require_anki
from conftest import login_role, sync, use_emulator
from nls_emulator import Emulator
from nls_install.installed import value
from workspaces import generated_workspace

pytestmark = pytest.mark.runtimes  # each test runs in the server runtime and in the worker runtime

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
        use_emulator(conn, emu)
        emu.gen = generated_workspace(conn, emu, USER, TOKEN, pages=624, seed=14)
        yield emu


def anki_sync(conn, user: str = USER) -> dict:
    return conn.execute("SELECT nls.anki_sync(user_id => %s)", (user,)).fetchone()[0]


def steps(result: dict) -> dict[str, dict]:
    return {s["sync_type"]: s for s in result["steps"]}


def log_rows(conn, user: str = USER) -> list[tuple]:
    return conn.execute(
        "SELECT sync_type, status, items_processed, items_added, items_updated, items_removed, "
        "error_code FROM nls.sync_log WHERE user_id = %s AND sync_type LIKE 'anki%%' "
        "ORDER BY started_at",
        (user,),
    ).fetchall()


def expected_deck(conn, card_id: str) -> str:
    program, track, module = conn.execute(
        "SELECT p.name, t.name, m.name FROM nls.learning_atoms a JOIN nls.learning_modules m ON m.id = a.module_id "
        "LEFT JOIN nls.clean_tracks t ON t.id = m.track_id LEFT JOIN nls.clean_programs p ON p.id = t.program_id "
        "WHERE a.card_id = %s",
        (card_id,),
    ).fetchone()
    return "::".join(x for x in (program, track, module) if x)


def test_500_atoms_pushed_answered_on_the_phone_with_fsrs_and_pulled_back_exactly(conn, learner, anki_server, tmp_path):
    atoms = conn.execute(
        "SELECT card_id, atom_type, front, back, notion_id FROM nls.learning_atoms "
        "WHERE user_id = %s AND atom_type IN ('flashcard', 'cloze') ORDER BY card_id",
        (USER,),
    ).fetchall()
    assert len(atoms) == 500 and {a[1] for a in atoms} == {"flashcard", "cloze"}
    conn.execute(
        "SELECT nls.add_anki_account(%s, %s, %s, endpoint => %s)", (USER, "learner", USERS["learner"], anki_server.url)
    )
    first = anki_sync(conn)
    assert first["status"] == "success", first
    assert steps(first)["anki_push"]["items_added"] == 500
    assert steps(first)["anki_push"]["details"]["upload"] in ("normal_sync", "no_changes", "upload")
    assert (
        conn.execute(
            "SELECT count(*) FROM nls.learning_atoms WHERE user_id = %s AND anki_note_id IS NOT NULL "
            "AND anki_card_id IS NOT NULL AND anki_deck IS NOT NULL AND anki_synced_at IS NOT NULL",
            (USER,),
        ).fetchone()[0]
        == 500
    )

    phone = Phone(tmp_path / "phone", anki_server)
    phone.sync()
    assert len(phone.col.find_notes("")) == 500
    for card_id, atom_type, front, back, notion_id in atoms:
        note = phone.note_by_card_id(card_id)
        assert note.note_type()["name"] == ("nls Cloze" if atom_type == "cloze" else "nls Basic")
        assert note.fields[0] == html.escape(front, quote=False) and note.fields[1] == html.escape(
            back or "", quote=False
        )
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
        row = conn.execute(
            "SELECT anki_interval, anki_stability, anki_difficulty, anki_review_count, anki_queue, "
            "anki_lapses, anki_card_id FROM nls.learning_atoms WHERE card_id = %s",
            (card_id,),
        ).fetchone()
        memory = card.memory_state
        assert memory is not None
        assert row == (
            card.ivl,
            round(__import__("decimal").Decimal(str(round(memory.stability, 2))), 2),
            round(__import__("decimal").Decimal(str(round((memory.difficulty - 1) / 9, 2))), 2),
            card.reps,
            card.queue,
            card.lapses,
            cid,
        ), card_id
    assert {
        r[0]
        for r in conn.execute("SELECT anki_queue FROM nls.learning_atoms WHERE card_id = ANY(%s)", (list(answered),))
    } >= {1, 2}
    # the learning schema's views show them
    due = conn.execute(
        "SELECT count(*) FROM nls.v_due_atoms WHERE card_id = ANY(%s) AND anki_review_count > 0", (list(answered),)
    ).fetchone()[0]
    atomic = conn.execute(
        "SELECT count(*) FROM nls.learning_atoms WHERE card_id = ANY(%s) AND is_atomic", (list(answered),)
    ).fetchone()[0]
    assert due == atomic > 0
    stats = conn.execute(
        "SELECT sum(in_anki_count), max(avg_interval) FROM nls.v_concept_atom_stats WHERE user_id = %s", (USER,)
    ).fetchone()
    assert (
        stats[0]
        == conn.execute(
            "SELECT count(*) FROM nls.learning_atoms WHERE user_id = %s AND concept_id IS NOT "
            "NULL AND anki_note_id IS NOT NULL",
            (USER,),
        ).fetchone()[0]
    )
    assert stats[1] > 0
    # the concepts of the answered cards were reviewed now, and the cleaning keeps that
    reviewed = conn.execute(
        "SELECT count(*) FROM nls.concepts c WHERE c.last_reviewed_at > now() - interval '1 hour' "
        "AND EXISTS (SELECT 1 FROM nls.learning_atoms a WHERE a.concept_id = c.id "
        "AND a.card_id = ANY(%s))",
        (list(answered),),
    ).fetchone()[0]
    assert reviewed > 0
    assert conn.execute("SELECT nls.clean(%s)", (USER,)).fetchone()[0]["updated"] == 0
    # sync_log: each step its row, with true counts
    rows = log_rows(conn)
    assert [r[:2] for r in rows] == [
        ("anki_sync", "completed"),
        ("anki_pull", "completed"),
        ("anki_push", "completed"),
    ] * 2
    assert rows[2][2:6] == (500, 500, 0, 0) and rows[4][2:6] == (500, 0, 50, 0) and rows[5][2:6] == (500, 0, 0, 0)
    phone.close()


def test_an_atom_edited_in_notion_updates_that_note_only_and_keeps_its_review_history(
    conn, learner, anki_server, tmp_path
):
    conn.execute(
        "SELECT nls.add_anki_account(%s, 'learner', %s, endpoint => %s)", (USER, USERS["learner"], anki_server.url)
    )
    assert anki_sync(conn)["status"] == "success"
    phone = Phone(tmp_path / "phone", anki_server)
    phone.sync()
    card_id, notion_id = conn.execute(
        "SELECT card_id, notion_id FROM nls.learning_atoms WHERE user_id = %s "
        "AND atom_type = 'flashcard' ORDER BY card_id LIMIT 1",
        (USER,),
    ).fetchone()
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


def test_a_note_edited_on_the_phone_becomes_a_review_item_and_nothing_goes_to_notion(
    conn, learner, anki_server, tmp_path
):
    conn.execute(
        "SELECT nls.add_anki_account(%s, 'learner', %s, endpoint => %s)", (USER, USERS["learner"], anki_server.url)
    )
    assert anki_sync(conn)["status"] == "success"
    phone = Phone(tmp_path / "phone", anki_server)
    phone.sync()
    card_id, atom_id, front, back = conn.execute(
        "SELECT card_id, id, front, back FROM nls.learning_atoms WHERE user_id = %s AND atom_type = 'flashcard' "
        "ORDER BY card_id OFFSET 3 LIMIT 1",
        (USER,),
    ).fetchone()
    note = phone.note_by_card_id(card_id)
    note["Back"] = "My own words<br>on two lines &amp; more"
    phone.col.update_note(note)
    phone.sync()
    requests_before = len(learner.api.log)

    result = anki_sync(conn)
    assert result["status"] == "success" and steps(result)["anki_pull"]["items_added"] == 1
    items = conn.execute(
        "SELECT source, status, front, back, original_front, original_back, original_atom_id "
        "FROM nls.review_queue WHERE user_id = %s",
        (USER,),
    ).fetchall()
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


def add_atoms(conn, user: str, n: int) -> None:
    """``n`` atoms of ``user`` written directly (as an approved review would), every fifth a cloze."""
    conn.execute(
        "INSERT INTO nls.learning_atoms (user_id, notion_id, card_id, atom_type, front, back, is_atomic) "
        "SELECT %s, 'page-' || g, 'T-' || lpad(g::text, 3, '0'), "
        "CASE WHEN g %% 5 = 0 THEN 'cloze' ELSE 'flashcard' END, "
        "CASE WHEN g %% 5 = 0 THEN 'The {{c1::answer ' || g || '}} is here.' ELSE 'Question ' || g || '?' END, "
        "'Answer ' || g, true FROM generate_series(1, %s) g",
        (user, n),
    )


@pytest.fixture
def small_learner(conn, anki_server):
    """A learner with 20 atoms and an Anki account on the test's sync server, synced once."""
    add_atoms(conn, USER, 20)
    conn.execute(
        "SELECT nls.add_anki_account(%s, 'learner', %s, endpoint => %s)", (USER, USERS["learner"], anki_server.url)
    )
    result = anki_sync(conn)
    assert result["status"] == "success" and steps(result)["anki_push"]["items_added"] == 20, result
    return anki_server


def test_the_endpoint_down_fails_with_the_reason_loses_nothing_and_the_next_run_catches_up(
    conn, small_learner, tmp_path
):
    server = small_learner
    phone = Phone(tmp_path / "phone", server)
    phone.sync()
    answered = min(phone.note_by_card_id("T-002").card_ids())
    phone.answer(answered, 4)
    phone.sync()
    saved = conn.execute("SELECT collection, saved_at FROM nls.anki_collections WHERE user_id = %s", (USER,)).fetchone()
    server.stop()
    conn.execute("UPDATE nls.learning_atoms SET back = 'Answer 7, corrected' WHERE card_id = 'T-007'")
    down = anki_sync(conn)
    assert down["success"] is False and down["status"] == "failed"
    assert [(s["sync_type"], s["status"], s["error_code"]) for s in down["steps"]] == [
        ("anki_sync", "failed", "endpoint_unreachable")
    ]
    assert "cannot be reached" in down["steps"][0]["error"]
    assert log_rows(conn)[-1][::6] == ("anki_sync", "endpoint_unreachable")
    # nothing lost, nothing half-done: the collection and the atoms are as they were
    assert (
        conn.execute("SELECT collection, saved_at FROM nls.anki_collections WHERE user_id = %s", (USER,)).fetchone()
        == saved
    )
    assert conn.execute("SELECT anki_review_count FROM nls.learning_atoms WHERE card_id = 'T-002'").fetchone() == (0,)
    assert conn.execute("SELECT status FROM nls.anki_accounts WHERE user_id = %s", (USER,)).fetchone() == ("active",)

    server.start()
    back = anki_sync(conn)
    assert back["status"] == "success", back
    assert steps(back)["anki_pull"]["items_updated"] == 1 and steps(back)["anki_push"]["items_updated"] == 1
    assert conn.execute("SELECT anki_review_count FROM nls.learning_atoms WHERE card_id = 'T-002'").fetchone() == (1,)
    phone.sync()
    assert phone.note_by_card_id("T-007")["Back"] == "Answer 7, corrected"
    phone.close()


def test_a_full_sync_demanded_is_answered_by_downloading_then_pushing_again_never_by_uploading(
    conn, small_learner, tmp_path
):
    server = small_learner
    phone = Phone(tmp_path / "phone", server)
    phone.sync()
    reviewed = min(phone.note_by_card_id("T-003").card_ids())
    phone.answer(reviewed, 4)
    basic, deck = phone.col.models.by_name("Basic"), phone.col.decks.id("Phone")
    assert basic is not None and deck is not None
    own = phone.col.new_note(basic)
    own["Front"], own["Back"] = "The phone's own card?", "Kept"
    phone.col.add_note(own, deck)
    basic = phone.col.models.by_name("Basic")  # a schema change: the next sync must be a full one
    assert basic is not None
    phone.col.models.add_field(basic, phone.col.models.new_field("Extra"))
    phone.col.models.update_dict(basic)
    assert phone.sync(upload=True) == "full_sync"  # the phone chose to upload its collection
    conn.execute("UPDATE nls.learning_atoms SET back = 'Answer 9, edited meanwhile' WHERE card_id = 'T-009'")

    result = anki_sync(conn)
    assert result["status"] == "success", result
    assert steps(result)["anki_sync"]["details"]["action"] == "download"
    assert steps(result)["anki_pull"]["items_updated"] == 1
    assert steps(result)["anki_push"]["items_updated"] == 1
    assert steps(result)["anki_push"]["details"]["upload"] in ("normal_sync", "no_changes")
    # the phone's collection was not overwritten: its own note, its schema change and its review are there
    assert phone.sync() in ("no_changes", "normal_sync")
    assert len(phone.col.find_notes('"deck:Phone"')) == 1
    updated = phone.col.models.by_name("Basic")
    assert updated is not None and "Extra" in phone.col.models.field_names(updated)
    assert phone.col.get_card(reviewed).reps == 1
    assert phone.note_by_card_id("T-009")["Back"] == "Answer 9, edited meanwhile"
    assert len(phone.col.find_notes('"note:nls Basic" or "note:nls Cloze"')) == 20
    phone.close()


def test_an_atom_that_leaves_notion_is_suspended_and_tagged_never_deleted_and_comes_back(conn, small_learner, tmp_path):
    phone = Phone(tmp_path / "phone", small_learner)
    phone.sync()
    note = phone.note_by_card_id("T-004")
    phone.answer(min(note.card_ids()), 3)
    phone.sync()
    conn.execute("DELETE FROM nls.learning_atoms WHERE card_id = 'T-004'")  # as nls.clean() does for a trashed page
    result = anki_sync(conn)
    assert steps(result)["anki_push"]["items_removed"] == 1
    phone.sync()
    note = phone.note_by_card_id("T-004")
    card = phone.col.get_card(min(note.card_ids()))
    assert card.queue == -1 and "nls::removed_from_notion" in note.tags and card.reps == 1
    assert conn.execute("SELECT count(*) FROM nls.anki_notes WHERE removed_at IS NOT NULL").fetchone() == (1,)
    conn.execute(
        "INSERT INTO nls.learning_atoms (user_id, notion_id, card_id, atom_type, front, back) "
        "VALUES (%s, 'page-4', 'T-004', 'flashcard', 'Question 4?', 'Answer 4')",
        (USER,),
    )
    result = anki_sync(conn)
    assert steps(result)["anki_push"]["items_updated"] == 1
    phone.sync()
    note = phone.note_by_card_id("T-004")
    assert phone.col.get_card(min(note.card_ids())).queue != -1 and "nls::removed_from_notion" not in note.tags
    phone.close()


def test_a_refused_login_marks_the_account_and_no_secret_is_anywhere_in_clear(
    conn, anki_server, postgresql_proc, tmp_path
):
    add_atoms(conn, USER, 5)
    wrong = "wrong-password-canary-7f3a"
    conn.execute("SELECT nls.add_anki_account(%s, 'learner', %s, endpoint => %s)", (USER, wrong, anki_server.url))
    refused = anki_sync(conn)
    assert [(s["sync_type"], s["error_code"]) for s in refused["steps"]] == [("anki_sync", "login_refused")]
    assert conn.execute(
        "SELECT status, credential_kind FROM nls.anki_status WHERE user_id = %s", (USER,)
    ).fetchone() == ("needs_reauth", "password")
    waiting = anki_sync(conn)  # not tried again until a new password is stored
    assert waiting["steps"][0]["error_code"] == "needs_reauth" and "add_anki_account" in waiting["steps"][0]["error"]
    conn.execute(
        "SELECT nls.add_anki_account(%s, 'learner', %s, endpoint => %s)", (USER, USERS["learner"], anki_server.url)
    )
    assert anki_sync(conn)["status"] == "success"
    assert conn.execute(
        "SELECT status, credential_kind FROM nls.anki_status WHERE user_id = %s", (USER,)
    ).fetchone() == ("active", "session_key")
    hkey = Phone(tmp_path / "phone", anki_server).auth.hkey  # the server gives the learner one session key
    secrets = [wrong, USERS["learner"], hkey, "learner"]
    tables = conn.execute("SELECT string_agg(t::text, ' ') FROM (SELECT * FROM nls.sync_log) t").fetchone()[0]
    tables += conn.execute(
        "SELECT string_agg(t::text, ' ') FROM (SELECT a.*, encode(credential_ciphertext, 'escape') "
        "FROM nls.anki_accounts a) t"
    ).fetchone()[0]
    log = postgresql_proc.logfile.read_text(errors="replace")
    for secret in secrets[:3]:
        assert secret not in tables and secret not in log, secret
    # the username is kept encrypted too
    assert "learner" not in conn.execute("SELECT a::text FROM nls.anki_accounts a").fetchone()[0].replace(USER, "")


def test_bad_input_is_refused_naming_the_argument(conn):
    cases = [
        ("SELECT nls.add_anki_account('u', NULL, 'pw')", psycopg.errors.NullValueNotAllowed, "username"),
        ("SELECT nls.add_anki_account('u', 'name', '  ')", psycopg.errors.InvalidParameterValue, "password"),
        (
            "SELECT nls.add_anki_account('u', 'n', 'pw', endpoint => 'ftp://host/')",
            psycopg.errors.InvalidParameterValue,
            "endpoint",
        ),
        (
            "SELECT nls.add_anki_account('u', 'n', 'pw', endpoint => 'https://me:pw@host/')",
            psycopg.errors.InvalidParameterValue,
            "endpoint",
        ),
        ("SELECT nls.anki_sync(NULL)", psycopg.errors.NullValueNotAllowed, "user_id"),
        ("SELECT nls.anki_sync(' ')", psycopg.errors.InvalidParameterValue, "user_id"),
        ("SELECT nls.add_anki_account('', 'n', 'pw')", psycopg.errors.InvalidParameterValue, "user_id"),
        ("SELECT nls.anki_sync('nobody')", psycopg.errors.NoDataFound, "user_id"),
    ]
    for query, error, argument in cases:
        with pytest.raises(error) as e:
            conn.execute(query)
        assert argument in (e.value.diag.message_primary or "") and e.value.diag.message_hint, query
    assert conn.execute("SELECT count(*) FROM nls.anki_accounts").fetchone() == (0,)
    conn.execute("SELECT nls.add_anki_account('u', 'name', 'pw', endpoint => 'http://127.0.0.1:9/sync')")
    assert conn.execute("SELECT endpoint FROM nls.anki_status").fetchone() == ("http://127.0.0.1:9/sync/",)
    assert conn.execute("SELECT nls.remove_anki_account('u')").fetchone() == (True,)


def test_without_ankis_library_the_anki_sync_says_what_to_install_and_the_rest_works(conn, dsn, capsys):
    conn.execute("SELECT nls.set_setting('anki_python_path', '/nonexistent/nls-anki')")
    conn.execute("SELECT nls.add_anki_account(%s, 'learner', 'pw', endpoint => 'http://127.0.0.1:9/')", (USER,))
    info = conn.info
    with psycopg.connect(
        host=info.host, port=info.port, user=info.user, password=info.password, dbname=info.dbname, autocommit=True
    ) as fresh:
        status = value(fresh, "SELECT nls.engine_status()")
        if not status["anki"].startswith("not importable"):
            pytest.skip("Anki's library is on the server Python's own path: this server cannot be without it")
        assert "pip install --target" in status["anki"] and status["encryption_key"] == "ok"
        result = value(fresh, "SELECT nls.anki_sync(%s)", (USER,))
        assert [(s["sync_type"], s["error_code"]) for s in result["steps"]] == [("anki_sync", "anki_unavailable")]
        assert "pip install --target" in result["steps"][0]["error"]
    from conftest import install

    assert install(["--dsn", dsn, "--check"]) == 0
    out = capsys.readouterr().out
    assert "--   Anki's library" in out and "pip install --target /nonexistent/nls-anki 'anki==26.9.3'" in out
    assert "FAIL" not in out


def test_the_scheduled_workers_sync_anki_after_the_users_notion_read(conn, emulator, anki_server):
    use_emulator(conn, emulator)
    gen = generated_workspace(conn, emulator, "sched-user", "tok-anki-schedule", pages=40, seed=140, synced=False)
    conn.execute(
        "SELECT nls.add_anki_account('sched-user', 'other', %s, endpoint => %s)", (USERS["other"], anki_server.url)
    )
    conn.execute("CALL nls.sync_all_users_notion_databases()")
    rows = conn.execute("SELECT sync_type, status FROM nls.sync_log WHERE user_id = 'sched-user' ORDER BY started_at")
    types = list(rows.fetchall())
    assert types[-4:] == [
        ("cleaning", "completed"),
        ("anki_sync", "completed"),
        ("anki_pull", "completed"),
        ("anki_push", "completed"),
    ]
    cards = len(gen.page_ids["Flashcards"])
    assert conn.execute(
        "SELECT count(*) FROM nls.learning_atoms WHERE user_id = 'sched-user' AND anki_note_id IS NOT NULL"
    ).fetchone() == (cards,)


def test_the_application_role_syncs_a_users_anki_acting_for_that_user_only(conn, anki_server):
    add_atoms(conn, USER, 6)
    add_atoms(conn, "someone-else", 3)
    with login_role(conn, "anki_webapp") as dsn, psycopg.connect(dsn, autocommit=True) as app:
        app.execute("SELECT set_config('nls.user_id', %s, false)", (USER,))
        app.execute(
            "SELECT nls.add_anki_account(%s, 'learner', %s, endpoint => %s)", (USER, USERS["learner"], anki_server.url)
        )
        result = value(app, "SELECT nls.anki_sync(%s)", (USER,))
        assert result["status"] == "success" and steps(result)["anki_push"]["items_added"] == 6, result
        assert app.execute("SELECT notes FROM nls.anki_status").fetchall() == [(6,)]
        # another user's account is not this session's to add or sync
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("SELECT nls.add_anki_account('someone-else', 'other', 'x')")
        with pytest.raises(psycopg.errors.NoDataFound):
            app.execute("SELECT nls.anki_sync('someone-else')")
    assert conn.execute("SELECT count(*) FROM nls.anki_notes WHERE user_id = %s", (USER,)).fetchone() == (6,)


def test_key_rotation_reencrypts_the_anki_credentials_bound_to_their_owner(conn, server_tmp_path, postgresql_proc):
    import json
    import secrets as pysecrets

    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    conn.execute("SELECT nls.add_anki_account('ann', 'ann-anki', 'ann-password')")
    new_key = pysecrets.token_hex(32)
    ring = server_tmp_path / "nls.keys"
    from conftest import TEST_KEY

    ring.write_text(f"2:{new_key}\n1:{TEST_KEY}\n")
    postgresql_proc.hand_to_server(ring)
    conn.execute("SELECT nls.set_setting('encryption_key_file', %s)", (str(ring),))
    r = conn.execute("SELECT nls.rotate_encryption_key()").fetchone()[0]
    assert r["anki"] == {"rotated": 1, "unreadable": []}
    version, nonce, ct = conn.execute(
        "SELECT key_version, credential_nonce, credential_ciphertext FROM nls.anki_accounts"
    ).fetchone()
    assert version == 2
    secret = json.loads(AESGCM(bytes.fromhex(new_key)).decrypt(nonce, ct, b"ann\x1fanki"))
    assert secret == {"username": "ann-anki", "password": "ann-password"}
    with pytest.raises(InvalidTag):  # not a Notion token of ann's: the context is bound in
        AESGCM(bytes.fromhex(new_key)).decrypt(nonce, ct, b"ann")
