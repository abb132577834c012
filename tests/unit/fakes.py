"""Stand-ins for the unit tests: a Notion data source that answers queries as Notion does (sorted, filtered, paged,
capped at ``cap`` rows with ``request_status: incomplete``), page objects, and a clock that sleeps by moving."""
from __future__ import annotations

import time
import uuid


def iso(minute: int, second: int = 0) -> str:
    """An ISO time ``minute`` minutes after 2026-01-01T00:00 UTC, as Notion writes them."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(1767225600 + minute * 60 + second))


def page(n: int, edited: int, created: int | None = None, **properties) -> dict:
    """A page object numbered ``n`` (its id derives from it), edited and created at those minutes."""
    return {"object": "page", "id": str(uuid.UUID(int=n)), "created_time": iso(edited if created is None else created),
            "last_edited_time": iso(edited), "in_trash": False, "properties": properties}


def title(text: str) -> dict:
    return {"id": "title", "type": "title", "title": [{"type": "text", "plain_text": text, "text": {"content": text}}]}


class FakeNotion:
    """``query(ds_id, body, property_ids)`` over ``pages`` like ``POST /v1/data_sources/{id}/query``: filters
    ``on_or_after`` on last_edited_time / created_time (and ``and``), sorts ascending by the asked timestamp (ties by
    id), answers ``page_size`` rows at a time from a keyset cursor (a row edited during the read moves past it and
    comes again), and stops after ``cap`` rows with ``request_status: incomplete``.
    ``between(answer_number)`` runs after each answer (to edit pages during a read). Records each body."""

    def __init__(self, pages: list[dict], cap: int = 10_000, page_size: int = 100, between=None):
        self.pages = {p["id"]: p for p in pages}
        self.cap, self.page_size, self.between = cap, page_size, between
        self.bodies: list[dict] = []
        self.property_ids: list = []
        self.answers = 0

    def query(self, ds_id: str, body: dict, property_ids=None):
        self.bodies.append(body)
        self.property_ids.append(property_ids)
        sort = body["sorts"][0]["timestamp"]
        after, served = None, 0   # a keyset cursor: the (sort value, id) of the last row served
        while True:
            rows = sorted(((p[sort], p["id"], p) for p in self.pages.values() if _matches(p, body.get("filter"))),
                          key=lambda r: r[:2])
            rest = [r for r in rows if after is None or r[:2] > after][:min(self.page_size, self.cap - served)]
            served += len(rest)
            after = rest[-1][:2] if rest else after
            left = sum(1 for r in rows if r[:2] > after) if after else len(rows)
            more = bool(rest) and left > 0 and served < self.cap
            answer = {"object": "list", "results": [dict(r[2]) for r in rest], "has_more": more,
                      "next_cursor": "cursor" if more else None}
            if not more and left > 0:
                answer["request_status"] = {"type": "incomplete"}
            self.answers += 1
            yield answer
            if self.between:
                self.between(self.answers)
            if not more:
                return

    def edit(self, page_id: str, minute: int) -> None:
        self.pages[page_id] = dict(self.pages[page_id], last_edited_time=iso(minute))


def _matches(p: dict, f: dict | None) -> bool:
    """Whether page ``p`` passes a query filter (to the second, as times with or without milliseconds compare)."""
    if f is None:
        return True
    if "and" in f:
        return all(_matches(p, g) for g in f["and"])
    field = f["timestamp"]
    return p[field][:19] >= f[field]["on_or_after"][:19]


class FakeClock:
    """A monotonic clock whose ``sleep`` moves it; ``slept`` lists the pauses."""

    def __init__(self, now: float = 100.0):
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
