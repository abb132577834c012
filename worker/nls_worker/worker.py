"""``nls worker``: the engine beside the server, for databases where PL/Python is not allowed.

A worker process keeps one control connection (it LISTENs for calls and rounds, keeps its heartbeat in
``nls._workers`` and passes the one-time keys of secrets on) and ``concurrency`` slots: threads with a connection
each, every slot running one unit of work at a time:

- a call made in SQL (``SELECT nls.sync_notion(...)``: a row of ``nls._requests``, claimed FOR UPDATE SKIP LOCKED),
- a user of the schedule's round (``nls.sync_rounds``, opened by pg_cron's job),
- the webhook events waiting (``nls.webhook_events``), looked for as soon as one is stored (``NOTIFY nls_work``,
  payload ``events``: at most once a second per worker) and every ``poll_s`` seconds,
- the deliveries of nls's events due (:mod:`nls_worker.events`).

The work itself is the engine's (:mod:`nls_engine.entry`, :mod:`nls_engine.schedule`), run over psycopg through
:class:`nls_worker.database.Plpy`. Workers on several machines share one database: each unit is claimed once.
SIGTERM (or SIGINT) stops claiming, interrupts the runs going on at their next wait (each is closed ``cancelled``,
as a cancel closes it in the server) and exits within seconds.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field

import psycopg

from nls_install import __version__

from . import calls, queries
from .database import Conn, connect

log = logging.getLogger("nls.worker")

RECONNECT_S = (0.5, 1, 2, 5, 10)  # waits between attempts to reconnect after a lost connection


class WorkerError(Exception):
    """The worker cannot start (a DSN that does not connect, a database without nls, a missing key): one line."""


@dataclass
class Signals:
    """What the control connection and the signal handlers tell the slots."""

    stopping: threading.Event = field(default_factory=threading.Event)
    wake: threading.Condition = field(default_factory=threading.Condition)
    heard: int = 0  # notifications so far
    keys: dict[str, tuple[float, bytes]] = field(default_factory=dict)  # request id: (when, one-time key)
    cancelled: set[str] = field(default_factory=set)  # request ids their callers gave up
    events: bool = False  # a webhook event was stored (NOTIFY nls_work 'events') and no slot looked since

    def notify(self) -> None:
        with self.wake:
            self.heard += 1
            self.wake.notify_all()

    def wait(self, seconds: float, since: int | None = None) -> None:
        """Wait up to ``seconds`` for a notification (one heard after ``since``, the count a caller read before it
        looked for work, ends the wait at once: none is lost between the look and the wait)."""
        with self.wake:
            if since is None or self.heard == since:
                self.wake.wait(seconds)

    def key(self, request_id: str, wait_s: float = 2.0) -> bytes | None:
        """The one-time key of a request's secret, waiting up to ``wait_s`` for its notification."""
        end = time.monotonic() + wait_s
        while True:
            entry = self.keys.pop(request_id, None)
            if entry is not None or time.monotonic() >= end:
                return entry[1] if entry else None
            self.wait(0.05)


class Worker:
    """One worker process: ``dsn`` (libpq), ``concurrency`` slots, ``poll_s`` seconds between looks for work when no
    notification comes (the fallback)."""

    def __init__(self, dsn: str, concurrency: int = 4, poll_s: float = 30.0):
        self.dsn, self.concurrency, self.poll_s = dsn, concurrency, poll_s
        self.signals = Signals()
        self.id: str | None = None
        self.heartbeat_s = 5.0
        self.slots: list[Slot] = []
        self.database = ""
        self.events_looked = 0.0  # when a slot last looked for users with webhook events (time.monotonic())
        self.deliveries_idle = 0.0  # when a slot last found no event delivery due (0: look at once)

    def check(self) -> dict:
        """Connect once and check the database before starting: nls installed for the worker runtime at this
        worker's version, the encryption key in this process's environment. Returns the database's version
        (``nls.version()``). Raises WorkerError with one line saying what is wrong and what to do."""
        try:
            conn = connect(self.dsn)
        except psycopg.OperationalError as e:
            raise WorkerError(f"cannot connect to PostgreSQL: {' '.join(str(e).split())}") from None
        try:
            return calls.check_database(conn)
        finally:
            conn.close()

    def start(self) -> Worker:
        """Register the worker, start the control connection and the slots (returns at once)."""
        version = self.check()
        conn = connect(self.dsn, autocommit=True)
        self.database = f"database {conn.info.dbname!r} on {conn.info.host or 'the local socket'}"
        row = queries.row(
            conn,
            queries.REGISTER,
            [socket.gethostname(), os.getpid(), self.concurrency, __version__, version.get("engine")],
        )
        self.id, self.heartbeat_s = str(row["id"]), float(row["heartbeat_s"])
        conn.close()
        self.control = Control(self)
        self.control.start()
        self.slots = [Slot(self, n) for n in range(1, self.concurrency + 1)]
        for s in self.slots:
            s.start()
        log.info("nls worker %s: %d slot(s), heartbeat every %.0f s", self.id, self.concurrency, self.heartbeat_s)
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """Stop claiming, interrupt the runs going on, wait for the slots (at most ``timeout`` s), deregister."""
        self.signals.stopping.set()
        self.signals.notify()
        end = time.monotonic() + timeout
        for s in self.slots:
            s.join(max(0.0, end - time.monotonic()))
        self.control.join(max(0.0, end - time.monotonic()))
        try:
            with connect(self.dsn, autocommit=True) as conn:
                queries.one(conn, queries.STOPPED, [self.id])
        except psycopg.Error as e:
            log.warning("nls worker %s: could not deregister: %s", self.id, e)

    def running(self) -> list[dict]:
        """What each slot runs now (for the heartbeat: nls.workers.running)."""
        return [s.now for s in self.slots if s.now]


