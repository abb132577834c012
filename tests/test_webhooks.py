"""Notion's webhooks, end to end on 127.0.0.1: the emulator changes a workspace and delivers signed,
aggregated, retried (and some twice, some never) events to `nls webhooks serve`, which hands them to PostgreSQL;
the scheduled job (run here every few seconds as nls_cron, what pg_cron does every minute) applies them. Also every
kind of post the receiver must refuse."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from psycopg.types.json import Jsonb

from conftest import login_role, other_session, sync, use_emulator, wait_until
from nls_emulator import Emulator
from nls_emulator.generate import CREATIVE_TARGETS
from nls_emulator.model import render_page
from nls_emulator.server import free_port

pytestmark = pytest.mark.runtimes  # each test runs in the server runtime and in the worker runtime

USER = "hook-user"
TOKEN = "secret_hook_token"
RECEIVER_ROLE = "hook_receiver"


@pytest.fixture
def hooked(conn):
    """A creative workspace synced for USER, its webhook endpoint served by `nls webhooks serve` (connected as a
    role granted nls_webhook only), subscribed in the emulator and confirmed with the token nls showed once."""
    with login_role(conn, RECEIVER_ROLE, "nls_webhook") as dsn:
        yield from _served(conn, dsn)


def _served(conn, dsn: str):
    port = free_port()
    nls = Path(sys.executable).with_name("nls")
    receiver = subprocess.Popen(
        [str(nls), "webhooks", "serve", "--dsn", dsn, "--port", str(port), "--log-level", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    try:
        with Emulator() as emu:
            gen = emu.add_generated("creative", pages=200, seed=166, token=TOKEN)
            use_emulator(conn, emu)
            conn.execute("SELECT nls.add_integration(%s, %s)", (USER, TOKEN))
            for name, target in CREATIVE_TARGETS.items():
                conn.execute("SELECT nls.add_source(%s, %s, %s)", (USER, gen.database_ids[name], target))
            assert sync(conn, user_id=USER)["success"]
            path = conn.execute("SELECT nls.webhook_endpoint(%s)", (USER,)).fetchone()[0]
            base = f"http://127.0.0.1:{port}"
            wait_until(lambda: _healthy(base), 20, "the receiver answering /healthz")
            hooks = emu.api.webhooks
            hooks.aggregate_s, hooks.retry_s = 1.0, 0.3
            sub = hooks.subscribe(TOKEN, base + path)
            shown = conn.execute("SELECT nls.webhook_verification_token(%s)", (USER,)).fetchone()[0]
            assert shown == sub.verification_token and hooks.confirm(TOKEN, shown)
            emu.gen, emu.base, emu.path, emu.receiver_dsn = gen, base, path, dsn
            yield emu
    finally:
        receiver.terminate()
        receiver.wait(10)


def _healthy(base: str) -> bool:
    """Whether the receiver at ``base`` answers GET /healthz with 200 (False while it does not listen yet)."""
    try:
        return requests.get(base + "/healthz", timeout=1).status_code == 200
    except requests.ConnectionError:
        return False


class Cron(threading.Thread):
    """What pg_cron's job apply-notion-webhooks does, every ``every`` seconds instead of every minute: as nls_cron
    in the server runtime, as the installing role (``conn``'s) in the worker runtime, as pg_cron would."""

    def __init__(self, conn, runtime: str, every: float = 3.0):
        super().__init__(daemon=True)
        info = conn.info
        self.dsn = f"host={info.host} port={info.port} dbname={info.dbname} " + (
            "user=nls_cron" if runtime == "server" else f"user={info.user} password={info.password}"
        )
        self.every, self.stop = every, threading.Event()
        self.errors: list[BaseException] = []

    def run(self):
        with psycopg.connect(self.dsn, autocommit=True) as c:
            while not self.stop.wait(self.every):
                try:
                    c.execute("CALL nls.apply_all_webhook_events()")
                except psycopg.Error as e:  # reported by the test
                    self.errors.append(e)


def _differences(conn, ws) -> list[str]:
    """Where the copy differs from the emulator (the model test's comparison): every page of a synced data source is
    stored with its trash state and, when not trashed, its exact properties."""
    stored = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT page_id, raw_properties, in_trash FROM nls.stg_notion_pages WHERE user_id = %s", (USER,)
        )
    }
    out = []
    for pid, page in ws.pages.items():
        if not ws.data_source_of_page(page):
            continue
        if pid not in stored:
            if not page.get("in_trash"):
                out.append(f"{pid} missing")
            continue
        props, in_trash = stored[pid]
        if in_trash != bool(page.get("in_trash")):
            out.append(f"{pid} in_trash {in_trash}")
        elif not in_trash and props != render_page(page, "2025-09-03", ws, cut=False)["properties"]:
            out.append(f"{pid} properties")
    return out


