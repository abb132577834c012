"""One page read again (``GET /v1/pages/{id}``), gone when Notion says so: the one way the reconciliation, the push
and the webhook events read a page they know by its id."""

from __future__ import annotations

from ..notion.client import NotionError
from ..run import RunContext


def fetch_page(ctx: RunContext, page_id: str) -> dict | None:
    """``GET /v1/pages/{id}`` of a page of ``ctx.source`` (a run's RunContext). A 404 (deleted for good, or no longer
    shared with the integration) marks the stored copy gone (``nls._mark_gone``), counts it in the run's removed
    pages and returns None. Raises Notion's other errors."""
    try:
        return ctx.notion.page(page_id)
    except NotionError as e:
        if e.status != 404:
            raise
    ctx.store.mark_gone(ctx.the_source.id, page_id)
    ctx.report.removed += 1
    return None
