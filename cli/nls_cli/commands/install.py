"""``nls install``: install nls into a database (the same parser and run function as ``nls-install``)."""
from __future__ import annotations

import argparse

from ..main import command


def _build(parser: argparse.ArgumentParser) -> None:
    """Add the installer's options (:func:`nls_install.cli.add_arguments`)."""
    from nls_install import cli
    parser.description = cli.DESCRIPTION
    cli.add_arguments(parser)


def _run(args: argparse.Namespace) -> int:
    """Run the installer (:func:`nls_install.cli.run`)."""
    from nls_install import cli
    return cli.run(args, prog="nls install")


command("install", help="install nls into a database, check it (--check) or remove it (--uninstall)",
        build=_build, run=_run)
