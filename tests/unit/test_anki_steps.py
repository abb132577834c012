"""The Anki steps' decisions (nls_engine.anki.sync.AnkiRun: the pull and the push), over the in-memory store and a
stand-in for the learner's collection: what is written (only atoms that changed, in place), what is suspended
rather than deleted, what is recorded only once the endpoint took it, and what the pull reads back (schedules, the
learner's edits, notes the learner deleted). The integration tests (tests/test_anki.py) run the same with Anki's
own library and sync server."""

from __future__ import annotations

import pytest

from fakes import stand_in
from memory_store import MemoryStore, as_store
from nls_engine.anki.collection import CardState
from nls_engine.anki.note import fields_hash
from nls_engine.anki.sync import AnkiRun, StepFailed
from nls_engine.report import StepReport
from nls_engine.settings import Settings
from test_settings import rows

USER = "learner"


class Device:
    """The learner's collection as nls's Anki device sees it: notes by id ({guid, fields, deck, tags, suspended,
    card: [ivl, factor, reps, lapses, queue]}), an endpoint whose exchanges answer ``answers`` in turn (then
    ``normal_sync``), and every upload recorded."""

    def __init__(self, answers=()):
        self.notes: dict[int, dict] = {}
        self.answers, self.exchanges = list(answers), 0

    def note_id(self, guid: str) -> int | None:
        return next((nid for nid, n in self.notes.items() if n["guid"] == guid), None)

    def write(self, spec, note_id: int | None) -> int:
        if note_id is None:
            note_id = 1000 + len(self.notes)
            self.notes[note_id] = {"guid": spec.guid, "suspended": False, "card": [0, 0, 0, 0, 0]}
        self.notes[note_id].update(fields=list(spec.fields), deck=spec.deck, tags=list(spec.tags))
        return note_id

    def set_removed(self, note_id: int, removed: bool) -> None:
        self.notes[note_id]["suspended"] = removed

    def read(self, note_id: int) -> CardState:
        n = self.notes[note_id]
        ivl, factor, reps, lapses, queue = n["card"]
        return CardState(note_id, note_id + 1, list(n["fields"]), ivl, factor, reps, lapses, queue, None)

    def last_review(self, card_id: int) -> int | None:
        return 1_767_225_600

    def exchange(self, session: dict, timeout_s: float) -> str:
        self.exchanges += 1
        return self.answers.pop(0) if self.answers else "normal_sync"

    def snapshot(self) -> bytes:
        return repr(sorted(self.notes.items())).encode()


def atom(n: int, front: str | None = None, **more) -> dict:
    return {
        "atom_id": f"atom-{n}",
        "notion_id": f"page-{n}",
        "card_id": f"C-{n}",
        "atom_type": "flashcard",
        "front": front or f"Question {n}?",
        "back": f"Answer {n}",
        "module": "Week 1",
        **more,
    }


def anki_run(store: MemoryStore) -> AnkiRun:
    run = AnkiRun(
        as_store(store), Settings.from_catalogue(rows()), USER, {"id": 1, "status": "active", "endpoint": None}
    )
    run.session = {"hkey": "session-key"}
    return run


def push(store: MemoryStore, device: Device) -> StepReport:
    report = StepReport("anki_push")
    anki_run(store)._push(report, stand_in(device))
    return report


def pull(store: MemoryStore, device: Device, action: str = "normal_sync") -> StepReport:
    report = StepReport("anki_pull")
    anki_run(store)._pull(report, stand_in(device), action)
    return report


def test_each_atom_becomes_a_note_recorded_only_once_the_endpoint_took_it_and_an_unchanged_one_costs_nothing():
    store, device = MemoryStore(), Device()
    store.atoms[USER] = [atom(1), atom(2)]
    report = push(store, device)
    assert (report.processed, report.added, report.updated) == (2, 2, 0) and device.exchanges == 1
    assert len(store.notes[USER]) == 2 and store.collections[USER] == device.snapshot()
    assert {a["anki_note_id"] for a in store.atoms[USER]} == set(device.notes)
    report = push(store, device)
    assert (report.added, report.updated, report.findings["unchanged"]) == (0, 0, 2)
    assert device.exchanges == 1 and report.findings["upload"] is None  # nothing written: nothing uploaded


