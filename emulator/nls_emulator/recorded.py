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
from dataclasses import dataclass, field
from pathlib import Path

from .model import Workspace, norm_id

DEFAULT_DIR_ENV = "NLS_NOTION_FIXTURES"
WRITE_RECORDINGS = (
    "create-",
    "update-",
    "destroy-",
    "blocks-children-append",
    "page-trashed",
    "block-deleted",
    "comment",
    "templates",
    "file-upload",
    "file_uploads",
)


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


@dataclass
class _Recordings:
    """What the loader gathers from the recordings before it assembles the workspace's lists and items."""

    prefer: str | None
    legacy: bool
    requests: dict[str, tuple[str, str]]
    bot: dict | None = None
    singles: list[tuple[tuple[str, str], dict, bool]] = field(default_factory=list)
    child_lists: dict[str, list[tuple[dict, bool]]] = field(default_factory=dict)
    segments: dict[tuple[str, str], dict[int, dict]] = field(default_factory=dict)
    full: dict[tuple[str, str], dict] = field(default_factory=dict)
    preferred_family: set[tuple[str, str]] = field(default_factory=set)
    query_pages: dict[int, list[str]] = field(default_factory=dict)


def load_recorded(
    directory: Path | str | None = None, prefer: str | None = None, workspace: Workspace | None = None
) -> tuple[Workspace, dict]:
    """Load every recorded read response into a workspace. The 2022-06-28 recordings are another era of the
    same workspace: they are loaded, after the others, only when one of them is preferred.

    Returns ``(workspace, bot)``: the bot user to serve at ``GET /v1/users/me``.
    Raises FileNotFoundError when the directory is absent.
    """
    d = Path(directory) if directory else fixtures_dir()
    if d is None or not d.is_dir():
        raise FileNotFoundError(
            "the recorded Notion fixtures (../shared/notion-fixtures/recorded) are absent; "
            "set NLS_NOTION_FIXTURES to their folder"
        )
    ws = workspace or Workspace(workspace_id="231674b6-2cc1-46bc-b742-c5c9fe4b9c73", name="Recorded workspace")
    rec = _Recordings(prefer, bool(prefer and is_legacy(prefer)), recorded_requests(d))
    for path in _recording_files(d, prefer, rec.legacy):
        body = _read(path)
        if isinstance(body, dict) and body.get("object") != "error":
            _take(ws, rec, path.name, body)
    _order_pages(ws, rec.query_pages)
    if not prefer:  # a golden test replays a recording exactly as it is
        _complete_schemas(ws)
    _assemble_property_lists(ws, rec)
    for parent, lists in rec.child_lists.items():
        ws.children[parent] = _child_order(lists, ws.children.get(parent, []))
    for key, body, preferred in rec.singles:
        # a single-value property item is served as recorded for a page the recordings do not hold, or when
        # it is the recording being replayed; otherwise the page's own value answers
        if preferred or key[0] not in ws.pages:
            item = {k: v for k, v in body.items() if k != "request_id"}
            ws.property_items[key] = {"single": item}
    return ws, rec.bot or {}


def _complete_schemas(ws: Workspace) -> None:
    """Add to each data source's schema the properties its recorded pages hold and its recorded schema lacks: the
    recordings were made at different times, and Notion's schema always holds every property of its pages (a query
    asking for the schema's properties by id, as 2026-12-01 needs, gets all of them)."""
    for page in ws.pages.values():
        ds = ws.data_sources.get((page.get("parent") or {}).get("data_source_id") or "")
        if ds is None:
            continue
        schema = ds.setdefault("properties", {})
        known = {p.get("id") for p in schema.values()}
        for name, prop in (page.get("properties") or {}).items():
            if isinstance(prop, dict) and prop.get("id") not in known and name not in schema:
                t = prop.get("type")
                schema[name] = {"id": prop.get("id"), "name": name, "type": t, t: {}}
                known.add(prop.get("id"))


def _recording_files(d: Path, prefer: str | None, legacy: bool) -> list[Path]:
    """The read recordings to load, in order: today's, then the 2022-06-28 era when ``legacy``, the preferred last."""
    readable = sorted(p for p in d.glob("*.json") if not any(w in p.name for w in WRITE_RECORDINGS))
    files = [p for p in readable if not is_legacy(p.name)] + [p for p in readable if legacy and is_legacy(p.name)]
    if prefer:
        files = [p for p in files if p.name != prefer] + [d / prefer]
    return files


def _take(ws: Workspace, rec: _Recordings, name: str, body: dict) -> None:
    """Take one recorded body: keep a property item or block list for later, ingest any other object."""
    preferred = name == rec.prefer
    if body.get("object") == "user" and body.get("type") == "bot" and (rec.bot is None or preferred):
        rec.bot = body
    if body.get("object") == "property_item":
        key = _property_key(name, body, rec.requests)
        if key is not None:
            rec.singles.append((key, body, preferred))
        return
    if body.get("object") == "list" and body.get("type") == "property_item":
        _take_property_list(rec, name, body)
        return
    if body.get("object") == "list" and body.get("type") == "block":
        parent = _block_parent_from_name(body)
        for b in body["results"]:
            ws.add_block(b, parent)
        parent_id = norm_id(parent)
        if parent_id:
            rec.child_lists.setdefault(parent_id, []).append((body, preferred))
        return
    _ingest(ws, body, is_legacy(name))
    offset = _segment_offset(name)
    if "query-" in name and offset is not None and is_legacy(name) == rec.legacy:
        rec.query_pages[offset] = [r["id"] for r in body.get("results", [])]


