"""`make bench`, part two: freshness and the request bill (docs/benchmarks.md).

Starts its own throwaway cluster (pg_cron in background-worker mode, so that the jobs `nls install` schedules really
run) and the emulator, installs nls with its pg_cron jobs, and measures:

- freshness with webhooks on: the emulator delivers as Notion does since 2026-10-15 (a page's first edit at once,
  later ones of the next minute folded into one event; ``--fold-s``), `nls webhooks serve` receives the signed
  deliveries and applies each event once stored (pg_cron's one-minute job stays the safety net); edits made at
  random times over ``--freshness-s`` seconds, each timed from Notion's delivery (and from the edit) to its row in
  PostgreSQL (median and 95th percentile);
- requests per user per day of a learning workspace (7 data sources, 600 pages, 1% edited a day), with and without
  webhooks, against the minimum, from the requests measured runs made (an unchanged scheduled run, the daily
  reconciliation, an edit applied from its webhook event);
- how many users one server keeps fresh every 15 minutes: a round of scheduled runs of ``--users`` users (nothing
  changed, the common case) by N worker jobs side by side, each Notion request held 150-400 ms by the emulator
  (its latency option), wall time measured; users per 15 minutes = users x 900 s / wall.

Usage: ``make bench`` runs it; ``python bench/bench_fresh.py --freshness-s 60 --users 8`` for a quicker look.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import requests
from rich.console import Console
from rich.table import Table

from nls_cli.main import main as nls
from nls_emulator import Emulator
from nls_emulator.generate import LEARNING_TARGETS
from nls_emulator.server import free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from bench_sync import start_cluster

console = Console(highlight=False, width=150)
RUNS_A_DAY = 96  # every 15 minutes
LATENCY = (0.15, 0.4)  # seconds the emulator holds each Notion request in the rounds


def add_user(conn, emu: Emulator, user: str, pages: int, seed: int):
    token = f"secret_{user}"
    gen = emu.add_generated("learning", pages=pages, seed=seed, token=token)
    conn.execute("SELECT nls.add_integration(%s, %s)", (user, token))
    for name, target in LEARNING_TARGETS.items():
        conn.execute("SELECT nls.add_source(%s, %s, %s)", (user, gen.database_ids[name], target))
    return gen, token


def requests_of(emu: Emulator, run) -> int:
    emu.api.reset_log()
    run()
    return len(emu.api.log)


def request_bill(conn, emu: Emulator, user: str, gen) -> dict:
    """Requests of an unchanged scheduled run, of the daily reconciliation, and of an edit applied from its webhook
    event (measured), and what a day of them costs."""

    def sync() -> object:
        return conn.execute("SELECT nls.sync_notion(user_id => %s)", (user,)).fetchone()

    run = requests_of(emu, sync)
    conn.execute("SELECT nls.set_setting('reconcile_interval_s', '0')")
    reconcile = requests_of(emu, sync)
    conn.execute("SELECT nls.set_setting('reconcile_interval_s', '86400')")
    pages = sum(len(v) for v in gen.page_ids.values())
    edits = max(1, round(pages * 0.01))
    without = (RUNS_A_DAY - 1) * run + reconcile
    return {
        "data_sources": len(gen.database_ids),
        "pages": pages,
        "edits": edits,
        "run": run,
        "reconcile": reconcile,
        "without": without,
        "minimum": RUNS_A_DAY * len(gen.database_ids),
        "main": RUNS_A_DAY * 2 * len(gen.database_ids) + (reconcile - run),
    }


def serve_webhooks(conn, emu: Emulator, user: str, token: str) -> tuple[subprocess.Popen, str]:
    conn.execute("DROP ROLE IF EXISTS bench_hooks")
    conn.execute("CREATE ROLE bench_hooks LOGIN IN ROLE nls_webhook")
    info, port = conn.info, free_port()
    dsn = f"host={info.host} port={info.port} user=bench_hooks dbname={info.dbname}"
    command = Path(sys.executable).with_name("nls")
    proc = subprocess.Popen(
        [str(command), "webhooks", "serve", "--dsn", dsn, "--port", str(port), "--log-level", "warning"],
        env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.2)
    path = conn.execute("SELECT nls.webhook_endpoint(%s)", (user,)).fetchone()[0]
    emu.api.webhooks.subscribe(token, base + path)
    shown = conn.execute("SELECT nls.webhook_verification_token(%s)", (user,)).fetchone()[0]
    emu.api.webhooks.confirm(token, shown)
    return proc, base


def freshness(conn, emu: Emulator, user: str, gen, seconds: float, edits: int, seed: int) -> dict:
    """Edits at random times over ``seconds``; each timed until its title is in PostgreSQL, from the edit and from
    the first delivery of its event after the edit (the receiver applies each event once stored)."""
    rng = random.Random(seed)
    ws = gen.workspace
    cards = rng.sample(gen.page_ids["Flashcards"], edits)
    at = sorted(rng.uniform(0, seconds) for _ in cards)
    made: dict[str, float] = {}
    landed: dict[str, float] = {}
    made_at: dict[str, float] = {}  # time.time() of the edit, as the emulator's delivery log has it
    landed_at: dict[str, float] = {}
    t0 = time.monotonic()

    def edit():
        for pid, when in zip(cards, at, strict=True):
            time.sleep(max(0.0, t0 + when - time.monotonic()))
            ws.update_page(pid, {"Question": f"fresh {pid}"})
            made[pid], made_at[pid] = time.monotonic(), time.time()

    editor = threading.Thread(target=edit, daemon=True)
    editor.start()
    deadline = t0 + seconds + 150
    while time.monotonic() < deadline and len(landed) < len(cards):
        for (pid,) in conn.execute(
            "SELECT page_id FROM nls.stg_notion_pages WHERE page_id = ANY (%s) AND "
            "nls.notion_text(raw_properties -> 'Question') = 'fresh ' || page_id",
            (cards,),
        ).fetchall():
            landed.setdefault(pid, time.monotonic())
            landed_at.setdefault(pid, time.time())
        time.sleep(0.5)
    editor.join()
    lat = sorted(landed[p] - made[p] for p in cards if p in landed and p in made)
    delivered: dict[str, float] = {}
    for d in emu.api.webhooks.log:
        pid = d.get("entity")
        if pid in made_at and d["status"] == 200 and d["at"] >= made_at[pid]:
            delivered[pid] = min(delivered.get(pid, d["at"]), d["at"])
    since = sorted(max(0.0, landed_at[p] - delivered[p]) for p in cards if p in landed_at and p in delivered)
    return {"edits": len(cards), "landed": len(lat), **_spread(lat), **_spread(since, "delivery_")}


def _spread(values: list[float], prefix: str = "") -> dict:
    """{median, p95, max} of sorted ``values`` (None when empty), their names prefixed."""
    if not values:
        return {prefix + k: None for k in ("median", "p95", "max")}
    return {
        prefix + "median": statistics.median(values),
        prefix + "p95": values[min(len(values) - 1, int(0.95 * len(values)))],
        prefix + "max": values[-1],
    }


def add_round_users(conn, emu: Emulator, users: int, prefix: str = "round") -> list[str]:
    """``users`` users of a learning workspace of 600 pages each, synced twice (their first full reads and the
    trash's first look, no latency): what a round with nothing changed then runs over. Returns their ids."""
    names = [f"{prefix}-{i:02d}" for i in range(users)]
    for i, user in enumerate(names):
        add_user(conn, emu, user, 600, 500 + i)
    conn.execute("CALL nls.sync_all_users_notion_databases()")  # first (full) reads, no latency
    conn.execute("CALL nls.sync_all_users_notion_databases()")  # the trash's first look
    return names


def users_per_server(conn, emu: Emulator, users: int, workers_list: list[int]) -> list[dict]:
    """A round of the scheduled workers over ``users`` users (nothing changed), each request held 150-400 ms."""
    add_round_users(conn, emu, users)
    return server_rounds(conn, emu, users, workers_list)


def server_rounds(conn, emu: Emulator, users: int, workers_list: list[int]) -> list[dict]:
    """For each N of ``workers_list``: a round over the ``users`` users there are by N worker jobs side by side (as
    pg_cron runs them: each a backend calling the round as nls_cron), each request held LATENCY; wall time."""
    emu.api.latency = LATENCY
    info = conn.info
    out = []
    for workers in workers_list:
        emu.api.reset_log()

        def worker():
            with psycopg.connect(
                host=info.host, port=info.port, user="nls_cron", dbname=info.dbname, autocommit=True
            ) as c:
                c.execute("CALL nls.sync_all_users_notion_databases()")

        threads = [threading.Thread(target=worker) for _ in range(workers)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - started
        out.append(
            {
                "workers": workers,
                "users": users,
                "wall": wall,
                "requests": len(emu.api.log),
                "per_15_min": users * 900 / wall,
            }
        )
    emu.api.latency = None
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--freshness-s", type=float, default=150, help="seconds over which edits are made (150)")
    ap.add_argument("--edits", type=int, default=40, help="edits timed for freshness (40)")
    ap.add_argument("--users", type=int, default=16, help="users of the scheduled round (16)")
    ap.add_argument("--workers", default="1,4,8", help="worker jobs side by side, as a list (1,4,8)")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument(
        "--fold-s",
        type=float,
        default=60.0,
        help="webhook deliveries as Notion sends them since 2026-10-15: a page's later edits of this many "
        "seconds folded into one event (60; 0: every event aggregated for 2 s, as before)",
    )
    args = ap.parse_args(argv)
    pg = start_cluster("nls_fresh", **{"cron.use_background_workers": "on", "max_worker_processes": "32"})
    receiver = None
    try:
        with Emulator() as emu:
            dsn = f"host={pg.host} port={pg.port} user={pg.user} dbname=nls_fresh"
            if nls(["install", "--dsn", dsn, "--workers", "1", "--schedule", "0 0 1 1 *"]) != 0:
                return 1
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("SELECT nls.set_setting('api_base_url', %s)", (emu.url,))
                gen, token = add_user(conn, emu, "learner", 600, args.seed)
                conn.execute("SELECT nls.sync_notion(user_id => 'learner')")
                conn.execute("SELECT nls.sync_notion(user_id => 'learner')")  # the trash's first look
                bill = request_bill(conn, emu, "learner", gen)
                emu.api.webhooks.fold_s = args.fold_s or None
                receiver, _ = serve_webhooks(conn, emu, "learner", token)
                emu.api.reset_log()
                fresh = freshness(conn, emu, "learner", gen, args.freshness_s, args.edits, args.seed)
                reads = sum(1 for r in emu.api.log if r["endpoint"] == "page_retrieve")
                bill["with"] = bill["without"] + bill["edits"] * max(1, round(reads / max(1, fresh["landed"])))
                rounds = users_per_server(conn, emu, args.users, [int(w) for w in args.workers.split(",")])
        report(fresh, bill, rounds)
    finally:
        if receiver is not None:
            receiver.terminate()
            receiver.wait(10)
        pg.stop()
    return 0


def report(fresh: dict, bill: dict, rounds: list[dict]) -> None:
    console.print(
        f"[bold]freshness with webhooks on[/bold] (each event applied once stored): {fresh['landed']} "
        f"of {fresh['edits']} edits landed; Notion's delivery to row in PostgreSQL: median "
        f"{fresh['delivery_median']:.1f} s, 95th percentile {fresh['delivery_p95']:.1f} s, slowest "
        f"{fresh['delivery_max']:.1f} s; edit to row: median {fresh['median']:.1f} s, 95th percentile "
        f"{fresh['p95']:.1f} s, slowest {fresh['max']:.1f} s"
    )
    t = Table(
        title=f"requests per user per day: {bill['data_sources']} data sources, {bill['pages']} pages, "
        f"{bill['edits']} edited a day, a run every 15 minutes",
        title_justify="left",
    )
    for col in ("", "requests a day", "x minimum"):
        t.add_column(col, justify="left" if not col else "right")
    rows = [
        ("minimum: one query per data source per run", bill["minimum"]),
        ("before the data sources were remembered: database read + query per data source", bill["main"]),
        (f"without webhooks: {bill['run']} a run, {bill['reconcile']} the daily reconciliation", bill["without"]),
        ("with webhooks: the same, and one page read per edit", bill["with"]),
    ]
    for name, n in rows:
        t.add_row(name, f"{n:,}", f"{n / bill['minimum']:.2f}")
    console.print(t)
    t = Table(
        title="one server, each Notion request 150-400 ms: a scheduled round of users with nothing changed",
        title_justify="left",
    )
    for col in ("worker jobs", "users", "round wall s", "requests", "users fresh every 15 min"):
        t.add_column(col, justify="right")
    for r in rounds:
        t.add_row(str(r["workers"]), str(r["users"]), f"{r['wall']:.1f}", str(r["requests"]), f"{r['per_15_min']:,.0f}")
    console.print(t)


if __name__ == "__main__":
    sys.exit(main())
