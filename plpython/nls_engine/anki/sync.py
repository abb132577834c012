"""The Anki flow: a learner's flashcard and cloze atoms into their Anki collection, their review progress back, through
Anki's own sync protocol (``nls.anki_sync(user_id)`` by hand; the schedule runs it after the user's Notion read).

nls is one more Anki device of the learner. One run of a user, under the user's Anki advisory lock and acting for
the user (row-level security), takes three steps, each its own ``nls.sync_log`` row:

1. ``anki_sync``: open the collection nls keeps (``nls.anki_collections``; a new one the first time), log in when
   only a password is held (the session key is kept, the password dropped), and sync with the endpoint. Where the
   endpoint demands a full sync, its collection is downloaded: nls never uploads over the learner's collection
   (it uploads only to an endpoint holding no cards). The collection is saved as the endpoint now holds it.
   details: {"action": "no_changes" | "normal_sync" | "download" | "upload", "login": bool, "anki": version}.
2. ``anki_pull``: for every note nls put there whose atom is still synced, the first card's schedule into the
   atom's ``anki_*`` columns (only those that changed), the last answer into ``concepts.last_reviewed_at``, a note
   the learner edited into a ``review_queue`` item (``source = 'anki_edit'``, once per edit; nothing goes to
   Notion), a note the learner deleted marked so (not re-added while its atom is unchanged). items_processed:
   notes read; items_updated: atoms whose schedule changed; items_added: edits offered; items_removed: notes
   the learner deleted. details: {"reviewed": notes answered since the last pull}.
3. ``anki_push``: every flashcard and cloze atom becomes a note (:mod:`.note`: guid, note type, deck, tags);
   only atoms whose SHA-256 changed are written, in place (the note's cards and review history stay); notes whose
   atom left Notion are suspended and tagged, never deleted. What was written is uploaded at once (a full sync
   demanded then: download, write again, upload), and only once the endpoint took it are ``nls.anki_notes``, the
   atoms' ``anki_note_id``, ``anki_card_id``, ``anki_deck``, ``anki_synced_at`` and the collection saved: nls
   never keeps a change the endpoint does not hold, so a failed upload loses nothing and the next run writes it
   again. items_processed: atoms; added/updated: notes added / rewritten (restored ones included); removed: notes
   suspended. details: {"unchanged", "kept_deleted", "upload": action or null}.

A step that fails (endpoint down, login refused, ...) ends the run; its row says why (``error_code``:
endpoint_unreachable, login_refused, sync_failed, full_sync_loop, anki_unavailable, needs_reauth,
credential_unreadable, encryption_key_missing, internal_error).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .. import run
from ..errors import NlsError
from ..integration import acting_for
from ..report import RunStatus, StepReport
from ..settings import Settings
from ..store import Store
from . import account as anki_account
from .note import card_stats, fields_hash, note_for, to_text

if TYPE_CHECKING:
    from .collection import Device  # imported where it is used: it is the module that imports Anki's library


class StepFailed(NlsError):
    """A step cannot go on: ``code`` for sync_log.error_code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def sync_user(store: Store, settings: Settings, user_id: str, commit: run.Commit = None) -> dict:
    """One Anki run of ``user_id`` (see the module docstring). Returns {"user_id", "success", "status", "steps":
    [each step's StepReport.answer]} (status ``skipped`` at once when another run holds the user). Raises
    LookupError when the session sees no Anki account of the user."""
    account = store.anki_account(user_id)
    if account is None:
        raise LookupError(user_id)
    if not store.try_lock_anki(account["id"]):
        return {
            "user_id": user_id,
            "success": True,
            "status": RunStatus.SKIPPED.answer,
            "steps": [],
            "message": "another Anki sync of this user is running; this call did nothing",
        }
    try:
        with acting_for(store, user_id):
            return AnkiRun(store, settings, user_id, account, commit).go()
    finally:
        store.unlock_anki(account["id"])


def _same(a: Any, b: Any) -> bool:
    """Whether a value read from Anki equals the one the atom holds (numbers as numbers: 2.5 is 2.500)."""
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) < 1e-9


def _iso(seconds: int | None) -> str | None:
    return datetime.fromtimestamp(seconds, UTC).isoformat() if seconds else None


