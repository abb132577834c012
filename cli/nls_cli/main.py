"""The ``nls`` command: a registry of subcommands and the argparse parser built from it.

Subcommands register themselves from modules in :mod:`nls_cli.commands` (see :func:`command`). A subcommand's
arguments are added only when that subcommand is chosen, so ``nls --help`` imports none of them; one that needs an
optional extra (the emulator needs werkzeug) imports it only to run, so its ``--help`` works without it."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

DISTRIBUTION = "notion-learning-sync"


@dataclass(frozen=True)
class Command:
    """One subcommand: its words (``("install",)``, ``("webhooks", "serve")``), its one-line help, ``build``
    that adds its arguments to its parser, ``run`` that runs it on the parsed arguments and returns the exit code,
    and the optional ``extra`` of the distribution it needs to run (its ``--help`` needs none)."""

    path: tuple[str, ...]
    help: str
    build: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    extra: str | None = None


COMMANDS: dict[tuple[str, ...], Command] = {}
GROUPS: dict[tuple[str, ...], str] = {}


def command(
    name: str,
    help: str,
    build: Callable[[argparse.ArgumentParser], None],
    run: Callable[[argparse.Namespace], int],
    extra: str | None = None,
) -> None:
    """Register subcommand ``name`` (words separated by spaces for one inside a group: ``"export sqlite"``).
    ``build`` must not need ``extra`` (the optional extra ``run`` imports with :func:`import_extra`), so that the
    subcommand's ``--help`` works without it; its help then says which extra it needs and how to add it."""
    path = tuple(name.split())
    if path in COMMANDS:
        raise ValueError(f"nls {name} is registered twice")
    COMMANDS[path] = Command(path, help, build, run, extra)


def group(name: str, help: str) -> None:
    """Give the group ``name`` (``"webhooks"``) the one-line help that ``nls --help`` shows for it."""
    GROUPS[tuple(name.split())] = help


class MissingExtra(Exception):
    """A subcommand needs an optional extra of the distribution that is not installed."""


def pip_install(extra: str) -> str:
    """The command that adds the distribution's optional ``extra`` (``'emulator'``), as a user would type it."""
    return f"pip install '{DISTRIBUTION}[{extra}]' (or pip install '.[{extra}]' from a checkout)"


def import_extra(module: str, extra: str) -> ModuleType:
    """Import ``module``, which needs the distribution's ``extra``; when a package it needs is missing, raise
    :class:`MissingExtra` with the pip command that adds the extra."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        missing = (e.name or "").split(".")[0]
        if missing.startswith("nls_"):
            raise
        raise MissingExtra(f"needs the '{extra}' extra (no module named '{missing}'): {pip_install(extra)}") from e


def add_dsn_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--dsn``, the connection option of every subcommand that connects to PostgreSQL (PostgreSQL tools'
    convention: an empty string lets libpq's PG* variables, PGSERVICE and service files decide)."""
    parser.add_argument(
        "--dsn",
        default=os.environ.get("NLS_DSN", ""),
        metavar="DSN",
        help="libpq connection string or URL (default: $NLS_DSN; when that is unset, libpq's "
        "PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSERVICE and service files apply)",
    )


class _LazyParser(argparse.ArgumentParser):
    """A subcommand's parser that calls its ``build`` only when the subcommand is chosen, then, for a subcommand
    that needs an optional ``extra``, ends its help with the extra and the pip command that adds it."""

    def __init__(
        self, *args, build: Callable[[argparse.ArgumentParser], None] | None = None, extra: str | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self._build, self._extra = build, extra

    def parse_known_args(self, args=None, namespace=None):
        """Add the subcommand's arguments (first time only), then parse as argparse does."""
        if self._build is not None:
            build, self._build = self._build, None
            build(self)
            if self._extra:
                needs = f"Needs the '{self._extra}' extra: {pip_install(self._extra)}."
                self.epilog = f"{self.epilog} {needs}" if self.epilog else needs
        return super().parse_known_args(args, namespace)


def _subparsers(tree: dict, path: tuple[str, ...]) -> argparse._SubParsersAction:
    """The subparsers that hold the commands under ``path`` (``()`` for the top), making group parsers on the way."""
    if path not in tree:
        parent = _subparsers(tree, path[:-1])
        help = GROUPS.get(path, "")
        node = parent.add_parser(path[-1], help=help, description=help)
        tree[path] = node.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=_LazyParser)
    return tree[path]


def _load_commands() -> None:
    """Import every module of :mod:`nls_cli.commands` (each registers its subcommands)."""
    from . import commands

    for info in pkgutil.iter_modules(commands.__path__, commands.__name__ + "."):
        importlib.import_module(info.name)


def _version() -> str:
    """The installed distribution's version, or 'unknown' when running from a bare checkout."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The ``nls`` parser: one subparser per registered command; each adds its arguments only when chosen."""
    _load_commands()
    parser = argparse.ArgumentParser(
        prog="nls",
        description="nls: sync Notion data sources into PostgreSQL, from inside PostgreSQL.",
        epilog="Commands that connect to PostgreSQL take --dsn (default $NLS_DSN; empty lets libpq's PG* "
        "variables and service files decide). 'nls COMMAND --help' lists a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    tree = {(): parser.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=_LazyParser)}
    for path, cmd in COMMANDS.items():
        help = f"{cmd.help} (needs the '{cmd.extra}' extra)" if cmd.extra else cmd.help
        sub = _subparsers(tree, path[:-1]).add_parser(
            path[-1], help=help, description=help, build=cmd.build, extra=cmd.extra
        )
        sub.set_defaults(_nls_run=cmd.run, _nls_prog=sub.prog)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``nls`` with ``argv`` (default: the process's arguments); returns the exit code (1, with the pip
    command that adds it, when the subcommand's optional extra is missing)."""
    args = build_parser().parse_args(argv)
    try:
        return args._nls_run(args)
    except MissingExtra as e:
        print(f"{args._nls_prog}: {e}", file=sys.stderr)
        return 1
