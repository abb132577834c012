"""One page object (nls_engine.pages.page): the hash that decides whether a page changed, the staged row, values
read past Notion's 25-item cut, and the marks on values that are not Notion's true value."""

from __future__ import annotations

import copy

from fakes import page, title
from nls_engine.pages.page import complete_values, is_cut, page_hash, staged_row, value_marks
from nls_engine.report import RunReport


def rich(n: int) -> dict:
    return {"id": "rt", "type": "rich_text", "rich_text": [{"type": "text", "plain_text": f"w{i} "} for i in range(n)]}


def test_the_hash_does_not_depend_on_key_order_but_on_every_value():
    a = page(1, edited=3, Name=title("x"), Notes=rich(2))
    b = copy.deepcopy(a)
    b["properties"] = dict(reversed(list(b["properties"].items())))
    assert page_hash(a) == page_hash(b)
    b["properties"]["Notes"]["rich_text"][0]["plain_text"] = "other"
    assert page_hash(a) != page_hash(b)


def test_the_hash_counts_the_edit_time_and_the_trash_but_not_other_page_fields():
    a = page(1, edited=3, Name=title("x"))
    assert page_hash(a) != page_hash(dict(a, last_edited_time="2026-02-01T00:00:00.000Z"))
    assert page_hash(a) != page_hash(dict(a, in_trash=True))
    assert page_hash(a) == page_hash(dict(a, url="https://www.notion.so/elsewhere", icon={"type": "emoji"}))


def test_a_new_signature_of_a_notion_hosted_file_is_not_a_change():
    def with_url(url):
        return page(
            1,
            edited=3,
            Files={
                "id": "f",
                "type": "files",
                "files": [
                    {"name": "a.pdf", "type": "file", "file": {"url": url, "expiry_time": "2026-01-01T01:00:00.000Z"}}
                ],
            },
        )

    signed = "https://prod-files.s3.amazonaws.com/ws/a.pdf?X-Amz-Signature="
    assert page_hash(with_url(signed + "111")) == page_hash(with_url(signed + "222"))
    assert page_hash(with_url(signed + "111")) != page_hash(
        with_url("https://prod-files.s3.amazonaws.com/ws/b.pdf?X=1")
    )


def test_the_hash_takes_lone_surrogates_without_failing():
    assert len(page_hash(page(1, edited=1, Name=title("bad \ud800 text")))) == 64


def test_the_staged_row_keeps_properties_apart_from_the_rest_of_the_page():
    p = page(7, edited=2, created=1, Name=title("x"))
    row = staged_row(p, "ds-1", "h", {"m": 1})
    assert row["page_id"] == p["id"] and row["data_source_id"] == "ds-1" and row["properties"] == p["properties"]
    assert "properties" not in row["page"] and row["page"]["id"] == p["id"]
    assert (row["created_time"], row["last_edited_time"], row["in_trash"], row["sync_hash"], row["value_marks"]) == (
        p["created_time"],
        p["last_edited_time"],
        False,
        "h",
        {"m": 1},
    )


def test_only_values_at_the_cut_are_cut():
    assert is_cut(rich(25)) and not is_cut(rich(24)) and not is_cut(rich(26))
    assert is_cut({"id": "r", "type": "relation", "relation": [{"id": "a"}], "has_more": True})
    assert not is_cut({"id": "r", "type": "relation", "relation": [{"id": "a"}] * 25, "has_more": False})
    assert not is_cut({"id": "m", "type": "multi_select", "multi_select": [{"name": "a"}] * 25})


def test_cut_values_are_read_whole_and_the_others_cost_no_request():
    p = page(
        1,
        edited=1,
        Notes=rich(25),
        Short=dict(rich(3), id="s"),
        Links={"id": "rel", "type": "relation", "relation": [{"id": f"p{i}"} for i in range(25)], "has_more": True},
    )
    asked = []

    def items(page_id, property_id):
        asked.append(property_id)
        if property_id == "rel":
            return [{"object": "property_item", "type": "relation", "relation": {"id": f"p{i}"}} for i in range(60)]
        return [
            {"object": "property_item", "type": "rich_text", "rich_text": {"plain_text": f"w{i}\x00"}}
            for i in range(30)
        ]

    report = RunReport("notion_full")
    cut = complete_values(p, items, report)
    assert sorted(asked) == ["rel", "rt"] and cut == {"rel": 60}
    assert len(p["properties"]["Links"]["relation"]) == 60 and p["properties"]["Links"]["has_more"] is False
    assert [t["plain_text"] for t in p["properties"]["Notes"]["rich_text"]][-1] == "w29"  # NUL removed
    assert report.cleaned_characters == 30 and report.counts["completed_values"] == 2


def test_an_unsupported_formula_is_marked_unknown():
    p = page(1, edited=1, Score={"id": "f1", "type": "formula", "formula": {"type": "unsupported"}})
    report = RunReport("notion_full")
    assert value_marks(p, {}, dict, report) == {"f1": {"property": "Score", "type": "formula", "mark": "unsupported"}}
    assert report.counts == {"unsupported_values": 1}


def test_a_rollup_over_a_cut_relation_is_marked_with_the_relation_it_reads():
    p = page(
        1,
        edited=1,
        Total={"id": "ro1", "type": "rollup", "rollup": {"type": "number", "number": 25}},
        Other={"id": "ro2", "type": "rollup", "rollup": {"type": "number", "number": 1}},
    )
    marks = value_marks(p, {"rel": 60}, lambda: {"ro1": "rel", "ro2": "elsewhere"}, RunReport("notion_full"))
    assert marks == {
        "ro1": {
            "property": "Total",
            "type": "rollup",
            "mark": "computed_over_cut_relation",
            "relation_property_id": "rel",
            "related": 60,
        }
    }


def test_when_the_schema_does_not_say_every_rollup_of_a_cut_page_is_marked_and_without_a_cut_none_is():
    p = page(1, edited=1, Total={"id": "ro1", "type": "rollup", "rollup": {"type": "number", "number": 25}})
    assert set(value_marks(p, {"rel": 30}, dict, RunReport("notion_full"))) == {"ro1"}

    def schema_never_read():
        raise AssertionError("the schema is read only for a page with a cut relation and a rollup")

    assert value_marks(p, {}, schema_never_read, RunReport("notion_full")) == {}


def test_a_page_object_the_engine_cannot_read_says_why():
    from nls_engine.pages.page import malformed

    good = page(1, edited=3, Name=title("x"))
    assert malformed(good) is None
    assert "no id" in (malformed({k: v for k, v in good.items() if k != "id"}) or "")
    assert "not-a-time" in (malformed(dict(good, last_edited_time="not-a-time")) or "")
    assert "is not a time" in (malformed(dict(good, created_time="2026-01-01")) or "")  # a date, not a date-time
    assert "a rich_text value" in (
        malformed(dict(good, properties={"Notes": {"type": "rich_text", "rich_text": "x"}})) or ""
    )
    assert "a number value" in (malformed(dict(good, properties={"N": {"type": "number", "number": "7"}})) or "")
    assert "a checkbox value" in (malformed(dict(good, properties={"C": {"type": "checkbox", "checkbox": None}})) or "")
    assert "not a property value" in (malformed(dict(good, properties={"X": "plain"})) or "")
    assert "JSON object" in (malformed(["not", "a", "page"]) or "")
    # values of types the engine does not read, and empty values, are fine
    assert (
        malformed(
            dict(
                good,
                properties={
                    "B": {"type": "button", "button": {}},
                    "S": {"type": "select", "select": None},
                    "N": {"type": "number", "number": None},
                },
            )
        )
        is None
    )
