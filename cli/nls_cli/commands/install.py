"""``nls install`` and its alias ``nls-install``: check, install, upgrade or uninstall nls in a PostgreSQL database
over a plain libpq connection. The options, the run and what it prints are here; the work is
:mod:`nls_install`'s functions, which return what they found or did (checks, the plan's lines, the steps done, what
an uninstall removed and what stays) and raise :class:`nls_install.install.InstallError` with its fix."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ..main import add_dsn_argument, command, main

if TYPE_CHECKING:
    import psycopg

PROG = "nls install"
DESCRIPTION = (
    "Install nls (Notion -> PostgreSQL sync) into a database: check the server, choose the runtime (the "
    "engine inside PostgreSQL with PL/Python, or beside it in nls worker processes where plpython3u "
    "cannot be created, as on managed services), apply the migrations, deploy the SQL and the engine, "
    "and schedule the pg_cron job 'sync-notion-databases'. Running it again changes nothing."
)


def _build(p: argparse.ArgumentParser) -> None:
    """--dsn, --check, --runtime, --loopback-host, --schedule, --workers, --no-schedule, --uninstall and --yes."""
    from nls_install.install import DEFAULT_SCHEDULE, DEFAULT_WORKERS

    p.description = DESCRIPTION
    add_dsn_argument(p)
    p.add_argument(
        "--check",
        action="store_true",
        help="only check the server and print the plan: the releases from and to, the migrations, engine "
        "modules, settings and schedule it would change, and the pg_dump command of a backup",
    )
    p.add_argument(
        "--runtime",
        choices=("auto", "server", "worker"),
        default="auto",
        help="where the engine runs: server (inside PostgreSQL, PL/Python: needs a superuser), worker "
        "(in nls worker processes beside the server: for managed PostgreSQL without plpython3u), or "
        "auto (default: the one installed; else server where this role can create plpython3u, "
        "worker elsewhere)",
    )
    p.add_argument(
        "--loopback-host",
        default=None,
        metavar="HOST",
        help="worker runtime: the host the database server reaches itself at (its loopback connection "
        "commits calls at once); default: the host this install connects to",
    )
    p.add_argument(
        "--schedule",
        default=None,
        metavar="CRON",
        help=f"cron schedule of the sync job (default: the one the jobs have; '{DEFAULT_SCHEDULE}' for new jobs)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="pg_cron worker jobs that sync users side by side, each as role nls_cron (default: as many "
        f"as there are; {DEFAULT_WORKERS} for new jobs)",
    )
    p.add_argument("--no-schedule", action="store_true", help="do not create or change the pg_cron job")
    p.add_argument(
        "--uninstall",
        action="store_true",
        help="remove what nls made in the database (its pg_cron jobs, the nls schema with everything "
        "synced, the schemas it made for typed views, the settings it set) and say what stays: "
        "the roles, cluster-wide, and the extensions (asks first)",
    )
    p.add_argument("--yes", action="store_true", help="with --uninstall: do not ask")


def _run(args: argparse.Namespace) -> int:
    """Check, install or uninstall as ``args`` say, printing each step. Returns 0, or 1 when something failed (said
    on one line with its fix: never a traceback)."""
    from rich.console import Console
    from rich.markup import escape

    from nls_install import install as ins

    out = Console(highlight=False, soft_wrap=True)
    try:
        with ins.step(PROG), ins.connect(args.dsn) as conn:
            out.print(
                f"[bold]{PROG}[/bold]: "
                + escape(f"database {conn.info.dbname} on {conn.info.host}:{conn.info.port} as {conn.info.user}")
            )
            if args.uninstall:
                return _uninstall(out, conn, args.yes)
            return _install(out, conn, args)
    except ins.InstallError as e:
        out.print(f"[red]error[/red]: {escape(str(e))}")
        if e.fix:
            out.print(f"  fix: {escape(e.fix)}")
        return 1


def _print_checks(out, report) -> None:
    """Print each check of ``report`` (:class:`nls_install.install.Report`) as ok, -- (optional) or FAIL, with the
    fix of a failed one."""
    from rich.markup import escape

    for c in report.checks:
        mark = "[green]ok[/green]  " if c.ok else "[yellow]--[/yellow]  " if c.optional else "[red]FAIL[/red]"
        out.print(f"  {mark} " + escape(f"{c.name}: {c.detail}"))
        if not c.ok and c.fix:
            out.print("         fix: " + escape(c.fix))


def _install(out, conn, args: argparse.Namespace) -> int:
    """Check the server; then print what would be done (``--check``) or do it and print the steps done."""
    from rich.markup import escape

    from nls_install import atomic, install as ins, installed, plan
    from nls_install.resources import Shipped

    password, scheduled = conn.info.password, not args.no_schedule
    out.print("Checking the server")
    with ins.step("checking the server"):
        report = ins.check(conn, args.runtime)
    _print_checks(out, report)
    failed = report.failed(scheduled)
    if failed:
        out.print(f"[red]{len(failed)} check(s) failed[/red]: nothing was changed.")
        return 1
    choice = report.choice
    if choice is None:  # the runtime's check chooses one, or fails
        raise ins.InstallError("no runtime of the engine was chosen", "run nls install --check and read its checks")
    found, shipped = installed.read(conn), Shipped()
    refused = plan.refusal(found, shipped)
    if refused:
        raise refused
    if args.check:
        with ins.step("reading what is to do"):
            jobs = (
                ins.schedule(conn, password, args.schedule, args.workers, apply=False, runtime_name=choice.runtime)
                if scheduled
                else ""
            )
            lines = plan.make(conn, found, shipped, jobs).lines()
        for line in lines:
            out.print(escape(line))
        return 0
    out.print(
        f"Installing nls {shipped.version}"
        + (f" over {found.describe()}" if found.migrations else "")
        + ", in one transaction"
    )
    for line in atomic.install(conn, shipped, choice, args.loopback_host):
        out.print(f"  {escape(line)}")
    if scheduled:
        with ins.step("scheduling the pg_cron jobs"):
            out.print(
                "  " + escape(ins.schedule(conn, password, args.schedule, args.workers, runtime_name=choice.runtime))
            )
    else:
        out.print("  --no-schedule: pg_cron job left as it was")
    _print_installed(out, conn, choice.runtime)
    return 0


def _print_installed(out: Any, conn: psycopg.Connection, runtime_name: str) -> None:
    """What to do next, after an install: the first statements; for the worker runtime, the worker to start."""
    from rich.markup import escape

    out.print(
        "[green]nls is installed.[/green] Next: SELECT nls.add_integration(...); SELECT nls.add_source(...); "
        "SELECT nls.sync_notion();"
    )
    if runtime_name == "worker":
        from nls_install import runtime

        out.print("  " + escape(runtime.check_loopback(conn)))
        out.print(
            escape(
                f"The engine runs in nls worker processes beside the server: give the role nls_worker a "
                f"password (ALTER ROLE nls_worker PASSWORD '...'), then run NLS_ENCRYPTION_KEY=... nls worker "
                f"--dsn 'host=... dbname={conn.info.dbname} user=nls_worker' (docs/managed.md)"
            )
        )


def _confirmed(out, dbname: str) -> bool:
    """Whether the DBA, asked on the terminal, agrees to remove nls from database ``dbname`` (never without a
    terminal: then it says to add --yes)."""
    if not sys.stdin.isatty():
        out.print("[red]refusing to uninstall without confirmation[/red]: add --yes")
        return False
    answer = input(f"Remove nls and everything it synced from database {dbname}? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        out.print("nothing removed")
        return False
    return True


def _uninstall(out, conn, yes: bool) -> int:
    """Remove what nls made in the database (:func:`nls_install.install.uninstall`), after asking unless ``yes``;
    print what was removed and what stays, with the statements that drop the rest. Returns 1 when not confirmed."""
    from rich.markup import escape

    from nls_install import install as ins

    if not yes and not _confirmed(out, conn.info.dbname):
        return 1
    with ins.step("uninstalling"):
        removal = ins.uninstall(conn, conn.info.password)
    for line in removal.removed:
        out.print(f"  {escape(line)}")
    if removal.stays:
        out.print("What stays:")
        for line in removal.stays:
            out.print(f"  {escape(line)}")
    return 0


def alias(argv: list[str] | None = None) -> int:
    """``nls-install``, kept as an alias of ``nls install``: the same options, output and exit codes."""
    return main(["install", *(sys.argv[1:] if argv is None else argv)])


command(
    "install", help="install nls into a database, check it (--check) or remove it (--uninstall)", build=_build, run=_run
)
