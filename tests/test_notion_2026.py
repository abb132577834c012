"""Notion as it is at the end of 2026, against real PostgreSQL and the emulator: Notion-Version 2026-12-01 (lists
carry the title only unless filter_properties names the properties: nls asks for every one by id, within a URL's
length) stores what 2026-03-11 stores, page for page; an unchanged run still costs its minimum; a person's name may be
null; and cursors Notion refuses in the middle of a read cost no page."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import pytest
import requests

from conftest import add_user_source, last_log, sync, use_emulator
from nls_emulator import Emulator, fixtures_dir
from nls_emulator.generate import LEARNING_TARGETS
from nls_emulator.model import Workspace, rich_text
from nls_engine.notion.client import MAX_URL, NotionClient
from workspaces import generated_workspace

OLD, NEW = "2026-03-11", "2026-12-01"
STORED = (
    "raw_properties",
    "raw_page",
    "raw_content",
    "content_markdown",
    "value_marks",
    "in_trash",
    "created_time",
    "last_edited_time",
    "data_source_id",
)


def unsigned(value):
    """A stored value without what each read of a Notion-hosted file signs anew (its url's query, its expiry)."""
    if isinstance(value, dict):
        return {k: unsigned(v) for k, v in value.items() if k != "expiry_time"}
    if isinstance(value, list):
        return [unsigned(v) for v in value]
    if isinstance(value, str) and "X-Amz-" in value:
        return value.split("?")[0]
    return value


def stored(conn, user: str) -> dict[str, tuple]:
    rows = conn.execute(
        f"SELECT page_id, {', '.join(STORED)} FROM nls.stg_notion_pages WHERE user_id = %s", (user,)
    ).fetchall()
    return {r[0]: unsigned(list(r[1:])) for r in rows}


def add_sources(conn, user: str, token: str, database_ids: dict[str, str]) -> None:
    conn.execute("SELECT nls.add_integration(%s, %s)", (user, token))
    for name, target in LEARNING_TARGETS.items():
        conn.execute("SELECT nls.add_source(%s, %s, %s, with_content => true)", (user, database_ids[name], target))


def queries(emu: Emulator) -> list[dict]:
    return [r for r in emu.api.log if r["endpoint"] == "data_source_query"]


@pytest.mark.runtimes
def test_a_sync_on_2026_12_01_stores_what_a_sync_on_2026_03_11_stores_page_for_page(conn):
    with Emulator() as emu:
        use_emulator(conn, emu)
        conn.execute("SELECT nls.set_setting('notion_version', %s)", (OLD,))
        gen = generated_workspace(conn, emu, "u-old", "tok-old", 250, seed=21, hard=True, with_content=True)
        emu.api.add_integration("tok-new", gen.workspace)
        conn.execute("SELECT nls.set_setting('notion_version', %s)", (NEW,))
        add_sources(conn, "u-new", "tok-new", gen.database_ids)
        emu.api.reset_log()
        result = sync(conn, user_id="u-new")
        assert result["success"], result
        assert queries(emu) and all("filter_properties=" in r["query"] for r in queries(emu))
        old, new = stored(conn, "u-old"), stored(conn, "u-new")
        assert len(new) > 200 and set(new) == set(old)
        assert [pid for pid in old if old[pid] != new[pid]] == []
        # an unchanged run on 2026-12-01 costs what it costs on 2026-03-11: one query per data source, one search
        emu.api.reset_log()
        assert sync(conn, user_id="u-new")["success"]
        listed = conn.execute(
            "SELECT count(*) FROM nls.sync_state WHERE source_id IN "
            "(SELECT id FROM nls.sources WHERE user_id = 'u-new')"
        ).fetchone()[0]
        assert dict(emu.api.counters) == {"data_source_query": listed, "search": 1}, dict(emu.api.counters)


def test_a_property_added_in_notion_reaches_the_edited_pages_of_an_incremental_run(conn):
    with Emulator() as emu:
        use_emulator(conn, emu)
        gen = generated_workspace(
            conn, emu, "u-add", "tok-add", 120, seed=22, targets={"Flashcards": LEARNING_TARGETS["Flashcards"]}
        )
        ws, ds = gen.workspace, gen.data_source_ids["Flashcards"]
        pid = ws.add_property(ds, "Hint", "rich_text", prop_id=quote("<hi", safe=""))
        edited = ws.pages_of(ds)[0]["id"]
        ws.update_page(edited, {"Hint": "Think of a graph."})
        emu.api.reset_log()
        assert sync(conn, user_id="u-add")["success"]
        # the recorded schema lacked it: the data source is read once and the query begins again with every id
        assert emu.api.counters["data_source_retrieve"] == 1 and emu.api.counters["data_source_query"] == 2
        assert "filter_properties=%3Chi&" in queries(emu)[-1]["query"]  # Notion's id, percent-encoded once
        props = conn.execute(
            "SELECT raw_properties FROM nls.stg_notion_pages WHERE page_id = %s", (edited,)
        ).fetchone()[0]
        assert props["Hint"]["id"] == pid and props["Hint"]["rich_text"][0]["plain_text"] == "Think of a graph."


def test_a_data_source_of_200_properties_is_read_whole_one_request_an_answer(conn):
    with Emulator() as emu:
        use_emulator(conn, emu)
        gen = generated_workspace(
            conn,
            emu,
            "u-wide",
            "tok-wide",
            300,
            seed=23,
            synced=False,
            targets={"Flashcards": LEARNING_TARGETS["Flashcards"]},
        )
        ws, ds = gen.workspace, gen.data_source_ids["Flashcards"]
        for i in range(200 - len(ws.data_sources[ds]["properties"])):
            ws.add_property(ds, f"Extra {i}", "rich_text", prop_id=quote(f"<{i}:", safe=""))
        pages = ws.pages_of(ds)
        for n, page in enumerate(pages):
            ws.update_page(page["id"], {f"Extra {n % 150}": f"value {n}"})
        assert len(ws.data_sources[ds]["properties"]) == 200
        assert sync(conn, user_id="u-wide")["success"]
        asked = queries(emu)
        assert len(asked) == -(-len(pages) // 100)  # one request an answer: the 200 ids fit in one URL
        assert [r["query"].count("filter_properties=") for r in asked] == [200] * len(asked)
        assert max(len(emu.url) + len(r["path"]) + 1 + len(r["query"]) for r in asked) < MAX_URL
        rows = dict(conn.execute("SELECT page_id, raw_properties FROM nls.stg_notion_pages").fetchall())
        assert len(rows) == len(pages) and {len(p) for p in rows.values()} == {200}
        assert all(
            rows[p["id"]][f"Extra {n % 150}"]["rich_text"][0]["plain_text"] == f"value {n}" for n, p in enumerate(pages)
        )


def test_ids_too_many_for_one_url_go_in_several_queries_merged_page_by_page():
    with Emulator() as emu:
        gen = emu.add_generated("learning", pages=150, seed=24, token="tok-split")
        ws, ds = gen.workspace, gen.data_source_ids["Flashcards"]
        for i in range(700):
            ws.add_property(ds, f"Wide {i}", "number", prop_id=quote(f"[{i}]", safe=""))
        first = ws.pages_of(ds)[0]["id"]
        ws.update_page(first, {"Wide 699": 7})
        ids = [p["id"] for p in ws.data_sources[ds]["properties"].values()]
        client = NotionClient("tok-split", emu.url, NEW)
        pages = [
            p
            for answer in client.query(ds, {"sorts": [{"timestamp": "created_time", "direction": "ascending"}]}, ids)
            for p in answer["results"]
        ]
        asked = queries(emu)
        assert {r["status"] for r in asked} == {200} and len(asked) >= 2 * -(-len(pages) // 100)
        assert all(len(emu.url) + len(r["path"]) + 1 + len(r["query"]) <= MAX_URL for r in asked)
        whole = requests.get(
            f"{emu.url}/v1/pages/{first}", headers={"Authorization": "Bearer tok-split", "Notion-Version": NEW}
        ).json()
        got = next(p for p in pages if p["id"] == first)
        assert got["properties"] == whole["properties"] and got["properties"]["Wide 699"]["number"] == 7
        assert {len(p["properties"]) for p in pages} == {len(ids)}


def test_a_person_whose_name_notion_does_not_give_is_stored_as_null(conn):
    with Emulator() as emu:
        use_emulator(conn, emu)
        gen = generated_workspace(
            conn,
            emu,
            "u-null",
            "tok-null",
            80,
            seed=25,
            synced=False,
            targets={"Flashcards": LEARNING_TARGETS["Flashcards"]},
        )
        ws, ds = gen.workspace, gen.data_source_ids["Flashcards"]
        ws.add_property(ds, "Owner", "people", prop_id="own")
        page = ws.pages_of(ds)[0]["id"]
        agent = {
            "object": "user",
            "id": "5f0c4a6e-3d7b-4d4e-9a71-0a6f4b1e2c3d",
            "name": None,
            "avatar_url": None,
            "type": "bot",
            "bot": {"agent_id": "a-1"},
        }
        ws.update_page(page, {"Owner": [agent]})
        assert sync(conn, user_id="u-null")["success"]
        value = conn.execute(
            "SELECT raw_properties -> 'Owner' FROM nls.stg_notion_pages WHERE page_id = %s", (page,)
        ).fetchone()[0]
        assert value["people"][0]["name"] is None and "name" in value["people"][0]
        assert conn.execute(
            "SELECT nls.notion_names(raw_properties -> 'Owner'), nls.notion_ids(raw_properties -> "
            "'Owner') FROM nls.stg_notion_pages WHERE page_id = %s",
            (page,),
        ).fetchone() == ([None], [agent["id"]])
        # before 2026-12-01 Notion gave an empty string
        old = requests.get(
            f"{emu.url}/v1/pages/{page}", headers={"Authorization": "Bearer tok-null", "Notion-Version": OLD}
        ).json()
        assert old["properties"]["Owner"]["people"][0]["name"] == ""


def bulk_data_source(ws: Workspace, pages: int) -> tuple[str, str]:
    """A database of one data source holding ``pages`` rows (title only), one created and edited each minute."""
    db_id, ds_id = ws.new_id(), ws.new_id()
    ws.add_database(
        {
            "object": "database",
            "id": db_id,
            "title": [rich_text("Bulk")],
            "description": [],
            "parent": {"type": "workspace", "workspace": True},
            "is_inline": False,
            "in_trash": False,
            "created_time": "2025-01-01T00:00:00.000Z",
            "last_edited_time": "2025-01-01T00:00:00.000Z",
            "data_sources": [],
            "archived": False,
        }
    )
    ws.add_data_source(
        {
            "object": "data_source",
            "id": ds_id,
            "title": [rich_text("Bulk")],
            "description": [],
            "created_time": "2025-01-01T00:00:00.000Z",
            "last_edited_time": "2025-01-01T00:00:00.000Z",
            "properties": {"Name": {"id": "title", "name": "Name", "type": "title", "title": {}}},
            "parent": {"type": "database_id", "database_id": db_id},
            "archived": False,
            "in_trash": False,
        }
    )
    start = 1735689600  # 2025-01-01
    for n in range(pages):
        page = ws.pages[ws.create_page(ds_id, {"Name": f"row {n}"})]
        page["created_time"] = page["last_edited_time"] = time.strftime(
            "%Y-%m-%dT%H:%M:00.000Z", time.gmtime(start + 60 * n)
        )
    ws.touch()
    return db_id, ds_id


@pytest.mark.runtimes
@pytest.mark.parametrize("version", [OLD, NEW])
def test_a_first_read_of_10050_pages_with_every_fifth_cursor_refused_stores_every_one_once(conn, version):
    with Emulator() as emu:
        ws = Workspace()
        emu.api.add_integration("tok-cursor", ws)
        db_id, _ = bulk_data_source(ws, 10_050)
        use_emulator(conn, emu)
        conn.execute("SELECT nls.set_setting('notion_version', %s)", (version,))
        add_user_source(conn, "u-cursor", "tok-cursor", db_id)
        emu.api.refuse_cursor_every = 5
        result = sync(conn, database_id=db_id)
        assert result["status"] == "success", result
        refused = [r for r in queries(emu) if r["status"] == 400]
        assert len(refused) >= 20 and all(r["fault"] == "invalid_cursor" for r in refused)
        assert conn.execute("SELECT count(*), count(DISTINCT page_id) FROM nls.stg_notion_pages").fetchone() == (
            10_050,
            10_050,
        )
        log = last_log(conn)
        assert log["items_added"] == 10_050 and log["status"] == "completed"
        (ds,) = log["details"]["data_sources"]
        assert ds["pages"] == 10_050 and ds["cursor_restarts"] == len(refused) == log["details"]["cursor_restarts"]


def test_the_recorded_workspace_stores_the_same_on_2026_12_01_as_on_2026_03_11(conn):
    if fixtures_dir() is None:
        pytest.skip("../shared/notion-fixtures/recorded is absent")
    database = "c37a2c66-e3aa-4a0d-a447-73de3b80c253"
    DS = "4f93db51-4e1d-4015-b07f-876e34c3b0b1"
    with Emulator() as emu:
        ws = emu.add_recorded("tok-rec-old")
        emu.api.add_integration("tok-rec-new", ws)
        use_emulator(conn, emu)
        conn.execute("SELECT nls.set_setting('notion_version', %s)", (OLD,))
        add_user_source(conn, "rec-old", "tok-rec-old", database)
        assert sync(conn, user_id="rec-old")["success"]
        conn.execute("SELECT nls.set_setting('notion_version', %s)", (NEW,))
        add_user_source(conn, "rec-new", "tok-rec-new", database)
        assert sync(conn, user_id="rec-new")["success"]
        old, new = stored(conn, "rec-old"), stored(conn, "rec-new")
        assert len(old) == 5 and old == new
        assert {len(row[0]) for row in new.values()} == {len(ws.data_sources[DS]["properties"])}


def _call(emu: Emulator, method: str, path: str, version: str, token: str = "tok-emu", **kw) -> requests.Response:
    return requests.request(
        method,
        emu.url + path,
        headers={"Authorization": f"Bearer {token}", "Notion-Version": version},
        timeout=10,
        **kw,
    )


def test_the_emulator_answers_as_2026_12_01_does_and_as_before_for_older_versions():
    with Emulator() as emu:
        gen = emu.add_generated("learning", pages=60, seed=26, token="tok-emu")
        ws, ds = gen.workspace, gen.data_source_ids["Flashcards"]
        props = ws.data_sources[ds]["properties"]
        title = next(n for n, p in props.items() if p["type"] == "title")
        path = f"/v1/data_sources/{ds}/query"
        listed = {v: _call(emu, "POST", path, v, json={"page_size": 5}).json()["results"] for v in (OLD, NEW)}
        assert {len(p["properties"]) for p in listed[OLD]} == {len(props)}
        assert {tuple(p["properties"]) for p in listed[NEW]} == {(title,)}  # the title only, ids and times kept
        assert all(p["id"] and p["last_edited_time"] for p in listed[NEW])
        other = next(p for p in props.values() if p["type"] != "title")
        asked = _call(
            emu, "POST", f"{path}?filter_properties={quote(other['id'], safe='')}", NEW, json={"page_size": 5}
        ).json()["results"]
        assert {tuple(p["properties"]) for p in asked} == {(other["name"],)}
        found = _call(emu, "POST", "/v1/search", NEW, json={"filter": {"property": "object", "value": "page"}})
        assert all(len(p["properties"]) == 1 for p in found.json()["results"])
        page = ws.pages_of(ds)[0]["id"]
        assert _call(emu, "GET", f"/v1/pages/{page}", NEW).json()["properties"].keys() == props.keys()
        # Markdown: v2 only from 2026-12-01 on
        md = f"/v1/pages/{page}/markdown"
        assert (
            _call(emu, "GET", md, NEW).status_code == 200
            and _call(emu, "GET", md + "?markdown_version=v2", NEW).status_code == 200
        )
        refused = _call(emu, "GET", md + "?markdown_version=v1", NEW)
        assert (refused.status_code, refused.json()["code"]) == (400, "validation_error")
        assert _call(emu, "GET", md + "?markdown_version=v1", OLD).status_code == 200
        # a URL past 8,192 characters: 414, as a proxy answers
        assert _call(emu, "POST", f"{path}?filter_properties={'x' * 9000}", NEW, json={}).status_code == 414


def test_a_status_equals_filter_matches_a_group_before_2026_12_01_and_an_option_only_from_it():
    with Emulator() as emu:
        gen = emu.add_generated("learning", pages=60, seed=27, token="tok-emu")
        ws, ds = gen.workspace, gen.data_source_ids["Flashcards"]
        ws.add_property(
            ds,
            "Stage",
            "status",
            {
                "options": [{"id": "o1", "name": "Draft"}, {"id": "o2", "name": "Done"}],
                "groups": [{"id": "g1", "name": "Open", "option_ids": ["o1"]}],
            },
        )
        page = ws.pages_of(ds)[0]["id"]
        ws.update_page(page, {"Stage": {"id": "o1", "name": "Draft"}})
        body: dict[str, Any] = {"filter": {"property": "Stage", "status": {"equals": "Open"}}}
        path = f"/v1/data_sources/{ds}/query"
        assert [p["id"] for p in _call(emu, "POST", path, OLD, json=body).json()["results"]] == [page]
        assert _call(emu, "POST", path, NEW, json=body).json()["results"] == []
        body["filter"]["status"]["equals"] = "Draft"
        assert [p["id"] for p in _call(emu, "POST", path, NEW, json=body).json()["results"]] == [page]


def test_the_emulator_refuses_every_nth_cursor_and_creates_past_a_workspace_block_limit():
    with Emulator() as emu:
        gen = emu.add_generated("learning", pages=400, seed=28, token="tok-emu")
        ds = gen.data_source_ids["Flashcards"]
        assert requests.post(f"{emu.url}/_emulator/faults", json={"refuse_every_nth_cursor": 2}).json() == {"ok": True}
        path, cursor, statuses = f"/v1/data_sources/{ds}/query", None, []
        for _ in range(4):
            r = _call(emu, "POST", path, NEW, json={"page_size": 10, **({"start_cursor": cursor} if cursor else {})})
            statuses.append(r.status_code)
            if r.status_code == 200:
                cursor = r.json()["next_cursor"]
        assert statuses == [200, 200, 400, 200]  # the first without a cursor; then the second cursor sent
        refused = [r for r in emu.api.log if r["status"] == 400]
        assert [r["fault"] for r in refused] == ["invalid_cursor"]
        body = {"parent": {"data_source_id": ds}, "properties": {}}
        assert _call(emu, "POST", "/v1/pages", NEW, json=body).status_code == 200
        assert requests.post(f"{emu.url}/_emulator/block_limit", json={"token": "tok-emu"}).json() == {"ok": True}
        answer = _call(emu, "POST", "/v1/pages", NEW, json=body)
        assert (answer.status_code, answer.json()["code"]) == (403, "restricted_resource")
        assert "block limit" in answer.json()["message"]
        emu.api.integrations["tok-emu"].personal = True  # a personal access token is exempt
        assert _call(emu, "POST", "/v1/pages", NEW, json=body).status_code == 200
