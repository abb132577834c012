"""The columns of a typed view (``nls.typed_views.columns``): which column each property of a data source gets, its
name and its kind, and how they follow the data source's schema. Pure: no database, unit-tested on its own.

A column is a dict ``{"column", "property_id", "property", "type", "result_type"?, "kind", "part", "removed"}``:
``part`` is ``""`` for a property's own column and a suffix (``"_start"``, ``"_end"``, ``"_names"``, ``"_number"``) for
the columns some types add. ``kind`` is one of ``nls._typed_kinds()`` (sql/70_typed_views.sql): text, number,
boolean, names, ids, texts, date, date_end, timestamptz, timestamptz_end, range, user, unique_number, jsonb.

What the stored pages show of a property (``nls._typed_observed``) is an "observed" dict ``{"property_id", "name",
"type", "result_types": {result type: pages}, "has_time", "has_end"}``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# the columns every typed view has before its property columns (sql/70_typed_views.sql, _typed_fixed_columns)
FIXED = ("page_id", "url", "in_trash", "is_archived", "deleted_at", "value_marks")
MAX_NAME_BYTES = 63  # PostgreSQL's NAMEDATALEN - 1
TEXT_TYPES = frozenset({"title", "rich_text", "select", "status", "url", "email", "phone_number"})
ONE_KIND = {
    "number": "number",
    "checkbox": "boolean",
    "multi_select": "names",
    "files": "names",
    "relation": "ids",
    "created_time": "timestamptz",
    "last_edited_time": "timestamptz",
    "created_by": "user",
    "last_edited_by": "user",
}
RESULT_KIND = {"string": "text", "number": "number", "boolean": "boolean", "array": "texts"}
SQL_TYPE = {
    "text": "text",
    "number": "numeric",
    "boolean": "boolean",
    "names": "text[]",
    "ids": "text[]",
    "texts": "text[]",
    "date": "date",
    "date_end": "date",
    "timestamptz": "timestamptz",
    "timestamptz_end": "timestamptz",
    "range": "tstzrange",
    "user": "text",
    "unique_number": "bigint",
    "jsonb": "jsonb",
}
UNKNOWN_RESULTS = ("unsupported", "incomplete")


def _truncate(name: str, max_bytes: int) -> str:
    """``name`` cut to at most ``max_bytes`` bytes of UTF-8, never inside a character."""
    while len(name.encode()) > max_bytes:
        name = name[:-1]
    return name


def identifier(name: str | None, reserved: frozenset[str] = frozenset()) -> str:
    """A Notion name made into an SQL identifier that needs no quotes: NFKC, case-folded, every run of characters
    that are not letters, digits or ``_`` turned into one ``_``, none at either end; ``p_`` before a leading digit,
    ``_`` after a reserved key word (``reserved``); at most 63 bytes. ``"Due Date"`` -> ``due_date``,
    ``"Concept/Premise"`` -> ``concept_premise``, ``"Order"`` -> ``order_``; ``property`` for a name with none."""
    s = re.sub(r"[\W_]+", "_", unicodedata.normalize("NFKC", name or "").casefold()).strip("_") or "property"
    if s[0].isdigit():
        s = "p_" + s
    if s in reserved:
        s += "_"
    return _truncate(s, MAX_NAME_BYTES)


def unique(base: str, taken: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3``... (cut to fit 63 bytes), the first not in ``taken``; added to it."""
    name, n = base, 2
    while name in taken:
        suffix = f"_{n}"
        name = _truncate(base, MAX_NAME_BYTES - len(suffix)) + suffix
        n += 1
    taken.add(name)
    return name


def result_type(observed: dict, previous: str | None = None) -> str | None:
    """The result type a formula or rollup column takes: the one most of its pages hold (``unsupported`` and
    ``incomplete`` are no type), ``previous`` on a tie or when no page says."""
    known = {k: n for k, n in (observed.get("result_types") or {}).items() if k not in UNKNOWN_RESULTS}
    if not known:
        return previous
    best = max(known.values())
    if previous in known and known[previous] == best:
        return previous
    return min(k for k, n in known.items() if n == best)


def _dates(has_time: bool, has_end: bool) -> list[tuple[str, str]]:
    base = "timestamptz" if has_time else "date"
    if has_end:
        return [("", "range"), ("_start", base), ("_end", base + "_end")]
    return [("", base)]


