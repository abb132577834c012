"""Upgrades as a DBA does them, against the session's cluster: the previous release (``releases.previous()``, built
from this repository's own history with ``git archive`` of its commit and installed by its own installer with this
venv's Python) is given data through every flow, then upgraded with this release's ``nls install``; and the steps
back no install may take are refused with what to do instead. Also: a failing migration or an engine that does not
load leaves the previous release working, and the installed schema is the committed tests/schema.sql."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

import release_tree
from conftest import ANKI_SERVER_DIR, add_user_source, install, sync, use_emulator
from nls_emulator import Emulator
from nls_emulator.generate import LEARNING_TARGETS
from nls_install import __version__, atomic, installed, releases
from nls_install.install import InstallError, unschedule, yoyo_url
from nls_install.installed import value
from nls_install.resources import Shipped, engine_modules, sha256
from schema_dump import dump, objects
from workspaces import generated_workspace

ROOT = Path(__file__).resolve().parents[1]
PREVIOUS = releases.previous()  # None: the fixture previous_tree skips each test that needs it
USER = "upgrading-learner"
TOKEN = "secret_upgrade_token"
OLD_DB = "upgrade_from"
CUSTOM_SCHEDULE = "0 0 30 2 *"  # never fires: no job runs during the test
# the tables of schema nls that an install writes itself (yoyo's bookkeeping, the deployed engine); every other
# table holds what users and syncs wrote, and an upgrade keeps each of its rows
DEPLOY_TABLES = ("_python_module", "_yoyo_log", "_yoyo_migration", "_yoyo_version", "yoyo_lock", "settings")


def _previous() -> releases.Release:
    """The previous release, for the tests that need it (previous_tree skips them where there is none)."""
    if PREVIOUS is None:
        raise LookupError(f"nls {__version__} has no previous release")
    return PREVIOUS


@pytest.fixture(scope="module")
def previous_tree(tmp_path_factory) -> Path:
    """The previous release's files (``git archive`` of its commit), or a skip that says why they cannot be had."""
    if PREVIOUS is None:
        pytest.skip(f"nls {__version__} has no previous release to upgrade from")
    why = release_tree.unavailable(PREVIOUS)
    if why:
        pytest.skip(why)
    return release_tree.extract(PREVIOUS, tmp_path_factory.mktemp(f"nls-{PREVIOUS.version}"))


