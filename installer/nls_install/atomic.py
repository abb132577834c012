"""An install or upgrade as one transaction: the pending migrations (yoyo), the deploy of ``sql/``, the engine's
modules and ``plpython/``, the record of the release and the check that the engine loads commit together, or
nothing does and the release found keeps working.

yoyo applies each migration in a transaction of its own, on a connection of its own (``DatabaseBackend.copy``).
:class:`SharedBackend` is yoyo's psycopg backend on the installer's connection instead, inside the installer's
transaction: every transaction yoyo opens (a migration, each of its statements, its bookkeeping and its lock row)
becomes a savepoint of that one transaction."""

from __future__ import annotations

import copy
from contextlib import contextmanager

import psycopg
from yoyo import exceptions as yoyo_exceptions, internalmigrations, read_migrations
from yoyo.backends.base import SavepointTransactionManager
from yoyo.backends.core.postgresql import PostgresqlPsycopgBackend
from yoyo.connections import DatabaseURI
from yoyo.migrations import default_migration_table

from . import install as ins, installed, runtime
from .plan import refusal
from .resources import Shipped

SCHEMA = "nls"  # where yoyo's tables live (nls._yoyo_migration, ...), as the installer's yoyo URL has always said


class _Savepoint(SavepointTransactionManager):
    """A transaction yoyo asks for, inside the installer's: a savepoint, released when its block succeeds and
    rolled back to when it fails."""

    def _do_commit(self):
        self.backend.savepoint_release(self.id)


class SharedBackend(PostgresqlPsycopgBackend):
    """yoyo's PostgreSQL (psycopg 3) backend on ``conn``, which is inside a transaction the caller opened and will
    commit or roll back. It never begins, commits or rolls back itself, and refuses a migration that asks to run
    outside a transaction (``-- transactional: false``)."""

    def __init__(self, conn: psycopg.Connection):  # no connection of its own: the base class would open one
        self.uri = DatabaseURI("postgresql+psycopg", None, None, None, None, conn.info.dbname, {})
        self.DatabaseError = self.driver.DatabaseError
        self._connection = conn
        self.migration_table = default_migration_table
        self.schema = SCHEMA
        self.has_transactional_ddl = True
        self._in_transaction = True
        self._internal_schema_updated = False  # yoyo's own tables, made or upgraded once

    def init_connection(self, connection):
        """Nothing: the caller sets the search path for the migrations (:func:`migrate`)."""

    def copy(self):
        """This backend itself: a migration runs on the caller's connection, in its transaction."""
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        """Nothing: the connection is the caller's to close."""

    def transaction(self, rollback_on_exit=False):
        return _Savepoint(self, rollback_on_exit=rollback_on_exit)

    def begin(self):
        raise RuntimeError("nls install: yoyo runs inside the installer's transaction and never begins one")

    commit = rollback = begin

    @contextmanager
    def disable_transactions(self):
        raise yoyo_exceptions.BadMigration(
            "it asks to run outside a transaction (-- transactional: false); nls "
            "install applies every migration in one transaction"
        )
        yield  # pragma: no cover

    def ensure_internal_schema_updated(self):
        """Create or upgrade yoyo's own tables, inside the caller's transaction."""
        if not self._internal_schema_updated:
            if internalmigrations.needs_upgrading(self):
                internalmigrations.upgrade(self)
            self._internal_schema_updated = True


def migrate(conn: psycopg.Connection, shipped: Shipped) -> list[str]:
    """Apply the pending migrations of ``shipped`` with yoyo inside the transaction open on ``conn``, under yoyo's
    lock, with search_path nls as yoyo's URL sets it. Returns the ids applied. Raises StepFailed naming the
    migration that failed."""
    backend = SharedBackend(conn)
    applied = []
    with ins.step("yoyo's tables and lock in schema nls"):
        conn.execute("CREATE SCHEMA IF NOT EXISTS nls")
        before = installed.value(conn, "SELECT current_setting('search_path')")
        conn.execute("SELECT set_config('search_path', %s, true)", (SCHEMA,))
        if installed.value(conn, "SELECT to_regclass('nls.yoyo_lock') IS NULL"):
            backend.create_lock_table()
        backend.ensure_internal_schema_updated()
        migrations = read_migrations(str(shipped.migrations_dir))
        with backend.lock():
            for migration in backend.to_apply(migrations):
                with ins.step(f"migration {migration.id}"):
                    backend.apply_one(without_reasserted_roles(conn, migration))
                applied.append(migration.id)
        conn.execute("SELECT set_config('search_path', %s, true)", (before,))
    return applied