def _changes(ws, gen, rng: random.Random, seconds: float, rename: bool) -> tuple[set[str], float]:
    """100 edits, 20 trashes of which 10 restored, and (``rename``) a property renamed, spread over ``seconds``;
    returns the pages changed and when the last change was made."""
    pages = [pid for name in CREATIVE_TARGETS for pid in gen.page_ids[name] if not ws.pages[pid].get("in_trash")]
    picked = rng.sample(pages, 120)
    edits, trashes = picked[:100], picked[100:]
    steps = [("edit", p) for p in edits] + [("trash", p) for p in trashes] + [("restore", p) for p in trashes[:10]]
    steps = steps[:100] + sorted(steps[100:], key=lambda s: s[0] == "restore")  # a restore after its trash
    if rename:
        steps.insert(60, ("rename", None))
    for kind, pid in steps:
        if kind == "edit":
            title = next(k for k, v in ws.pages[pid]["properties"].items() if v["type"] == "title")
            ws.update_page(pid, {title: f"edited {rng.random():.6f}"})
        elif kind == "trash":
            ws.trash_page(pid)
        elif kind == "restore":
            ws.restore_page(pid)
        else:
            ws.rename_property(gen.data_source_ids["Characters"], "Bio", "Biography")
        time.sleep(seconds / len(steps))
    return set(picked), time.monotonic()


def test_with_webhooks_postgresql_equals_notion_within_90_seconds_at_one_read_per_changed_page(conn, hooked, runtime):
    emu, ws = hooked, hooked.gen.workspace
    emu.api.webhooks.duplicate = 0.2  # some deliveries come twice
    emu.api.reset_log()
    cron = Cron(conn, runtime)
    cron.start()
    try:
        changed, last = _changes(ws, emu.gen, random.Random(167), seconds=20, rename=True)
        wait_until(lambda: not _differences(conn, ws), 90, "PostgreSQL equal to Notion", every=0.2)
        fresh = time.monotonic() - last
    finally:
        cron.stop.set()
        cron.join()
    assert cron.errors == []
    assert _differences(conn, ws) == [] and fresh < 90
    reads = Counter(r["path"].rsplit("/", 1)[1] for r in emu.api.log if r["endpoint"] == "page_retrieve")
    assert reads and set(reads) <= changed and max(reads.values()) == 1, reads
    assert not [r for r in emu.api.log if r["endpoint"] == "database_retrieve"]
    # each event once, although some came twice
    delivered = [d for d in emu.api.webhooks.log if d.get("event_id") and d["status"] == 200]
    rows = dict(conn.execute("SELECT event_id, deliveries FROM nls.webhook_events WHERE user_id = %s", (USER,)))
    assert set(rows) == {d["event_id"] for d in delivered}
    assert sum(rows.values()) == len(delivered) and max(rows.values()) >= 2
    assert conn.execute("SELECT count(*) FROM nls.webhook_events WHERE applied_at IS NULL").fetchone() == (0,)
    outcomes = dict(conn.execute("SELECT outcome, count(*) FROM nls.webhook_events GROUP BY 1").fetchall())
    assert outcomes["read"] >= 100 and outcomes["trashed"] >= 10 and outcomes["schema"] >= 1, outcomes
    runs = conn.execute(
        "SELECT count(*), bool_and(status = 'completed') FROM nls.sync_log WHERE sync_type = 'notion_webhook'"
    ).fetchone()
    assert runs[0] >= 2 and runs[1]
    # the cleaning followed: the creative tables hold the edited titles
    title = conn.execute("SELECT count(*) FROM nls.characters WHERE name LIKE 'edited %%'").fetchone()[0]
    assert title == sum(
        1
        for p in changed
        if ws.pages[p]["properties"].get("Name", {}).get("title")
        and ws.pages[p]["properties"]["Name"]["title"][0]["plain_text"].startswith("edited")
        and not ws.pages[p].get("in_trash")
    )
    print(
        f"fresh {fresh:.1f} s after the last change; {sum(reads.values())} page reads for {len(changed)} "
        f"changed pages; {len(rows)} events, {sum(rows.values())} deliveries"
    )


