"""The emulator speaks Notion's protocol: paging, filters, errors, rate limits and faults."""

from __future__ import annotations

import time

import pytest
import requests

from conftest import wait_until
from nls_emulator import Emulator

H = {"Notion-Version": "2025-09-03"}


@pytest.fixture(scope="module")
def emu():
    e = Emulator().start()
    e.gen = e.add_generated("learning", pages=400, seed=2, hard=True, token="tok")
    yield e
    e.stop()


def call(emu, method, path, token="tok", version="2025-09-03", **kw):
    headers = {"Authorization": f"Bearer {token}"}
    if version:
        headers["Notion-Version"] = version
    return requests.request(method, emu.url + path, headers=headers, timeout=10, **kw)


FILTERS = [
    None,
    {"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": "2026-03-01T00:00:00Z"}},
    {
        "and": [
            {"timestamp": "created_time", "created_time": {"after": "2026-01-01"}},
            {"timestamp": "last_edited_time", "last_edited_time": {"before": "2026-09-01T00:00:00Z"}},
        ]
    },
    {
        "or": [
            {"timestamp": "created_time", "created_time": {"on_or_before": "2026-02-01"}},
            {"property": "Status", "select": {"equals": "Active"}},
        ]
    },
]


@pytest.mark.parametrize("page_size", [1, 7, 33, 100])
@pytest.mark.parametrize("flt", range(len(FILTERS)))
@pytest.mark.parametrize("direction", ["ascending", "descending"])
def test_paging_returns_the_filtered_set_once_in_order(emu, page_size, flt, direction):
    ds = emu.gen.data_source_ids["Flashcards"]
    body = {"page_size": page_size, "sorts": [{"timestamp": "last_edited_time", "direction": direction}]}
    if FILTERS[flt]:
        body["filter"] = FILTERS[flt]
    seen, cursor = [], None
    while True:
        r = call(
            emu, "POST", f"/v1/data_sources/{ds}/query", json=dict(body, **({"start_cursor": cursor} if cursor else {}))
        )
        assert r.status_code == 200, r.text
        data = r.json()
        assert len(data["results"]) <= page_size and data["type"] == "page_or_data_source"
        seen += data["results"]
        if not data["has_more"]:
            assert data["next_cursor"] is None
            break
        cursor = data["next_cursor"]
    ids = [p["id"] for p in seen]
    assert len(ids) == len(set(ids))
    pages = [p for p in emu.gen.workspace.pages_of(ds) if not p["in_trash"]]
    from nls_emulator.api import _compile_filter

    pred = _compile_filter(FILTERS[flt], emu.gen.workspace.data_sources[ds]) if FILTERS[flt] else (lambda p: True)
    assert set(ids) == {p["id"] for p in pages if pred(p)}
    times = [p["last_edited_time"] for p in seen]
    assert times == sorted(times, reverse=(direction == "descending"))


def test_the_10000_row_cap_says_incomplete():
    with Emulator() as e:
        e.api.query_result_limit = 50
        gen = e.add_generated("learning", pages=100, seed=3, token="t")
        ds = gen.data_source_ids["Flashcards"]
        r = requests.post(
            f"{e.url}/v1/data_sources/{ds}/query", json={"page_size": 100}, headers={**H, "Authorization": "Bearer t"}
        ).json()
        assert len(r["results"]) == 50 and r["has_more"] is False
        assert r["request_status"] == {"type": "incomplete", "incomplete_reason": "query_result_limit_reached"}


def test_page_objects_cut_long_relations_and_property_items_hold_them_all(emu):
    pid = emu.gen.hard_cases["many_relations"][0]
    full = emu.gen.workspace.pages[pid]["properties"]["Concept"]["relation"]
    assert len(full) > 25
    page = call(emu, "GET", f"/v1/pages/{pid}").json()
    rel = page["properties"]["Concept"]
    assert len(rel["relation"]) == 25 and rel["has_more"] is True
    items, cursor = [], None
    while True:
        q = {"page_size": 10, **({"start_cursor": cursor} if cursor else {})}
        data = call(emu, "GET", f"/v1/pages/{pid}/properties/{rel['id']}", params=q).json()
        items += [i["relation"]["id"] for i in data["results"]]
        if not data["has_more"]:
            break
        cursor = data["next_cursor"]
    assert items == [r["id"] for r in full]


