"""Against the real recorded responses (../shared/notion-fixtures/recorded, read in place): golden answers of the
emulator, and a sync of the recorded workspace. Skipped with a reason where ../shared is absent."""

from __future__ import annotations

import json

import pytest
import requests

from nls_emulator import Emulator, fixtures_dir
from nls_emulator.recorded import is_legacy, recorded_requests

FIXTURES = fixtures_dir()
pytestmark = pytest.mark.skipif(FIXTURES is None, reason="../shared/notion-fixtures/recorded is absent")

DB = "c37a2c66-e3aa-4a0d-a447-73de3b80c253"
DS = "4f93db51-4e1d-4015-b07f-876e34c3b0b1"
RICH = "/v1/pages/6601e719a39a460c908e8909467fcccf/properties/flUp"
CHILDREN = "/v1/blocks/393abc1e-edcd-81e2-97ea-fad78f8ecc3a/children"
LEGACY = "2022-06-28"

# The request behind a recording comes from notion-fixtures/INDEX.md. Where the index shortens the query string
# or a POST's body is not recorded, it is given here: recording -> (method, path, query params, JSON body).
REQUESTS = {
    "hkob__notion_ruby_mapping__query-data-source-limit-2.json": (
        "POST",
        f"/v1/data_sources/{DS}/query",
        None,
        {"page_size": 2},
    ),
    "hkob__notion_ruby_mapping__query-data-source-next-2.json": (
        "POST",
        f"/v1/data_sources/{DS}/query",
        None,
        {"page_size": 2, "start_cursor": "6601e719-a39a-460c-908e-8909467fcccf"},
    ),
    "hkob__notion_ruby_mapping__query-data-source-last-2.json": (
        "POST",
        f"/v1/data_sources/{DS}/query",
        None,
        {"page_size": 2, "start_cursor": "dcdc805c-85fa-4155-a55c-20fc28771af7"},
    ),
    "hkob__notion_ruby_mapping__legacy-2022-06-28-query-database-limit-2.json": (
        "POST",
        f"/v1/databases/{DB}/query",
        None,
        {"page_size": 2},
    ),
    "hkob__notion_ruby_mapping__legacy-2022-06-28-query-database-next-2.json": (
        "POST",
        f"/v1/databases/{DB}/query",
        None,
        {"page_size": 2, "start_cursor": "6601e719-a39a-460c-908e-8909467fcccf"},
    ),
    "hkob__notion_ruby_mapping__legacy-2022-06-28-query-database-last-2.json": (
        "POST",
        f"/v1/databases/{DB}/query",
        None,
        {"page_size": 2, "start_cursor": "dcdc805c-85fa-4155-a55c-20fc28771af7"},
    ),
    "hkob__notion_ruby_mapping__retrieve-property-rich-text-limit-5.json": ("GET", RICH, {"page_size": 5}, None),
    "hkob__notion_ruby_mapping__legacy-2022-06-28-retrieve-property-rich-text-limit-5.json": (
        "GET",
        RICH,
        {"page_size": 5},
        None,
    ),
    "hkob__notion_ruby_mapping__retrieve-users-all.json": ("GET", "/v1/users", None, None),
    "hkob__notion_ruby_mapping__legacy-2022-06-28-retrieve-users-all.json": ("GET", "/v1/users", None, None),
    "hkob__notion_ruby_mapping__search-sample-table.json": (
        "POST",
        "/v1/search",
        None,
        {"query": "Sample table", "filter": {"property": "object", "value": "data_source"}},
    ),
    "ramnes__notion-sdk-py__blocks-children-page1-has_more.json": ("GET", CHILDREN, {"page_size": 2}, None),
    "ramnes__notion-sdk-py__blocks-children-page2-has_more.json": (
        "GET",
        CHILDREN,
        {"page_size": 2, "start_cursor": "393abc1e-edcd-8166-ac96-e7304d406e8d"},
        None,
    ),
    "ramnes__notion-sdk-py__blocks-children-page3-last.json": (
        "GET",
        CHILDREN,
        {"page_size": 2, "start_cursor": "393abc1e-edcd-81f7-b554-d4980eb885c0"},
        None,
    ),
    "ramnes__notion-sdk-py__error-401-unauthorized.json": ("GET", "/v1/users", None, None),
}
_NOT_SERVED = (
    "not served: nls reads pages, data sources and blocks; comments, templates and file uploads are out of scope"
)
_WRITE = "a write: the emulator is read-only, as nls is"
_RANKED = (
    "search: Notion ranks by its own relevance over the whole original workspace, which the recordings do "
    "not hold; search paging and filters are tested on generated workspaces"
)
_FILTER_PROPERTIES = (
    "the index shortens the filter_properties it asked for; filter_properties is tested on generated workspaces"
)
_OPAQUE_CURSOR = (
    "its start_cursor is Notion's opaque cursor, cut from the index; replayed through the limit-5 answer instead"
)
# Every other recording, and why it is not replayed.
NOT_REPLAYED = {
    "2anki__2anki.net__error-429-rate_limited-logged-in-issue-1522.json": (
        "no request recorded; the 429 body's shape is checked by the rate-limit tests"
    ),
    "hkob__notion_ruby_mapping__legacy-2022-06-28-retrieve-comments-top-page.json": _NOT_SERVED,
    "hkob__notion_ruby_mapping__retrieve-comment-edit-text.json": _NOT_SERVED,
    "hkob__notion_ruby_mapping__retrieve-comments-h1-block.json": _NOT_SERVED,
    "hkob__notion_ruby_mapping__retrieve-comments-top-page.json": _NOT_SERVED,
    "ramnes__notion-sdk-py__comments-list.json": _NOT_SERVED,
    "hkob__notion_ruby_mapping__list-data-source-templates-limit-1.json": _NOT_SERVED,
    "hkob__notion_ruby_mapping__list-data-source-templates-next-1.json": _NOT_SERVED,
    "hkob__notion_ruby_mapping__list-data-source-templates-no-limit.json": _NOT_SERVED,
    "hkob__notion_ruby_mapping__retrieve-a-file-upload.json": _NOT_SERVED,
    "ramnes__notion-sdk-py__file_uploads-list-has_more.json": _NOT_SERVED,
    "hkob__notion_ruby_mapping__create-data-source-from-database.json": _WRITE,
    "hkob__notion_ruby_mapping__create-database-from-page.json": _WRITE,
    "hkob__notion_ruby_mapping__create-page-parent-data-source.json": _WRITE,
    "hkob__notion_ruby_mapping__destroy-block-by-id.json": _WRITE,
    "hkob__notion_ruby_mapping__update-data-source-add-property.json": _WRITE,
    "hkob__notion_ruby_mapping__update-page-all.json": _WRITE,
    "ramnes__notion-sdk-py__block-deleted-in_trash.json": _WRITE,
    "ramnes__notion-sdk-py__blocks-children-append-5-paragraphs.json": _WRITE,
    "ramnes__notion-sdk-py__page-trashed.json": _WRITE,
    "hkob__notion_ruby_mapping__legacy-2022-06-28-search-sample-table.json": _RANKED,
    "ramnes__notion-sdk-py__legacy-2022-06-28-search-23-pages-and-databases.json": _RANKED,
    "ramnes__notion-sdk-py__search-3-results-2025-09-03.json": _RANKED,
    "ramnes__notion-sdk-py__search-page1-has_more.json": _RANKED,
    "ramnes__notion-sdk-py__search-page2-has_more.json": _RANKED,
    "ramnes__notion-sdk-py__data_source-query-empty.json": (
        "its data source appears in no recording, so the emulator cannot know it exists"
    ),
    "hkob__notion_ruby_mapping__query-data-source-filter-properties.json": _FILTER_PROPERTIES,
    "hkob__notion_ruby_mapping__legacy-2022-06-28-query-database-filter-properties.json": _FILTER_PROPERTIES,
    "hkob__notion_ruby_mapping__query-data-source-select-multi-values.json": (
        "its filter body is not recorded; select and multi_select filters are tested on generated workspaces"
    ),
    "hkob__notion_ruby_mapping__retrieve-property-rich-text-next-5.json": _OPAQUE_CURSOR,
    "hkob__notion_ruby_mapping__retrieve-property-rich-text-last-5.json": _OPAQUE_CURSOR,
    "hkob__notion_ruby_mapping__legacy-2022-06-28-retrieve-property-rich-text-next-5.json": _OPAQUE_CURSOR,
}


