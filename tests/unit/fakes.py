"""Stand-ins for the unit tests: a Notion data source that answers queries as Notion does (sorted, filtered, paged,
capped at ``cap`` rows with ``request_status: incomplete``), a Notion client over such data sources for the flows'
tests (:class:`FakeClient`), page objects, and a clock that sleeps by moving."""

from __future__ import annotations

import copy
import time
import uuid
from typing import Any, ClassVar

from nls_engine.notion.client import NotionError


def stand_in(double: object) -> Any:
    """``double`` where the code under test asks for the real thing (a response, a store, a context, a device):
    it has what that code uses of it."""
    return double


def iso(minute: int, second: int = 0) -> str:
    """An ISO time ``minute`` minutes after 2026-01-01T00:00 UTC, as Notion writes them."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(1767225600 + minute * 60 + second))


def page(n: int, edited: int, created: int | None = None, **properties) -> dict:
    """A page object numbered ``n`` (its id derives from it), edited and created at those minutes."""
    return {
        "object": "page",
        "id": str(uuid.UUID(int=n)),
        "created_time": iso(edited if created is None else created),
        "last_edited_time": iso(edited),
        "in_trash": False,
        "properties": properties,
    }


def title(text: str) -> dict:
    return {"id": "title", "type": "title", "title": [{"type": "text", "plain_text": text, "text": {"content": text}}]}


def text(property_id: str, value: str) -> dict:
    """A rich_text property value, as a read gives it."""
    return {
        "id": property_id,
        "type": "rich_text",
        "rich_text": [{"type": "text", "plain_text": value, "text": {"content": value}}] if value else [],
    }


def formula(property_id: str, number: float) -> dict:
    """A number formula's value, as a read gives it."""
    return {"id": property_id, "type": "formula", "formula": {"type": "number", "number": number}}


class FakeNotion:
    """``query(ds_id, body, property_ids)`` over ``pages`` like ``POST /v1/data_sources/{id}/query``: filters
    ``on_or_after`` on last_edited_time / created_time (and ``and``), sorts ascending by the asked timestamp (ties by
    id), answers ``page_size`` rows at a time from a keyset cursor (a row edited during the read moves past it and
    comes again), and stops after ``cap`` rows with ``request_status: incomplete``.
    ``between(answer_number)`` runs after each answer (to edit pages during a read). Pages in the trash are not
    returned (as Notion's queries do not). ``refuse_every``: every that many'th cursor sent is refused as Notion
    refuses an expired one (400 validation_error). Records each body."""

    def __init__(self, pages: list[dict], cap: int = 10_000, page_size: int = 100, between=None, refuse_every: int = 0):
        self.pages = {p["id"]: p for p in pages}
        self.cap, self.page_size, self.between = cap, page_size, between
        self.refuse_every, self.cursors = refuse_every, 0
        self.bodies: list[dict] = []
        self.property_ids: list = []
        self.answers = 0

    def query(self, ds_id: str, body: dict, property_ids=None):
        self.bodies.append(body)
        self.property_ids.append(property_ids)
        sort = body["sorts"][0]["timestamp"]
        after, served = None, 0  # a keyset cursor: the (sort value, id) of the last row served
        while True:
            rows = sorted(
                (
                    (p[sort], p["id"], p)
                    for p in self.pages.values()
                    if not p.get("in_trash") and _matches(p, body.get("filter"))
                ),
                key=lambda r: r[:2],
            )
            rest = [r for r in rows if after is None or r[:2] > after][: min(self.page_size, self.cap - served)]
            served += len(rest)
            after = rest[-1][:2] if rest else after
            left = sum(1 for r in rows if r[:2] > after) if after else len(rows)
            more = bool(rest) and left > 0 and served < self.cap
            answer = {
                "object": "list",
                "results": [dict(r[2]) for r in rest],
                "has_more": more,
                "next_cursor": "cursor" if more else None,
            }
            if not more and left > 0:
                answer["request_status"] = {"type": "incomplete"}
            self.answers += 1
            yield answer
            if self.between:
                self.between(self.answers)
            if not more:
                return
            self.cursors += 1
            if self.refuse_every and self.cursors % self.refuse_every == 0:
                raise NotionError(400, "validation_error", "The start_cursor provided is invalid: cursor")

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