class Control(threading.Thread):
    """The control connection: LISTEN nls_requests, nls_work and nls_events, the heartbeat, reconnecting when lost."""

    def __init__(self, worker: Worker):
        super().__init__(name="nls-control", daemon=True)
        self.worker = worker

    def run(self) -> None:
        attempt = 0
        while not self.worker.signals.stopping.is_set():
            try:
                with connect(self.worker.dsn, autocommit=True) as conn:
                    attempt = 0
                    self._listen(conn)
            except psycopg.Error as e:
                wait = RECONNECT_S[min(attempt, len(RECONNECT_S) - 1)]
                attempt += 1
                log.warning(
                    "nls worker: control connection lost (%s); reconnecting in %.1f s", " ".join(str(e).split()), wait
                )
                self.worker.signals.stopping.wait(wait)

    def _listen(self, conn: Conn) -> None:
        conn.execute("LISTEN nls_requests")
        conn.execute("LISTEN nls_work")
        conn.execute("LISTEN nls_events")  # an event committed: its deliveries are due
        signals = self.worker.signals
        self._beat(conn)
        signals.notify()  # look for work queued while nobody listened
        next_beat = time.monotonic() + self.worker.heartbeat_s
        while not signals.stopping.is_set():
            timeout = max(0.05, min(1.0, next_beat - time.monotonic()))
            for n in conn.notifies(timeout=timeout, stop_after=100):
                self._heard(n.channel, n.payload)
            if time.monotonic() >= next_beat:
                self._beat(conn)
                next_beat = time.monotonic() + self.worker.heartbeat_s

    def _heard(self, channel: str, payload: str) -> None:
        signals = self.worker.signals
        words = payload.split()
        if channel == "nls_requests" and len(words) == 3 and words[1] == "key":
            signals.keys[words[0]] = (time.monotonic(), bytes.fromhex(words[2]))
        elif channel == "nls_requests" and len(words) == 2 and words[1] == "cancel":
            signals.cancelled.add(words[0])
        elif channel == "nls_events":  # an event committed: its deliveries are due now
            self.worker.deliveries_idle = 0.0
        elif channel == "nls_work" and payload == "events":
            signals.events = True
        signals.notify()

    def _beat(self, conn: Conn) -> None:
        stop = queries.rows(conn, queries.HEARTBEAT, [self.worker.id, json.dumps(self.worker.running())])
        self.worker.signals.cancelled.update(str(r["id"]) for r in stop)
        now = time.monotonic()
        for rid, (when, _) in list(self.worker.signals.keys.items()):  # a key nobody took within a minute
            if now - when > 60:
                self.worker.signals.keys.pop(rid, None)


class Slot(threading.Thread):
    """One slot: a connection of its own, one unit of work at a time (a call, a round's user, webhook events)."""

    def __init__(self, worker: Worker, number: int):
        super().__init__(name=f"nls-slot-{number}", daemon=True)
        self.worker, self.number = worker, number
        self.now: dict | None = None  # what it runs: {"slot", "work", "request_id"?, "user_id"?, "since"}
        self.gd: dict = {}  # PL/Python's GD for the engine: kept per connection

    def run(self) -> None:
        attempt = 0
        signals = self.worker.signals
        while not signals.stopping.is_set():
            try:
                conn = connect(self.worker.dsn)
            except psycopg.OperationalError as e:
                wait = RECONNECT_S[min(attempt, len(RECONNECT_S) - 1)]
                attempt += 1
                log.warning(
                    "nls worker slot %d: cannot connect (%s); again in %.1f s",
                    self.number,
                    " ".join(str(e).split()),
                    wait,
                )
                signals.stopping.wait(wait)
                continue
            attempt = 0
            self.gd = {}
            try:
                self._serve(conn)
            except Exception as e:  # a slot never ends but with its worker
                if conn.closed or isinstance(e, psycopg.OperationalError):  # terminated, or the server restarted
                    log.warning(
                        "nls worker slot %d: connection lost (%s); reconnecting", self.number, " ".join(str(e).split())
                    )
                else:
                    log.exception("nls worker slot %d: unexpected error; going on with a new connection", self.number)
                    signals.stopping.wait(1)
            finally:
                self.now = None
                conn.close()

    def _serve(self, conn: Conn) -> None:
        signals = self.worker.signals
        while not signals.stopping.is_set():
            heard = signals.heard
            if not calls.next_unit(self, conn):
                signals.wait(calls.idle_s(self.worker), since=heard)
