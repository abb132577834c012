"""A workspace built from real response bodies recorded from api.notion.com
(``../shared/notion-fixtures/recorded/``, read in place, never copied into this repository).

Every object those bodies hold (pages, data sources, databases, blocks, users, property items) is loaded into
one :class:`~nls_emulator.model.Workspace` and served through the ordinary endpoints at any ``page_size``.
The recordings were made at different times, so one object can appear in several states; ``prefer`` names
the recording whose state wins (golden tests prefer the recording they replay).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .model import Workspace, norm_id

DEFAULT_DIR_ENV = "NLS_NOTION_FIXTURES"
WRITE_RECORDINGS = ("create-", "update-", "destroy-", "blocks-children-append", "page-trashed",
                    "block-deleted", "comment", "templates", "file-upload", "file_uploads")


def fixtures_dir() -> Path | None:
    """Where the recorded fixtures are: ``$NLS_NOTION_FIXTURES``, else ``../shared/notion-fixtures/recorded``
    beside the repository. None when absent (tests that need them skip with that reason)."""
    env = os.environ.get(DEFAULT_DIR_ENV)
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    for up in here.parents:
        candidates.append(up.parent / "shared" / "notion-fixtures" / "recorded")
        candidates.append(up / "shared" / "notion-fixtures" / "recorded")
    for c in candidates:
        if c.is_dir() and any(c.glob("*.json")):
            return c
    return None


def is_legacy(name: str) -> bool:
    return "legacy-2022-06-28" in name


def _segment_offset(name: str) -> int | None:
    m = re.search(r"-(limit|next|last)-(\d+)\.json$", name)
    if not m:
        return None
    n = int(m.group(2))
    return {"limit": 0, "next": n, "last": 2 * n}[m.group(1)]


def load_recorded(directory: Path | str | None = None, prefer: str | None = None,
                  workspace: Workspace | None = None) -> tuple[Workspace, dict]:
    """Load every recorded read response (legacy 2022-06-28 recordings only when preferred) into a workspace.

    Returns ``(workspace, bot)``: the bot user to serve at ``GET /v1/users/me``.
    Raises FileNotFoundError when the directory is absent.
    """
    d = Path(directory) if directory else fixtures_dir()
    if d is None or not d.is_dir():
        raise FileNotFoundError("the recorded Notion fixtures (../shared/notion-fixtures/recorded) are absent; "
                                "set NLS_NOTION_FIXTURES to their folder")
    ws = workspace or Workspace(workspace_id="231674b6-2cc1-46bc-b742-c5c9fe4b9c73", name="Recorded workspace")
    files = sorted(p for p in d.glob("*.json")
                   if not is_legacy(p.name) and not any(w in p.name for w in WRITE_RECORDINGS))
    if prefer:
        files = [p for p in files if p.name != prefer] + [d / prefer]
    bot: dict | None = None
    segments: dict[tuple[str, str], dict[int, dict]] = {}
    full: dict[tuple[str, str], dict] = {}
    preferred_family: set[tuple[str, str]] = set()
    for path in files:
        body = json.loads(path.read_text())
        if not isinstance(body, dict) or body.get("object") == "error":
            continue
        if body.get("object") == "user" and body.get("type") == "bot" and (bot is None or path.name == prefer):
            bot = body
        if body.get("object") == "list" and body.get("type") == "property_item":
            key = _property_key(path.name, body)
            if key is None:
                continue
            offset = _segment_offset(path.name)
            if offset is None:
                full[key] = body
            else:
                segments.setdefault(key, {})[offset] = body
                if path.name == prefer:
                    preferred_family.add(key)
            continue
        if body.get("object") == "list" and body.get("type") == "block":
            parent = _block_parent_from_name(body)
            for b in body["results"]:
                ws.add_block(b, parent)
            continue
        _ingest(ws, body)
    for key in set(full) | set(segments):
        if key in full and key not in preferred_family:
            items = list(full[key]["results"])
            ws.property_items[key] = {"results": items, "cursors": {}, "property_item": full[key]["property_item"]}
            continue
        items, cursors = [], {}
        header = None
        for offset in sorted(segments[key]):
            seg = segments[key][offset]
            items.extend(seg["results"])
            header = seg["property_item"]
            if seg.get("next_cursor"):
                cursors[seg["next_cursor"]] = offset + len(seg["results"])
        ws.property_items[key] = {"results": items, "cursors": cursors, "property_item": header}
    return ws, bot or {}


def _property_key(name: str, body: dict) -> tuple[str, str] | None:
    header = body.get("property_item") or {}
    prop_id = header.get("id")
    url = header.get("next_url") or ""
    m = re.search(r"/pages/([0-9a-f-]{32,36})/properties/", url)
    page = norm_id(m.group(1)) if m else None
    if page is None:
        page = _PROPERTY_PAGES.get(prop_id, {}).get(name) or _PROPERTY_PAGES.get(prop_id, {}).get("*")
    return (page, prop_id) if page and prop_id else None


# Property item lists do not name their page when they are not paged; the recordings' requests do
# (notion-fixtures/INDEX.md): page dcdc805c... unless listed otherwise.
_DB_FIRST = "dcdc805c-85fa-4155-a55c-20fc28771af7"
_PROPERTY_PAGES = {
    "title": {"hkob__notion_ruby_mapping__retrieve-property-title-top.json": "c01166c6-13ae-45cb-b968-18b4ef2f5a77",
              "ramnes__notion-sdk-py__page-property-item-title-list.json": "393abc1e-edcd-8138-85a7-fac7f6c92a45",
              "*": _DB_FIRST},
    "flUp": {"*": _DB_FIRST},
    "%60%5B%3E%7B": {"*": "b56cba96-82ab-46f2-866a-e7a9e590dff3"},
    "_x%3E%3D": {"*": _DB_FIRST}, "%3CnJT": {"*": _DB_FIRST}, "STe_": {"*": _DB_FIRST},
}


def _block_parent_from_name(body: dict) -> str | None:
    for b in body.get("results", []):
        parent = b.get("parent") or {}
        t = parent.get("type")
        if t in ("page_id", "block_id"):
            return parent[t]
    return None


def _ingest(ws: Workspace, obj: dict) -> None:
    kind = obj.get("object")
    if kind == "list":
        for r in obj.get("results", []):
            _ingest(ws, r)
    elif kind == "page":
        ws.add_page(obj)
    elif kind == "database":
        db = dict(obj)
        old = ws.databases.get(db["id"])
        if old and not db.get("data_sources"):
            db["data_sources"] = old.get("data_sources", [])
        ws.add_database(db)
    elif kind == "data_source":
        ws.add_data_source(obj)
    elif kind == "block":
        ws.add_block(obj)
    elif kind == "user":
        if obj.get("type") != "bot" or obj["id"] not in ws.users:
            ws.add_user(obj)
