"""What nls writes into an Anki collection for one atom and how it reads a card back (nls_engine.anki.note), and the
checks of an Anki account's arguments (nls_engine.anki.account): no database, no Anki library."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from nls_engine.anki import account as anki_account, note as anki_note
from nls_engine.anki.note import (
    card_stats,
    concept_tag,
    deck_name,
    difficulty,
    ease,
    guid,
    merged_tags,
    note_for,
    to_html,
    to_text,
)

ROOT = Path(__file__).resolve().parents[2]
ATOM = {
    "atom_id": "5b0c7a8e-0000-4000-8000-000000000001",
    "notion_id": "3a91568f-3bee-4245-9cdc-fd2740c30039",
    "card_id": "NET-M1-001-DEC",
    "atom_type": "flashcard",
    "front": "What is <TCP>?",
    "back": "Transmission Control\nProtocol & more",
    "program": "CS Degree",
    "track": "Networks",
    "module": "Week 1",
    "area": "Computer Science",
    "cluster": "Protocols",
    "concept": "Transport layer",
}


def test_a_flashcard_becomes_an_nls_basic_note_with_escaped_fields_card_id_and_notion_link():
    spec = note_for(ATOM)
    assert spec.notetype == "nls Basic" and spec.kind == "basic"
    assert spec.fields == (
        "What is &lt;TCP&gt;?",
        "Transmission Control<br>Protocol &amp; more",
        "NET-M1-001-DEC",
        '<a href="https://www.notion.so/3a91568f3bee42459cdcfd2740c30039">'
        'https://www.notion.so/3a91568f3bee42459cdcfd2740c30039</a>',
    )
    assert spec.deck == "CS Degree::Networks::Week 1" and spec.tags == ("concept::Transport_layer",)


def test_a_cloze_keeps_its_deletions_and_becomes_an_nls_cloze_note():
    spec = note_for(dict(ATOM, atom_type="cloze", front="The {{c1::transport}} layer."))
    assert spec.notetype == "nls Cloze" and spec.fields[0] == "The {{c1::transport}} layer."


def test_the_guid_is_stable_per_atom_and_kind_and_differs_between_them():
    assert guid("page-a", "basic") == guid("page-a", "basic") == note_for(dict(ATOM, notion_id="page-a")).guid
    assert len({guid("page-a", "basic"), guid("page-b", "basic"), guid("page-a", "cloze")}) == 3
    assert re.fullmatch(r"nls[A-Za-z0-9_-]{16}", guid("page-a", "basic"))
    # an atom without a Notion page (an approved review's) is keyed by its id
    assert note_for(dict(ATOM, notion_id=None)).atom_key == f"atom:{ATOM['atom_id']}"
    assert note_for(dict(ATOM, notion_id=None)).fields[3] == ""


def test_the_deck_is_the_curriculum_else_the_knowledge_tree_else_notion():
    assert deck_name(dict(ATOM, program=None)) == "Networks::Week 1"
    assert deck_name(dict(ATOM, module=None)) == "Computer Science::Protocols"
    assert deck_name(dict(ATOM, module=None, cluster=None)) == "Computer Science"
    assert deck_name({"module": None, "area": None, "cluster": None}) == "Notion"
    assert deck_name(dict(ATOM, module="A::B ")) == "CS Degree::Networks::A:B"  # no level of our own making


def test_tags_the_concept_and_keeps_the_learners_own_tags():
    assert concept_tag(" Three  word name ") == "concept::Three_word_name" and concept_tag(None) is None
    assert merged_tags(["mine", "concept::Old", "nls::removed_from_notion"], ("concept::New",)) == [
        "mine",
        "concept::New",
    ]


def test_the_content_hash_follows_fields_deck_and_tags_and_the_fields_hash_only_the_fields():
    spec = note_for(ATOM)
    moved = note_for(dict(ATOM, module="Week 2"))
    assert moved.content_hash != spec.content_hash and moved.fields_hash == spec.fields_hash
    edited = note_for(dict(ATOM, back="Another answer"))
    assert edited.content_hash != spec.content_hash and edited.fields_hash != spec.fields_hash
    assert note_for(dict(ATOM)).content_hash == spec.content_hash


def test_an_anki_field_reads_back_as_the_text_it_was_written_from():
    for text in ("What is <TCP>?", "two\nlines & an ampersand", "The {{c1::cloze}} stays", ""):
        assert to_text(to_html(text)) == text
    assert to_text("<div>one</div><div>two</div>") == "one\ntwo" and to_text("a&nbsp;b<b>!</b>") == "a b!"


def test_fsrs_difficulty_maps_anki_1_to_10_onto_0_to_1_and_ease_is_permille():
    assert [difficulty(d) for d in (1.0, 5.5, 10.0, 11.0, None)] == [0.0, 0.5, 1.0, 1.0, None]
    assert difficulty(2.118) == 0.12
    assert ease(2500) == 2.5 and ease(1300) == 1.3 and ease(0) is None


def test_card_stats_are_the_atoms_anki_columns():
    assert card_stats(12, 0, 3, 1, 2, (15.3456, 4.2)) == {
        "anki_interval": 12,
        "anki_ease_factor": None,
        "anki_review_count": 3,
        "anki_lapses": 1,
        "anki_queue": 2,
        "anki_stability": 15.35,
        "anki_difficulty": 0.36,
    }
    assert card_stats(0, 2500, 0, 0, 0, None)["anki_stability"] is None
    assert anki_note.QUEUES[-1] == "suspended"


@pytest.mark.parametrize(
    "endpoint", ["ftp://host/", "https://user:pw@host/", "host:8080", "http:///x", "https://host/?key=1"]
)
def test_an_endpoint_that_is_no_sync_server_url_is_refused_naming_it(endpoint):
    with pytest.raises(anki_account.AccountError) as e:
        anki_account.check_endpoint(endpoint)
    assert e.value.argument == "endpoint" and e.value.sqlstate == "22023" and "AnkiWeb" in (e.value.hint or "")


def test_endpoints_are_kept_with_a_trailing_slash_and_none_is_ankiweb():
    assert anki_account.check_endpoint(None) is None and anki_account.check_endpoint("  ") is None
    assert anki_account.check_endpoint("http://127.0.0.1:8080") == "http://127.0.0.1:8080/"
    assert anki_account.check_endpoint("https://sync.example.org/anki/") == "https://sync.example.org/anki/"


def test_a_null_or_empty_username_or_password_is_refused_naming_it():
    for args, argument, state in ((None, "pw"), "username", "22004"), (("u", ""), "password", "22023"):
        with pytest.raises(anki_account.AccountError) as e:
            anki_account.check_login(*args)
        assert (e.value.argument, e.value.sqlstate) == (argument, state)


def test_only_one_module_of_the_product_imports_ankis_library():
    importers = []
    for path in sorted(
        p for folder in ("plpython", "installer", "cli", "emulator") for p in (ROOT / folder).rglob("*.py")
    ):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            if any(n == "anki" or n.startswith("anki.") for n in names):
                importers.append(str(path.relative_to(ROOT)))
    assert sorted(set(importers)) == ["plpython/nls_engine/anki/collection.py"]


def test_the_anki_extra_the_makefile_and_the_installer_name_one_version():
    from nls_install.install import ANKI_REQUIREMENT

    assert f'anki = ["{ANKI_REQUIREMENT}"]' in (ROOT / "pyproject.toml").read_text()
    assert f"'{ANKI_REQUIREMENT}'" in (ROOT / "plpython" / "nls_engine" / "anki" / "collection.py").read_text()
