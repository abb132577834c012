"""nls install against real servers: one with pg_cron and plpython3u, one without pg_cron preloaded."""

from __future__ import annotations

import psycopg
import pytest

from conftest import PG_OPTIONS, TEST_KEY, fresh_database, install, use_emulator
from nls_install import __version__, installed
from nls_install.install import ANKI_PATH, unschedule
from nls_install.installed import value
from nls_install.resources import Shipped
from pg_cluster import Cluster
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
    assert install(["--dsn", dsn]) == 0
    out = capsys.readouterr().out
    assert "scheduled pg_cron job" in out
    info = conn.info
    with psycopg.connect(host=info.host, port=info.port, user=info.user, dbname="postgres", autocommit=True) as cron:
        jobs = cron.execute(
            "SELECT jobname, schedule, command, database, username FROM cron.job WHERE database = %s ORDER BY jobname",
            (info.dbname,),
        ).fetchall()
    # four worker jobs by default, each running the worker procedure as nls_cron (neither superuser nor BYPASSRLS),
    # and the job applying the webhook events every minute
    assert jobs == [
        (
            f"apply-notion-webhooks ({info.dbname})",
            "* * * * *",
            "CALL nls.apply_all_webhook_events()",
            info.dbname,
            "nls_cron",
        )
    ] + [
        (name, "*/15 * * * *", "CALL nls.sync_all_users_notion_databases()", info.dbname, "nls_cron")
        for name in sorted(
            [f"sync-notion-databases ({info.dbname})"]
            + [f"sync-notion-databases-{i} ({info.dbname})" for i in (2, 3, 4)]
        )
    ]
    before = conn.execute("SELECT name, sha256 FROM nls._python_module ORDER BY 1").fetchall()
    assert install(["--dsn", dsn]) == 0
    out = capsys.readouterr().out
    assert "migrations: none pending" in out and "0 changed, 0 removed" in out and "unchanged" in out
    assert conn.execute("SELECT name, sha256 FROM nls._python_module ORDER BY 1").fetchall() == before
    # --schedule and --workers change them; fewer workers remove the extra jobs
    assert install(["--dsn", dsn, "--schedule", "*/5 * * * *", "--workers", "2"]) == 0
    with psycopg.connect(host=info.host, port=info.port, user=info.user, dbname="postgres", autocommit=True) as cron:
        assert cron.execute(
            "SELECT jobname, schedule FROM cron.job WHERE database = %s ORDER BY jobname", (info.dbname,)
        ).fetchall() == [
            (f"apply-notion-webhooks ({info.dbname})", "* * * * *"),
            (f"sync-notion-databases ({info.dbname})", "*/5 * * * *"),
            (f"sync-notion-databases-2 ({info.dbname})", "*/5 * * * *"),
        ]
    # and a run without them keeps what the jobs have (a DBA's schedule is not reset)
    assert install(["--dsn", dsn]) == 0
    assert "your schedule '*/5 * * * *' is kept" in capsys.readouterr().out
    with psycopg.connect(host=info.host, port=info.port, user=info.user, dbname="postgres", autocommit=True) as cron:
        assert cron.execute(
            "SELECT count(*), min(schedule), max(schedule) FROM cron.job WHERE database = %s AND "
            "jobname LIKE 'sync-%%'",
            (info.dbname,),
        ).fetchone() == (2, "*/5 * * * *", "*/5 * * * *")


def test_check_names_the_missing_pieces(conn, dsn, capsys):
    assert install(["--dsn", dsn, "--check"]) == 0
    out = capsys.readouterr().out
    assert "Would apply 0 migration(s)" in out and "FAIL" not in out
    last = Shipped().migrations[-1]
    assert f"nls {__version__} (migration {last}) is installed: this install changes no migration and no module" in out
    assert "pg_dump" not in out  # no upgrade, no backup to take


def test_check_reads_a_setting_the_older_schema_lacks_as_the_install_will_set_it(conn, dsn, capsys):
    # an older schema without the setting anki_python_path: the install adds it at its default, and so the check
    # looks for Anki's library there (not nowhere)
    conn.execute("DELETE FROM nls.settings WHERE name = 'anki_python_path'")
    assert install(["--dsn", dsn, "--check"]) == 0
    out = capsys.readouterr().out
    assert "Anki's library (optional: the Anki sync): anki " in out and f"Python from {ANKI_PATH}" in out
    assert "Would add setting(s) anki_python_path = '/usr/local/lib/nls/anki-python'" in out


