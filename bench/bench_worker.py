"""`make bench`, part five: the worker runtime (``nls worker`` beside the server) against the server runtime
(PL/Python inside it), on the same generated workspace (docs/benchmarks.md, docs/managed.md).

Starts two throwaway clusters: one as you run your own server (nls installed by the superuser: the server runtime)
and one set up as managed services set theirs up (``Cluster.provide_database``: the database's owner is no superuser
and cannot create plpython3u; pg_cron, dblink and pgcrypto created by the superuser; every role signs in with a
password). There ``nls install --check`` must choose the worker runtime, ``nls install --runtime worker`` installs
it, and real ``nls worker`` processes (subprocesses, the key in their environment only) serve it. Measured, with the
emulator in a thread serving a generated learning workspace (``--pages``, 10,000) to both:

- a full read, an unchanged run and a push of ``--cards`` (1,000) changed cards, in each runtime: wall time, the
  emulator's serving time, the engine's own time per page, and the peak private memory (RssAnon) of what ran the
  engine (the calling backend in the server runtime, the worker process in the worker runtime); rate limits off by
  default (the engine's own cost: under Notion's 3 requests/s both runtimes take what the limit allows,
  ``--rate-limit`` shows it), then whether both stored the same rows (pages and their hashes, the cleaned cards);
- ``SELECT nls.sync_notion(...)`` through psql, as a DBA runs it, returning its JSON;
- how many users one ``nls worker`` keeps fresh every 15 minutes: a round with nothing changed over ``--users`` (32)
  users, every Notion request held 150-400 ms by the emulator, nls's pacing at Notion's 3 requests/s per user,
  for each ``--concurrency`` (1,4,8,16) of one process and for two processes (``--two``, 4,8 slots each), against
  eight pg_cron worker jobs of the server runtime over the same users (users x 900 s / wall of one round), with the
  connections each takes (the peak of nls_worker's and the loopback's backends during the round).

Usage: ``make bench`` runs it; ``.venv/bin/python bench/bench_worker.py --pages 2000 --cards 300 --users 16
--concurrency 1,8 --two 4`` for a quicker look (about 3 minutes); ``--pages 50000`` for the big figures.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

from nls_cli.main import main as nls
from nls_emulator import Emulator
from nls_emulator.generate import LEARNING_TARGETS
from nls_install.installed import row, value

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from bench_fresh import LATENCY, add_round_users, server_rounds
from bench_push import change_cards, push, rate_limits
from bench_sync import TOKEN, USER, nls_run, report, start_cluster
from pg_cluster import MANAGED_OPTIONS, Cluster

console = Console(highlight=False, width=170)
DB = "nls_bench"
OWNER, OWNER_PASSWORD, WORKER_PASSWORD = "bench_owner", "bench-owner-password", "bench-worker-password"
COMMAND = str(Path(sys.executable).with_name("nls"))
SAME_ROWS = (
    "SELECT (SELECT count(*) || ' pages ' || md5(string_agg(page_id || ':' || sync_hash, ',' ORDER BY "
    "page_id)) FROM nls.stg_notion_pages), (SELECT count(*) || ' cards ' || md5(string_agg(concat_ws(':', "
    "notion_id, card_id, front, back), ',' ORDER BY notion_id)) FROM nls.learning_atoms)"
)
CONNECTIONS = (
    "SELECT count(*) FILTER (WHERE usename = 'nls_worker'), count(*) FILTER (WHERE usename LIKE "
    "'nls\\_loopback\\_%') FROM pg_stat_activity WHERE datname = current_database()"
)


class Workers:
    """``processes`` real ``nls worker`` processes of ``concurrency`` slots each, serving the database at ``dsn``
    with the encryption key ``key`` in their environment; started when the block begins (once every slot is
    connected), stopped with SIGTERM when it ends."""

    def __init__(self, owner: psycopg.Connection, dsn: str, key: str, concurrency: int, processes: int = 1):
        self.owner, self.dsn, self.key = owner, dsn, key
        self.concurrency, self.processes = concurrency, processes
        self.procs: list[subprocess.Popen] = []
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (the block's: closed when it ends)

    @property
    def pid(self) -> int:
        return self.procs[0].pid

    def __enter__(self) -> Workers:
        env = {**os.environ, "NLS_ENCRYPTION_KEY": self.key}
        self.procs = [
            subprocess.Popen(
                [COMMAND, "worker", "--dsn", self.dsn, "--concurrency", str(self.concurrency)],
                env=env,
                stdout=self.log,
                stderr=self.log,
            )
            for _ in range(self.processes)
        ]
        want = self.processes * (self.concurrency + 1)  # a connection per slot, one for the heartbeat
        deadline = time.monotonic() + 60
        while (
            value(self.owner, CONNECTIONS) < want
            or value(
                self.owner,
                "SELECT count(*) FROM nls.workers WHERE alive AND pid = ANY(%s)",
                ([p.pid for p in self.procs],),
            )
            < self.processes
        ):
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.procs):
                self.__exit__()
                raise SystemExit(f"nls worker did not start: {self.output()}")
            time.sleep(0.1)
        return self

    def __exit__(self, *exc) -> None:
        started = time.monotonic()
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        codes = [p.wait(30) for p in self.procs]
        self.stopped_s = time.monotonic() - started
        if any(codes):
            console.print(f"nls worker exited with {codes}: {self.output()}")
        self.log.close()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()[-2000:]


class PeakConnections(threading.Thread):
    """The peak number of nls_worker's and the loopback role's backends in the database at ``dsn``, sampled every
    50 ms while the block runs: ``worker``, ``loopback``."""

    def __init__(self, dsn: str):
        super().__init__(daemon=True)
        self.dsn, self.worker, self.loopback = dsn, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as c:
            while not self.done.is_set():
                worker, loopback = row(c, CONNECTIONS)
                self.worker, self.loopback = max(self.worker, worker), max(self.loopback, loopback)
                self.done.wait(0.05)

    def __enter__(self) -> PeakConnections:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.join()


def managed_database(pg: Cluster) -> tuple[str, str, str]:
    """Install nls into a database set up as a managed service sets it up, as its owner would: ``nls install
    --check`` must choose the worker runtime, then ``nls install --runtime worker``. Returns (the owner's DSN, the
    workers' DSN, the check's runtime line)."""
    dsn = pg.provide_database(DB, OWNER, OWNER_PASSWORD)
    check = subprocess.run([COMMAND, "install", "--dsn", dsn, "--check"], capture_output=True, text=True)
    line = next((x.strip() for x in check.stdout.splitlines() if "runtime:" in x), check.stdout + check.stderr)
    if check.returncode != 0 or not line.startswith("ok   runtime: worker:"):
        raise SystemExit(f"nls install --check on the managed-like server did not choose the worker runtime: {line}")
    if nls(["install", "--dsn", dsn, "--runtime", "worker", "--no-schedule"]) != 0:  # as the server runtime's
        raise SystemExit("nls install --runtime worker failed")
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f"ALTER ROLE nls_worker PASSWORD '{WORKER_PASSWORD}'")
    return (
        dsn,
        dsn.replace(f"user={OWNER} password={OWNER_PASSWORD}", f"user=nls_worker password={WORKER_PASSWORD}"),
        line,
    )


def set_up(conn: psycopg.Connection, emu: Emulator, gen, token: str) -> None:
    """The emulator, nls's pacing lifted, the user's integration (``token``) and one source per database (no target
    yet)."""
    conn.execute("SELECT nls.set_setting('api_base_url', %s)", (emu.url,))
    rate_limits(conn, emu, False)
    conn.execute("SELECT nls.add_integration(%s, %s)", (USER, token))
    for db_id in gen.database_ids.values():
        conn.execute("SELECT nls.add_source(%s, %s)", (USER, db_id))


def reads(conn: psycopg.Connection, emu: Emulator, gen, runs_in: int | None) -> list[dict]:
    """A full read and an unchanged run (the memory: of the process ``runs_in``, else the calling backend); then
    the learning targets and the cleaning, for the push."""
    pages = sum(len(ids) for ids in gen.page_ids.values())
    out = [
        nls_run(conn, emu, pages, full=True, runs_in=runs_in),
        nls_run(conn, emu, pages, full=False, runs_in=runs_in),
    ]
    for name, target in LEARNING_TARGETS.items():
        conn.execute("UPDATE nls.sources SET target = %s WHERE database_id = %s", (target, gen.database_ids[name]))
    if not value(conn, "SELECT nls.clean(%s)", (USER,))["success"]:
        raise SystemExit("the cleaning pipeline failed")
    return out


def pushed(conn: psycopg.Connection, emu: Emulator, cards: int, tag: str) -> dict:
    """``cards`` cards changed locally, read again (as the schedule does), then pushed (bench_push's push)."""
    n = change_cards(conn, cards, tag)
    conn.execute("SELECT nls.sync_notion(user_id => %s)", (USER,))
    m = push(conn, emu)
    m["changed"] = n
    return m


def psql_sync(dsn: str) -> dict:
    """``SELECT nls.sync_notion(...)`` in psql, as a DBA runs it: its JSON, parsed."""
    out = subprocess.run(
        ["psql", dsn, "-v", "ON_ERROR_STOP=1", "-Atc", f"SELECT nls.sync_notion(user_id => '{USER}')"],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"psql: {out.stderr.strip()}")
    return json.loads(out.stdout)


def worker_round(
    conn: psycopg.Connection,
    emu: Emulator,
    dsns: tuple[str, str, str],
    key: str,
    users: int,
    concurrency: int,
    processes: int = 1,
) -> dict:
    """A round of the schedule over the users with nothing changed (``CALL nls.sync_all_users_notion_databases()``,
    what pg_cron's job runs: it opens the round and waits until the workers ran it), served by ``processes`` nls
    worker processes of ``concurrency`` slots, each request held LATENCY: wall, requests, peak connections."""
    with Workers(conn, dsns[1], key, concurrency, processes) as workers:
        emu.api.latency = LATENCY
        emu.api.reset_log()
        with PeakConnections(dsns[0]) as peak:
            started = time.monotonic()
            conn.execute("CALL nls.sync_all_users_notion_databases()")
            wall = time.monotonic() - started
        emu.api.latency = None
    ran = row(
        conn,
        "SELECT count(*) FILTER (WHERE status = 'completed'), count(*) FROM nls.sync_rounds "
        "WHERE round = (SELECT max(round) FROM nls.sync_rounds)",
    )
    if ran != (users, users):
        raise SystemExit(f"the round completed {ran[0]} of {ran[1]} users, not {users}")
    return {
        "processes": processes,
        "concurrency": concurrency,
        "users": users,
        "wall": wall,
        "requests": len(emu.api.log),
        "per_15_min": users * 900 / wall,
        "worker_connections": peak.worker,
        "loopback_connections": peak.loopback,
        "stopped_s": workers.stopped_s,
    }


def rounds(conns: dict, emu: Emulator, dsns: tuple[str, str, str], key: str, args) -> list[dict]:
    """The rounds of both runtimes over ``args.users`` users of their own (bench-user's sources off)."""
    for c in conns.values():
        c.execute("UPDATE nls.sources SET enabled = false WHERE user_id = %s", (USER,))
    add_round_users(conns["server"], emu, args.users, "server")
    with Workers(conns["worker"], dsns[1], key, 8):
        add_round_users(conns["worker"], emu, args.users, "worker")
    for c in conns.values():
        rate_limits(c, emu, True)  # nls's pacing at Notion's 3 requests/s per user again
        emu.api.rate_limits.enabled = False  # as bench_fresh: nls's pacing alone keeps each user under it
    out = [{"runtime": "server", **r} for r in server_rounds(conns["server"], emu, args.users, [8])]
    for c in [int(x) for x in args.concurrency.split(",") if x.strip()]:
        out.append({"runtime": "worker", **worker_round(conns["worker"], emu, dsns, key, args.users, c)})
    for c in [int(x) for x in args.two.split(",") if x.strip()]:
        out.append({"runtime": "worker", **worker_round(conns["worker"], emu, dsns, key, args.users, c, 2)})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=10_000, help="pages in the generated workspace (default 10000)")
    ap.add_argument("--cards", type=int, default=1000, help="cards changed locally before each push (1000)")
    ap.add_argument("--rate-limit", action="store_true", help="the read and the push under Notion's 3 requests/s")
    ap.add_argument("--users", type=int, default=32, help="users of the scheduled round (32)")
    ap.add_argument("--concurrency", default="1,4,8,16", help="slots of one nls worker, as a list (1,4,8,16)")
    ap.add_argument("--two", default="4,8", help="slots of each of two nls worker processes, as a list (4,8)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    key = secrets.token_hex(32)
    with start_cluster(DB) as server_pg, Cluster(options=MANAGED_OPTIONS) as managed_pg, Emulator() as emu:
        managed_pg.start()
        now = time.time()  # the same workspace for each runtime, each its own copy (a push changes it)
        gens = {
            name: emu.add_generated("learning", pages=args.pages, seed=args.seed, token=f"{TOKEN}-{name}", now=now)
            for name in ("server", "worker")
        }
        gen = gens["server"]
        total = sum(len(ids) for ids in gen.page_ids.values())
        console.print(
            f"[bold]nls bench: the worker runtime[/bold]: {total:,} pages in {len(gen.database_ids)} data "
            f"sources, rate limits {'on (3 requests/s)' if args.rate_limit else 'off'}"
        )
        if nls(["install", "--dsn", server_pg.dsn(DB), "--no-schedule"]) != 0:
            return 1
        dsns = managed_database(managed_pg)
        with psycopg.connect(server_pg.dsn(DB), autocommit=True) as s, psycopg.connect(dsns[0], autocommit=True) as w:
            conns = {"server": s, "worker": w}
            figures = compared(conns, emu, gens, dsns, key, args)
            round_figures = rounds(conns, emu, dsns, key, args)
    print_report(dsns[2], figures, round_figures)
    return 0


def compared(conns: dict, emu: Emulator, gens: dict, dsns: tuple[str, str, str], key: str, args) -> dict:
    """The full read, the unchanged run and the push in both runtimes, the rows each stored, psql's answer."""
    runs: dict[str, list] = {}
    with Workers(conns["worker"], dsns[1], key, 4) as workers:
        for name, conn in conns.items():
            set_up(conn, emu, gens[name], f"{TOKEN}-{name}")
            runs[name] = reads(conn, emu, gens[name], workers.pid if name == "worker" else None)
        same = {name: row(conn, SAME_ROWS) for name, conn in conns.items()}
        for name, conn in conns.items():
            if args.rate_limit:
                rate_limits(conn, emu, True)
            runs[name].append(pushed(conn, emu, args.cards, name))
        answer = psql_sync(dsns[0])
        used = row(conns["worker"], CONNECTIONS)
    return {"runs": runs, "same": same, "psql": answer, "connections": used, "stopped_s": workers.stopped_s}


def print_report(check_line: str, figures: dict, round_figures: list[dict]) -> None:
    console.print(f"nls install --check on the managed-like server: {check_line}")
    runs = figures["runs"]
    rows = []
    for name in ("server", "worker"):
        full, unchanged, _ = runs[name]
        rows += [(f"{name}: full read", full), (f"{name}: unchanged run", unchanged)]
    report(rows, "the read in both runtimes (memory: the calling backend; in the worker runtime the worker process)")
    table = Table(title="the push in both runtimes (nls.push_notion)", title_justify="left")
    for col in (
        "runtime",
        "cards changed",
        "pages written",
        "requests by endpoint",
        "of them 429",
        "wall s",
        "ms / object",
    ):
        table.add_column(col, justify="left" if col in ("runtime", "requests by endpoint") else "right")
    for name in ("server", "worker"):
        m = runs[name][2]
        table.add_row(
            name,
            f"{m['changed']:,}",
            f"{m['written']:,}",
            ", ".join(f"{k} {v}" for k, v in sorted(m["requests"].items())),
            str(m["429s"]),
            f"{m['wall']:.2f}",
            f"{1000 * m['wall'] / max(1, m['written']):.1f}",
        )
    console.print(table)
    for name in ("server", "worker"):
        f, u, p = (runs[name][0]["wall"], runs[name][1]["wall"], runs[name][2]["wall"])
        console.print(f"{name} runtime: full {f:.2f} s, unchanged {u:.3f} s, push {p:.2f} s")
    same = figures["same"]
    console.print(
        f"same rows in both runtimes: {'yes' if same['server'] == same['worker'] else 'NO'} "
        f"(server {' / '.join(same['server'])}; worker {' / '.join(same['worker'])})"
    )
    answer = figures["psql"]
    statuses = sorted({r["status"] for r in answer["results"]})
    console.print(
        f"psql on the managed-like server: SELECT nls.sync_notion(...) returned its JSON: success "
        f"{answer['success']}, {len(answer['results'])} results ({', '.join(statuses)}); one worker of 4 "
        f"slots held {figures['connections'][0]} connections; SIGTERM stopped it in "
        f"{figures['stopped_s']:.1f} s"
    )
    t = Table(
        title=f"users fresh every 15 minutes: a round with nothing changed, each Notion request held "
        f"{LATENCY[0] * 1000:.0f}-{LATENCY[1] * 1000:.0f} ms",
        title_justify="left",
    )
    for col in (
        "runtime",
        "processes x slots",
        "users",
        "round wall s",
        "requests",
        "users fresh every 15 min",
        "connections (peak)",
    ):
        t.add_column(col, justify="left" if col == "runtime" else "right")
    for r in round_figures:
        if r["runtime"] == "server":
            t.add_row(
                "server: pg_cron worker jobs",
                f"{r['workers']} jobs",
                str(r["users"]),
                f"{r['wall']:.1f}",
                str(r["requests"]),
                f"{r['per_15_min']:,.0f}",
                f"{r['workers']} backends",
            )
        else:
            t.add_row(
                "worker: nls worker",
                f"{r['processes']} x {r['concurrency']}",
                str(r["users"]),
                f"{r['wall']:.1f}",
                str(r["requests"]),
                f"{r['per_15_min']:,.0f}",
                f"{r['worker_connections']} nls_worker, {r['loopback_connections']} loopback",
            )
    console.print(t)


if __name__ == "__main__":
    sys.exit(main())
