"""The read of one data source: ``POST /v1/data_sources/{id}/query`` page after page, past Notion's 10,000-row cap
in ``created_time`` windows, each row handed on once (again only when it comes back edited).

How (NOTION_API.md, "Querying a data source"): first one query sorted by ``last_edited_time`` ascending, so that a
watermark may follow the batches. Where Notion stops it at the cap (``request_status`` ``incomplete``), the rest
(edited on or after the last time read) comes in windows of ``created_time``, which edits during the read do not
move: each window sorted by created_time, the next starting at the last created_time of the one before. The
watermark a windowed read supports stops at the minute the windows began: an edit made during them to a page of a
window already read is seen only by the next run, which reads on from there less ``overlap_s``.

Cursors are session-scoped: Notion can refuse one in the middle of a read (400 ``validation_error`` "The
start_cursor provided is invalid"). The query then begins again without a cursor from its last row: on or after
that row's ``last_edited_time`` (or, in a created_time window, its ``created_time``), which the ascending sort puts
every row not read yet after. The rows of that minute come again and are passed over (:class:`Seen`), so no row is
lost or handed on twice; each restart is counted (``cursor_restarts``), and restarts that bring no new row
``MAX_IDLE_RESTARTS`` times in a row end the read incomplete (the limit ``cursor_refused``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..notion.client import NotionClient, NotionError
from ..pages.page import malformed
from ..report import DataSourceReport, RunReport
from ..store import Store

# a paginated read whose pages bring no new row this many times in a row is not advancing
STALE_PAGES = 3
# restarts after a refused cursor that bring no new row, in a row, before the read gives up
MAX_IDLE_RESTARTS = 3


def cursor_refused(error: NotionError) -> bool:
    """Whether Notion refused the read's ``start_cursor`` (400 validation_error: expired, or of another session)."""
    return error.status == 400 and error.code == "validation_error" and "start_cursor" in error.message


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
    """Reads one data source for one run. ``property_ids`` (Notion's ids) sends ``filter_properties``;
    ``newer_ids(ids, rows)`` is asked with the rows of each answer before they are handed on, until it answers a
    list: None (ask again with the next rows), [] (the ids are whole) or the ids to ask for instead, with which the
    query begins again at once; ``clock``
    gives the UTC time (``time.gmtime``) at which windows begin. Limits met (cap, stale cursor) are recorded in
    ``report``; rows read are counted in ``ds_report.pages`` and windows in ``ds_report.windows``."""

    def __init__(
        self,
        client: NotionClient,
        ds_id: str,
        ds_report: DataSourceReport,
        report: RunReport,
        property_ids: list[str] | None = None,
        clock: Callable[[], time.struct_time] = time.gmtime,
        seen: Seen | StoredSeen | None = None,
        newer_ids: Callable[[list[str], list[dict]], list[str] | None] | None = None,
    ):
        self.client, self.ds_id, self.ds_report, self.report = client, ds_id, ds_report, report
        self.property_ids, self.clock, self.newer_ids = property_ids, clock, newer_ids
        self.seen = Seen() if seen is None else seen
        self.latest: str | None = None  # the latest last_edited_time read
        self._idle_restarts, self._seen_at_restart = 0, -1

    def run(self, since: str | None, on_batch: Callable[[list[dict], bool], None]) -> ReadOutcome:
        """Every row edited on or after ``since`` (every row when None), handed to ``on_batch(batch, in_order)`` an
        answer at a time; ``in_order``: the batch follows last_edited_time (a watermark may follow it). Raises
        what the client raises (NotionError, RunDeadline)."""
        sort, created_from, windows_from = "last_edited_time", None, None
        while True:
            answer = self._query(query_body(sort, since, created_from), on_batch, sort == "last_edited_time")
            if answer is None:  # the cursor stopped advancing, or kept being refused
                return ReadOutcome(self.seen, False, None)
            last, capped, refused = answer
            # a refused cursor: begin again after the last row read (every row not read yet sorts after it)
            if refused and last is not None:
                if sort == "last_edited_time":
                    since = last["last_edited_time"]
                else:
                    created_from = last["created_time"]
                continue
            if not capped:
                upto = self.latest
                return ReadOutcome(self.seen, True, min(upto, windows_from) if upto and windows_from else upto)
            if sort == "last_edited_time" and last is not None:  # past the cap: the rest, by created_time windows
                since, sort = last["last_edited_time"], "created_time"
                windows_from = time.strftime("%Y-%m-%dT%H:%M:00.000Z", self.clock())
            elif last is None or (created_from is not None and last["created_time"] <= created_from):
                self.report.limit(
                    "query_result_limit",
                    data_source_id=self.ds_id,
                    reason=f"more than 10,000 rows edited since {since} were created in the same minute",
                )
                return ReadOutcome(self.seen, False, None)
            else:
                created_from = last["created_time"]
            self.ds_report.windows += 1

    def _restart(self, error: NotionError) -> bool:
        """After a refused cursor: whether the query may begin again from its last row (counted in ``cursor_restarts``);
        False (the limit ``cursor_refused`` recorded) when restarts stopped bringing new rows."""
        self._idle_restarts = self._idle_restarts + 1 if len(self.seen) == self._seen_at_restart else 0
        self._seen_at_restart = len(self.seen)
        if self._idle_restarts >= MAX_IDLE_RESTARTS:
            self.report.limit(
                "cursor_refused",
                data_source_id=self.ds_id,
                message=error.message[:200],
                restarts_without_new_rows=self._idle_restarts,
            )
            return False
        self.ds_report.cursor_restarts += 1
        self.report.count("cursor_restarts")
        return True

    def _query(
        self, body: dict, on_batch: Callable[[list[dict], bool], Any], in_order: bool
    ) -> tuple[dict | None, bool, bool] | None:
        """One query, every answer: returns (its last row, whether Notion capped it, whether Notion refused a cursor
        on the way: the query is to begin again after the last row), or None when the cursor stopped advancing
        (the limit ``cursor_not_advancing``) or kept being refused (``cursor_refused``)."""
        capped, last, stale, answers = False, None, 0, set()
        try:
            for data in self.client.query(self.ds_id, body, self.property_ids):
                results = self._readable(data.get("results", []))
                if results and self._asks_again(results):
                    return self._query(body, on_batch, in_order)
                batch = self.seen.fresh(results) if results else []
                for p in batch:
                    if self.latest is None or p["last_edited_time"] > self.latest:
                        self.latest = p["last_edited_time"]
                # rows read before may come again (a window re-reads the minute it starts at, which a bulk import
                # can fill); an answer this query already gave, with nothing new, means the cursor went back
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
        except NotionError as e:
            if not cursor_refused(e) or last is None:
                raise
            return (last, False, True) if self._restart(e) else None
        return last, capped, False

    def _asks_again(self, rows: list[dict]) -> bool:
        """Whether the ids asked for lack a property (``newer_ids``, asked until it answers a list): the query is then
        to begin again with every id."""
        if self.newer_ids is None or self.property_ids is None:
            return False
        newer = self.newer_ids(self.property_ids, rows)
        if newer is None:
            return False
        self.newer_ids = None
        if newer:
            self.property_ids = newer
        return bool(newer)

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
                self.report.page_error(
                    row.get("id") if isinstance(row, dict) else None, f"malformed page object: {why}"
                )
        return readable
