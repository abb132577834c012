"""Test fixtures: a throwaway PostgreSQL 15 cluster (scripts/pg_cluster.py on Debian's binaries; as root the server
runs as the OS user postgres) started with pg_cron preloaded and NLS_ENCRYPTION_KEY in its environment; a template
database with nls installed by the real installer; one fresh copy of it per test; and the Notion emulator in a
thread. Importing this file needs no PostgreSQL: the binaries are looked for when a cluster fixture is first used."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest

from nls_install.installed import value

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import pg_cluster
from nls_emulator import Emulator
from pg_cluster import Cluster, extension_installed, preload

if TYPE_CHECKING:
    from nls_worker.worker import Worker

# A test key, never a real secret. The cluster gets it in its environment (and this process has it too).
TEST_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
os.environ["NLS_ENCRYPTION_KEY"] = TEST_KEY

# pg_net (the events' HTTP deliveries) is preloaded where `make deps` could install it; its background worker serves
# one database (pg_net.database_name), which the tests of events point at their own (tests/test_events.py)
PG_NET = extension_installed("pg_net")
PG_OPTIONS = {
    "shared_preload_libraries": preload("pg_cron", "pg_stat_statements", "pg_net"),
    "cron.database_name": "postgres",
    "max_connections": "60",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}
TEST_DB = "tests"  # each test's own database, made from the template and dropped after it
TEMPLATE_DB = "tests_tmpl"
# where `make anki` put Anki's library for the server's Python (the setting anki_python_path; see the Makefile)
ANKI_SERVER_DIR = os.environ.get("NLS_ANKI_PYTHON_PATH") or (
    "/usr/local/lib/nls/anki-python" if os.geteuid() == 0 else str(Path(__file__).resolve().parents[1] / ".anki-python")
)


def install(argv: list[str]) -> int:
    """Run ``nls install`` with ``argv`` (``["--dsn", dsn, "--check"]``) as the ``nls`` command does; its exit code
    (what it prints goes to stdout, for capsys)."""
    from nls_cli.main import main

    return main(["install", *argv])


def install_nls(dsn: str) -> None:
    """Run `nls install` (the real installer) into the database at ``dsn``, without the pg_cron jobs."""
    assert install(["--dsn", dsn, "--no-schedule"]) == 0


def fresh_database(cluster: Cluster, template: str | None = None, name: str = TEST_DB):
    """For a fixture: create database ``name`` (a copy of ``template``), yield a connection to it (not autocommit),
    then close it and drop the database."""
    cluster.create_database(name, template=template)
    try:
        connection = cluster.connect(name)
        try:
            yield connection
        finally:
            connection.close()
    finally:
        cluster.drop_database(name)


@pytest.fixture(scope="session")
def postgresql_proc():
    """The session's cluster (.host, .port, .user, .logfile, .dsn(), ...), with the template database installed."""
    with Cluster(options=PG_OPTIONS, env={"NLS_ENCRYPTION_KEY": TEST_KEY}) as cluster:
        cluster.start()
        cluster.create_database(TEMPLATE_DB)
        install_nls(cluster.dsn(TEMPLATE_DB))
        with cluster.connect(TEMPLATE_DB, autocommit=True) as c:
            c.execute("SELECT nls.set_setting('anki_python_path', %s)", (ANKI_SERVER_DIR,))
        yield cluster


# ---- the worker runtime: a server set up as managed services set theirs up -------------------------------------
# A cluster of its own (roles are cluster-wide, and the server runtime's template made nls's roles as a superuser):
# every role but the superuser signs in with a password; pg_cron runs its jobs in background workers; the owner of
# the database installs nls and may create roles, but is no superuser, so it cannot create plpython3u; pg_cron,
# dblink and pgcrypto were created by the superuser, as a provider does. nls install then chooses the worker
# runtime, and each test runs an nls worker.
WORKER_DB, WORKER_TEMPLATE_DB = "tests_w", "tests_wtmpl"
OWNER, OWNER_PASSWORD = "nls_owner", "owner-password-for-tests"
WORKER_PASSWORD = "worker-password-for-tests"
MANAGED_OPTIONS = {**pg_cluster.MANAGED_OPTIONS, **PG_OPTIONS}


def pytest_generate_tests(metafunc):
    """A test (or module) marked ``runtimes`` runs once per runtime of the engine: [server] and [worker]."""
    if "runtime" in metafunc.fixturenames and metafunc.definition.get_closest_marker("runtimes"):
        metafunc.parametrize("runtime", ["server", "worker"], indirect=True)