def test_an_event_is_applied_as_soon_as_it_is_stored_without_the_scheduled_job(conn, hooked, runtime, request):
    """Delivered as Notion does since 2026-10-15 (a page's first edit at once), an edit reaches PostgreSQL with no
    scheduled job running (pg_cron's does not run in the tests' databases): the receiver applies it once stored, in
    the worker runtime a worker woken by the event's NOTIFY (its own look for work is an hour away)."""
    emu, ws = hooked, hooked.gen.workspace
    if runtime == "worker":
        request.getfixturevalue("worker").poll_s = 3600
    emu.api.webhooks.fold_s = 60
    page = emu.gen.page_ids["Characters"][0]
    title = next(k for k, v in ws.pages[page]["properties"].items() if v["type"] == "title")
    ws.update_page(page, {title: "applied once stored"})
    wait_until(lambda: not _differences(conn, ws), 60, "the edit in PostgreSQL without the scheduled job", every=0.2)
    assert conn.execute("SELECT count(*) FROM nls.webhook_events WHERE applied_at IS NULL").fetchone() == (0,)
    assert (
        conn.execute(
            "SELECT count(*) FROM nls.sync_log WHERE sync_type = 'notion_webhook' AND status = 'completed'"
        ).fetchone()[0]
        >= 1
    )


def test_with_30_percent_of_deliveries_dropped_the_next_scheduled_run_catches_up(conn, hooked):
    emu, ws = hooked, hooked.gen.workspace
    emu.api.webhooks.drop = 0.3
    conn.execute("CALL nls.sync_all_users_notion_databases()")  # the first look at the trash notes its time
    _changes(ws, emu.gen, random.Random(168), seconds=4, rename=False)
    wait_until(lambda: emu.api.webhooks.undelivered() == 0, 60, "the last deliveries")
    conn.execute("CALL nls.apply_all_webhook_events()")
    # what was delivered is applied as it is stored (by the receiver, or a worker): none of it runs any more
    wait_until(
        lambda: (
            conn.execute("SELECT count(*) FROM nls.webhook_events WHERE applied_at IS NULL").fetchone() == (0,)
            and not conn.execute(
                "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()"
            ).fetchall()
        ),
        60,
        "the applies done",
    )
    dropped = sum(1 for d in emu.api.webhooks.log if d["status"] == "dropped")
    assert dropped >= 20 and _differences(conn, ws)  # webhooks alone missed some
    conn.execute("CALL nls.sync_all_users_notion_databases()")  # the next scheduled run
    assert _differences(conn, ws) == []


