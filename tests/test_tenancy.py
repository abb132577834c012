"""Many users in one database: forced row-level security on every table holding a user's rows, the nls
roles and what each may execute (checked against tests/expected_privileges.txt), and objects planted in pg_temp or
public that must not take over an nls function."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import psycopg
import pytest

from conftest import use_emulator
from nls_emulator import Emulator
from nls_install import installed
from nls_install.installed import value
from workspaces import generated_workspace

USERS = {"alice": ("creative", 7), "bob": ("creative", 8), "carol": ("learning", 9)}
EXPECTED = Path(__file__).with_name("expected_privileges.txt")


@pytest.fixture
def tenants(conn):
    """Three users, each with their own generated workspace synced (creative, creative, learning), and a login
    role for the application (a member of nls_app) and one for an administrator (a member of nls_admin)."""
    with Emulator() as emu:
        use_emulator(conn, emu)
        emu.gens = {}
        for user, (kind, seed) in USERS.items():
            emu.gens[user] = generated_workspace(conn, emu, user, f"secret_{user}", pages=60, kind=kind, seed=seed)
        emu.gen = emu.gens["alice"]
        conn.execute("INSERT INTO nls.review_queue (user_id, front, source) VALUES ('bob', 'Q?', 'gemini')")
        for role, group in (("webapp", "nls_app"), ("dba_alice", "nls_admin")):
            conn.execute(f"DROP ROLE IF EXISTS {role}")
            conn.execute(f"CREATE ROLE {role} LOGIN IN ROLE {group}")
        yield emu
        for role in ("webapp", "dba_alice"):
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


def _connect(conn, role: str, user: str | None = None) -> psycopg.Connection:
    info = conn.info
    c = psycopg.connect(host=info.host, port=info.port, user=role, dbname=info.dbname, autocommit=True)
    if user is not None:
        c.execute("SELECT set_config('nls.user_id', %s, false)", (user,))
    return c


def _user_tables(conn) -> list[tuple[str, bool]]:
    """Every nls table with forced row-level security: (name, has a user_id column)."""
    return conn.execute("""
        SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'user_id')
          FROM pg_class c WHERE c.relnamespace = 'nls'::regnamespace AND c.relkind = 'r'
           AND c.relrowsecurity AND c.relforcerowsecurity ORDER BY 1""").fetchall()


def _owned(conn, table: str, by_user: bool, user: str) -> int:
    if by_user:
        return conn.execute(f"SELECT count(*) FROM nls.{table} WHERE user_id = %s", (user,)).fetchone()[0]
    return conn.execute(
        f"SELECT count(*) FROM nls.{table} t JOIN nls.sources s ON s.id = t.source_id WHERE s.user_id = %s", (user,)
    ).fetchone()[0]


def test_every_table_with_user_rows_forces_row_level_security(conn):
    tables = {
        r[0]
        for r in conn.execute("""
        SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'nls'::regnamespace AND c.relkind = 'r'
           AND (EXISTS (SELECT 1 FROM pg_attribute a
                        WHERE a.attrelid = c.oid AND a.attname IN ('user_id', 'source_id')))
           AND c.relname <> 'sync_rounds'""")
    }
    assert {t for t, _ in _user_tables(conn)} == tables
    assert {
        "integrations",
        "sources",
        "stg_notion_pages",
        "characters",
        "learning_atoms",
        "sync_log",
        "notion_relation_edges",
        "cleaning_log",
        "sync_state",
    } <= tables
    # the round queue is no user's rows: no role but its SECURITY DEFINER functions reads it
    for t in ("sync_rounds",):
        assert conn.execute(
            "SELECT count(*) FROM information_schema.role_table_grants WHERE table_schema = 'nls' "
            "AND table_name = %s AND grantee LIKE 'nls_%%'",
            (t,),
        ).fetchone() == (0,)


def test_each_users_session_sees_exactly_that_users_rows_in_every_table(conn, tenants):
    tables = _user_tables(conn)
    for user in USERS:
        with _connect(conn, "webapp", user) as app:
            for table, by_user in tables:
                seen = value(app, f"SELECT count(*) FROM nls.{table}")
                assert seen == _owned(conn, table, by_user, user), (user, table)
                if by_user:
                    assert app.execute(f"SELECT count(*) FROM nls.{table} WHERE user_id <> %s", (user,)).fetchone() == (
                        0,
                    )
            # through the views too (they read as the session: security_invoker)
            assert {r[0] for r in app.execute("SELECT DISTINCT user_id FROM nls.sync_status")} == {user}
    some = sum(_owned(conn, t, b, "alice") for t, b in tables)
    assert some > 100
    # a session that says for no one sees nothing
    with _connect(conn, "webapp") as app:
        for table, _ in tables:
            assert app.execute(f"SELECT count(*) FROM nls.{table}").fetchone() == (0,), table
    # the administrator reads every user's rows
    with _connect(conn, "dba_alice") as dba:
        for table, _by_user in tables:
            total = conn.execute(f"SELECT count(*) FROM nls.{table}").fetchone()[0]
            assert value(dba, f"SELECT count(*) FROM nls.{table}") == total, table


def test_a_write_under_another_user_is_refused_and_changes_nothing(conn, tenants):
    before = {
        t: conn.execute(f"SELECT count(*), md5(string_agg(x::text, '' ORDER BY x::text)) FROM nls.{t} x").fetchone()
        for t, _ in _user_tables(conn)
    }
    bob_source = conn.execute("SELECT id FROM nls.sources WHERE user_id = 'bob' LIMIT 1").fetchone()[0]
    bob_page = conn.execute("SELECT page_id FROM nls.stg_notion_pages WHERE user_id = 'bob' LIMIT 1").fetchone()[0]
    with _connect(conn, "webapp", "alice") as app:
        refused = [
            (
                "INSERT INTO nls.characters (user_id, notion_page_id, name, properties, content_hash) "
                "VALUES ('bob', 'x', 'x', '{}', 'x')",
                (),
            ),
            ("SELECT nls.add_source('bob', %s, 'characters')", (tenants.gen.database_ids["Characters"],)),
            ("SELECT nls.add_integration('bob', 'secret_stolen')", ()),
            # the sync's own writer, handed a page of bob's while the session acts for alice
            (
                "SELECT * FROM nls._upsert_pages(%s, 'bob', %s::jsonb)",
                (
                    bob_source,
                    json.dumps(
                        [
                            {
                                "page_id": bob_page,
                                "data_source_id": "d",
                                "properties": {},
                                "page": {},
                                "created_time": "2026-01-01T00:00:00Z",
                                "last_edited_time": "2026-01-01T00:00:00Z",
                                "in_trash": False,
                                "sync_hash": "h",
                            }
                        ]
                    ),
                ),
            ),
            ("UPDATE nls.characters SET user_id = 'bob' WHERE user_id = 'alice'", ()),
        ]
        for sql, args in refused:
            with pytest.raises(psycopg.Error) as e:
                app.execute(sql, args)
            assert isinstance(
                e.value,
                (psycopg.errors.InsufficientPrivilege, psycopg.errors.RaiseException, psycopg.errors.NoDataFound),
            ) or "row-level security" in str(e.value), sql
        # statements that name bob's rows reach none of them
        assert app.execute("UPDATE nls.characters SET name = 'x' WHERE user_id = 'bob'").rowcount == 0
        assert app.execute("DELETE FROM nls.stg_notion_pages WHERE user_id = 'bob'").rowcount == 0
        assert app.execute("DELETE FROM nls.review_queue").rowcount == 0
        assert app.execute("SELECT nls.remove_integration('bob')").fetchone() == (False,)
        r = value(app, "SELECT nls.sync_notion(user_id => 'bob')")
        assert r["success"] is False and "no enabled source" in r["error"]
        with pytest.raises(psycopg.Error, match="no Notion integration this session can see"):
            app.execute("SELECT * FROM nls.discover('bob')")
    after = {
        t: conn.execute(f"SELECT count(*), md5(string_agg(x::text, '' ORDER BY x::text)) FROM nls.{t} x").fetchone()
        for t, _ in _user_tables(conn)
    }
    assert after == before


def test_the_application_role_syncs_its_user_and_cannot_configure(conn, tenants):
    tenants.gen.workspace.update_page(tenants.gen.page_ids["Characters"][0], {"Name": "Edited by alice"})
    with _connect(conn, "webapp", "alice") as app:
        r = value(app, "SELECT nls.sync_notion(user_id => 'alice')")
        assert r["success"], r
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("SELECT nls.set_setting('api_base_url', 'http://attacker.example')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("SELECT nls.rotate_encryption_key()")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("CALL nls.sync_all_users_notion_databases()")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("SELECT * FROM nls.sync_rounds")
    names = conn.execute("SELECT user_id FROM nls.characters WHERE name = 'Edited by alice'").fetchall()
    assert names == [("alice",)]


def _privileges(conn) -> list[str]:
    rows = conn.execute("""
        SELECT p.oid::regprocedure::text,
               CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
               CASE WHEN p.prosecdef THEN 'SECURITY DEFINER' ELSE 'invoker' END,
               coalesce((SELECT c FROM unnest(p.proconfig) AS c WHERE c LIKE 'search_path=%'), 'search_path unset'),
               CASE WHEN o.rolsuper THEN 'owner: superuser' ELSE 'owner: ' || o.rolname END,
               coalesce((SELECT string_agg(g, ',' ORDER BY g) FROM (
                   SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END AS g
                     FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS a
                    WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner) AS x), '-')
          FROM pg_proc p JOIN pg_roles o ON o.oid = p.proowner
         WHERE p.pronamespace = 'nls'::regnamespace ORDER BY 1""").fetchall()
    return [" | ".join(r) for r in rows]


def test_functions_owners_security_and_execute_grants_match_the_checked_in_list(conn):
    got = _privileges(conn)
    if os.environ.get("NLS_UPDATE_EXPECTED"):
        EXPECTED.write_text("".join(line + "\n" for line in got))
    want = EXPECTED.read_text().splitlines()
    assert got == want, "\n".join(
        ["differs from tests/expected_privileges.txt (NLS_UPDATE_EXPECTED=1 rewrites it):"]
        + [f"- {w}" for w in want if w not in got]
        + [f"+ {g}" for g in got if g not in want]
    )
    # the rules behind the list
    for line in got:
        sig, _kind, sec, path, _owner, grantees = line.split(" | ")
        assert "PUBLIC" not in grantees.split(","), sig
        if sec == "SECURITY DEFINER":
            assert path == "search_path=pg_catalog, pg_temp", sig
            # the application may run the check of a run's backend and the typed views' builder (which builds only
            # rows written under row-level security, each over a source of its own user's), nothing else
            may_run = ("nls._backend_alive(integer,timestamp with time zone)", "nls._build_typed_views()")
            assert "nls_app" not in grantees.split(",") or sig in may_run, sig
    # nls_app and nls_cron cannot create a schema: the builder does, when it builds a view there
    assert not any(line.startswith("nls._typed_view_schema(") and "nls_app" in line for line in got)


def test_typed_views_stay_within_their_users_sources(conn, tenants):
    """A user can neither register a typed view over another user's source (which would block that user's own, and
    have the builder build over it), nor create a schema, nor read another user's source through typed_select."""
    (alice_db,) = conn.execute(
        "SELECT database_id FROM nls.sources WHERE user_id = 'alice' ORDER BY id LIMIT 1"
    ).fetchone()
    bob_source, bob_db, bob_ds = conn.execute(
        "SELECT s.id, s.database_id, st.data_source_id FROM nls.sources s "
        "JOIN nls.sync_state st ON st.source_id = s.id WHERE s.user_id = 'bob' ORDER BY s.id LIMIT 1"
    ).fetchone()
    squat = (
        "INSERT INTO nls.typed_views (user_id, source_id, data_source_id, schema_name, view_name) "
        "VALUES (%s, %s, %s, 'notion', 'squat')"
    )
    with _connect(conn, "webapp", "alice") as app:
        with pytest.raises(psycopg.errors.ForeignKeyViolation):  # bob's source under alice's name
            app.execute(squat, ("alice", bob_source, bob_ds))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # bob's row (row-level security)
            app.execute(squat, ("bob", bob_source, bob_ds))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # only the builder creates a schema
            app.execute("SELECT nls._typed_view_schema('squatted')")
        with pytest.raises(psycopg.errors.NoDataFound, match=f"no source {bob_source} "):
            app.execute("SELECT * FROM nls.typed_select(%s, %s)", (bob_source, bob_ds))
        # her own view, in a schema the builder creates (owned by nls's owner, not by her role)
        ((view,),) = app.execute(
            "SELECT view FROM nls.create_typed_view(%s, 'mine', schema_name => 'alice_views')", (alice_db,)
        ).fetchall()
        assert view == "alice_views.mine" and value(app, f"SELECT count(*) FROM {view}") > 0
    assert conn.execute(
        "SELECT to_regnamespace('squatted'), r.rolsuper FROM pg_namespace n JOIN pg_roles r "
        "ON r.oid = n.nspowner WHERE n.nspname = 'alice_views'"
    ).fetchone() == (None, True)
    with _connect(conn, "webapp", "bob") as app:  # nothing of alice's stands in bob's way
        views = [v for (v,) in app.execute("SELECT view FROM nls.create_typed_view(%s)", (bob_db,))]
        assert views and None not in views
    # a row that names another user's source (planted past the key) is never built
    conn.execute("ALTER TABLE nls.typed_views DROP CONSTRAINT typed_views_source_user_fkey")
    (planted,) = conn.execute(
        "INSERT INTO nls.typed_views (user_id, source_id, data_source_id, schema_name, view_name) "
        "VALUES ('alice', %s, 'ds-planted', 'notion', 'planted') RETURNING id",
        (bob_source,),
    ).fetchone()
    built = {r[0]: r[1] for r in conn.execute("SELECT typed_view_id, error_code FROM nls._build_typed_views()")}
    assert built == {planted: "42501"}
    assert conn.execute("SELECT to_regclass('notion.planted')").fetchone() == (None,)


