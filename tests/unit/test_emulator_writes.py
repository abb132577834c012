"""The emulator's writes (nls_emulator.writes) check what Notion checks, with no server and no database: names and ids
that exist, each type's shape, 2,000 characters per rich text item, 100 items, no write to a computed property,
select options created as Notion creates them, status options that must exist."""

from __future__ import annotations

import pytest

from nls_emulator.model import Workspace
from nls_emulator.writes import Invalid, page_values

PAGE = "11111111-1111-4111-8111-111111111111"


def data_source() -> dict:
    return {
        "properties": {
            "Name": {"id": "title", "name": "Name", "type": "title", "title": {}},
            "Notes": {"id": "n%3A1", "name": "Notes", "type": "rich_text", "rich_text": {}},
            "Score": {"id": "sc", "name": "Score", "type": "number", "number": {}},
            "Total": {"id": "to", "name": "Total", "type": "formula", "formula": {"expression": "1"}},
            "Kind": {"id": "ki", "name": "Kind", "type": "select", "select": {"options": [{"id": "a", "name": "A"}]}},
            "State": {
                "id": "st",
                "name": "State",
                "type": "status",
                "status": {"options": [{"id": "d", "name": "Done"}]},
            },
            "Links": {"id": "li", "name": "Links", "type": "relation", "relation": {}},
        }
    }


def workspace() -> Workspace:
    ws = Workspace()
    ws.pages[PAGE] = {"id": PAGE, "properties": {}}
    return ws


def item(text: str) -> dict:
    return {"type": "text", "text": {"content": text}}


def test_values_are_stored_by_name_as_notion_answers_them():
    ds = data_source()
    out = page_values(
        ds,
        {
            "title": {"title": [item("Hi")]},
            "n%3A1": [item("x" * 2000), item("y")],
            "Score": {"number": 4.5},
            "Kind": {"select": {"name": "A"}},
            "Links": {"relation": [{"id": PAGE.replace("-", "")}]},
        },
        workspace(),
    )
    assert out["Name"][0]["plain_text"] == "Hi" and [i["plain_text"] for i in out["Notes"]] == ["x" * 2000, "y"]
    assert out["Score"] == 4.5 and out["Kind"] == {"id": "a", "name": "A", "color": "default"}
    assert out["Links"] == [{"id": PAGE}]


@pytest.mark.parametrize(
    "properties, message",
    [
        ({"Nope": {"rich_text": []}}, "Nope is not a property that exists."),
        (
            {"Notes": [item("x" * 2001)]},
            "body.properties.Notes.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`",
        ),
        ({"Notes": [item("x")] * 101}, "body.properties.Notes.rich_text.length should be ≤ `100`, instead was `101`"),
        ({"Total": {"formula": {"number": 1}}}, "a formula property is computed by Notion"),
        ({"Score": {"number": "4"}}, "body.properties.Score.number should be a number or `null`"),
        ({"Score": {"rich_text": []}}, "body.properties.Score.number should be defined"),
        ({"State": {"status": {"name": "Later"}}}, 'Status option "Later" does not exist'),
        ({"Kind": {"select": {"name": "B, C"}}}, "holds no comma"),
        ({"Links": {"relation": [{"id": "22222222-2222-4222-8222-222222222222"}]}}, "Could not find page with ID"),
    ],
)
def test_what_notion_refuses_is_refused_with_its_words_and_nothing_changes(properties, message):
    ds = data_source()
    before = repr(ds)
    with pytest.raises(Invalid) as e:
        page_values(ds, properties, workspace())
    assert message in str(e.value)
    assert repr(ds) == before


def test_a_select_option_that_does_not_exist_is_created_as_notion_does():
    ds = data_source()
    out = page_values(ds, {"Kind": {"select": {"name": "Typo"}}}, workspace())
    assert out["Kind"]["name"] == "Typo"
    assert [o["name"] for o in ds["properties"]["Kind"]["select"]["options"]] == ["A", "Typo"]
