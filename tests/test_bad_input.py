"""Bad input to every public function gets a clear error: a proper SQLSTATE, the argument's name, what is
allowed; nothing stored changes. Real PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest

DB = "a" * 32

CASES = [
    ("SELECT nls.add_integration(NULL, 'tok')", "22004", "user_id"),
    ("SELECT nls.add_integration('u', NULL)", "22004", "access_token"),
    ("SELECT nls.add_integration('u', '  ')", "22023", "access_token"),
    ("SELECT nls.add_integration(' ', 'tok')", "22023", "user_id"),
    ("SELECT nls.add_source(NULL, %(db)s)", "22004", "user_id"),
    ("SELECT nls.add_source('ok-user', NULL)", "22004", "database_id"),
    ("SELECT nls.add_source('ok-user', 'not-an-id')", "22023", "database_id"),
    ("SELECT nls.add_source('ok-user', %(db)s, NULL)", "22004", "target"),
    ("SELECT nls.add_source('ok-user', %(db)s, 'decks')", "22023", "unknown sync target"),
    ("SELECT nls.add_source('ok-user', %(db)s, with_content => NULL)", "22004", "with_content"),
    (
        "SELECT nls.add_source('ok-user', %(db)s, 'pages', property_map => '{\"front\": \"Q\"}')",
        "22023",
        "property_map",
    ),
    (
        "SELECT nls.add_source('ok-user', %(db)s, 'flashcards', property_map => '{\"front\": 1}')",
        "22023",
        "property_map",
    ),
    ("SELECT nls.add_source('nobody', %(db)s)", "P0002", "nobody"),
    ("SELECT nls.remove_source(NULL, %(db)s)", "22004", "user_id"),
    ("SELECT nls.remove_source('ok-user', 'zz')", "22023", "database_id"),
    ("SELECT nls.remove_integration(NULL)", "22004", "user_id"),
    ("SELECT nls.sync_notion(database_id => 'zz')", "22023", "database_id"),
    ("SELECT * FROM nls.discover(NULL)", "22004", "user_id"),
    ("SELECT * FROM nls.discover('nobody')", "P0002", "nobody"),
    ("SELECT nls.approve_review(NULL)", "22004", "review_id"),
    ("SELECT nls.reject_review(NULL)", "22004", "review_id"),
    ("SELECT nls.edit_review(NULL, 'x')", "22004", "review_id"),
    ("SELECT nls.approve_review('00000000-0000-0000-0000-000000000000')", "P0002", "review_queue item"),
    ("SELECT nls.set_setting(NULL, '1')", "22023", "setting"),
    ("SELECT nls.set_setting('overlap_s', NULL)", "22004", "overlap_s"),
    ("SELECT nls.push_notion(dry_run => NULL)", "22004", "dry_run"),
    ("SELECT nls.push_notion(' ')", "22023", "user_id"),
    ("SELECT nls.set_push_map(NULL, %(db)s, '{}')", "22004", "user_id"),
    ("SELECT nls.set_push_map('ok-user', 'zz', '{}')", "22023", "database_id"),
    ("SELECT nls.set_push_map('ok-user', %(db)s, '[]')", "22023", "push_map"),
    ("SELECT nls.set_push_map('ok-user', %(db)s, '{\"fronts\": true}')", "22023", "fronts"),
    ("SELECT nls.set_push_map('ok-user', %(db)s, '{\"front\": 1}')", "22023", "front"),
    ("SELECT nls.set_push_map('ok-user', %(db)s, '{\"anki_interval\": true}')", "22023", "anki_interval"),
    ("SELECT nls.set_push_map('ok-user', %(db)s, '{\"notion_id\": \"Page\"}')", "22023", "notion_id"),
    (
        "SELECT nls.set_push_map('ok-user', %(db)s, '{\"back\": {\"property\": \"Answer\", \"create\": true}}')",
        "22023",
        "back",
    ),
    ("SELECT nls.set_push_map('ok-user', %(db)s, '{\"create_pages\": \"yes\"}')", "22023", "create_pages"),
    ("SELECT nls.set_push_map('nobody', %(db)s, '{}')", "P0002", "nobody"),
    ("SELECT nls.resolve_conflict(NULL, 'notion')", "22004", "id"),
    ("SELECT nls.resolve_conflict('00000000-0000-0000-0000-000000000000', NULL)", "22004", "resolution"),
    ("SELECT nls.resolve_conflict('00000000-0000-0000-0000-000000000000', 'mine')", "22023", "resolution"),
    ("SELECT nls.resolve_conflict('00000000-0000-0000-0000-000000000000', 'notion')", "P0002", "argument id"),
    # the webhook endpoint and its token
    ("SELECT nls.webhook_endpoint(NULL)", "22004", "user_id"),
    ("SELECT nls.webhook_endpoint('nobody')", "P0002", "nobody"),
    ("SELECT nls.webhook_verification_token(NULL)", "22004", "user_id"),
    ("SELECT nls.webhook_verification_token('ok-user')", "P0002", "ok-user"),
    ("SELECT nls.set_setting('webhook_max_body_bytes', '20000000')", "22023", "webhook_max_body_bytes"),
]


def stored(conn) -> tuple:
    return (
        conn.execute(
            "SELECT user_id, status, key_version, token_ciphertext FROM nls.integrations ORDER BY 1"
        ).fetchall(),
        conn.execute(
            "SELECT id, user_id, database_id, target, with_content, property_map, push_map FROM nls.sources ORDER BY 1"
        ).fetchall(),
        conn.execute("SELECT name, value FROM nls.settings ORDER BY 1").fetchall(),
    )


@pytest.mark.parametrize("statement, sqlstate, named", CASES, ids=[c[0][7:60] for c in CASES])
def test_bad_input_is_refused_by_name_with_its_sqlstate_and_changes_nothing(conn, statement, sqlstate, named):
    conn.execute("SELECT nls.add_integration('ok-user', 'tok')")
    conn.execute("SELECT nls.add_source('ok-user', %s, 'flashcards')", (DB,))
    before = stored(conn)
    with pytest.raises(psycopg.Error) as e:
        conn.execute(statement, {"db": DB})
    message = e.value.diag.message_primary or ""
    assert e.value.sqlstate == sqlstate, (e.value.sqlstate, message)
    assert named in message and "option cannot be null" not in message
    assert stored(conn) == before


def public_functions(conn) -> list[tuple[str, list[str], bool]]:
    """(name, argument types, returns a set) of every public function of schema nls."""
    rows = conn.execute("""
        SELECT p.proname, coalesce(array_agg(format_type(t.type, NULL) ORDER BY t.n) FILTER (WHERE t.type IS NOT NULL),
                                   '{}'), p.proretset
          FROM pg_proc p
          LEFT JOIN LATERAL unnest(p.proargtypes::oid[]) WITH ORDINALITY AS t(type, n) ON true
         WHERE p.pronamespace = 'nls'::regnamespace AND p.proname !~ '^_' AND p.prokind = 'f'
         GROUP BY p.oid, p.proname, p.proretset ORDER BY 1""").fetchall()
    return [(name, list(types), retset) for name, types, retset in rows]


def test_no_public_function_called_with_nulls_answers_an_internal_error(conn):
    functions = public_functions(conn)
    assert len(functions) >= 20
    for name, types, retset in functions:
        args = ", ".join(f"NULL::{t}" for t in types)
        statement = f"SELECT * FROM nls.{name}({args})" if retset else f"SELECT nls.{name}({args})"
        try:
            with conn.transaction(force_rollback=True):
                conn.execute(statement)
        except psycopg.Error as e:
            message = e.diag.message_primary or ""
            # an error is allowed, not required (pytest.raises would require one): what it says is checked
            assert e.sqlstate not in ("XX000", "23502", "42704"), (statement, e.sqlstate, message)  # noqa: PT017 - allowed
            assert "RAISE statement option" not in message and "null value in column" not in message, statement