def test_errors_have_notions_shape(emu):
    page = emu.gen.page_ids["Flashcards"][10]
    cases = [
        (call(emu, "GET", f"/v1/pages/{page}", token="nope"), 401, "unauthorized"),
        (call(emu, "GET", f"/v1/pages/{page}", version=None), 400, "missing_version"),
        (call(emu, "GET", "/v1/pages/AAA"), 400, "validation_error"),
        (call(emu, "GET", "/v1/pages/00000000-0000-0000-0000-000000000000"), 404, "object_not_found"),
        (call(emu, "GET", "/v1/nowhere"), 400, "invalid_request_url"),
        (
            call(
                emu,
                "POST",
                f"/v1/data_sources/{emu.gen.data_source_ids['Flashcards']}/query",
                json={"start_cursor": "not-a-cursor"},
            ),
            400,
            "validation_error",
        ),
        (
            call(emu, "POST", f"/v1/databases/{emu.gen.database_ids['Two Sources']}/query", version="2022-06-28"),
            400,
            "validation_error",
        ),
    ]
    for resp, status, code in cases:
        body = resp.json()
        assert resp.status_code == status and body["code"] == code, body
        assert set(body) >= {"object", "status", "code", "message", "request_id"} and body["object"] == "error"


def test_trashed_pages_are_left_out_and_archived_goes_in_2026(emu):
    ds = emu.gen.data_source_ids["Flashcards"]
    trashed = emu.gen.hard_cases["trashed"][0]
    ids = []
    for data in [call(emu, "POST", f"/v1/data_sources/{ds}/query", json={"page_size": 100}).json()]:
        ids += [p["id"] for p in data["results"]]
    assert trashed not in ids
    page = call(emu, "GET", f"/v1/pages/{trashed}", version="2026-03-11").json()
    assert page["in_trash"] is True and "archived" not in page
    assert call(emu, "GET", f"/v1/pages/{trashed}").json()["archived"] is True


def test_rate_limit_never_lets_more_than_the_bucket_through():
    with Emulator() as e:
        e.api.rate_limits.enabled = True
        e.api.rate_limits.token_rate, e.api.rate_limits.token_burst = 5.0, 5.0
        e.add_generated("learning", pages=10, seed=1, token="t")
        started = time.monotonic()
        answers = [requests.get(f"{e.url}/v1/users/me", headers={**H, "Authorization": "Bearer t"}) for _ in range(30)]
        elapsed = time.monotonic() - started
        ok = sum(a.status_code == 200 for a in answers)
        assert ok <= 5 + 5.0 * elapsed + 1
        limited = [a for a in answers if a.status_code == 429]
        assert limited
        for a in limited:
            assert a.json()["code"] == "rate_limited" and int(a.headers["Retry-After"]) >= 1
            assert a.json()["additional_data"]["rate_limit_reason"] == "integration_rate_limit"
        time.sleep(int(limited[-1].headers["Retry-After"]))
        assert requests.get(f"{e.url}/v1/users/me", headers={**H, "Authorization": "Bearer t"}).status_code == 200


def test_a_window_budget_is_spent_at_any_pace_then_429_names_the_limit_until_the_window_ends():
    """Window mode, as Notion's request limits state them now: a token's budget is spent in one burst, then 429
    with Retry-After the seconds left of its window (at most the window) and the reason; the workspace's budget,
    shared by its tokens, has a reason of its own. The control endpoint sets them; bad settings are refused."""
    with Emulator() as e:
        gen = e.add_generated("learning", pages=10, seed=1, token="t")
        e.api.add_integration("t2", gen.workspace)
        assert requests.post(f"{e.url}/_emulator/rate_limits", json={"mode": "fifo"}).status_code == 400
        assert requests.post(f"{e.url}/_emulator/rate_limits", json={"token_budget": 0}).status_code == 400
        assert requests.post(
            f"{e.url}/_emulator/rate_limits",
            json={
                "enabled": True,
                "mode": "window",
                "token_budget": 20,
                "window_s": 30,
                "workspace_budget": 30,
                "workspace_window_s": 90,
            },
        ).json() == {"ok": True}

        def me(token):
            return requests.get(f"{e.url}/v1/users/me", headers={**H, "Authorization": f"Bearer {token}"})

        answers = [me("t") for _ in range(25)]
        assert [a.status_code for a in answers] == [200] * 20 + [429] * 5
        assert e.api.rate_limits.spent("t") == 20
        for a in answers[20:]:
            assert 1 <= int(a.headers["Retry-After"]) <= 30
            assert a.json()["additional_data"]["rate_limit_reason"] == "integration_rate_limit"
        others = [me("t2") for _ in range(15)]  # the workspace's 30: 20 of t's, 10 of t2's
        assert [a.status_code for a in others] == [200] * 10 + [429] * 5
        assert others[-1].json()["additional_data"]["rate_limit_reason"] == "workspace_rate_limit"
        assert 30 < int(others[-1].headers["Retry-After"]) <= 90


