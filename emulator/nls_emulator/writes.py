"""What an integration writes (``PATCH /v1/pages/{id}``, ``POST /v1/pages``), checked as api.notion.com checks it:
property names or ids that exist, the value shape of each property's type, at most 2,000 characters (UTF-16 code
units, as JavaScript counts) per rich text item and 100 items per rich text, relation, people or multi-select value,
no write to a property Notion computes (formula, rollup, created/edited time and by, unique id), options of a status
that exist, and select or multi-select options that do not exist created as Notion creates them (a typo becomes an
option). The emulator writes text and equation rich text (no mentions).

:func:`page_values` returns what to store, by property name; :class:`Invalid` is Notion's 400 ``validation_error``.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime
from typing import Any

from .model import Workspace, norm_id, rich_text

MAX_TEXT = 2000
MAX_ITEMS = 100
MAX_BODY_BYTES = 500_000
READ_ONLY = (
    "formula",
    "rollup",
    "created_time",
    "created_by",
    "last_edited_time",
    "last_edited_by",
    "unique_id",
    "verification",
    "button",
)
LIST_TYPES = ("title", "rich_text", "relation", "people", "multi_select", "files")
ANNOTATIONS = ("bold", "italic", "strikethrough", "underline", "code", "color")


class Invalid(Exception):
    """A write Notion refuses with 400 ``validation_error``; the message is Notion's wording."""


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _fail(path: str, should: str, value: Any) -> Invalid:
    return Invalid(f"body failed validation: body.{path} should be {should}, instead was `{_shown(value)}`.")


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def find_property(ds: dict, key: str) -> tuple[str, dict]:
    """The data source's property named ``key``, or whose id is ``key``: (name, schema). Raises Invalid."""
    props = ds.get("properties") or {}
    if key in props:
        return key, props[key]
    for name, schema in props.items():
        if schema.get("id") == key or schema.get("id") == key.replace("%3A", ":"):
            return name, schema
    raise Invalid(f"{key} is not a property that exists.")


def page_values(ds: dict, properties: Any, workspace: Workspace) -> dict[str, Any]:
    """{property name: the value to store} for a request's ``properties`` ({name or id: value}); options that do
    not exist yet are added to the data source's schema. Raises Invalid (nothing is changed then)."""
    if not isinstance(properties, dict):
        raise _fail("properties", "an object", properties)
    staged = json.loads(json.dumps(ds.get("properties") or {}))  # options are added once every value passed
    out = {}
    for key, value in properties.items():
        name, _schema = find_property({"properties": staged}, key)
        out[name] = _value(name, staged[name], value, workspace)
    ds["properties"] = staged
    return out


def _inner(name: str, kind: str, value: Any) -> Any:
    """The type's part of a property value: ``{"<kind>": ...}`` (``type``/``id`` may come with it), or, for list
    types, the bare list."""
    if isinstance(value, dict) and kind in value:
        extra = set(value) - {kind, "type", "id", "name"}
        if extra or value.get("type", kind) != kind:
            raise _fail(f"properties.{name}.{kind}", "the only value of a " + kind + " property", value)
        return value[kind]
    if isinstance(value, list) and kind in LIST_TYPES:
        return value
    raise Invalid(f"body failed validation: body.properties.{name}.{kind} should be defined, instead was `undefined`.")


def _value(name: str, schema: dict, value: Any, workspace: Workspace) -> Any:
    kind = schema["type"]
    if kind in READ_ONLY:
        raise Invalid(f"Cannot update property \"{name}\": a {kind} property is computed by Notion.")
    v = _inner(name, kind, value)
    path = f"properties.{name}.{kind}"
    if kind in ("title", "rich_text"):
        return _rich(path, v)
    if kind == "number":
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
            raise _fail(path, "a number or `null`", v)
        return v
    if kind == "checkbox":
        if not isinstance(v, bool):
            raise _fail(path, "a boolean", v)
        return v
    if kind in ("url", "email", "phone_number"):
        if v is not None and (not isinstance(v, str) or (kind == "url" and len(v) > 2000)):
            raise _fail(path, "a string (a url of at most 2000 characters) or `null`", v)
        return v or None
    if kind in ("select", "status"):
        return None if v is None else _option(path, schema, v, create=kind == "select")
    if kind == "multi_select":
        return [_option(f"{path}[{i}]", schema, o, create=True) for i, o in enumerate(_capped(path, v))]
    if kind == "date":
        return _date(path, v)
    if kind in ("relation", "people"):
        return _references(path, kind, _capped(path, v), workspace)
    if kind == "files":
        return _capped(path, v)
    raise Invalid(f"The emulator does not write {kind} properties (\"{name}\").")


