"""nls-install against real servers: one with pg_cron and plpython3u, one without pg_cron preloaded."""
from __future__ import annotations

import psycopg
import pytest

from conftest import fresh_database
from nls_install import __version__
from nls_install.cli import main
from nls_install.install import ANKI_PATH, unschedule
from nls_install.resources import Shipped
from pg_cluster import Cluster, bin_dir
from schema_dump import dump as _schema


@pytest.fixture
def unscheduled(conn):
    """Removes the pg_cron jobs the test's installs made once it ends: they live in pg_cron's database, which outlives
    the test's database, and would otherwise run sync rounds in every later test's database of the same name."""
    yield
    unschedule(conn, None)


@pytest.fixture(scope="session")
def postgresql_nocron_proc():
    """A second cluster, without pg_cron preloaded."""
    with Cluster(options={"fsync": "off"}) as cluster:
        yield cluster.start()


@pytest.fixture
def postgresql_nocron(postgresql_nocron_proc):
    """A connection to a fresh, empty database on the cluster without pg_cron."""
    yield from fresh_database(postgresql_nocron_proc)


def test_install_schedules_the_job_and_a_second_run_changes_nothing(conn, dsn, capsys, unscheduled):
    assert main(["--dsn", dsn]) == 0
    out = capsys.readouterr().out
    assert "scheduled pg_cron job" in out
    info = conn.info
    with psycopg.connect(host=info.host, port=info.port, user=info.user, dbname="postgres", autocommit=True) as cron:
        jobs = cron.execute("SELECT jobname, schedule, command, database, username FROM cron.job "
                            "WHERE database = %s ORDER BY jobname", (info.dbname,)).fetchall()
    # four worker jobs by default, each running the worker procedure as nls_cron (neither superuser nor BYPASSRLS),
    # and (issue 16) the job applying the webhook events every minute
    assert jobs == [(f"apply-notion-webhooks ({info.dbname})", "* * * * *", "CALL nls.apply_all_webhook_events()",
                     info.dbname, "nls_cron")] + [
        (name, "*/15 * * * *", "CALL nls.sync_all_users_notion_databases()", info.dbname, "nls_cron")
        for name in sorted([f"sync-notion-databases ({info.dbname})"]
                           + [f"sync-notion-databases-{i} ({info.dbname})" for i in (2, 3, 4)])]
    before = conn.execute("SELECT name, sha256 FROM nls._python_module ORDER BY 1").fetchall()
    assert main(["--dsn", dsn]) == 0
    out = capsys.readouterr().out
    assert "migrations: none pending" in out and "0 changed, 0 removed" in out and "unchanged" in out
    assert conn.execute("SELECT name, sha256 FROM nls._python_module ORDER BY 1").fetchall() == before
    # --schedule and --workers change them; fewer workers remove the extra jobs
    assert main(["--dsn", dsn, "--schedule", "*/5 * * * *", "--workers", "2"]) == 0
    with psycopg.connect(host=info.host, port=info.port, user=info.user, dbname="postgres", autocommit=True) as cron:
        assert cron.execute("SELECT jobname, schedule FROM cron.job WHERE database = %s ORDER BY jobname",
                            (info.dbname,)).fetchall() == [(f"apply-notion-webhooks ({info.dbname})", "* * * * *"),
                                                           (f"sync-notion-databases ({info.dbname})", "*/5 * * * *"),
                                                           (f"sync-notion-databases-2 ({info.dbname})", "*/5 * * * *")]
    # and a run without them keeps what the jobs have (a DBA's schedule is not reset)
    assert main(["--dsn", dsn]) == 0
    assert "your schedule '*/5 * * * *' is kept" in capsys.readouterr().out
    with psycopg.connect(host=info.host, port=info.port, user=info.user, dbname="postgres", autocommit=True) as cron:
        assert cron.execute("SELECT count(*), min(schedule), max(schedule) FROM cron.job WHERE database = %s AND "
                            "jobname LIKE 'sync-%%'", (info.dbname,)).fetchone() == (2, "*/5 * * * *", "*/5 * * * *")


