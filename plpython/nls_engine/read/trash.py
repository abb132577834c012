"""The trash, seen within one run: pages trashed in Notion leave every data source query without a trace,
so a scheduled run of a user asks Notion's trash listing which pages were trashed since the last look.

The call: ``POST /v1/search`` with ``filter: {"property": "object", "value": "page", "in_trash": true}`` sorted by
``last_edited_time`` descending, 100 pages an answer, read only back to the last look less ``overlap_s`` (trashing a
page moves its ``last_edited_time``). One request per user and run, whatever the number of data sources, unless
more than 100 pages were trashed since the last look (then one more per 100). Stored pages it names are marked
``in_trash`` at once, with Notion's ``last_edited_time`` and hash (from Notion-Version 2026-12-01 on, which lists
the title only, the stored hash marked as trashed), so that the reconciliation finds nothing drifted;
pages nls does not store are passed over. The first look of an integration only notes the time: full reads and the
reconciliation cover what came before.
"""

from __future__ import annotations

from ..pages.page import page_hash
from ..run import RunContext
from ..text import clean


class TrashLook:
    """A user's flow (:class:`nls_engine.run.UserRun`): the pages trashed since the last look."""

    kind = "notion_trash"

    def execute(self, ctx: RunContext) -> None:
        """Read the trash back to the last look (less overlap_s) and mark the stored pages it names. Raises
        NotionError or RunDeadline (the run records them)."""
        store, report = ctx.store, ctx.report
        began = store.clock()
        since = store.trash_since(ctx.user_id, ctx.settings.overlap_s)
        report.findings["trash_since"] = since
        if since is not None:
            listed = []
            for page in ctx.notion.trash(since):
                page, _ = clean(page)
                # 2026-12-01 on the listing gives the title only: the stored copy keeps its properties and hash
                whole = {} if ctx.notion.lists_title_only else {"sync_hash": page_hash(page)}
                report.processed += 1
                listed.append({"page_id": page.get("id"), "last_edited_time": page.get("last_edited_time"), **whole})
            report.findings["trashed_listed"] = len(listed)
            marked = store.mark_trashed(ctx.user_id, [p for p in listed if p["page_id"] and p["last_edited_time"]])
            report.removed += marked
            if marked:
                report.count("trashed_seen", marked)
        store.save_trash_checked(ctx.user_id, began)