def test_a_new_install_speaks_notion_2026_12_01_and_an_upgrade_keeps_the_version_an_installation_had(conn, dsn, capsys):
    assert conn.execute("SELECT value, default_value FROM nls.settings WHERE name = 'notion_version'").fetchone() == (
        "2026-12-01",
        "2026-12-01",
    )
    # as an installation of 0.1.0 has it: installed when 2025-09-03 was the default, and never changed
    conn.execute(
        "UPDATE nls.settings SET value = '2025-09-03', default_value = '2025-09-03' WHERE name = 'notion_version'"
    )
    conn.commit()
    assert install(["--dsn", dsn, "--check"]) == 0
    out = capsys.readouterr().out
    assert (
        "Keeps notion_version = '2025-09-03', the default this database was installed with; new installs start "
        "at '2026-12-01' (SELECT nls.set_setting('notion_version', '2026-12-01') moves to it)"
    ) in out
    assert install(["--dsn", dsn, "--no-schedule"]) == 0
    assert conn.execute("SELECT value, default_value FROM nls.settings WHERE name = 'notion_version'").fetchone() == (
        "2025-09-03",
        "2026-12-01",
    )
    assert conn.execute("SELECT nls.set_setting('notion_version', '2026-03-11')").fetchone()[0] == "2026-03-11"


def test_check_without_pg_cron_fails_with_the_fix(postgresql_nocron, capsys):
    info = postgresql_nocron.info
    dsn = f"host={info.host} port={info.port} user={info.user} dbname={info.dbname}"
    assert install(["--dsn", dsn, "--check"]) == 1
    out = capsys.readouterr().out
    assert "FAIL pg_cron" in out and "shared_preload_libraries" in out and "apt-get install postgresql-15-cron" in out
    assert postgresql_nocron.execute("SELECT to_regnamespace('nls')").fetchone()[0] is None  # nothing changed
    # --no-schedule installs without pg_cron
    assert install(["--dsn", dsn, "--no-schedule"]) == 0


def test_check_as_a_non_superuser_says_to_connect_as_one(conn, dsn, capsys):
    conn.execute("CREATE ROLE plain_user LOGIN")
    info = conn.info
    assert install(["--dsn", f"host={info.host} port={info.port} user=plain_user dbname={info.dbname}", "--check"]) == 1
    assert "only a superuser can create its functions" in capsys.readouterr().out


def test_every_migration_rolled_back_and_applied_again_gives_the_same_schema(conn, dsn):
    from nls_install import install as ins

    installed = _schema(dsn)
    ids = ins.rollback_all(conn, None)
    from pathlib import Path

    shipped = sorted(
        p.name[:-4]
        for p in (Path(__file__).parents[1] / "migrations").glob("*.sql")
        if not p.name.endswith(".rollback.sql")
    )
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
    assert install(["--dsn", dsn]) == 0
    info = conn.info
    with psycopg.connect(host=info.host, port=info.port, user=info.user, dbname="postgres", autocommit=True) as cron:
        command, role = installed.row(
            cron,
            "SELECT command, username FROM cron.job WHERE database = %s AND jobname LIKE 'sync-%%' LIMIT 1",
            (info.dbname,),
        )
    # as pg_cron runs it: the job's role, which is neither superuser nor BYPASSRLS
    assert conn.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %s", (role,)).fetchone() == (
        False,
    )
    with psycopg.connect(host=info.host, port=info.port, user=role, dbname=info.dbname, autocommit=True) as as_cron:
        as_cron.execute(command)
    n = conn.execute("SELECT count(*) FROM nls.stg_notion_pages").fetchone()[0]
    assert n == len(gen.page_ids["Stories"])


@pytest.fixture
def empty_database(postgresql_proc, request):
    """Make an empty database on the session's cluster: ``make(name, *options)`` (options: SQL words after CREATE
    DATABASE name) returns its DSN; each is dropped after the test."""
    made = []

    def make(name: str, options: str = "") -> str:
        with postgresql_proc.connect(autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}" {options}')
        made.append(name)
        return postgresql_proc.dsn(name)

    yield make
    for name in made:
        postgresql_proc.drop_database(name)


def _run(argv: list[str], capsys) -> tuple[int, str]:
    code = install(argv)
    return code, capsys.readouterr().out


