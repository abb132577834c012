"""Notion blocks as Markdown, for ``GET /v1/pages/{id}/markdown`` (``markdown``, ``truncated``,
``unknown_block_ids``)."""

from __future__ import annotations

_SIMPLE = {
    "paragraph": "{text}",
    "heading_1": "# {text}",
    "heading_2": "## {text}",
    "heading_3": "### {text}",
    "heading_4": "#### {text}",
    "bulleted_list_item": "- {text}",
    "numbered_list_item": "1. {text}",
    "quote": "> {text}",
    "toggle": "- {text}",
    "callout": "> {text}",
}


def _text(block: dict) -> str:
    body = block.get(block.get("type"), {}) or {}
    return "".join(r.get("plain_text", "") for r in body.get("rich_text") or [])


def render(workspace, page_id: str, block_limit: int) -> tuple[str, bool, list[str]]:
    """Render a page's block tree: returns (markdown, truncated, unknown block ids). ``truncated`` is set
    when the page holds more than ``block_limit`` blocks; blocks of a type with no Markdown form are left
    out and listed in ``unknown_block_ids``."""
    lines: list[str] = []
    unknown: list[str] = []
    count = 0
    truncated = False

    def walk(parent: str, depth: int) -> None:
        nonlocal count, truncated
        for bid in workspace.children.get(parent, []):
            block = workspace.blocks.get(bid)
            if block is None or bid in workspace.hidden:
                continue
            if count >= block_limit:
                truncated = True
                return
            count += 1
            t = block.get("type")
            indent = "  " * depth
            if t in _SIMPLE:
                lines.append(indent + _SIMPLE[t].format(text=_text(block)))
            elif t == "to_do":
                done = "x" if (block.get("to_do") or {}).get("checked") else " "
                lines.append(f"{indent}- [{done}] {_text(block)}")
            elif t == "code":
                lang = (block.get("code") or {}).get("language", "")
                lines.append(f"{indent}```{lang}\n{_text(block)}\n{indent}```")
            elif t == "divider":
                lines.append(indent + "---")
            elif t == "equation":
                lines.append(f"{indent}$$ {(block.get('equation') or {}).get('expression', '')} $$")
            elif t == "child_page":
                lines.append(f"{indent}<page>{(block.get('child_page') or {}).get('title', '')}</page>")
            elif t in ("column_list", "column", "synced_block"):
                pass
            else:
                unknown.append(bid)
                continue
            source = ((block.get("synced_block") or {}).get("synced_from") or {}).get("block_id")
            if t == "synced_block" and source:
                walk(source, depth)  # a synced copy shows its original's children
            elif block.get("has_children") and t not in ("child_page", "child_database"):
                walk(bid, depth + (0 if t in ("column_list", "column", "synced_block") else 1))

    walk(page_id, 0)
    return "\n".join(lines), truncated, unknown
