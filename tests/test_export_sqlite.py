"""nls export sqlite: the learning schema's tables and
views aligned with PostgreSQL's, the typed tables equal to their views, updates that write only what
changed, a file never half written, and only the exporting user's rows. SQLite is Python's standard library's."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from psycopg.types.range import Range

from conftest import TEST_KEY, sync, use_emulator, wait_until
from nls_emulator import Emulator
from nls_emulator.every_type import generate_every_type
from nls_emulator.generate import LEARNING_TARGETS
from nls_export.sqlite import ExportError, export_sqlite
from workspaces import generated_workspace

ROOT = Path(__file__).resolve().parents[1]
LEARNING_TABLES = [
    "stg_notion_flashcards",
    "stg_notion_concepts",
    "stg_notion_concept_areas",
    "stg_notion_concept_clusters",
    "stg_notion_modules",
    "stg_notion_tracks",
    "stg_notion_programs",
    "clean_concept_areas",
    "clean_concept_clusters",
    "concepts",
    "clean_programs",
    "clean_tracks",
    "learning_modules",
    "learning_atoms",
    "review_queue",
    "sync_log",
    "cleaning_log",
]
LEARNING_VIEWS = ["v_due_atoms", "v_concept_atom_stats", "v_review_queue_summary"]
# the learning schema's documented SQL examples that SQLite can run as written (the others: docs/sqlite.md says why not)
SEED_QUERIES = [
    "SELECT notion_page_id, raw_properties->'CardID'->'rich_text'->0->>'plain_text' as card_id, "
    "raw_properties->'Question'->'title'->0->>'plain_text' as question FROM stg_notion_flashcards",
    "SELECT * FROM learning_atoms WHERE atom_type IN ('flashcard', 'cloze') AND quality_score >= 0.75 "
    "ORDER BY module_id, card_id",
    "SELECT * FROM learning_atoms WHERE atom_type IN ('mcq', 'true_false', 'matching', 'parsons') "
    "ORDER BY created_at DESC",
    "SELECT c.name as concept_name, COUNT(a.id) as card_count, AVG(a.anki_ease_factor) as avg_ease, "
    "AVG(a.anki_interval) as avg_interval FROM learning_atoms a JOIN concepts c ON a.concept_id = c.id "
    "WHERE a.anki_note_id IS NOT NULL GROUP BY c.name ORDER BY avg_ease DESC",
    "SELECT concept_name, COUNT(*) as due_count FROM v_due_atoms GROUP BY concept_name ORDER BY due_count DESC",
    "SELECT * FROM v_concept_atom_stats WHERE avg_ease < 2.0 OR needs_review_count > 5 ORDER BY avg_ease ASC",
    "SELECT * FROM v_review_queue_summary WHERE status = 'pending'",
    "SELECT * FROM review_queue WHERE status = 'pending' ORDER BY quality_score DESC, created_at ASC LIMIT 20",
    "SELECT id, original_front, front as rewritten_front, original_back, back as rewritten_back, rewrite_reason, "
    "quality_score FROM review_queue WHERE status = 'pending' AND original_atom_id IS NOT NULL",
    "SELECT * FROM v_due_atoms",
]


def _doc_types() -> dict[str, str]:
    """docs/sqlite.md's type table: PostgreSQL type -> SQLite type."""
    out = {}
    for line in (ROOT / "docs" / "sqlite.md").read_text().splitlines():
        m = re.match(r"^\| ([a-z][a-z \[\],]+) \| (TEXT|INTEGER|REAL|BLOB) \|", line)
        if m:
            for t in m.group(1).split(","):
                out[t.strip()] = m.group(2)
    return out


