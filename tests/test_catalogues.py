"""The two catalogues (issue "One engine, many flows"), in a real PostgreSQL: the settings catalogue that every value
is checked against, and the one list of targets everything else reads."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from nls_engine.settings import Settings
from nls_install.catalogue import targets

ROOT = Path(__file__).resolve().parents[1]


def settings(conn) -> dict[str, str]:
    return dict(conn.execute("SELECT name, value FROM nls.settings").fetchall())


@pytest.mark.parametrize(
    "name, value",
    [
        ("read_timeout_s", "0"),
        ("run_deadline_s", "-1"),
        ("run_deadline_s", "0"),
        ("read_timeout_s", "thirty"),
        ("max_attempts", "2.5"),
        ("max_attempts", "0"),
        ("overlap_s", "30"),
        ("rate_limit_per_s", "0"),
        ("content_max_depth", "51"),
        ("connect_timeout_s", "1e400"),
        ("notion_version", "2022-06-28"),
        ("content_format", "html"),
        ("api_base_url", "ftp://x"),
        ("encryption_key_file", "relative/path"),
    ],
)
def test_a_value_out_of_a_settings_range_is_refused_naming_it_and_changes_nothing(conn, name, value):
    before = settings(conn)
    with pytest.raises(psycopg.errors.InvalidParameterValue) as e:
        conn.execute("SELECT nls.set_setting(%s, %s)", (name, value))
    message = e.value.diag.message_primary or ""
    assert name in message and f'"{value}"' in message
    allowed = conn.execute(
        "SELECT nls._setting_allowed(type, unit, min_value, max_value, allowed) FROM nls.settings WHERE name = %s",
        (name,),
    ).fetchone()[0]
    assert allowed in message
    assert settings(conn) == before


def test_read_timeout_zero_says_the_type_and_the_range(conn):
    with pytest.raises(
        psycopg.errors.InvalidParameterValue,
        match=r'read_timeout_s takes a number of seconds from 0\.1 to 600, not "0"',
    ):
        conn.execute("SELECT nls.set_setting('read_timeout_s', '0')")


def test_null_and_unknown_names_are_refused(conn):
    with pytest.raises(psycopg.errors.NullValueNotAllowed, match="read_timeout_s takes a number"):
        conn.execute("SELECT nls.set_setting('read_timeout_s', NULL)")
    with pytest.raises(psycopg.errors.InvalidParameterValue, match='unknown setting "read_timout_s"') as e:
        conn.execute("SELECT nls.set_setting('read_timout_s', '5')")
    assert "read_timeout_s" in (e.value.diag.message_hint or "")


def test_values_in_range_are_stored_trimmed(conn):
    assert conn.execute("SELECT nls.set_setting('read_timeout_s', ' 0.5 ')").fetchone()[0] == "0.5"
    assert conn.execute("SELECT nls.set_setting('max_attempts', '20')").fetchone()[0] == "20"
    assert conn.execute("SELECT nls.set_setting('reconcile_interval_s', '0')").fetchone()[0] == "0"
    assert conn.execute("SELECT nls.set_setting('encryption_key_file', '')").fetchone()[0] == ""


def test_an_update_by_hand_is_checked_as_well(conn):
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="run_deadline_s"):
        conn.execute("UPDATE nls.settings SET value = '0' WHERE name = 'run_deadline_s'")


def test_an_install_brings_a_value_the_catalogue_no_longer_allows_back_to_its_default(conn, dsn):
    conn.execute("ALTER TABLE nls.settings DISABLE TRIGGER settings_value_check")
    conn.execute("UPDATE nls.settings SET value = '0' WHERE name = 'read_timeout_s'")
    conn.execute("UPDATE nls.settings SET value = '7' WHERE name = 'connect_timeout_s'")
    conn.execute("ALTER TABLE nls.settings ENABLE TRIGGER settings_value_check")
    from conftest import install

    assert install(["--dsn", dsn, "--no-schedule"]) == 0
    assert settings(conn)["read_timeout_s"] == "30" and settings(conn)["connect_timeout_s"] == "7"


def test_the_engine_reads_every_setting_of_the_catalogue_and_no_other(conn):
    assert sorted(Settings.names()) == sorted(settings(conn))
    rows = conn.execute("SELECT name, value, type FROM nls.settings").fetchall()
    typed = Settings.from_catalogue([{"name": n, "value": v, "type": t} for n, v, t in rows])
    assert typed.read_timeout_s == 30.0 and typed.max_attempts == 6


def test_the_database_lists_the_targets_python_reads_from_the_same_file(conn):
    rows = conn.execute(
        "SELECT target, kind, canonical_table, page_id_column, notion_database_name, clean_order, "
        "property_map FROM nls.targets()"
    ).fetchall()
    assert [r[0] for r in rows] == list(targets())
    for target, kind, table, column, name, order, property_map in rows:
        assert targets()[target] == {
            "kind": kind,
            "canonical_table": table,
            "page_id_column": column,
            "notion_database_name": name,
            "clean_order": order,
            "property_map": property_map,
        }
        assert conn.execute("SELECT nls.property_map(%s)", (target,)).fetchone()[0] == property_map


def test_a_source_cannot_hold_a_target_the_list_does_not_have(conn):
    conn.execute("SELECT nls.add_integration('t-user', 'tok')")
    source = conn.execute("SELECT nls.add_source('t-user', %s, 'flashcards')", ("a" * 32,)).fetchone()[0]
    with pytest.raises(psycopg.errors.CheckViolation, match='unknown sync target "flashcard"') as e:
        conn.execute("UPDATE nls.sources SET target = 'flashcard' WHERE id = %s", (source,))
    assert "flashcards" in (e.value.diag.message_hint or "")
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="unknown sync target"):
        conn.execute("SELECT nls.add_source('t-user', %s, 'decks')", ("b" * 32,))
    # no CHECK lists the targets again: the trigger reads the list
    assert (
        conn.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'nls.sources'::regclass AND contype = 'c' "
            "AND pg_get_constraintdef(oid) LIKE '%%target%%'"
        ).fetchone()[0]
        == 0
    )


# where code names a target: a learning or creative pipeline's map, a comparison with a source's target, add_source
TARGET_USES = [
    re.compile(p)
    for p in (
        r"_source_map\('(\w+)'",
        r"property_map\('(\w+)'",
        r"\btarget\s*(?:=|<>)\s*'(\w+)'",
        r"add_source\([^)]*?'(\w+)'\)",
        r"target\s*=\s*\"(\w+)\"",
    )
]
# names the tests give on purpose to see them refused
REFUSED_EXAMPLES = ("decks", "flashcard", "cards")
NAMED_IN = ["sql", "plpython", "emulator", "installer", "cli", "scripts", "bench", "docs", "tests"]


def test_no_target_is_named_anywhere_that_the_list_does_not_have(conn):
    listed = {r[0] for r in conn.execute("SELECT target FROM nls.targets()")}
    named: dict[str, set[str]] = {}
    files = [ROOT / "README.md"] + [
        p
        for folder in NAMED_IN
        for p in (ROOT / folder).rglob("*")
        if p.suffix in (".sql", ".py", ".md") and p.name != "05_targets.sql"
    ]
    for path in files:
        for pattern in TARGET_USES:
            for found in pattern.findall(path.read_text()):
                named.setdefault(found, set()).add(str(path.relative_to(ROOT)))
    for refused in REFUSED_EXAMPLES:
        named.pop(refused, None)
    assert {t: where for t, where in named.items() if t not in listed} == {}
    assert {"flashcards", "concepts", "characters"} <= set(named)  # the patterns do find the real uses
