"""Against the real recorded responses (../shared/notion-fixtures/recorded, read in place): golden answers of the
emulator, and a sync of the recorded workspace. Skipped with a reason where ../shared is absent."""
from __future__ import annotations

import json

import pytest
import requests

from nls_emulator import Emulator, fixtures_dir

FIXTURES = fixtures_dir()
pytestmark = pytest.mark.skipif(FIXTURES is None, reason="../shared/notion-fixtures/recorded is absent")

DB = "c37a2c66-e3aa-4a0d-a447-73de3b80c253"
DS = "4f93db51-4e1d-4015-b07f-876e34c3b0b1"
# recording -> (method, path, params, body); Notion-Version 2025-09-03
GOLDEN = {
    "hkob__notion_ruby_mapping__query-data-source-limit-2.json": ("POST", f"/v1/data_sources/{DS}/query", None, {"page_size": 2}),
    "hkob__notion_ruby_mapping__query-data-source-next-2.json": ("POST", f"/v1/data_sources/{DS}/query", None,
                                                                  {"page_size": 2, "start_cursor": "6601e719-a39a-460c-908e-8909467fcccf"}),
    "hkob__notion_ruby_mapping__query-data-source-last-2.json": ("POST", f"/v1/data_sources/{DS}/query", None,
                                                                  {"page_size": 2, "start_cursor": "dcdc805c-85fa-4155-a55c-20fc28771af7"}),
    "hkob__notion_ruby_mapping__retrieve-page-db-first.json": ("GET", "/v1/pages/dcdc805c85fa4155a55c20fc28771af7", None, None),
    "hkob__notion_ruby_mapping__retrieve-page-with-many-relations.json": ("GET", "/v1/pages/b56cba9682ab46f2866ae7a9e590dff3", None, None),
    "hkob__notion_ruby_mapping__retrieve-property-relation-with-many-relations.json":
        ("GET", "/v1/pages/b56cba9682ab46f2866ae7a9e590dff3/properties/%60%5B%3E%7B", None, None),
    "hkob__notion_ruby_mapping__retrieve-property-rich-text-limit-5.json":
        ("GET", "/v1/pages/6601e719a39a460c908e8909467fcccf/properties/flUp", {"page_size": 5}, None),
    "hkob__notion_ruby_mapping__retrieve-property-checkbox.json": ("GET", "/v1/pages/dcdc805c85fa4155a55c20fc28771af7/properties/Lbi%5D", None, None),
    "hkob__notion_ruby_mapping__retrieve-data-source-data-source.json": ("GET", f"/v1/data_sources/{DS.replace('-', '')}", None, None),
    "hkob__notion_ruby_mapping__retrieve-block-paragraph.json": ("GET", "/v1/blocks/79ddb5ed15c74a409cf6a018d23ceb19", None, None),
    "ramnes__notion-sdk-py__database-retrieve-with-data_sources.json": ("GET", "/v1/databases/e234cdc8-4ad2-4371-a97e-999a238bf8f5", None, None),
    "ramnes__notion-sdk-py__users-list-31-users.json": ("GET", "/v1/users", None, None),
    "ramnes__notion-sdk-py__users-me-bot.json": ("GET", "/v1/users/me", None, None),
    "hkob__notion_ruby_mapping__retrieve-page-wrong-format.json": ("GET", "/v1/pages/AAA", None, None),
    "hkob__notion_ruby_mapping__retrieve-page-unpermitted-page.json": ("GET", "/v1/pages/2600ce2a6520801c86cbfd0b73eb91de", None, None),
    "hkob__notion_ruby_mapping__retrieve-data-source-wrong-format.json": ("GET", "/v1/data_sources/AAA", None, None),
    "ramnes__notion-sdk-py__error-400-invalid_request_url.json": ("GET", "/v1/invalid", None, None),
}


def _strip(body):
    if isinstance(body, dict):
        return {k: _strip(v) for k, v in body.items() if k != "request_id"}
    if isinstance(body, list):
        return [_strip(v) for v in body]
    return body


@pytest.mark.parametrize("recording", sorted(GOLDEN))
def test_golden_answer_equals_the_recording(recording):
    method, path, params, body = GOLDEN[recording]
    expected = json.loads((FIXTURES / recording).read_text())
    with Emulator() as emu:
        emu.add_recorded("tok", prefer=recording)
        if expected.get("object") == "list" and expected.get("type") == "user":
            ws = emu.api.integrations["tok"].workspace
            ws.users = {u["id"]: u for u in expected["results"]}
        r = requests.request(method, emu.url + path, params=params, json=body,
                             headers={"Authorization": "Bearer tok", "Notion-Version": "2025-09-03"})
    got = r.json()
    assert r.status_code == expected.get("status", 200)
    assert "request_id" in got
    assert _strip(got) == _strip(expected)


def test_syncing_the_recorded_workspace_lands_what_the_emulator_serves(conn):
    from conftest import add_user_source, last_log, sync, use_emulator
    with Emulator() as emu:
        ws = emu.add_recorded("tok-recorded")
        use_emulator(conn, emu)
        add_user_source(conn, "rec", "tok-recorded", DB)
        result = sync(conn, database_id=DB)
        assert result["success"], result
        served, cursor = {}, None
        while True:
            body = {"page_size": 100, **({"start_cursor": cursor} if cursor else {})}
            data = requests.post(f"{emu.url}/v1/data_sources/{DS}/query", json=body,
                                 headers={"Authorization": "Bearer tok-recorded", "Notion-Version": "2025-09-03"}).json()
            served.update({p["id"]: p for p in data["results"]})
            if not data["has_more"]:
                break
            cursor = data["next_cursor"]
    rows = dict(conn.execute("SELECT page_id, raw_properties FROM nls.stg_notion_pages").fetchall())
    assert set(rows) == set(served) and len(rows) == 5
    for pid, props in rows.items():
        assert props == served[pid]["properties"]
    log = last_log(conn)
    assert log["status"] == "completed" and log["items_added"] == 5 == log["items_processed"]
