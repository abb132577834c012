"""The generated parts of docs/ are what an install gives (scripts/docs.py), in a real PostgreSQL: the settings table
of docs/settings.md is the settings catalogue, and the SQL reference docs/reference.md holds every public function,
procedure and view of schema nls with its COMMENT ON, each routine's saying what it raises. When a test fails:
`make docs` rewrites the parts from a fresh install; read the diff before committing."""

from __future__ import annotations

from pathlib import Path

import pytest

import docs

ROOT = Path(__file__).resolve().parents[1]


def test_every_generated_part_of_docs_is_what_the_installed_schema_gives(conn):
    paths = docs.markdown_files()
    assert {
        ROOT / "docs" / "settings.md": ["settings"],
        ROOT / "docs" / "reference.md": ["reference"],
    }.items() <= docs.parts(paths).items()
    diff = docs.differences(docs.regenerate(conn, paths))
    assert diff == "", (
        "the generated parts of docs/ differ from the installed schema (`make docs` rewrites them):\n" + diff
    )


def settings_page_rows() -> list[tuple[str, ...]]:
    """The rows of docs/settings.md's table: (setting, type, default, allowed, meaning)."""
    rows = [line for line in (ROOT / "docs" / "settings.md").read_text().splitlines() if line.startswith("| `")]
    return [tuple(c.strip().strip("`") for c in row.strip("|").split(" | ")) for row in rows]


def test_the_settings_pages_table_is_the_catalogue(conn):
    catalogue = conn.execute(
        "SELECT name, type || coalesce(' (' || unit || ')', ''), default_value, "
        "nls._setting_allowed(type, unit, min_value, max_value, allowed), description FROM nls.settings "
        "ORDER BY name"
    ).fetchall()
    assert sorted(settings_page_rows()) == [tuple(r) for r in catalogue]


def test_every_public_function_and_procedure_says_what_it_raises(conn):
    routines = docs.routines(conn)
    assert {"sync_notion", "sync_all_users_notion_databases", "notion_text"} <= {r.name for r in routines}
    assert [r.name for r in routines if not docs.split_raises(r.comment or "")[1]] == []


def test_the_reference_refuses_a_public_object_no_section_places(conn):
    docs.reference(conn)  # the committed sections place every object of a fresh install
    conn.execute("CREATE FUNCTION nls.newly_made() RETURNS int LANGUAGE sql AS 'SELECT 1'")
    conn.execute("CREATE VIEW nls.newly_seen AS SELECT 1 AS one")
    with pytest.raises(docs.DocsError, match="in no section: newly_made, newly_seen"):
        docs.reference(conn)


def test_the_reference_shows_each_routines_signature_grants_and_raises(conn):
    text = docs.reference(conn)
    entry = text.split("### nls.set_setting\n", 1)[1].split("\n### ", 1)[0]
    assert "nls.set_setting(name text, value text)\nRETURNS text" in entry
    assert "runs as the caller · executable by nls_admin" in entry
    assert "\n**Raises** 22023 for a value out of range" in entry
    view = text.split("### nls.sync_status\n", 1)[1].split("\n### ", 1)[0]
    assert view.startswith("\nview · reads as the caller (security_invoker") and "| `behind` | interval |" in view
