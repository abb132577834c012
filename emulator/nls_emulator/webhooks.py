"""Notion's webhooks, as the emulator sends them (NOTION_API.md, "Webhooks").

A subscription belongs to an integration (a token) and names a URL. Subscribing sends the handshake at once: a POST
of ``{"verification_token": ...}`` without a signature; deliveries start once the token is confirmed
(:meth:`Webhooks.confirm`, what the DBA does in the integration's settings). Every change of the integration's
workspace then becomes an event (``page.created``, ``page.properties_updated``, ``page.content_updated``,
``page.deleted``, ``page.undeleted``, ``page.moved``, ``data_source.schema_updated``), aggregated as Notion does:
events of one type for one entity within ``aggregate_s`` seconds are one delivery listing every author. With
``fold_s`` set (60: as Notion delivers since 2026-10-15; ``nls emulator`` sets it, tests may leave it None),
``page.created`` and the first ``page.properties_updated`` of a page go at once, and the later ones of the next
``fold_s`` seconds are folded into one delivery, sent ``fold_s`` seconds after the one before it. Each delivery is
signed (``X-Notion-Signature: sha256=<HMAC-SHA256 of the raw body, keyed by the verification token>``) and retried with
``attempt_number`` 2, 3, ... up to 8 while the receiver answers anything but 2xx (or does not answer), after
``retry_s`` times the attempt number. ``drop`` (0 to 1) is the share of deliveries never sent (Notion promises no
delivery); ``duplicate`` the share sent twice. ``log`` records every attempt (``at``: when its answer came, time.time();
``event_id``, ``type``, ``entity``: the entity's id, ``attempt``, ``status``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

MAX_ATTEMPTS = 8
# the events Notion sends at once since 2026-10-15 (later ones of the next minute folded into one)
PROMPT_TYPES = ("page.created", "page.properties_updated")


@dataclass
class Subscription:
    """One integration's subscription: where to deliver, the verification token, and whether it was confirmed."""

    token: str
    url: str
    verification_token: str = field(default_factory=lambda: "secret_" + secrets.token_urlsafe(32))
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    confirmed: bool = False


@dataclass
class Pending:
    """An event waiting to be delivered: its body (without attempt_number), when it may go, its attempt."""

    body: dict
    due: float
    attempt: int = 1


