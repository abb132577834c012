"""nls's events (docs/events.md): made in the transaction that did what they report, on NOTIFY nls_events, and delivered
as signed webhooks to a real local HTTP receiver that checks every signature and timestamp: through pg_net in the
server runtime (a real pg_net, its background worker pointed at the test's database), by an nls worker in the worker
runtime. pg_net's tests skip where `make deps` could not install it."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg
import pytest

from conftest import PG_NET, add_user_source, install, login_role, sync, use_emulator, wait_until

SECRET = "whsec-for-tests-0123456789abcdef"
NEEDS_PG_NET = pytest.mark.skipif(
    not PG_NET,
    reason="pg_net is not installed for this PostgreSQL (make deps builds it "
    "from ../shared/vendor/ where that is present)",
)


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread that takes POSTs as an application would: it verifies X-Nls-Signature
    against ``secret`` and that X-Nls-Timestamp is within five minutes, keeps each verified delivery (``got``: the
    parsed bodies, in arrival order), counts the refused ones, and answers ``status``. stop() closes the port (an
    endpoint that is down); start() opens the same port again."""

    def __init__(self, secret: str = SECRET, status: int = 200):
        self.secret, self.status = secret, status
        self.got: list[dict] = []
        self.refused = 0
        self.port = 0
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/nls"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.take(self.headers, body)
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def take(self, headers, body: bytes) -> None:
        stamp = headers.get("X-Nls-Timestamp") or ""
        want = "sha256=" + hmac.new(self.secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        fresh = stamp.isdigit() and abs(time.time() - int(stamp)) < 300
        if not (fresh and hmac.compare_digest(want, headers.get("X-Nls-Signature") or "")):
            self.refused += 1
            return
        event = json.loads(body)
        assert headers.get("X-Nls-Event") == event["kind"] and headers.get("X-Nls-Event-Id") == str(event["id"])
        self.got.append(event)


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def pg_net(conn, postgresql_proc):
    """pg_net in this test's database, its background worker serving it (pg_net.database_name, set with ALTER SYSTEM
    and a restart of the worker: the worker connects to one database); put back to the default afterwards."""
    if not PG_NET:
        pytest.skip("pg_net is not installed for this PostgreSQL (make deps builds it from ../shared/vendor/)")
    conn.execute("CREATE EXTENSION pg_net")
    _serve(postgresql_proc, conn.info.dbname)
    yield conn
    _serve(postgresql_proc, None)


def _serve(cluster, dbname: str | None) -> None:
    with cluster.connect(autocommit=True) as c:
        if dbname:
            c.execute(f"ALTER SYSTEM SET pg_net.database_name = '{dbname}'")
        else:
            c.execute("ALTER SYSTEM RESET pg_net.database_name")
        c.execute("SELECT pg_reload_conf()")
        c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type ILIKE 'pg_net%'")
        where = dbname or "postgres"
        wait_until(
            lambda: (
                c.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE backend_type ILIKE 'pg_net%%' AND datname = %s",
                    (where,),
                ).fetchone()[0]
                == 1
            ),
            30,
            f"pg_net's worker serving {where}",
        )


def alice(conn, emu, user="alice", seed=3) -> str:
    """A user with a small learning workspace in the emulator and its source; returns the source's database id."""
    gen = emu.add_generated("learning", pages=10, seed=seed, token=f"tok-{user}")
    use_emulator(conn, emu)
    add_user_source(conn, user, f"tok-{user}", gen.database_ids["Flashcards"])
    return gen.database_ids["Flashcards"]


def deliveries(conn, user=None) -> list[dict]:
    cur = conn.execute(
        "SELECT * FROM nls.event_deliveries WHERE %(u)s::text IS NULL OR user_id = %(u)s "
        "ORDER BY endpoint_id, event_id",
        {"u": user},
    )
    return [dict(zip([d.name for d in cur.description or ()], r, strict=True)) for r in cur.fetchall()]


def deliver_until(conn, condition, what: str, seconds: float = 60) -> None:
    """Run the delivery step (as the scheduled job does) until ``condition()``."""

    def step():
        conn.execute("SELECT nls.deliver_events()")
        return condition()

    wait_until(step, seconds, what, every=0.2)


