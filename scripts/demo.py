"""`make demo`: a throwaway PostgreSQL cluster (pg_cron + plpython3u; scripts/pg_cluster.py), the Notion emulator
on a generated learning workspace, `nls install`, one sync, and what landed; two-way sync (two cards rewritten and an
AI card approved in the review queue, pushed back to Notion); then, when Anki's library is installed
(`make anki`), Anki's own sync server beside the emulator, the learner's deck pushed and a few reviews pulled back
(scripts/demo_anki.py). `make demo-stop` stops both; `make clean`
also removes the cluster's data.

The cluster's data lives in .demo/pg, or, when run as root (the server then runs as the OS user postgres, which
may not be able to enter the checkout), in /var/tmp/nls-demo-<hash of the checkout's path>/. .demo/state.json
remembers where, for `make demo-stop` and the next `make demo`."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shlex
import shutil
import signal
import sys
from pathlib import Path

import psycopg
from rich.console import Console
from rich.markup import escape
from rich.table import Table

import demo_anki
from nls_cli.main import main as nls
from nls_emulator.generate import LEARNING_TARGETS
from nls_emulator.server import start_subprocess
from nls_install.installed import value
from pg_cluster import Cluster, server_account

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / ".demo"
STATE = DEMO / "state.json"
console = Console(highlight=False, soft_wrap=True, width=150)
TOKEN = "secret_demo_token_not_a_real_one"
USER = "demo-user"
PAGES = 600  # the demo's workspace: the emulator's learning workspace of seed 1, with the hard cases


def pg_dir() -> Path:
    """Where the demo's cluster lives: as state.json remembers, else .demo/pg, or /var/tmp/nls-demo-<hash> as root."""
    if STATE.exists():
        remembered = json.loads(STATE.read_text()).get("pg_dir")
        if remembered:
            return Path(remembered)
    if server_account() is None:
        return DEMO / "pg"
    return Path("/var/tmp") / f"nls-demo-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:10]}"


