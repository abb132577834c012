"""Typed views (issue "Any Notion database as typed SQL"): one view per synced data source, one typed column per
property, following the data source's schema after every sync; checked against the raw JSON of every page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import psycopg.types.json
import pytest
from psycopg.types.range import Range

from conftest import add_user_source, login_role, sync, use_emulator
from nls_emulator import fixtures_dir
from nls_emulator.every_type import generate_every_type

pytestmark = pytest.mark.runtimes  # each test runs in the server runtime and in the worker runtime

ROOT = Path(__file__).resolve().parents[1]
RECORDED_DB = "c37a2c66-e3aa-4a0d-a447-73de3b80c253"
# the SQL type each Notion type gets (the README's "Typed views"); dates, formulas and rollups depend on their values
SQL_TYPE = {
    "title": "text",
    "rich_text": "text",
    "select": "text",
    "status": "text",
    "url": "text",
    "email": "text",
    "phone_number": "text",
    "number": "numeric",
    "checkbox": "boolean",
    "multi_select": "text[]",
    "files": "text[]",
    "relation": "text[]",
    "people": "text[]",
    "created_time": "timestamp with time zone",
    "last_edited_time": "timestamp with time zone",
    "created_by": "text",
    "last_edited_by": "text",
    "unique_id": "text",
    "verification": "jsonb",
}
RESULT_TYPE = {"string": "text", "number": "numeric", "boolean": "boolean", "array": "text[]"}
UTC = dt.UTC


def _plain(items) -> str | None:
    return "".join(i.get("plain_text", "") for i in items or []) or None


def _element_text(item: dict) -> str | None:
    """An item of a rollup's array as text: rich text joined, names joined by ', ', a scalar as it reads."""
    v = item.get(item["type"])
    if isinstance(v, list):
        if v and "plain_text" in v[0]:
            return _plain(v)
        return ", ".join(x.get("name") or x.get("id") for x in v) or None
    if isinstance(v, dict):
        return v.get("name") or v.get("start")
    return None if v is None else str(v).lower() if isinstance(v, bool) else str(v)


def _time(s: str | None) -> dt.datetime | None:
    if not s:
        return None
    if len(s) == 10:
        return dt.datetime.fromisoformat(s).replace(tzinfo=UTC)
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def _date_value(d: dict | None, kind: str):
    """What a date column of ``kind`` holds for Notion's date object ``d``, computed here from the JSON."""
    if not d or not d.get("start"):
        return None
    start, end = d["start"], d.get("end")
    return {
        "date": dt.date.fromisoformat(start[:10]),
        "date_end": end and dt.date.fromisoformat(end[:10]),
        "timestamptz": _time(start),
        "timestamptz_end": _time(end),
        "range": Range(_time(start), _time(end or start), "[]"),
    }[kind]


def _expected(prop: dict | None, column: dict):
    """The value a typed column should hold for the raw property value ``prop``, from the JSON alone."""
    if prop is None or prop.get("type") != column["type"]:
        return None
    t, kind = prop["type"], column["kind"]
    raw: Any = prop.get(t)
    inner: Any = raw if t in ("formula", "rollup") else None
    if kind == "jsonb":
        return prop
    if kind in ("date", "date_end", "timestamptz", "timestamptz_end", "range"):
        if t in ("created_time", "last_edited_time"):
            return _time(raw)
        return _date_value(inner.get("date") if inner else raw, kind)
    if kind == "text":
        if t in ("title", "rich_text"):
            return _plain(raw)
        if t in ("select", "status"):
            return raw and raw.get("name")
        if t == "unique_id":
            return "-".join(str(x) for x in (raw.get("prefix"), raw.get("number")) if x is not None)
        if t == "formula":
            return inner.get("string") or None
        return raw or None
    if kind == "number":
        value = (inner or {}).get("number") if inner else raw
        return None if value is None else Decimal(str(value))
    if kind == "boolean":
        return (inner or {}).get("boolean") if inner else raw
    if kind in ("names", "ids"):
        return [x.get("name" if kind == "names" else "id") for x in raw]
    if kind == "texts":
        return [_element_text(x) for x in inner.get("array", [])]
    if kind == "user":
        return raw["id"]
    if kind == "unique_number":
        return raw["number"]
    raise AssertionError(f"no expectation for kind {kind}")