def _sign(token: str, body: bytes) -> str:
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def test_what_the_receiver_refuses_stores_nothing_and_it_keeps_serving(conn, hooked):
    emu = hooked
    sub = emu.api.webhooks.subscriptions[TOKEN]
    url = emu.base + emu.path
    event = {
        "id": "11111111-2222-3333-4444-555555555555",
        "type": "page.properties_updated",
        "subscription_id": sub.id,
        "timestamp": "2026-11-30T10:00:00.000Z",
        "entity": {"id": emu.gen.page_ids["Stories"][0], "type": "page"},
        "authors": [],
        "attempt_number": 1,
    }
    body = json.dumps(event).encode()
    signed = {"X-Notion-Signature": _sign(sub.verification_token, body)}
    # the first signed delivery names the subscription the path belongs to
    assert requests.post(url, data=body, headers=signed, timeout=10).status_code == 200
    state = (
        "SELECT (SELECT count(*) FROM nls.webhook_events), token_ciphertext, subscription_id FROM "
        "nls.webhook_subscriptions"
    )
    before = conn.execute(state).fetchone()
    other = {**event, "subscription_id": "99999999-0000-0000-0000-000000000000"}
    posts = {
        "unsigned": (url, body, {}),
        "wrongly signed": (url, body, {"X-Notion-Signature": _sign("secret_not_the_token", body)}),
        "replayed with another body": (
            url,
            body.replace(b"properties_updated", b"deleted"),
            {"X-Notion-Signature": _sign(sub.verification_token, body)},
        ),
        "another subscription": (
            url,
            json.dumps(other).encode(),
            {"X-Notion-Signature": _sign(sub.verification_token, json.dumps(other).encode())},
        ),
        "a handshake outside the window": (url, json.dumps({"verification_token": "secret_planted"}).encode(), {}),
        "10 MB": (url, b"{" + b" " * (10 * 1024 * 1024) + b"}", {"X-Notion-Signature": "sha256=00"}),
        "an unknown path": (
            emu.base + "/notion/" + "0" * 64,
            body,
            {"X-Notion-Signature": _sign(sub.verification_token, body)},
        ),
        "no endpoint at all": (emu.base + "/elsewhere", body, {}),
    }
    want = {
        "unsigned": 401,
        "wrongly signed": 401,
        "replayed with another body": 401,
        "another subscription": 401,
        "a handshake outside the window": 401,
        "10 MB": 413,
        "an unknown path": 404,
        "no endpoint at all": 404,
    }
    got = {name: requests.post(u, data=b, headers=h, timeout=30).status_code for name, (u, b, h) in posts.items()}
    assert got == want
    after = conn.execute(state).fetchone()
    assert after[0] == before[0] and bytes(after[1]) == bytes(before[1])
    assert conn.execute("SELECT refused >= 5 FROM nls.webhook_status").fetchone() == (True,)
    # still serving: the same event, signed, is taken again, as a second delivery of one event
    assert requests.post(url, data=body, headers=signed, timeout=10).status_code == 200
    assert conn.execute("SELECT count(*), max(deliveries) FROM nls.webhook_events").fetchone() == (before[0], 2)
    # the receiver's role can run nls.webhook_receive and read nothing
    with psycopg.connect(hooked.receiver_dsn) as rx, pytest.raises(psycopg.errors.InsufficientPrivilege):
        rx.execute("SELECT * FROM nls.webhook_subscriptions")


# ---- applying, event by event: events as the emulator emits them for each change, stored as
# nls.webhook_receive stores a verified delivery, and applied by hand or by the scheduled job --------------------
TAP_USER, TAP_TOKEN = "tap-user", "secret_tap_token"


class Tap:
    """The events the emulator's workspace emits for its changes (what its webhooks deliver, one event per change,
    timestamped by the workspace's clock), handed to PostgreSQL with ``deliver`` whenever the test says (late,
    out of order, or not at all) through nls._save_webhook_event, what nls.webhook_receive stores."""

    def __init__(self, conn, ws, path: str):
        self.conn, self.ws, self.path = conn, ws, path.rsplit("/", 1)[-1]
        self.heard: list[Any] = []
        ws.listeners.append(self._heard)

    def _heard(self, event_type: str, entity_id: str, entity_type: str, data: dict, author: str) -> None:
        at = datetime.fromtimestamp(self.ws.clock(), UTC).isoformat(timespec="milliseconds")
        self.heard.append(
            {
                "id": str(uuid.uuid4()),
                "timestamp": at.replace("+00:00", "Z"),
                "type": event_type,
                "authors": [{"id": author, "type": "person"}],
                "data": dict(data),
                "entity": {"id": entity_id, "type": entity_type},
                "api_version": "2025-09-03",
            }
        )

    def take(self) -> list[dict]:
        """The events heard since the last take."""
        out, self.heard = self.heard, []
        return out

    def deliver(self, events: list[dict]) -> None:
        for e in events:
            self.conn.execute("SELECT nls._save_webhook_event(%s, %s)", (self.path, Jsonb(e)))


