"""Two-way sync's pure parts (nls_engine.push.values, nls_engine.push.object): values within Notion's limits on
what is sent, values that say the same compare equal whatever their shape, and the decision per column (write,
conflict, agreed) with no database and no request."""

from __future__ import annotations

import pytest

from nls_engine.pages.page import own_event, own_write
from nls_engine.push.object import (
    content_hash,
    create_properties,
    decide,
    failure_hash,
    find_property,
    is_unchanged,
    resolve,
    retry_due,
)
from nls_engine.push.values import (
    Refused,
    Target,
    as_read,
    comparable,
    option_name,
    render,
    rich_text,
    split_text,
    utf16_units,
)

ANSWER = Target("back", "Answer", "c279", "rich_text")
STATUS = Target("status", "Status", "st01", "select", options=("To Learn", "Mastered", "True/False"))


def read_text(text: str, *more: str) -> dict:
    """A rich_text value as a read gives it."""
    return {
        "id": "c279",
        "type": "rich_text",
        "rich_text": [
            {"type": "text", "text": {"content": t, "link": None}, "plain_text": t, "href": None} for t in (text, *more)
        ],
    }


def test_a_long_text_goes_as_items_of_at_most_2000_characters_that_join_back_into_it():
    text = "".join(chr(0x41 + i % 26) for i in range(2500))
    pieces = split_text(text)
    assert [len(p) for p in pieces] == [2000, 500] and "".join(pieces) == text
    assert split_text("") == [] and rich_text(None) == []
    assert len(split_text("x" * 200_000)) == 100


def test_characters_are_counted_as_notion_counts_them_and_never_split():
    text = "a" * 1999 + "\U0001f9e0" + "b"
    pieces = split_text(text)
    assert pieces == ["a" * 1999, "\U0001f9e0b"] and all(utf16_units(p) <= 2000 for p in pieces)
    assert utf16_units("\U0001f9e0") == 2


def test_a_text_past_100_items_is_refused_saying_why():
    with pytest.raises(Refused, match=r"200,001 characters takes 101 rich text items .* at most 100"):
        split_text("x" * 200_001)


def test_values_are_rendered_for_their_property_type():
    assert render("Hi", ANSWER) == {"rich_text": [{"type": "text", "text": {"content": "Hi"}}]}
    assert render(None, ANSWER) == {"rich_text": []}
    assert render(7.5, Target("s", "Score", "n", "number")) == {"number": 7.5}
    assert render("3.0", Target("s", "Score", "n", "number")) == {"number": 3}
    assert render(None, Target("s", "Score", "n", "number")) == {"number": None}
    assert render(True, Target("d", "Done", "c", "checkbox")) == {"checkbox": True}
    assert render("2026-03-01", Target("d", "Due", "d", "date")) == {"date": {"start": "2026-03-01"}}
    assert render("abc-1", Target("concept_id", "Concept", "r", "relation", reference=True)) == {
        "relation": [{"id": "abc-1"}]
    }
    assert render(None, Target("concept_id", "Concept", "r", "relation", reference=True)) == {"relation": []}
    with pytest.raises(Refused, match="not a number"):
        render("seven", Target("s", "Score", "n", "number"))


def test_a_property_notion_computes_is_never_written():
    with pytest.raises(Refused, match="'Total' is a formula property, which Notion computes"):
        render(3, Target("score", "Total", "f", "formula"))


def test_a_select_value_finds_its_option_by_name_or_as_nls_reads_it():
    assert option_name("Mastered", STATUS) == "Mastered"
    assert option_name("mastered", STATUS) == "Mastered"
    assert option_name("to_learn", STATUS) == "To Learn" and option_name("true_false", STATUS) == "True/False"
    assert option_name("anything", Target("status", "Status", "s", "select")) == "anything"  # options not known


def test_a_select_value_that_is_no_option_is_refused_unless_options_may_be_created():
    with pytest.raises(Refused, match=r"'stale' is no option of the select property 'Status' .*create_options"):
        render("stale", STATUS)
    allowed = Target("status", "Status", "st01", "select", create_options=True, options=STATUS.options)
    assert render("stale", allowed) == {"select": {"name": "stale"}}
    with pytest.raises(Refused, match="no comma"):
        render("a, b", allowed)
    with pytest.raises(Refused, match="Notion adds status options only in its own editor"):
        render("stale", Target("status", "Status", "s", "status", create_options=True, options=("Done",)))


def test_more_than_100_relations_are_refused():
    with pytest.raises(Refused, match="101 items for the relation property 'Concept'"):
        render([f"id-{i}" for i in range(101)], Target("concept_id", "Concept", "r", "relation"))


