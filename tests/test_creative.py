"""The creative targets: the generated creative workspace, found by nls.discover(), synced into characters,
worlds, stories and chat_sessions with their mappings; the JSON of nls.sync_notion for one database and for all."""

from __future__ import annotations

import psycopg
import pytest

from conftest import sync, use_emulator
from nls_emulator import Emulator
from nls_emulator.generate import CREATIVE_TARGETS

USER = "writer-1"
TOKEN = "secret_creative_token"


@pytest.fixture
def creative(conn):
    """A fresh emulator with a generated creative workspace, and the user's integration (no sources yet)."""
    with Emulator() as emu:
        emu.gen = emu.add_generated("creative", pages=120, seed=5, token=TOKEN)
        use_emulator(conn, emu)
        conn.execute("SELECT nls.add_integration(%s, %s)", (USER, TOKEN))
        yield emu


def _text(page: dict, prop: str) -> str | None:
    p = page["properties"][prop]
    return "".join(t["plain_text"] for t in p[p["type"]]) or None


def _first(page: dict, *props: str) -> str | None:
    return next((v for v in (_text(page, p) for p in props) if v), None)


def expected(emu) -> dict[str, dict]:
    """What each creative table must hold, read from the emulator's pages by the targets' rules (independently)."""
    ws, gen = emu.gen.workspace, emu.gen
    out: dict[str, dict] = {}
    for name, target in CREATIVE_TARGETS.items():
        rows: dict[str, tuple] = {}
        for pid in gen.page_ids[name]:
            page = ws.pages[pid]
            if page.get("in_trash"):
                continue
            if target == "characters":
                rows[pid] = (_text(page, "Name"), _first(page, "Description", "Bio", "Backstory"))
            elif target == "worlds":
                rows[pid] = (_text(page, "World Name"), _text(page, "Concept/Premise"))
            elif target == "stories":
                rows[pid] = (_text(page, "Story Title"), _text(page, "Premise"))
            else:
                rows[pid] = (
                    _text(page, "Session Title"),
                    _text(page, "Raw Transcript"),
                    page["properties"]["Message Count"]["number"],
                )
        out[target] = rows
    return out


def stored(conn, user: str = USER) -> dict[str, dict]:
    cols = {
        "characters": "name, description",
        "worlds": "name, description",
        "stories": "title, description",
        "chat_sessions": "title, transcript, message_count",
    }
    return {
        t: {
            r[0]: tuple(r[1:])
            for r in conn.execute(f"SELECT notion_page_id, {c} FROM nls.{t} WHERE user_id = %s", (user,))
        }
        for t, c in cols.items()
    }


def test_discover_adds_the_creative_databases_and_one_sync_fills_the_four_tables(conn, creative):
    gen = creative.gen
    listed = conn.execute(
        "SELECT database_id, name, target, source_id, added FROM nls.discover(%s)", (USER,)
    ).fetchall()
    assert sorted((r[1], r[2]) for r in listed) == sorted(CREATIVE_TARGETS.items())
    assert {r[0] for r in listed} == {gen.database_ids[n] for n in CREATIVE_TARGETS}
    assert all(r[3] is None and r[4] is False for r in listed)  # listing adds nothing
    assert conn.execute("SELECT count(*) FROM nls.sources").fetchone()[0] == 0
    added = conn.execute("SELECT name, target, source_id, added FROM nls.discover(%s, add => true)", (USER,)).fetchall()
    assert all(r[2] is not None and r[3] for r in added)
    assert sorted(
        conn.execute("SELECT database_name, target FROM nls.sources WHERE user_id = %s", (USER,)).fetchall()
    ) == sorted(CREATIVE_TARGETS.items())
    again = conn.execute("SELECT added, source_id IS NOT NULL FROM nls.discover(%s, add => true)", (USER,)).fetchall()
    assert again == [(False, True)] * 4

    # all of the user's databases (no database_id): the answer for several databases
    result = sync(conn, user_id=USER)
    assert result["success"] is True
    assert sorted((r["database_name"], r["synced_count"], r["status"]) for r in result["results"]) == sorted(
        (n, len(gen.page_ids[n]), "success") for n in CREATIVE_TARGETS
    )
    assert stored(conn) == expected(creative)
    # every property is kept as jsonb, with the page's content hash
    row = conn.execute("SELECT properties, content_hash FROM nls.chat_sessions LIMIT 1").fetchone()
    assert set(row[0]) == {"Session Title", "Raw Transcript", "Message Count", "Characters"}
    assert len(row[1]) == 64
    # some characters lack a Description (and a Bio): the fallbacks were exercised
    ws = gen.workspace
    chars = [ws.pages[p] for p in gen.page_ids["Characters"]]
    assert any(not _text(p, "Description") and _text(p, "Bio") for p in chars)
    assert any(not _text(p, "Description") and not _text(p, "Bio") and _text(p, "Backstory") for p in chars)

    # one database: the answer for one
    one = sync(conn, database_id=gen.database_ids["Characters"])
    assert {k: one[k] for k in ("success", "synced_count", "database_name")} == {
        "success": True,
        "synced_count": 0,
        "database_name": "Characters",
    }