class Webhooks:
    """The emulator's webhook deliveries (one thread, started by the first subscription)."""

    def __init__(self, api):
        self.api = api
        self.subscriptions: dict[str, Subscription] = {}
        self.aggregate_s, self.retry_s, self.drop, self.duplicate = 2.0, 1.0, 0.0, 0.0
        self.fold_s: float | None = None
        self._sent: dict[tuple, float] = {}  # (token, type, entity) -> when its last delivery went
        self.rng = random.Random(0)
        self.log: list[dict] = []
        self._open: dict[tuple, Pending] = {}  # (token, type, entity) -> an event still aggregating
        self._queue: list[tuple[str, Pending]] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._listening: set[int] = set()
        self._sending = 0  # deliveries taken from the queue and not yet done

    def subscribe(self, token: str, url: str) -> Subscription:
        """Subscribe the integration of ``token`` to deliveries at ``url``; the handshake is sent at once."""
        integ = self.api.integrations[token]
        sub = self.subscriptions[token] = Subscription(token, url)
        ws = integ.workspace
        if id(ws) not in self._listening:
            self._listening.add(id(ws))
            ws.listeners.append(lambda *event: self._changed(ws, *event))
        self._start()
        self._post(
            sub, json.dumps({"verification_token": sub.verification_token}).encode(), signed=False, kind="handshake"
        )
        return sub

    def confirm(self, token: str, verification_token: str) -> bool:
        """The verification token pasted back in the integration's settings: deliveries start when it is right."""
        sub = self.subscriptions[token]
        sub.confirmed = hmac.compare_digest(sub.verification_token, verification_token or "")
        return sub.confirmed

    def stop(self) -> None:
        self.api._stop.set()

    def undelivered(self) -> int:
        """How many events are still to be delivered (aggregating, waiting for their time or a retry, or being
        sent): 0 once every change so far was delivered, dropped, or given up after MAX_ATTEMPTS."""
        with self._lock:
            return len(self._open) + len(self._queue) + self._sending

    # ---- events -----------------------------------------------------------------------------------------------
    def _changed(self, ws, event_type: str, entity_id: str, entity_type: str, data: dict, author: str) -> None:
        now = time.monotonic()
        for token, sub in list(self.subscriptions.items()):
            integ = self.api.integrations.get(token)
            if integ is None or integ.workspace is not ws or not sub.confirmed:
                continue
            kind = "bot" if author == integ.bot.get("id") else "person"
            with self._lock:
                key = (token, event_type, entity_id)
                open_ = self._open.get(key)
                if open_ is not None:
                    if {"id": author, "type": kind} not in open_.body["authors"]:
                        open_.body["authors"].append({"id": author, "type": kind})
                    for k in ("updated_properties", "updated_blocks"):
                        if k in data:
                            open_.body["data"][k] = list(dict.fromkeys(open_.body["data"].get(k, []) + data[k]))
                    continue
                body = {
                    "id": str(uuid.uuid4()),
                    "timestamp": _now_iso(),
                    "workspace_id": ws.id,
                    "workspace_name": ws.name,
                    "subscription_id": sub.id,
                    "integration_id": integ.bot.get("id"),
                    "type": event_type,
                    "authors": [{"id": author, "type": kind}],
                    "entity": {"id": entity_id, "type": entity_type},
                    "data": dict(data),
                    "api_version": "2025-09-03",
                }
                self._open[key] = Pending(body, self._due(key, event_type, now))

    def _due(self, key: tuple, event_type: str, now: float) -> float:
        """When a new event of ``key`` goes: at once, or at the end of the fold after the last delivery of it
        (``fold_s``, for PROMPT_TYPES), else after ``aggregate_s``."""
        if self.fold_s is None or event_type not in PROMPT_TYPES:
            return now + self.aggregate_s
        last = self._sent.get(key)
        return now if last is None or now - last >= self.fold_s else last + self.fold_s

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="nls-emulator-webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self.api._stop.wait(0.05):
            now = time.monotonic()
            with self._lock:
                ready = [k for k, p in self._open.items() if p.due <= now]
                for k in ready:
                    self._queue.append((k[0], self._open.pop(k)))
                    self._sent[k] = now
                due = [(t, p) for t, p in self._queue if p.due <= now]
                self._queue = [(t, p) for t, p in self._queue if p.due > now]
                self._sending = len(due)
            for token, pending in due:
                self._deliver(token, pending)  # a retry is queued again before it counts as sent
                with self._lock:
                    self._sending -= 1

    def _deliver(self, token: str, pending: Pending) -> None:
        sub = self.subscriptions.get(token)
        if sub is None:
            return
        if pending.attempt == 1 and self.rng.random() < self.drop:
            self.log.append({"at": time.time(), "event_id": pending.body["id"], "attempt": 1, "status": "dropped"})
            return
        raw = json.dumps({**pending.body, "attempt_number": pending.attempt}).encode()
        ok = self._post(
            sub,
            raw,
            signed=True,
            kind=pending.body["type"],
            event_id=pending.body["id"],
            attempt=pending.attempt,
            entity=pending.body["entity"]["id"],
        )
        if ok and pending.attempt == 1 and self.rng.random() < self.duplicate:
            self._post(sub, raw, signed=True, kind=pending.body["type"], event_id=pending.body["id"], attempt=1)
        if not ok and pending.attempt < MAX_ATTEMPTS:
            with self._lock:
                self._queue.append(
                    (
                        token,
                        Pending(pending.body, time.monotonic() + self.retry_s * pending.attempt, pending.attempt + 1),
                    )
                )

    def _post(
        self,
        sub: Subscription,
        raw: bytes,
        signed: bool,
        kind: str,
        event_id: str | None = None,
        attempt: int = 1,
        entity: str | None = None,
    ) -> bool:
        headers = {"Content-Type": "application/json", "User-Agent": "notion-api"}
        if signed:
            headers["X-Notion-Signature"] = (
                "sha256=" + hmac.new(sub.verification_token.encode(), raw, hashlib.sha256).hexdigest()
            )
        status: int | str
        try:
            status = requests.post(sub.url, data=raw, headers=headers, timeout=10).status_code
        except requests.RequestException as e:
            status = type(e).__name__
        self.log.append(
            {
                "at": time.time(),
                "event_id": event_id,
                "type": kind,
                "attempt": attempt,
                "status": status,
                "entity": entity,
            }
        )
        return isinstance(status, int) and 200 <= status < 300


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
