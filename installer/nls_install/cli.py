"""``nls install`` and its alias ``nls-install``: install nls into a PostgreSQL database over a plain libpq
connection. Both use :func:`add_arguments` and :func:`run`; :func:`main` is ``nls-install``."""
from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.markup import escape

from nls_cli.main import add_dsn_argument

from . import atomic, installed, plan
from . import install as ins
from .resources import Shipped

console = Console(highlight=False, soft_wrap=True)

DESCRIPTION = ("Install nls (Notion -> PostgreSQL sync that runs inside PostgreSQL) into a database: check the "
               "server, create plpython3u and pg_cron, apply migrations, deploy the SQL and PL/Python, and "
               "schedule the pg_cron job 'sync-notion-databases'. Running it again changes nothing.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the installer's options to ``p`` (the parser of ``nls install`` or of ``nls-install``)."""
    add_dsn_argument(p)
    p.add_argument("--check", action="store_true",
                   help="only check the server and print the plan: the releases from and to, the migrations, engine "
                        "modules, settings and schedule it would change, and the pg_dump command of a backup")
    p.add_argument("--schedule", default=None, metavar="CRON",
                   help=f"cron schedule of the sync job (default: the one the jobs have; '{ins.DEFAULT_SCHEDULE}' "
                        "for new jobs)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="pg_cron worker jobs that sync users side by side, each as role nls_cron (default: as many "
                        f"as there are; {ins.DEFAULT_WORKERS} for new jobs)")
    p.add_argument("--runtime", choices=("auto", "server", "worker"), default="auto",
                   help="where the engine runs: server (inside PostgreSQL, PL/Python: needs a superuser), worker "
                        "(in nls worker processes beside the server: for managed PostgreSQL without plpython3u), or "
                        "auto (default: the one installed; else server where this role can create plpython3u, "
                        "worker elsewhere)")
    p.add_argument("--loopback-host", default=None, metavar="HOST",
                   help="worker runtime: the host the database server reaches itself at (its loopback connection "
                        "commits calls at once); default: the host this install connects to")
    p.add_argument("--no-schedule", action="store_true", help="do not create or change the pg_cron job")
    p.add_argument("--uninstall", action="store_true",
                   help="remove what nls made in the database (its pg_cron jobs, the nls schema with everything "
                        "synced, the schemas it made for typed views, the settings it set) and say what stays: "
                        "the roles, cluster-wide, and the extensions (asks first)")
    p.add_argument("--yes", action="store_true", help="with --uninstall: do not ask")


def build_parser(prog: str = "nls-install") -> argparse.ArgumentParser:
    """The parser of ``nls-install`` (``nls install`` gets the same options from :func:`add_arguments`)."""
    p = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    add_arguments(p)
    return p


def _print_checks(report: ins.Report) -> None:
    """Print each check of ``report`` as ok or FAIL, with the fix of a failed one."""
    for c in report.checks:
        mark = "[green]ok[/green]  " if c.ok else "[yellow]--[/yellow]  " if c.optional else "[red]FAIL[/red]"
        console.print(f"  {mark} {c.name}: {c.detail}")
        if not c.ok and c.fix:
            console.print(f"         fix: {c.fix}")


def main(argv: list[str] | None = None) -> int:
    """``nls-install`` with ``argv`` (default: the process's arguments); returns the exit code."""
    return run(build_parser().parse_args(argv))


def run(args: argparse.Namespace, prog: str = "nls-install") -> int:
    """Check, install or uninstall as ``args`` say; print each step. Returns 0, or 1 when something failed (said on
    one line, with its fix: never a traceback)."""
    try:
        with ins.step(prog), ins.connect(args.dsn) as conn:
            console.print(f"[bold]{prog}[/bold]: database {conn.info.dbname} on {conn.info.host}:{conn.info.port} "
                          f"as {conn.info.user}")
            if args.uninstall:
                return _uninstall(conn, conn.info.password, args.yes)
            return _install(conn, conn.info.password, args)
    except ins.InstallError as e:
        console.print(f"[red]error[/red]: {escape(str(e))}")
        if e.fix:
            console.print(f"  fix: {escape(e.fix)}")
        return 1


def _install(conn, password, args: argparse.Namespace) -> int:
    """Check the server; then say what would be done (``--check``) or do it."""
    console.print("Checking the server")
    with ins.step("checking the server"):
        report = ins.check(conn, args.runtime)
    needs_cron = not args.no_schedule
    failed = [c for c in report.checks if not c.ok and not c.optional and (needs_cron or c.name != "pg_cron")]
    _print_checks(report)
    if failed:
        console.print(f"[red]{len(failed)} check(s) failed[/red]: nothing was changed.")
        return 1
    found, shipped = installed.read(conn), Shipped()
    refused = plan.refusal(found, shipped)
    if refused:
        raise refused
    if args.check:
        with ins.step("reading what is to do"):
            jobs = ins.schedule(conn, password, args.schedule, args.workers, apply=False,
                                runtime_name=report.choice.runtime) if needs_cron else ""
            lines = plan.make(conn, found, shipped, jobs).lines()
        for line in lines:
            console.print(escape(line))
        return 0
    console.print(f"Installing nls {shipped.version}" + (f" over {found.describe()}" if found.migrations else "")
                  + ", in one transaction")
    for line in atomic.install(conn, shipped, report.choice, args.loopback_host):
        console.print(f"  {escape(line)}")
    if needs_cron:
        with ins.step("scheduling the pg_cron jobs"):
            console.print("  " + ins.schedule(conn, password, args.schedule, args.workers,
                                              runtime_name=report.choice.runtime))
    else:
        console.print("  --no-schedule: pg_cron job left as it was")
    console.print("[green]nls is installed.[/green] Next: SELECT nls.add_integration(...); SELECT nls.add_source(...); "
                  "SELECT nls.sync_notion();")
    if report.choice.runtime == "worker":
        console.print(f"The engine runs in nls worker processes: give the role nls_worker a password (ALTER ROLE "
                      f"nls_worker PASSWORD '...'), then run NLS_ENCRYPTION_KEY=... nls worker --dsn 'host=... "
                      f"dbname={conn.info.dbname} user=nls_worker' (docs/managed.md)")
    return 0


def _uninstall(conn, password, yes: bool) -> int:
    """Remove what nls made in the database (:func:`nls_install.install.uninstall`), after asking unless ``yes``;
    print what was removed and what stays, with the statements that drop the rest."""
    if not yes:
        if not sys.stdin.isatty():
            console.print("[red]refusing to uninstall without confirmation[/red]: add --yes")
            return 1
        answer = input(f"Remove nls and everything it synced from database {conn.info.dbname}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            console.print("nothing removed")
            return 1
    with ins.step("uninstalling"):
        removal = ins.uninstall(conn, password)
    for line in removal.removed:
        console.print(f"  {line}")
    if removal.stays:
        console.print("What stays:")
        for line in removal.stays:
            console.print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
