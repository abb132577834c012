"""Reconciliation: what an incremental read cannot see. Trashed, deleted and unshared pages leave a query without a
trace, and formulas and rollups change with the pages they read without an edit of their own page.

After a complete full read every stored page it did not return is asked for (:meth:`Reconciler.check_unseen`).
Once every ``reconcile_interval_s`` a run also reads every id of each data source as cheaply as the API allows
(:meth:`Reconciler.ids_only`): ``filter_properties`` keeps only the title and the formula and rollup properties (a
page object still carries its id, ``last_edited_time`` and ``in_trash``); the pages that differ from the copy are
fetched whole. Nothing is marked gone unless the read was whole.
"""

from __future__ import annotations

from ..pages.fetch import fetch_page
from ..pages.schema import Schemas, schema_of
from ..pages.writer import BatchWriter
from ..report import DataSourceReport
from ..run import RunContext
from ..text import clean
from .paged import DataSourceRead, StoredSeen


class Reconciler:
    """Reconciles the data sources of one run (``ctx``: its RunContext), storing what it fetches with ``writer``."""

    def __init__(self, ctx: RunContext, writer: BatchWriter, schemas: Schemas):
        self.ctx, self.writer, self.schemas = ctx, writer, schemas

    def check_unseen(self, ds_id: str) -> None:
        """Right after a complete read of every id (its record of what it read: :class:`.paged.StoredSeen`): each live
        stored page it did not return is asked for (``GET /v1/pages/{id}``): a 404 marks it gone (deleted or
        unshared), a trashed one is stored trashed."""
        ctx = self.ctx
        for pid in ctx.store.unseen_pages(ctx.the_source.id, ds_id):
            page = fetch_page(ctx, pid)
            if page is None:
                continue
            if page.get("in_trash"):
                ctx.report.removed += 1
            self.writer.write(ds_id, None, [page], in_order=False)

    def ids_only(self, ds_id: str, ds_name: str | None, ds_report: DataSourceReport) -> None:
        """The scheduled reconciliation of one data source, after its incremental read: every id read again
        (title, formulas and rollups only), the pages that drifted (nls._drifted_pages) fetched whole, then the
        unseen ones checked and the reconciliation noted (sync_state.last_full_sync_at)."""
        ctx = self.ctx
        schema = schema_of(self.schemas.properties(ds_id))  # read by Schemas.changed just before
        computed = {p["id"] for p in schema.values() if p.get("type") in ("formula", "rollup") and p.get("id")}
        wanted = [p["id"] for p in schema.values() if p.get("type") == "title" and p.get("id")] or ["title"]
        drifted: list[str] = []
        scratch = DataSourceReport(ds_id, ds_name, "ids")
        read = DataSourceRead(
            ctx.notion, ds_id, scratch, ctx.report, property_ids=wanted + sorted(computed), seen=StoredSeen(ctx.store)
        )
        outcome = read.run(None, lambda batch, _in_order: drifted.extend(self._drifted(batch, computed)))
        ds_report.reconciled = {"ids_read": len(outcome.seen), "drifted": len(set(drifted)), "windows": scratch.windows}
        if not outcome.complete:
            return
        for pid in dict.fromkeys(drifted):
            page = fetch_page(ctx, pid)  # None: gone since the read
            if page is not None:
                self.writer.write(ds_id, ds_name, [page], in_order=False)
        if not ctx.report.page_errors:
            self.check_unseen(ds_id)
            ctx.store.save_state(ctx.the_source.id, ds_id, ds_name, None, reconciled=True)

    def _drifted(self, batch: list[dict], computed: set[str]) -> list[str]:
        """The ids of the pages of an ids-only batch that differ from the stored copy."""
        rows = []
        for page in batch:
            page, _ = clean(page)
            rows.append(
                {
                    "id": page["id"],
                    "last_edited_time": page["last_edited_time"],
                    "in_trash": bool(page.get("in_trash")),
                    "computed": {
                        p["id"]: p for p in (page.get("properties") or {}).values() if p.get("id") in computed
                    },
                }
            )
        return self.ctx.store.drifted_pages(self.ctx.the_source.id, rows)
