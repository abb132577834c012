"""`make bench`: how fast nls syncs a generated learning workspace, and how close it comes to the floor.

Starts a throwaway PostgreSQL 15 cluster (pg_cron, plpython3u; scripts/pg_cluster.py on Debian's binaries, the
server run as the OS user postgres when root) and the Notion emulator in a thread on 127.0.0.1, installs nls with
the real installer, adds one source per database of a generated learning workspace (default 10,000 pages) and
measures:

- a full sync (``full_sync => true``), an incremental sync with nothing changed, one with 1% of the pages
  edited, and the daily reconciliation (ids-only read of every data source): wall time, pages per second,
  requests by endpoint (as the emulator counted them), retries;
- the peak memory of the syncing backend (``VmHWM`` and the peak of ``RssAnon`` sampled every 10 ms from
  ``/proc/<pid>/status``);
- the floor: the same full read by a bare loop (``requests`` against the emulator, then ``COPY`` into a plain
  jsonb table), with no change detection, no bookkeeping and no retries beyond honouring ``Retry-After``;
- the cleaning pipeline of the user: a first pass, a pass with nothing changed, and the pass after 1% edited;
- flat at scale (``--scale``): a full read of one data source of 10,000 and of 100,000 pages, rate limits off: the
  engine's own time per page (wall time less the emulator's serving time, which the emulator logs per request) and
  the backend's peak private memory (RssAnon).

Rate limits (Notion's 3 requests/s per integration) are on by default, as on api.notion.com; with
``--no-rate-limit`` the figures show the engine's own cost. Usage::

    make bench                                 # 10,000 pages, rate limits on
    make bench BENCH_ARGS="--pages 50000 --no-rate-limit"
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote

import psycopg
import requests
from rich.console import Console
from rich.table import Table

from nls_cli.main import main as nls
from nls_emulator import Emulator
from nls_emulator.generate import LEARNING_TARGETS
from nls_install import installed
from nls_install.installed import value

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from pg_cluster import Cluster

console = Console(highlight=False, width=170)
TOKEN = "secret_bench_token_not_a_real_one"
NOTION_VERSION = "2026-12-01"
USER = "bench-user"


class BackendMemory:
    """Samples ``RssAnon`` of one PostgreSQL backend every ``interval`` seconds; ``peak_kib`` / ``hwm_kib``."""

    def __init__(self, pid: int, interval: float = 0.01):
        self.path = Path(f"/proc/{pid}/status")
        self.interval = interval
        self.peak_kib = 0
        self.hwm_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _read(self) -> dict[str, int]:
        out = {}
        for line in self.path.read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("RssAnon", "VmHWM"):
                out[key] = int(value.split()[0])
        return out

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, self._read().get("RssAnon", 0))
            time.sleep(self.interval)

    def __enter__(self) -> BackendMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.hwm_kib = self._read().get("VmHWM", 0)


def start_cluster(dbname: str = "nls_bench", **options: str) -> Cluster:
    """A throwaway cluster in a fresh directory (removed by its stop()) holding an empty database ``dbname`` (pg_cron's
    database), started with ``options`` besides pg_cron; the server's environment holds a fresh token key."""
    pg = Cluster(
        options={"shared_preload_libraries": "pg_cron", "cron.database_name": dbname, **options},
        env={"NLS_ENCRYPTION_KEY": secrets.token_hex(32)},
    )
    try:
        pg.start()
        pg.create_database(dbname)
    except BaseException:
        pg.stop()
        raise
    return pg


def nls_run(
    conn: psycopg.Connection, emu: Emulator, pages: int, full: bool, user: str = USER, runs_in: int | None = None
) -> dict:
    """One ``nls.sync_notion(user_id => ...)`` call, measured; the memory is that of the calling backend, or of the
    process ``runs_in`` (an nls worker's pid, in the worker runtime)."""
    emu.api.reset_log()
    pid = runs_in or value(conn, "SELECT pg_backend_pid()")
    with BackendMemory(pid) as mem:
        t0 = time.perf_counter()
        result = value(conn, "SELECT nls.sync_notion(user_id => %s, full_sync => %s)", (user, full))
        wall = time.perf_counter() - t0
    failed = [r for r in result["results"] if r.get("status") != "success"]
    if failed:
        raise SystemExit(f"a sync failed: {json.dumps(failed)[:500]}")
    logs = installed.row(
        conn,
        "SELECT sum(items_processed), sum(items_added), sum(items_updated), sum(retries) "
        "FROM nls.sync_log WHERE id::text = ANY(%s)",
        ([r["sync_log_id"] for r in result["results"]],),
    )
    serving = sum(r["ms"] for r in emu.api.log) / 1000
    return {
        "wall": wall,
        "pages": pages,
        "processed": logs[0],
        "written": logs[1] + logs[2],
        "retries": logs[3],
        "requests": dict(emu.api.counters),
        "429s": _throttled(emu),
        "rss_peak_kib": mem.peak_kib,
        "hwm_kib": mem.hwm_kib,
        "serving": serving,
    }