class FakeClient:
    """A Notion client over an in-memory workspace, for the flows' unit tests: data sources of page objects
    (queried as :class:`FakeNotion` answers), each with its schema, in databases; ``GET /v1/pages/{id}`` (404 for a
    page in ``gone``, deleted for good or unshared); writes that change the pages as Notion does (the integration's
    bot as their author, ``last_edited_time`` at the write's minute, from ``minute`` on). ``requests`` records every
    request as (endpoint, id) and ``writes`` each write as (endpoint, id, properties sent); ``errors`` {(endpoint,
    id): NotionError} answers one with an error, every time; ``lose_create_answer``: ``POST /v1/pages`` makes the
    page, then answers nothing (a reset after sending); ``index_lag``: a page just made is not found by a query
    (``find_pages``) until ``unindexed`` is emptied. ``lists_title_only``: as a client of Notion-Version 2026-12-01
    (the flows then ask for every property by id)."""

    lists_title_only = False

    def __init__(self, bot: str = "bot-1"):
        self.data_sources: dict[str, FakeNotion] = {}
        self.schemas: dict[str, dict] = {}
        self.databases: dict[str, dict] = {}
        self.gone: set[str] = set()
        self.requests: list[tuple[str, str]] = []
        self.errors: dict[tuple[str, str], NotionError] = {}
        self.writes: list[tuple[str, str, dict]] = []
        self.lose_create_answer = self.index_lag = False
        self.unindexed: set[str] = set()
        self.bot, self.bot_id, self.minute = bot, bot, 600
        self.workspace = {"id": "ws-1"}

    def add(
        self, database_id: str, ds_id: str, pages: list[dict], schema: dict | None = None, name: str = "Cards"
    ) -> None:
        """Data source ``ds_id`` of database ``database_id`` holding ``pages``; ``schema`` ({name: {id, type}})
        defaults to what its first page shows."""
        self.data_sources[ds_id] = FakeNotion(pages)
        shown = {n: {"id": p["id"], "type": p["type"]} for n, p in (pages[0]["properties"] if pages else {}).items()}
        self.schemas[ds_id] = shown if schema is None else schema
        db = self.databases.setdefault(
            database_id, {"id": database_id, "title": [{"plain_text": name}], "data_sources": []}
        )
        db["data_sources"].append({"id": ds_id, "name": name})

    # the counters a run report takes from its client (RunReport.took)
    retries = rate_limited = 0
    backoff_s = 0.0
    pacer = None
    timeouts_by_endpoint: ClassVar[dict[str, int]] = {}  # read by the report, never written
    invalid_json: ClassVar[dict[str, int]] = {}

    @property
    def requests_made(self) -> int:
        return len(self.requests)

    @property
    def by_endpoint(self) -> dict[str, int]:
        return {e: self.count(e) for e, _ in self.requests}

    def count(self, endpoint: str) -> int:
        return sum(1 for e, _ in self.requests if e == endpoint)

    def _call(self, endpoint: str, key: str) -> None:
        self.requests.append((endpoint, key))
        if (endpoint, key) in self.errors:
            raise self.errors[(endpoint, key)]

    def _find(self, page_id: str) -> tuple[str, dict] | None:
        return next(((ds, n.pages[page_id]) for ds, n in self.data_sources.items() if page_id in n.pages), None)

    def page_of(self, page_id: str) -> dict:
        """The page as Notion holds it now (no request)."""
        found = self._find(page_id)
        if found is None:
            raise KeyError(page_id)
        return found[1]

    def database(self, database_id: str) -> dict:
        self._call("databases.retrieve", database_id)
        if database_id not in self.databases:
            raise NotionError(404, "object_not_found", f"database {database_id} not found")
        return copy.deepcopy(self.databases[database_id])

    def data_source(self, data_source_id: str) -> dict:
        self._call("data_sources.retrieve", data_source_id)
        return {"id": data_source_id, "properties": copy.deepcopy(self.schemas[data_source_id])}

    def query(self, data_source_id: str, body: dict, property_ids=None):
        self._call("data_sources.query", data_source_id)
        if data_source_id not in self.data_sources:
            raise NotionError(404, "object_not_found", f"data source {data_source_id} not found")
        for answer in self.data_sources[data_source_id].query(data_source_id, body, property_ids):
            yield copy.deepcopy(answer)

    def page(self, page_id: str) -> dict:
        self._call("pages.retrieve", page_id)
        found = self._find(page_id)
        if found is None or page_id in self.gone:
            raise NotionError(404, "object_not_found", f"page {page_id} not found")
        return copy.deepcopy(found[1])

    def property_items(self, page_id: str, property_id: str) -> list[dict]:
        self._call("pages.properties.retrieve", page_id)
        return []

    def markdown(self, page_id: str) -> dict:
        self._call("pages.markdown", page_id)
        return {"markdown": f"content of {page_id}", "truncated": False, "unknown_block_ids": []}

    def users_me(self) -> dict:
        self._call("users.me", "me")
        return {"id": self.bot, "type": "bot", "bot": {"workspace_id": self.workspace["id"]}}

    def trash(self, since: str):
        self._call("search", "trash")
        for n in self.data_sources.values():
            yield from (copy.deepcopy(p) for p in n.pages.values() if p["in_trash"] and p["last_edited_time"] >= since)

    def _written(self, page: dict, properties: dict, schema: dict) -> dict:
        """``page`` after a write of ``properties`` ({property id: value as sent}), as Notion answers it."""
        for pid, sent in properties.items():
            name, prop = next(((n, p) for n, p in schema.items() if p["id"] == pid))
            value = sent[prop["type"]]
            if prop["type"] in ("title", "rich_text"):
                value = [dict(item, plain_text=item["text"]["content"]) for item in value]
            page["properties"][name] = {"id": pid, "type": prop["type"], prop["type"]: value}
        self.minute += 1
        page.update(last_edited_time=iso(self.minute), last_edited_by={"object": "user", "id": self.bot})
        return page

    def update_page(self, page_id: str, properties: dict) -> dict:
        self._call("pages.update", page_id)
        self.writes.append(("pages.update", page_id, copy.deepcopy(properties)))
        found = self._find(page_id)
        if found is None:
            raise KeyError(page_id)
        ds, page = found
        return copy.deepcopy(self._written(page, properties, self.schemas[ds]))

    def create_page(self, data_source_id: str, properties: dict) -> dict:
        self._call("pages.create", data_source_id)
        self.writes.append(("pages.create", data_source_id, copy.deepcopy(properties)))
        n = self.data_sources[data_source_id]
        made = page(len(n.pages) + 9000, self.minute)
        made["parent"] = {"type": "data_source_id", "data_source_id": data_source_id}
        n.pages[made["id"]] = self._written(made, properties, self.schemas[data_source_id])
        if self.index_lag:
            self.unindexed.add(made["id"])
        if self.lose_create_answer:
            raise NotionError(0, "no_answer", "the connection was reset after the request was sent")
        return copy.deepcopy(made)

    def find_pages(self, data_source_id: str, flt: dict, property_ids=None) -> list[dict]:
        """The pages whose property ``flt["property"]`` (an id) holds the text ``flt[<type>]["equals"]``."""
        self._call("data_sources.query", data_source_id)
        want = next(v["equals"] for k, v in flt.items() if k != "property")
        return [
            copy.deepcopy(p)
            for p in self.data_sources[data_source_id].pages.values()
            if p["id"] not in self.unindexed
            and any(
                q.get("id") == flt["property"]
                and "".join(i.get("plain_text", "") for i in q.get(q["type"]) or []) == want
                for q in p["properties"].values()
            )
        ]

    def close(self) -> None:
        return None
