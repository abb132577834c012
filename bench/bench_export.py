"""`make bench` (second part): how fast ``nls export sqlite`` writes a user's data, against reading it from
PostgreSQL.

Starts a throwaway cluster and the emulator (rate limits off: the sync is not what is measured here), syncs a
generated learning workspace (default 10,000 pages) with page content (Markdown) for every source, cleans it,
makes a typed view of every source, then measures as that user:

- reading from PostgreSQL: every page with its content (``SELECT * FROM nls.stg_notion_pages``), and every row the
  export writes (the same queries as the export, fetched into Python);
- the first export (a new file), an export with nothing changed, and one after 1% of the pages were edited in
  Notion and synced: wall time and rows written.

Usage::

    make bench                                   # runs bench_sync.py, then this
    .venv/bin/python bench/bench_export.py --pages 2000
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

from nls_cli.main import main as nls
from nls_emulator import Emulator
from nls_emulator.generate import LEARNING_TARGETS
from nls_export import sqlite as export
from nls_install.installed import value

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sync import start_cluster

console = Console(highlight=False, width=150)
TOKEN, USER = "secret_bench_export_token", "bench-user"


def _setup(conn: psycopg.Connection, emu: Emulator, gen) -> None:
    conn.execute("SELECT nls.set_setting('api_base_url', %s)", (emu.url,))
    for name in ("rate_limit_per_s", "workspace_rate_limit_per_s", "rate_limit_burst"):
        conn.execute("SELECT nls.set_setting(%s, '100000')", (name,))
    conn.execute("SELECT nls.add_integration(%s, %s)", (USER, TOKEN))
    for name, target in LEARNING_TARGETS.items():
        conn.execute("SELECT nls.add_source(%s, %s, %s, with_content => true)", (USER, gen.database_ids[name], target))
    started = time.monotonic()
    result = value(conn, "SELECT nls.sync_notion(user_id => %s)", (USER,))
    assert result["success"], result
    conn.execute("SELECT nls.create_typed_view(user_id => %s)", (USER,))
    console.print(
        f"setup: synced {value(conn, 'SELECT count(*) FROM nls.stg_notion_pages'):,} pages "
        f"with content, cleaned, typed views made, in {time.monotonic() - started:.1f} s"
    )


def _read(dsn: str) -> tuple[float, int, float, int]:
    """(seconds, rows) to read every page with its content, and to read every row the export writes."""
    with psycopg.connect(dsn) as pg:
        export.session(pg, USER)
        started = time.monotonic()
        pages = len(pg.execute("SELECT * FROM nls.stg_notion_pages WHERE user_id = %s", (USER,)).fetchall())
        pages_s = time.monotonic() - started
        tables = export.plan(pg, USER)
        started = time.monotonic()
        rows = sum(len(pg.execute(t.query, t.params).fetchall()) for t in tables)
        return pages_s, pages, time.monotonic() - started, rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--changed", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    with start_cluster() as pg, tempfile.TemporaryDirectory() as tmp:
        emu = Emulator().start()
        try:
            gen = emu.add_generated("learning", pages=args.pages, seed=args.seed, token=TOKEN)
            dsn = f"host={pg.host} port={pg.port} user={pg.user} dbname=nls_bench"
            if nls(["install", "--dsn", dsn, "--no-schedule"]) != 0:
                return 1
            with psycopg.connect(dsn, autocommit=True) as conn:
                _setup(conn, emu, gen)
                pages_s, pages, rows_s, rows = _read(dsn)
                out = Path(tmp) / "bench.db"
                runs = [
                    ("first export (new file)", export.export_sqlite(dsn, USER, out)),
                    ("again, nothing changed", export.export_sqlite(dsn, USER, out)),
                ]
                ids = [p for ids in gen.page_ids.values() for p in ids]
                picked = random.Random(args.seed).sample(ids, max(1, int(len(ids) * args.changed)))
                for pid in picked:
                    gen.workspace.update_page(pid, {})
                assert value(conn, "SELECT nls.sync_notion(user_id => %s)", (USER,))["success"]
                runs.append((f"after {len(picked)} pages edited and synced", export.export_sqlite(dsn, USER, out)))
                size = out.stat().st_size
        finally:
            emu.stop()
    table = Table(
        title=f"nls export sqlite: {pages:,} pages with content, {rows:,} rows in {len(runs[0][1].tables)} "
        f"tables, file {size / 2**20:.1f} MiB"
    )
    for col in (
        "run",
        "wall",
        "x reading the pages",
        "x reading every exported row",
        "rows written",
        "rows deleted",
        "tables written to",
    ):
        table.add_column(col, justify="left" if col == "run" else "right")
    table.add_row("read from PostgreSQL: the pages with content", f"{pages_s:.2f} s", "1.00", "", f"{pages:,}", "", "")
    table.add_row(
        "read from PostgreSQL: every exported row",
        f"{rows_s:.2f} s",
        f"{rows_s / pages_s:.2f}",
        "1.00",
        f"{rows:,}",
        "",
        "",
    )
    for name, r in runs:
        touched = ", ".join(f"{t} {v['written']}" for t, v in r.tables.items() if v["written"] or v["deleted"])
        table.add_row(
            name,
            f"{r.seconds:.2f} s",
            f"{r.seconds / pages_s:.2f}",
            f"{r.seconds / rows_s:.2f}",
            f"{r.written:,}",
            f"{r.deleted:,}",
            touched if len(touched) < 70 else touched[:67] + "...",
        )
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