def _throttled(emu: Emulator) -> int:
    return sum(1 for r in emu.api.log if r["status"] == 429)


def bare_run(
    conn: psycopg.Connection, emu: Emulator, data_source_ids: list[str], pages: int, version: str = NOTION_VERSION
) -> dict:
    """The floor: page through every data source with a plain requests loop, then COPY the pages as jsonb. From
    Notion-Version 2026-12-01 on it reads each data source's schema first and names every property by id
    (``filter_properties``), as lists carry the title only otherwise."""
    emu.api.reset_log()
    conn.execute("CREATE TABLE IF NOT EXISTS public.bare_pages (page jsonb)")
    conn.execute("TRUNCATE public.bare_pages")
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {TOKEN}", "Notion-Version": version})
    t0 = time.perf_counter()
    rows, retries = [], 0
    for ds in data_source_ids:
        body: dict = {"page_size": 100}
        params = None
        while version >= "2026-12-01" and params is None:
            r = session.get(f"{emu.url}/v1/data_sources/{ds}", timeout=(5, 60))
            if r.status_code == 429:
                retries += 1
                time.sleep(int(r.headers.get("Retry-After", "1")))
                continue
            r.raise_for_status()
            params = {"filter_properties": [unquote(p["id"]) for p in r.json()["properties"].values()]}
        while True:
            r = session.post(f"{emu.url}/v1/data_sources/{ds}/query", json=body, params=params, timeout=(5, 60))
            if r.status_code == 429:
                retries += 1
                time.sleep(int(r.headers.get("Retry-After", "1")))
                continue
            r.raise_for_status()
            data = r.json()
            rows.extend(data["results"])
            if not data.get("has_more"):
                break
            body["start_cursor"] = data["next_cursor"]
    with conn.cursor().copy("COPY public.bare_pages (page) FROM STDIN") as copy:
        for page in rows:
            copy.write_row((json.dumps(page),))
    wall = time.perf_counter() - t0
    stored = value(conn, "SELECT count(*) FROM public.bare_pages")
    return {
        "wall": wall,
        "pages": pages,
        "processed": len(rows),
        "written": stored,
        "retries": retries,
        "requests": dict(emu.api.counters),
        "429s": _throttled(emu),
        "rss_peak_kib": None,
        "hwm_kib": None,
        "serving": sum(r["ms"] for r in emu.api.log) / 1000,
    }


def clean_runs(conn: psycopg.Connection, emu: Emulator, gen, share: float, seed: int) -> list[tuple[str, float, int]]:
    """The learning pipeline over the synced pages of the user: a first pass (every row new), a pass with nothing
    changed, and the pass that follows a sync of ``share`` of the pages edited (timed by its own sync_log row)."""
    for name, target in LEARNING_TARGETS.items():
        conn.execute("UPDATE nls.sources SET target = %s WHERE database_id = %s", (target, gen.database_ids[name]))
    out = []
    for name in ("first pass", "nothing changed"):
        t0 = time.perf_counter()
        r = value(conn, "SELECT nls.clean(%s)", (USER,))
        if not r["success"]:
            raise SystemExit(f"the cleaning pipeline failed: {r}")
        out.append((name, time.perf_counter() - t0, r["added"] + r["updated"]))
    ids = [pid for ids in gen.page_ids.values() for pid in ids]
    for pid in random.Random(seed + 1).sample(ids, max(1, int(len(ids) * share))):
        gen.workspace.update_page(pid, {})
    result = value(conn, "SELECT nls.sync_notion(user_id => %s)", (USER,))
    log = result["cleaning"][0]["sync_log_id"]
    secs, rows = installed.row(
        conn,
        "SELECT extract(epoch FROM completed_at - started_at)::float8, items_added + "
        "items_updated FROM nls.sync_log WHERE id = %s",
        (log,),
    )
    out.append((f"{share:.0%} of the pages edited and synced", secs, rows))
    return out