def start_cluster() -> Cluster:
    """(Re)start the demo's cluster, the key in the server's environment, with a database nls_demo."""
    DEMO.mkdir(exist_ok=True)
    key_file = DEMO / "nls.key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    where = pg_dir()
    if STATE.exists():
        stop()
    pg = Cluster(
        where,
        options={"shared_preload_libraries": "pg_cron", "cron.database_name": "nls_demo"},
        env={"NLS_ENCRYPTION_KEY": key_file.read_text().strip()},
    )  # the server's environment holds the key
    STATE.write_text(json.dumps({"pg_dir": str(where)}))
    pg.start()
    with pg.connect(autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = 'nls_demo'").fetchone():
            c.execute("CREATE DATABASE nls_demo")
    return pg


def start() -> int:
    """`make demo`: the cluster, the emulator, `nls install`, one sync, and what landed."""
    pg = start_cluster()
    port, where, dsn = pg.port, pg.data_dir.parent, pg.dsn("nls_demo")
    shown = where.relative_to(ROOT) if where.is_relative_to(ROOT) else where
    console.print(f"[bold]1. PostgreSQL 15[/bold] with pg_cron and plpython3u on 127.0.0.1:{port} (data in {shown})")
    ids_file = DEMO / "emulator-ids.json"
    proc, url = start_subprocess(
        [
            "--workspace",
            "learning",
            "--pages",
            str(PAGES),
            "--hard",
            "--rate-limit",
            "--rate-limit-mode",
            "window",
            "--token",
            TOKEN,
            "--ids-file",
            str(ids_file),
        ],
        log=DEMO / "emulator.log",
    )
    STATE.write_text(json.dumps({"port": port, "emulator_pid": proc.pid, "emulator_url": url, "pg_dir": str(where)}))
    ids = json.loads(ids_file.read_text())[TOKEN]
    console.print(
        f"[bold]2. Notion emulator[/bold] on {url}: a generated learning workspace ({PAGES} pages, with the "
        "hard cases), rate limits on"
    )
    console.print("[bold]3. nls install --dsn ...[/bold]")
    if nls(["install", "--dsn", dsn]) != 0:
        return 1
    with psycopg.connect(dsn, autocommit=True) as c:
        add_demo_user(c, url, ids["databases"])
        console.print("[bold]4. SELECT nls.sync_notion();[/bold]")
        result = value(c, "SELECT nls.sync_notion()")
        brief = {
            "success": result["success"],
            "results": [
                {k: r.get(k) for k in ("database_name", "synced_count", "status")} for r in result.get("results", [])
            ],
            "cleaning": [
                {k: r.get(k) for k in ("success", "added", "updated", "removed")} for r in result.get("cleaning", [])
            ],
        }
        console.print_json(json.dumps(brief), indent=None)
        _show_tables(c)
        _two_way(c)
        anki_pid = demo_anki.run(c, DEMO, _table, console)
        if anki_pid:
            state = json.loads(STATE.read_text())
            STATE.write_text(json.dumps({**state, "anki_server_pid": anki_pid}))
    console.print(
        "\nNext, in your shell: `nls` on the PATH and connected to the demo's database (pg_cron syncs it "
        "every 15 minutes while the demo runs):"
    )
    for line in shell_lines(pg.dsn("nls_demo")):
        console.print(f"  [bold]{escape(line)}[/bold]")
    console.print("Stop: [bold]make demo-stop[/bold]")
    return 0


def add_demo_user(c, url: str, database_ids: dict[str, str]) -> None:
    """Point nls at the emulator at ``url`` and at the folder where `make anki` put Anki's library for the server's
    Python (NLS_ANKI_PYTHON_PATH, which the Makefile exports: inside the checkout for an ordinary user), then add
    the demo user's integration and one source per learning database (``database_ids``: name -> id)."""
    c.execute("SELECT nls.set_setting('api_base_url', %s)", (url,))
    if os.environ.get("NLS_ANKI_PYTHON_PATH"):
        c.execute("SELECT nls.set_setting('anki_python_path', %s)", (os.environ["NLS_ANKI_PYTHON_PATH"],))
    c.execute("SELECT nls.add_integration(%s, %s, workspace_name => 'Demo workspace')", (USER, TOKEN))
    for name, target in LEARNING_TARGETS.items():
        c.execute(
            "SELECT nls.add_source(%s, %s, %s, with_content => %s)",
            (USER, database_ids[name], target, name == "Modules"),
        )


def shell_lines(dsn: str) -> list[str]:
    """What to type in a shell to have `nls` on the PATH (the venv this runs in: `. .venv/bin/activate` from the
    checkout) and its commands (`nls ... --dsn` by default) and psql connected to ``dsn``."""
    activate = Path(sys.prefix) / "bin" / "activate"
    if activate.is_relative_to(Path.cwd()):
        activate = activate.relative_to(Path.cwd())
    return [f". {shlex.quote(str(activate))}", f"export NLS_DSN={shlex.quote(dsn)}", 'psql "$NLS_DSN"']


def _show_tables(c) -> None:
    """What landed: the sync log, the sync status, some cleaned flashcards and the concepts needing review."""
    _table(
        c,
        "SELECT l.sync_type, s.database_name, l.status, items_processed AS processed, items_added AS added, "
        "requests_made AS requests, retries, "
        "round(extract(epoch FROM completed_at - started_at)::numeric, 2) AS seconds, "
        "details->>'cleaned_characters' AS cleaned FROM nls.sync_log l "
        "LEFT JOIN nls.sources s ON s.id = l.source_id ORDER BY started_at",
        "nls.sync_log",
    )
    _table(
        c,
        "SELECT database_name, last_status, pages, trashed, watermark FROM nls.sync_status ORDER BY 1",
        "nls.sync_status",
    )
    _table(
        c,
        "SELECT a.card_id, left(a.front, 40) AS front, a.atom_type, a.back_word_count AS back_words, "
        "a.atomicity_status, a.quality_score, a.needs_review, c.name AS concept FROM nls.learning_atoms a "
        "LEFT JOIN nls.concepts c ON c.id = a.concept_id WHERE a.card_id LIKE 'NET-%' ORDER BY a.card_id LIMIT 8",
        "nls.learning_atoms (the cleaned flashcards)",
    )
    _table(
        c,
        "SELECT concept_name, total_atoms, atomic_count, needs_review_count FROM nls.v_concept_atom_stats "
        "ORDER BY needs_review_count DESC, concept_name LIMIT 5",
        "nls.v_concept_atom_stats",
    )


def queue_reviews(c, rewrites: int = 2) -> list:
    """Into the demo user's review queue: ``rewrites`` cards of the Networks program (the first by card id) with
    their answer rewritten, and one AI card with no Notion page yet. Returns the review items' ids."""
    cards = c.execute(
        "SELECT id, front, back FROM nls.learning_atoms WHERE atom_type = 'flashcard' "
        "AND card_id LIKE 'NET-%%' ORDER BY card_id LIMIT %s",
        (rewrites,),
    ).fetchall()
    items = [
        c.execute(
            "INSERT INTO nls.review_queue (user_id, front, back, original_front, original_back, "
            "original_atom_id, source) VALUES (%s, %s, %s, %s, %s, %s, 'gemini') RETURNING id",
            (USER, front, back + " (rewritten)", front, back, atom),
        ).fetchone()[0]
        for atom, front, back in cards
    ]
    concept = c.execute("SELECT id FROM nls.concepts ORDER BY name LIMIT 1").fetchone()[0]
    items.append(
        c.execute(
            "INSERT INTO nls.review_queue (user_id, front, back, concept_id, source) VALUES "
            "(%s, 'What does a router forward?', 'Packets, by destination.', %s, 'gemini') "
            "RETURNING id",
            (USER, concept),
        ).fetchone()[0]
    )
    return items


def _two_way(c) -> None:
    """Two-way sync: two cards rewritten and one AI card, approved in the review queue, pushed to Notion."""
    for item in queue_reviews(c):
        c.execute("SELECT nls.approve_review(%s)", (item,))
    console.print(
        "[bold]5. SELECT nls.push_notion(user_id => 'demo-user');[/bold] two-way: two cards rewritten and "
        "an AI card, approved in the review queue, go back to Notion"
    )
    c.execute("SELECT nls.push_notion(user_id => 'demo-user')")
    _table(
        c,
        "SELECT l.sync_type, s.database_name, l.status, items_processed AS objects, items_added AS created, "
        "items_updated AS written, requests_made AS requests, details -> 'requests_by_endpoint' AS endpoints "
        "FROM nls.sync_log l JOIN nls.sources s ON s.id = l.source_id WHERE l.sync_type = 'notion_push'",
        "nls.sync_log (the push)",
    )
    _table(
        c,
        "SELECT local_table, status, notion_page_id, last_synced_at FROM nls.notion_sync_state",
        "nls.notion_sync_state",
    )


def _table(conn, query: str, title: str, params=None) -> None:
    """Print the rows of ``query`` (with ``params``) as a table."""
    cur = conn.execute(query, params)
    table = Table(title=title, title_justify="left")
    for d in cur.description:
        table.add_column(d.name)
    for row in cur.fetchall():
        table.add_row(*["" if v is None else str(v) for v in row])
    console.print(table)


def stop() -> int:
    """Stop the emulator and the cluster (its data stays for the next `make demo`)."""
    where = pg_dir()
    if STATE.exists():
        state = json.loads(STATE.read_text())
        try:
            for pid in (state.get("emulator_pid"), state.get("anki_server_pid")):
                if pid:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        STATE.unlink()
    Cluster(where).stop()
    console.print("demo stopped")
    return 0


def clean() -> int:
    """Stop the demo and remove its cluster's data (`make clean` removes .demo/ itself)."""
    where = pg_dir()
    stop()
    shutil.rmtree(where, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit({"stop": stop, "clean": clean}.get(sys.argv[1] if sys.argv[1:] else "", start)())
