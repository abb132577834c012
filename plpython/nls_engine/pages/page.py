"""One page object (``GET /v1/pages/{id}``, a data source query's rows): its hash, the row staged for
``nls._upsert_pages``, its values completed past Notion's 25-item cut, and the marks on values that are not
Notion's true value. Nothing here sends a request or runs SQL itself: the caller gives what is needed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..report import RunReport
from ..text import clean

# Notion cuts these values at 25 items in page objects (GET /v1/pages/{id}, data source queries)
CUT_AT = 25
CUT_TYPES = ("title", "rich_text", "people")


# the shape each property type's value must have for the engine to read it (types not listed are kept as they come)
LIST_TYPES = ("title", "rich_text", "people", "relation", "multi_select", "files")
OBJECT_TYPES = (
    "select",
    "status",
    "date",
    "formula",
    "rollup",
    "unique_id",
    "verification",
    "created_by",
    "last_edited_by",
)
TEXT_TYPES = ("url", "email", "phone_number", "created_time", "last_edited_time")


def is_time(value: Any) -> bool:
    """Whether ``value`` is an ISO 8601 date-time with a time zone, as Notion writes them ("...T...Z")."""
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


def malformed(page: Any) -> str | None:
    """Why a page object cannot be stored as it is, or None when it can: not an object, no id, a created or edited
    time that is not a time, or a property value of the wrong shape for its type. Such a page costs only itself."""
    if not isinstance(page, dict):
        return f"a page object must be a JSON object, not {type(page).__name__}"
    if not isinstance(page.get("id"), str) or not page["id"]:
        return "the page object has no id"
    for key in ("created_time", "last_edited_time"):
        if not is_time(page.get(key)):
            return f"{key} {_clip(page.get(key))} is not a time"
    props = page.get("properties", {})
    if not isinstance(props, dict):
        return "properties is not an object"
    for name, prop in props.items():
        why = _shape_error(prop)
        if why:
            return f"property {_clip(name)}: {why}"
    return None


def _shape_error(prop: Any) -> str | None:
    if not isinstance(prop, dict) or not isinstance(prop.get("type"), str):
        return "not a property value (an object with a type)"
    kind = prop["type"]
    value = prop.get(kind)
    wrong = (
        (kind in LIST_TYPES and not isinstance(value, list))
        or (kind in OBJECT_TYPES and value is not None and not isinstance(value, dict))
        or (kind in TEXT_TYPES and value is not None and not isinstance(value, str))
        or (kind == "number" and value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))))
        or (kind == "checkbox" and not isinstance(value, bool))
    )
    return f"a {kind} value cannot be {_clip(value)}" if wrong else None


def _clip(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def page_hash(page: dict) -> str:
    """SHA-256 (hex) of the page's properties, ``last_edited_time`` and ``in_trash`` (canonical JSON). A
    Notion-hosted file's url is signed anew on every read: only its path (the file itself) counts."""
    props = page.get("properties") or {}
    if any(isinstance(p, dict) and p.get("type") == "files" for p in props.values()):
        props = {
            name: _unsigned(p) if isinstance(p, dict) and p.get("type") == "files" else p for name, p in props.items()
        }
    payload = json.dumps(
        [props, page.get("last_edited_time"), bool(page.get("in_trash"))],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def _unsigned(prop: dict) -> dict:
    files = [
        dict(f, file={"url": str((f.get("file") or {}).get("url", "")).split("?")[0]})
        if isinstance(f, dict) and f.get("type") == "file"
        else f
        for f in prop.get("files") or []
    ]
    return dict(prop, files=files)


def staged_row(page: dict, ds_id: str, sync_hash: str, value_marks: dict | None = None) -> dict:
    """The JSON row ``nls._upsert_pages`` takes for one page object: {page_id, data_source_id, properties, page
    (the object without its properties), created_time, last_edited_time, in_trash, sync_hash, value_marks}.
    Content (``markdown``, ``content``) is added by the caller."""
    return {
        "page_id": page["id"],
        "data_source_id": ds_id,
        "properties": page.get("properties") or {},
        "page": {k: v for k, v in page.items() if k != "properties"},
        "created_time": page["created_time"],
        "last_edited_time": page["last_edited_time"],
        "in_trash": bool(page.get("in_trash")),
        "sync_hash": sync_hash,
        "value_marks": value_marks or {},
    }


def is_cut(prop: dict) -> bool:
    """Whether Notion cut this property value at 25 items: a relation with ``has_more``, or a title, rich_text or
    people value of exactly 25 items (Notion says nothing more for those)."""
    kind = prop.get("type")
    value = prop.get(kind)
    if kind == "relation":
        return prop.get("has_more") is True
    return kind in CUT_TYPES and isinstance(value, list) and len(value) == CUT_AT


def complete_values(page: dict, property_items: Callable[[str, str], list[dict]], report: RunReport) -> dict[str, int]:
    """Read past Notion's 25-item cut: each cut value (:func:`is_cut`) is fetched whole with ``property_items(page
    id, property id)`` (``GET /v1/pages/{id}/properties/{property_id}``) and replaces the cut one in ``page`` (text
    cleaned as the rest). Values under the cut cost no request. Returns {relation property id: its whole length}
    of the relations that were cut (see :func:`value_marks`). Raises what ``property_items`` raises."""
    cut_relations: dict[str, int] = {}
    for prop in (page.get("properties") or {}).values():
        if not is_cut(prop):
            continue
        kind = prop["type"]
        items = property_items(page["id"], prop["id"])
        full = [item[kind] for item in items if item.get("type") == kind and kind in item]
        if kind == "relation":
            full = [{"id": v["id"]} for v in full if isinstance(v, dict) and v.get("id")]
            prop["has_more"] = False
            cut_relations[prop["id"]] = len(full)
        full, cleaned = clean(full)
        report.cleaned_characters += cleaned
        prop[kind] = full
        report.count("completed_values")
    return cut_relations


def is_unsupported(prop: dict) -> bool:
    """A formula or rollup Notion could not compute (``unsupported``: unknown, not null)."""
    kind = prop.get("type")
    value = prop.get(kind)
    return kind == "unsupported" or (
        kind in ("formula", "rollup") and isinstance(value, dict) and value.get("type") == "unsupported"
    )


def value_marks(
    page: dict, cut_relations: dict[str, int], rollup_relations: Callable[[], dict[str, str | None]], report: RunReport
) -> dict:
    """The page's ``value_marks`` (nls.stg_notion_pages.value_marks): formulas and rollups Notion answered
    ``unsupported``, and rollups over a relation it cut at 25 items (``cut_relations``: {relation property id:
    whole length}), which Notion computed over the first 25 only. ``rollup_relations()`` gives {rollup property
    id: the relation property id it reads} (the data source's schema; called only when a page has both a cut
    relation and a rollup); where it does not say, every rollup of such a page is marked. Returns {property id:
    {"property", "type", "mark", ...}}."""
    marks: dict = {}
    rollups = []
    for name, prop in (page.get("properties") or {}).items():
        if is_unsupported(prop):
            marks[prop.get("id") or name] = {"property": name, "type": prop.get("type"), "mark": "unsupported"}
            report.count("unsupported_values")
        elif prop.get("type") == "rollup" and cut_relations:
            rollups.append((name, prop))
    relation_of = rollup_relations() if rollups else {}
    for name, prop in rollups:
        rel = relation_of.get(prop.get("id"))
        over = [rel] if rel in cut_relations else [] if rel else sorted(cut_relations)
        if over:
            marks[prop.get("id") or name] = {
                "property": name,
                "type": "rollup",
                "mark": "computed_over_cut_relation",
                "relation_property_id": over[0],
                "related": cut_relations[over[0]],
            }
            report.count("rollups_over_cut_relations")
    return marks


def own_write(page: dict, bot_id: str | None) -> bool:
    """Whether a page's last edit is nls's own: its ``last_edited_by`` is the integration's bot user (``bot_id``).
    A read (or a webhook) that brings nls's own write back is not someone's edit."""
    by = page.get("last_edited_by")
    return bool(bot_id) and isinstance(by, dict) and by.get("id") == bot_id


def own_event(authors: list[dict] | None, bot_id: str | None) -> bool:
    """Whether a webhook event's ``authors`` ([{"id", "type"}, ...], several when Notion aggregated a burst) are all
    the integration's own bot: nls's own write coming back, not someone's edit."""
    ids = {a.get("id") for a in authors or [] if isinstance(a, dict)}
    return bool(bot_id) and ids == {bot_id}
