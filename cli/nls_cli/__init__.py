"""nls_cli: the ``nls`` command. :mod:`nls_cli.main` holds the registry and the parser built from it; each module
of :mod:`nls_cli.commands` registers one subcommand (or one group of them)."""