def test_objects_planted_in_pg_temp_or_public_do_not_take_over_nls_functions(conn, tenants):
    conn.execute("CREATE TABLE public.hijacked (what text)")
    conn.execute("GRANT INSERT ON public.hijacked TO PUBLIC")
    # same-signature functions a careless search_path would find before pg_catalog's
    for sig, ret in (
        ("set_config(text, text, boolean)", "text"),
        ("current_setting(text, boolean)", "text"),
        ("jsonb_typeof(jsonb)", "text"),
        ("pg_backend_pid()", "integer"),
        ("clock_timestamp()", "timestamptz"),
        ("pg_try_advisory_lock(integer, integer)", "boolean"),
        ("lower(text)", "text"),
    ):
        name = sig.split("(")[0]
        conn.execute(
            f"CREATE FUNCTION public.{sig} RETURNS {ret} LANGUAGE plpgsql AS $$ BEGIN "
            f"INSERT INTO public.hijacked VALUES ('{name}'); RETURN NULL; END $$"
        )
        conn.execute(f"GRANT EXECUTE ON FUNCTION public.{sig} TO PUBLIC")
    try:
        with _connect(conn, "webapp", "alice") as app:
            # and tables named like nls's in the session's temporary schema
            for t in ("integrations", "sources", "settings", "sync_log", "stg_notion_pages"):
                app.execute(f"CREATE TEMP TABLE {t} (user_id text, value text)")
                app.execute(f"INSERT INTO pg_temp.{t} VALUES ('alice', 'planted')")
            app.execute("SET search_path = pg_temp, public, pg_catalog")
            tenants.gen.workspace.update_page(tenants.gen.page_ids["Stories"][0], {"Premise": "hijack attempt"})
            r = value(app, "SELECT nls.sync_notion(user_id => 'alice')")
            assert r["success"], r
            app.execute("SELECT nls.add_source('alice', %s, 'stories')", (tenants.gen.database_ids["Stories"],))
            assert value(app, "SELECT nls.clean('alice')")["success"]
            app.execute("SELECT * FROM nls.discover('alice')").fetchall()
            app.execute("SELECT * FROM nls.sync_status").fetchall()
        with _connect(conn, "dba_alice", "alice") as dba:
            dba.execute("SET search_path = pg_temp, public, pg_catalog")
            dba.execute("CREATE TEMP TABLE integrations (user_id text)")
            assert value(dba, "SELECT nls.rotate_encryption_key()")["unreadable"] == []
            dba.execute("SELECT nls.set_setting('overlap_s', '120')")
            dba.execute("CALL nls.sync_all_users_notion_databases()")
        assert conn.execute("SELECT what, count(*) FROM public.hijacked GROUP BY 1").fetchall() == []
        assert conn.execute(
            "SELECT description FROM nls.stories WHERE notion_page_id = %s", (tenants.gen.page_ids["Stories"][0],)
        ).fetchone() == ("hijack attempt",)
    finally:
        conn.execute("DROP TABLE public.hijacked CASCADE")
        for sig in (
            "set_config(text, text, boolean)",
            "current_setting(text, boolean)",
            "jsonb_typeof(jsonb)",
            "pg_backend_pid()",
            "clock_timestamp()",
            "pg_try_advisory_lock(integer, integer)",
            "lower(text)",
        ):
            conn.execute(f"DROP FUNCTION IF EXISTS public.{sig}")


