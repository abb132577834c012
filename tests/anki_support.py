"""For the tests of the Anki sync: Anki's own sync server (``python -m anki.syncserver`` from the venv, on 127.0.0.1)
and the learner's "phone", a second collection driven through Anki's library in the test process. Both need the
venv's ``anki`` extra (`make anki`); :func:`require_anki` skips with the reason where it is missing."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

import pytest

from demo_anki import steady_day

if TYPE_CHECKING:
    from anki.cards import CardId

USERS = {"learner": "correct horse", "other": "battery staple"}


def require_anki(conn=None) -> None:
    """Skip the test unless the venv and (given ``conn``) the server's Python import Anki's library."""
    try:
        import anki.collection  # noqa: F401 - whether it imports is the question
    except ImportError as e:
        pytest.skip(f"Anki's library is not in the venv ({e}): `make anki` installs it (anki==26.9.3, needs PyPI)")
    if conn is not None:
        status = conn.execute("SELECT nls.engine_status()->>'anki'").fetchone()[0]
        if status.startswith("not importable"):
            pytest.skip(f"the server's Python cannot import Anki's library: {status}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AnkiServer:
    """Anki's sync server with the accounts of USERS, its data in a folder of its own; stop() and start() again
    keep the data and the port."""

    def __init__(self):
        self.base = tempfile.mkdtemp(prefix="nls-anki-server-")
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log = Path(self.base) / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> AnkiServer:
        env = dict(
            os.environ,
            SYNC_BASE=str(Path(self.base) / "data"),
            SYNC_HOST="127.0.0.1",
            SYNC_PORT=str(self.port),
            RUST_LOG="warn",
        )
        for i, (user, password) in enumerate(USERS.items(), 1):
            env[f"SYNC_USER{i}"] = f"{user}:{password}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "anki.syncserver"], env=env, stdout=self.log.open("a"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"Anki's sync server exited: {self.log.read_text()[-2000:]}") from None
                time.sleep(0.05)
        raise RuntimeError("Anki's sync server did not listen within 30 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


class Phone:
    """The learner's other device: a collection of its own, synced with the server as Anki's clients do (a full
    sync demanded: download, unless told to upload)."""

    def __init__(self, folder: Path, server: AnkiServer, user: str = "learner"):
        from anki.collection import Collection

        folder.mkdir(parents=True, exist_ok=True)
        self.col = Collection(str(folder / "phone.anki2"))
        self.auth = self.col.sync_login(user, USERS[user], server.url)

    def sync(self, upload: bool = False) -> str:
        """Sync; returns what the server required (no_changes, normal_sync, full_sync, full_download, full_upload)."""
        out = self.col.sync_collection(self.auth, False)
        required = {0: "no_changes", 1: "normal_sync", 2: "full_sync", 3: "full_download", 4: "full_upload"}[
            out.required
        ]
        if required.startswith("full"):
            self.col.full_upload_or_download(
                auth=self.auth, server_usn=None, upload=upload or required == "full_upload"
            )
        return required

    def note_by_card_id(self, card_id: str):
        """The phone's note whose "Card ID" field is ``card_id``."""
        nids = self.col.find_notes(f'"Card ID:{card_id}"')
        assert len(nids) == 1, (card_id, nids)
        return self.col.get_note(nids[0])

    def answer(self, card_id: int, ease: Literal[1, 2, 3, 4]) -> None:
        steady_day(self.col)  # the queue it lands in does not depend on the time of day
        card = self.col.get_card(cast("CardId", card_id))
        card.start_timer()
        self.col.sched.answerCard(card, ease)

    def close(self) -> None:
        self.col.close()