def scale_runs(conn: psycopg.Connection, emu: Emulator, sizes: list[int], seed: int) -> list[tuple[str, dict]]:
    """A full read of one data source (Flashcards) of each size, rate limits off: the engine's own time per page
    (wall less the emulator's serving time) and the backend's peak private memory."""
    from nls_emulator.generate import LEARNING_SHARE

    emu.api.rate_limits.enabled = False
    for name in ("rate_limit_per_s", "workspace_rate_limit_per_s", "rate_limit_burst"):
        conn.execute("SELECT nls.set_setting(%s, '100000')", (name,))
    out = []
    for n in sizes:
        user, token = f"scale-{n}", f"{TOKEN}-scale-{n}"
        gen = emu.add_generated("learning", pages=int(n / LEARNING_SHARE["Flashcards"]) + 10, seed=seed, token=token)
        pages = len(gen.page_ids["Flashcards"])
        conn.execute("SELECT nls.add_integration(%s, %s)", (user, token))
        conn.execute("SELECT nls.add_source(%s, %s)", (user, gen.database_ids["Flashcards"]))
        with psycopg.connect(conn.info.dsn, autocommit=True) as fresh:  # a backend of its own: its peak is this read's
            m = nls_run(fresh, emu, pages, full=True, user=user)
        m["own_ms_per_page"] = (m["wall"] - m["serving"]) * 1000 / pages
        out.append((f"one data source, {pages:,} pages, full read", m))
        for k in list(emu.api.integrations):  # the next size's workspace alone in memory
            if k == token:
                emu.api.integrations.pop(k)
    return out


def limit_runs(
    conn: psycopg.Connection, emu: Emulator, gen, total: int, budget: int, window_s: float
) -> list[tuple[str, dict]]:
    """The full read against each of Notion's statements of its limits, nls (twice: the first run learns what the
    second knows) against the bare loop that bursts and waits out each Retry-After: a window budget (``budget``
    requests per ``window_s`` seconds for the token, the workspace's far away) and the older 3/s bucket with a
    burst of 10. nls runs with its defaults (``rate_limit_model`` window, 3/s until a budget is learned), its
    window set to the emulator's; the budgets every backend shares start empty for each."""
    limits = [
        (
            f"window budget {budget} / {window_s:g} s",
            {"mode": "window", "token_budget": budget, "window_s": window_s, "workspace_budget": 100000},
        ),
        (
            "3/s bucket, burst 10",
            {
                "mode": "bucket",
                "token_rate": 3.0,
                "token_burst": 10.0,
                "workspace_rate": 1000.0,
                "workspace_burst": 1000.0,
            },
        ),
    ]
    for name in ("rate_limit_per_s", "workspace_rate_limit_per_s", "rate_limit_burst"):  # the defaults
        conn.execute("SELECT nls.set_setting(%s, '3')", (name,))
    conn.execute("SELECT nls.set_setting('rate_limit_window_s', %s)", (str(window_s),))
    out = []
    for label, settings in limits:
        conn.execute("SELECT setval(seq, 0) FROM nls._budget_registers")  # nothing learned, nothing spent
        emu.api.rate_limits.set({"enabled": True, **settings})
        for run in ("nls full, first", "nls full, again"):  # each from a window of its own, as the bare loop
            out.append((f"{label}: {run}", nls_run(conn, emu, total, full=True)))
            time.sleep(window_s + 3)
        emu.api.rate_limits.reset()
        out.append((f"{label}: bare loop + COPY", bare_run(conn, emu, list(gen.data_source_ids.values()), total)))
        time.sleep(window_s + 3)
    emu.api.rate_limits.set({"enabled": False})
    return out


