"""A generated workspace holding every property type Notion has, for the typed views' tests and benchmark.

One database, "Every Type", whose data source has a property of each type (title, rich_text, number, checkbox,
select, status, multi_select, date, people, relation, files, url, email, phone_number, formulas of each result
type, rollups of each result type, unique_id, created/edited time and by, verification), plus names that make poor
SQL identifiers (``Order``, ``URL``, ``2nd Stage``, ``Due Date``, ``Due-Date``); and a second database,
"Targets", that the relation points into. Values vary from page to page: empty values, dates with and without a
time, date ranges, a relation of 30 items (cut at 25 in page objects) with a rollup over it, an ``unsupported``
formula, a person Notion gives no name for, a Notion-hosted and an external file. Deterministic from the seed.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from .generate import Generated, _prop_id
from .model import Workspace, iso_minute, rich_text

OPTIONS = ["alpha", "beta", "gamma", "delta"]
STAGES = ["Not started", "In progress", "Done"]
# name -> (type, schema config); the title is "Name"
PROPERTIES: dict[str, tuple[str, Any]] = {
    "Notes": ("rich_text", {}),
    "Score": ("number", {"format": "number"}),
    "Done": ("checkbox", {}),
    "Stage": ("select", {"options": [{"name": o} for o in OPTIONS]}),
    "Progress": ("status", {"options": [{"name": s} for s in STAGES]}),
    "Tags": ("multi_select", {"options": [{"name": o} for o in OPTIONS]}),
    "Due Date": ("date", {}),
    "Due-Date": ("date", {}),
    "Day": ("date", {}),
    "Owner": ("people", {}),
    "Related": ("relation", None),
    "Attachments": ("files", {}),
    "URL": ("url", {}),
    "Mail": ("email", {}),
    "Phone": ("phone_number", {}),
    "Calc Text": ("formula", {"expression": "prop(\"Name\")"}),
    "Calc Number": ("formula", {"expression": "prop(\"Score\") * 2"}),
    "Calc Flag": ("formula", {"expression": "prop(\"Done\")"}),
    "Calc Date": ("formula", {"expression": "prop(\"Day\")"}),
    "Related Count": ("rollup", {"function": "count"}),
    "Related Latest": ("rollup", {"function": "latest_date"}),
    "Related Names": ("rollup", {"function": "show_original"}),
    "Ticket": ("unique_id", {"prefix": "EV"}),
    "Created": ("created_time", {}),
    "Edited": ("last_edited_time", {}),
    "Creator": ("created_by", {}),
    "Editor": ("last_edited_by", {}),
    "Verified": ("verification", {}),
    "Order": ("number", {"format": "number"}),
    "2nd Stage": ("select", {"options": [{"name": o} for o in OPTIONS]}),
}


def _schema(ds_target: str, db_target: str) -> dict:
    schema = {"Name": {"id": "title", "name": "Name", "type": "title", "title": {}}}
    for name, (ptype, config) in PROPERTIES.items():
        pid = _prop_id("Every Type/" + name)
        if ptype == "relation":
            config = {
                "database_id": db_target,
                "data_source_id": ds_target,
                "type": "single_property",
                "single_property": {},
            }
        elif ptype == "rollup":
            config = {
                **config,
                "relation_property_id": _prop_id("Every Type/Related"),
                "rollup_property_id": "title",
                "relation_property_name": "Related",
            }
        schema[name] = {"id": pid, "name": name, "type": ptype, ptype: config}
    return schema


def _date(rng: random.Random, i: int) -> dict | None:
    day = f"2026-{1 + i % 12:02d}-{1 + i % 27:02d}"
    shape = i % 5
    if shape == 0:
        return None
    if shape == 1:
        return {"start": day, "end": None, "time_zone": None}
    if shape == 2:
        return {"start": f"{day}T09:{rng.randint(0, 59):02d}:00.000+02:00", "end": None, "time_zone": None}
    if shape == 3:
        return {"start": day, "end": f"2026-{1 + i % 12:02d}-28", "time_zone": None}
    return {"start": f"{day}T08:00:00.000Z", "end": f"{day}T17:30:00.000Z", "time_zone": None}


def _values(rng: random.Random, i: int, targets: list[str], people: list[dict], created: str) -> dict:
    """Every property's raw value on page ``i`` (by name)."""
    related = [{"id": t} for t in (targets if i == 1 else rng.sample(targets, i % 4))]
    day = f"2026-{1 + i % 12:02d}-{1 + i % 27:02d}"
    files = [{"name": "notes.pdf", "type": "external", "external": {"url": "https://example.org/notes.pdf"}}]
    if i % 3 == 0:
        files.append(
            {
                "name": "scan.png",
                "type": "file",
                "file": {"url": f"https://prod-files-secure.s3.us-west-2.amazonaws.com/ws/{i}/scan.png"},
            }
        )
    v = {
        "Name": [rich_text(f"Item {i} \U0001f9ea" if i % 4 == 0 else f"Item {i}")],
        "Notes": [rich_text("first part, "), rich_text(f"second part {i}")] if i % 3 else [],
        "Score": None if i % 6 == 5 else round(rng.uniform(-50, 50), 3),
        "Done": i % 2 == 0,
        "Stage": None if i % 4 == 3 else {"name": OPTIONS[i % 4]},
        "Progress": {"name": STAGES[i % 3]},
        "Tags": [{"name": o} for o in OPTIONS[: i % 4]],
        "Due Date": _date(rng, i),
        "Due-Date": _date(rng, i + 2),
        "Day": {"start": day, "end": None, "time_zone": None} if i % 2 else None,
        "Owner": people[: 1 + i % 2],
        "Related": related,
        "Attachments": files if i % 2 else [],
        "URL": f"https://example.org/{i}" if i % 3 else None,
        "Mail": f"user{i}@example.org",
        "Phone": "+33 1 23 45 67 89" if i % 2 else None,
        "Calc Text": {"type": "string", "string": f"Item {i}"},
        "Calc Number": {"type": "number", "number": i * 2},
        "Calc Flag": {"type": "boolean", "boolean": i % 2 == 0},
        "Calc Date": {"type": "date", "date": {"start": day, "end": None, "time_zone": None}}
        if i % 2
        else {"type": "date", "date": None},
        "Related Count": {"type": "number", "number": min(len(related), 25), "function": "count"},
        "Related Latest": {
            "type": "date",
            "date": {"start": created[:10], "end": None, "time_zone": None},
            "function": "latest_date",
        },
        "Related Names": {
            "type": "array",
            "function": "show_original",
            "array": [{"type": "title", "title": [rich_text(f"Target {k}")]} for k in range(i % 3)],
        },
        "Ticket": {"prefix": "EV", "number": i + 1},
        "Verified": {"state": "verified" if i % 2 else "unverified", "verified_by": None, "date": None},
        "Order": i,
        "2nd Stage": {"name": OPTIONS[(i + 1) % 4]},
    }
    if i == 7:
        v["Calc Number"] = {"type": "unsupported", "unsupported": {}}
    return v