def test_a_changed_atom_is_rewritten_in_place_and_one_that_left_is_suspended_never_deleted():
    store, device = MemoryStore(), Device()
    store.atoms[USER] = [atom(1), atom(2)]
    push(store, device)
    ids = {a["atom_id"]: a["anki_note_id"] for a in store.atoms[USER]}
    store.atoms[USER] = [atom(1, front="Question 1, reworded?")]  # atom 2 left Notion
    report = push(store, device)
    assert (report.updated, report.removed) == (1, 1) and len(device.notes) == 2
    assert device.notes[ids["atom-1"]]["fields"][0] == "Question 1, reworded?"  # the same note: its reviews stay
    assert device.notes[ids["atom-2"]]["suspended"]
    assert [n["removed_at"] is not None for n in store.notes[USER].values()].count(True) == 1


def test_a_failed_upload_records_nothing_so_that_the_next_run_writes_it_again():
    store, device = MemoryStore(), Device(answers=["download", "download"])  # a full sync demanded, twice
    store.atoms[USER] = [atom(1)]
    with pytest.raises(StepFailed) as failed:
        push(store, device)
    assert failed.value.code == "full_sync_loop" and device.exchanges == 2
    assert USER not in store.notes and USER not in store.collections
    assert store.atoms[USER][0].get("anki_note_id") is None


def test_the_pull_reads_back_schedules_edits_and_notes_the_learner_deleted():
    store, device = MemoryStore(), Device()
    store.atoms[USER] = [atom(1), atom(2), atom(3)]
    push(store, device)
    nid = {a["atom_id"]: a["anki_note_id"] for a in store.atoms[USER]}
    device.notes[nid["atom-1"]]["card"] = [3, 2500, 2, 0, 2]  # answered twice
    device.notes[nid["atom-2"]]["fields"][0] = "Question 2, as the learner put it?"  # edited in Anki
    del device.notes[nid["atom-3"]]  # deleted in Anki
    report = pull(store, device)
    assert (report.processed, report.updated, report.added, report.removed) == (2, 1, 1, 1)
    assert report.findings["reviewed"] == 1
    one = next(a for a in store.atoms[USER] if a["atom_id"] == "atom-1")
    assert (one["anki_interval"], one["anki_ease_factor"], one["anki_review_count"]) == (3, 2.5, 2)
    assert store.review_queue == [
        {
            "user_id": USER,
            "original_atom_id": "atom-2",
            "source": "anki_edit",
            "front": "Question 2, as the learner put it?",
            "back": "Answer 2",
        }
    ]
    assert next(a for a in store.atoms[USER] if a["atom_id"] == "atom-3")["anki_note_id"] is None
    # read again, nothing is new: the edit is offered once, the deleted note is not looked for
    report = pull(store, device)
    assert (report.updated, report.added, report.removed) == (0, 0, 0) and len(store.review_queue) == 1
    assert (
        fields_hash(device.notes[nid["atom-2"]]["fields"])
        == store.notes[USER][device.notes[nid["atom-2"]]["guid"]]["edit_hash"]
    )


def test_after_a_full_download_a_missing_note_is_not_taken_for_one_the_learner_deleted():
    store, device = MemoryStore(), Device()
    store.atoms[USER] = [atom(1)]
    push(store, device)
    device.notes.clear()  # the endpoint's collection came whole and does not hold it (yet)
    report = pull(store, device, action="download")
    assert report.removed == 0 and all(n["deleted_at"] is None for n in store.notes[USER].values())
    assert push(store, device).added == 1  # the push adds it again