def _capped(path: str, v: Any) -> list:
    if not isinstance(v, list):
        raise _fail(path, "an array", v)
    if len(v) > MAX_ITEMS:
        raise Invalid(f"body failed validation: body.{path}.length should be ≤ `{MAX_ITEMS}`, instead was `{len(v)}`.")
    return v


def _rich(path: str, items: Any) -> list[dict]:
    """Rich text items as Notion stores and answers them (plain_text, annotations, href)."""
    out = []
    for i, item in enumerate(_capped(path, items)):
        kind = item.get("type", "text") if isinstance(item, dict) else None
        if kind == "text":
            text = item.get("text") if isinstance(item.get("text"), dict) else {}
            content = text.get("content")
            if not isinstance(content, str):
                raise _fail(f"{path}[{i}].text.content", "a string", content)
            if utf16_units(content) > MAX_TEXT:
                raise Invalid(
                    f"body failed validation: body.{path}[{i}].text.content.length should be ≤ `{MAX_TEXT}`"
                    f", instead was `{utf16_units(content)}`."
                )
            stored = rich_text(content)
            link = text.get("link")
            if isinstance(link, dict) and isinstance(link.get("url"), str):
                stored["text"]["link"], stored["href"] = {"url": link["url"]}, link["url"]
        elif kind == "equation":
            expression = (item.get("equation") or {}).get("expression")
            if not isinstance(expression, str):
                raise _fail(f"{path}[{i}].equation.expression", "a string", expression)
            stored = dict(rich_text(expression), type="equation", equation={"expression": expression})
            stored.pop("text")
        else:
            raise _fail(f"{path}[{i}]", "a text or equation rich text item (the emulator writes no mentions)", item)
        given = item.get("annotations") if isinstance(item.get("annotations"), dict) else {}
        stored["annotations"].update({k: given[k] for k in ANNOTATIONS if k in given})
        out.append(stored)
    return out


def _option(path: str, schema: dict, given: Any, create: bool) -> dict:
    """The option a select, status or multi-select value names (by name or id); a new select option is added to
    the schema as Notion does, a status option must exist."""
    if not isinstance(given, dict) or not isinstance(given.get("name", given.get("id")), str):
        raise _fail(path, "an object with a name or an id", given)
    kind = schema["type"]
    options = schema.setdefault(kind, {}).setdefault("options", [])
    for option in options:
        if option.get("name") == given.get("name") or (given.get("id") and option.get("id") == given.get("id")):
            return {"id": option.get("id"), "name": option["name"], "color": option.get("color", "default")}
    name = given.get("name")
    if name is None:
        raise Invalid(f"body failed validation: body.{path}.id: no option has the id `{given.get('id')}`.")
    if not create:
        raise Invalid(f"Invalid status option. Status option \"{name}\" does not exist.")
    if "," in name or len(name) > 100:
        raise Invalid(
            f"body failed validation: body.{path}.name: an option name holds no comma and at most 100 "
            f"characters, instead was `{_shown(name)}`."
        )
    option = {"id": hashlib.sha1(name.encode()).hexdigest()[:4], "name": name, "color": "default"}
    options.append(option)
    return dict(option)


def _date(path: str, v: Any) -> dict | None:
    if v is None:
        return None
    if not isinstance(v, dict) or not isinstance(v.get("start"), str):
        raise _fail(path, "an object with a start date or `null`", v)
    for key in ("start", "end"):
        if v.get(key) is not None:
            try:
                datetime.fromisoformat(str(v[key]).replace("Z", "+00:00"))
            except ValueError:
                raise _fail(f"{path}.{key}", "a valid ISO 8601 date string", v[key]) from None
    return {"start": v["start"], "end": v.get("end"), "time_zone": v.get("time_zone")}


def _references(path: str, kind: str, items: list, workspace: Workspace) -> list[dict]:
    out = []
    for i, item in enumerate(items):
        ref = norm_id(item.get("id")) if isinstance(item, dict) and isinstance(item.get("id"), str) else None
        if ref is None:
            raise _fail(f"{path}[{i}].id", "a valid uuid", item)
        known = workspace.pages if kind == "relation" else workspace.users
        if ref not in known:
            raise Invalid(f"Could not find {'page' if kind == 'relation' else 'user'} with ID: {ref}.")
        out.append({"id": ref})
    return out
