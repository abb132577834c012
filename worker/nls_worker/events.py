"""The worker runtime's deliveries of nls's events (docs/events.md): where pg_net is not the server's, a worker's slot
POSTs them itself. The server claims each due delivery (one per endpoint, in order) and signs it
(``nls._claim_event_deliveries``: the endpoint's secret never leaves the server), the worker sends the body as it is
with the headers it got, and reports the answer (``nls._event_delivered``), which settles or retries it."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import requests

from . import queries
from .database import Conn

if TYPE_CHECKING:
    from .worker import Slot  # the worker module imports this one

log = logging.getLogger("nls.worker")

LOOK_EVERY_S = 1.0  # how often a worker looks for deliveries due, at most (a NOTIFY nls_events wakes it sooner)
CLAIM_GRACE_S = 60.0  # a delivery claimed longer than event_timeout_s + this ago is taken as lost (the server's rule)


def batch_size(timeout_s: float) -> int:
    """How many deliveries a slot claims at once: as many as it surely POSTs (each waiting at most ``timeout_s`` for
    the connection and as long for the answer) before the server takes a claimed one as lost and lets another
    worker claim it again, so that no delivery is sent twice; at least 1, at most 50."""
    return max(1, min(50, int(CLAIM_GRACE_S // (2 * timeout_s))))


def deliver(slot: Slot, conn: Conn) -> bool:
    """Claim the deliveries due (after a look that found none, not again for LOOK_EVERY_S), POST each and report
    its answer, committing after the claim and after each report. Returns whether there were any (the slot then
    looks again at once: the next event of each endpoint is due as soon as the one before is settled)."""
    worker = slot.worker
    if time.monotonic() - worker.deliveries_idle < LOOK_EVERY_S:
        return False
    timeout = float(queries.row(conn, queries.EVENT_TIMEOUT)["s"] or 5)
    due = queries.rows(conn, queries.CLAIM_EVENT_DELIVERIES, [batch_size(timeout)])
    conn.commit()
    if not due:
        worker.deliveries_idle = time.monotonic()  # none due: look again in a second, or when an event wakes it
        return False
    slot.now = {
        "slot": slot.number,
        "work": "event_deliveries",
        "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    try:
        with requests.Session() as http:
            for d in due:
                status, error = post(http, d["url"], json.loads(d["headers"]), d["body"], timeout)
                queries.one(conn, queries.EVENT_DELIVERED, [d["endpoint_id"], d["event_id"], status, error])
                conn.commit()
    finally:
        slot.now = None
    return True


def post(http: requests.Session, url: str, headers: dict, body: str, timeout: float) -> tuple[int | None, str | None]:
    """POST ``body`` (the exact text that was signed, UTF-8) to ``url`` with ``headers``, waiting ``timeout`` seconds
    for each of the connection and the answer; no redirect is followed. Returns (HTTP status, None) or (None, what
    went wrong)."""
    try:
        r = http.post(
            url, data=body.encode("utf-8"), headers=headers, timeout=(timeout, timeout), allow_redirects=False
        )
    except requests.RequestException as e:
        # the host only: a URL may carry a secret in its path or query
        log.info("nls worker: an event delivery to %s failed: %s", urlsplit(url).hostname, type(e).__name__)
        return None, f"{type(e).__name__}: {' '.join(str(e).split())[:300]}"
    # the status only: what another host answers is not shown to the endpoint's user
    return r.status_code, None if 200 <= r.status_code < 300 else f"HTTP {r.status_code}"
