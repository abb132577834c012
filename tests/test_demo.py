"""`make demo`'s own setup (scripts/demo.py) against a real PostgreSQL: the demo user it adds, and the setting
anki_python_path pointed where `make anki` put Anki's library for the server's Python (NLS_ANKI_PYTHON_PATH, which
the Makefile exports: inside the checkout for an ordinary user, whose server cannot read the root-only default)."""

from __future__ import annotations

import os

import demo
from conftest import ANKI_SERVER_DIR

DEFAULT_ANKI_PATH = "/usr/local/lib/nls/anki-python"


def _setting(conn, name: str) -> str:
    return conn.execute("SELECT value FROM nls.settings WHERE name = %s", (name,)).fetchone()[0]


def test_the_demo_points_anki_python_path_where_make_anki_put_the_library(conn, emulator, server_tmp_path, monkeypatch):
    conn.execute("SELECT nls.set_setting('anki_python_path', %s)", (DEFAULT_ANKI_PATH,))  # a fresh install's
    library = server_tmp_path / "anki-python"  # a folder of the checkout's kind, not the default
    library.symlink_to(ANKI_SERVER_DIR)
    monkeypatch.setenv("NLS_ANKI_PYTHON_PATH", str(library))
    gen = emulator.add_generated("learning", pages=20, token="secret_demo_setup")
    demo.add_demo_user(conn, emulator.url, gen.database_ids)
    assert _setting(conn, "anki_python_path") == str(library)
    assert _setting(conn, "api_base_url") == emulator.url
    sources = conn.execute("SELECT user_id, count(*) FROM nls.sources GROUP BY 1").fetchall()
    assert sources == [(demo.USER, len(gen.database_ids))]
    if os.path.isdir(os.path.join(ANKI_SERVER_DIR, "anki")):  # `make anki` installed it: the server imports it
        assert not conn.execute("SELECT nls.engine_status()->>'anki'").fetchone()[0].startswith("not importable")


def test_without_make_the_demo_leaves_anki_python_path_alone(conn, emulator, monkeypatch):
    monkeypatch.delenv("NLS_ANKI_PYTHON_PATH", raising=False)
    before = _setting(conn, "anki_python_path")
    gen = emulator.add_generated("learning", pages=20, token="secret_demo_setup_2")
    demo.add_demo_user(conn, emulator.url, gen.database_ids)
    assert _setting(conn, "anki_python_path") == before
