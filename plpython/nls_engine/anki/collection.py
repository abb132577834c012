"""A learner's Anki collection, worked on with Anki's own library (``anki`` on PyPI, AGPL-3.0-or-later): the one
module of nls that imports it, and only when an Anki sync runs (:func:`library`), so that everything else runs
where it is not installed.

:class:`Device` is nls acting as one more Anki device of the learner: it opens the collection nls keeps (the bytes
of ``nls.anki_collections``) in a private temporary folder, logs in and syncs with the learner's endpoint (AnkiWeb,
or a server of their own: Anki's protocol), writes notes and reads cards, and hands the file back as bytes. Media
are not synced. Errors of the endpoint come out as :class:`EndpointError` with a code for ``sync_log.error_code``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ..errors import NlsError
from .note import NOTETYPES, REMOVED_TAG, NoteSpec, merged_tags

INSTALL_HINT = (
    "Install Anki's library for the server's Python, as root on the database server: /usr/bin/python3 -m "
    "pip install --target /usr/local/lib/nls/anki-python 'anki==26.9.3' (a folder the server's OS user "
    "can read), and point the setting anki_python_path at that folder (its default). "
    "nls install --check says whether the server can import it."
)
# Anki's SyncCollectionResponse.ChangesRequired, by number
_REQUIRED = {0: "no_changes", 1: "normal_sync", 2: "full_sync", 3: "full_download", 4: "full_upload"}
_TEMPLATES = {
    "basic": [("Card 1", "{{Front}}", "{{FrontSide}}<hr id=answer>{{Back}}")],
    "cloze": [("Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>{{Back Extra}}")],
}

if TYPE_CHECKING:  # Anki's id types (NewTypes of int); the library itself is imported where it is used
    from anki.cards import CardId
    from anki.decks import DeckId
    from anki.notes import NoteId


class AnkiUnavailable(NlsError):
    """The server's Python cannot import Anki's library (SQLSTATE 58000). ``hint`` says how to install it."""

    sqlstate, hint = "58000", INSTALL_HINT


class EndpointError(NlsError):
    """The sync endpoint failed: ``code`` is ``endpoint_unreachable`` (down, refused, timed out),
    ``login_refused`` (username, password or session key refused: the account needs a new login) or
    ``sync_failed`` (anything else the endpoint or the sync answered)."""

    sqlstate = "58000"

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def library(python_path: str | None) -> str:
    """Import Anki's library, with ``python_path`` (the ``anki_python_path`` setting) at the end of the module path
    when it is set, so that the server's own packages (requests, cryptography...) keep precedence. Returns Anki's
    version. Raises AnkiUnavailable."""
    if python_path and python_path not in sys.path:
        sys.path.append(python_path)
    try:
        import anki.buildinfo
        from anki.collection import Collection  # noqa: F401 - whether it imports is the question
    except Exception as e:  # noqa: BLE001 - ImportError, or a wheel built for another platform
        raise AnkiUnavailable(
            f"Anki's library does not import in the server's Python ({type(e).__name__}: {e})"
        ) from None
    return anki.buildinfo.version


@dataclass
class CardState:
    """What nls reads of a note: its fields, its first card's schedule (``stats``: see anki_note.card_stats) and
    the card's id."""

    note_id: int
    card_id: int
    fields: list[str]
    ivl: int
    factor: int
    reps: int
    lapses: int
    queue: int
    memory: tuple[float, float] | None


def _endpoint_error(e: Exception) -> EndpointError:
    from anki.errors import NetworkError, SyncError, SyncErrorKind

    text = str(e) or type(e).__name__
    if isinstance(e, NetworkError):
        return EndpointError("endpoint_unreachable", f"the Anki sync endpoint cannot be reached: {text}")
    if isinstance(e, SyncError) and getattr(e, "kind", None) == SyncErrorKind.AUTH:
        return EndpointError("login_refused", "the Anki sync endpoint refused the login")
    return EndpointError("sync_failed", f"the Anki sync failed: {type(e).__name__}: {text}")


