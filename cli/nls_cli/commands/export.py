"""``nls export sqlite``: one user's data as a SQLite file (needs the ``export`` extra: sqlite-utils)."""

from __future__ import annotations

import argparse
import sys

from ..main import add_dsn_argument, command, group, import_extra


def _build(parser: argparse.ArgumentParser) -> None:
    """--dsn, --user, --full, --quiet and the output file."""
    add_dsn_argument(parser)
    parser.add_argument(
        "--user",
        required=True,
        metavar="USER",
        help="the user (nls.integrations.user_id) whose rows are exported; the session acts for "
        "that user under row-level security",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="write the whole file again (default: update an earlier export of the same database "
        "and user, writing only the rows that changed)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    parser.add_argument("output", metavar="FILE", help="the SQLite file to write (replaced atomically)")


def _run(args: argparse.Namespace) -> int:
    """Export, with a progress bar on a terminal; prints what was written. Exit 1 on an error."""
    import psycopg
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    mod = import_extra("nls_export.sqlite", "export")
    console = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=args.quiet or not console.is_terminal,
        transient=True,
    )
    try:
        report = mod.export_sqlite(args.dsn, args.user, args.output, full=args.full, progress=progress)
    except (mod.ExportError, psycopg.Error, OSError) as e:
        print(f"nls export sqlite: {e}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(
            f"{report.path}: {report.mode} export of user {args.user!r}, {len(report.tables)} tables, "
            f"{report.written} rows written, {report.deleted} deleted, {report.seconds:.2f} s"
        )
    return 0


group("export", "copy a user's data out of PostgreSQL (nls export sqlite)")
command(
    "export sqlite",
    help="write a user's learning schema, creative tables and typed data sources to a SQLite file",
    build=_build,
    run=_run,
    extra="export",
)