@pytest.mark.parametrize("encoding", ["SQL_ASCII", "LATIN1"])
def test_a_database_not_in_utf8_fails_the_first_check_and_the_install_changes_nothing(empty_database, capsys, encoding):
    dsn = empty_database(
        f"enc_{encoding.lower()}", f"ENCODING '{encoding}' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0"
    )
    code, out = _run(["--dsn", dsn, "--check"], capsys)
    checks = [line.strip() for line in out.splitlines() if line.startswith("  ") and ": " in line]
    assert code == 1 and checks[0].startswith(
        f"FAIL database encoding: database enc_{encoding.lower()} is {encoding}, not UTF8: nls needs UTF8"
    ), out
    assert "Notion's text is Unicode" in out
    # every value printed is text: a SQL_ASCII database hands psycopg bytes unless the connection speaks UTF-8
    assert "b'" not in out and 'b"' not in out and "server version: 15." in out
    fix = next(line for line in out.splitlines() if "fix: create a UTF8 database" in line)
    create = fix[fix.index("CREATE DATABASE") : fix.index(";")]
    # the install refuses with the same words, before changing anything
    code, out = _run(["--dsn", dsn, "--no-schedule"], capsys)
    assert code == 1 and "FAIL database encoding" in out and "nothing was changed" in out
    with psycopg.connect(dsn) as c:
        assert c.execute(
            "SELECT to_regnamespace('nls'), (SELECT count(*) FROM pg_extension WHERE extname = 'plpython3u')"
        ).fetchone() == (None, 0)
    # the fix's own statement makes a database nls installs into
    utf8 = create.split('"')[1]
    dsn = empty_database(utf8, create[len(f'CREATE DATABASE "{utf8}"') :])
    assert _run(["--dsn", dsn, "--no-schedule"], capsys)[0] == 0


def test_names_from_the_database_are_printed_as_they_are_not_read_as_markup(empty_database, capsys):
    dsn = empty_database("cards[b]")  # [b] is rich's markup for bold
    code, out = _run(["--dsn", dsn, "--check"], capsys)
    assert code == 0, out
    assert "nls install: database cards[b] on " in out and "database encoding: database cards[b] is UTF8" in out, out
    assert "New install of nls" in out


def test_a_step_that_fails_says_so_on_one_line_and_exits_1(empty_database, capsys):
    dsn = empty_database("taken")
    with psycopg.connect(dsn, autocommit=True) as c:  # a table nls's first migration would create
        c.execute("CREATE SCHEMA nls")
        c.execute("CREATE TABLE nls.sync_log (x int)")
    code, out = _run(["--dsn", dsn, "--no-schedule"], capsys)
    assert code == 1 and "Traceback" not in out
    assert (
        'error: migration 0001.engine-schema failed: relation "sync_log" already exists [SQLSTATE 42P07]. '
        'Nothing was changed: nls is still not installed in this database'
    ) in out, out


@pytest.fixture
def own_cluster():
    """A cluster of this test's own (pg_cron preloaded, the test key in its environment): its roles are nobody
    else's."""
    with Cluster(options=PG_OPTIONS, env={"NLS_ENCRYPTION_KEY": TEST_KEY}) as cluster:
        yield cluster.start()


def _typed_views(dsn: str, emu, placed: dict[str, str]) -> None:
    """Sync a creative workspace into the database at ``dsn`` and make a typed view of each data source named in
    ``placed`` ({Notion database name: schema})."""
    with psycopg.connect(dsn, autocommit=True) as c:
        gen = emu.add_generated("creative", pages=12, seed=71, token="tok-uninstall")
        use_emulator(c, emu)
        c.execute("SELECT nls.add_integration('uni', 'tok-uninstall')")
        for name in placed:
            c.execute("SELECT nls.add_source('uni', %s)", (gen.database_ids[name],))
        assert value(c, "SELECT nls.sync_notion(user_id => 'uni')")["success"]
        for name, schema in placed.items():
            c.execute("SELECT nls.create_typed_view(%s, schema_name => %s)", (gen.database_ids[name], schema))