def _replays() -> dict:
    """recording -> (method, path, params, body, Notion-Version) for every recording the emulator replays."""
    if FIXTURES is None:
        return {}
    index = recorded_requests(FIXTURES)
    out = {}
    for path in sorted(FIXTURES.glob("*.json")):
        name = path.name
        version = LEGACY if is_legacy(name) else "2025-09-03"
        if name in REQUESTS:
            out[name] = (*REQUESTS[name], version)
        elif name not in NOT_REPLAYED and name in index and index[name][0] == "GET":
            target = index[name][1]
            assert "..." not in target, f"{name}: the index shortens its request; give it in REQUESTS"
            out[name] = ("GET", target, None, None, version)
    return out


REPLAYS = _replays()


def _strip(body):
    if isinstance(body, dict):
        return {k: _strip(v) for k, v in body.items() if k != "request_id"}
    if isinstance(body, list):
        return [_strip(v) for v in body]
    return body


def test_every_recording_is_replayed_or_says_why_not():
    names = {p.name for p in FIXTURES.glob("*.json")}
    unaccounted = names - set(REPLAYS) - set(NOT_REPLAYED)
    assert not unaccounted, f"recordings neither replayed nor excused: {sorted(unaccounted)}"
    assert not set(REPLAYS) & set(NOT_REPLAYED)
    assert len(REPLAYS) >= 120


