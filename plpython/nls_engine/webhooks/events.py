"""What Notion's webhook events do, once received (:mod:`nls_engine.webhooks.receive` lets them in).

Applying (``nls.apply_webhook_events()``, pg_cron every minute and by hand; :class:`ApplyEvents`): the pending events
of a user, in one run (a ``sync_log`` row of type ``notion_webhook``): a page created, updated, undeleted or moved is
read again (``GET /v1/pages/{id}``, once however many events it had; its content only for ``page.content_updated``
on a source with content), a deleted one is marked trashed at once (the next read confirms it) unless the stored copy
is newer than the deletion (Notion's deliveries come late and unordered: a page restored since stays restored), a
page Notion now names another data source as the parent of (``page.moved``, or any event) is marked gone in the
source it left and stored in the one that reads its new data source, if any; a data source whose
schema changed is compared with the stored pages as the reconciliation does (a rename or retype: that data source is
read whole), ``data_source.created`` / ``deleted`` / ``moved`` / ``undeleted`` make the next run list the database's
data sources again. Events of pages in data sources nobody syncs are dropped with a count; events whose every author
is the integration's own bot (its own writes coming back) cost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..pages.fetch import fetch_page
from ..pages.schema import Schemas
from ..pages.writer import BatchWriter
from ..run import RunContext, Source

READ = ("page.created", "page.properties_updated", "page.content_updated", "page.undeleted", "page.moved")
LISTING = (
    "data_source.created",
    "data_source.deleted",
    "data_source.moved",
    "data_source.undeleted",
    "database.created",
    "database.deleted",
    "database.moved",
    "database.undeleted",
)


@dataclass
class Plan:
    """What a batch of events asks: {page id: wants content} to read, pages to mark trashed (and {page id: when
    Notion deleted it}, the event's timestamp), data sources whose schema changed, data sources and databases to
    list again, and the outcome of each event."""

    read: dict[str, bool] = field(default_factory=dict)
    trash: list[str] = field(default_factory=list)
    deleted_at: dict[str, str | None] = field(default_factory=dict)
    schemas: set[str] = field(default_factory=set)
    listing: set[str] = field(default_factory=set)
    outcomes: dict[str, str] = field(default_factory=dict)


def plan(events: list[dict], bot_id: str | None) -> Plan:
    """The work a batch of events (rows of nls.webhook_events, ``payload`` the event) asks, oldest first; many
    events of one page cost one read (a deletion after an edit wins, an undelete after a deletion reads it)."""
    out = Plan()
    for e in sorted(events, key=lambda e: (e["payload"].get("timestamp") or "", e["event_id"])):
        ev, kind, entity = e["payload"], e["event_type"], e["entity_id"] or ""
        authors = [a for a in ev.get("authors") or [] if isinstance(a, dict)]
        if bot_id and authors and all(a.get("type") == "bot" and a.get("id") == bot_id for a in authors):
            out.outcomes[e["event_id"]] = "own_write"
        elif kind in READ:
            out.read[entity] = out.read.get(entity, False) or kind == "page.content_updated"
            out.trash = [p for p in out.trash if p != entity]
            out.outcomes[e["event_id"]] = "read"
        elif kind == "page.deleted":
            out.read.pop(entity, None)
            out.trash.append(entity)
            out.deleted_at[entity] = ev.get("timestamp")
            out.outcomes[e["event_id"]] = "trashed"
        elif kind == "data_source.schema_updated":
            out.schemas.add(entity)
            out.outcomes[e["event_id"]] = "schema"
        elif kind in LISTING:
            out.listing.add(((ev.get("data") or {}).get("parent") or {}).get("id") or entity)
            out.outcomes[e["event_id"]] = "listed"
        else:
            out.outcomes[e["event_id"]] = "ignored"
    return out


class ReadWhole(Protocol):
    """How a data source whose schema changed is read whole: ``read_whole(ctx, schemas, ds_id)`` under ``ctx``'s
    source (the read flow's :meth:`nls_engine.read.flow.NotionRead.read_whole`, which the schedule gives: a flow
    imports no other flow). Raises NotionError or RunDeadline."""

    def __call__(self, ctx: RunContext, schemas: Schemas, ds_id: str) -> None: ...


class ApplyEvents:
    """A user's flow (:class:`nls_engine.run.UserRun`): the user's pending webhook events, one batch. ``read_whole``
    reads a data source whose schema changed (:class:`ReadWhole`)."""

    kind = "notion_webhook"

    def __init__(self, read_whole: ReadWhole):
        self.read_whole = read_whole

    def execute(self, ctx: RunContext) -> None:
        """Apply up to webhook_batch_size pending events (see the module docstring); each event gets its outcome.
        Raises NotionError or RunDeadline (the run records them; the events stay pending)."""
        store, report = ctx.store, ctx.report
        events = store.pending_events(ctx.user_id, ctx.settings.webhook_batch_size)
        todo = plan(events, self._bot(ctx, events))
        pages = store.locate_pages(ctx.user_id, list(todo.read) + todo.trash)
        homes = store.locate_data_sources(
            ctx.user_id,
            sorted({(e["payload"].get("data") or {}).get("parent", {}).get("id") or "" for e in events} | todo.schemas),
        )
        outcomes, counts = dict(todo.outcomes), {"events": len(events)}
        self._trash(ctx, todo, pages, outcomes, counts)
        left = self._read(ctx, todo, events, pages, homes, outcomes, counts)
        counts["schema_refreshes"], busy = self._schemas(ctx, todo.schemas, homes)
        left |= busy
        counts["listed_again"] = store.forget_listing(ctx.user_id, sorted(todo.listing))
        for e in events:
            if outcomes.get(e["event_id"]) in ("read", "schema") and e["entity_id"] in left:
                outcomes[e["event_id"]] = "pending"
        for name in ("own_write", "not_synced", "ignored"):
            counts[name] = sum(1 for o in outcomes.values() if o == name)
        counts["left_pending"] = sum(1 for o in outcomes.values() if o == "pending")
        report.findings.update(counts)
        report.processed = len(events)
        store.events_applied(
            ctx.user_id, [{"event_id": k, "outcome": v} for k, v in outcomes.items() if v != "pending"], ctx.log_id
        )

    @staticmethod
    def _bot(ctx: RunContext, events: list[dict]) -> str | None:
        """The integration's own bot user id (GET /v1/users/me once, when some event has a bot author and it is
        not known yet)."""
        bot = ctx.store.integration_bot(ctx.user_id)
        bots = any(
            a.get("type") == "bot" for e in events for a in e["payload"].get("authors") or [] if isinstance(a, dict)
        )
        if bot is None and bots:
            bot = ctx.notion.users_me().get("id")
            ctx.store.save_bot_id(ctx.user_id, bot)
        return bot

    @staticmethod
    def _trash(ctx: RunContext, todo: Plan, pages: dict, outcomes: dict, counts: dict) -> None:
        """Mark the stored pages of the deletions trashed, each unless the stored copy was edited after its
        deletion (``event_time``: a late delivery of a deletion a restore has undone since changes nothing)."""
        mine = [p for p in todo.trash if p in pages]
        counts["trashed"] = ctx.store.mark_trashed(
            ctx.user_id, [{"page_id": p, "event_time": todo.deleted_at.get(p)} for p in mine]
        )
        ctx.report.removed += counts["trashed"]

    def _read(
        self, ctx: RunContext, todo: Plan, events: list[dict], pages: dict, homes: dict, outcomes: dict, counts: dict
    ) -> set[str]:
        """Read each page an event asked for once, by source (under the source's lock: a source another run holds
        keeps its events pending). Returns the pages left for the next batch."""
        parent = {e["entity_id"]: (e["payload"].get("data") or {}).get("parent", {}).get("id") for e in events}
        by_source: dict[int, list[tuple[str, str]]] = {}
        for page_id in todo.read:
            where = pages.get(page_id) or homes.get(parent.get(page_id) or "")
            if where is None:
                for e in events:
                    if e["entity_id"] == page_id and outcomes.get(e["event_id"]) == "read":
                        outcomes[e["event_id"]] = "not_synced"
                continue
            by_source.setdefault(where["source_id"], []).append((page_id, where["data_source_id"]))
        for e in events:  # a deletion of a page nobody syncs
            if outcomes.get(e["event_id"]) == "trashed" and e["entity_id"] not in pages:
                outcomes[e["event_id"]] = "not_synced"
        left: set[str] = set()
        counts["pages_read"], moved = 0, dict[str, Any]()
        for source_id, wanted in by_source.items():
            done = self._read_source(ctx, source_id, wanted, todo.read, moved)
            counts["pages_read"] += done if done is not None else 0
            if done is None:
                left |= {p for p, _ in wanted}
        counts["pages_moved"] = len(moved)
        return left | self._moved_in(ctx, moved)

    def _read_source(
        self, ctx: RunContext, source_id: int, wanted: list[tuple[str, str]], content: dict, moved: dict
    ) -> int | None:
        """``GET /v1/pages/{id}`` for each wanted page of one source (a 404 marks it gone: :func:`fetch_page`),
        stored by the read's writer under the data source Notion names as its parent; a page that moved to a data
        source this source does not read is marked gone here and kept in ``moved`` (:meth:`_moved_away`). Returns
        how many were read, or None when another run holds the source."""
        store = ctx.store
        if not store.try_lock_source(source_id):
            return None
        try:
            sctx = source_context(ctx, source_id)
            writer = BatchWriter(
                sctx, Schemas(store, ctx.notion, source_id), content_for={p for p, _ in wanted if content.get(p)}
            )
            for page_id, ds_id in wanted:
                page = fetch_page(sctx, page_id)
                if page is None:
                    continue
                home = parent_data_source(page, ds_id)
                if home == ds_id or not self._moved_away(sctx, page, home, moved):
                    writer.write(home or ds_id, None, [page], in_order=False)  # a page without a home moved away
            return len(wanted)
        finally:
            store.unlock_source(source_id)

    @staticmethod
    def _moved_away(sctx: RunContext, page: dict, home: str | None, moved: dict) -> bool:
        """A page whose parent is now ``home`` (another data source, or None: none at all). When ``sctx``'s source
        reads ``home`` too, False (the page is stored there under it). Else the page is marked gone in this source
        (it is no longer there; counted removed, so that the cleaning follows) and kept in ``moved`` {page id:
        (page, home, the source that reads home or None)}; returns True."""
        where = sctx.store.locate_data_sources(sctx.user_id, [home]).get(home) if home else None
        if where is not None and where["source_id"] == sctx.the_source.id:
            return False
        sctx.store.mark_gone(sctx.the_source.id, page["id"])
        sctx.report.removed += 1
        moved[page["id"]] = (page, home, where["source_id"] if where else None)
        return True

    @staticmethod
    def _moved_in(ctx: RunContext, moved: dict) -> set[str]:
        """Store each moved page (as read, no second request) in the source that reads its new data source, with its
        content where that source keeps content. Returns the pages of sources another run holds (their events stay
        pending: the next batch reads them again)."""
        by_source: dict[int, list[tuple[dict, str]]] = {}
        for page, home, source_id in moved.values():
            if source_id is not None:
                by_source.setdefault(source_id, []).append((page, home))
        left: set[str] = set()
        for source_id, pages in by_source.items():
            if not ctx.store.try_lock_source(source_id):
                left |= {page["id"] for page, _ in pages}
                continue
            try:
                sctx = source_context(ctx, source_id)
                writer = BatchWriter(
                    sctx, Schemas(ctx.store, ctx.notion, source_id), content_for={page["id"] for page, _ in pages}
                )
                for page, home in pages:
                    writer.write(home, None, [page], in_order=False)
            finally:
                ctx.store.unlock_source(source_id)
        return left

    def _schemas(self, ctx: RunContext, data_sources: set[str], homes: dict) -> tuple[int, set[str]]:
        """Each data source whose schema changed: compared with the stored pages (``GET /v1/data_sources/{id}``);
        where they hold another schema, the data source is read whole (``self.read_whole``), as the
        reconciliation does. Returns (how many were read whole, the data sources another run holds: their events
        stay pending)."""
        whole, busy = 0, set()
        for ds_id in sorted(data_sources):
            where = homes.get(ds_id)
            if where is None:
                continue
            if not ctx.store.try_lock_source(where["source_id"]):
                busy.add(ds_id)
                continue
            try:
                sctx = source_context(ctx, where["source_id"])
                schemas = Schemas(ctx.store, ctx.notion, sctx.the_source.id)
                if not schemas.changed(ds_id):
                    continue
                self.read_whole(sctx, schemas, ds_id)
                whole += 1
            finally:
                ctx.store.unlock_source(where["source_id"])
        return whole, busy


def parent_data_source(page: dict, stored: str | None) -> str | None:
    """The data source a page object names as its parent: ``stored`` (the one it is stored under) when the parent
    names none but is a database or is missing (another API version's shape: nothing says it moved), None when the
    parent is no data source (a page, a block, the workspace: it left every data source)."""
    parent = page.get("parent") or {}
    if parent.get("data_source_id"):
        return parent["data_source_id"]
    return stored if parent.get("type") in (None, "database_id") else None


def source_context(ctx: RunContext, source_id: int) -> RunContext:
    """A context for one source within a user's run: the run's store, settings, report, client and log row."""
    row = ctx.store.source_row(source_id)
    if row is None:
        raise LookupError(f"no source {source_id} that this session can see")
    return RunContext(ctx.store, ctx.settings, Source.from_row(row), ctx.report, None, ctx.client, ctx.log_id)