def kinds(
    ptype: str, result: str | None = None, has_time: bool = False, has_end: bool = False
) -> list[tuple[str, str]]:
    """The columns a property of Notion type ``ptype`` gets, as [(suffix, kind)], its own column first: a date
    is ``date`` (``timestamptz`` once a value holds a time), a range (``tstzrange``) with ``_start`` and ``_end``
    once a value has an end; people are user ids with ``_names``; a unique_id is its text with ``_number``; a
    formula or rollup is typed by ``result``; an unknown type is its jsonb."""
    if ptype in TEXT_TYPES:
        return [("", "text")]
    if ptype in ONE_KIND:
        return [("", ONE_KIND[ptype])]
    if ptype == "people":
        return [("", "ids"), ("_names", "names")]
    if ptype == "unique_id":
        return [("", "text"), ("_number", "unique_number")]
    if ptype == "date" or (ptype in ("formula", "rollup") and result == "date"):
        return _dates(has_time, has_end)
    if ptype in ("formula", "rollup"):
        return [("", RESULT_KIND.get(result or "", "text"))]
    return [("", "jsonb")]


def type_label(column: dict, group: list[dict] | None = None) -> str:
    """How the history names a property's type and its columns' SQL types: ``"date: timestamptz"``,
    ``"formula number: numeric"``, ``"date: tstzrange/date/date"`` (a range with its start and end)."""
    result = f" {column['result_type']}" if column.get("result_type") else ""
    kinds_ = [c["kind"] for c in (group or [column]) if not c.get("removed")] or [column["kind"]]
    return f"{column['type']}{result}: {'/'.join(SQL_TYPE[k] for k in kinds_)}"


def _group(observed: dict, result: str | None, base: str, taken: set[str], want: list[tuple[str, str]]) -> list[dict]:
    """The columns of one property: ``base`` (already unique) for its own column, ``base + suffix`` for the others."""
    out = []
    for part, kind in want:
        name = base if part == "" else unique(_truncate(base, MAX_NAME_BYTES - len(part)) + part, taken)
        col = {
            "column": name,
            "property_id": observed["property_id"],
            "property": observed["name"],
            "type": observed["type"],
            "kind": kind,
            "part": part,
            "removed": False,
        }
        if observed["type"] in ("formula", "rollup"):
            col["result_type"] = result
        out.append(col)
    return out


def _new_group(observed: dict, taken: set[str], reserved: frozenset[str]) -> list[dict]:
    result = result_type(observed) if observed["type"] in ("formula", "rollup") else None
    want = kinds(observed["type"], result, observed.get("has_time", False), observed.get("has_end", False))
    return _group(observed, result, unique(identifier(observed["name"], reserved), taken), taken, want)


def plan_fresh(observed: list[dict], reserved: frozenset[str] = frozenset()) -> list[dict]:
    """The columns of a view made now: the title first, then every property by name; names from the property
    names, unique (the fixed columns' names are taken)."""
    taken = set(FIXED)
    order = sorted(observed, key=lambda o: (o["type"] != "title", o["name"].casefold(), o["property_id"]))
    return [c for o in order for c in _new_group(o, taken, reserved)]


def _change(change: str, col: dict, **extra: Any) -> dict:
    return {
        "change": change,
        "property_id": col["property_id"],
        "property_name": col["property"],
        "column_name": col["column"],
        **extra,
    }


def _groups(columns: list[dict]) -> dict[str, list[dict]]:
    """Columns by property id, in view order."""
    out: dict[str, list[dict]] = {}
    for c in columns:
        out.setdefault(c["property_id"], []).append(c)
    return out


def _widened(group: list[dict], observed: dict) -> tuple[str | None, list[tuple[str, str]]]:
    """The kinds a followed property's columns take now: from its type and result; a date column only widens
    (date -> timestamptz, a single value -> a range), so that one page cannot make it flip back and forth."""
    main = group[0]
    same = main["type"] == observed["type"]
    previous = main.get("result_type") if same else None
    result = result_type(observed, previous) if observed["type"] in ("formula", "rollup") else None
    had = {c["kind"] for c in group if not c["removed"]} if same and result == previous else set()
    has_time = observed.get("has_time", False) or bool(had & {"timestamptz", "timestamptz_end"})
    has_end = observed.get("has_end", False) or "range" in had
    return result, kinds(observed["type"], result, has_time, has_end)


