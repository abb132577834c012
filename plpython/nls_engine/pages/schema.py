"""Data source schemas: as the pages show them (kept as a history in ``nls.data_source_schemas``) and as Notion
gives them (``GET /v1/data_sources/{id}``, read at most once a run and only when needed)."""

from __future__ import annotations

import json

from ..notion.client import NotionClient, NotionError
from ..store import Store


def schema_of(properties: dict | None) -> dict:
    """A schema as nls.data_source_schemas keeps it, {name: {"id", "type"}}, from a page's ``properties`` or a
    data source's (``GET /v1/data_sources/{id}``)."""
    return {name: {"id": p.get("id"), "type": p.get("type")} for name, p in (properties or {}).items()}


def _ids(schema: dict) -> list[str]:
    return sorted({p["id"] for p in schema.values() if isinstance(p, dict) and p.get("id")})


class Schemas:
    """The schemas of one run's data sources. ``note`` keeps what pages show; ``properties`` asks Notion."""

    def __init__(self, store: Store, client: NotionClient, source_id: int):
        self.store, self.client, self.source_id = store, client, source_id
        self._noted: set[tuple[str, str]] = set()
        self._properties: dict[str, dict] = {}

    def note(self, ds_id: str, page: dict) -> None:
        """Keep the schema a page shows ({name: {id, type}}; no request) in the history, once per distinct schema
        and run: renames and type changes leave a row each."""
        schema = schema_of(page.get("properties"))
        key = (ds_id, json.dumps(schema, sort_keys=True))
        if key not in self._noted:
            self._noted.add(key)
            self.store.save_schema(self.source_id, ds_id, schema)

    def properties(self, ds_id: str) -> dict:
        """The data source's schema from ``GET /v1/data_sources/{id}`` (``properties``: {name: {id, type, <type>:
        config}}), read once a run; {} when Notion will not give it (400, 403, 404). Raises NotionError when the
        error ends the run."""
        if ds_id not in self._properties:
            try:
                self._properties[ds_id] = self.client.data_source(ds_id).get("properties") or {}
            except NotionError as e:
                if e.ends_run:
                    raise
                self._properties[ds_id] = {}
        return self._properties[ds_id]

    def listed_ids(self, ds_id: str, fresh: bool) -> list[str] | None:
        """The property ids a query names in ``filter_properties`` on a Notion-Version that lists pages with their
        title only (2026-12-01 on): every property of the data source, from its schema as Notion gives it (``GET
        /v1/data_sources/{id}``, once a run) when ``fresh``, read already or nothing is recorded, else as last
        recorded (no request). None on older versions (every property comes unasked) or when no schema is to be
        had. Raises NotionError when the error ends the run."""
        if not self.client.lists_title_only:
            return None
        schema = None if fresh or ds_id in self._properties else self.store.current_schema(self.source_id, ds_id)
        ids = _ids(schema or schema_of(self.properties(ds_id)))
        return ids or None

    def newer_ids(self, ds_id: str, ids: list[str]) -> list[str] | None:
        """Every property id of the data source as Notion gives it now (``GET /v1/data_sources/{id}``, once a run)
        when it has one ``ids`` lacks (a property added since the schema was recorded), else None."""
        now = _ids(schema_of(self.properties(ds_id)))
        return now if set(now) - set(ids) else None

    def rollup_relations(self, ds_id: str) -> dict[str, str | None]:
        """{rollup property id: the id of the relation property it reads} (the data source's schema)."""
        return {
            p["id"]: (p.get("rollup") or {}).get("relation_property_id")
            for p in self.properties(ds_id).values()
            if isinstance(p, dict) and p.get("type") == "rollup"
        }

    def changed(self, ds_id: str) -> bool:
        """Whether stored pages of the data source hold another schema (names, ids, types) than Notion gives now:
        a rename, type change, added or removed property moves no page, so an incremental read never brings it."""
        props = self.properties(ds_id)
        return bool(props) and self.store.pages_off_schema(self.source_id, ds_id, schema_of(props)) > 0