def _norm(v):
    """A value of either database as one comparable Python value (the test's own reading of docs/sqlite.md)."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (Decimal, float)):
        return round(float(v), 6)
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True, ensure_ascii=False)
    if isinstance(v, Range):
        lo, hi = (x.astimezone(dt.UTC).isoformat(sep=" ") for x in (v.lower, v.upper) if x is not None)
        return f"{'[' if v.lower_inc else '('}{lo},{hi}{']' if v.upper_inc else ')'}"
    if isinstance(v, str) and v[:1] in "[{":
        try:
            return json.dumps(json.loads(v), sort_keys=True, ensure_ascii=False)
        except ValueError:
            return v
    return v


def _rows(cur_or_rows) -> list[tuple]:
    return sorted((tuple(_norm(v) for v in r) for r in cur_or_rows), key=repr)


@pytest.fixture
def two_users(conn):
    """alice: a learning workspace (with content) and the every-type database, with a review queue and Anki
    figures; bob: a creative workspace. Both synced and cleaned."""
    with Emulator() as emu:
        use_emulator(conn, emu)
        learning = generated_workspace(
            conn, emu, "alice", "tok-alice", pages=300, seed=21, with_content={"Modules"}, synced=False
        )
        every = generate_every_type(pages=8, seed=22, workspace=learning.workspace)
        ws, cards = learning.workspace, learning.data_source_ids["Flashcards"]
        ws.add_property(cards, "Type", "select")  # a few quiz atoms (atom type mcq)
        for p in learning.page_ids["Flashcards"][10:15]:
            ws.update_page(p, {"Type": {"name": "mcq"}})
        conn.execute("SELECT nls.add_source('alice', %s)", (every.database_ids["Every Type"],))
        creative = generated_workspace(conn, emu, "bob", "tok-bob", pages=60, kind="creative", seed=23, synced=False)
        for user in ("alice", "bob"):
            assert sync(conn, user_id=user)["success"]
        conn.execute("SELECT nls.create_typed_view(%s, 'every')", (every.database_ids["Every Type"],))
        conn.execute("""UPDATE nls.learning_atoms SET anki_note_id = 1000 + (abs(hashtext(id::text)) % 100000),
                               anki_ease_factor = 1.3 + (abs(hashtext(card_id)) % 170) / 100.0,
                               anki_interval = abs(hashtext(front)) % 40
                         WHERE abs(hashtext(id::text)) % 3 = 0""")
        conn.execute("""INSERT INTO nls.review_queue (user_id, front, back, source, status, quality_score,
                               original_atom_id, original_front, original_back, rewrite_reason)
                        SELECT user_id, front || ' (shorter)', back, 'gemini', 'pending', 0.9, id, front, back,
                               'verbose'
                          FROM nls.learning_atoms WHERE needs_review LIMIT 12""")
        conn.execute("INSERT INTO nls.review_queue (user_id, front, source) VALUES ('bob', 'Bob''s?', 'vertex')")
        emu.learning, emu.every, emu.creative = learning, every, creative
        yield emu


def _export(conn, path: Path, user: str = "alice", **kw):
    info = conn.info
    return export_sqlite(f"host={info.host} port={info.port} user={info.user} dbname={info.dbname}", user, path, **kw)


def test_the_sqlite_copy_is_aligned_with_postgresql_and_seed_queries_answer_the_same(conn, two_users, tmp_path):
    out = tmp_path / "alice.db"
    report = _export(conn, out)
    assert report.mode == "full" and report.written > 600
    lite = sqlite3.connect(out)
    doc = _doc_types()
    conn.execute("SELECT set_config('nls.user_id', 'alice', false)")
    for name in LEARNING_TABLES + LEARNING_VIEWS + ["characters", "worlds", "stories", "chat_sessions"]:
        pg_cols = conn.execute(
            "SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a WHERE "
            "a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            (f"nls.{name}",),
        ).fetchall()
        lite_cols = [(r[1], r[2]) for r in lite.execute(f"PRAGMA table_info({name})")]
        assert [c for c, _ in lite_cols] == [c for c, _ in pg_cols], name
        if name not in LEARNING_VIEWS:
            assert [t for _, t in lite_cols] == [doc["text[]" if t.endswith("[]") else t] for _, t in pg_cols], name
            n_pg = conn.execute(f"SELECT count(*) FROM nls.{name} WHERE user_id = 'alice'").fetchone()[0]
            assert lite.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == n_pg, name
        pg_rows = _rows(
            conn.execute(
                f"SELECT * FROM nls.{name} WHERE user_id IS NOT DISTINCT FROM 'alice'"
                if name != "v_review_queue_summary"
                else f"SELECT * FROM nls.{name}"
            )
        )
        if name == "v_review_queue_summary":
            pg_rows = _rows(
                conn.execute(
                    "SELECT source, status, count(*), min(created_at), max(created_at) FROM "
                    "nls.review_queue WHERE user_id = 'alice' GROUP BY 1, 2"
                )
            )
        assert _rows(lite.execute(f"SELECT * FROM {name}")) == pg_rows, name
    # keys, foreign keys and the seed's indexes
    assert [r[2] for r in lite.execute("PRAGMA foreign_key_list(clean_concept_clusters)")] == ["clean_concept_areas"]
    assert lite.execute("PRAGMA foreign_key_list(clean_concept_clusters)").fetchone()[6] == "SET NULL"
    indexes = {r[1] for r in lite.execute("SELECT type, name FROM sqlite_master WHERE type = 'index'")}
    assert {
        "idx_learning_atoms_anki",
        "idx_review_queue_pending",
        "idx_sync_log_started",
        "idx_clean_concept_areas_name",
        "learning_atoms_user_card_id_key",
    } <= indexes
    assert lite.execute("PRAGMA foreign_key_check").fetchall() == []
    # the learning schema's documented queries, as the application runs them for alice: the same rows from both
    conn.execute("SET search_path TO nls, public")
    conn.execute("SET ROLE nls_app")
    for q in SEED_QUERIES:
        pg = _rows(conn.execute(q))
        assert pg and _rows(lite.execute(q)) == pg, q
    conn.execute("RESET ROLE")
    # full-text search over atoms and pages
    word = conn.execute("SELECT split_part(back, ' ', 1) FROM nls.learning_atoms WHERE back <> '' LIMIT 1").fetchone()[
        0
    ]
    hits = lite.execute(
        "SELECT count(*) FROM learning_atoms WHERE rowid IN (SELECT rowid FROM learning_atoms_fts "
        "WHERE learning_atoms_fts MATCH ?)",
        (word.strip('.'),),
    ).fetchone()[0]
    assert (
        hits
        == conn.execute(
            "SELECT count(*) FROM nls.learning_atoms WHERE to_tsvector('simple', front || ' ' || "
            "coalesce(back, '')) @@ to_tsquery('simple', %s)",
            (word.strip('.'),),
        ).fetchone()[0]
        > 0
    )
    assert lite.execute("SELECT count(*) FROM pages_fts WHERE pages_fts MATCH 'Notes'").fetchone()[0] > 0


def test_the_typed_tables_equal_their_views_row_for_row(conn, two_users, tmp_path):
    out = tmp_path / "alice.db"
    _export(conn, out)
    lite = sqlite3.connect(out)
    conn.execute("SELECT set_config('nls.user_id', 'alice', false)")
    data_sources = conn.execute(
        "SELECT st.source_id, st.data_source_id FROM nls.sync_state st "
        "JOIN nls.sources s ON s.id = st.source_id WHERE s.user_id = 'alice'"
    ).fetchall()
    typed = [r[0] for r in lite.execute("SELECT table_name FROM _nls_tables WHERE kind = 'typed' ORDER BY 1")]
    assert len(typed) == len(data_sources) == 8 and "notion_every_type" in typed  # after its database, not its view
    assert _rows(lite.execute("SELECT * FROM notion_every_type")) == _rows(conn.execute("SELECT * FROM notion.every"))
    names = [r[1] for r in lite.execute("PRAGMA table_info(notion_every_type)")]
    assert names == [
        r[0]
        for r in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'notion.every'::regclass AND attnum > 0 ORDER BY attnum"
        )
    ]
    compared = 0
    for source_id, ds_id in data_sources:
        query = conn.execute("SELECT query FROM nls.typed_select(%s, %s)", (source_id, ds_id)).fetchone()[0]
        pg_rows = _rows(conn.execute(query.replace("%", "%%")))
        matching = [t for t in typed if _rows(lite.execute(f"SELECT * FROM {t}")) == pg_rows]
        assert len(matching) == 1, ds_id
        compared += len(pg_rows)
    assert compared == conn.execute("SELECT count(*) FROM nls.stg_notion_pages WHERE user_id = 'alice'").fetchone()[0]


def _everything(lite: sqlite3.Connection) -> str:
    tables = [r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return "\n".join(repr(lite.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)


def test_only_the_users_rows_and_never_a_token_or_key(conn, two_users, tmp_path):
    out = tmp_path / "alice.db"
    _export(conn, out)
    raw = out.read_bytes()
    text = _everything(sqlite3.connect(out))
    bob_pages = [r[0] for r in conn.execute("SELECT page_id FROM nls.stg_notion_pages WHERE user_id = 'bob'")]
    assert bob_pages and not any(p in text for p in bob_pages)
    assert "Bob's?" not in text and "'bob'" not in text
    for secret in (b"tok-alice", b"tok-bob", TEST_KEY.encode(), bytes.fromhex(TEST_KEY)):
        assert secret not in raw
    # bob's export, by the same superuser: only bob's
    _export(conn, tmp_path / "bob.db", user="bob")
    bob = sqlite3.connect(tmp_path / "bob.db")
    assert bob.execute("SELECT DISTINCT user_id FROM characters").fetchall() == [("bob",)]
    assert bob.execute("SELECT count(*) FROM learning_atoms").fetchone() == (0,)
    assert bob.execute("SELECT user_id FROM _nls_export").fetchall() == [("bob",)]


def test_a_second_export_writes_only_what_changed(conn, two_users, tmp_path):
    out = tmp_path / "alice.db"
    first = _export(conn, out)
    assert _export(conn, out).written == 0
    lite = sqlite3.connect(out)
    before = dict(lite.execute("SELECT page_id, rowid FROM pages"))
    ws = two_users.learning.workspace
    cards = [p for p in two_users.learning.page_ids["Flashcards"] if not ws.pages[p].get("in_trash")][:3]
    for p in cards:
        ws.update_page(p, {"Answer": f"Changed answer {p[:4]}"})
    assert sync(conn, user_id="alice")["success"]
    lite.close()
    report = _export(conn, out)
    assert report.mode == "incremental"
    t = report.tables
    assert t["pages"] == {"written": 3, "deleted": 0} and t["notion_flashcards"] == {"written": 3, "deleted": 0}
    assert t["stg_notion_flashcards"]["written"] == 3 and t["learning_atoms"]["written"] == 3
    # this sync's runs, and the user's look at the trash
    assert t["cleaning_log"]["written"] == 3 and t["sync_log"]["written"] == 8 + 1 + 1
    assert sum(x["written"] for x in t.values()) == 3 * 5 + 9 + 1 and report.deleted == 0
    assert report.written < first.written / 20
    lite = sqlite3.connect(out)
    after = dict(lite.execute("SELECT page_id, rowid FROM pages"))
    assert {p for p in before if before[p] != after[p]} == set(cards)  # the other rows were not rewritten
    assert lite.execute("SELECT count(*) FROM learning_atoms WHERE back LIKE 'Changed answer%'").fetchone() == (3,)
    assert [r[0] for r in lite.execute("SELECT mode FROM _nls_export ORDER BY exported_at")] == [
        "full",
        "incremental",
        "incremental",
    ]


class Holding(threading.Thread):
    """A TCP relay to PostgreSQL at (host, port) that forwards every connection both ways until a client sends
    ``marker`` (a statement's text) for the ``occurrence``-th time, then forwards nothing more from it: the client
    waits there for an answer, at a known point, until the test kills it. ``held`` is set then; ``close()`` ends every
    connection."""

    def __init__(self, host: str, port: int, marker: bytes, occurrence: int = 1):
        super().__init__(daemon=True)
        self.target, self.marker, self.held = (host, port), marker, threading.Event()
        self.left = occurrence
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = [self.listener]

    def run(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            threading.Thread(target=self._pipe, args=(server, client, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(client, server, self.marker), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, marker: bytes | None) -> None:
        tail = b""
        try:
            while data := src.recv(65536):
                if marker:
                    self.left -= (tail + data).count(marker)
                    if self.left <= 0:
                        self.held.set()
                        return
                dst.sendall(data)
                tail = data[-(len(marker) - 1) :] if marker else b""
        except OSError:
            pass

    def close(self) -> None:
        for s in self.sockets:
            s.close()


def test_an_export_killed_midway_leaves_the_previous_file_intact(conn, two_users, tmp_path):
    out = tmp_path / "alice.db"
    _export(conn, out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    info = conn.info
    # the export stops when it asks for the pages, its learning and creative tables written (the pages' query comes
    # first in the check that the user is known, before anything is written)
    relay = Holding(info.host, info.port, b"FROM nls.stg_notion_pages p WHERE", occurrence=2)
    relay.start()
    cmd = [
        sys.executable,
        "-m",
        "nls_cli",
        "export",
        "sqlite",
        "--full",
        "--quiet",
        "--user",
        "alice",
        "--dsn",
        f"host=127.0.0.1 port={relay.port} user={info.user} dbname={info.dbname}",
        str(out),
    ]
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        wait_until(lambda: relay.held.is_set() or proc.poll() is not None, 60, "the export asking for the pages")
        proc.send_signal(signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL  # killed before it could finish
    finally:
        relay.close()
    (_tmp,) = _half_written(out, proc.pid)  # midway: its temporary file is there, half written
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest
    assert sqlite3.connect(out).execute("SELECT count(*) FROM _nls_export").fetchone() == (1,)
    assert _export(conn, out).mode == "incremental"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alice.db"]  # the next export tidies up


def _half_written(out: Path, pid: int) -> list[Path]:
    """The temporary files (``.<name>.nls-<pid>-<random>.tmp``) process ``pid`` has begun to write beside ``out``."""
    found = []
    for p in out.parent.glob(f".{out.name}.nls-{pid}-*.tmp"):
        try:
            if p.stat().st_size > 0:
                found.append(p)
        except FileNotFoundError:
            continue
    return found


# ---- the file: never anywhere but the path named, clear errors, modes kept, exports taking turns ---------------
@pytest.fixture
def carol(conn, emulator):
    """carol: a small learning workspace, synced and cleaned."""
    use_emulator(conn, emulator)
    return generated_workspace(conn, emulator, "carol", "tok-carol", pages=40, seed=31)


def _dsn(conn, **change) -> str:
    info = conn.info
    parts = {"host": info.host, "port": info.port, "user": info.user, "dbname": info.dbname, **change}
    return " ".join(f"{k}={v}" for k, v in parts.items())


def _cli_cmd(dsn: str, out, user: str = "carol", *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "nls_cli",
        "export",
        "sqlite",
        "--quiet",
        "--user",
        user,
        "--dsn",
        dsn,
        *extra,
        str(out),
    ]


def _cli(dsn: str, out, user: str = "carol", *extra: str, as_user: str | None = None) -> subprocess.CompletedProcess:
    """``nls export sqlite`` as its own process (a timeout only so that a hang fails the test, never to time it)."""
    return subprocess.run(
        _cli_cmd(dsn, out, user, *extra),
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        user=as_user,
    )


def _refused(result: subprocess.CompletedProcess, path, *words: str) -> None:
    """Exit 1 with one line on stderr naming ``path`` and saying ``words``; no traceback."""
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0], result.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])


def _tree(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder``: (kind bits, size of a regular file, link target)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st = p.lstat()
        out[str(p.relative_to(folder))] = (
            stat.S_IFMT(st.st_mode),
            st.st_size if stat.S_ISREG(st.st_mode) else None,
            os.readlink(p) if p.is_symlink() else None,
        )
    return out


def test_a_symbolic_link_at_the_path_is_refused_and_nothing_is_written_through_it(conn, carol, tmp_path):
    shared, private = tmp_path / "shared", tmp_path / "private"
    shared.mkdir()
    private.mkdir()
    victim = private / "victim.db"
    _export(conn, victim, user="carol")  # a file worth keeping, an export itself
    digest = hashlib.sha256(victim.read_bytes()).hexdigest()
    links = {
        shared / "out.db": victim,  # a link planted where an export is to be written
        shared / "dangling.db": private / "new.db",  # and one to a file that does not exist yet
        shared / "to-folder.db": private,
    }
    for link, where in links.items():
        link.symlink_to(where)
    before = _tree(tmp_path)
    for link in links:
        _refused(_cli(_dsn(conn), link), link, "symbolic link")
        with pytest.raises(ExportError, match="symbolic link"):
            _export(conn, link, user="carol")
    assert _tree(tmp_path) == before  # no temporary file left, no link followed or replaced
    assert hashlib.sha256(victim.read_bytes()).hexdigest() == digest


def test_a_fifo_a_device_or_a_socket_at_the_path_is_refused_at_once(conn, carol, tmp_path):
    nodes = {tmp_path / "fifo.db": ("FIFO", stat.S_ISFIFO), tmp_path / "socket.db": ("socket", stat.S_ISSOCK)}
    os.mkfifo(tmp_path / "fifo.db")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "socket.db"))
    if os.geteuid() == 0:  # only root may make a device node (this one is /dev/null's)
        os.mknod(tmp_path / "null.db", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        nodes[tmp_path / "null.db"] = ("character device", stat.S_ISCHR)
    before = _tree(tmp_path)
    try:
        for path, (word, kind) in nodes.items():
            _refused(_cli(_dsn(conn), path), path, word, "not a regular file")
            assert kind(path.lstat().st_mode), path
    finally:
        sock.close()
    assert _tree(tmp_path) == before


def test_a_missing_folder_or_a_folder_as_the_path_is_refused_before_postgresql_is_read(conn, carol, tmp_path):
    # a DSN of a database that does not exist: an error about it would mean PostgreSQL was asked first
    nowhere = _dsn(conn, dbname="no_such_database")
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-folder").mkdir()
    for path, words in (
        (tmp_path / "missing" / "out.db", ("does not exist", str(tmp_path / "missing"))),
        (tmp_path / "a-file" / "out.db", ("is not a folder",)),
        (tmp_path / "a-folder", ("a folder",)),
        (f"{tmp_path / 'new-folder'}/", ("names a folder",)),
    ):
        _refused(_cli(nowhere, path), str(path).rstrip("/"), *words)
        _refused(_cli(_dsn(conn), path), str(path).rstrip("/"), *words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "a-folder"]
    assert list((tmp_path / "a-folder").iterdir()) == []


def _runs_this_checkout(user: str) -> bool:
    """Whether the OS ``user`` can run this checkout's Python with its packages (not when a folder on the way, such
    as a 0700 home or temporary folder, is closed to it: then the interpreter cannot even be started)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", "import nls_cli, nls_export.sqlite"],
            user=user,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            capture_output=True,
        )
    except OSError:
        return False
    return done.returncode == 0