@pytest.fixture
def tapped(conn, fresh_emulator, runtime, request):
    """A learning workspace (with a database of two data sources) whose Concept Areas, Concept Clusters and Two
    Sources databases TAP_USER syncs (target pages), its events tapped; ``emu.sources`` {database name: source}.
    The events are applied when the test says: in the worker runtime the worker does not look for them itself (an
    event stored wakes it otherwise)."""
    emu = fresh_emulator
    if runtime == "worker":
        request.getfixturevalue("worker").events_looked = float("inf")
    gen = emu.add_generated("learning", pages=1200, seed=161, hard=True, token=TAP_TOKEN)
    use_emulator(conn, emu)
    conn.execute("SELECT nls.add_integration(%s, %s)", (TAP_USER, TAP_TOKEN))
    emu.sources = {
        name: conn.execute("SELECT nls.add_source(%s, %s, 'pages')", (TAP_USER, gen.database_ids[name])).fetchone()[0]
        for name in ("Concept Areas", "Concept Clusters", "Two Sources")
    }
    assert sync(conn, user_id=TAP_USER)["success"]
    emu.gen, emu.tap = (
        gen,
        Tap(conn, gen.workspace, conn.execute("SELECT nls.webhook_endpoint(%s)", (TAP_USER,)).fetchone()[0]),
    )
    emu.api.reset_log()
    return emu


def _apply(conn) -> dict:
    return conn.execute("SELECT nls.apply_webhook_events(%s)", (TAP_USER,)).fetchone()[0]


def _page_reads(emu) -> list[str]:
    return [r["path"].rsplit("/", 1)[1] for r in emu.api.log if r["endpoint"] == "page_retrieve"]


def test_events_of_a_source_another_session_holds_stay_pending_and_the_apply_returns(conn, tapped):
    """The apply loop stops when a batch applied less than a whole batch: events whose source another session
    holds stay pending and are not taken again and again (by hand, in one transaction, a batch meets its own locked
    rows again; the scheduled job commits, so the same oldest pending events come first again)."""
    emu, ws = tapped, tapped.gen.workspace
    conn.execute("SELECT nls.set_setting('webhook_batch_size', '2')")
    areas = emu.gen.page_ids["Concept Areas"][:5]
    for pid in areas:
        ws.update_page(pid, {"Name": f"edited {pid[:8]}"})
    emu.tap.deliver(emu.tap.take())
    pending = "SELECT count(*) FROM nls.webhook_events WHERE applied_at IS NULL"
    runs = "SELECT count(*) FROM nls.sync_log WHERE sync_type = 'notion_webhook'"
    with other_session(conn) as other:  # a sync of the source holds its lock meanwhile (and its end releases it)
        other.execute("SELECT pg_advisory_lock(nls._lock_key(), %s)", (emu.sources["Concept Areas"],))
        conn.execute("SET statement_timeout = '20s'")
        by_hand = _apply(conn)
        conn.execute("CALL nls.apply_all_webhook_events()")
        conn.execute("RESET statement_timeout")
        assert [r["details"]["left_pending"] for r in by_hand["results"]] == [2]
        assert conn.execute(runs).fetchone() == (2,)  # one batch each
        assert conn.execute(pending).fetchone() == (5,) and _page_reads(emu) == []
    result = _apply(conn)  # the lock released: every event applied, a whole batch at a time
    assert [r["details"]["events"] for r in result["results"]] == [2, 2, 1]
    assert conn.execute(pending).fetchone() == (0,)
    assert sorted(_page_reads(emu)) == sorted(areas)
    names = dict(
        conn.execute(
            "SELECT page_id, raw_properties #>> '{Name,title,0,plain_text}' FROM "
            "nls.stg_notion_pages WHERE page_id = ANY (%s)",
            (areas,),
        ).fetchall()
    )
    assert names == {pid: f"edited {pid[:8]}" for pid in areas}