def test_what_nls_sends_and_what_notion_answers_compare_equal_when_they_say_the_same():
    sent = render("x" * 2500, ANSWER)
    assert comparable(sent) == comparable(read_text("x" * 2000, "x" * 500)) == "x" * 2500
    assert comparable(read_text("")) is None and comparable({"type": "rich_text", "rich_text": []}) is None
    assert comparable({"select": {"name": "Mastered"}}) == comparable(
        {"type": "select", "select": {"id": "1", "name": "Mastered", "color": "red"}}
    )
    assert comparable({"number": 7.5}) == comparable({"type": "number", "number": 7.50})
    assert comparable({"date": {"start": "2026-03-01T10:00:00Z"}}) == comparable(
        {"type": "date", "date": {"start": "2026-03-01T11:00:00.000+01:00", "end": None}}
    )
    assert comparable({"relation": [{"id": "AB-CD"}]}) == comparable(
        {"type": "relation", "relation": [{"id": "abcd"}], "has_more": False}
    )
    assert comparable(None) is None
    assert as_read(render("Hi", ANSWER), ANSWER)["rich_text"][0]["plain_text"] == "Hi"


PROPS = {
    "Question": {"id": "title", "type": "title"},
    "Answer": read_text("Old answer"),
    "Status": {"id": "st01", "type": "select", "select": {"name": "To Learn"}},
}
COLUMNS = [
    {"column_name": "back", "keys": ["c279", "Answer"], "create_options": False, "ref_table": None},
    {"column_name": "front", "keys": ["Question"], "create_options": False, "ref_table": None},
    {"column_name": "atom_type", "keys": ["Type"], "create_options": False, "ref_table": None},
]


def test_each_pushed_column_finds_its_property_by_stable_id_then_name():
    targets, skipped = resolve(COLUMNS, PROPS)
    assert targets["back"] == Target("back", "Answer", "c279", "rich_text")
    assert targets["front"].id == "title" and targets["front"].type == "title"
    assert "Type" in skipped["atom_type"]
    renamed = {"Response": PROPS["Answer"]}  # renamed in Notion: the id still finds it
    assert resolve(COLUMNS[:1], renamed)[0]["back"].name == "Response"
    found = find_property({"X": {"id": "%3CnJT", "type": "number"}}, ["<nJT"])
    assert found is not None and found[0] == "X"


def test_a_column_changed_only_here_is_written_and_one_changed_on_both_sides_is_a_conflict():
    targets = resolve(COLUMNS, PROPS)[0]
    base = read_text("Old answer")
    d = decide({"back": base}, {"back": "New answer"}, targets, PROPS)
    assert list(d.writes) == ["back"] and d.properties() == {"c279": render("New answer", ANSWER)}
    edited = dict(PROPS, Answer=read_text("Notion's answer"))
    d = decide({"back": base}, {"back": "New answer"}, targets, edited)
    assert d.writes == {} and d.conflicts["back"]["notion"] == edited["Answer"]
    assert comparable(d.conflicts["back"]["local"]) == "New answer" and d.conflicts["back"]["base"] == base
    d = decide({"back": base}, {"back": "Notion's answer"}, targets, edited)  # both sides agree already
    assert d.writes == {} and d.conflicts == {} and list(d.agreed) == ["back"]
    d = decide({"atom_type": None}, {"atom_type": "cloze"}, targets, PROPS)
    assert list(d.skipped) == ["atom_type"]


def test_a_new_page_carries_every_pushed_column_that_holds_a_value():
    targets = resolve(COLUMNS, PROPS)[0]
    assert create_properties({"front": "Q?", "back": None}, targets) == {"title": render("Q?", targets["front"])}


def test_the_objects_hash_says_when_nothing_changed_and_failures_wait_for_a_change():
    local = {"back": "x", "front": "y"}
    h = content_hash(local)
    assert h == content_hash({"front": "y", "back": "x"}) and len(h) == 64
    assert is_unchanged({"status": "pending", "sync_hash": h}, h)
    assert not is_unchanged({"status": "pending", "sync_hash": h, "conflict": {"back": {}}}, h)
    failed = {
        "status": "failed",
        "last_error_code": "refused",
        "failed_hash": failure_hash(local, COLUMNS),
        "local": local,
    }
    assert not retry_due(failed, COLUMNS)
    assert retry_due(dict(failed, local={"back": "z", "front": "y"}), COLUMNS)  # changed here
    assert retry_due(failed, COLUMNS[:1])  # another push map
    assert retry_due(dict(failed, last_error_code="bad_gateway"), COLUMNS)  # transient
    taken = dict(
        failed,
        last_error_code="card_id_taken",
        new_card={"card_id": "NLS-0A1B2C3D4E5F", "held_by": {"atom_id": "b", "page_id": "p"}},
    )
    assert not retry_due(taken, COLUMNS)  # still held by another atom
    assert retry_due(dict(taken, new_card={"card_id": "NLS-0A1B2C3D4E5F", "held_by": None}), COLUMNS)  # free now


def test_nls_own_writes_are_told_by_their_author_the_integrations_bot():
    assert own_write({"last_edited_by": {"object": "user", "id": "bot-1"}}, "bot-1")
    assert not own_write({"last_edited_by": {"object": "user", "id": "person-1"}}, "bot-1")
    assert not own_write({"last_edited_by": {"object": "user", "id": "bot-1"}}, None)
    assert own_event([{"id": "bot-1", "type": "bot"}], "bot-1")
    assert not own_event([{"id": "bot-1", "type": "bot"}, {"id": "person-1", "type": "person"}], "bot-1")
    assert not own_event([], "bot-1")