def test_edits_trashes_renames_and_an_overridden_map_follow_notion(conn, creative):
    gen, ws = creative.gen, creative.gen.workspace
    for name, target in CREATIVE_TARGETS.items():
        pm = '{"description": ["Backstory", "Bio"]}' if target == "characters" else None
        conn.execute(
            "SELECT nls.add_source(%s, %s, %s, property_map => %s)", (USER, gen.database_ids[name], target, pm)
        )
    assert sync(conn, user_id=USER)["success"]
    got = stored(conn)
    for pid in gen.page_ids["Characters"]:  # the source's own map: Backstory first
        assert got["characters"][pid][1] == _first(ws.pages[pid], "Backstory", "Bio")
    story, gone, session = gen.page_ids["Stories"][0], gen.page_ids["Worlds"][1], gen.page_ids["Chat Sessions"][2]
    ws.update_page(story, {"Premise": "A premise rewritten in Notion."})
    ws.trash_page(gone)
    ws.rename_property(gen.data_source_ids["Chat Sessions"], "Raw Transcript", "Transcript (raw)")
    ws.update_page(session, {"Transcript (raw)": "Renamed and edited"})
    before = conn.execute("SELECT count(*) FROM nls.cleaning_log").fetchone()[0]
    # a query never returns trashed pages: a full read (the reconciliation) is what sees the trash
    assert sync(conn, user_id=USER, full_sync=True)["success"]
    got = stored(conn)
    assert got["stories"][story][1] == "A premise rewritten in Notion."
    assert gone not in got["worlds"]
    assert got["chat_sessions"][session][1] == "Renamed and edited"  # followed by the property's id
    for pid in gen.page_ids["Chat Sessions"]:
        assert got["chat_sessions"][pid][1] == _text(ws.pages[pid], "Transcript (raw)")
    log = conn.execute(
        "SELECT operation, entity, notion_id, new_value FROM nls.cleaning_log ORDER BY performed_at OFFSET %s",
        (before,),
    ).fetchall()
    assert {(o, e, n) for o, e, n, _ in log if e != "chat_sessions"} == {
        ("notion_update", "stories", story),
        ("notion_removed", "worlds", gone),
    }
    # the rename changed every session's properties (a key's name); only the edited one changed its transcript
    sessions = {n: v for o, e, n, v in log if e == "chat_sessions" and o == "notion_update"}
    assert set(sessions) == set(gen.page_ids["Chat Sessions"])
    assert [n for n, v in sessions.items() if "transcript" in v] == [session]
    # the trashed world is still in staging, marked
    assert conn.execute("SELECT in_trash FROM nls.stg_notion_pages WHERE page_id = %s", (gone,)).fetchone() == (True,)


@pytest.mark.parametrize("bad", ['{"nope": "X"}', '{"description": [1]}', '{"description": []}', '{"name": 3}'])
def test_a_property_map_that_does_not_fit_the_target_is_refused_with_the_fields(conn, creative, bad):
    with pytest.raises(psycopg.errors.InvalidParameterValue) as e:
        conn.execute(
            "SELECT nls.add_source(%s, %s, 'characters', property_map => %s)",
            (USER, creative.gen.database_ids["Characters"], bad),
        )
    assert "does not fit target \"characters\"" in str(e.value) and "name, description" in (
        e.value.diag.message_hint or ""
    )
    assert conn.execute("SELECT count(*) FROM nls.sources").fetchone()[0] == 0
