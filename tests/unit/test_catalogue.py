"""The one list of targets (sql/05_targets.sql), read without a database: complete, consistent with the schema the
migrations create, and the source of the emulator's generated databases."""

from __future__ import annotations

import re
from pathlib import Path

from nls_emulator.generate import CREATIVE, CREATIVE_TARGETS, LEARNING, LEARNING_TARGETS
from nls_install.catalogue import targets, targets_of_kind

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = "\n".join(
    p.read_text() for p in sorted((ROOT / "migrations").glob("*.sql")) if not p.name.endswith(".rollback.sql")
)


def test_every_target_has_its_fields_and_a_unique_clean_order():
    found = targets()
    assert found["pages"]["kind"] == "raw" and found["pages"]["property_map"] == {}
    assert {t["kind"] for t in found.values()} == {"raw", "learning", "creative"}
    orders = [t["clean_order"] for t in found.values()]
    assert orders == sorted(set(orders))
    for name, t in found.items():
        assert set(t) == {
            "kind",
            "canonical_table",
            "page_id_column",
            "notion_database_name",
            "clean_order",
            "property_map",
        }, name
        assert (t["notion_database_name"] is None) == (t["kind"] == "raw"), name


def test_each_targets_tables_exist_in_the_migrations():
    for name, t in targets().items():
        assert re.search(rf"CREATE TABLE nls\.{t['canonical_table']} ", MIGRATIONS), name
        if t["kind"] == "learning":  # the pipeline stages each learning target into its typed staging table
            assert re.search(rf"CREATE TABLE nls\.stg_notion_{name} ", MIGRATIONS), name
            assert re.search(rf"{t['page_id_column']}\s+text", MIGRATIONS), name


def test_the_emulator_generates_one_database_per_target_and_names_no_other():
    assert targets_of_kind("learning") == LEARNING_TARGETS and set(LEARNING_TARGETS) == set(LEARNING)
    assert targets_of_kind("creative") == CREATIVE_TARGETS and set(CREATIVE_TARGETS) == set(CREATIVE)


def test_the_default_property_maps_name_properties_the_generated_databases_have():
    spec = {**LEARNING, **CREATIVE}
    for name, t in targets().items():
        if t["kind"] == "raw":
            continue
        title, props = spec[t["notion_database_name"]]
        names = {title} | {p[0] for p in props}
        mapped = [n for v in t["property_map"].values() for n in ([v] if isinstance(v, str) else v)]
        missing = [n for n in mapped if n not in names]
        # flashcards' Type is optional in Notion (the card rules infer it), so the generator leaves it out
        assert missing in ([], ["Type"]), (name, missing)
