"""The columns of typed views, decided without a database: names, kinds, and how they follow a schema."""

from __future__ import annotations

from nls_engine.typed_views.columns import (
    identifier,
    kinds,
    plan_follow,
    plan_fresh,
    plan_recreate,
    result_type,
    unique,
)

KEYWORDS = frozenset({"order", "select", "from", "user", "left"})


def obs(pid, name, ptype, **kw):
    return {
        "property_id": pid,
        "name": name,
        "type": ptype,
        "result_types": kw.pop("results", {}),
        "has_time": kw.pop("has_time", False),
        "has_end": kw.pop("has_end", False),
    }


def test_names_become_identifiers_that_need_no_quotes():
    assert identifier("Due Date") == "due_date"
    assert identifier("Concept/Premise") == "concept_premise"
    assert identifier("  --Weird__  name!! ") == "weird_name"
    assert identifier("Order", KEYWORDS) == "order_" and identifier("User", KEYWORDS) == "user_"
    assert identifier("2nd Stage") == "p_2nd_stage"
    assert identifier("Ｓｃｏｒｅ") == "score"  # noqa: RUF001 - NFKC: full-width letters, on purpose
    assert identifier("Größe") == "grösse" and identifier("中文 名") == "中文_名"
    assert identifier("") == identifier(None) == identifier("!!!") == "property"
    long = identifier("é" * 100)
    assert len(long.encode()) <= 63 and long == "é" * 31


def test_unique_names_take_a_suffix_within_63_bytes():
    taken = {"url", "name"}
    assert unique("url", taken) == "url_2" and unique("url", taken) == "url_3" and unique("x", taken) == "x"
    base = "a" * 63
    taken = {base}
    assert unique(base, taken) == "a" * 61 + "_2"


def test_each_notion_type_gets_its_kinds():
    assert kinds("title") == [("", "text")] and kinds("status") == [("", "text")]
    assert kinds("number") == [("", "number")] and kinds("checkbox") == [("", "boolean")]
    assert kinds("people") == [("", "ids"), ("_names", "names")]
    assert kinds("unique_id") == [("", "text"), ("_number", "unique_number")]
    assert kinds("date") == [("", "date")] and kinds("date", has_time=True) == [("", "timestamptz")]
    assert kinds("date", has_end=True) == [("", "range"), ("_start", "date"), ("_end", "date_end")]
    assert kinds("formula", "number") == [("", "number")] and kinds("rollup", "array") == [("", "texts")]
    assert kinds("formula", "date", has_time=True) == [("", "timestamptz")]
    assert kinds("formula", None) == [("", "text")] and kinds("button") == [("", "jsonb")]


def test_a_formula_takes_the_result_most_pages_hold_and_keeps_its_own_on_a_tie():
    o = obs("f", "F", "formula", results={"number": 3, "string": 3, "unsupported": 9})
    assert result_type(o) == "number" and result_type(o, "string") == "string"
    assert result_type(obs("f", "F", "formula", results={"unsupported": 2}), "date") == "date"


def test_a_fresh_view_puts_the_title_first_and_names_clear_of_the_fixed_columns():
    cols = plan_fresh(
        [
            obs("b", "URL", "url"),
            obs("title", "Task", "title"),
            obs("a", "Assignee", "people"),
            obs("c", "Order", "number"),
        ],
        KEYWORDS,
    )
    assert [c["column"] for c in cols] == ["task", "assignee", "assignee_names", "order_", "url_2"]
    assert [c["kind"] for c in cols] == ["text", "ids", "names", "number", "text"]


def test_following_keeps_names_through_a_rename_and_adds_retypes_removes_restores():
    base = [
        obs("title", "Task", "title"),
        obs("d", "Due", "date"),
        obs("x", "Notes", "rich_text"),
        obs("p", "Phone", "phone_number"),
    ]
    cols = plan_fresh(base)
    later = [
        obs("title", "Task", "title"),
        obs("d", "Deadline", "date", has_time=True, has_end=True),
        obs("x", "Notes", "number"),
        obs("n", "New", "checkbox"),
    ]
    new, changes = plan_follow(cols, later)
    by = {c["column"]: c for c in new}
    assert [c["column"] for c in new] == ["task", "due", "due_start", "due_end", "notes", "phone", "new"]
    assert by["due"]["kind"] == "range" and by["due"]["property"] == "Deadline"
    assert by["notes"]["kind"] == "number" and by["phone"]["removed"] and not by["new"]["removed"]
    assert [(c["change"], c["column_name"]) for c in changes] == [
        ("property_renamed", "due"),
        ("column_retyped", "due"),
        ("column_retyped", "notes"),
        ("property_removed", "phone"),
        ("column_added", "new"),
    ]
    assert plan_follow(new, later) == (new, [])  # nothing new: nothing changes
    # a date never narrows back; a removed property that comes back is restored under its old name
    narrower = [o if o["property_id"] != "d" else obs("d", "Deadline", "date") for o in later] + [base[3]]
    again, changes = plan_follow(new, narrower)
    assert {c["column"]: c["kind"] for c in again}["due"] == "range"
    assert [c["change"] for c in changes] == ["property_restored"] and not again[5]["removed"]


def test_making_a_view_again_renames_and_drops():
    cols = plan_fresh([obs("title", "Task", "title"), obs("s", "Score", "number"), obs("p", "Phone", "url")])
    new, changes = plan_recreate(cols, [obs("title", "Task", "title"), obs("s", "Points", "number")])
    assert [c["column"] for c in new] == ["task", "points"]
    assert [(c["change"], c.get("column_name")) for c in changes] == [
        ("recreated", None),
        ("column_dropped", "phone"),
        ("column_renamed", "points"),
    ]
    assert plan_recreate([], [obs("title", "Task", "title")])[1] == [
        {"change": "created", "detail": "1 property columns"}
    ]
