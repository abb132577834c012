"""`make bench`, part 4: what nls's events add to a sync (docs/events.md, docs/benchmarks.md).

Starts its own throwaway cluster (pg_cron, and pg_net where it is installed, its worker serving the bench database)
and the emulator (a generated learning workspace, default 10,000 pages, rate limits off: the engine's own cost), and
a local HTTP receiver in a thread that answers 204. Measured, each with the events' triggers disabled (no events: what
a sync cost without them), with events but no endpoint (made and NOTIFYed), and with one endpoint registered for the
user (every kind of event; a delivery made for each):

- a full sync (``full_sync => true``) of every source of the user (``--full-repeat`` times each; the median);
- an incremental sync with nothing changed (``--repeat`` times each, the three alternating; the median);
- with the endpoint, the delivery step afterwards (``nls.deliver_events()`` and pg_net sending, until the receiver
  got every event): it runs after the sync committed, never inside it.

Usage::

    make bench                                   # runs bench_sync, bench_fresh, bench_export, bench_push, then this
    .venv/bin/python bench/bench_events.py --pages 2000 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

from nls_cli.main import main as nls
from nls_emulator import Emulator
from nls_emulator.generate import LEARNING_TARGETS
from nls_install import installed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from bench_sync import start_cluster
from pg_cluster import extension_installed

console = Console(highlight=False, width=170)
TOKEN = "secret_bench_events_token_not_a_real_one"
USER = "bench-user"
DB = "nls_bench"


class Receiver(ThreadingHTTPServer):
    """Answers every POST with 204 and counts them."""

    def __init__(self):
        receiver = self
        self.got = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.got += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/events"


def timed_sync(conn: psycopg.Connection, full: bool) -> float:
    t0 = time.perf_counter()
    result = installed.value(conn, "SELECT nls.sync_notion(user_id => %s, full_sync => %s)", (USER, full))
    wall = time.perf_counter() - t0
    if not result["success"]:
        raise SystemExit(f"a sync failed: {str(result)[:500]}")
    return wall


def deliver_all(conn: psycopg.Connection, receiver: Receiver) -> tuple[float, int]:
    """The delivery step until nothing is pending or sending: (seconds, deliveries sent)."""
    t0 = time.perf_counter()
    want = installed.value(conn, "SELECT count(*) FROM nls.event_deliveries WHERE status <> 'sent'")
    start = receiver.got
    open_ = "SELECT count(*) FROM nls.event_deliveries WHERE status IN ('pending', 'sending')"
    while installed.value(conn, open_):
        conn.execute("SELECT nls.deliver_events()")
        if time.perf_counter() - t0 > 120:
            raise SystemExit("the deliveries did not settle within 120 s")
        time.sleep(0.05)
    return time.perf_counter() - t0, min(want, receiver.got - start)


STATES = ("no events", "no endpoint", "one endpoint")
TRIGGERS = (
    ("nls.sync_log", "events_run_finished"),
    ("nls.sync_log", "events_run_logged"),
    ("nls.notion_sync_state", "events_conflict"),
    ("nls.notion_sync_state", "events_conflict_new"),
)


def state(conn: psycopg.Connection, url: str, name: str) -> None:
    """no events: the events' triggers disabled (what nls cost before them); no endpoint: events made and NOTIFYed;
    one endpoint: a delivery made too for each."""
    for table, trigger in TRIGGERS:
        conn.execute(f"ALTER TABLE {table} {'DISABLE' if name == 'no events' else 'ENABLE'} TRIGGER {trigger}")
    conn.execute("DELETE FROM nls._event_endpoints")
    if name == "one endpoint":
        conn.execute("SELECT nls.add_event_endpoint(%s, %s, 'bench-secret-0123456789abcdef')", (USER, url))


def measure(conn: psycopg.Connection, receiver: Receiver, repeat: int, full_repeat: int, pg_net: bool) -> dict:
    out: dict = {"full": {name: [] for name in STATES}, "unchanged": {name: [] for name in STATES}}
    for _ in range(full_repeat):
        for name in STATES:
            state(conn, receiver.url, name)
            out["full"][name].append(timed_sync(conn, True))
    for _ in range(repeat):
        for name in STATES:
            state(conn, receiver.url, name)
            out["unchanged"][name].append(timed_sync(conn, False))
    state(conn, receiver.url, "one endpoint")
    timed_sync(conn, False)
    out["events"] = installed.value(conn, "SELECT count(*) FROM nls._events")
    out["delivery"] = deliver_all(conn, receiver) if pg_net else None
    return out


def report(m: dict, pages: int, pg_net: bool) -> None:
    table = Table(title=f"what events add to a sync of {pages:,} pages (rate limits off)", title_justify="left")
    table.add_column("run")
    for name in STATES:
        table.add_column(f"{name}, s", justify="right")
    table.add_column("one endpoint vs no events", justify="right")
    rows = [
        (
            f"full sync (median of {len(m['full']['no events'])})",
            {n: statistics.median(v) for n, v in m["full"].items()},
        ),
        (
            f"unchanged sync (median of {len(m['unchanged']['no events'])})",
            {n: statistics.median(v) for n, v in m["unchanged"].items()},
        ),
    ]
    for label, by in rows:
        base = by["no events"]
        table.add_row(label, *(f"{by[n]:.3f}" for n in STATES), f"{100 * (by['one endpoint'] - base) / base:+.1f}%")
    console.print(table)
    for name in STATES:
        console.print(f"unchanged runs, {name}: {', '.join(f'{x:.3f}' for x in m['unchanged'][name])} s")
    console.print(f"events made in all: {m['events']:,}")
    if m["delivery"]:
        seconds, sent = m["delivery"]
        console.print(
            f"after the syncs, the delivery step (pg_net) sent {sent:,} deliveries in {seconds:.2f} s "
            "(in order: one per endpoint at a time)"
        )
    elif not pg_net:
        console.print("pg_net is not installed: the deliveries stayed pending (make deps builds it)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=10_000, help="pages of the generated workspace (10000)")
    ap.add_argument("--repeat", type=int, default=7, help="unchanged syncs of each kind (7)")
    ap.add_argument("--full-repeat", type=int, default=3, help="full syncs of each kind (3)")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    pg_net = extension_installed("pg_net")
    options = {"shared_preload_libraries": "pg_cron,pg_net", "pg_net.database_name": DB} if pg_net else {}
    with start_cluster(DB, **options) as pg:
        emu, receiver = Emulator().start(), Receiver()
        try:
            emu.api.rate_limits.enabled = False
            gen = emu.add_generated("learning", pages=args.pages, seed=args.seed, token=TOKEN)
            dsn = pg.dsn(DB)
            console.print(
                f"[bold]nls bench: events[/bold]: {args.pages:,} pages, pg_net {'on' if pg_net else 'not installed'}"
            )
            if nls(["install", "--dsn", dsn, "--no-schedule"]) != 0:
                return 1
            with psycopg.connect(dsn, autocommit=True) as conn:
                if pg_net:
                    conn.execute("CREATE EXTENSION pg_net")
                conn.execute("SELECT nls.set_setting('api_base_url', %s)", (emu.url,))
                for name in ("rate_limit_per_s", "workspace_rate_limit_per_s", "rate_limit_burst"):
                    conn.execute("SELECT nls.set_setting(%s, '100000')", (name,))
                conn.execute("SELECT nls.add_integration(%s, %s)", (USER, TOKEN))
                for name, target in LEARNING_TARGETS.items():
                    conn.execute("SELECT nls.add_source(%s, %s, %s)", (USER, gen.database_ids[name], target))
                timed_sync(conn, True)  # the first read, setting up
                m = measure(conn, receiver, args.repeat, args.full_repeat, pg_net)
            report(m, args.pages, pg_net)
        finally:
            receiver.shutdown()
            receiver.server_close()
            emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
