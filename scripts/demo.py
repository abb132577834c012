"""`make demo`: a throwaway PostgreSQL cluster (pg_cron + plpython3u) under .demo/, the Notion emulator on a
generated learning workspace, nls-install, one sync, and what landed. `make demo-stop` stops both."""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

from nls_emulator.generate import LEARNING_TARGETS
from nls_emulator.server import free_port, start_subprocess
from nls_install.cli import main as nls_install

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / ".demo"
PGDATA = DEMO / "pg"
BIN = Path("/usr/lib/postgresql/15/bin")
console = Console(highlight=False, soft_wrap=True, width=150)
TOKEN = "secret_demo_token_not_a_real_one"


def run(*cmd, env=None):
    subprocess.run([str(c) for c in cmd], check=True, env=env, stdout=subprocess.DEVNULL)


def start() -> int:
    DEMO.mkdir(exist_ok=True)
    key_file = DEMO / "nls.key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    state_file = DEMO / "state.json"
    if state_file.exists():
        stop()
    port = free_port()
    if not PGDATA.exists():
        run(BIN / "initdb", "-D", PGDATA, "-U", "postgres", "--auth=trust")
        with open(PGDATA / "postgresql.conf", "a") as conf:
            conf.write("\nshared_preload_libraries = 'pg_cron'\ncron.database_name = 'nls_demo'\n"
                       f"unix_socket_directories = '{DEMO}'\nlisten_addresses = '127.0.0.1'\n")
    PGDATA.chmod(0o700)   # PostgreSQL refuses a data directory others can read (e.g. after a recursive chmod)
    env = dict(os.environ, NLS_ENCRYPTION_KEY=key_file.read_text().strip())  # the server's environment holds the key
    run(BIN / "pg_ctl", "-D", PGDATA, "-l", DEMO / "postgres.log", "-o", f"-p {port}", "-w", "start", env=env)
    dsn = f"host=127.0.0.1 port={port} user=postgres dbname=nls_demo"
    with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = 'nls_demo'").fetchone():
            c.execute("CREATE DATABASE nls_demo")
    console.print(f"[bold]1. PostgreSQL 15[/bold] with pg_cron and plpython3u on 127.0.0.1:{port} (data in .demo/pg)")
    ids_file = DEMO / "emulator-ids.json"
    proc, url = start_subprocess(["--workspace", "learning", "--pages", "600", "--hard", "--rate-limit",
                                  "--token", TOKEN, "--ids-file", str(ids_file)], log=DEMO / "emulator.log")
    state_file.write_text(json.dumps({"port": port, "emulator_pid": proc.pid, "emulator_url": url}))
    ids = json.loads(ids_file.read_text())[TOKEN]
    console.print(f"[bold]2. Notion emulator[/bold] on {url}: a generated learning workspace (600 pages, with the "
                  "hard cases), rate limits on")
    console.print("[bold]3. nls-install[/bold]")
    if nls_install(["--dsn", dsn]) != 0:
        return 1
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute("SELECT nls.set_setting('api_base_url', %s)", (url,))
        c.execute("SELECT nls.add_integration('demo-user', %s, workspace_name => 'Demo workspace')", (TOKEN,))
        for name, target in LEARNING_TARGETS.items():
            c.execute("SELECT nls.add_source('demo-user', %s, %s, with_content => %s)",
                      (ids["databases"][name], target, name == "Modules"))
        console.print("[bold]4. SELECT nls.sync_notion();[/bold]")
        result = c.execute("SELECT nls.sync_notion()").fetchone()[0]
        brief = {"success": result["success"],
                 "results": [{k: r.get(k) for k in ("database_name", "synced_count", "status")}
                             for r in result.get("results", [])],
                 "cleaning": [{k: r.get(k) for k in ("success", "added", "updated", "removed")}
                              for r in result.get("cleaning", [])]}
        console.print_json(json.dumps(brief), indent=None)
        _table(c, "SELECT l.sync_type, s.database_name, l.status, items_processed AS processed, items_added AS added, "
                  "requests_made AS requests, retries, "
                  "round(extract(epoch FROM completed_at - started_at)::numeric, 2) AS seconds, "
                  "details->>'cleaned_characters' AS cleaned FROM nls.sync_log l "
                  "LEFT JOIN nls.sources s ON s.id = l.source_id ORDER BY started_at",
               "nls.sync_log")
        _table(c, "SELECT database_name, last_status, pages, trashed, watermark FROM nls.sync_status ORDER BY 1",
               "nls.sync_status")
        _table(c, "SELECT a.card_id, left(a.front, 40) AS front, a.atom_type, a.back_word_count AS back_words, "
                  "a.atomicity_status, a.quality_score, a.needs_review, c.name AS concept FROM nls.learning_atoms a "
                  "LEFT JOIN nls.concepts c ON c.id = a.concept_id WHERE a.card_id LIKE 'NET-%' ORDER BY a.card_id LIMIT 8",
               "nls.learning_atoms (the cleaned flashcards)")
        _table(c, "SELECT concept_name, total_atoms, atomic_count, needs_review_count FROM nls.v_concept_atom_stats "
                  "ORDER BY needs_review_count DESC, concept_name LIMIT 5", "nls.v_concept_atom_stats")
    console.print(f"\nConnect: [bold]psql 'host=127.0.0.1 port={port} user=postgres dbname=nls_demo'[/bold]  "
                  "(pg_cron syncs every 15 minutes while this runs)\nStop: [bold]make demo-stop[/bold]")
    return 0


def _table(conn, query: str, title: str) -> None:
    cur = conn.execute(query)
    table = Table(title=title, title_justify="left")
    for d in cur.description:
        table.add_column(d.name)
    for row in cur.fetchall():
        table.add_row(*["" if v is None else str(v) for v in row])
    console.print(table)


def stop() -> int:
    state_file = DEMO / "state.json"
    if state_file.exists():
        state = json.loads(state_file.read_text())
        try:
            os.killpg(state["emulator_pid"], signal.SIGTERM)
        except ProcessLookupError:
            pass
        state_file.unlink()
    if (PGDATA / "postmaster.pid").exists():
        subprocess.run([BIN / "pg_ctl", "-D", PGDATA, "-m", "fast", "stop"], stdout=subprocess.DEVNULL)
    console.print("demo stopped")
    return 0


if __name__ == "__main__":
    sys.exit(start() if sys.argv[1:2] != ["stop"] else stop())