def finished(receiver, kind="run.finished") -> list[dict]:
    return [e for e in receiver.got if e["kind"] == kind]


# ---- without pg_net's worker: the signature, NOTIFY, what stays pending ------------------------------------------
def test_the_signature_is_hmac_sha256_of_timestamp_dot_body(conn):
    for secret, body in ((SECRET, '{"id": 1}'), ("k" * 100, "é" * 300), ("x", "")):
        got = conn.execute("SELECT nls._event_signature(%s, 1767225600, %s)", (secret, body)).fetchone()[0]
        assert got == "sha256=" + hmac.new(secret.encode(), f"1767225600.{body}".encode(), hashlib.sha256).hexdigest()


def test_bad_input_names_the_argument_with_its_sqlstate(conn, emulator):
    alice(conn, emulator)
    cases = [
        (("alice", "ftp://example.com/x", SECRET, None), "22023", "url"),
        (("alice", "not a url", SECRET, None), "22023", "url"),
        (("alice", "https://user:pass@example.com/x", SECRET, None), "22023", "url"),
        (("alice", "https://example.com/x", "  ", None), "22023", "secret"),
        (("alice", "https://example.com/x", None, None), "22004", "secret"),
        ((None, "https://example.com/x", SECRET, None), "22004", "user_id"),
        (("nobody", "https://example.com/x", SECRET, None), "P0002", "user_id"),
        (("alice", "https://example.com/x", SECRET, ["run.finished", "page.eaten"]), "22023", "kinds"),
        (("alice", "https://example.com/x", SECRET, []), "22023", "kinds"),
    ]
    for args, state, name in cases:
        with pytest.raises(psycopg.Error) as e:
            conn.execute("SELECT nls.add_event_endpoint(%s, %s, %s, %s)", args)
        assert e.value.sqlstate == state and name in str(e.value), (args, e.value)
    with pytest.raises(psycopg.Error) as e:
        conn.execute("SELECT nls.remove_event_endpoint(424242)")
    assert e.value.sqlstate == "P0002" and "endpoint_id" in str(e.value)
    assert conn.execute("SELECT count(*) FROM nls.event_endpoints").fetchone()[0] == 0


def test_every_event_is_a_notify_and_without_pg_net_deliveries_wait_saying_why(conn, emulator):
    db = alice(conn, emulator)
    endpoint = conn.execute(
        "SELECT nls.add_event_endpoint('alice', 'https://app.example/hooks', %s)", (SECRET,)
    ).fetchone()[0]
    info = conn.info
    with psycopg.connect(host=info.host, port=info.port, user=info.user, dbname=info.dbname, autocommit=True) as ear:
        ear.execute("LISTEN nls_events")
        assert sync(conn, database_id=db)["success"]
        heard = [json.loads(n.payload) for n in ear.notifies(timeout=10, stop_after=1)]
    log_id = conn.execute("SELECT id::text FROM nls.sync_log ORDER BY started_at DESC LIMIT 1").fetchone()[0]
    assert heard and heard[0]["kind"] == "run.finished" and heard[0]["user_id"] == "alice"
    assert set(heard[0]) == {"id", "kind", "time", "user_id"}  # the channel is every role's: it names the event only
    event = conn.execute("SELECT payload FROM nls.events WHERE id = %s", (heard[0]["id"],)).fetchone()[0]
    assert event["data"]["sync_log_id"] == log_id and event["data"]["status"] == "completed"
    assert set(event["data"]["counts"]) == {"processed", "added", "updated", "removed"}
    assert {k: event[k] for k in heard[0]} == heard[0] and "tok-alice" not in json.dumps(event)
    assert conn.execute("SELECT nls.deliver_events() ->> 'transport'").fetchone()[0] == "none"
    [d] = deliveries(conn)
    assert (d["endpoint_id"], d["status"], d["attempts"]) == (endpoint, "pending", 0)
    assert "pg_net is not installed" in d["waiting_reason"] and d["payload"] == event