def install_previous(tree: Path, dsn: str, *args: str) -> str:
    """Run the previous release's own ``nls install`` (its nls_cli, nls_install and nls_engine) on ``dsn``; its
    output."""
    done = release_tree.run_installer(tree, dsn, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    with psycopg.connect(dsn) as conn:  # its own migrations, not this release's
        assert value(conn, "SELECT max(migration_id) FROM nls._yoyo_migration") == _previous().last_migration
    return done.stdout


@pytest.fixture
def old_db(postgresql_proc, previous_tree):
    """A database with the previous release installed by its own installer (pg_cron jobs at CUSTOM_SCHEDULE, two
    workers, then paused as a DBA does before an upgrade): (autocommit connection, dsn). Dropped after the test,
    its jobs removed."""
    postgresql_proc.create_database(OLD_DB)
    dsn = postgresql_proc.dsn(OLD_DB)
    try:
        install_previous(previous_tree, dsn, "--schedule", CUSTOM_SCHEDULE, "--workers", "2")
        with psycopg.connect(dsn, autocommit=True) as conn:
            with cron(conn) as c:
                c.execute("SELECT cron.alter_job(jobid, active := false) FROM cron.job WHERE database = %s", (OLD_DB,))
            conn.execute("SELECT nls.set_setting('anki_python_path', %s)", (ANKI_SERVER_DIR,))
            yield conn, dsn
            unschedule(conn, None)
    finally:
        postgresql_proc.drop_database(OLD_DB)


def cron(conn: psycopg.Connection) -> psycopg.Connection:
    """A connection to pg_cron's database (the cluster's cron.database_name)."""
    info = conn.info
    name = value(conn, "SHOW cron.database_name")
    return psycopg.connect(host=info.host, port=info.port, user=info.user, dbname=name, autocommit=True)


def jobs(conn: psycopg.Connection) -> list[tuple]:
    with cron(conn) as c:
        return c.execute(
            "SELECT jobname, schedule, command, database, username, active FROM cron.job "
            "WHERE database = %s ORDER BY jobname",
            (conn.info.dbname,),
        ).fetchall()


# ---- what a database holds ------------------------------------------------------------------------------------
def data_relations(conn: psycopg.Connection) -> dict[str, list[str]]:
    """{table or typed view: its columns}: the tables of schema nls but the install's own, and every typed view."""
    rows = conn.execute(
        "SELECT format('%%I.%%I', n.nspname, c.relname), array_agg(format('%%I', a.attname) ORDER BY a.attnum) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "WHERE (n.nspname = 'nls' AND c.relkind = 'r' AND c.relname <> ALL (%s)) "
        "   OR c.oid IN (SELECT to_regclass(built_as) FROM nls.typed_views) GROUP BY 1",
        (list(DEPLOY_TABLES),),
    ).fetchall()
    return {rel: [c for c in cols if c not in REBUILT.get(rel, ())] for rel, cols in rows}


# what an upgrade is meant to change (CHANGELOG): every typed view is built again, so its registry row's built_at moves
REBUILT = {"nls.typed_views": ("built_at",)}


def contents(conn: psycopg.Connection, relations: dict[str, list[str]]) -> dict[str, tuple[int, str]]:
    """{relation: (rows, a hash of their contents in the given columns, in any order)}."""
    out = {}
    for rel, cols in relations.items():
        row = f"row({', '.join(cols)})::text"
        out[rel] = installed.row(
            conn, f"SELECT count(*), md5(coalesce(string_agg(md5({row}), '' ORDER BY md5({row})), '')) FROM {rel}"
        )
    return out


def settings(conn: psycopg.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT name, value FROM nls.settings").fetchall())


# ---- the flows ---------------------------------------------------------------------------------------------------
def rewrite(conn: psycopg.Connection, atom: str, back: str) -> None:
    """A reviewed rewrite of an atom's answer (review_queue: edited, approved)."""
    front, old = installed.row(conn, "SELECT front, back FROM nls.learning_atoms WHERE id = %s", (atom,))
    item = value(
        conn,
        "INSERT INTO nls.review_queue (user_id, front, back, original_front, original_back, "
        "original_atom_id, source) VALUES (%s, %s, %s, %s, %s, %s, 'gemini') RETURNING id",
        (USER, front, old, front, old, atom),
    )
    conn.execute("SELECT nls.edit_review(%s, %s, %s)", (item, front, back))
    conn.execute("SELECT nls.approve_review(%s)", (item,))


def push(conn: psycopg.Connection, dry_run: bool = False) -> dict:
    return value(conn, "SELECT nls.push_notion(user_id => %s, dry_run => %s)", (USER, dry_run))


def conflicts(conn: psycopg.Connection) -> set[str]:
    return {
        r[0]
        for r in conn.execute(
            "SELECT s.local_id::text FROM nls.push_conflicts c JOIN nls.notion_sync_state s ON s.id = c.id"
        )
    }


def answer(emu: Emulator, page: str) -> str:
    prop = emu.api.integrations[TOKEN].workspace.pages[page]["properties"]["Answer"]
    return "".join(t["plain_text"] for t in prop[prop["type"]])


def deliver(conn: psycopg.Connection, path: str, token: str, page: str) -> int:
    """A signed page.properties_updated delivery for ``page``, handed to nls as `nls webhooks serve` does."""
    body = json.dumps(
        {
            "id": str(uuid.uuid4()),
            "type": "page.properties_updated",
            "timestamp": "2026-12-01T09:00:00Z",
            "authors": [{"id": str(uuid.uuid4()), "type": "person"}],
            "entity": {"id": page, "type": "page"},
            "data": {},
        }
    ).encode()
    signature = "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()
    return value(conn, "SELECT nls.webhook_receive(%s, %s, %s)", (path, body, signature))


def anki_ready(conn: psycopg.Connection) -> bool:
    """Whether Anki's library imports here and in the server's Python (the anki extra is installed)."""
    try:
        import anki.collection  # noqa: F401 - whether it imports is the question
    except ImportError:
        return False
    return not value(conn, "SELECT nls.engine_status()->>'anki'").startswith("not importable")


def give_it_data(conn, emu, anki_server) -> dict:
    """Every flow on the previous release: a learning workspace synced with content and cleaned, a push and a
    conflict, typed views, an Anki account synced (when ``anki_server``), a webhook subscription with an event
    applied; then local changes left pending (one plain, one that Notion changes too). Returns the ids it used."""
    use_emulator(conn, emu)
    gen = generated_workspace(conn, emu, USER, TOKEN, pages=80, seed=21, with_content={"Concepts"})
    cards = conn.execute(
        "SELECT id::text, notion_id FROM nls.learning_atoms WHERE user_id = %s "
        "AND atom_type = 'flashcard' ORDER BY card_id LIMIT 4",
        (USER,),
    ).fetchall()
    (a, page_a), (b, page_b), (c, _), (d, page_d) = cards
    ws = gen.workspace
    rewrite(conn, a, "Pushed under the previous release.")
    rewrite(conn, b, "Local answer of b.")
    ws.update_page(page_b, {"Answer": "Notion answer of b."})
    assert sync(conn, user_id=USER)["success"]
    assert push(conn)["success"] and answer(emu, page_a) == "Pushed under the previous release."
    assert conflicts(conn) == {b}
    views = conn.execute(
        "SELECT * FROM nls.create_typed_view(user_id => %s, schema_name => 'learner_views')", (USER,)
    ).fetchall()
    assert len(views) == len(LEARNING_TARGETS)
    if anki_server:
        conn.execute(
            "SELECT nls.add_anki_account(%s, 'learner', %s, endpoint => %s)",
            (USER, anki_server.password, anki_server.url),
        )
        assert conn.execute("SELECT nls.anki_sync(%s)", (USER,)).fetchone()[0]["status"] == "success"
    path = conn.execute("SELECT nls.webhook_endpoint(%s)", (USER,)).fetchone()[0]
    hook_token = "secret_" + uuid.uuid4().hex
    handshake = json.dumps({"verification_token": hook_token}).encode()
    assert conn.execute("SELECT nls.webhook_receive(%s, %s, NULL)", (path, handshake)).fetchone()[0] == 200
    assert conn.execute("SELECT nls.webhook_verification_token(%s)", (USER,)).fetchone()[0] == hook_token
    assert deliver(conn, path, hook_token, page_a) == 200
    conn.execute("CALL nls.apply_all_webhook_events()")
    # left pending over the upgrade: c changed here; d changed here and then in Notion
    rewrite(conn, c, "Changed under the previous release, pushed after the upgrade.")
    rewrite(conn, d, "Local answer of d.")
    ws.update_page(page_d, {"Answer": "Notion answer of d."})
    return {
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "page_d": page_d,
        "path": path,
        "hook_token": hook_token,
        "pages": [p for _, p in cards],
    }


class _Anki:
    """Anki's sync server for the test, with the learner's password (tests/anki_support.py)."""

    def __init__(self):
        from anki_support import USERS, AnkiServer

        self.server, self.password = AnkiServer().start(), USERS["learner"]
        self.url = self.server.url

    def close(self):
        self.server.close()


# ---- the upgrade -------------------------------------------------------------------------------------------------
def _check_plan(dsn: str, capsys, previous_tree: Path) -> None:
    """``nls install --check`` on the previous release: the plan read from the schema it has."""
    assert install(["--dsn", dsn, "--check"]) == 0
    out = capsys.readouterr().out
    shipped = Shipped()
    pending = [m for m in shipped.migrations if m > _previous().last_migration]
    assert (
        f"Upgrade plan: nls {_previous().version} (migration {_previous().last_migration}) -> {__version__} "
        f"(migration {shipped.migrations[-1]})"
    ) in out
    assert f"Would apply {len(pending)} migration(s): {', '.join(pending)}" in out
    old = {name: sha256(source) for name, source in engine_modules(previous_tree / "plpython" / "nls_engine").items()}
    changed = sorted(n for n, h in shipped.module_hashes.items() if old.get(n, h) != h)
    assert (f"{len(changed)} changed ({', '.join(changed)})" if changed else "engine modules are unchanged") in out
    assert "setting(s) you changed: " in out and "api_base_url = 'http://127.0.0.1:" in out
    assert f"your schedule '{CUSTOM_SCHEDULE}' is kept" in out and "your 2 worker job(s) are kept" in out
    assert f"pg_dump --format=custom --file=nls-{_previous().version}-{OLD_DB}-" in out and "FAIL" not in out
    # read from the schema it finds: the Anki check reads the setting the database has
    assert "Anki's library (optional: the Anki sync): anki " in out and f"Python from {ANKI_SERVER_DIR}" in out


def test_an_upgrade_from_the_previous_release_keeps_everything_and_goes_on_incrementally(
    old_db, dsn, capsys, previous_tree
):
    conn, old_dsn = old_db
    anki_server = _Anki() if anki_ready(conn) else None
    try:
        with Emulator() as emu:
            ids = give_it_data(conn, emu, anki_server)
            relations = data_relations(conn)
            before, kept, scheduled = contents(conn, relations), settings(conn), jobs(conn)
            assert "learner_views.flashcards" in relations and "nls.webhook_events" in relations
            _check_plan(old_dsn, capsys, previous_tree)
            assert install(["--dsn", old_dsn]) == 0
            out = capsys.readouterr().out
            assert f"Installing nls {__version__} over {_previous().version}" in out
            _check_after(conn, old_dsn, dsn, relations, before, kept, scheduled)
            _check_flows_go_on(conn, emu, ids, anki_server)
    finally:
        if anki_server:
            anki_server.close()


def _check_after(conn, old_dsn, fresh_dsn, relations, before, kept, scheduled) -> None:
    """Every row kept, the schema a fresh install's, the settings and the schedule kept, the version told."""
    assert contents(conn, relations) == before
    assert {k: v for k, v in settings(conn).items() if k in kept} == kept
    assert jobs(conn) == scheduled and {j[1] for j in scheduled if j[0].startswith("sync-")} == {CUSTOM_SCHEDULE}
    assert objects(dump(old_dsn)) == objects(dump(fresh_dsn))
    version = conn.execute("SELECT nls.version()").fetchone()[0]
    engine = conn.execute("SELECT nls._load_engine()").fetchone()[0]
    assert version == {
        "release": __version__,
        "migration": Shipped().migrations[-1],
        "engine": engine,
        "schema_matches": True,
    }
    assert engine == Shipped().engine
    # the modules of the previous release's layout that this one does not ship are gone
    assert {n for (n,) in conn.execute("SELECT name FROM nls._python_module")} == set(Shipped().modules)


def _check_flows_go_on(conn, emu, ids, anki_server) -> None:
    """After the upgrade: the next sync incremental, reading again only the page Notion changed; the changes left
    pending pushed or shown as conflicts; Anki and the webhook subscription as before."""
    emu.api.reset_log()
    result = sync(conn, user_id=USER)
    assert result["success"] and {r["sync_type"] for r in result["results"]} == {"notion_incremental"}
    content = {
        r["path"].split("/")[3].replace("-", "")
        for r in emu.api.log
        if r["endpoint"] in ("page_markdown", "block_children")
    }
    assert content <= {ids["page_d"].replace("-", "")}, content  # no content read again but a changed page's
    would = push(conn, dry_run=True)
    listed = [w for r in would["results"] for w in r.get("would_send", [])]
    assert {w["local_id"] for w in listed if not w.get("conflicts")} == {ids["c"]}, would
    assert {w["local_id"] for w in listed if w.get("conflicts")} == {ids["d"]}, would
    emu.api.reset_log()
    assert push(conn)["success"]
    page_c = conn.execute("SELECT notion_id FROM nls.learning_atoms WHERE id = %s", (ids["c"],)).fetchone()[0]
    assert answer(emu, page_c) == "Changed under the previous release, pushed after the upgrade."
    assert conflicts(conn) == {ids["b"], ids["d"]}
    assert answer(emu, ids["page_d"]) == "Notion answer of d."
    if anki_server:
        anki = conn.execute("SELECT nls.anki_sync(%s)", (USER,)).fetchone()[0]
        assert anki["status"] == "success"
        assert {s["sync_type"]: s["items_added"] for s in anki["steps"]}["anki_push"] == 0
    assert deliver(conn, ids["path"], ids["hook_token"], ids["pages"][0]) == 200
    conn.execute("CALL nls.apply_all_webhook_events()")
    assert conn.execute("SELECT count(*) FROM nls.webhook_events WHERE applied_at IS NULL").fetchone()[0] == 0


# ---- atomic: a failure changes nothing -----------------------------------------------------------------------
def _state(conn, dsn) -> tuple:
    """What a failed upgrade must leave as it was: the schema, the migrations applied, the engine deployed."""
    return (
        dump(dsn),
        conn.execute("SELECT array_agg(migration_id ORDER BY 1) FROM nls._yoyo_migration").fetchone(),
        conn.execute("SELECT array_agg(sha256 ORDER BY name) FROM nls._python_module").fetchone(),
    )


def _works(conn, emu) -> None:
    """The release in the database syncs: a page added in Notion is stored by the next sync."""
    gen = emu.gen
    page = gen.workspace.create_page(gen.data_source_ids["Stories"], {})
    assert sync(conn, user_id="atomic-user")["success"]
    assert (
        conn.execute(
            "SELECT count(*) FROM nls.stg_notion_pages WHERE replace(page_id, '-', '') = %s", (page.replace("-", ""),)
        ).fetchone()[0]
        == 1
    )


@pytest.fixture
def synced_old(old_db):
    """The previous release with a creative source synced (autocommit connection, dsn, emulator)."""
    conn, dsn = old_db
    with Emulator() as emu:
        emu.gen = emu.add_generated("creative", pages=20, seed=18, token="tok-atomic")
        use_emulator(conn, emu)
        add_user_source(conn, "atomic-user", "tok-atomic", emu.gen.database_ids["Stories"])
        assert sync(conn, user_id="atomic-user")["success"]
        yield conn, dsn, emu


def test_a_failing_migration_changes_nothing_and_the_previous_release_keeps_working(synced_old, tmp_path):
    conn, dsn, emu = synced_old
    folder = tmp_path / "migrations"
    shutil.copytree(Shipped().migrations_dir, folder)
    last = Shipped().migrations[-1]
    (folder / "0099.fails.sql").write_text(
        f"-- depends: {last}\nALTER TABLE nls.sources ADD COLUMN doomed int;\nSELECT 1 / 0;\n"
    )
    (folder / "0099.fails.rollback.sql").write_text("ALTER TABLE nls.sources DROP COLUMN doomed;\n")
    before = _state(conn, dsn)
    with pytest.raises(InstallError) as failed:
        atomic.install(conn, Shipped(migrations_dir=folder))
    assert str(failed.value).startswith(
        "migration 0099.fails failed: division by zero [SQLSTATE 22012]. Nothing "
        f"was changed: the database is still at {_previous().version} (migration "
        f"{_previous().last_migration}), which keeps working as before"
    )
    assert _state(conn, dsn) == before
    assert conn.execute("SELECT to_regprocedure('nls._deployed()')").fetchone()[0] is None
    _works(conn, emu)


def test_an_engine_that_does_not_load_changes_nothing_and_the_previous_release_keeps_working(synced_old):
    conn, dsn, emu = synced_old
    modules = engine_modules()
    modules["nls_engine.report"] += "\nraise RuntimeError('this engine does not load')\n"
    before = _state(conn, dsn)
    with pytest.raises(InstallError) as failed:
        atomic.install(conn, Shipped(modules=modules))
    assert str(failed.value).startswith(
        "the engine's load check (SELECT nls.engine_status()) failed: RuntimeError: this engine does not load"
    )
    assert f"still at {_previous().version}" in str(failed.value)
    assert _state(conn, dsn) == before  # the migrations too: they were in the same transaction
    _works(conn, emu)


# ---- stepping back -----------------------------------------------------------------------------------------------
def test_an_older_nls_over_a_newer_database_is_refused_with_what_to_do_and_changes_nothing(conn, dsn, capsys):
    newer = [*Shipped().migrations, "0099.later"]
    conn.execute(
        "INSERT INTO nls._yoyo_migration (migration_hash, migration_id, applied_at_utc) "
        "VALUES (%s, '0099.later', now())",
        (hashlib.sha256(b"0099.later").hexdigest(),),
    )
    record = json.dumps({"release": "9.9.0", "migrations": newer})
    conn.execute(
        f"CREATE OR REPLACE FUNCTION nls._deployed() RETURNS jsonb LANGUAGE sql IMMUTABLE "
        f"AS $$ SELECT '{record}'::jsonb $$"
    )
    before = dump(dsn)
    for args in (["--check"], ["--no-schedule"]):
        assert install(["--dsn", dsn, *args]) == 1
        out = capsys.readouterr().out
        assert f"error: database is at 9.9.0 (migration 0099.later), this nls is {__version__}" in out
        assert "fix: install nls 9.9.0 or later, or restore the backup taken before the upgrade" in out
    assert dump(dsn) == before


def test_a_migration_rolled_back_by_hand_stops_every_sync_with_a_clear_error_until_nls_install(
    conn, dsn, capsys, emulator
):
    gen = emulator.add_generated("creative", pages=10, seed=19, token="tok-rolled")
    use_emulator(conn, emulator)
    add_user_source(conn, "rolled-user", "tok-rolled", gen.database_ids["Stories"])
    yoyo = Path(sys.executable).with_name("yoyo")
    # the DBA rolls back with yoyo itself: 0013 (its rollback drops sync_state.listed, which the engine reads)
    # and every migration after it
    done = subprocess.run(
        [
            str(yoyo),
            "rollback",
            "--batch",
            "--no-config-file",
            "--database",
            yoyo_url(conn, None),
            "--revision",
            _previous().last_migration,
            str(Shipped().migrations_dir),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    rolled = [m for m in Shipped().migrations if m >= _previous().last_migration]
    version = conn.execute("SELECT nls.version()").fetchone()[0]
    assert version["schema_matches"] is False and ", ".join(rolled) in version["problem"]
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as refused:
        sync(conn, user_id="rolled-user")
    assert (refused.value.diag.message_primary or "").endswith(
        f"nls: the schema lacks migration(s) {', '.join(rolled)} that "
        f"the deployed nls {__version__} needs (rolled back by hand)"
    )
    assert f"Run nls install of nls {__version__} to apply them again" in (refused.value.diag.message_hint or "")
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
        conn.execute("CALL nls.sync_all_users_notion_databases()")
    assert install(["--dsn", dsn, "--check"]) == 0
    out = capsys.readouterr().out
    assert f"The schema lacks migration(s) {', '.join(rolled)} that nls {__version__} was deployed with" in out
    assert install(["--dsn", dsn, "--no-schedule"]) == 0
    assert sync(conn, user_id="rolled-user")["success"]
    assert conn.execute("SELECT nls.version()->'schema_matches'").fetchone()[0] is True


def test_the_installed_schema_is_the_committed_one(dsn):
    committed = (ROOT / "tests" / "schema.sql").read_text()
    assert dump(dsn) == committed, "the schema differs from tests/schema.sql: run make schema and review the diff"