def test_a_folder_the_user_may_not_write_into_is_refused_before_postgresql_is_read(conn, carol):
    """Root may write anywhere: as root the export runs as nobody, who must then be able to run this checkout."""
    as_user = "nobody" if os.geteuid() == 0 else None
    if as_user and not _runs_this_checkout(as_user):
        pytest.skip("the OS user nobody cannot run this checkout's Python (a folder on its path is private)")
    nowhere = _dsn(conn, dbname="no_such_database")
    locked = Path(tempfile.mkdtemp(prefix="nls-export-ro-"))
    try:
        locked.chmod(0o555)
        _refused(_cli(nowhere, locked / "out.db", as_user=as_user), locked / "out.db", "not writable")
        _refused(_cli(_dsn(conn), locked / "out.db", as_user=as_user), locked / "out.db", "not writable")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)
        shutil.rmtree(locked)


def test_a_new_file_is_private_and_a_re_export_keeps_the_mode_of_the_file_it_replaces(conn, carol, tmp_path):
    out = tmp_path / "carol.db"
    old = os.umask(0o022)
    try:
        assert _export(conn, out, user="carol").mode == "full"
        assert stat.S_IMODE(out.stat().st_mode) == 0o600  # one user's data: private, whatever the umask
        for mode in (0o600, 0o640, 0o644):
            out.chmod(mode)
            assert _export(conn, out, user="carol").mode == "incremental"
            assert stat.S_IMODE(out.stat().st_mode) == mode
            assert _export(conn, out, user="carol", full=True).mode == "full"
            assert stat.S_IMODE(out.stat().st_mode) == mode
    finally:
        os.umask(old)