def test_check_names_the_missing_pieces(conn, dsn, capsys):
    assert main(["--dsn", dsn, "--check"]) == 0
    out = capsys.readouterr().out
    assert "Would apply 0 migration(s)" in out and "FAIL" not in out
    last = Shipped().migrations[-1]
    assert f"nls {__version__} (migration {last}) is installed: this install changes no migration and no module" in out
    assert "pg_dump" not in out   # no upgrade, no backup to take


def test_check_reads_a_setting_the_older_schema_lacks_as_the_install_will_set_it(conn, dsn, capsys):
    # an older schema without the setting anki_python_path: the install adds it at its default, and so the check
    # looks for Anki's library there (not nowhere)
    conn.execute("DELETE FROM nls.settings WHERE name = 'anki_python_path'")
    assert main(["--dsn", dsn, "--check"]) == 0
    out = capsys.readouterr().out
    assert f"Anki's library (optional: the Anki sync): anki " in out and f"Python from {ANKI_PATH}" in out
    assert "Would add setting(s) anki_python_path = '/usr/local/lib/nls/anki-python'" in out


def test_check_without_pg_cron_fails_with_the_fix(postgresql_nocron, capsys):
    info = postgresql_nocron.info
    dsn = f"host={info.host} port={info.port} user={info.user} dbname={info.dbname}"
    assert main(["--dsn", dsn, "--check"]) == 1
    out = capsys.readouterr().out
    assert "FAIL pg_cron" in out and "shared_preload_libraries" in out and "apt-get install postgresql-15-cron" in out
    assert postgresql_nocron.execute("SELECT to_regnamespace('nls')").fetchone()[0] is None  # nothing changed
    # --no-schedule installs without pg_cron
    assert main(["--dsn", dsn, "--no-schedule"]) == 0


def test_check_as_a_non_superuser_says_to_connect_as_one(conn, dsn, capsys):
    conn.execute("CREATE ROLE plain_user LOGIN")
    info = conn.info
    assert main(["--dsn", f"host={info.host} port={info.port} user=plain_user dbname={info.dbname}", "--check"]) == 1
    assert "only a superuser can create its functions" in capsys.readouterr().out


def test_every_migration_rolled_back_and_applied_again_gives_the_same_schema(conn, dsn):
    from nls_install import install as ins
    installed = _schema(dsn)
    ids = ins.rollback_all(conn, None)
    from pathlib import Path
    shipped = sorted(p.name[:-4] for p in (Path(__file__).parents[1] / "migrations").glob("*.sql")
                     if not p.name.endswith(".rollback.sql"))
    assert ids == shipped[::-1] and len(ids) >= 3
    for table in ("nls.sync_log", "nls.learning_atoms", "nls.stg_notion_flashcards"):
        assert conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None
    assert ins.migrate(conn, None) == ids[::-1]
    ins.deploy(conn)
    assert _schema(dsn) == installed
    assert "CREATE TABLE nls.learning_atoms" in installed and "CREATE VIEW nls.v_concept_atom_stats" in installed


def test_the_pg_cron_command_syncs(conn, dsn, emulator, unscheduled):
    from conftest import add_user_source, use_emulator
    gen = emulator.add_generated("creative", pages=30, seed=31, token="tok-cron")
    use_emulator(conn, emulator)
    add_user_source(conn, "cron-user", "tok-cron", gen.database_ids["Stories"])
    assert main(["--dsn", dsn]) == 0
    info = conn.info
    with psycopg.connect(host=info.host, port=info.port, user=info.user, dbname="postgres", autocommit=True) as cron:
        command, role = cron.execute("SELECT command, username FROM cron.job WHERE database = %s "
                                     "AND jobname LIKE 'sync-%%' LIMIT 1", (info.dbname,)).fetchone()
    # as pg_cron runs it: the job's role, which is neither superuser nor BYPASSRLS
    assert conn.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %s", (role,)).fetchone() == (False,)
    with psycopg.connect(host=info.host, port=info.port, user=role, dbname=info.dbname, autocommit=True) as as_cron:
        as_cron.execute(command)
    n = conn.execute("SELECT count(*) FROM nls.stg_notion_pages").fetchone()[0]
    assert n == len(gen.page_ids["Stories"])
