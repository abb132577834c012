"""One module per subcommand or group of subcommands, found and imported by :func:`nls_cli.main.build_parser`.

A module here calls :func:`nls_cli.main.command` at import time with the subcommand's name, its one-line help,
a function that adds its arguments to its parser and a function that runs it. Keep these modules cheap to import:
import what the command needs inside those two functions, so ``nls --help`` and the other commands never load it."""