@pytest.mark.parametrize("recording", sorted(REPLAYS))
def test_golden_answer_equals_the_recording(recording):
    method, path, params, body, version = REPLAYS[recording]
    expected = json.loads((FIXTURES / recording).read_text())
    token = "tok"
    with Emulator() as emu:
        emu.add_recorded("tok", prefer=recording)
        integ = emu.api.integrations["tok"]
        if expected.get("object") == "list" and expected.get("type") == "user":
            integ.workspace.users = {u["id"]: u for u in expected["results"]}
        if expected.get("status") == 401:
            token = "a-token-notion-does-not-know"
        if expected.get("status") == 404 and "integration_id" in (expected.get("additional_data") or {}):
            # recorded before Notion stopped naming the integration in its 404 message
            integ.named_in_not_found = True
            integ.bot = {**integ.bot, "id": expected["additional_data"]["integration_id"], "name": "notion-sdk-py"}
        r = requests.request(
            method,
            emu.url + path,
            params=params,
            json=body,
            headers={"Authorization": f"Bearer {token}", "Notion-Version": version},
        )
    got = r.json()
    assert r.status_code == (expected["status"] if expected.get("object") == "error" else 200)
    assert "request_id" in got
    assert _strip(got) == _strip(expected)


def test_syncing_the_recorded_workspace_lands_what_the_emulator_serves(conn):
    from conftest import add_user_source, last_log, sync, use_emulator

    with Emulator() as emu:
        emu.add_recorded("tok-recorded")
        use_emulator(conn, emu)
        add_user_source(conn, "rec", "tok-recorded", DB)
        result = sync(conn, database_id=DB)
        assert result["success"], result
        served, cursor = {}, None
        while True:
            body = {"page_size": 100, **({"start_cursor": cursor} if cursor else {})}
            data = requests.post(
                f"{emu.url}/v1/data_sources/{DS}/query",
                json=body,
                headers={"Authorization": "Bearer tok-recorded", "Notion-Version": "2025-09-03"},
            ).json()
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