def test_a_user_nls_does_not_know_is_an_error_and_writes_no_file(conn, carol, tmp_path):
    out = tmp_path / "nobody.db"
    with pytest.raises(ExportError, match=r"'no-such-user'.*no such user"):
        _export(conn, out, user="no-such-user")
    _refused(_cli(_dsn(conn), out, "no-such-user"), "no-such-user", "no such user")
    assert list(tmp_path.iterdir()) == []
    # a user whose integration is gone but whose learning rows stay is still theirs to export
    conn.execute("INSERT INTO nls.review_queue (user_id, front, source) VALUES ('dora', 'Dora''s?', 'gemini')")
    _export(conn, tmp_path / "dora.db", user="dora")
    assert sqlite3.connect(tmp_path / "dora.db").execute("SELECT front FROM review_queue").fetchall() == [("Dora's?",)]


def test_six_exports_into_one_file_at_once_take_turns_and_each_leaves_its_history_row(conn, carol, tmp_path):
    out = tmp_path / "carol.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen(_cli_cmd(_dsn(conn), out), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    results = [(p.wait(timeout=300), *p.communicate()[1:]) for p in procs]
    assert results == [(0, "")] * 6
    lite = sqlite3.connect(out)
    modes = [m for (m,) in lite.execute("SELECT mode FROM _nls_export ORDER BY exported_at")]
    assert modes == ["full"] + ["incremental"] * 5
    assert lite.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    n_pg = conn.execute("SELECT count(*) FROM nls.learning_atoms WHERE user_id = 'carol'").fetchone()[0]
    assert lite.execute("SELECT count(*) FROM learning_atoms").fetchone()[0] == n_pg > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["carol.db"]  # no temporary or lock file left