def _raw_values(pages: dict, col: dict) -> list:
    """The raw values (the type's own object) the column's property holds in the stored pages."""
    out = []
    for props in pages.values():
        p = next((p for p in props.values() if p.get("id") == col["property_id"]), None)
        if p and p["type"] == col["type"]:
            out.append(p[p["type"]])
    return out


def _documented_type(col: dict, pages: dict) -> str:
    """The SQL type the README's "Typed views" gives a column, from its property's Notion type and the values stored."""
    t, part, values = col["type"], col["part"], _raw_values(pages, col)
    if t in ("formula", "rollup"):
        results = [v.get("type") for v in values if v and v.get("type") not in ("unsupported", "incomplete")]
        result = max(sorted(set(results)), key=results.count) if results else None
        if result != "date":
            return RESULT_TYPE.get(result or "", "text")
        values = [v.get("date") for v in values]
    if t == "date" or t in ("formula", "rollup"):
        dates = [d for d in values if d and d.get("start")]
        if part == "" and any(d.get("end") for d in dates):
            return "tstzrange"
        timed = any(len(d.get(k) or "") > 10 for d in dates for k in ("start", "end"))
        return "timestamp with time zone" if timed else "date"
    if t == "people":
        return "text[]"
    if t == "unique_id" and part == "_number":
        return "bigint"
    return SQL_TYPE[t]


def _check_view(conn, view: str, source_id: int) -> int:
    """Check every column's type and every value of ``view`` against the raw JSON; returns the values compared."""
    columns = conn.execute("SELECT columns FROM nls.typed_views WHERE built_as = %s", (view,)).fetchone()[0]
    types = dict(
        conn.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "WHERE a.attrelid = %s::regclass AND a.attnum > 0",
            (view,),
        ).fetchall()
    )
    cur = conn.execute(f"SELECT * FROM {view}")  # SELECT * runs over every page
    names = [d.name for d in cur.description]
    rows = {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    stored = conn.execute(
        "SELECT page_id, raw_properties, value_marks FROM nls.stg_notion_pages WHERE source_id = %s", (source_id,)
    ).fetchall()
    pages, marks = {p: r for p, r, _ in stored}, {p: m for p, _, m in stored}
    assert set(rows) == set(pages) and rows
    compared = 0
    for col in columns:
        assert types[col["column"]] == _documented_type(col, pages), col
        for page_id, props in pages.items():
            prop = next((p for p in props.values() if p.get("id") == col["property_id"]), None)
            want = None if col["property_id"] in marks[page_id] else _expected(prop, col)
            assert rows[page_id][col["column"]] == want, (page_id, col, prop)
            compared += 1
    return compared


def test_every_column_has_its_documented_type_and_equals_the_raw_json_for_every_page(conn, fresh_emulator):
    emu = fresh_emulator
    gen = generate_every_type(pages=12, seed=3)
    emu.api.add_integration("tok-every", gen.workspace)
    use_emulator(conn, emu)
    source = add_user_source(conn, "ada", "tok-every", gen.database_ids["Every Type"])
    assert sync(conn, database_id=gen.database_ids["Every Type"])["status"] == "success"
    made = conn.execute("SELECT * FROM nls.create_typed_view(%s)", (gen.database_ids["Every Type"],)).fetchall()
    assert made == [("notion.every_type", gen.database_ids["Every Type"], gen.data_source_ids["Every Type"], 37)]
    compared = _check_view(conn, "notion.every_type", source)
    assert compared == 37 * 12
    # names made SQL identifiers: unique, unquoted, never a fixed column's; each commented, and documented with its
    # property's name, id and type in nls.typed_view_columns (the catalogue's comments name no property)
    attnums = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), col_description(a.attrelid, a.attnum) "
            "FROM pg_attribute a WHERE a.attrelid = 'notion.every_type'::regclass AND a.attnum > 0"
        )
    }
    assert {
        "due_date",
        "due_date_2",
        "order_",
        "url_2",
        "p_2nd_stage",
        "owner_names",
        "ticket_number",
        "due_date_start",
        "due_date_end",
    } <= set(attnums)
    assert all(comment for _, _, comment in attnums.values())
    described = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT column_name, position, sql_type, property_name, "
            "property_id, property_type FROM nls.typed_view_columns "
            "WHERE view = 'notion.every_type'"
        )
    }
    assert len(described) == 37 and set(described) == set(attnums) - {
        "page_id",
        "url",
        "in_trash",
        "is_archived",
        "deleted_at",
        "value_marks",
    }
    assert all(described[c][:2] == attnums[c][:2] for c in described)  # its number and type in the view
    order = described["order_"]
    assert order[2:] == (
        "Order",
        gen.workspace.data_sources[gen.data_source_ids["Every Type"]]["properties"]["Order"]["id"],
        "number",
    )
    assert "Order" not in attnums["order_"][2] and order[3] not in attnums["order_"][2]
    # values that are not Notion's own: the rollup over the cut relation and the unsupported formula are NULL,
    # their marks queryable beside them
    marked = conn.execute(
        "SELECT related_count, value_marks FROM notion.every_type WHERE value_marks <> '{}' AND related_count IS NULL"
    ).fetchall()
    assert marked and all(m for _, m in marked)
    assert conn.execute("SELECT count(*) FROM notion.every_type WHERE calc_number IS NULL").fetchone()[0] == 1
    assert conn.execute("SELECT reloptions FROM pg_class WHERE oid = 'notion.every_type'::regclass").fetchone()[0] == [
        "security_invoker=true"
    ]


