"""Page content (nls_engine.pages.content): Markdown first, blocks for what it cannot hold, as content_format says."""

from __future__ import annotations

from nls_engine.notion.client import NotionError
from nls_engine.pages.content import Content
from nls_engine.report import RunReport


class Client:
    def __init__(self, markdown=None, error=None, cut=False):
        self.md, self.error, self.cut, self.asked = markdown, error, cut, []

    def markdown(self, page_id):
        self.asked.append(("markdown", page_id))
        if self.error:
            raise self.error
        return self.md

    def block_tree(self, block_id, depth):
        self.asked.append(("tree", block_id))
        return [{"id": f"{block_id}-child", "text": "b\x00"}], self.cut

    def block(self, block_id):
        self.asked.append(("block", block_id))
        return {"id": block_id, "type": "table", "has_children": True}


def read(client, fmt="markdown"):
    report = RunReport("notion_full")
    return Content(client, fmt, 5, report).read("p1"), report, client.asked


def test_markdown_alone_costs_one_request():
    out, report, asked = read(Client({"markdown": "# Title\x00", "truncated": False, "unknown_block_ids": []}))
    assert out == {"markdown": "# Title"} and asked == [("markdown", "p1")] and report.cleaned_characters == 1


def test_blocks_markdown_cannot_hold_are_fetched_with_their_children():
    out, report, asked = read(Client({"markdown": "x", "truncated": False, "unknown_block_ids": ["b1"]}))
    assert out["content"] == [
        {"id": "b1", "type": "table", "has_children": True, "children": [{"id": "b1-child", "text": "b"}]}
    ]
    assert asked == [("markdown", "p1"), ("block", "b1"), ("tree", "b1")]
    assert report.counts == {"markdown_unknown_blocks": 1}


def test_a_truncated_page_gets_the_whole_block_walk_beside_its_markdown():
    out, report, asked = read(Client({"markdown": "part", "truncated": True, "unknown_block_ids": ["b1"]}))
    assert out["markdown"] == "part" and asked[-1] == ("tree", "p1") and report.counts == {"markdown_truncated": 1}


def test_without_the_markdown_endpoint_the_block_walk_stands_in():
    out, report, _ = read(Client(error=NotionError(404, "object_not_found", "no markdown")))
    assert "markdown" not in out and out["content"][0]["id"] == "p1-child"
    assert report.counts == {"markdown_unavailable": 1}


def test_blocks_format_never_asks_for_markdown_and_a_depth_cut_is_a_limit():
    _out, report, asked = read(Client(cut=True), fmt="blocks")
    assert asked == [("tree", "p1")] and report.limits == [{"limit": "content_max_depth", "page_id": "p1"}]