def test_a_users_typed_tables_are_named_from_their_own_sources_only(conn, carol, emulator, tmp_path):
    """dave syncs databases of the same names as carol's and makes his typed views first: carol's views get _2 in
    the schema they share, her SQLite tables do not."""
    alone = _export(conn, tmp_path / "alone.db", user="carol")
    names = sorted(t for t in alone.tables if t.startswith("notion_"))
    assert names == sorted(f"notion_{n.lower().replace(' ', '_')}" for n in LEARNING_TARGETS)
    generated_workspace(conn, emulator, "dave", "tok-dave", pages=20, seed=32)
    for user in ("dave", "carol"):
        conn.execute("SELECT * FROM nls.create_typed_view(user_id => %s)", (user,))
    views = {v for (v,) in conn.execute("SELECT view_name FROM nls.typed_views WHERE user_id = 'carol'")}
    assert views == {n[len("notion_") :] + "_2" for n in names}
    beside = _export(conn, tmp_path / "beside.db", user="carol")
    assert sorted(t for t in beside.tables if t.startswith("notion_")) == names
    # and the same rows as her typed views, under her own names
    lite = sqlite3.connect(tmp_path / "beside.db")
    conn.execute("SELECT set_config('nls.user_id', 'carol', false)")
    for view in views:
        table = "notion_" + view[:-2]
        assert _rows(lite.execute(f"SELECT * FROM {table}")) == _rows(conn.execute(f"SELECT * FROM notion.{view}"))