def test_each_kind_comes_from_the_row_that_reports_it_and_goes_to_the_endpoints_taking_it(conn, emulator):
    db = alice(conn, emulator)
    assert sync(conn, database_id=db)["success"]
    every = conn.execute("SELECT nls.add_event_endpoint('alice', 'https://app.example/all', %s)", (SECRET,)).fetchone()[
        0
    ]
    some = conn.execute(
        "SELECT nls.add_event_endpoint('alice', 'https://app.example/some', 'x', "
        "ARRAY['conflict.appeared', 'conflict.resolved'])"
    ).fetchone()[0]
    again = conn.execute(
        "SELECT nls.add_event_endpoint('alice', 'https://app.example/some', 'y', "
        "ARRAY['conflict.resolved', 'conflict.appeared', 'conflict.resolved'])"
    ).fetchone()[0]
    kinds = conn.execute("SELECT kinds FROM nls.event_endpoints WHERE id = %s", (some,)).fetchone()[0]
    assert again == some and kinds == ["conflict.appeared", "conflict.resolved"]
    # what the engine writes when a push meets a conflict, when it is resolved, when Notion refuses the token
    state = conn.execute(
        "INSERT INTO nls.notion_sync_state (user_id, local_table, local_id, status) "
        "VALUES ('alice', 'flashcards', gen_random_uuid(), 'synced') RETURNING id"
    ).fetchone()[0]
    conn.execute("UPDATE nls.notion_sync_state SET status = 'conflict' WHERE id = %s", (state,))
    conn.execute("UPDATE nls.notion_sync_state SET status = 'pending' WHERE id = %s", (state,))
    conn.execute("UPDATE nls.notion_sync_state SET last_error = 'x' WHERE id = %s", (state,))  # no event
    conn.execute(
        "INSERT INTO nls.integration_notes (integration_id, user_id, refused_nonce) "
        "SELECT id, user_id, token_nonce FROM nls.integrations WHERE user_id = 'alice'"
    )
    conn.execute(
        "INSERT INTO nls.sync_log (sync_type, status, user_id, details, completed_at) "
        "VALUES ('anki_pull', 'completed', 'alice', '{\"reviewed\": 3}', now())"
    )
    got = conn.execute(
        "SELECT endpoint_id, kind, payload FROM nls.event_deliveries ORDER BY event_id, endpoint_id"
    ).fetchall()
    assert [(e, k) for e, k, _ in got] == [
        (every, "conflict.appeared"),
        (some, "conflict.appeared"),
        (every, "conflict.resolved"),
        (some, "conflict.resolved"),
        (every, "integration.needs_reauth"),
        (every, "run.finished"),
        (every, "anki.reviews_pulled"),
    ]
    assert got[0][2]["data"]["sync_state_id"] == str(state) and got[4][2]["data"]["integration"] == "notion"
    assert got[6][2]["data"]["notes_reviewed"] == 3
    assert conn.execute("SELECT nls.remove_event_endpoint(%s)", (some,)).fetchone()[0]
    assert [r[0] for r in conn.execute("SELECT DISTINCT endpoint_id FROM nls.event_deliveries")] == [every]


# ---- through pg_net ----------------------------------------------------------------------------------------------
@NEEDS_PG_NET
def test_a_finished_run_is_delivered_signed_once_through_pg_net(pg_net, emulator, receiver):
    conn = pg_net
    db = alice(conn, emulator)
    conn.execute("SELECT nls.add_event_endpoint('alice', %s, %s)", (receiver.url, SECRET))
    assert sync(conn, database_id=db)["success"]
    log_id = conn.execute("SELECT id::text FROM nls.sync_log ORDER BY started_at DESC LIMIT 1").fetchone()[0]
    deliver_until(conn, lambda: deliveries(conn)[0]["status"] == "sent", "the delivery sent")
    [event] = finished(receiver)
    assert event["data"]["sync_log_id"] == log_id and event["user_id"] == "alice" and receiver.refused == 0
    [d] = deliveries(conn)
    assert (d["attempts"], d["last_status"], d["last_error"]) == (1, 200, None) and d["request_id"] is None
    conn.execute("SELECT nls.deliver_events()")
    assert len(receiver.got) == 1, "a sent delivery is not sent again"
    row = conn.execute("SELECT pending, sent, failed FROM nls.event_endpoints").fetchone()
    assert row == (0, 1, 0)