def report(rows: list[tuple[str, dict]], title: str) -> None:
    table = Table(title=title, title_justify="left")
    for col in (
        "run",
        "wall s",
        "emulator serving s",
        "own ms/page",
        "pages read",
        "rows written",
        "requests by endpoint",
        "of them 429",
        "retries",
        "backend RssAnon peak",
        "backend VmHWM",
    ):
        table.add_column(col, justify="left" if col in ("run", "requests by endpoint") else "right")
    for name, m in rows:
        reqs = ", ".join(f"{k} {v}" for k, v in sorted(m["requests"].items()))
        own = (m["wall"] - m["serving"]) * 1000 / max(1, m["pages"])
        table.add_row(
            name,
            f"{m['wall']:.2f}",
            f"{m['serving']:.2f}",
            f"{own:.3f}",
            f"{m['processed']:,}",
            f"{m['written']:,}",
            reqs,
            str(m["429s"]),
            str(m["retries"]),
            "" if m["rss_peak_kib"] is None else f"{m['rss_peak_kib'] / 1024:.1f} MiB",
            "" if m["hwm_kib"] is None else f"{m['hwm_kib'] / 1024:.1f} MiB",
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=10_000, help="pages in the generated workspace (default 10000)")
    ap.add_argument("--changed", type=float, default=0.01, help="share of pages edited before the 3rd run (0.01)")
    ap.add_argument("--no-rate-limit", action="store_true", help="turn the emulator's rate limits off")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--notion-version",
        default=NOTION_VERSION,
        choices=("2025-09-03", "2026-03-11", "2026-12-01"),
        help=f"the Notion-Version nls and the floor send (default {NOTION_VERSION})",
    )
    ap.add_argument(
        "--window-budget",
        type=int,
        default=40,
        help="the limits' comparison: a token's budget per window (40; 0 skips the comparison)",
    )
    ap.add_argument(
        "--window-s",
        type=float,
        default=20.0,
        help="the limits' comparison: the window, seconds (20; Notion's is 60, shorter keeps it short)",
    )
    ap.add_argument(
        "--scale",
        default="10000,100000",
        help="sizes of the one-data-source full reads, rate limits off (default 10000,100000; '' for none)",
    )
    args = ap.parse_args(argv)

    with start_cluster() as pg:
        emu = Emulator().start()
        try:
            gen = emu.add_generated("learning", pages=args.pages, seed=args.seed, token=TOKEN)
            emu.api.rate_limits.enabled = not args.no_rate_limit
            total = sum(len(ids) for ids in gen.page_ids.values())
            dsn = f"host={pg.host} port={pg.port} user={pg.user} dbname=nls_bench"
            console.print(
                f"[bold]nls bench[/bold]: {total:,} pages in {len(gen.database_ids)} data sources, "
                f"rate limits {'off' if args.no_rate_limit else 'on (3 requests/s per integration)'}"
            )
            if nls(["install", "--dsn", dsn, "--no-schedule"]) != 0:
                return 1
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("SELECT nls.set_setting('api_base_url', %s)", (emu.url,))
                conn.execute("SELECT nls.set_setting('notion_version', %s)", (args.notion_version,))
                if args.no_rate_limit:  # nothing to stay under: nls's own pacing is lifted as well
                    for name in ("rate_limit_per_s", "workspace_rate_limit_per_s", "rate_limit_burst"):
                        conn.execute("SELECT nls.set_setting(%s, '100000')", (name,))
                conn.execute("SELECT nls.add_integration(%s, %s)", (USER, TOKEN))
                for db_id in gen.database_ids.values():
                    conn.execute("SELECT nls.add_source(%s, %s)", (USER, db_id))
                runs = [
                    ("nls full", nls_run(conn, emu, total, full=True)),
                    ("nls incremental, nothing changed", nls_run(conn, emu, total, full=False)),
                ]
                all_ids = [pid for ids in gen.page_ids.values() for pid in ids]
                picked = random.Random(args.seed).sample(all_ids, max(1, int(len(all_ids) * args.changed)))
                for pid in picked:
                    gen.workspace.update_page(pid, {})
                runs.append((f"nls incremental, {len(picked)} changed", nls_run(conn, emu, total, full=False)))
                conn.execute("SELECT nls.set_setting('reconcile_interval_s', '0')")  # the daily one, due now
                runs.append(("nls reconciliation (ids only)", nls_run(conn, emu, total, full=False)))
                conn.execute("SELECT nls.set_setting('reconcile_interval_s', '86400')")
                emu.api.rate_limits.reset()
                runs.append(
                    (
                        "floor: bare loop + COPY",
                        bare_run(conn, emu, list(gen.data_source_ids.values()), total, args.notion_version),
                    )
                )
                stored = value(conn, "SELECT count(*) FROM nls.stg_notion_pages")
                cleaning = clean_runs(conn, emu, gen, args.changed, args.seed)
                compared = (
                    limit_runs(conn, emu, gen, total, args.window_budget, args.window_s)
                    if args.window_budget and not args.no_rate_limit
                    else []
                )
                sizes = [int(x) for x in args.scale.split(",") if x.strip()]
                scale = scale_runs(conn, emu, sizes, args.seed) if sizes else []
            report(runs, "sync of the generated learning workspace")
            if compared:
                report(
                    compared,
                    "Notion's limits as stated now (a window budget) and before (3/s, burst 10): nls "
                    "against a bare loop that bursts and waits out each Retry-After",
                )
            console.print(
                "cleaning pipeline (nls.clean(user), the same pages as the seven learning sources): "
                + "; ".join(f"{name} {secs:.3f} s, {rows:,} canonical rows written" for name, secs, rows in cleaning)
                + f"; the edited pass at {cleaning[2][1] / cleaning[0][1]:.1%} of the first"
            )
            if scale:
                report(scale, "flat at scale: a full read of one data source, rate limits off")
                own = [m["own_ms_per_page"] for _, m in scale]
                rss = [m["rss_peak_kib"] for _, m in scale]
                console.print(
                    f"engine's own time per page {' -> '.join(f'{x:.3f} ms' for x in own)} "
                    f"(x{own[-1] / own[0]:.2f}); backend peak RssAnon "
                    f"{' -> '.join(f'{x / 1024:.0f} MiB' for x in rss)} (x{rss[-1] / rss[0]:.2f})"
                )
            console.print(
                f"pages stored by nls: {stored:,} of {total:,}; full sync at "
                f"{runs[0][1]['wall'] / runs[-1][1]['wall']:.2f}x the floor's wall time"
            )
        finally:
            emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
