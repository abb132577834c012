"""Notion property values, written and compared (two-way sync). Pure: no SQL, no request.

:func:`render` turns a local column's value into the property value nls sends (``PATCH /v1/pages/{id}`` and
``POST /v1/pages`` take ``{"properties": {property id: value}}``), within Notion's limits on what is sent
(NOTION_API.md, "Writing to Notion"): at most 2,000 characters per rich text item (a longer text goes as several
items, which Notion joins back into the same text), at most 100 items per rich text, relation, people or
multi-select value, no write to a property Notion computes, and a select value that is not an option refused unless
the push map allows creating options (Notion would create it: a typo would become a new option). A value it cannot
send raises :class:`Refused`, and nothing is sent for that object.

:func:`comparable` gives the part of a property value that a reader sees (the text of a rich text, the name of an
option, the ids of a relation, a number...), so that a value nls sent, the value Notion answers and the value a
read brings compare equal when they say the same.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import NlsError

MAX_TEXT_UNITS = 2000  # characters per rich text item, counted as Notion (JavaScript) does: UTF-16 code units
MAX_ITEMS = 100  # items per rich text, relation, people or multi-select value
TEXT_TYPES = ("title", "rich_text")
PLAIN_TYPES = ("url", "email", "phone_number")
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
VALUE_TYPES = (
    TEXT_TYPES
    + PLAIN_TYPES
    + READ_ONLY
    + ("number", "select", "multi_select", "status", "date", "checkbox", "relation", "people", "files")
)


class Refused(NlsError):
    """A value Notion would refuse, or one nls will not send (a new option the push map does not allow), or a page
    it cannot write to; the message says which property and what to do, ``code`` is the object's
    ``last_error_code`` (``refused``, ``page_gone``, ``page_in_trash``). Nothing is sent for the object."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Target:
    """Where a pushed column goes: the Notion property's ``name``, ``id`` and ``type``; ``create_options`` (a select
    value that is no option may become one); ``reference`` (the column holds another row: sent as a relation to that
    row's page); ``options`` (the select's, status' or multi-select's option names, None when not known)."""

    column: str
    name: str
    id: str
    type: str
    create_options: bool = False
    reference: bool = False
    options: tuple[str, ...] | None = None