def test_a_deletion_delivered_after_its_restore_was_read_leaves_the_page_restored(conn, tapped):
    """Notion delivers late and unordered (retrying up to 8 times): a page.deleted whose timestamp is older than
    the stored copy's last_edited_time changes nothing; a newer one trashes the page at once, without a request."""
    emu, ws = tapped, tapped.gen.workspace
    now = [time.time()]
    ws.clock = lambda: now[0]
    pid = emu.gen.page_ids["Concept Areas"][0]
    trashed = "SELECT in_trash, last_edited_time FROM nls.stg_notion_pages WHERE page_id = %s"
    ws.trash_page(pid)
    deletion = emu.tap.take()
    now[0] += 120
    ws.restore_page(pid)
    emu.tap.deliver(emu.tap.take())  # the restore comes first: the deletion's delivery failed, Notion retries it
    _apply(conn)
    restored = conn.execute(trashed, (pid,)).fetchone()
    assert restored[0] is False
    emu.tap.deliver(deletion)  # the retry, late
    result = _apply(conn)
    assert conn.execute(trashed, (pid,)).fetchone() == restored
    assert result["results"][0]["details"]["trashed"] == 0
    now[0] += 120
    ws.trash_page(pid)  # a deletion after the stored copy's time
    emu.tap.deliver(emu.tap.take())
    emu.api.reset_log()
    result = _apply(conn)
    assert conn.execute(trashed, (pid,)).fetchone() == (True, restored[1])  # the time is left to the next read
    assert result["results"][0]["details"]["trashed"] == 1 and _page_reads(emu) == []


def test_a_moved_page_leaves_the_source_it_left_and_is_stored_where_it_went(conn, tapped):
    """page.moved (or any event of a page that moved): the page is read once and stored under the data source
    Notion names as its parent; in the source it left it is marked gone."""
    emu, ws, sources = tapped, tapped.gen.workspace, tapped.sources
    ds = emu.gen.data_source_ids
    across, away = emu.gen.page_ids["Concept Areas"][:2]
    ds_a, ds_b = emu.gen.hard_cases["two_data_sources"]
    within = next(p["id"] for p in ws.pages_of(ds_a))
    # moved minutes after their last edit: a move within the minute of the last edit leaves the page's hash (which
    # holds no parent) unchanged, and nls._upsert_pages then keeps the stored data_source_id
    later = time.time() + 120
    ws.clock = lambda: later
    ws.move_page(across, ds["Concept Clusters"])  # into another synced source
    ws.move_page(away, ds["Modules"])  # into a data source nobody syncs
    ws.move_page(within, ds_b)  # into the other data source of its own database
    events = emu.tap.take()
    assert [e["type"] for e in events] == ["page.moved"] * 3
    emu.tap.deliver(events)
    result = _apply(conn)
    run = result["results"][0]
    assert run["details"]["pages_moved"] == 2 and run["items_removed"] == 2  # the two that left their source
    rows = {
        (r[0], r[1]): r[2:]
        for r in conn.execute(
            "SELECT page_id, source_id, data_source_id, deleted_at "
            "IS NOT NULL, raw_properties FROM nls.stg_notion_pages "
            "WHERE page_id = ANY (%s)",
            ([across, away, within],),
        )
    }
    assert set(rows) == {
        (across, sources["Concept Areas"]),
        (across, sources["Concept Clusters"]),
        (away, sources["Concept Areas"]),
        (within, sources["Two Sources"]),
    }
    assert rows[(across, sources["Concept Areas"])][1] and rows[(away, sources["Concept Areas"])][1]  # gone
    moved_in = rows[(across, sources["Concept Clusters"])]
    assert moved_in[:2] == (ds["Concept Clusters"], False)
    assert moved_in[2] == render_page(ws.pages[across], "2025-09-03", ws, cut=False)["properties"]
    assert rows[(within, sources["Two Sources"])][:2] == (ds_b, False)
    assert sorted(_page_reads(emu)) == sorted([across, away, within])  # once each
    assert conn.execute("SELECT count(*) FROM nls.webhook_events WHERE applied_at IS NULL").fetchone() == (0,)


def test_applying_the_events_of_an_empty_user_id_is_refused(conn):
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="user_id"):
        conn.execute("SELECT nls.apply_webhook_events('')")
    conn.execute("CALL nls.apply_all_webhook_events()")  # nothing waiting: nothing written
    assert conn.execute("SELECT count(*) FROM nls.sync_log").fetchone() == (0,)
