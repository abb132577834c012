"""The property ids a query names in filter_properties (Notion-Version 2026-12-01 lists the title only otherwise),
cut into groups that each fit one URL."""

from __future__ import annotations

from urllib.parse import quote, unquote

from nls_engine.notion.client import FILTER_PARAM, id_groups


def _size(ids: list[str]) -> int:
    """The characters of ``&filter_properties=<id>`` for each id, percent-encoded once (as Notion gives ids)."""
    return sum(len(FILTER_PARAM) + 2 + len(quote(unquote(i), safe="")) for i in ids)


def test_ids_that_fit_go_in_one_group_in_their_order():
    assert id_groups(["title", "a%3Ab", "c"], 1000) == [["title", "a%3Ab", "c"]]
    assert id_groups([], 10) == [[]]


def test_ids_past_the_room_go_in_groups_that_each_fit_and_keep_every_id_once():
    ids = [f"%3C{i:03d}" for i in range(300)]
    groups = id_groups(ids, 2000)
    assert len(groups) > 1 and [i for g in groups for i in g] == ids
    assert all(_size(g) <= 2000 for g in groups)


def test_one_id_longer_than_the_room_still_gets_a_group_of_its_own():
    assert id_groups(["x" * 50, "y"], 10) == [["x" * 50], ["y"]]
