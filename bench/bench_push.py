"""`make bench`, part 3: how fast two-way sync writes back to Notion (docs/benchmarks.md).

Starts its own throwaway cluster and the emulator (a generated learning workspace with about 1,040 flashcards), syncs
and cleans it with rate limits off (setting up), then changes ``--cards`` (1,000) cards locally (one UPDATE of their
Answer, as an application would) and, as the schedule does, reads again before pushing. Measured:

- the push of the changed cards with Notion's rate limits on (3 requests/s per integration, the emulator's and nls's
  defaults): requests by endpoint (as the emulator counted them, 429s included) and wall time, against the floor of
  requests / 3 s;
- a push with nothing changed (its values hash to what was last agreed with Notion: no request);
- the same push of ``--cards`` other changed cards with rate limits off: the engine's own cost per object.

Usage::

    make bench                                 # runs bench_sync, bench_export, then this
    .venv/bin/python bench/bench_push.py --cards 300
    .venv/bin/python bench/bench_push.py --no-rate-limit     # the engine's own cost only (a minute)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

from nls_cli.main import main as nls
from nls_emulator import Emulator
from nls_emulator.generate import LEARNING_TARGETS
from nls_install.installed import value

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from bench_sync import start_cluster

console = Console(highlight=False, width=170)
TOKEN = "secret_bench_push_token_not_a_real_one"
USER = "bench-user"
PACING = ("rate_limit_per_s", "workspace_rate_limit_per_s", "rate_limit_burst")


def rate_limits(conn: psycopg.Connection, emu: Emulator, on: bool) -> None:
    """Notion's limits on (the emulator's 3 requests/s and nls's default pacing) or off (both lifted)."""
    emu.api.rate_limits.enabled = on
    emu.api.rate_limits.reset()
    for name in PACING:
        conn.execute("SELECT nls.set_setting(%s, %s)", (name, "3" if on else "100000"))


def change_cards(conn: psycopg.Connection, n: int, tag: str) -> int:
    """Change the Answer of ``n`` flashcards not changed yet, in one UPDATE (the trigger notes each); returns n."""
    return conn.execute(
        "UPDATE nls.learning_atoms SET back = coalesce(back, '') || %s WHERE id IN (SELECT id FROM "
        "nls.learning_atoms WHERE notion_id IS NOT NULL AND back NOT LIKE '%%(revised%%' "
        "ORDER BY card_id LIMIT %s)",
        (f" (revised {tag})", n),
    ).rowcount


def push(conn: psycopg.Connection, emu: Emulator) -> dict:
    emu.api.reset_log()
    t0 = time.perf_counter()
    result = value(conn, "SELECT nls.push_notion(user_id => %s)", (USER,))
    wall = time.perf_counter() - t0
    if not result["success"]:
        raise SystemExit(f"a push failed: {str(result)[:500]}")
    return {
        "wall": wall,
        "written": sum(r["items_updated"] + r["items_added"] for r in result["results"]),
        "requests": dict(emu.api.counters),
        "429s": sum(1 for r in emu.api.log if r["status"] == 429),
    }


def report(rows: list[tuple[str, dict]]) -> None:
    table = Table(title="push of changed cards (nls.push_notion)", title_justify="left")
    for col in (
        "run",
        "pages written",
        "requests by endpoint",
        "of them 429",
        "wall s",
        "requests / 3 s",
        "x floor",
        "ms / object",
    ):
        table.add_column(col, justify="left" if col in ("run", "requests by endpoint") else "right")
    for name, m in rows:
        n = sum(m["requests"].values())
        floor = n / 3
        table.add_row(
            name,
            f"{m['written']:,}",
            ", ".join(f"{k} {v}" for k, v in sorted(m["requests"].items())),
            str(m["429s"]),
            f"{m['wall']:.2f}",
            f"{floor:.1f}" if n else "",
            f"{m['wall'] / floor:.3f}" if n else "",
            f"{1000 * m['wall'] / m['written']:.1f}" if m["written"] else "",
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cards", type=int, default=1000, help="cards changed locally before each push (1000)")
    ap.add_argument("--no-rate-limit", action="store_true", help="only the push with rate limits off")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    pages = int(args.cards * 2.6) + 200  # flashcards are 80% of the pages: two sets of changed cards
    with start_cluster() as pg:
        emu = Emulator().start()
        try:
            gen = emu.add_generated("learning", pages=pages, seed=args.seed, token=TOKEN)
            dsn = f"host={pg.host} port={pg.port} user={pg.user} dbname=nls_bench"
            console.print(
                f"[bold]nls bench: push[/bold]: {len(gen.page_ids['Flashcards']):,} flashcards, "
                f"{args.cards:,} changed locally before each push"
            )
            if nls(["install", "--dsn", dsn, "--no-schedule"]) != 0:
                return 1
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("SELECT nls.set_setting('api_base_url', %s)", (emu.url,))
                conn.execute("SELECT nls.add_integration(%s, %s)", (USER, TOKEN))
                for name, target in LEARNING_TARGETS.items():
                    conn.execute("SELECT nls.add_source(%s, %s, %s)", (USER, gen.database_ids[name], target))
                rate_limits(conn, emu, False)
                conn.execute("SELECT nls.sync_notion(user_id => %s)", (USER,))
                runs = []
                for on in (False,) if args.no_rate_limit else (True, False):
                    n = change_cards(conn, args.cards, "on" if on else "off")
                    conn.execute("SELECT nls.sync_notion(user_id => %s)", (USER,))  # the schedule reads first
                    rate_limits(conn, emu, on)
                    runs.append(
                        (f"{n:,} changed cards, rate limits {'on (3 req/s)' if on else 'off'}", push(conn, emu))
                    )
                    if on:
                        runs.append(("again, nothing changed", push(conn, emu)))
                    rate_limits(conn, emu, False)
            report(runs)
        finally:
            emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