@pytest.fixture
def runtime(request) -> str:
    """The runtime a test's database is installed with: server unless the test is marked ``runtimes``. A test
    marked ``server_only(reason)`` is skipped in the worker runtime with that reason (what differs there)."""
    name = getattr(request, "param", "server")
    only = request.node.get_closest_marker("server_only")
    if name == "worker" and only:
        pytest.skip(f"server runtime only: {only.args[0]}")
    return name


ROLLED_BACK = (
    "in the worker runtime a call's writes commit in the worker: the caller's ROLLBACK cannot undo them "
    "(docs/managed.md)"
)


@pytest.fixture(scope="session")
def managed_proc():
    """The managed-like cluster, with the worker runtime's template database installed by its owner (no
    superuser) with nls install."""
    with Cluster(options=MANAGED_OPTIONS) as cluster:  # no key in the server's environment: the workers keep it
        cluster.start()
        _install_worker_runtime(cluster.provide_database(WORKER_TEMPLATE_DB, OWNER, OWNER_PASSWORD))
        yield cluster


def _install_worker_runtime(dsn: str) -> None:
    install_nls(dsn)
    with psycopg.connect(dsn, autocommit=True) as c:
        assert c.execute(
            "SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
            "WHERE p.oid = 'nls.sync_notion(text, text, text, boolean)'::regprocedure"
        ).fetchone() == ("sql",), "the owner's install chose the worker runtime"
        c.execute(f"ALTER ROLE nls_worker PASSWORD '{WORKER_PASSWORD}'")
        c.execute("SELECT nls.set_setting('anki_python_path', %s)", (ANKI_SERVER_DIR,))
        c.execute("SELECT nls.set_setting('worker_heartbeat_s', '1')")


def owner_dsn(cluster: Cluster, dbname: str) -> str:
    return f"host={cluster.host} port={cluster.port} user={OWNER} password={OWNER_PASSWORD} dbname={dbname}"


def worker_dsn(cluster: Cluster, dbname: str = WORKER_DB) -> str:
    return f"host={cluster.host} port={cluster.port} user=nls_worker password={WORKER_PASSWORD} dbname={dbname}"


@contextlib.contextmanager
def running_worker(dsn: str, concurrency: int = 2):
    """An nls worker (its threads in this process) serving the database at ``dsn`` until the block ends."""
    from nls_worker.worker import Worker

    worker = Worker(dsn, concurrency=concurrency, poll_s=5).start()
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def postgresql(request, runtime):
    """A connection to this test's own database, a fresh copy of the installed template: as the superuser in the
    server runtime; in the worker runtime as the database's owner (no superuser) on the managed-like cluster, with
    an nls worker serving it."""
    if runtime == "server":
        yield from fresh_database(request.getfixturevalue("postgresql_proc"), template=TEMPLATE_DB)
        return
    cluster = request.getfixturevalue("managed_proc")
    cluster.create_database(WORKER_DB, template=WORKER_TEMPLATE_DB, owner=OWNER)
    try:
        with (
            psycopg.connect(owner_dsn(cluster, WORKER_DB)) as connection,
            running_worker(worker_dsn(cluster)) as worker,
        ):
            request.node.stash[WORKER] = worker
            yield connection
    finally:
        cluster.drop_database(WORKER_DB)


WORKER: pytest.StashKey[Worker] = pytest.StashKey()


@pytest.fixture
def worker(request, postgresql):
    """The nls worker serving this test's database (worker runtime)."""
    return request.node.stash[WORKER]


@pytest.fixture
def server_tmp_path(postgresql_proc) -> Path:
    """A fresh directory whose files the server can read once given to it (postgresql_proc.hand_to_server)."""
    return postgresql_proc.server_tmp_dir()


@pytest.fixture
def conn(postgresql) -> Iterator[psycopg.Connection]:
    """An autocommit connection (superuser) to this test's own database, a copy of the installed template."""
    info = postgresql.info
    with psycopg.connect(
        host=info.host, port=info.port, user=info.user, dbname=info.dbname, password=info.password, autocommit=True
    ) as c:
        yield c


@pytest.fixture
def dsn(postgresql) -> str:
    info = postgresql.info
    return f"host={info.host} port={info.port} user={info.user} dbname={info.dbname}" + (
        f" password={info.password}" if info.password else ""
    )


@pytest.fixture(scope="session")
def emulator():
    emu = Emulator().start()
    yield emu
    emu.stop()


