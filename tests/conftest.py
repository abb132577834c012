"""Test fixtures: a throwaway PostgreSQL 15 cluster (scripts/pg_cluster.py on Debian's binaries; as root the server
runs as the OS user postgres) started with pg_cron preloaded and NLS_ENCRYPTION_KEY in its environment; a template
database with nls installed by the real installer; one fresh copy of it per test; and the Notion emulator in a
thread. Importing this file needs no PostgreSQL: the binaries are looked for when a cluster fixture is first used."""
from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

import psycopg
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from nls_emulator import Emulator  # noqa: E402
from pg_cluster import Cluster  # noqa: E402

# A test key, never a real secret. The cluster gets it in its environment (and this process has it too).
TEST_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
os.environ["NLS_ENCRYPTION_KEY"] = TEST_KEY

PG_OPTIONS = {"shared_preload_libraries": "pg_cron,pg_stat_statements", "cron.database_name": "postgres",
              "max_connections": "60", "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
TEST_DB = "tests"                 # each test's own database, made from the template and dropped after it
TEMPLATE_DB = "tests_tmpl"
# where `make anki` put Anki's library for the server's Python (the setting anki_python_path; see the Makefile)
ANKI_SERVER_DIR = os.environ.get("NLS_ANKI_PYTHON_PATH") or (
    "/usr/local/lib/nls/anki-python" if os.geteuid() == 0 else str(Path(__file__).resolve().parents[1] / ".anki-python"))


def install_nls(dsn: str) -> None:
    """Run `nls install` (the real installer) into the database at ``dsn``, without the pg_cron jobs."""
    from nls_install.cli import main
    assert main(["--dsn", dsn, "--no-schedule"]) == 0


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


@pytest.fixture
def postgresql(postgresql_proc):
    """A connection to this test's own database, a fresh copy of the installed template."""
    yield from fresh_database(postgresql_proc, template=TEMPLATE_DB)


@pytest.fixture
def server_tmp_path(postgresql_proc) -> Path:
    """A fresh directory whose files the server can read once given to it (postgresql_proc.hand_to_server)."""
    return postgresql_proc.server_tmp_dir()


@pytest.fixture
def conn(postgresql) -> psycopg.Connection:
    """An autocommit connection (superuser) to this test's own database, a copy of the installed template."""
    info = postgresql.info
    with psycopg.connect(host=info.host, port=info.port, user=info.user, dbname=info.dbname,
                         password=info.password, autocommit=True) as c:
        yield c


@pytest.fixture
def dsn(postgresql) -> str:
    info = postgresql.info
    return f"host={info.host} port={info.port} user={info.user} dbname={info.dbname}"


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


def add_user_source(conn: psycopg.Connection, user_id: str, token: str, database_id: str,
                    with_content: bool = False) -> int:
    conn.execute("SELECT nls.add_integration(%s, %s)", (user_id, token))
    return conn.execute("SELECT nls.add_source(%s, %s, with_content => %s)",
                        (user_id, database_id, with_content)).fetchone()[0]


def sync(conn: psycopg.Connection, **kwargs) -> dict:
    args = ", ".join(f"{k} => %({k})s" for k in kwargs)
    return conn.execute(f"SELECT nls.sync_notion({args})", kwargs).fetchone()[0]


def last_log(conn: psycopg.Connection) -> dict:
    cur = conn.execute("SELECT * FROM nls.sync_log ORDER BY started_at DESC LIMIT 1")
    cols = [d.name for d in cur.description]
    return dict(zip(cols, cur.fetchone()))


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
    wait_until(lambda: not conn.execute(query, (pid,)).fetchone()[0], seconds, f"backend {pid} exiting")


def terminate(conn: psycopg.Connection, pid: int, seconds: float = 30.0) -> None:
    """pg_terminate_backend(pid), returning once the backend has exited (its locks released)."""
    assert conn.execute("SELECT pg_terminate_backend(%s, %s)", (pid, int(seconds * 1000))).fetchone()[0], \
        f"backend {pid} did not exit within {seconds} s"


@contextlib.contextmanager
def other_session(conn: psycopg.Connection, user: str | None = None):
    """Another session (autocommit) on ``conn``'s database, as ``user`` (default: ``conn``'s). Leaving the block
    closes it and waits until its backend has exited, so that what the test does next no longer meets its locks."""
    info = conn.info
    session = psycopg.connect(host=info.host, port=info.port, user=user or info.user, dbname=info.dbname,
                              password=info.password, autocommit=True)
    pid = session.info.backend_pid
    try:
        yield session
    finally:
        session.close()
        backend_gone(conn, pid)
