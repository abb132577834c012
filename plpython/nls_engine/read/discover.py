"""``nls.discover``: what a user's integration can see (``POST /v1/search``), each data source with the target its
database's name suggests (nls.targets()), and optionally added as sources."""

from __future__ import annotations

from ..integration import note_workspace
from ..notion.client import NotionClient, title_text
from ..store import Store


def discover(store: Store, client: NotionClient, user_id: str, add: bool) -> list[dict]:
    """Rows {database_id, data_source_id, name, target, source_id, added}, one per data source the integration
    sees, by name; with ``add``, every database not yet a source is added (``nls.add_source``) with its target.
    Raises NotionError when the search fails."""
    known = store.targets_by_database_name()
    note_workspace(store, user_id, client)
    found = list(client.search_data_sources())
    out, seen = [], set()
    for ds in sorted(found, key=lambda d: title_text(d) or ""):
        database_id = (ds.get("parent") or {}).get("database_id")
        if not database_id:
            continue
        name = title_text(ds)
        target = known.get((name or "").strip().lower(), "pages")
        source_id = store.source_id(user_id, database_id)
        added = source_id is None and add and database_id not in seen
        if added:
            source_id = store.add_source(user_id, database_id, target, name)
        seen.add(database_id)
        out.append(
            {
                "database_id": database_id,
                "data_source_id": ds.get("id"),
                "name": name,
                "target": target,
                "source_id": source_id,
                "added": added,
            }
        )
    return out
