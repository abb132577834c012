"""``nls-install``: install nls into a PostgreSQL database over a plain libpq connection."""
from __future__ import annotations

import argparse
import os
import sys

from rich.console import Console

from . import install as ins

console = Console(highlight=False, soft_wrap=True)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nls-install",
        description="Install nls (Notion -> PostgreSQL sync that runs inside PostgreSQL) into a database: check the "
                    "server, create plpython3u and pg_cron, apply migrations, deploy the SQL and PL/Python, and "
                    "schedule the pg_cron job 'sync-notion-databases'. Running it again changes nothing.")
    p.add_argument("--dsn", default=os.environ.get("NLS_DSN", ""),
                   help="libpq connection string or URL (default: $NLS_DSN, then the PG* environment variables)")
    p.add_argument("--check", action="store_true", help="only check the server and say what would be done")
    p.add_argument("--schedule", default=ins.DEFAULT_SCHEDULE, metavar="CRON",
                   help=f"cron schedule of the sync job (default '{ins.DEFAULT_SCHEDULE}')")
    p.add_argument("--workers", type=int, default=ins.DEFAULT_WORKERS, metavar="N",
                   help=f"pg_cron worker jobs that sync users side by side (default {ins.DEFAULT_WORKERS}); each "
                        "runs as role nls_cron")
    p.add_argument("--no-schedule", action="store_true", help="do not create or change the pg_cron job")
    p.add_argument("--uninstall", action="store_true",
                   help="remove the pg_cron job and the nls schema with everything synced (asks first)")
    p.add_argument("--yes", action="store_true", help="with --uninstall: do not ask")
    return p


def _print_checks(report: ins.Report) -> None:
    for c in report.checks:
        mark = "[green]ok[/green]  " if c.ok else "[red]FAIL[/red]"
        console.print(f"  {mark} {c.name}: {c.detail}")
        if not c.ok and c.fix:
            console.print(f"         fix: {c.fix}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    password = None
    try:
        conn = ins.connect(args.dsn)
        password = conn.info.password
        console.print(f"[bold]nls-install[/bold]: database {conn.info.dbname} on {conn.info.host}:{conn.info.port} "
                      f"as {conn.info.user}")
        if args.uninstall:
            return _uninstall(conn, password, args.yes)
        console.print("Checking the server")
        report = ins.check(conn)
        needs_cron = not (args.no_schedule)
        failed = [c for c in report.checks if not c.ok and (needs_cron or c.name != "pg_cron")]
        _print_checks(report)
        if failed:
            console.print(f"[red]{len(failed)} check(s) failed[/red]: nothing was changed.")
            return 1
        if args.check:
            pending = ins.migrate(conn, password, apply=False)
            console.print(f"Would apply {len(pending)} migration(s){': ' + ', '.join(pending) if pending else ''}")
            console.print("Would re-apply sql/, the engine modules and plpython/")
            if needs_cron:
                console.print(ins.schedule(conn, password, args.schedule, args.workers, apply=False))
            return 0
        console.print("Installing")
        conn.execute("CREATE EXTENSION IF NOT EXISTS plpython3u")
        console.print("  extension plpython3u present")
        applied = ins.migrate(conn, password)
        console.print(f"  migrations: {'applied ' + ', '.join(applied) if applied else 'none pending'}")
        for line in ins.deploy(conn):
            console.print(f"  {line}")
        if needs_cron:
            console.print("  " + ins.schedule(conn, password, args.schedule, args.workers))
        else:
            console.print("  --no-schedule: pg_cron job left as it was")
        console.print("[green]nls is installed.[/green] Next: SELECT nls.add_integration(...); SELECT nls.add_source(...); "
                      "SELECT nls.sync_notion();")
        return 0
    except ins.InstallError as e:
        console.print(f"[red]error[/red]: {e}")
        if e.fix:
            console.print(f"  fix: {e.fix}")
        return 1


def _uninstall(conn, password, yes: bool) -> int:
    if not yes:
        if not sys.stdin.isatty():
            console.print("[red]refusing to uninstall without confirmation[/red]: add --yes")
            return 1
        answer = input(f"Remove nls and everything it synced from database {conn.info.dbname}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            console.print("nothing removed")
            return 1
    console.print("  " + ins.unschedule(conn, password))
    conn.execute("DROP SCHEMA IF EXISTS nls CASCADE")
    console.print("  dropped schema nls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
