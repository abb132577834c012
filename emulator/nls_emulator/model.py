"""The emulator's workspace: Notion objects in memory, the changes a user makes to them, and how each
Notion-Version renders them.

Objects are stored in the 2025-09-03 shape (pages parented by ``data_source_id``, both ``archived`` and
``in_trash``), with property values kept whole; rendering cuts them the way api.notion.com does (25 items in
page objects) and adapts them to the requested version. Every change moves ``last_edited_time`` to the current
minute, rounded down, as Notion does.
"""

from __future__ import annotations

import copy
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

VERSIONS = ("2022-06-28", "2025-09-03", "2026-03-11", "2026-12-01")
# from this version on, search and data source queries list each page with its title only unless filter_properties
# names properties, and a person's name may be null
TITLE_ONLY_FROM = "2026-12-01"
CUT_TYPES = ("title", "rich_text", "relation", "people")
PAGE_VALUE_LIMIT = 25

_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def norm_id(raw: str | None) -> str | None:
    """Return a Notion id in dashed lowercase form, or None when ``raw`` is not a uuid (with or without dashes)."""
    if raw is None:
        return None
    if _UUID.match(raw):
        return raw.lower()
    if _HEX32.match(raw):
        h = raw.lower()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return None


def iso_minute(epoch: float) -> str:
    """Format epoch seconds as Notion does for created/last edited times: rounded down to the minute."""
    dt = datetime.fromtimestamp(int(epoch // 60) * 60, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:00.000Z")


def parse_time(value: str) -> float:
    """Parse an ISO 8601 timestamp or date (as Notion filters accept) to epoch seconds."""
    v = value.strip()
    if len(v) == 10:
        v += "T00:00:00Z"
    v = v.replace("Z", "+00:00")
    dt = datetime.fromisoformat(v)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def rich_text(content: str) -> dict:
    """One rich text item of type text, shaped as Notion returns it."""
    return {
        "type": "text",
        "text": {"content": content, "link": None},
        "annotations": {
            "bold": False,
            "italic": False,
            "strikethrough": False,
            "underline": False,
            "code": False,
            "color": "default",
        },
        "plain_text": content,
        "href": None,
    }


class Workspace:
    """One Notion workspace: users, databases, data sources, pages and blocks, changed under a lock.

    ``clock`` returns epoch seconds; tests may pass a controllable one.
    """

    def __init__(
        self, workspace_id: str | None = None, name: str = "Emulated workspace", clock: Callable[[], float] = time.time
    ):
        self.id = workspace_id or str(uuid.uuid4())
        self.name = name
        self.clock = clock
        self.lock = threading.RLock()
        self.users: dict[str, dict] = {}
        self.databases: dict[str, dict] = {}
        self.data_sources: dict[str, dict] = {}
        self.pages: dict[str, dict] = {}
        self.blocks: dict[str, dict] = {}
        self.children: dict[str, list[str]] = {}
        # (page id, property id) -> recorded property item pages: list of (cursor, results, next_cursor)
        self.property_items: dict[tuple[str, str], dict] = {}
        self.markdown: dict[str, dict] = {}
        self.hidden: set[str] = set()
        self.version = 0
        self._sorted_cache: dict[Any, tuple[int, list[str]]] = {}
        self._id_counter = 0
        # called with each change as Notion's webhooks tell it: (type, entity id, entity type, data, author id)
        self.listeners: list[Callable[[str, str, str, dict, str], None]] = []
        self.author_override: str | None = None
        self._creating: set[str] = set()

    # ---- events (what Notion's webhooks tell of each change) -----------------------------------------
    def emit(self, event_type: str, entity_id: str, entity_type: str, data: dict | None = None) -> None:
        """Tell the listeners of a change (``page.properties_updated``, ``data_source.schema_updated``, ...)."""
        author = self.author_override or self._author()
        for listener in list(self.listeners):
            listener(event_type, entity_id, entity_type, data or {}, author)

    def as_author(self, user_id: str):
        """``with ws.as_author(bot_id):`` the changes inside are made by that user (an integration's bot: its own
        writes come back as events it authored)."""
        ws = self

        class _As:
            def __enter__(self):
                ws.author_override = user_id

            def __exit__(self, *exc):
                ws.author_override = None

        return _As()

    def _page_event(self, event_type: str, page: dict, data: dict | None = None) -> None:
        ds_id = _page_ds(page)
        parent = {
            "id": ds_id,
            "type": "data_source",
            "data_source_id": ds_id,
            "database_id": (self.data_sources.get(ds_id or "", {}).get("parent") or {}).get("database_id"),
        }
        self.emit(event_type, page["id"], "page", {"parent": parent, **(data or {})})

    def _schema_event(self, ds: dict, properties: list[str]) -> None:
        self.emit(
            "data_source.schema_updated",
            ds["id"],
            "data_source",
            {
                "parent": {"id": (ds.get("parent") or {}).get("database_id"), "type": "database"},
                "updated_properties": properties,
            },
        )

    # ---- ids and time -------------------------------------------------------------------------
    def new_id(self) -> str:
        return str(uuid.uuid4())

    def now(self) -> str:
        return iso_minute(self.clock())

    def touch(self) -> None:
        self.version += 1

    # ---- loading --------------------------------------------------------------------------------
    def add_user(self, user: dict) -> None:
        with self.lock:
            self.users[user["id"]] = user

    def add_database(self, database: dict) -> None:
        with self.lock:
            db = copy.deepcopy(database)
            db.pop("request_id", None)
            self.databases[db["id"]] = db
            self.touch()

    def add_data_source(self, data_source: dict) -> None:
        with self.lock:
            ds = copy.deepcopy(data_source)
            ds.pop("request_id", None)
            self.data_sources[ds["id"]] = ds
            db_id = (ds.get("parent") or {}).get("database_id") or ds.get("database_parent", {}).get("database_id")
            db = self.databases.get(db_id) if db_id else None
            if db is not None and not any(d["id"] == ds["id"] for d in db.setdefault("data_sources", [])):
                db["data_sources"].append({"id": ds["id"], "name": _plain(ds.get("title"))})
            self.touch()

    def add_page(self, page: dict) -> None:
        with self.lock:
            p = copy.deepcopy(page)
            p.pop("request_id", None)
            self.pages[p["id"]] = p
            self.touch()

    def add_block(self, block: dict, parent_id: str | None = None) -> None:
        with self.lock:
            b = copy.deepcopy(block)
            b.pop("request_id", None)
            b.pop("children", None)
            self.blocks[b["id"]] = b
            pid = parent_id or _parent_id(b)
            if pid:
                kids = self.children.setdefault(pid, [])
                if b["id"] not in kids:
                    kids.append(b["id"])
            self.touch()

    def add_block_tree(self, parent_id: str, blocks: Iterable[dict]) -> None:
        """Add blocks under ``parent_id``; a block may carry its own ``children`` list (nested)."""
        for b in blocks:
            kids = b.get("children") or []
            b = dict(b)
            b["has_children"] = bool(kids) or b.get("has_children", False)
            self.add_block(b, parent_id)
            if kids:
                self.add_block_tree(b["id"], kids)

    # ---- queries ------------------------------------------------------------------------------------
    def pages_of(self, data_source_id: str) -> list[dict]:
        return [p for p in self.pages.values() if _page_ds(p) == data_source_id]

    def data_source_of_page(self, page: dict) -> dict | None:
        return self.data_sources.get(_page_ds(page) or "")

    # ---- changes (each moves last_edited_time as Notion does) --------------------------------------
    def _edited(self, page: dict) -> None:
        now = self.now()
        page["last_edited_time"] = now
        for prop in page.get("properties", {}).values():
            if prop.get("type") == "last_edited_time":
                prop["last_edited_time"] = now
        self.touch()

    def update_page(self, page_id: str, properties: dict[str, Any]) -> dict:
        """Set property values by property name: ``value`` is the raw Notion value of that property's type
        (a str is accepted for title and rich_text). Returns the stored page."""
        with self.lock:
            page = self.pages[page_id]
            for name, value in properties.items():
                prop = page["properties"][name]
                t = prop["type"]
                if t in ("title", "rich_text") and isinstance(value, str):
                    value = [rich_text(value)]
                if t == "relation" and value and isinstance(value[0], str):
                    value = [{"id": v} for v in value]
                prop[t] = value
                if t == "relation":
                    prop["has_more"] = False
            self._edited(page)
            if self.listeners and page_id not in self._creating:
                self._page_event(
                    "page.properties_updated",
                    page,
                    {"updated_properties": [page["properties"][n]["id"] for n in properties]},
                )
            return page

    def write_page(self, page_id: str, values: dict[str, Any], author: dict, in_trash: bool | None = None) -> dict:
        """An integration's write (``PATCH /v1/pages/{id}``): ``values`` {property name: the value to store, already
        checked}; ``last_edited_time`` moves and ``last_edited_by`` becomes ``author`` (the integration's bot user),
        as Notion records it. ``in_trash`` moves the page to the trash or out of it. Returns the stored page."""
        with self.lock:
            page = self.pages[page_id]
            for name, value in values.items():
                prop = page["properties"][name]
                prop[prop["type"]] = value
                if prop["type"] == "relation":
                    prop["has_more"] = False
            if in_trash is not None:
                page["in_trash"] = page["archived"] = bool(in_trash)
            self._edited(page)
            page["last_edited_by"] = {"object": "user", "id": author["id"]}
            for prop in page["properties"].values():
                if prop.get("type") == "last_edited_by":
                    prop["last_edited_by"] = {"object": "user", "id": author["id"]}
            return page

    def create_page(
        self,
        data_source_id: str,
        properties: dict[str, Any],
        content: list[dict] | None = None,
        page_id: str | None = None,
        author: dict | None = None,
    ) -> str:
        """Add a page to a data source; ``properties`` as in :meth:`update_page`, missing ones left empty;
        ``author`` (a user object) creates it, else the workspace's person."""
        with self.lock:
            ds = self.data_sources[data_source_id]
            now = self.now()
            pid = page_id or self.new_id()
            props = {}
            for name, schema in ds["properties"].items():
                props[name] = empty_value(schema, now)
            by = author["id"] if author else self._author()
            page = {
                "object": "page",
                "id": pid,
                "created_time": now,
                "last_edited_time": now,
                "created_by": {"object": "user", "id": by},
                "last_edited_by": {"object": "user", "id": by},
                "cover": None,
                "icon": None,
                "parent": {
                    "type": "data_source_id",
                    "data_source_id": data_source_id,
                    "database_id": ds.get("parent", {}).get("database_id"),
                },
                "archived": False,
                "in_trash": False,
                "is_locked": False,
                "properties": props,
                "url": f"https://www.notion.so/{pid.replace('-', '')}",
                "public_url": None,
            }
            self.pages[pid] = page
            if properties:
                self._creating.add(pid)  # one page.created event, not a properties_updated one too
                try:
                    self.update_page(pid, properties)
                finally:
                    self._creating.discard(pid)
            if content:
                self.add_block_tree(pid, content)
            page["created_time"] = page["last_edited_time"] = now
            self.touch()
            self._page_event("page.created", page)
            return pid

    def set_content(self, page_id: str, blocks: list[dict]) -> None:
        """Replace a page's blocks; the page's ``last_edited_time`` moves, as editing content does in Notion."""
        with self.lock:
            self._drop_children(page_id)
            self.add_block_tree(page_id, blocks)
            self._edited(self.pages[page_id])
            self._page_event(
                "page.content_updated",
                self.pages[page_id],
                {"updated_blocks": [{"id": b["id"], "type": "block"} for b in blocks if "id" in b]},
            )

    def _drop_children(self, parent_id: str) -> None:
        for bid in self.children.pop(parent_id, []):
            self._drop_children(bid)
            self.blocks.pop(bid, None)

    def trash_page(self, page_id: str) -> None:
        with self.lock:
            page = self.pages[page_id]
            page["in_trash"] = page["archived"] = True
            self._edited(page)
            self._page_event("page.deleted", page)

    def restore_page(self, page_id: str) -> None:
        with self.lock:
            page = self.pages[page_id]
            page["in_trash"] = page["archived"] = False
            self._edited(page)
            self._page_event("page.undeleted", page)

    def move_page(self, page_id: str, data_source_id: str) -> dict:
        """Move a page into another data source, as Notion does: its parent becomes that data source (and its
        database), each of the new schema's properties keeps the page's value when the page had a property of that
        name and type (formulas and rollups excepted: computed), else is empty; ``last_edited_time`` moves and a
        ``page.moved`` event tells it (its parent: the new data source). Returns the stored page."""
        with self.lock:
            page, ds = self.pages[page_id], self.data_sources[data_source_id]
            now, old = self.now(), page.get("properties") or {}
            props = {}
            for name, schema in ds["properties"].items():
                had = old.get(name)
                if had and had.get("type") == schema["type"] and schema["type"] not in ("formula", "rollup"):
                    props[name] = {**copy.deepcopy(had), "id": schema["id"]}
                else:
                    props[name] = empty_value(schema, now)
            page["properties"] = props
            page["parent"] = {
                "type": "data_source_id",
                "data_source_id": data_source_id,
                "database_id": (ds.get("parent") or {}).get("database_id"),
            }
            self._edited(page)
            self._page_event("page.moved", page)
            return page

    def unshare(self, object_id: str) -> None:
        """Stop sharing an object with the workspace's integrations: it then answers 404."""
        with self.lock:
            self.hidden.add(object_id)
            self.touch()

    def reshare(self, object_id: str) -> None:
        with self.lock:
            self.hidden.discard(object_id)
            self.touch()

    def rename_property(self, data_source_id: str, old: str, new: str) -> None:
        """Rename a property: its id stays, every page's value moves to the new name. Pages'
        ``last_edited_time`` does not move (a schema change is not a page edit)."""
        with self.lock:
            ds = self.data_sources[data_source_id]
            ds["properties"] = {(new if k == old else k): v for k, v in ds["properties"].items()}
            ds["properties"][new]["name"] = new
            ds["last_edited_time"] = self.now()
            for page in self.pages_of(data_source_id):
                page["properties"] = {(new if k == old else k): v for k, v in page["properties"].items()}
            self.touch()
            self._schema_event(ds, [ds["properties"][new]["id"]])

    def retype_property(
        self, data_source_id: str, name: str, new_type: str, convert: Callable[[Any], Any] = lambda v: None
    ) -> None:
        """Change a property's type; ``convert`` maps each page's old value to the new type's value."""
        with self.lock:
            ds = self.data_sources[data_source_id]
            schema = ds["properties"][name]
            old_type = schema["type"]
            schema.pop(old_type, None)
            schema["type"] = new_type
            schema[new_type] = {}
            ds["last_edited_time"] = self.now()
            for page in self.pages_of(data_source_id):
                prop = page["properties"][name]
                value = convert(prop.pop(old_type, None))
                prop.pop("has_more", None)
                prop["type"] = new_type
                prop[new_type] = value
                self._edited(page)
            self.touch()
            self._schema_event(ds, [schema["id"]])

    def add_property(
        self, data_source_id: str, name: str, prop_type: str, config: dict | None = None, prop_id: str | None = None
    ) -> str:
        """Add a property to a data source's schema (``config``: the type's schema object, e.g. a rollup's
        ``relation_property_id``); every page gets its empty value. No page's ``last_edited_time`` moves.
        Returns the property's id."""
        with self.lock:
            ds = self.data_sources[data_source_id]
            pid = prop_id or uuid.uuid4().hex[:4]
            ds["properties"][name] = {"id": pid, "name": name, "type": prop_type, prop_type: config or {}}
            now = self.now()
            for page in self.pages_of(data_source_id):
                page["properties"][name] = empty_value(ds["properties"][name], now)
            self.touch()
            self._schema_event(ds, [pid])
            return pid

    def remove_property(self, data_source_id: str, name: str) -> None:
        """Delete a property from a data source's schema: every page loses its value. No page's
        ``last_edited_time`` moves (a schema change is not a page edit)."""
        with self.lock:
            ds = self.data_sources[data_source_id]
            gone = ds["properties"].pop(name)
            ds["last_edited_time"] = self.now()
            for page in self.pages_of(data_source_id):
                page["properties"].pop(name, None)
            self.touch()
            self._schema_event(ds, [gone.get("id")])

    def set_computed(self, page_id: str, name: str, value: Any) -> None:
        """Set a formula's or rollup's value (``value``: the raw ``formula`` / ``rollup`` object) as Notion does
        when the pages it reads change: the page's own ``last_edited_time`` does not move."""
        with self.lock:
            prop = self.pages[page_id]["properties"][name]
            prop[prop["type"]] = value
            self.touch()

    def _author(self) -> str:
        for u in self.users.values():
            if u.get("type") == "person":
                return u["id"]
        return next(iter(self.users), "00000000-0000-0000-0000-000000000000")

    # ---- sorted ids for queries, cached per workspace version -------------------------------------------
    def sorted_ids(self, data_source_id: str, sorts: tuple) -> list[str]:
        key = (data_source_id, sorts)
        hit = self._sorted_cache.get(key)
        if hit and hit[0] == self.version:
            return hit[1]
        pages = list(self.pages_of(data_source_id))
        if sorts:  # rows that tie on every sort key keep one order: by id (what keyset cursors resume on)
            pages.sort(key=lambda p: p["id"])
        for field, direction in reversed(sorts):
            pages.sort(key=lambda p: p[field], reverse=(direction == "descending"))
        ids = [p["id"] for p in pages]
        self._sorted_cache[key] = (self.version, ids)
        return ids


def empty_value(schema: dict, now: str) -> dict:
    """The value a new page holds for a property of this schema."""
    t = schema["type"]
    empty: Any = {
        "title": [],
        "rich_text": [],
        "relation": [],
        "people": [],
        "multi_select": [],
        "files": [],
        "checkbox": False,
        "created_time": now,
        "last_edited_time": now,
        "formula": {"type": "string", "string": None},
        "rollup": {"type": "number", "number": None, "function": (schema.get("rollup") or {}).get("function", "count")},
    }.get(t)
    value = {"id": schema["id"], "type": t, t: empty}
    if t == "relation":
        value["has_more"] = False
    return value


def _plain(rich: list | None) -> str:
    return "".join(r.get("plain_text", "") for r in (rich or []))


def _page_ds(page: dict) -> str | None:
    parent = page.get("parent") or {}
    return parent.get("data_source_id")


def _parent_id(block: dict) -> str | None:
    parent = block.get("parent") or {}
    t = parent.get("type")
    return parent.get(t) if t in ("page_id", "block_id") else None


# ---- rendering per Notion-Version ------------------------------------------------------------------------
def render_page(
    page: dict,
    version: str,
    workspace: Workspace,
    cut: bool = True,
    filter_properties: list[str] | None = None,
    listed: bool = False,
) -> dict:
    """A page object as api.notion.com returns it for ``version``: relation, people, title and rich_text
    values cut at 25 items (relation ``has_more`` set), ``archived`` dropped from 2026-03-11 on, and the
    2022-06-28 parent shape. ``listed``: in a search or data source query answer, which from 2026-12-01 on holds
    the title only unless ``filter_properties`` names properties. A person whose name is not known has ``name``
    null from 2026-12-01 on (an empty string before)."""
    out = dict(page)
    props = {}
    title_only = listed and filter_properties is None and version >= TITLE_ONLY_FROM
    for name, prop in page.get("properties", {}).items():
        if filter_properties is not None and not {name, prop.get("id"), unquote(prop.get("id") or "")} & set(
            filter_properties
        ):
            continue
        t = prop.get("type")
        if title_only and t != "title":
            continue
        if version < TITLE_ONLY_FROM and _nameless(prop.get(t) if t in PERSON_TYPES else None):
            prop = dict(prop, **{t: _named(prop[t])})
        if t == "files" and prop.get("files"):
            prop = dict(prop, files=[_signed(f) for f in prop["files"]])
        if cut and t in CUT_TYPES and isinstance(prop.get(t), list) and len(prop[t]) > PAGE_VALUE_LIMIT:
            prop = dict(prop)
            prop[t] = prop[t][:PAGE_VALUE_LIMIT]
            if t == "relation":
                prop["has_more"] = True
        props[name] = prop
    out["properties"] = props
    return _versioned(out, version, workspace)


PERSON_TYPES = ("people", "created_by", "last_edited_by")


def _nameless(value: Any) -> bool:
    users = value if isinstance(value, list) else [value]
    return any(isinstance(u, dict) and "name" in u and u["name"] is None for u in users)


def _named(value: Any) -> Any:
    """A people value (or one user) as versions before 2026-12-01 give it: a name not known is an empty string."""
    if isinstance(value, list):
        return [_named(u) for u in value]
    return dict(value, name="") if isinstance(value, dict) and value.get("name", "") is None else value


def _versioned(obj: dict, version: str, workspace: Workspace) -> dict:
    if version >= "2026-03-11":
        obj = {k: v for k, v in obj.items() if k != "archived"}
    elif version < "2025-09-03":
        parent = obj.get("parent") or {}
        if parent.get("type") == "data_source_id":
            db_id = parent.get("database_id")
            if not db_id:
                ds = workspace.data_sources.get(parent["data_source_id"]) or {}
                db_id = (ds.get("parent") or {}).get("database_id")
            obj = dict(obj)
            obj["parent"] = {"type": "database_id", "database_id": db_id}
    return obj


def _signed(file: dict) -> dict:
    """A Notion-hosted file (``type: "file"``) as a read hands it out: a url signed for this read, valid an hour
    (``expiry_time``); each read signs it anew. External files are what the user gave."""
    if not isinstance(file, dict) or file.get("type") != "file" or "expiry_time" in (file.get("file") or {}):
        return file  # external, or as recorded from api.notion.com (already signed)
    now = time.time()
    base = str((file.get("file") or {}).get("url", "")).split("?")[0]
    stamp = datetime.fromtimestamp(now, UTC)
    url = (
        f"{base}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={stamp.strftime('%Y%m%dT%H%M%SZ')}"
        f"&X-Amz-Expires=3600&X-Amz-Signature={uuid.uuid4().hex}"
    )
    expiry = datetime.fromtimestamp(now + 3600, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return dict(file, file={"url": url, "expiry_time": expiry})


def render_block(block: dict, version: str, workspace: Workspace) -> dict:
    out = _versioned(dict(block), version, workspace)
    inner = out.get(out.get("type") or "")
    if isinstance(inner, dict) and inner.get("type") == "file":
        out[out["type"]] = _signed(inner)
    if version >= "2026-03-11" and out.get("type") == "transcription":
        out["type"] = "meeting_notes"
        out["meeting_notes"] = out.pop("transcription")
    return out


def render_database(db: dict, version: str, workspace: Workspace) -> dict:
    out = dict(db)
    if version < "2025-09-03":
        out.pop("data_sources", None)
        if db.get("data_sources") and "properties" not in db:  # a 2022-06-28 database carries its schema
            ds = workspace.data_sources.get(db["data_sources"][0]["id"]) or {}
            out["properties"] = {name: _legacy_property(prop) for name, prop in ds.get("properties", {}).items()}
    return _versioned(out, version, workspace)


def _legacy_property(prop: dict) -> dict:
    """A data source property as a 2022-06-28 database schema gives it: no description, relations by database."""
    out = {k: v for k, v in prop.items() if k != "description"}
    if out.get("type") == "relation":
        out["relation"] = {k: v for k, v in out["relation"].items() if k != "data_source_id"}
    return out


def render_data_source(ds: dict, version: str, workspace: Workspace) -> dict:
    return _versioned(dict(ds), version, workspace)