# Released migrations whose first step makes nls's roles: it creates a role that is missing, and of one that exists
# it re-asserts that it is no superuser and bypasses no row-level security, which only a superuser may say, even of a
# role that is neither. Installing as a role that is no superuser (the worker runtime, on a managed service: a second
# database of the server, or again after an uninstall, which leaves the roles), such a step is left out where every
# role it names exists already as neither: it would change nothing. {migration id: (step, roles)}
ROLE_STEPS = {
    "0006.tenancy": (0, ("nls_admin", "nls_app", "nls_cron")),
    "0013.webhooks-and-change": (0, ("nls_webhook",)),
}


def without_reasserted_roles(conn: psycopg.Connection, migration):
    """``migration``, or a copy without its role step (:data:`ROLE_STEPS`) when this role is no superuser and every
    role the step names exists already, no superuser and not BYPASSRLS."""
    step, roles = ROLE_STEPS.get(migration.id, (None, ()))
    if step is None or installed.value(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
        return migration
    plain = installed.value(
        conn,
        "SELECT count(*) FROM pg_roles WHERE rolname = ANY (%s) AND NOT rolsuper AND NOT rolbypassrls",
        (list(roles),),
    )
    if plain != len(roles):
        return migration
    migration.load()
    kept = copy.copy(migration)
    kept.steps = [s for i, s in enumerate(migration.steps) if i != step]
    return kept


def install(
    conn: psycopg.Connection,
    shipped: Shipped | None = None,
    choice: runtime.Choice | None = None,
    loopback_host: str | None = None,
) -> list[str]:
    """Install or upgrade to ``shipped`` (this release by default) on ``conn`` (autocommit) in one transaction: the
    runtime's prerequisites (plpython3u; or the worker runtime's extensions and roles, its loopback reached at
    ``loopback_host``), the pending migrations, the deploy (:func:`install.deploy`). ``choice``: the runtime
    (:func:`runtime.choose` when None). Returns a line per step done. Raises InstallError when the database is newer
    than ``shipped`` (nothing done), or when a step failed: then nothing was changed, and the message names the step
    and the release the database is still at."""
    shipped = shipped or Shipped()
    found = installed.read(conn)
    refused = refusal(found, shipped)
    if refused:
        raise refused
    choice = choice or runtime.choose(conn)
    try:
        with conn.transaction():
            prepared = []
            if choice.runtime == runtime.SERVER:
                with ins.step("CREATE EXTENSION plpython3u"):
                    conn.execute("CREATE EXTENSION IF NOT EXISTS plpython3u")
            applied = migrate(conn, shipped)
            if not found.migrations:  # a new install: its settings start at this release's defaults (sql/06)
                conn.execute("SELECT set_config('nls.new_install', 'on', true)")
            if choice.runtime == runtime.WORKER:  # nls._loopback comes with the migrations
                prepared = runtime.prepare_worker(conn, loopback_host)
            done = prepared + ins.deploy(conn, shipped, choice.runtime)
    except ins.StepFailed as e:
        still = (
            f"the database is still at {found.describe()}, which keeps working as before"
            if found.migrations
            else "nls is still not installed in this database"
        )
        raise ins.InstallError(
            f"{e}. Nothing was changed: {still}",
            e.fix or "fix what the error says and run nls install again (docs/upgrading.md)",
        ) from e
    return [f"migrations: {'applied ' + ', '.join(applied) if applied else 'none pending'}", *done]
