"""Page content, for sources ``with_content``: Markdown (``GET /v1/pages/{id}/markdown``, one request a changed page)
and, for what Markdown cannot hold, the block tree (``GET /v1/blocks/{id}/children``), as ``content_format`` says."""

from __future__ import annotations

from typing import Any

from ..notion.client import NotionClient, NotionError
from ..report import RunReport
from ..text import clean


class Content:
    """Reads one page's content at a time. ``fmt`` is the content_format setting (markdown, blocks, both) and
    ``max_depth`` the content_max_depth one."""

    def __init__(self, client: NotionClient, fmt: str, max_depth: int, report: RunReport):
        self.client, self.fmt, self.max_depth, self.report = client, fmt or "markdown", max_depth, report

    def read(self, page_id: str) -> dict:
        """The page's content, cleaned: ``{"markdown": str}`` from the markdown endpoint, with ``{"content":
        [blocks]}`` beside it for what Markdown could not hold (the whole block walk for a truncated page, the
        unknown blocks' trees otherwise), or the block walk alone (``blocks``), or both. Where the markdown
        endpoint is not served (400/404 on it), the block walk stands in. Raises NotionError."""
        fmt, out = self.fmt, dict[str, Any]()
        if fmt in ("markdown", "both"):
            fmt = self._markdown(page_id, fmt, out)
        if fmt in ("blocks", "both"):
            out["content"] = self._walk(page_id)
        out, cleaned = clean(out)
        self.report.cleaned_characters += cleaned
        return out

    def _markdown(self, page_id: str, fmt: str, out: dict) -> str:
        """Fill ``out["markdown"]`` (and the unknown blocks' trees); returns the format still to read."""
        try:
            md = self.client.markdown(page_id)
        except NotionError as e:
            if e.status not in (400, 404):
                raise
            self.report.count("markdown_unavailable")
            return "blocks"
        out["markdown"] = md.get("markdown") or ""
        if md.get("truncated"):
            self.report.count("markdown_truncated")
            return "both"
        if md.get("unknown_block_ids") and fmt == "markdown":
            self.report.count("markdown_unknown_blocks", len(md["unknown_block_ids"]))
            out["content"] = [self._block_with_children(b) for b in md["unknown_block_ids"]]
        return fmt

    def _block_with_children(self, block_id: str) -> dict:
        block = self.client.block(block_id)
        if block.get("has_children") and block.get("type") not in ("child_page", "child_database"):
            block["children"] = self._walk(block_id)
        return block

    def _walk(self, block_id: str) -> list[dict]:
        """The block tree under ``block_id``; a cut at max_depth is recorded as a limit (the run ends partial)."""
        blocks, cut = self.client.block_tree(block_id, self.max_depth)
        if cut:
            self.report.limit("content_max_depth", page_id=block_id)
        return blocks