class Device:
    """A learner's collection opened from ``data`` (a collection file's bytes; None: a new, empty collection) in a
    private temporary folder, which :meth:`discard` removes."""

    def __init__(self, data: bytes | None):
        from anki.collection import Collection

        self._Collection = Collection
        self.folder = tempfile.mkdtemp(prefix="nls-anki-")
        os.chmod(self.folder, 0o700)
        self.path = os.path.join(self.folder, "collection.anki2")
        if data:
            with open(self.path, "wb") as fh:
                fh.write(data)
        self.col = Collection(self.path)
        self._guids: dict[str, int] | None = None

    def snapshot(self) -> bytes:
        """The collection file as it is now (closed, so that SQLite's log is folded in, then opened again)."""
        self.col.close()
        with open(self.path, "rb") as fh:
            data = fh.read()
        self.col = self._Collection(self.path)
        self._guids = None
        return data

    def discard(self) -> None:
        """Close the collection and remove the folder (nothing is kept on the server's disk)."""
        with contextlib.suppress(Exception):  # already closed, or broken: the folder goes anyway
            self.col.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- the endpoint ---------------------------------------------------------------------------------------
    def login(self, username: str, password: str, endpoint: str | None, timeout_s: float) -> dict:
        """Log in: returns the session {"hkey", "endpoint"} (secret: encrypt it). Raises EndpointError."""
        try:
            auth = self.col.sync_login(username, password, endpoint)
        except Exception as e:  # noqa: BLE001 - Anki's library raises its own errors and others: each an EndpointError
            raise _endpoint_error(e) from None
        return {"hkey": auth.hkey, "endpoint": auth.endpoint or endpoint}

    def exchange(self, session: dict, timeout_s: float) -> str:
        """One sync with the endpoint, as a device does: a normal sync; where the endpoint demands a full sync,
        the endpoint's collection is downloaded (``download``), never uploaded over it; only when the endpoint
        holds no cards at all is this collection uploaded (``upload``). Returns ``no_changes``, ``normal_sync``,
        ``download`` or ``upload``; ``session["endpoint"]`` follows a new endpoint the server names. Raises
        EndpointError."""
        from anki.sync_pb2 import SyncAuth

        auth = SyncAuth(
            hkey=session["hkey"], endpoint=session.get("endpoint") or "", io_timeout_secs=max(1, int(timeout_s))
        )
        try:
            out = self.col.sync_collection(auth, False)
            if out.new_endpoint:
                session["endpoint"] = out.new_endpoint
            required = _REQUIRED.get(out.required, "full_sync")
            if required in ("full_sync", "full_download", "full_upload"):
                upload = required == "full_upload"
                self.col.full_upload_or_download(auth=auth, server_usn=None, upload=upload)
                self._guids = None
                return "upload" if upload else "download"
            return required
        except EndpointError:
            raise
        except Exception as e:  # noqa: BLE001 - Anki's library raises its own errors and others: each an EndpointError
            raise _endpoint_error(e) from None

    # -- notes ----------------------------------------------------------------------------------------------
    def note_id(self, guid: str) -> int | None:
        """The id of the note holding ``guid`` in this collection, or None."""
        if self._guids is None:
            self._guids = {self.col.get_note(nid).guid: int(nid) for nid in self.col.find_notes("")}
        return self._guids.get(guid)

    def _notetype(self, kind: str) -> dict:
        """nls's note type of ``kind``, added to the collection the first time (a new note type needs no full
        sync; changing one would)."""
        name, fields = NOTETYPES[kind]
        mm = self.col.models
        model = mm.by_name(name)
        if model is None:
            model = mm.new(name)
            for field in fields:
                mm.add_field(model, mm.new_field(field))
            for tname, qfmt, afmt in _TEMPLATES[kind]:
                template = mm.new_template(tname)
                template["qfmt"], template["afmt"] = qfmt, afmt
                mm.add_template(model, template)
            if kind == "cloze":
                from anki.consts import MODEL_CLOZE

                model["type"] = MODEL_CLOZE
            mm.add(model)
            model = mm.by_name(name)
        return cast("dict[str, Any]", model)  # found: added just above when it was missing

    def write(self, spec: NoteSpec, note_id: int | None) -> int:
        """Add the note ``spec`` describes (``note_id`` None) or update note ``note_id`` in place (fields, tags,
        deck; its cards, schedule and review history untouched). Returns the note id."""
        did = cast("DeckId", self.col.decks.id(spec.deck))  # the deck is made when it is missing
        if note_id is None:
            note = self.col.new_note(self._notetype(spec.kind))
            note.guid = spec.guid
            note.fields[:] = list(spec.fields)
            note.tags = list(spec.tags)
            self.col.add_note(note, did)
            self._guids = None if self._guids is None else {**self._guids, spec.guid: int(note.id)}
            return int(note.id)
        note = self.col.get_note(cast("NoteId", note_id))
        note.fields[:] = list(spec.fields)[: len(note.fields)]
        note.tags = merged_tags(note.tags, spec.tags)
        self.col.update_note(note)
        moved = [cid for cid in note.card_ids() if self.col.get_card(cid).did != did]
        if moved:
            self.col.set_deck(moved, did)
        return int(note_id)

    def set_removed(self, note_id: int, removed: bool) -> None:
        """Suspend the note's cards and tag it ``nls::removed_from_notion`` (its atom left Notion: never deleted,
        the review history is the learner's), or undo both when the atom comes back."""
        note = self.col.get_note(cast("NoteId", note_id))
        cids = note.card_ids()
        if removed:
            self.col.sched.suspend_cards(cids)
            note.tags = [t for t in note.tags if t != REMOVED_TAG] + [REMOVED_TAG]
        else:
            self.col.sched.unsuspend_cards(cids)
            note.tags = [t for t in note.tags if t != REMOVED_TAG]
        self.col.update_note(note)

    def read(self, note_id: int) -> CardState:
        """The note's fields and its first card's schedule."""
        note = self.col.get_note(cast("NoteId", note_id))
        card = self.col.get_card(min(note.card_ids()))
        memory = card.memory_state
        mem = (memory.stability, memory.difficulty) if memory else None
        return CardState(
            int(note_id),
            int(card.id),
            list(note.fields),
            card.ivl,
            card.factor,
            card.reps,
            card.lapses,
            card.queue,
            mem,
        )

    def last_review(self, card_id: int) -> int | None:
        """When the card was last answered (seconds since 1970, from its review log), or None."""
        stats = self.col.card_stats_data(cast("CardId", card_id))
        return int(stats.latest_review) if stats.latest_review else None
