"""``nls emulator``: the local Notion API. Serving needs the ``emulator`` extra (werkzeug), imported only when run;
the options and ``--help`` need none."""

from __future__ import annotations

import argparse
import sys

from ..main import command, import_extra, main


def _build(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's options (:func:`nls_emulator.cli.add_arguments`, which imports no werkzeug)."""
    from nls_emulator import cli

    parser.description = cli.DESCRIPTION
    cli.add_arguments(parser)


def _run(args: argparse.Namespace) -> int:
    """Serve the emulator until interrupted (:func:`nls_emulator.cli.run`); MissingExtra without werkzeug."""
    import_extra("nls_emulator.server", "emulator")
    from nls_emulator import cli

    return cli.run(args)


def alias(argv: list[str] | None = None) -> int:
    """``nls-notion-emulator``, kept as an alias of ``nls emulator`` (and as helpful without the extra)."""
    return main(["emulator", *(sys.argv[1:] if argv is None else argv)])


command(
    "emulator",
    help="serve a local Notion API for tests, the demo and benchmarks",
    build=_build,
    run=_run,
    extra="emulator",
)
