"""The read flow: Notion data sources into ``nls.stg_notion_pages`` (incremental, lossless).

A run resolves the database's data sources (``GET /v1/databases/{id}``), reads each (:mod:`.paged`: incremental from
the watermark less ``overlap_s``, full on the first run or when asked), stores what changed
(:mod:`nls_engine.pages.writer`), moves the watermark with each batch, and reconciles (:mod:`.reconcile`): after a
complete full read, and once every ``reconcile_interval_s`` with an ids-only read. A data source whose stored pages
hold another schema than Notion's (a rename or type change moves no page) is read whole on the reconciling run.
"""

from __future__ import annotations

from ..notion.client import NotionError, title_text
from ..pages.schema import Schemas
from ..pages.writer import BatchWriter
from ..run import RunContext, Source
from ..settings import Settings
from ..store import Store
from .paged import DataSourceRead, StoredSeen
from .reconcile import Reconciler


class NotionRead:
    """One source's read, as a flow of :class:`nls_engine.run.SourceRun`. ``full``: read every page (also on the
    first run of a source)."""

    def __init__(self, full: bool = False):
        self.full = full
        self.reconciling = False

    def plan(self, store: Store, settings: Settings, source: Source) -> str:
        """Choose the mode from the source's state: ``notion_full`` when asked or on the first run,
        ``notion_reconcile`` when the last reconciliation is older than reconcile_interval_s, else
        ``notion_incremental``. Returns the sync_type."""
        has_watermark, due = store.run_plan(source.id, settings.reconcile_interval_s)
        self.full = self.full or not has_watermark
        self.reconciling = not self.full and due
        return "notion_full" if self.full else "notion_reconcile" if self.reconciling else "notion_incremental"

    def execute(self, ctx: RunContext) -> None:
        """Read every data source of the source's database. Raises NotionError or RunDeadline (the run records
        them). The data sources come from GET /v1/databases/{id} only when they are not known (the first run, a
        reconciliation, a data_source.* webhook event); an incremental run of known data sources sends nothing but
        their queries, and lists them again only when a query answers 404 or 400 (the data source left the
        database)."""
        src = ctx.the_source
        schemas = Schemas(ctx.store, ctx.notion, src.id)
        writer = BatchWriter(ctx, schemas)
        reconciler = Reconciler(ctx, writer, schemas)
        known = None if self.full or self.reconciling else ctx.store.listed_data_sources(src.id)
        done: set[str] = set()
        for ds in known if known is not None else self.list_data_sources(ctx):
            try:
                self._data_source(ctx, writer, reconciler, schemas, ds["id"], ds.get("name"))
            except NotionError as e:
                if known is None or e.status not in (400, 404):
                    raise
                # the data source left the database (or moved): list them again, read the ones not read yet
                ctx.report.data_sources.pop()
                ctx.report.count("data_sources_listed_again")
                for again in self.list_data_sources(ctx):
                    if again["id"] not in done:
                        self._data_source(ctx, writer, reconciler, schemas, again["id"], again.get("name"))
                return
            done.add(ds["id"])

    @staticmethod
    def list_data_sources(ctx: RunContext) -> list[dict]:
        """``GET /v1/databases/{id}``: the database's data sources [{id, name}], remembered for the next runs
        (the database's name too, the first time)."""
        src = ctx.the_source
        database = ctx.notion.database(src.database_id)
        name = title_text(database)
        if name and not src.database_name:
            ctx.store.set_database_name(src.id, name)
            src.database_name = name
        listed = [{"id": ds["id"], "name": ds.get("name")} for ds in database.get("data_sources") or []]
        ctx.store.save_data_sources(src.id, listed)
        return listed

    @classmethod
    def read_whole(cls, ctx: RunContext, schemas: Schemas, ds_id: str, ds_name: str | None = None) -> None:
        """Read one data source of ``ctx.source`` whole, as a full run reads each of its data sources: every page
        (stored pages not returned are then asked for: :meth:`Reconciler.check_unseen`), the watermark and the
        reconciliation noted. For a flow that holds the source's lock and knows the one data source to read (the
        webhook flow, after a schema change). Raises NotionError or RunDeadline."""
        writer = BatchWriter(ctx, schemas)
        cls(full=True)._data_source(ctx, writer, Reconciler(ctx, writer, schemas), schemas, ds_id, ds_name)

    def _data_source(
        self,
        ctx: RunContext,
        writer: BatchWriter,
        reconciler: Reconciler,
        schemas: Schemas,
        ds_id: str,
        ds_name: str | None,
    ) -> None:
        src, store, report = ctx.the_source, ctx.store, ctx.report
        since = None if self.full else store.read_since(src.id, ds_id, ctx.settings.overlap_s)
        full = self.full or since is None
        ds_report = report.data_source(ds_id, ds_name, "full" if full else "incremental")
        if not full and self.reconciling and schemas.changed(ds_id):
            # a rename or type change moves no page: every stored page's properties are read again
            full, ds_report.mode = True, "full (the data source's schema changed)"
        writer.begin_data_source()
        ids = schemas.listed_ids(ds_id, fresh=full)  # 2026-12-01 on: every property, asked for by id

        def newer_ids(asked: list[str], rows: list[dict]) -> list[str] | None:
            # the recorded schema may lack a property added since: checked once, when the first edit comes
            return (schemas.newer_ids(ds_id, asked) or []) if writer.changes(rows) else None

        outcome = DataSourceRead(
            ctx.notion,
            ds_id,
            ds_report,
            report,
            property_ids=ids,
            seen=StoredSeen(store),
            newer_ids=None if full else newer_ids,
        ).run(None if full else since, lambda batch, in_order: writer.write(ds_id, ds_name, batch, in_order))
        if outcome.complete and outcome.seen:  # a page that could not be stored holds the watermark at its time
            store.save_state(src.id, ds_id, ds_name, writer.hold or outcome.upto)
        if outcome.complete and not report.page_errors:
            if full:
                reconciler.check_unseen(ds_id)
                store.save_state(src.id, ds_id, ds_name, None, reconciled=True)
            elif self.reconciling:
                reconciler.ids_only(ds_id, ds_name, ds_report)
        ctx.checkpoint()