@pytest.mark.skipif(fixtures_dir() is None, reason="../shared/notion-fixtures/recorded is absent")
def test_the_recorded_data_sources_typed(conn, fresh_emulator):
    fresh_emulator.add_recorded("tok-rec")
    use_emulator(conn, fresh_emulator)
    source = add_user_source(conn, "rec", "tok-rec", RECORDED_DB)
    assert sync(conn, database_id=RECORDED_DB)["status"] == "success"
    ((view, _, _, n),) = conn.execute("SELECT * FROM nls.create_typed_view(%s, 'sample')", (RECORDED_DB,)).fetchall()
    assert view == "notion.sample" and n >= 25
    assert _check_view(conn, view, source) == 5 * n


def _schemas(conn) -> dict[str, tuple[bool, bool]]:
    """{schema: (whether it exists, whether nls.typed_view_schemas records it)} of the schemas first, second, third
    and of every schema nls records."""
    listed = {r[0] for r in conn.execute("SELECT schema_name FROM nls.typed_view_schemas")}
    return {
        n: (conn.execute("SELECT to_regnamespace(%s) IS NOT NULL", (n,)).fetchone()[0], n in listed)
        for n in sorted(listed | {"first", "second", "third"})
    }


def test_a_view_that_moves_leaves_no_empty_schema_nls_created(conn, fresh_emulator):
    gen = generate_every_type(pages=3, seed=7)
    for user in ("mia", "max"):
        fresh_emulator.api.add_integration(f"tok-{user}", gen.workspace)
    use_emulator(conn, fresh_emulator)
    db = gen.database_ids["Every Type"]
    for user in ("mia", "max"):
        add_user_source(conn, user, f"tok-{user}", db)
        assert sync(conn, user_id=user)["success"]
    make = "SELECT view FROM nls.create_typed_view(user_id => %s, schema_name => %s, view_name => %s)"
    assert conn.execute(make, ("mia", "first", "mia")).fetchone() == ("first.mia",)
    assert conn.execute(make, ("mia", "second", "mia")).fetchone() == ("second.mia",)  # moved: first is empty
    assert _schemas(conn) == {"first": (False, False), "second": (True, True), "third": (False, False)}
    # a schema that still holds another user's view stays when one view leaves it
    conn.execute(make, ("max", "second", "max"))
    conn.execute(make, ("mia", "third", "mia"))
    assert _schemas(conn) == {"first": (False, False), "second": (True, True), "third": (True, True)}
    # one that holds an object of someone else's stays, and so does its record (nls may put views there again)
    conn.execute("CREATE TABLE third.notes (x int)")
    conn.execute(make, ("mia", "second", "mia"))
    assert _schemas(conn) == {"first": (False, False), "second": (True, True), "third": (True, True)}
    assert conn.execute(make, ("mia", "third", "mia")).fetchone() == ("third.mia",)
    # the last view's drop takes its schema along
    for view in ("second.max", "third.mia"):
        assert conn.execute("SELECT nls.drop_typed_view(%s)", (view,)).fetchone() == (True,)
    assert _schemas(conn) == {"first": (False, False), "second": (False, False), "third": (True, True)}


