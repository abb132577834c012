"""The Anki part of `make demo`, run when Anki's library is in the venv and the server's Python: Anki's own
sync server beside the Notion emulator, the demo learner's Anki account, a push, a "phone" (a second collection
driven through Anki's library) that answers a few cards with FSRS on, and the pull that brings them back."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

USER, PASSWORD = "demo", "demo-anki-password"


def available(conn) -> str | None:
    """None when the demo can show the Anki sync; else why not."""
    try:
        import anki.collection  # noqa: F401 - whether it imports is the question
    except ImportError:
        return "Anki's library is not in the venv (`make anki` installs it)"
    status = conn.execute("SELECT nls.engine_status()->>'anki'").fetchone()[0]
    return status if status.startswith("not importable") else None


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    """Anki's sync server (``python -m anki.syncserver``) on a free port of 127.0.0.1, its data in ``folder``."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        SYNC_USER1=f"{USER}:{PASSWORD}",
        SYNC_BASE=str(folder / "data"),
        SYNC_HOST="127.0.0.1",
        SYNC_PORT=str(port),
        RUST_LOG="warn",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "anki.syncserver"],
        env=env,
        start_new_session=True,
        stdout=(folder / "server.log").open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc, f"http://127.0.0.1:{port}/"
        except OSError:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGTERM)
    raise RuntimeError("Anki's sync server did not start; see " + str(folder / "server.log"))


def steady_day(col) -> None:
    """Put the collection's day cutoff (Anki's "next day starts at": the config rollover, an hour of local time)
    twelve hours from now, so that a card answered now lands in the same queue at any time of day: a learning step of
    minutes never crosses into the next day (queue 3, day learning, instead of 1, learning)."""
    col.set_config("rollover", (time.localtime().tm_hour + 12) % 24)


def phone_reviews(folder: Path, url: str, cards: int = 6) -> list[str]:
    """The learner's phone: download the collection, answer ``cards`` cards with FSRS on, sync. Returns their card
    ids (the "Card ID" field)."""
    from anki.collection import Collection

    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "phone.anki2"))
    try:
        auth = col.sync_login(USER, PASSWORD, url)
        if col.sync_collection(auth, False).required in (2, 3):
            col.full_upload_or_download(auth=auth, server_usn=None, upload=False)
        col.set_config("fsrs", True)
        steady_day(col)
        answered = []
        for i, cid in enumerate(sorted(col.find_cards('"note:nls Basic"'))[:cards]):
            card = col.get_card(cid)
            card.start_timer()
            col.sched.answerCard(card, (4, 3, 1)[i % 3])
            answered.append(card.note()["Card ID"])
        col.sync_collection(auth, False)
        return answered
    finally:
        col.close()


def run(conn, demo_dir: Path, show, console) -> int | None:
    """The demo's Anki steps on ``conn`` (nls installed, the demo user synced). Returns the server's pid (for
    `make demo-stop`), or None when the demo cannot show them."""
    why = available(conn)
    if why:
        console.print(f"[bold]6. Anki[/bold]: skipped ({why})")
        return None
    for folder in ("anki-server", "phone"):  # a new server and phone each time: the account is stored anew
        shutil.rmtree(demo_dir / folder, ignore_errors=True)
    proc, url = start_server(demo_dir / "anki-server")
    console.print(
        f"[bold]6. Anki's sync server[/bold] on {url} (python -m anki.syncserver); the demo learner's "
        "account: SELECT nls.add_anki_account('demo-user', 'demo', ..., endpoint => ...);"
    )
    conn.execute("SELECT nls.add_anki_account('demo-user', %s, %s, endpoint => %s)", (USER, PASSWORD, url))
    conn.execute("SELECT nls.anki_sync(user_id => 'demo-user')")
    answered = phone_reviews(demo_dir / "phone", url)
    console.print(
        f"[bold]7. The learner's phone[/bold] downloaded the deck and answered {len(answered)} cards with "
        "FSRS on; then SELECT nls.anki_sync(user_id => 'demo-user'); again"
    )
    conn.execute("SELECT nls.anki_sync(user_id => 'demo-user')")
    show(
        conn,
        "SELECT sync_type, status, items_processed AS processed, items_added AS added, "
        "items_updated AS updated, items_removed AS removed, details::text FROM nls.sync_log "
        "WHERE sync_type LIKE 'anki%' ORDER BY started_at",
        "nls.sync_log (the Anki steps)",
    )
    show(
        conn,
        "SELECT card_id, anki_deck, anki_queue AS queue, anki_interval AS ivl, anki_review_count AS reps, "
        "anki_stability AS stability, anki_difficulty AS difficulty FROM nls.learning_atoms "
        "WHERE card_id = ANY(%s) ORDER BY card_id",
        "nls.learning_atoms (pulled back from Anki)",
        [answered],
    )
    show(
        conn,
        "SELECT user_id, endpoint, status, credential_kind, collection_bytes, notes, last_status FROM nls.anki_status",
        "nls.anki_status",
    )
    return proc.pid