def _page_properties(schema: dict, values: dict, created: str, author: dict) -> dict:
    out = {}
    for name, entry in schema.items():
        t = entry["type"]
        value: Any = {
            "created_time": created,
            "last_edited_time": created,
            "created_by": author,
            "last_edited_by": author,
        }.get(t, values.get(name))
        if t == "select" and value:
            value = {"id": _prop_id(value["name"]), "color": "default", **value}
        if t in ("multi_select", "status") and value:
            value = (
                [{"id": _prop_id(o["name"]), "color": "default", **o} for o in value]
                if t == "multi_select"
                else {"id": _prop_id(value["name"]), "color": "default", **value}
            )
        out[name] = {"id": entry["id"], "type": t, t: value}
        if t == "relation":
            out[name]["has_more"] = False
    return out


def generate_every_type(
    pages: int = 12, seed: int = 1, workspace: Workspace | None = None, now: float | None = None
) -> Generated:
    """A workspace with the "Every Type" database (``pages`` pages) and its "Targets" (30 pages). Returns the
    :class:`Generated` (database, data source and page ids by database name)."""
    rng = random.Random(seed)
    ws = workspace or Workspace(name=f"Every type (seed {seed})")

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    now = ws.clock() if now is None else now
    created = iso_minute(now - 86400)
    people: list[dict[str, Any]] = [
        {
            "object": "user",
            "id": uid(),
            "name": "Ada Lovelace",
            "avatar_url": None,
            "type": "person",
            "person": {"email": "ada@example.org"},
        },
        {"object": "user", "id": uid()},
    ]
    ws.add_user(people[0])
    out = Generated(ws)
    for name in ("Targets", "Every Type"):
        out.database_ids[name], out.data_source_ids[name] = uid(), uid()
    schemas = {
        "Targets": {"Name": {"id": "title", "name": "Name", "type": "title", "title": {}}},
        "Every Type": _schema(out.data_source_ids["Targets"], out.database_ids["Targets"]),
    }
    _add_databases(ws, out, schemas, created)
    out.page_ids["Targets"] = [uid() for _ in range(30)]
    for k, pid in enumerate(out.page_ids["Targets"]):
        _add_page(
            ws,
            pid,
            out,
            "Targets",
            {"Name": {"id": "title", "type": "title", "title": [rich_text(f"Target {k}")]}},
            created,
            people[0],
        )
    out.page_ids["Every Type"] = [uid() for _ in range(pages)]
    for i, pid in enumerate(out.page_ids["Every Type"]):
        values = _values(rng, i, out.page_ids["Targets"], people, created)
        _add_page(
            ws,
            pid,
            out,
            "Every Type",
            _page_properties(schemas["Every Type"], values, created, people[0]),
            created,
            people[0],
        )
    return out


def _add_databases(ws: Workspace, out: Generated, schemas: dict[str, dict], created: str) -> None:
    """One database with one data source of each schema, under the ids ``out`` holds for it."""
    for name, schema in schemas.items():
        db_id, ds_id = out.database_ids[name], out.data_source_ids[name]
        ws.add_database(
            {
                "object": "database",
                "id": db_id,
                "title": [rich_text(name)],
                "description": [],
                "parent": {"type": "workspace", "workspace": True},
                "in_trash": False,
                "archived": False,
                "created_time": created,
                "last_edited_time": created,
                "data_sources": [],
            }
        )
        ws.add_data_source(
            {
                "object": "data_source",
                "id": ds_id,
                "title": [rich_text(name)],
                "properties": schema,
                "parent": {"type": "database_id", "database_id": db_id},
                "created_time": created,
                "last_edited_time": created,
                "archived": False,
                "in_trash": False,
            }
        )


def _add_page(ws: Workspace, pid: str, out: Generated, name: str, properties: dict, created: str, author: dict) -> None:
    ws.add_page(
        {
            "object": "page",
            "id": pid,
            "created_time": created,
            "last_edited_time": created,
            "created_by": {"object": "user", "id": author["id"]},
            "last_edited_by": {"object": "user", "id": author["id"]},
            "cover": None,
            "icon": None,
            "parent": {
                "type": "data_source_id",
                "data_source_id": out.data_source_ids[name],
                "database_id": out.database_ids[name],
            },
            "archived": False,
            "in_trash": False,
            "is_locked": False,
            "properties": properties,
            "url": f"https://www.notion.so/{pid.replace('-', '')}",
            "public_url": None,
        }
    )