@NEEDS_PG_NET
def test_the_scheduled_job_delivers_in_order_until_nothing_is_out(pg_net, emulator, receiver):
    conn = pg_net
    db = alice(conn, emulator)
    conn.execute("SELECT nls.add_event_endpoint('alice', %s, %s, ARRAY['run.finished'])", (receiver.url, SECRET))
    for _ in range(3):
        assert sync(conn, database_id=db)["success"]
    conn.execute("CALL nls.apply_all_webhook_events()")  # what pg_cron's job runs every minute
    assert [d["status"] for d in deliveries(conn)] == ["sent"] * 3
    ids = [e["id"] for e in receiver.got]
    assert len(ids) == 3 and ids == sorted(ids) and receiver.refused == 0


@NEEDS_PG_NET
def test_a_rolled_back_run_sends_nothing(pg_net, emulator, receiver):
    conn = pg_net
    db = alice(conn, emulator)
    conn.execute("SELECT nls.add_event_endpoint('alice', %s, %s)", (receiver.url, SECRET))
    with conn.transaction(force_rollback=True):
        assert sync(conn, database_id=db)["success"]
        assert len(deliveries(conn)) == 1  # made in the run's transaction...
    assert deliveries(conn) == []  # ...and gone with it
    assert conn.execute("SELECT count(*) FROM nls._events").fetchone()[0] == 0
    assert sync(conn, database_id=db)["success"]
    deliver_until(conn, lambda: deliveries(conn)[0]["status"] == "sent", "the committed run's delivery sent")
    assert len(receiver.got) == 1


@NEEDS_PG_NET
def test_an_endpoint_down_is_retried_in_order_and_gets_everything_once_back(pg_net, emulator, receiver):
    conn = pg_net
    db = alice(conn, emulator)
    conn.execute("SELECT nls.set_setting('event_retry_s', '1')")
    conn.execute("SELECT nls.add_event_endpoint('alice', %s, %s)", (receiver.url, SECRET))
    receiver.stop()
    for _ in range(3):
        assert sync(conn, database_id=db)["success"]
    deliver_until(
        conn,
        lambda: deliveries(conn)[0]["attempts"] >= 2 and deliveries(conn)[0]["status"] == "pending",
        "the first delivery tried twice",
    )
    first, *rest = deliveries(conn)
    assert first["last_error"] and first["last_status"] is None and first["next_attempt_at"] is not None
    assert all(
        d["attempts"] == 0 and d["waiting_reason"] == "waits for an earlier event to this endpoint" for d in rest
    ), rest
    receiver.start()
    deliver_until(conn, lambda: all(d["status"] == "sent" for d in deliveries(conn)), "every delivery sent")
    ids = [e["id"] for e in receiver.got]
    assert ids == sorted(ids) and len(ids) == 3 == len(set(ids)) and receiver.refused == 0


@NEEDS_PG_NET
def test_an_endpoint_refusing_is_given_up_and_shown_failed_and_the_next_event_goes(pg_net, emulator, receiver):
    conn = pg_net
    db = alice(conn, emulator)
    conn.execute("SELECT nls.set_setting('event_max_attempts', '2')")
    conn.execute("SELECT nls.set_setting('event_retry_s', '1')")
    conn.execute("SELECT nls.add_event_endpoint('alice', %s, %s)", (receiver.url, SECRET))
    receiver.status = 500
    assert sync(conn, database_id=db)["success"]
    deliver_until(conn, lambda: deliveries(conn)[0]["status"] == "failed", "the delivery given up")
    [d] = deliveries(conn)
    assert (d["attempts"], d["last_status"]) == (2, 500) and d["settled_at"] is not None
    receiver.status = 204
    assert sync(conn, database_id=db)["success"]
    deliver_until(conn, lambda: deliveries(conn)[-1]["status"] == "sent", "the next event sent")
    assert conn.execute("SELECT sent, failed FROM nls.event_endpoints").fetchone() == (1, 1)