@pytest.fixture
def fresh_emulator():
    """An emulator of this test's own (faults, rate limits and logs start clean)."""
    emu = Emulator().start()
    yield emu
    emu.stop()


def use_emulator(conn: psycopg.Connection, emu: Emulator, read_timeout: float = 5.0, paced: bool = False) -> None:
    """Point nls at the emulator and make retries fast enough for tests. Unless ``paced``, nls's own request pacing
    is lifted (the emulator's rate limits are off by default too); the tests of pacing set their rates."""
    conn.execute("SELECT nls.set_setting('api_base_url', %s)", (emu.url,))
    if not paced:
        for name in ("rate_limit_per_s", "workspace_rate_limit_per_s", "rate_limit_burst"):
            conn.execute("SELECT nls.set_setting(%s, '100000')", (name,))
    conn.execute("SELECT nls.set_setting('read_timeout_s', %s)", (str(read_timeout),))
    conn.execute("SELECT nls.set_setting('backoff_base_s', '0.05')")


def add_user_source(
    conn: psycopg.Connection, user_id: str, token: str, database_id: str, with_content: bool = False
) -> int:
    conn.execute("SELECT nls.add_integration(%s, %s)", (user_id, token))
    return value(conn, "SELECT nls.add_source(%s, %s, with_content => %s)", (user_id, database_id, with_content))


def sync(conn: psycopg.Connection, **kwargs) -> dict:
    args = ", ".join(f"{k} => %({k})s" for k in kwargs)
    return value(conn, f"SELECT nls.sync_notion({args})", kwargs)


def last_log(conn: psycopg.Connection) -> dict:
    cur = conn.execute("SELECT * FROM nls.sync_log ORDER BY started_at DESC LIMIT 1")
    row = cur.fetchone()
    assert row is not None and cur.description is not None, "no run in nls.sync_log"
    return dict(zip([d.name for d in cur.description], row, strict=True))


def wait_until(condition, seconds: float = 30.0, what: str = "the condition", every: float = 0.02) -> None:
    """Poll ``condition()`` every ``every`` seconds until it is true; an AssertionError naming ``what`` after
    ``seconds`` (a bound for a machine under load, never a pause that hopes something happened meanwhile)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(every)


def backend_gone(conn: psycopg.Connection, pid: int, seconds: float = 30.0) -> None:
    """Wait until backend ``pid`` has exited: it has then released its advisory locks, and sessions that check
    whether it is alive (pg_stat_activity) see it gone. A client's close (or a FATAL it read) returns before that."""
    query = "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s)"
    wait_until(lambda: not value(conn, query, (pid,)), seconds, f"backend {pid} exiting")


def terminate(conn: psycopg.Connection, pid: int, seconds: float = 30.0) -> None:
    """pg_terminate_backend(pid), returning once the backend has exited (its locks released)."""
    assert value(conn, "SELECT pg_terminate_backend(%s, %s)", (pid, int(seconds * 1000))), (
        f"backend {pid} did not exit within {seconds} s"
    )


@contextlib.contextmanager
def other_session(conn: psycopg.Connection, user: str | None = None):
    """Another session (autocommit) on ``conn``'s database, as ``user`` (default: ``conn``'s). Leaving the block
    closes it and waits until its backend has exited, so that what the test does next no longer meets its locks."""
    info = conn.info
    session = psycopg.connect(
        host=info.host,
        port=info.port,
        user=user or info.user,
        dbname=info.dbname,
        password=info.password,
        autocommit=True,
    )
    pid = session.info.backend_pid
    try:
        yield session
    finally:
        session.close()
        backend_gone(conn, pid)


@contextlib.contextmanager
def login_role(conn: psycopg.Connection, name: str, member_of: str = "nls_app"):
    """A LOGIN role ``name`` granted ``member_of``, with a password (the worker runtime's server asks every role
    but the superuser for one); yields its DSN to ``conn``'s database, and drops the role when the block ends."""
    password = f"{name}-password"
    conn.execute(f"DROP ROLE IF EXISTS {name}")
    conn.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{password}' IN ROLE {member_of}")
    info = conn.info
    try:
        yield f"host={info.host} port={info.port} user={name} password={password} dbname={info.dbname}"
    finally:
        with contextlib.suppress(psycopg.errors.InsufficientPrivilege):  # a superuser's cleaning; an owner's
            conn.execute(f"DROP OWNED BY {name}")  # roles own nothing of nls's
        conn.execute(f"DROP ROLE {name}")