class AnkiRun:
    """One Anki run of one user; ``commit`` is plpy.commit in the scheduled procedure (None: the caller's
    transaction)."""

    def __init__(self, store: Store, settings: Settings, user_id: str, account: dict, commit: run.Commit = None):
        self.store, self.settings, self.user_id, self.account, self.commit = store, settings, user_id, account, commit
        self.steps: list[dict] = []
        self.failed = False
        self.device: Device | None = None

    def go(self) -> dict:
        """The three steps; the run stops at the first that fails."""
        from . import collection as ac

        try:
            version = ac.library(self.settings.anki_python_path)
        except ac.AnkiUnavailable as e:
            self._step("anki_sync", self._refuse, "anki_unavailable", f"{e}. {e.hint}")
            return self._answer()
        if self.account["status"] != "active":
            self._step(
                "anki_sync",
                self._refuse,
                "needs_reauth",
                f"the Anki account of user {self.user_id!r} is {self.account['status']}: the endpoint refused "
                "its login; store the password again with nls.add_anki_account()",
            )
            return self._answer()
        self.device = None
        try:
            action = self._step("anki_sync", self._exchange, version)
            if not self.failed:
                self._step("anki_pull", self._pull, self.device, action)
            if not self.failed:
                self._step("anki_push", self._push, self.device)
        finally:
            if self.device is not None:
                self.device.discard()
        return self._answer()

    def _answer(self) -> dict:
        status = RunStatus.FAILED if self.failed else RunStatus.COMPLETED
        return {"user_id": self.user_id, "success": status.succeeded, "status": status.answer, "steps": self.steps}

    def _step(self, sync_type: str, work: Callable[..., Any], *args: Any) -> Any:
        """Run ``work(report, *args)`` as one sync_log row; returns what it returned (None when it failed). A cancel
        closes the row as cancelled and is raised on (run.close_run)."""
        report = StepReport(sync_type)
        log_id = self.store.begin_user_run(self.user_id, sync_type)
        if self.commit:
            self.commit()
        result, cancel = None, None
        try:
            result = work(report, *args)
            report.close(RunStatus.COMPLETED)
        except Exception as e:  # noqa: BLE001 - recorded, never left running
            if run.cancelled(report, e):
                cancel = e
            else:
                report.close(RunStatus.FAILED, *self._outcome(e, report))
            self.failed = True
        run.close_run(self.store, log_id, report, self.commit, cancel)
        self.steps.append(report.answer(log_id))
        return result

    def _outcome(self, error: Exception, report: StepReport) -> tuple[str | None, str]:
        """(error code, message) of a failed step: the endpoint's and the step's own refusals, else what ends any run
        (run.outcome: an unreadable credential, a missing key, an internal error with its traceback)."""
        from .collection import EndpointError

        if isinstance(error, EndpointError):
            if error.code == "login_refused":
                self.store.anki_needs_reauth(self.user_id)
                return error.code, (
                    f"{error}; the account is marked needs_reauth and is not synced until "
                    "nls.add_anki_account() stores the password again"
                )
            return error.code, str(error)
        if isinstance(error, StepFailed):
            return error.code, str(error)
        _, code, message = run.outcome(error, report)
        return ("credential_unreadable" if code == "token_unreadable" else code), message

    @staticmethod
    def _refuse(report: StepReport, code: str, message: str) -> None:
        raise StepFailed(code, message)

    # -- 1. the exchange ------------------------------------------------------------------------------------
    def _session(self, device: Device) -> tuple[dict, bool]:
        """The session to sync with: the kept session key, or a login with the kept password (then the session
        key is kept and the password dropped). Returns (session, whether a login happened)."""
        secret = anki_account.credential(self.settings, self.user_id, self.account)
        if "hkey" in secret:
            return {"hkey": secret["hkey"], "endpoint": secret.get("endpoint") or self.account["endpoint"]}, False
        session = device.login(
            secret["username"], secret["password"], self.account["endpoint"], self.settings.anki_timeout_s
        )
        anki_account.keep_session(self.store, self.settings, self.user_id, secret["username"], session)
        self.account = self.store.anki_account(self.user_id) or self.account  # the account row as it is now
        return session, True

    def _exchange(self, report: StepReport, version: str) -> str:
        from .collection import Device

        device = self.device = Device(self.store.anki_collection(self.user_id))
        session, login = self._session(device)
        before = session.get("endpoint")
        action = device.exchange(session, self.settings.anki_timeout_s)
        if session.get("endpoint") != before:  # the server moved this account to another endpoint
            secret = anki_account.credential(self.settings, self.user_id, self.account)
            anki_account.keep_session(self.store, self.settings, self.user_id, secret["username"], session)
        self.session = session
        self.store.save_anki_collection(self.user_id, device.snapshot())
        report.findings = {"action": action, "login": login, "anki": version}
        return action

    # -- 2. the pull ----------------------------------------------------------------------------------------
    def _pull(self, report: StepReport, device: Device, action: str) -> None:
        rows, reviewed = [], 0
        for r in self.store.anki_pull_rows(self.user_id):
            nid = device.note_id(r["guid"])
            if nid is None:
                # gone after a normal sync: the learner deleted it; after a full download the push adds it again
                if action in ("no_changes", "normal_sync"):
                    rows.append({"guid": r["guid"], "atom_id": r["atom_id"], "deleted": True})
                continue
            report.processed += 1
            row = self._pulled(device, r, nid)
            reviewed += "reviews" in row
            if len(row) > 2:
                rows.append(row)
        result = self.store.anki_pulled(self.user_id, rows) if rows else {"atoms": 0, "edits": 0, "deleted": 0}
        report.updated, report.added, report.removed = result["atoms"], result["edits"], result["deleted"]
        report.findings = {"reviewed": reviewed}

    def _pulled(self, device: Device, r: dict, nid: int) -> dict:
        """What changed in one note since nls last read it: {"guid", "atom_id", "stats"?, "reviews"?,
        "last_review_at"?, "edit"?}."""
        state = device.read(nid)
        out = {"guid": r["guid"], "atom_id": r["atom_id"]}
        stats = card_stats(state.ivl, state.factor, state.reps, state.lapses, state.queue, state.memory)
        held = r["stats"] if isinstance(r["stats"], dict) else json.loads(r["stats"])
        if any(not _same(value, held.get(key)) for key, value in stats.items()):
            out["stats"] = stats
        if state.reps != r["reviews"]:
            out["reviews"] = state.reps
            out["last_review_at"] = _iso(device.last_review(state.card_id))
        current = fields_hash(state.fields)
        if current not in (r["fields_hash"], r["edit_hash"]):
            out["edit"] = {
                "front": to_text(state.fields[0]),
                "back": to_text(state.fields[1]) or None,
                "fields_hash": current,
                "note_id": nid,
            }
        return out

    # -- 3. the push ----------------------------------------------------------------------------------------
    def _push(self, report: StepReport, device: Device) -> None:
        for attempt in (1, 2):
            rows, written = self._write_notes(report, device)
            upload = None
            if written:
                upload = device.exchange(self.session, self.settings.anki_timeout_s)
                if upload == "download":  # the endpoint demanded a full sync: its collection came; write again
                    if attempt == 2:
                        raise StepFailed(
                            "full_sync_loop",
                            "the Anki endpoint demanded a full sync again right "
                            "after nls downloaded its collection; nothing was uploaded over it",
                        )
                    continue
            self.store.anki_pushed(self.user_id, rows)
            self.store.save_anki_collection(self.user_id, device.snapshot())
            report.findings["upload"] = upload
            return

    def _write_notes(self, report: StepReport, device: Device) -> tuple[list[dict], int]:
        """Write what changed into the collection; returns (the rows for nls._anki_pushed, notes written)."""
        known = self.store.anki_notes(self.user_id)
        rows, wanted, counts = [], set(), {"added": 0, "updated": 0, "removed": 0, "unchanged": 0, "kept_deleted": 0}
        atoms = self.store.anki_atoms(self.user_id)
        for atom in atoms:
            spec = note_for(atom)
            wanted.add(spec.guid)
            row = self._push_one(device, atom, spec, known.get(spec.guid), counts)
            if row:
                rows.append(row)
        for guid, old in known.items():
            if guid not in wanted and not old["removed"] and not old["deleted"]:
                nid = device.note_id(guid)
                if nid is not None:
                    device.set_removed(nid, True)
                    counts["removed"] += 1
                rows.append({**old, "guid": guid, "removed": True, "atom_id": None, "card_id": None, "deck": None})
        report.processed, report.added, report.updated = len(atoms), counts["added"], counts["updated"]
        report.removed = counts["removed"]
        report.findings = {"unchanged": counts["unchanged"], "kept_deleted": counts["kept_deleted"]}
        return rows, counts["added"] + counts["updated"] + counts["removed"]

    def _push_one(self, device: Device, atom: dict, spec: Any, old: dict | None, counts: dict) -> dict | None:
        """Write one atom's note when it changed; returns its row for nls._anki_pushed (None: nothing to record)."""
        nid = device.note_id(spec.guid)
        if nid is None:
            if old and old["deleted"] and old["content_hash"] == spec.content_hash:
                counts["kept_deleted"] += 1  # the learner deleted it; it comes back when the atom changes
                return None
            nid, kind = device.write(spec, None), "added"
        elif old is None or old["content_hash"] != spec.content_hash or old["removed"] or old["deleted"]:
            if old and old["removed"]:
                device.set_removed(nid, False)
            device.write(spec, nid)
            kind = "updated"
        elif atom.get("anki_note_id") == nid and atom.get("anki_deck") == spec.deck:
            counts["unchanged"] += 1
            return None
        else:
            kind = "unchanged"  # the note is as it should be; the atom (cleaned again) lost its ids
        counts[kind] += 1
        state = device.read(nid)
        return {
            "guid": spec.guid,
            "atom_key": spec.atom_key,
            "atom_id": atom["atom_id"],
            "notetype": spec.notetype,
            "note_id": nid,
            "card_id": state.card_id,
            "deck": spec.deck,
            "content_hash": spec.content_hash,
            "fields_hash": spec.fields_hash,
            "removed": False,
            "stats": card_stats(state.ivl, state.factor, state.reps, state.lapses, state.queue, state.memory),
        }