def _take_property_list(rec: _Recordings, name: str, body: dict) -> None:
    """Keep a recorded list of property items: whole, or as the segment of a paged read at its offset."""
    key = _property_key(name, body, rec.requests)
    if key is None:
        return
    offset = _segment_offset(name)
    if offset is None:
        rec.full[key] = body
    else:
        rec.segments.setdefault(key, {})[offset] = body
        if name == rec.prefer:
            rec.preferred_family.add(key)


def _order_pages(ws: Workspace, query_pages: dict[int, list[str]]) -> None:
    """Put the recorded paged query's pages first, in its order (limit → next → last): a query's default order."""
    recorded_order = [pid for offset in sorted(query_pages) for pid in query_pages[offset]]
    if recorded_order:
        ws.pages = {**{pid: ws.pages[pid] for pid in recorded_order if pid in ws.pages}, **ws.pages}


def _assemble_property_lists(ws: Workspace, rec: _Recordings) -> None:
    """Serve each recorded property item list: the whole recording, else its paged segments joined with cursors."""
    full, segments = rec.full, rec.segments
    for key in set(full) | set(segments):
        if key in full and key not in rec.preferred_family:
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


_PARSED: dict[tuple[str, float], dict] = {}


def _read(path: Path) -> dict:
    """A recording's parsed body, parsed once per process (the loader copies what it keeps)."""
    key = (str(path), path.stat().st_mtime)
    if key not in _PARSED:
        _PARSED[key] = json.loads(path.read_text())
    return _PARSED[key]


def recorded_requests(directory: Path) -> dict[str, tuple[str, str]]:
    """The request behind each recording, from ``INDEX.md`` beside ``recorded/``: ``{file name: (method,
    target)}``. A target may end in ``...`` where the index shortened its query string; files the index gives
    no request for are left out. Empty when the index is absent."""
    index = Path(directory).parent / "INDEX.md"
    if not index.is_file():
        return {}
    out = {}
    for line in index.read_text().splitlines():
        m = re.match(r"\| `([^`/]+\.json)` \| [^|]* \| `(GET|POST|PATCH|DELETE) ([^`]*)` \|", line)
        if m:
            out[m.group(1)] = (m.group(2), m.group(3))
    return out


def _property_key(name: str, body: dict, requests: dict) -> tuple[str, str] | None:
    """(page id, property id) of a property item recording: from its request in the index, else its next_url."""
    header = body.get("property_item") or body
    prop_id = header.get("id")
    for url in ((requests.get(name) or ("", ""))[1], header.get("next_url") or ""):
        m = re.search(r"/pages/([0-9a-f-]{32,36})/properties/", url)
        page_id = norm_id(m.group(1)) if m else None
        if page_id:
            return (page_id, prop_id) if prop_id else None
    return None


def _child_order(lists: list[tuple[dict, bool]], known: list[str]) -> list[str]:
    """A parent's children as its recorded child lists give them: pages of one paged read joined in cursor
    order (a page's ``next_cursor`` is the id the next page starts with), then children known from other
    recordings. A replayed (preferred) complete list is the whole answer."""
    for body, preferred in lists:
        if preferred and not body.get("has_more") and not body.get("next_cursor"):
            return [b["id"] for b in body["results"]]
    by_first = {body["results"][0]["id"]: body for body, _ in lists if body["results"]}
    followers = {body.get("next_cursor") for body, _ in lists}
    order: list[str] = []
    for first, body in by_first.items():
        if first in followers:
            continue
        for _ in range(len(by_first)):  # bounded: recordings that cycle cannot hang the loader
            order.extend(b["id"] for b in body["results"] if b["id"] not in order)
            following = by_first.get(body.get("next_cursor"))
            if following is None:
                break
            body = following
    return order + [i for i in known if i not in order]


def _block_parent_from_name(body: dict) -> str | None:
    for b in body.get("results", []):
        parent = b.get("parent") or {}
        t = parent.get("type")
        if t in ("page_id", "block_id"):
            return parent[t]
    return None


def _ingest(ws: Workspace, obj: dict, legacy: bool = False) -> None:
    kind = obj.get("object")
    if kind == "list":
        for r in obj.get("results", []):
            _ingest(ws, r, legacy)
    elif kind == "page":
        parent = obj.get("parent") or {}
        db = (
            ws.databases.get(parent.get("database_id") or "")
            if legacy and parent.get("type") == "database_id"
            else None
        )
        if db and len(db.get("data_sources") or []) == 1:
            # a 2022-06-28 page: stored as today's API holds it, under its database's one data source
            obj = {
                **obj,
                "parent": {
                    "type": "data_source_id",
                    "data_source_id": db["data_sources"][0]["id"],
                    "database_id": db["id"],
                },
            }
        ws.add_page(obj)
    elif kind == "database":
        db = dict(obj)
        old = ws.databases.get(db["id"])
        if old and old.get("data_sources") and not db.get("data_sources"):
            db["data_sources"] = old["data_sources"]
        ws.add_database(db)
    elif kind == "data_source":
        ws.add_data_source(obj)
    elif kind == "block":
        ws.add_block(obj)
    elif kind == "user" and (obj.get("type") != "bot" or obj["id"] not in ws.users):
        ws.add_user(obj)