def utf16_units(text: str) -> int:
    """How long ``text`` is for Notion: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def split_text(text: str) -> list[str]:
    """``text`` in pieces of at most 2,000 UTF-16 code units, never splitting a character; joined they are ``text``.
    Raises Refused when it takes more than 100 pieces (200,000 units)."""
    pieces, start, units = [], 0, 0
    for i, ch in enumerate(text):
        width = 2 if ord(ch) > 0xFFFF else 1
        if units + width > MAX_TEXT_UNITS:
            pieces.append(text[start:i])
            start, units = i, 0
        units += width
    if start < len(text):
        pieces.append(text[start:])
    if len(pieces) > MAX_ITEMS:
        raise Refused(
            f"a text of {utf16_units(text):,} characters takes {len(pieces)} rich text items of at most "
            f"{MAX_TEXT_UNITS:,}; Notion takes at most {MAX_ITEMS} in one value"
        )
    return pieces


def rich_text(text: str | None) -> list[dict]:
    """The rich text items nls sends for ``text`` (none for None or '')."""
    return [{"type": "text", "text": {"content": piece}} for piece in split_text(text or "")]


def option_key(name: str) -> str:
    """How nls reads an option against its own vocabulary: lower case, spaces, slashes and dashes as one "_"
    ("In progress" -> in_progress, "True/False" -> true_false), as the cleaning pipeline does."""
    return re.sub(r"[\s/-]+", "_", name.strip().lower())


def option_name(value: Any, target: Target) -> str:
    """The option to send for a local value: an option of that name, else the one that reads as the same value
    (``mastered`` -> "Mastered"), else the value itself where new options are allowed. Raises Refused otherwise."""
    text = str(value).strip()
    if target.options is None or text in target.options:
        return text
    for option in target.options:
        if option_key(option) == option_key(text):
            return option
    listed = ", ".join(target.options[:20]) or "none"
    if target.type == "status":
        raise Refused(
            f"{text!r} is no option of the status property {target.name!r} (options: {listed}); Notion "
            "adds status options only in its own editor"
        )
    if not target.create_options:
        raise Refused(
            f"{text!r} is no option of the {target.type} property {target.name!r} (options: {listed}); "
            f"add it in Notion, or let the push map create options: {{\"{target.column}\": "
            f"{{\"property\": \"{target.name}\", \"create_options\": true}}}}"
        )
    if "," in text:
        raise Refused(f"{text!r} cannot become an option of {target.name!r}: Notion's option names hold no comma")
    return text


def _items(value: Any) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    return [v.strip() for v in str(value).split(",") if v.strip()]


def _capped(items: list, target: Target) -> list:
    if len(items) > MAX_ITEMS:
        raise Refused(
            f"{len(items)} items for the {target.type} property {target.name!r}; Notion takes at most "
            f"{MAX_ITEMS} in one value"
        )
    return items


def _number(value: Any, target: Target) -> int | float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Refused(f"{value!r} is not a number, for the number property {target.name!r}") from None
    if not math.isfinite(number):
        raise Refused(f"{value!r} is not a number Notion can hold, for {target.name!r}")
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def render(value: Any, target: Target) -> dict:
    """The property value to send for a local ``value`` (as ``to_jsonb`` gave it: text, number, boolean, ISO time,
    a page id for a reference) in ``target``: ``{<type>: ...}``. Raises Refused."""
    t = target.type
    if t in READ_ONLY:
        raise Refused(
            f"{target.name!r} is a {t} property, which Notion computes: nls cannot write it; take "
            f"{target.column!r} out of the push map"
        )
    if t in TEXT_TYPES:
        return {t: rich_text(None if value is None else str(value))}
    if t in PLAIN_TYPES:
        return {t: None if value in (None, "") else str(value)}
    if t == "number":
        return {t: _number(value, target)}
    if t == "checkbox":
        return {t: bool(value)}
    if t in ("select", "status"):
        return {t: None if value in (None, "") else {"name": option_name(value, target)}}
    if t == "multi_select":
        return {t: [{"name": option_name(v, target)} for v in _capped(_items(value), target)]}
    if t == "date":
        return {t: None if value in (None, "") else {"start": str(value)}}
    if t in ("relation", "people"):
        return {t: [{"id": str(v)} for v in _capped(_items(value), target)]}
    raise Refused(f"nls does not write {t} properties ({target.name!r}); take {target.column!r} out of the push map")


def as_read(sent: dict, target: Target) -> dict:
    """A value nls sends in the shape a read gives it back (``id``, ``type``, rich text with ``plain_text``), for
    the conflict record and nls.push_conflicts."""
    value = sent.get(target.type)
    if target.type in TEXT_TYPES:
        value = [dict(item, plain_text=item["text"]["content"]) for item in value or []]
    return {"id": target.id, "type": target.type, target.type: value}


def value_type(prop: dict) -> str | None:
    """The type of a property value: its ``type``, else the one known key it holds (a value as sent)."""
    if not isinstance(prop, dict):
        return None
    if isinstance(prop.get("type"), str):
        return prop["type"]
    return next((k for k in prop if k in VALUE_TYPES), None)


def _text_of(items: list[dict] | None) -> str | None:
    parts = []
    for item in items or []:
        if isinstance(item, dict):
            parts.append(item["plain_text"] if "plain_text" in item else (item.get("text") or {}).get("content", ""))
    return "".join(parts) or None


def _time(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    if len(value) == 10:
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _id(value: Any) -> str:
    return str(value).replace("-", "").lower()


def comparable(prop):
    """What a property value says, for comparing: text for title, rich_text, url, email and phone number (None when
    empty), the option's name, sorted names of a multi-select, a float for a number, a bool, (start, end) of a date
    in UTC, sorted page or user ids of a relation or people value; any other value as canonical JSON."""
    t = value_type(prop)
    if t is None:
        return None
    v = prop.get(t)
    if t in TEXT_TYPES:
        return _text_of(v)
    if t in PLAIN_TYPES:
        return v or None
    if t in ("select", "status"):
        return v.get("name") if isinstance(v, dict) else None
    if t == "multi_select":
        return tuple(sorted(o.get("name") for o in v or [] if isinstance(o, dict)))
    if t == "number":
        return None if v is None else float(v)
    if t == "checkbox":
        return bool(v)
    if t == "date":
        return None if not isinstance(v, dict) else (_time(v.get("start")), _time(v.get("end")))
    if t in ("relation", "people"):
        return tuple(sorted(_id(o.get("id")) for o in v or [] if isinstance(o, dict)))
    return json.dumps(v, sort_keys=True)
