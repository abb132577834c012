"""One object of a push (two-way sync): where each of its pushed columns goes, and which of them to write,
which are in conflict, which Notion already holds. Pure: the flow (:mod:`nls_engine.push.flow`) gives what is needed.

A column waits to be pushed with the Notion value its local change was based on (``base``,
``nls.notion_sync_state.base_values``). Against Notion's value now (``current``):

- Notion holds what nls would send: nothing to write (``agreed``);
- Notion still holds ``base``: only the local side changed, the column is written;
- else both sides changed it: a conflict, not written (Notion's value and nls's are kept for the user to choose).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from urllib.parse import unquote

from .values import Refused, Target, as_read, comparable, render


@dataclass
class Decision:
    """What to do with one object: ``writes`` {column: (target, value to send)}, ``conflicts`` {column: {"property",
    "property_id", "base", "notion", "local"}}, ``agreed`` {column: Notion's value, already what nls would send},
    ``skipped`` {column: why it has nowhere to go}."""

    writes: dict[str, tuple[Target, dict]] = field(default_factory=dict)
    conflicts: dict[str, dict] = field(default_factory=dict)
    agreed: dict[str, dict | None] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def properties(self) -> dict[str, dict]:
        """The request's ``properties``: {property id: value} of the columns to write."""
        return {target.id: value for target, value in self.writes.values()}


def find_property(properties: dict, keys: list[str]) -> tuple[str, dict] | None:
    """The first property of a page's or data source's ``properties`` ({name: {id, type, ...}}) that one of ``keys``
    names, by name, else by id (Notion's ids are percent-encoded; either form matches): (name, property)."""
    for key in keys:
        if isinstance(properties.get(key), dict):
            return key, properties[key]
        for name, prop in properties.items():
            pid = prop.get("id") if isinstance(prop, dict) else None
            if pid is not None and (pid == key or unquote(pid) == unquote(key)):
                return name, prop
    return None


def resolve(columns: list[dict], properties: dict, options: dict | None = None) -> tuple[dict, dict]:
    """Where each pushed column goes. ``columns``: nls._push_columns rows ({column_name, keys, create_options,
    ref_table}); ``properties``: the page's or data source's {name: {id, type, ...}}; ``options``: {property id:
    option names} of select, status and multi-select properties, when known. Returns ({column: Target}, {column:
    why it was skipped})."""
    targets, skipped = {}, {}
    for c in columns:
        found = find_property(properties, c.get("keys") or [])
        if found is None:
            names = ", ".join(c.get("keys") or []) or "none"
            skipped[c["column_name"]] = f"no property of the data source is named or has the id {names}"
            continue
        name, prop = found
        targets[c["column_name"]] = Target(
            c["column_name"],
            name,
            prop["id"],
            prop["type"],
            bool(c.get("create_options")),
            c.get("ref_table") is not None,
            (options or {}).get(prop.get("id")),
        )
    return targets, skipped


def current_value(properties: dict, target: Target) -> dict | None:
    """A page's value of ``target`` (found by id, else by name), or None when the page has none."""
    found = find_property(properties, [target.id, target.name])
    return found[1] if found else None


def decide(base_values: dict, local: dict, targets: dict, properties: dict) -> Decision:
    """For each column of ``base_values`` ({column: the Notion value its local change was based on}), with the
    local values (``local``: {column: value}), the columns' targets and the page's ``properties`` now: write,
    conflict, agreed or skipped (module docstring). Raises Refused when a value cannot be sent."""
    out = Decision()
    for column, base in sorted(base_values.items()):
        target = targets.get(column)
        if target is None:
            out.skipped[column] = "not pushed (no property, or no longer in the push map)"
            continue
        sent = render(local.get(column), target)
        now = current_value(properties, target)
        if comparable(now) == comparable(dict(sent, type=target.type)):
            out.agreed[column] = now
        elif comparable(now) == comparable(base):
            out.writes[column] = (target, sent)
        else:
            out.conflicts[column] = {
                "property": target.name,
                "property_id": target.id,
                "base": base,
                "notion": now,
                "local": as_read(sent, target),
            }
    return out


def create_properties(local: dict, targets: dict) -> dict[str, dict]:
    """The ``properties`` of ``POST /v1/pages`` for a new page: every pushed column that holds a value. Raises
    Refused."""
    return {
        t.id: render(local[column], t)
        for column, t in sorted(targets.items())
        if local.get(column) not in (None, "", [])
    }


def content_hash(local: dict) -> str:
    """An object's ``sync_hash`` (``nls.notion_sync_state``): SHA-256 (hex) of the pushed columns' values,
    canonical JSON."""
    payload = json.dumps(local, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


# the error codes after which a failed object is tried again by the next push even when nothing changed here: the
# transient ones, and those the stored copy shows (a page gone or in the trash: no request tells it again)
RETRIED = frozenset(
    {
        "no_answer",
        "connection_error",
        "rate_limited",
        "internal_server_error",
        "bad_gateway",
        "service_unavailable",
        "gateway_timeout",
        "service_overload",
        "conflict_error",
        "create_unconfirmed",
        "database",
        "page_gone",
        "page_in_trash",
        "workspace_block_limit",
    }
)


def failure_hash(local: dict, columns: list) -> str:
    """What a failure waits on: the SHA-256 of the object's pushed values and of where they go (the push map's
    columns), so that a local change or a new push map tries it again."""
    return content_hash({"local": local, "columns": columns})


def retry_due(obj: dict, columns: list) -> bool:
    """Whether a push tries an object again: anything not failed; a failed one when its failure is retried (RETRIED),
    when the card id its new page would carry was held by another atom and is free now (``card_id_taken``), or when
    its values or push map changed since (:func:`failure_hash`)."""
    return (
        obj.get("status") != "failed"
        or obj.get("last_error_code") in RETRIED
        or (obj.get("last_error_code") == "card_id_taken" and not (obj.get("new_card") or {}).get("held_by"))
        or obj.get("failed_hash") != failure_hash(obj["local"], columns)
    )


def is_unchanged(obj: dict, local_hash: str) -> bool:
    """The delta: a pending object whose pushed values hash to what was last sent costs no request."""
    return obj.get("status") == "pending" and obj.get("sync_hash") == local_hash and not obj.get("conflict")


__all__ = [
    "Decision",
    "Refused",
    "content_hash",
    "create_properties",
    "current_value",
    "decide",
    "failure_hash",
    "find_property",
    "is_unchanged",
    "resolve",
    "retry_due",
]
