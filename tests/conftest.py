"""Test fixtures: a throwaway PostgreSQL 15 cluster (pytest-postgresql, Debian's binaries) started with
pg_cron preloaded and NLS_ENCRYPTION_KEY in its environment; a template database with nls installed by the real
installer; one fresh copy of it per test; and the Notion emulator in a thread."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import psycopg
import pytest
from pytest_postgresql import factories

from nls_emulator import Emulator

# A test key, never a real secret. The cluster inherits it from this process's environment.
TEST_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
os.environ["NLS_ENCRYPTION_KEY"] = TEST_KEY


def _pg_ctl() -> str:
    for candidate in (os.environ.get("NLS_PG_CTL"), "/usr/lib/postgresql/15/bin/pg_ctl", shutil.which("pg_ctl")):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError("pg_ctl not found: install postgresql-15 (make deps) or set NLS_PG_CTL")


def install_nls(host, port, user, dbname, password=None, **_):
    """pytest-postgresql loader: run nls-install (the real installer) into the template database."""
    from nls_install.cli import main
    dsn = f"host={host} port={port} user={user} dbname={dbname}" + (f" password={password}" if password else "")
    assert main(["--dsn", dsn, "--no-schedule"]) == 0


PG_OPTIONS = ("-c shared_preload_libraries=pg_cron,pg_stat_statements -c cron.database_name=postgres -c max_connections=60 "
              "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")

postgresql_proc = factories.postgresql_proc(executable=_pg_ctl(), postgres_options=PG_OPTIONS, load=[install_nls])
postgresql = factories.postgresql("postgresql_proc")


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