def _state(cluster, db: str) -> dict:
    """What nls leaves in database ``db`` and in the cluster: schemas, database settings, pg_cron jobs, roles."""
    with cluster.connect(db) as c:
        schemas = [
            r[0]
            for r in c.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname IN ('nls', 'notion', 'mine', 'kept') ORDER BY 1"
            )
        ]
        settings = c.execute(
            "SELECT coalesce(setconfig, '{}') FROM pg_db_role_setting WHERE setrole = 0 AND "
            "setdatabase = (SELECT oid FROM pg_database WHERE datname = %s)",
            (db,),
        ).fetchall()
        roles = [r[0] for r in c.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'nls%' ORDER BY 1")]
    with cluster.connect("postgres") as c:
        jobs = c.execute("SELECT count(*) FROM cron.job WHERE database = %s", (db,)).fetchone()[0]
    return {"schemas": schemas, "settings": [s for r in settings for s in r[0]], "jobs": jobs, "roles": roles}


def test_uninstall_removes_what_nls_made_says_what_stays_and_can_run_again(own_cluster, emulator, capsys):
    dsn = {db: own_cluster.dsn(db) for db in ("one", "two")}
    for db in dsn:
        own_cluster.create_database(db)
        assert install(["--dsn", dsn[db]]) == 0
    _typed_views(dsn["one"], emulator, {"Stories": "notion", "Worlds": "mine", "Characters": "kept"})
    with psycopg.connect(dsn["one"], autocommit=True) as c:
        c.execute("CREATE TABLE kept.notes (x int)")  # an object of the DBA's own in a schema nls made
    installed = _state(own_cluster, "one")
    assert installed["schemas"] == ["kept", "mine", "nls", "notion"] and installed["jobs"] == 5
    assert sorted(installed["settings"]) == ["log_parameter_max_length=0", "log_parameter_max_length_on_error=0"]
    roles = ["nls_admin", "nls_app", "nls_cron", "nls_webhook"]
    assert installed["roles"] == roles
    capsys.readouterr()

    code, out = _run(["--dsn", dsn["one"], "--uninstall", "--yes"], capsys)
    assert code == 0, out
    removed, _, stays = out.partition("What stays:")
    for line in (
        "removed pg_cron job(s) apply-notion-webhooks (one)",
        "dropped schema nls",
        "dropped schema mine (nls created it for typed views)",
        "dropped schema notion",
        "reset log_parameter_max_length, log_parameter_max_length_on_error of database one",
    ):
        assert line in removed, out
    assert "schema kept, which nls created for typed views: it holds objects nls did not make (notes)" in stays
    assert "roles nls_admin, nls_app, nls_cron, nls_webhook: a role belongs to the whole cluster" in stays
    assert "database(s) two still hold objects or privileges of theirs" in stays, out
    assert "extension(s) plpython3u of database one" in stays
    assert _state(own_cluster, "one") == {"schemas": ["kept"], "settings": [], "jobs": 0, "roles": roles}
    with own_cluster.connect("one") as c:  # nls's grants on the schema that stays went with nls
        assert c.execute("SELECT nspacl::text[] FROM pg_namespace WHERE nspname = 'kept'").fetchone()[0] == [
            "postgres=UC/postgres"
        ]
    assert _state(own_cluster, "two")["jobs"] == 5  # the other database's nls is untouched

    # again: nothing left to remove, and it says so
    code, out = _run(["--dsn", dsn["one"], "--uninstall", "--yes"], capsys)
    assert code == 0 and "no schema nls" in out and "no pg_cron job" in out and "no database setting" in out, out
    # the last database with nls: the roles are used nowhere, and the statement given drops them
    code, out = _run(["--dsn", dsn["two"], "--uninstall", "--yes"], capsys)
    assert code == 0 and "no database of this cluster uses them any more" in out, out
    drop = out[out.index("DROP ROLE") : out.index(";", out.index("DROP ROLE")) + 1]
    with own_cluster.connect("one", autocommit=True) as c:
        c.execute(drop)
        assert c.execute("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'nls%'").fetchone() == (0,)
    # and nls installs again, roles and all
    assert install(["--dsn", dsn["one"]]) == 0
    assert _state(own_cluster, "one") == installed | {"schemas": ["kept", "nls"]}


@pytest.mark.parametrize(
    "dsn, said",
    [
        ("foo=bar", 'error: --dsn is not a connection string: invalid connection option "foo"'),
        ("host=127.0.0.1 port=1 connect_timeout=5", "error: cannot connect to PostgreSQL: connection failed"),
    ],
)
def test_a_dsn_libpq_cannot_read_or_reach_is_one_line_and_exit_1(dsn, said, capsys):
    code, out = _run(["--dsn", dsn, "--check"], capsys)
    lines = out.splitlines()
    assert code == 1 and lines[0].startswith(said) and lines[1].startswith("  fix: ") and len(lines) == 2, out