def test_webhooks_as_notion_delivers_since_2026_10_15_the_first_edit_at_once_later_ones_folded():
    """With fold_s: a page's first page.properties_updated goes at once; the edits after it within fold_s are one
    more event, listing them all, sent fold_s after the first."""
    import threading as threading_
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    got: list[dict] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            import json as json_

            got.append(json_.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading_.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with Emulator() as emu:
            gen = emu.add_generated("creative", pages=20, seed=5, token="tok-fold")
            hooks = emu.api.webhooks
            hooks.fold_s = 4.0
            sub = hooks.subscribe("tok-fold", f"http://127.0.0.1:{server.server_port}/notion/x")
            hooks.confirm("tok-fold", sub.verification_token)
            page = gen.page_ids["Stories"][0]
            gen.workspace.update_page(page, {"Premise": "one"})
            wait_until(lambda: len(got) == 2 and hooks.undelivered() == 0, 10, "the first edit's delivery")
            for text in ("two", "three"):
                gen.workspace.update_page(page, {"Premise": text})
            assert hooks.undelivered() == 1  # folded: one event waits for the end of the fold
            wait_until(lambda: hooks.undelivered() == 0, 15, "the folded delivery")
            events = [g for g in got if "type" in g]
            assert [e["type"] for e in events] == ["page.properties_updated"] * 2 and events[0]["id"] != events[1]["id"]
    finally:
        server.shutdown()


@pytest.mark.parametrize(
    "kind,status,code",
    [
        ("500", 500, "internal_server_error"),
        ("503", 503, "service_unavailable"),
        ("529", 529, "service_overload"),
        ("429_long", 429, "rate_limited"),
    ],
)
def test_json_faults_have_notions_error_shape(kind, status, code):
    with Emulator() as e:
        e.add_generated("learning", pages=10, seed=1, token="t")
        e.api.faults.add(kind)
        r = requests.get(f"{e.url}/v1/users/me", headers={**H, "Authorization": "Bearer t"})
        assert r.status_code == status and r.json()["code"] == code and r.json()["object"] == "error"
        if kind == "429_long":
            assert int(r.headers["Retry-After"]) == e.api.faults.long_retry_after


@pytest.mark.parametrize("kind", ["502", "504"])
def test_gateway_faults_answer_html(kind):
    with Emulator() as e:
        e.add_generated("learning", pages=10, seed=1, token="t")
        e.api.faults.add(kind)
        r = requests.get(f"{e.url}/v1/users/me", headers={**H, "Authorization": "Bearer t"})
        assert r.status_code == int(kind) and r.text.startswith("<html>")


def test_a_damaged_200_fault_carries_the_request_out_and_breaks_its_answer():
    with Emulator() as e:
        gen = e.add_generated("learning", pages=10, seed=1, token="t")
        page = gen.page_ids["Concepts"][0]
        for kind, starts in (("200_truncated", '{"object": "page"'), ("200_html", "<html>")):
            e.api.faults.add(kind, path="/v1/pages/")
            r = requests.patch(
                f"{e.url}/v1/pages/{page}",
                headers={**H, "Authorization": "Bearer t"},
                json={"properties": {"Name": {"title": [{"text": {"content": kind}}]}}},
            )
            assert r.status_code == 200 and r.text.startswith(starts)
            with pytest.raises(requests.JSONDecodeError):
                r.json()
            assert gen.workspace.pages[page]["properties"]["Name"]["title"][0]["plain_text"] == kind  # it happened


def test_reset_and_stall_faults():
    with Emulator() as e:
        e.add_generated("learning", pages=10, seed=1, token="t")
        e.api.faults.add("reset")
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{e.url}/v1/users/me", headers={**H, "Authorization": "Bearer t"})
        e.api.faults.stall_seconds = 2
        e.api.faults.add("stall")
        with pytest.raises(requests.ReadTimeout):
            requests.get(f"{e.url}/v1/users/me", headers={**H, "Authorization": "Bearer t"}, timeout=0.5)


def test_cli_help_documents_every_option():
    from nls_emulator.cli import build_parser

    text = build_parser().format_help()
    for opt in (
        "--port",
        "--workspace",
        "--pages",
        "--seed",
        "--hard",
        "--token",
        "--rate-limit",
        "--rate",
        "--burst",
        "--workspace-rate",
        "--fault",
        "--stall-seconds",
        "--query-result-limit",
        "--recorded-dir",
    ):
        assert opt in text


def test_markdown_renders_nested_blocks_and_synced_copies(emu):
    page = emu.gen.hard_cases["deep_blocks"][0]
    r = call(emu, "GET", f"/v1/pages/{page}/markdown")
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "page_markdown" and body["truncated"] is False and body["unknown_block_ids"] == []
    lines = body["markdown"].split("\n")
    assert lines[:8] == [("  " * d) + f"- level {d + 1}" for d in range(8)]
    # the synced original and its copy both show the original's child
    assert lines.count("synced text") == 2


def test_markdown_is_truncated_past_the_block_limit(emu):
    page = emu.gen.hard_cases["deep_blocks"][0]
    limit, emu.api.markdown_block_limit = emu.api.markdown_block_limit, 3
    try:
        body = call(emu, "GET", f"/v1/pages/{page}/markdown").json()
    finally:
        emu.api.markdown_block_limit = limit
    assert body["truncated"] is True and body["markdown"].count("level") == 3


def test_webhook_deliveries_are_signed_aggregated_and_retried_until_a_2xx():
    """The emulator's webhooks act as Notion's: the handshake, nothing before the token is confirmed, one signed
    delivery for a burst of changes of one page, and retries with attempt_number while the receiver answers 500."""
    import hashlib
    import hmac
    import json as json_
    import threading as threading_
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    got: list[tuple[dict, str | None, bytes]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((json_.loads(body), self.headers.get("X-Notion-Signature"), body))
            failing = len([g for g in got if "type" in g[0]]) <= 2  # the first two deliveries fail
            self.send_response(500 if failing and "type" in got[-1][0] else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading_.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with Emulator() as emu:
            gen = emu.add_generated("creative", pages=20, seed=5, token="tok-hooks")
            hooks = emu.api.webhooks
            hooks.aggregate_s, hooks.retry_s = 0.3, 0.2
            sub = hooks.subscribe("tok-hooks", f"http://127.0.0.1:{server.server_port}/notion/x")
            assert got[0][0] == {"verification_token": sub.verification_token} and got[0][1] is None
            page = gen.page_ids["Stories"][0]
            gen.workspace.update_page(page, {"Premise": "before the token is confirmed"})
            assert hooks.undelivered() == 0 and len(got) == 1  # no event waits for an unconfirmed subscription
            assert not hooks.confirm("tok-hooks", "secret_wrong") and hooks.confirm("tok-hooks", sub.verification_token)
            for text in ("one", "two", "three"):  # a burst: one event
                gen.workspace.update_page(page, {"Premise": text})
            wait_until(lambda: hooks.undelivered() == 0, 30, "the deliveries and their retries")
            events = [(e, sig, raw) for e, sig, raw in got[1:]]
            assert [e["attempt_number"] for e, _, _ in events] == [1, 2, 3]
            assert len({e["id"] for e, _, _ in events}) == 1 and events[0][0]["type"] == "page.properties_updated"
            assert events[0][0]["entity"] == {"id": page, "type": "page"}
            for _, sig, raw in events:
                assert sig == "sha256=" + hmac.new(sub.verification_token.encode(), raw, hashlib.sha256).hexdigest()
    finally:
        server.shutdown()