def _follow_group(group: list[dict], observed: dict, taken: set[str], changes: list[dict]) -> list[dict]:
    """One known property after a sync: renamed (the column keeps its name), retyped (same names, new kinds; a
    column the new type has no use for stays, NULL), restored."""
    main = group[0]
    if observed["name"] != main["property"]:
        changes.append(_change("property_renamed", main, detail=f'"{main["property"]}" -> "{observed["name"]}"'))
    if all(c["removed"] for c in group):
        changes.append(_change("property_restored", main))
    result, want = _widened(group, observed)
    have = [(c["part"], c["kind"]) for c in group if not c["removed"]] or [(c["part"], c["kind"]) for c in group]
    parts = {c["part"]: c for c in group}
    new = []
    for part, kind in want:
        old = parts.pop(part, None)
        name = old["column"] if old else unique(_truncate(main["column"], MAX_NAME_BYTES - len(part)) + part, taken)
        col = {
            **(old or main),
            "column": name,
            "property": observed["name"],
            "type": observed["type"],
            "kind": kind,
            "part": part,
            "removed": False,
        }
        col.pop("result_type", None)
        if observed["type"] in ("formula", "rollup"):
            col["result_type"] = result
        new.append(col)
    new += [{**c, "property": observed["name"], "removed": True} for c in parts.values()]
    if have != want or main["type"] != observed["type"] or main.get("result_type") != new[0].get("result_type"):
        changes.append(
            _change("column_retyped", new[0], old_type=type_label(main, group), new_type=type_label(new[0], new))
        )
    return new


def plan_follow(
    columns: list[dict], observed: list[dict], reserved: frozenset[str] = frozenset()
) -> tuple[list[dict], list[dict]]:
    """A view's columns after a sync (the view follows its data source): a property keeps its columns and their
    names whatever it is renamed to; a retyped one keeps its names with new kinds; a removed one keeps its
    columns, NULL; a new one gets columns at the end. Returns (columns, changes), each change a dict for
    nls.typed_view_history ({"change", "property_id", "property_name", "column_name", "old_type"?, "new_type"?,
    "detail"?}); no change, no new columns (equal to ``columns``)."""
    seen = {o["property_id"]: o for o in observed}
    taken = set(FIXED) | {c["column"] for c in columns}
    out: list[dict] = []
    changes: list[dict] = []
    for pid, group in _groups(columns).items():
        if pid in seen:
            out += _follow_group(group, seen[pid], taken, changes)
        else:
            if not all(c["removed"] for c in group):
                changes.append(_change("property_removed", group[0]))
            out += [{**c, "removed": True} for c in group]
    known = {c["property_id"] for c in columns}
    for o in sorted(observed, key=lambda o: (o["name"].casefold(), o["property_id"])):
        if o["property_id"] not in known:
            group = _new_group(o, taken, reserved)
            changes.append(_change("column_added", group[0], new_type=type_label(group[0], group)))
            out += group
    return out, changes


def plan_recreate(
    columns: list[dict], observed: list[dict], reserved: frozenset[str] = frozenset()
) -> tuple[list[dict], list[dict]]:
    """A view made again (``nls.create_typed_view`` on a view that exists): columns as :func:`plan_fresh` makes
    them (renamed properties get their new names, removed ones go), and the changes from ``columns``:
    column_renamed, column_dropped, column_added, column_retyped; ``created`` when there were none."""
    new = plan_fresh(observed, reserved)
    if not columns:
        return new, [{"change": "created", "detail": f"{len(new)} property columns"}]
    old_groups, new_groups = _groups(columns), _groups(new)
    old_main = {pid: g[0] for pid, g in old_groups.items()}
    new_main = {pid: g[0] for pid, g in new_groups.items()}
    changes = []
    for pid, old in old_main.items():
        cur = new_main.get(pid)
        if cur is None:
            changes.append(_change("column_dropped", old))
            continue
        if cur["column"] != old["column"]:
            changes.append(_change("column_renamed", cur, detail=f'{old["column"]} -> {cur["column"]}'))
        if type_label(cur, new_groups[pid]) != type_label(old, old_groups[pid]):
            changes.append(
                _change(
                    "column_retyped",
                    cur,
                    old_type=type_label(old, old_groups[pid]),
                    new_type=type_label(cur, new_groups[pid]),
                )
            )
    changes += [
        _change("column_added", c, new_type=type_label(c, new_groups[pid]))
        for pid, c in new_main.items()
        if pid not in old_main
    ]
    return new, [{"change": "recreated", "detail": f"{len(new)} property columns"}, *changes]