def _catalogue_of(c: psycopg.Connection, view: str) -> dict:
    """What the catalogue tells the session ``c`` of a view: its columns (name, type), its comments, its definition."""
    columns = c.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), col_description(a.attrelid, a.attnum) "
        "FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0 ORDER BY a.attnum",
        (view,),
    ).fetchall()
    comment, definition = installed.row(
        c, "SELECT obj_description(%s::regclass, 'pg_class'), pg_get_viewdef(%s::regclass)", (view, view)
    )
    return {
        "columns": [(n, t) for n, t, _ in columns],
        "comments": {comment} | {d for _, _, d in columns},
        "definition": definition,
    }


def test_what_another_tenant_learns_of_a_typed_view_is_its_name_its_columns_and_its_property_ids(conn, tenants):
    """The catalogue is every role's to read. Of alice's typed views, bob's login role learns exactly: each view's
    schema and name (his own view of the same database name gets _2), its column names and types, and in its
    definition the Notion property ids it reads and the id of its registry row; the comments are the same as on
    his own views. No property name as Notion spells it, no data source, database or source id, no database name,
    no row, no statistics: those are behind row-level security (the README's "Many users in one database")."""
    made = {}
    for user in ("alice", "bob"):
        with _connect(conn, "webapp", user) as app:
            made[user] = [v for (v,) in app.execute("SELECT view FROM nls.create_typed_view(user_id => %s)", (user,))]
    assert len(made["alice"]) == 4 and all(v.endswith("_2") for v in made["bob"])  # the same database names
    secrets = {
        x
        for row in conn.execute(
            "SELECT s.database_id, s.database_name, st.data_source_id FROM nls.sources s "
            "JOIN nls.sync_state st ON st.source_id = s.id WHERE s.user_id = 'alice'"
        )
        for x in row
    }
    with _connect(conn, "webapp", "bob") as bob:
        own_comments = set().union(*(_catalogue_of(bob, v)["comments"] for v in made["bob"]))
        for view in made["alice"]:
            seen = _catalogue_of(bob, view)
            columns, property_ids, row_id = _registry(conn, view)
            assert [n for n, _ in seen["columns"]] == list(FIXED_COLUMNS) + columns
            assert seen["comments"] <= own_comments  # nothing of alice's own
            assert all(p in seen["definition"] for p in property_ids)  # Notion's opaque ids, e.g. 'a1f3'
            assert f"t.id = {row_id}" in seen["definition"]  # her row, which bob cannot read
            text = repr(seen)
            names = {
                n
                for (n,) in conn.execute(
                    "SELECT DISTINCT property_name FROM nls.typed_view_columns WHERE view = %s", (view,)
                )
            }
            assert names and not [x for x in secrets | names if x in text], view
            assert not re.search(r"source_id = \d", seen["definition"])  # nor her source's id
            assert bob.execute(f"SELECT count(*) FROM {view}").fetchone() == (0,)
        for table in ("typed_views", "typed_view_columns", "typed_view_history"):
            assert {u for (u,) in bob.execute(f"SELECT DISTINCT user_id FROM nls.{table}")} == {"bob"}, table
        # nor the statistics of the pages (whose most common values would be other users' text)
        conn.execute("ANALYZE nls.stg_notion_pages")
        stats = "SELECT count(*) FROM pg_stats WHERE schemaname = 'nls' AND tablename = 'stg_notion_pages'"
        assert conn.execute(stats).fetchone()[0] > 0 and bob.execute(stats).fetchone() == (0,)


FIXED_COLUMNS = ("page_id", "url", "in_trash", "is_archived", "deleted_at", "value_marks")


def _registry(conn, view: str) -> tuple[list[str], set[str], int]:
    """A typed view's property columns, the property ids they read and its nls.typed_views row id (as its owner)."""
    ((columns, row_id),) = conn.execute("SELECT columns, id FROM nls.typed_views WHERE built_as = %s", (view,))
    return [c["column"] for c in columns], {c["property_id"] for c in columns}, row_id