def _history(conn, view: str) -> list[tuple]:
    return conn.execute(
        "SELECT change, property_name, column_name, old_type, new_type FROM nls.typed_view_history "
        "WHERE view = %s ORDER BY id",
        (view,),
    ).fetchall()


def test_a_view_follows_renames_additions_retypes_and_removals_on_the_next_sync(conn, fresh_emulator):
    emu = fresh_emulator
    gen = generate_every_type(pages=10, seed=4)
    ws, ds = gen.workspace, gen.data_source_ids["Every Type"]
    emu.api.add_integration("tok-follow", gen.workspace)
    use_emulator(conn, emu)
    conn.execute("SELECT nls.set_setting('reconcile_interval_s', '0')")  # each run reconciles
    add_user_source(conn, "fol", "tok-follow", gen.database_ids["Every Type"])
    assert sync(conn, user_id="fol")["success"]
    conn.execute("SELECT nls.create_typed_view(user_id => 'fol', schema_name => 'tasks_schema')")
    view = "tasks_schema.every_type"
    written_before = f"SELECT name, score, phone, notes FROM {view} WHERE score > 0 ORDER BY name"
    before = conn.execute(written_before).fetchall()
    ws.rename_property(ds, "Score", "Points")
    ws.add_property(ds, "Priority", "select")
    ws.update_page(gen.page_ids["Every Type"][0], {"Priority": {"name": "high"}})
    ws.retype_property(ds, "Notes", "number", lambda v: 7)
    ws.remove_property(ds, "Phone")
    result = sync(conn, user_id="fol")
    assert result["success"] and result["typed_views"][0]["view"] == view
    after = conn.execute(written_before).fetchall()  # a query written before the rename still runs
    assert [(n, s) for n, s, _, _ in after] == [(n, s) for n, s, _, _ in before]
    assert all(p is None for _, _, p, _ in after) and all(x == 7 for _, _, _, x in after)
    assert conn.execute(
        f"SELECT priority FROM {view} WHERE page_id = %s", (gen.page_ids["Every Type"][0],)
    ).fetchone() == ("high",)
    types = dict(
        conn.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0",
            (view,),
        ).fetchall()
    )
    assert types["notes"] == "numeric" and types["priority"] == "text" and types["phone"] == "text"
    assert list(types)[-1] == "priority"  # an added property's column comes last
    changes = _history(conn, view)
    assert changes[0][0] == "created"
    assert set(changes[1:]) == {
        ("property_renamed", "Score", "score", None, None),
        ("column_added", "Priority", "priority", None, "select: text"),
        ("column_retyped", "Notes", "notes", "rich_text: text", "number: numeric"),
        ("property_removed", "Phone", "phone", None, None),
    }
    # nothing changes when nothing did
    assert "typed_views" not in sync(conn, user_id="fol")
    assert len(_history(conn, view)) == len(changes)
    # made again: columns named after their properties, the removed one gone
    conn.execute("SELECT nls.create_typed_view(user_id => 'fol', schema_name => 'tasks_schema')")
    cols = [
        r[0]
        for r in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 ORDER BY attnum", (view,)
        )
    ]
    assert "points" in cols and "score" not in cols and "phone" not in cols
    assert {c[:3] for c in _history(conn, view)[len(changes) :]} >= {
        ("recreated", None, None),
        ("column_renamed", "Points", "points"),
        ("column_dropped", "Phone", "phone"),
    }


