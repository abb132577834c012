"""nls_install: ``nls install`` (check, install, upgrade, uninstall nls in a PostgreSQL database).

``__version__`` is the release: the one place it is written (pyproject.toml reads it, ``nls --version`` prints it,
and ``nls install`` records it in the database, where ``SELECT nls.version()`` shows it)."""

__version__ = "0.2.0"
