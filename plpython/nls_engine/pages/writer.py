"""Storing what a read brings: each batch of page objects hashed against the stored copy, the new and changed ones
completed, marked, given their content and upserted together (``nls._upsert_pages``); a page that cannot be
stored costs only itself, and holds the data source's watermark at its time so that the next run reads it again."""

from __future__ import annotations

from typing import Any

from ..notion.client import NotionError, RunDeadline
from ..run import RunContext
from ..text import clean
from .content import Content
from .page import complete_values, malformed, own_write, page_hash, staged_row, value_marks
from .schema import Schemas


class BatchWriter:
    """Writes the batches of one run of one source. ``ctx`` is the run's :class:`nls_engine.run.RunContext`;
    ``schemas`` the run's :class:`Schemas`; ``content_for``, when given, the only pages whose content is read (the
    webhook flow: pages Notion said had their content changed). ``hold``: the earliest ``last_edited_time`` of a
    page of the current data source that could not be stored (None when all were), which the watermark must not pass."""

    def __init__(self, ctx: RunContext, schemas: Schemas, content_for: set[str] | None = None):
        self.ctx, self.schemas, self.content_for = ctx, schemas, content_for
        self.content = Content(ctx.notion, ctx.settings.content_format, ctx.settings.content_max_depth, ctx.report)
        self.hold: str | None = None

    def begin_data_source(self) -> None:
        self.hold = None

    def write(self, ds_id: str, ds_name: str | None, batch: list[dict], in_order: bool = True) -> None:
        """Store the new and changed pages of ``batch``; unchanged ones (same hash, content stored where wanted)
        cost nothing. ``in_order``: the batch follows last_edited_time, so the watermark moves to its last row.
        Raises NotionError when an error ends the run."""
        ctx = self.ctx
        ctx.report.processed += len(batch)
        batch = [page for page in batch if self._readable(page)]
        if not batch:
            return
        self.schemas.note(ds_id, batch[0])
        stored = ctx.store.stored_hashes(ctx.the_source.id, [p["id"] for p in batch])
        rows = [row for row in (self._stage(ds_id, page, stored) for page in batch) if row is not None]
        if rows:
            self._upsert(rows)
        if in_order:
            ctx.store.save_state(ctx.the_source.id, ds_id, ds_name, self.hold or batch[-1]["last_edited_time"])
        ctx.checkpoint()

    def changes(self, batch: list[dict]) -> bool:
        """Whether a page of ``batch`` is not stored yet or differs from its stored copy (its hash): an edit, not the
        overlap of an incremental read coming again. Sends no request."""
        stored = self.ctx.store.stored_hashes(self.ctx.the_source.id, [p["id"] for p in batch])
        return any(stored.get(p["id"]) is None or stored[p["id"]]["sync_hash"] != page_hash(clean(p)[0]) for p in batch)

    def _stage(self, ds_id: str, page: dict, stored: dict) -> dict | None:
        """The row to upsert for one page, or None when it is unchanged or could not be read whole."""
        src, report = self.ctx.the_source, self.ctx.report
        page, cleaned = clean(page)
        report.cleaned_characters += cleaned
        h = page_hash(page)
        old = stored.get(page["id"])
        if (
            old is not None
            and old["sync_hash"] == h
            and not old["gone"]
            and (old["has_content"] or not src.with_content)
        ):
            return None
        if own_write(page, getattr(self.ctx.client, "bot_id", None)):
            report.count("own_writes")  # nls's own write coming back (its answer was not stored): no one's edit
        try:
            cut = complete_values(page, self.ctx.notion.property_items, report)
            row = staged_row(
                page, ds_id, h, value_marks(page, cut, lambda: self.schemas.rollup_relations(ds_id), report)
            )
            # a trashed page keeps the content stored
            if (
                src.with_content
                and not page.get("in_trash")
                and (self.content_for is None or page["id"] in self.content_for)
            ):
                row.update(self.content.read(page["id"]))
        except Exception as e:
            if self._ends_run(e):
                raise
            self.page_error(
                page, f"{e.code}: {e.message}" if isinstance(e, NotionError) else f"{type(e).__name__}: {e}"
            )
            return None
        return row

    def _ends_run(self, error: Exception) -> bool:
        """Whether an error met while staging one page ends the run (Notion's or the token's, the deadline, a
        cancel) rather than only that page."""
        if isinstance(error, NotionError):
            return error.ends_run
        return isinstance(error, RunDeadline) or self.ctx.store.interrupted(error)

    def _readable(self, page: Any) -> bool:
        """Whether a page object can be stored; another is recorded in the run's page errors (never holding the
        watermark: its time could not be read)."""
        why = malformed(page)
        if why is not None:
            self.ctx.report.page_error(
                page.get("id") if isinstance(page, dict) else None, f"malformed page object: {why}"
            )
        return why is None

    def _upsert(self, rows: list[dict]) -> None:
        """Upsert ``rows`` in one statement; when the batch fails, each row alone, so that only a bad page is lost."""
        ctx = self.ctx
        try:
            added, updated = ctx.store.upsert_pages(ctx.the_source.id, ctx.the_source.user_id, rows)
        except ctx.store.error as batch_error:
            if ctx.store.interrupted(batch_error):
                raise
            if len(rows) == 1:
                self.page_error(rows[0], f"database: {batch_error}")
                return
            for row in rows:
                self._upsert([row])
            return
        ctx.report.added += added
        ctx.report.updated += updated

    def page_error(self, page: dict, error: str) -> None:
        """A page that could not be stored: recorded in the run's page errors; it holds the watermark."""
        self.ctx.report.page_error(page.get("id") or page.get("page_id"), error)
        if self.hold is None or page["last_edited_time"] < self.hold:
            self.hold = page["last_edited_time"]

    def echo(self, ds_id: str, page: dict) -> dict:
        """Store a page object Notion answered to nls's own write (``PATCH /v1/pages/{id}``, ``POST /v1/pages``) or
        that a push read again (``GET /v1/pages/{id}``) as the new copy, through the path a read's pages take (text
        cleaned, hash, values completed past the 25-item cut, marks; the stored content kept: a property write
        changes none), so that the next read finds it unchanged and writes no row. Returns the page as stored.
        Counts nothing in the run's added/updated (a push counts Notion's pages, not the copy). Raises ValueError
        for a page object that cannot be stored, NotionError or the store's error."""
        report = self.ctx.report
        page, cleaned = clean(page)
        report.cleaned_characters += cleaned
        why = malformed(page)
        if why is not None:
            raise ValueError(f"Notion answered a page object nls cannot store: {why}")
        self.schemas.note(ds_id, page)
        h = page_hash(page)
        cut = complete_values(page, self.ctx.notion.property_items, report)
        marks = value_marks(page, cut, lambda: self.schemas.rollup_relations(ds_id), report)
        self.ctx.store.upsert_pages(
            self.ctx.the_source.id, self.ctx.the_source.user_id, [staged_row(page, ds_id, h, marks)]
        )
        return page