def test_typed_views_of_new_sources_are_made_after_their_first_sync_and_show_each_user_their_rows(conn, fresh_emulator):
    emu = fresh_emulator
    gen = generate_every_type(pages=6, seed=5)
    for user in ("ann", "ben"):
        emu.api.add_integration(f"tok-{user}", gen.workspace)
    use_emulator(conn, emu)
    conn.execute("SELECT nls.set_setting('typed_views_schema', 'mine')")
    for user in ("ann", "ben"):
        add_user_source(conn, user, f"tok-{user}", gen.database_ids["Every Type"])
        assert conn.execute("SELECT view_name FROM nls.typed_views WHERE user_id = %s", (user,)).fetchall() == [(None,)]
        assert sync(conn, user_id=user)["success"]
    views = dict(conn.execute("SELECT user_id, built_as FROM nls.typed_views").fetchall())
    assert views == {"ann": "mine.every_type", "ben": "mine.every_type_2"}
    with login_role(conn, "typed_app") as dsn, psycopg.connect(dsn, autocommit=True) as app:
        app.execute("SELECT set_config('nls.user_id', 'ann', false)")
        assert app.execute("SELECT count(*) FROM mine.every_type").fetchone() == (6,)
        assert app.execute("SELECT count(*) FROM mine.every_type_2").fetchone() == (0,)  # ben's rows
        # ann cannot drop ben's view (row-level security), and her own drop takes the view away
        assert app.execute("SELECT nls.drop_typed_view('mine.every_type_2')").fetchone() == (False,)
        assert app.execute("SELECT nls.drop_typed_view('mine.every_type')").fetchone() == (True,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # what was built is nls's to say
            app.execute("UPDATE nls.typed_views SET built_as = 'nls.sync_status'")
    assert conn.execute(
        "SELECT to_regclass('mine.every_type'), to_regclass('mine.every_type_2') IS NOT NULL"
    ).fetchone() == (None, True)


def test_bad_arguments_are_refused_with_their_name_and_change_nothing(conn, fresh_emulator):
    gen = generate_every_type(pages=4, seed=6)
    fresh_emulator.api.add_integration("tok-bad", gen.workspace)
    use_emulator(conn, fresh_emulator)
    source = add_user_source(conn, "bad", "tok-bad", gen.database_ids["Every Type"])
    assert sync(conn, user_id="bad")["success"]
    db = gen.database_ids["Every Type"]
    conn.execute("CREATE SCHEMA theirs")
    conn.execute("CREATE TABLE notion_taken (x int)")
    cases = [
        (("SELECT nls.create_typed_view()",), "22023", "database_id or a user_id"),
        (("SELECT nls.create_typed_view(%s, view_name => '')", db), "22023", "view_name"),
        (("SELECT nls.create_typed_view(%s, schema_name => 'public')", db), "22023", "schema_name"),
        (("SELECT nls.create_typed_view(%s, schema_name => 'theirs')", db), "42P06", "theirs"),
        (("SELECT nls.create_typed_view('0123456789abcdef0123456789abcdef')",), "P0002", "no source"),
        (("SELECT nls.create_typed_view('not an id')",), "22023", "database_id"),
        (("SELECT nls.set_setting('typed_views_schema', 'pg_views')",), "22023", "typed_views_schema"),
        (("SELECT * FROM nls.typed_select(NULL, NULL)",), "22004", "needs a source_id"),
        (("SELECT * FROM nls.typed_select(%s, NULL)", source), "22004", "needs a data_source_id"),
        (("SELECT * FROM nls.typed_select(%s, 'x')", source + 1000), "P0002", f"no source {source + 1000} "),
    ]
    conn.execute("SELECT nls.create_typed_view(%s, 'kept')", (db,))
    before = conn.execute("SELECT count(*), max(id) FROM nls.typed_view_history").fetchone()
    for args, state, words in cases:
        with pytest.raises(psycopg.Error) as e:
            conn.execute(args[0], args[1:] or None)
        assert e.value.sqlstate == state and words in str(e.value), (args, str(e.value))
    conn.execute("CREATE TABLE notion.taken (x int)")
    with pytest.raises(psycopg.errors.DuplicateTable):
        conn.execute("SELECT nls.create_typed_view(%s, 'taken')", (db,))
    assert conn.execute("SELECT count(*), max(id) FROM nls.typed_view_history").fetchone() == before
    assert conn.execute("SELECT built_as FROM nls.typed_views").fetchall() == [("notion.kept",)]
    assert conn.execute("SELECT count(*) FROM notion.kept").fetchone() == (4,)


def test_a_cancel_while_the_views_follow_their_schema_ends_the_sync_with_it(conn, fresh_emulator):
    gen = generate_every_type(pages=4, seed=7)
    fresh_emulator.api.add_integration("tok-cancel", gen.workspace)
    use_emulator(conn, fresh_emulator)
    add_user_source(conn, "can", "tok-cancel", gen.database_ids["Every Type"])
    assert sync(conn, user_id="can")["success"]
    conn.execute("SELECT nls.create_typed_view(user_id => 'can')")
    gen.workspace.update_page(gen.page_ids["Every Type"][0], {"Name": "edited"})
    # a cancel (or statement_timeout) landing while the view reads what its pages show: made deterministic by a
    # stand-in for that read which fails as a cancel does (SQLSTATE 57014)
    conn.execute("""CREATE OR REPLACE FUNCTION nls._typed_observed(p_source_id bigint, p_data_source_id text)
                    RETURNS TABLE (property_id text, name text, type text, result_types jsonb, has_time boolean,
                                   has_end boolean)
                    LANGUAGE plpgsql AS $$ BEGIN
                        RAISE EXCEPTION 'canceling statement due to user request' USING ERRCODE = 'query_canceled';
                    END $$""")
    with pytest.raises(psycopg.errors.QueryCanceled):  # not one view's error in a successful answer
        sync(conn, user_id="can")


def test_an_upgrade_builds_every_view_again_without_its_users_text_in_the_catalogue(conn, fresh_emulator):
    """A view an earlier nls built (its data source id written into its definition and comment, its properties'
    names and ids into its column comments) is built again when the install applies the migration and sql/."""
    from nls_install import install as ins

    gen = generate_every_type(pages=4, seed=5)
    fresh_emulator.api.add_integration("tok-up", gen.workspace)
    use_emulator(conn, fresh_emulator)
    db, ds = gen.database_ids["Every Type"], gen.data_source_ids["Every Type"]
    source = add_user_source(conn, "ula", "tok-up", db)
    assert sync(conn, database_id=db)["status"] == "success"
    conn.execute("SELECT * FROM nls.create_typed_view(%s, 'old')", (db,))
    columns = conn.execute("SELECT columns FROM nls.typed_views WHERE view_name = 'old'").fetchone()[0]
    conn.execute(
        "CREATE OR REPLACE VIEW notion.old WITH (security_invoker = true) AS "
        + conn.execute("SELECT nls._typed_view_query(%s, %s, %s)", (source, ds, psycopg.types.json.Jsonb(columns)))
        .fetchone()[0]
        .replace("%", "%%")
    )
    conn.execute(f"COMMENT ON VIEW notion.old IS 'nls typed view of Notion data source {ds} (source {source})'")
    order_id = next(c["property_id"] for c in columns if c["column"] == "order_")
    conn.execute(f"COMMENT ON COLUMN notion.old.order_ IS 'Notion property \"Order\" (id {order_id}, number)'")
    before = conn.execute("SELECT count(*) FROM notion.old").fetchone()[0]
    (migration,) = (ROOT / "migrations").glob("*.export-and-typed-views.sql")
    conn.execute(migration.read_text())
    ins.deploy(conn)
    text = conn.execute(
        "SELECT pg_get_viewdef('notion.old'::regclass) || obj_description('notion.old'::regclass) "
        "|| string_agg(col_description(a.attrelid, a.attnum), '') FROM pg_attribute a "
        "WHERE a.attrelid = 'notion.old'::regclass AND a.attnum > 0"
    ).fetchone()[0]
    assert ds not in text and db not in text and '"Order"' not in text and "nls.typed_views" in text
    assert conn.execute("SELECT count(*) FROM notion.old").fetchone()[0] == before == 4
    assert conn.execute("SELECT build_wanted, build_error FROM nls.typed_views WHERE view_name = 'old'").fetchone() == (
        False,
        None,
    )
