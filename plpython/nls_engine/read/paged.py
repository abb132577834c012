"""The read of one data source: ``POST /v1/data_sources/{id}/query`` page after page, past Notion's 10,000-row cap
in ``created_time`` windows, each row handed on once (again only when it comes back edited).

How (NOTION_API.md, "Querying a data source"): first one query sorted by ``last_edited_time`` ascending, so that a
watermark may follow the batches. Where Notion stops it at the cap (``request_status`` ``incomplete``), the rest
(edited on or after the last time read) comes in windows of ``created_time``, which edits during the read do not
move: each window sorted by created_time, the next starting at the last created_time of the one before. The
watermark a windowed read supports stops at the minute the windows began: an edit made during them to a page of a
window already read is seen only by the next run, which reads on from there less ``overlap_s``.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..notion.client import NotionClient
from ..pages.page import malformed
from ..report import DataSourceReport, RunReport
from ..store import Store

# a paginated read whose pages bring no new row this many times in a row is not advancing
STALE_PAGES = 3


class Seen(dict):
    """The rows a read has handed on, {page id: last_edited_time}, kept in memory (the unit tests' and small
    reads'). The engine's reads keep theirs in the database instead (:class:`StoredSeen`), so that
    the backend's memory does not grow with the size of a read."""

    def fresh(self, batch: list[dict]) -> list[dict]:
        """The rows of ``batch`` not handed on yet, or handed on with another last_edited_time (edited during the
        read); they are recorded."""
        out = [p for p in batch if self.get(p["id"]) != p["last_edited_time"]]
        for p in out:
            self[p["id"]] = p["last_edited_time"]
        return out


class StoredSeen:
    """The rows a read has handed on, kept in the database (``pg_temp._nls_seen``, emptied when the read begins):
    each answer costs one statement whatever the size of the read, and the backend holds nothing per page.
    Reconciliation compares the stored pages with it (``nls._unseen_pages``)."""

    def __init__(self, store: Store):
        self.store, self.count = store, 0
        store.seen_begin()

    def fresh(self, batch: list[dict]) -> list[dict]:
        """As :meth:`Seen.fresh`, in one statement."""
        fresh, new = self.store.seen_fresh([(p["id"], p["last_edited_time"]) for p in batch])
        self.count += new
        return [p for p in batch if p["id"] in fresh]

    def __len__(self) -> int:
        return self.count


@dataclass
class ReadOutcome:
    """``seen``: the rows read (a :class:`Seen`, or the engine's stored one; ``len`` is how many pages);
    ``complete``: whether every row is in; ``upto``: the watermark a complete read supports (None when incomplete
    or empty)."""

    seen: Seen | StoredSeen
    complete: bool
    upto: str | None


def query_body(sort: str, since: str | None, created_from: str | None) -> dict:
    """The query's body: sorted ascending by ``sort`` (a timestamp), filtered to rows edited on or after ``since``
    and created on or after ``created_from`` (ISO times; None: no filter)."""
    filters = []
    if since:
        filters.append({"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": since}})
    if created_from:
        filters.append({"timestamp": "created_time", "created_time": {"on_or_after": created_from}})
    body: dict = {"sorts": [{"timestamp": sort, "direction": "ascending"}]}
    if filters:
        body["filter"] = filters[0] if len(filters) == 1 else {"and": filters}
    return body


class DataSourceRead:
    """Reads one data source for one run. ``property_ids`` (Notion's ids) sends ``filter_properties``; ``clock``
    gives the UTC time (``time.gmtime``) at which windows begin. Limits met (cap, stale cursor) are recorded in
    ``report``; rows read are counted in ``ds_report.pages`` and windows in ``ds_report.windows``."""

    def __init__(self, client: NotionClient, ds_id: str, ds_report: DataSourceReport, report: RunReport,
                 property_ids: list[str] | None = None, clock: Callable[[], time.struct_time] = time.gmtime,
                 seen: Seen | StoredSeen | None = None):
        self.client, self.ds_id, self.ds_report, self.report = client, ds_id, ds_report, report
        self.property_ids, self.clock = property_ids, clock
        self.seen = Seen() if seen is None else seen
        self.latest: str | None = None   # the latest last_edited_time read

    def run(self, since: str | None, on_batch: Callable[[list[dict], bool], None]) -> ReadOutcome:
        """Every row edited on or after ``since`` (every row when None), handed to ``on_batch(batch, in_order)`` an
        answer at a time; ``in_order``: the batch follows last_edited_time (a watermark may follow it). Raises
        what the client raises (NotionError, RunDeadline)."""
        sort, created_from, windows_from = "last_edited_time", None, None
        while True:
            answer = self._query(query_body(sort, since, created_from), on_batch, sort == "last_edited_time")
            if answer is None:   # the cursor stopped advancing
                return ReadOutcome(self.seen, False, None)
            last, capped = answer
            if not capped:
                upto = self.latest
                return ReadOutcome(self.seen, True, min(upto, windows_from) if upto and windows_from else upto)
            if sort == "last_edited_time" and last is not None:   # past the cap: the rest, by created_time windows
                since, sort = last["last_edited_time"], "created_time"
                windows_from = time.strftime("%Y-%m-%dT%H:%M:00.000Z", self.clock())
            elif last is None or (created_from is not None and last["created_time"] <= created_from):
                self.report.limit("query_result_limit", data_source_id=self.ds_id,
                                  reason=f"more than 10,000 rows edited since {since} were created in the same minute")
                return ReadOutcome(self.seen, False, None)
            else:
                created_from = last["created_time"]
            self.ds_report.windows += 1

    def _query(self, body: dict, on_batch: Callable[[list[dict], bool], Any], in_order: bool) -> tuple[dict | None, bool] | None:
        """One query, every answer: returns (its last row, whether Notion capped it), or None when the cursor
        stopped advancing (recorded as the limit ``cursor_not_advancing``)."""
        capped, last, stale, answers = False, None, 0, set()
        for data in self.client.query(self.ds_id, body, self.property_ids):
            results = self._readable(data.get("results", []))
            batch = self.seen.fresh(results) if results else []
            for p in batch:
                if self.latest is None or p["last_edited_time"] > self.latest:
                    self.latest = p["last_edited_time"]
            # rows read before may come again (a window re-reads the minute it starts at, which a bulk import can
            # fill); an answer this query already gave, with nothing new, means the cursor went back
            signature = (results[0].get("id"), results[-1].get("id"), len(results)) if results else None
            stale = stale + 1 if signature in answers and not batch else 0
            answers.add(signature)
            if batch:
                on_batch(batch, in_order)
            last = results[-1] if results else last
            self.ds_report.pages = len(self.seen)
            capped = capped or (data.get("request_status") or {}).get("type") == "incomplete"
            if stale >= STALE_PAGES:
                self.report.limit("cursor_not_advancing", data_source_id=self.ds_id, pages_without_new_rows=stale)
                return None
        return last, capped

    def _readable(self, results: list[dict]) -> list[dict]:
        """The rows of an answer that are page objects the engine can read; each other one is recorded in the run's
        page errors (with its id where it has one) and costs only itself: it never moves the watermark."""
        if not isinstance(results, list):
            self.report.page_error(None, f"malformed answer: results is {type(results).__name__}, not a list")
            return []
        readable = []
        for row in results:
            why = malformed(row)
            if why is None:
                readable.append(row)
            else:
                self.report.page_error(row.get("id") if isinstance(row, dict) else None, f"malformed page object: {why}")
        return readable