@NEEDS_PG_NET
def test_two_tenants_events_and_endpoints_stay_apart(pg_net, emulator, receiver):
    conn = pg_net
    db_a, db_b = alice(conn, emulator), alice(conn, emulator, "bob", seed=4)
    other = Receiver().start()
    try:
        conn.execute("SELECT nls.add_event_endpoint('alice', %s, %s)", (receiver.url, SECRET))
        with login_role(conn, "events_app") as app_dsn, psycopg.connect(app_dsn, autocommit=True) as app:
            app.execute("SELECT set_config('nls.user_id', 'bob', false)")
            app.execute("SELECT nls.add_event_endpoint('bob', %s, %s, ARRAY['run.finished'])", (other.url, SECRET))
            with pytest.raises(psycopg.Error) as e:  # acting for bob, alice is nobody it can see
                app.execute("SELECT nls.add_event_endpoint('alice', 'https://evil.example/', 'x')")
            assert e.value.sqlstate == "P0002"
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute("SELECT secret FROM nls._event_endpoints")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute("SELECT nls._emit_event('alice', 'run.finished', '{}')")
            assert sync(conn, database_id=db_a)["success"] and sync(conn, database_id=db_b)["success"]
            deliver_until(conn, lambda: len(receiver.got) == 1 and len(other.got) == 1, "each user's event")
            assert [r[0] for r in app.execute("SELECT user_id FROM nls.event_endpoints")] == ["bob"]
            assert {r[0] for r in app.execute("SELECT user_id FROM nls.event_deliveries")} == {"bob"}
        assert receiver.got[0]["user_id"] == "alice" and other.got[0]["user_id"] == "bob"
        assert receiver.refused == other.refused == 0
    finally:
        other.stop()


def test_nls_install_check_says_whether_pg_net_sends_them_and_what_nls_does_else(conn, dsn, capsys, postgresql_proc):
    capsys.readouterr()  # what the session's install printed
    assert install(["--dsn", dsn, "--check"]) == 0
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.split()[1:2] == ["pg_net:"]]
    assert "NOTIFY nls_events only" in line and "--" in line, line
    if PG_NET:
        conn.execute("CREATE EXTENSION pg_net")
        _serve(postgresql_proc, conn.info.dbname)
        try:
            assert install(["--dsn", dsn, "--check"]) == 0
            out = capsys.readouterr().out
            assert "serves this database: nls sends the events' webhooks through it" in out, out
        finally:
            _serve(postgresql_proc, None)


# ---- the worker runtime: a worker sends them -----------------------------------------------------------------------
@pytest.mark.parametrize("runtime", ["worker"], indirect=True)
def test_in_the_worker_runtime_a_worker_delivers_them_signed(conn, emulator, receiver, worker):
    db = alice(conn, emulator)
    conn.execute("SELECT nls.add_event_endpoint('alice', %s, %s)", (receiver.url, SECRET))
    assert sync(conn, database_id=db)["success"]
    wait_until(lambda: deliveries(conn) and deliveries(conn)[0]["status"] == "sent", 30, "the worker's delivery")
    [event] = finished(receiver)
    assert event["user_id"] == "alice" and receiver.refused == 0
    assert conn.execute("SELECT nls.deliver_events() ->> 'transport'").fetchone()[0] == "worker"


@pytest.mark.parametrize("runtime", ["worker"], indirect=True)
def test_in_the_worker_runtime_install_check_says_the_workers_send_them(conn, capsys, worker):
    info = conn.info
    dsn = f"host={info.host} port={info.port} user={info.user} password={info.password} dbname={info.dbname}"
    capsys.readouterr()
    install(["--dsn", dsn, "--check"])
    assert "pg_net: not needed: the nls workers deliver the events' webhooks themselves" in capsys.readouterr().out


@pytest.mark.parametrize("runtime", ["worker"], indirect=True)
def test_in_the_worker_runtime_an_endpoint_down_is_retried_then_delivered(conn, emulator, receiver, worker):
    db = alice(conn, emulator)
    conn.execute("SELECT nls.set_setting('event_retry_s', '1')")
    conn.execute("SELECT nls.add_event_endpoint('alice', %s, %s, ARRAY['run.finished'])", (receiver.url, SECRET))
    receiver.stop()
    assert sync(conn, database_id=db)["success"]
    wait_until(lambda: (deliveries(conn) or [{}])[0].get("last_error") is not None, 30, "a failed attempt")
    [d] = deliveries(conn)
    assert d["status"] in ("pending", "sending") and d["last_status"] is None and "ConnectionError" in d["last_error"]
    receiver.start()
    wait_until(lambda: deliveries(conn)[0]["status"] == "sent", 60, "the delivery once the endpoint is back")
    assert len(receiver.got) == 1 and receiver.refused == 0
