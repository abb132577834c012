"""The parts of docs/ made from an installed nls, so that they cannot drift from it: the settings table
(docs/settings.md, from the settings catalogue nls.settings that sql/06_settings.sql fills) and the SQL reference
(docs/reference.md, from the COMMENT ON of every public function, procedure and view of schema nls: public is a
name that does not start with ``_``). `make docs` rewrites them; tests/test_docs.py fails when a committed part
differs from what a fresh install gives.

A generated part is the text between two markers of any markdown file of the checkout (the prose around it is
written by hand)::

    <!-- generated: settings (scripts/docs.py; make docs writes it) -->
    | setting | type | ...
    <!-- end of generated: settings -->

A public object that no section of SECTIONS names is an error, and so is a name of SECTIONS that the schema lacks:
a new function, procedure or view gets its place in the reference when it is made.

    python scripts/docs.py            # rewrite the generated parts that differ
    python scripts/docs.py --check    # exit 1 with a diff when a committed part differs
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
import textwrap
from collections.abc import Callable, Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

import psycopg

from samples import check_or_write, markdown_files
from schema_dump import fresh_install

ROOT = Path(__file__).resolve().parents[1]
PART = re.compile(
    r"^<!-- generated: (?P<name>[a-z-]+) \(scripts/docs\.py; make docs writes it\) -->\n"
    r"(?P<body>.*?)^<!-- end of generated: (?P=name) -->$",
    re.M | re.S,
)
WIDTH = 120


class DocsError(RuntimeError):
    """The generated parts cannot be made: an unknown part, or the reference's sections and the schema disagree."""


# ---- reading the installed schema -------------------------------------------------------------------------------


@dataclass
class Routine:
    """A public function or procedure of schema nls, as the catalogue has it."""

    name: str
    kind: str  # function, procedure
    arguments: str  # pg_get_function_arguments: names, types, defaults
    result: str | None  # pg_get_function_result; None for a procedure
    language: str
    volatility: str
    security_definer: bool
    executable_by: list[str]
    comment: str | None


@dataclass
class View:
    """A public view of schema nls: its columns (name, type), whose rights it reads with, the roles that may
    select from it, and its comment."""

    name: str
    columns: list[tuple[str, str]]
    security_invoker: bool
    readable_by: list[str]
    comment: str | None


ROUTINES = """
SELECT p.proname, CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
       pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), l.lanname,
       CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END, p.prosecdef,
       array(SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
               FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS a
              WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner ORDER BY 1),
       obj_description(p.oid, 'pg_proc')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
 WHERE n.nspname = 'nls' AND p.proname !~ '^_'
 ORDER BY p.proname, pg_get_function_identity_arguments(p.oid)"""

VIEWS = """
SELECT c.relname,
       array(SELECT ARRAY[a.attname::text, format_type(a.atttypid, a.atttypmod)] FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
       coalesce('security_invoker=true' = ANY (c.reloptions) OR 'security_invoker=on' = ANY (c.reloptions), false),
       array(SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
               FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) AS a
              WHERE a.privilege_type = 'SELECT' AND a.grantee <> c.relowner ORDER BY 1),
       obj_description(c.oid, 'pg_class')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'nls' AND c.relkind IN ('v', 'm') AND c.relname !~ '^_'
 ORDER BY c.relname"""

SETTINGS = """
SELECT name, type || coalesce(' (' || unit || ')', ''), default_value,
       nls._setting_allowed(type, unit, min_value, max_value, allowed), description
  FROM nls.settings ORDER BY name"""


def routines(conn: psycopg.Connection) -> list[Routine]:
    """Every public function and procedure of schema nls, by name."""
    return [Routine(*row) for row in conn.execute(ROUTINES)]


def views(conn: psycopg.Connection) -> list[View]:
    """Every public view of schema nls, by name."""
    return [
        View(name, [tuple(c) for c in columns], invoker, readers, comment)
        for name, columns, invoker, readers, comment in conn.execute(VIEWS)
    ]


# ---- markdown ---------------------------------------------------------------------------------------------------

_LINE_START = re.compile(r"^([-+*]|\d+[.)]|#+|>|=+|\|)(\s|$)")  # what would start a list, heading, quote, table


_CODE = re.compile(r"(`[^`]*`|\bnls\.[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?(?:\(\))?)")


def prose(text: str, names: AbstractSet[str] = frozenset(), lead: str = "") -> str:
    """``text`` (a COMMENT ON, wrapped at 120 columns in the SQL) as one markdown paragraph, wrapped again at
    WIDTH: a code span as written, ``nls.<name>`` as code (a link when ``names`` holds it), what markdown would
    read as markup escaped (``*``, ``<``, an ``_`` at the edge of a word); ``lead`` (markdown) goes before it as it
    is."""
    out = [lead]
    for i, part in enumerate(_CODE.split(" ".join(text.split()))):
        if i % 2 == 0:
            part = part.replace("\\", "\\\\").replace("*", "\\*").replace("<", "\\<")
            out.append(re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", part))
        elif part.startswith("`"):
            out.append(part)
        else:
            out.append(code_name(part, names))
    return wrap("".join(out))


_UNBROKEN = re.compile(r"`[^`]*`|\[[^\]]*\]\([^)]*\)")  # code spans and links: never broken across lines


def wrap(text: str, indent: str = "") -> str:
    """Markdown ``text`` wrapped at WIDTH (continuation lines indented by ``indent``), never inside a code span or a
    link, and with no line that markdown would take for a list item, a heading, a quote or a table."""
    text = _UNBROKEN.sub(lambda m: m[0].replace(" ", "\0"), text)
    lines: list[str] = []
    for line in textwrap.wrap(text, WIDTH, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False):
        if lines and _LINE_START.match(line.strip()):
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    return "\n".join(lines).replace("\0", " ")


def code_name(qualified: str, names: AbstractSet[str]) -> str:
    """``nls.<name>`` (or ``nls.<table>.<column>``, ``nls.<name>()``) as code, linked to its entry when the
    reference has one."""
    name = qualified[4:].split(".")[0].removesuffix("()")
    return f"[`{qualified}`](#{anchor('nls.' + name)})" if name in names else f"`{qualified}`"


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, spaces as dashes, punctuation other than - and _ dropped."""
    return re.sub(r"[^a-z0-9 _-]", "", heading.lower()).replace(" ", "-")


def cell(text: str) -> str:
    """``text`` for a table cell: one line, ``|`` escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


# ---- the settings table -----------------------------------------------------------------------------------------


def settings_table(conn: psycopg.Connection) -> str:
    """The table of every setting of the catalogue: setting, type (unit), default, what it takes, meaning."""
    rows = ["| setting | type | default | allowed | meaning |", "|---|---|---|---|---|"]
    for name, kind, default, allowed, meaning in conn.execute(SETTINGS):
        rows.append(f"| `{name}` | {cell(kind)} | {cell(default)} | {cell(allowed)} | {cell(meaning)} |")
    return "\n".join(rows) + "\n"


# ---- the SQL reference ------------------------------------------------------------------------------------------

# (section title, what it is about, the public objects it holds in reading order)
SECTIONS: list[tuple[str, str, list[str]]] = [
    (
        "Users and sources",
        "A user's Notion connection, the databases it syncs and what they become.",
        ["add_integration", "remove_integration", "add_source", "remove_source", "discover", "targets", "property_map"],
    ),
    (
        "Syncing",
        "Reading Notion, by hand or on the schedule, and what the runs did.",
        ["sync_notion", "sync_all_users_notion_databases", "sync_status", "notion_files"],
    ),
    (
        "Two-way sync",
        "Writing back to Notion what changed in PostgreSQL ([two-way.md](two-way.md)).",
        ["push_notion", "push_map", "set_push_map", "push_conflicts", "resolve_conflict"],
    ),
    (
        "Webhooks",
        "Notion's change signals, applied within a minute ([webhooks.md](webhooks.md)).",
        [
            "webhook_endpoint",
            "webhook_verification_token",
            "webhook_receive",
            "webhook_apply",
            "apply_webhook_events",
            "apply_all_webhook_events",
            "webhook_status",
        ],
    ),
    (
        "Events",
        "What happened for a user, on NOTIFY nls_events and as signed webhooks to the application "
        "([events.md](events.md)).",
        [
            "add_event_endpoint",
            "remove_event_endpoint",
            "event_endpoints",
            "events",
            "event_deliveries",
            "deliver_events",
            "event_kinds",
        ],
    ),
    (
        "The learning schema",
        "The cleaning pipeline, the review workflow and the card rules ([learning.md](learning.md)).",
        [
            "clean",
            "approve_review",
            "edit_review",
            "reject_review",
            "v_due_atoms",
            "v_concept_atom_stats",
            "v_review_queue_summary",
            "atom_type_for",
            "atomicity_status",
            "atom_quality_score",
            "atom_needs_review",
            "normalize_card_id",
            "word_count",
        ],
    ),
    (
        "Anki",
        "A learner's cards in their Anki collection, and their reviews back ([anki.md](anki.md)).",
        ["add_anki_account", "remove_anki_account", "anki_sync", "anki_status"],
    ),
    (
        "Typed views",
        "Any synced database as a view with a typed column per property "
        "([typed-views.md](typed-views.md)), and the helpers that read one Notion property value.",
        [
            "create_typed_view",
            "drop_typed_view",
            "typed_view_columns",
            "typed_select",
            "notion_property",
            "notion_text",
            "notion_number",
            "notion_boolean",
            "notion_date",
            "notion_timestamptz",
            "notion_range",
            "notion_names",
            "notion_ids",
            "notion_relation_ids",
            "notion_texts",
            "notion_user",
            "notion_unique_number",
        ],
    ),
    (
        "Settings, keys and the release",
        "The settings catalogue ([settings.md](settings.md)), the key ring, and "
        "what this database runs ([upgrading.md](upgrading.md)).",
        ["set_setting", "rotate_encryption_key", "engine_status", "version"],
    ),
    (
        "Workers",
        "The engine beside the server, where PL/Python is not allowed ([managed.md](managed.md)).",
        ["workers"],
    ),
]

LANGUAGES = {"plpython3u": "PL/Python", "plpgsql": "PL/pgSQL", "sql": "SQL"}


def _placed(objects: dict[str, list]) -> None:
    """DocsError unless SECTIONS names every public object exactly once, and nothing else."""
    named = [n for _, _, names in SECTIONS for n in names]
    twice = sorted({n for n in named if named.count(n) > 1})
    missing = sorted(set(objects) - set(named))
    unknown = sorted(set(named) - set(objects))
    if twice or missing or unknown:
        raise DocsError(
            "the reference's SECTIONS (scripts/docs.py) and schema nls disagree: "
            + "; ".join(
                f"{what}: {', '.join(names)}"
                for what, names in (
                    ("in no section", missing),
                    ("not in the schema", unknown),
                    ("in two places", twice),
                )
                if names
            )
        )


def _routine_entry(routines: list[Routine], names: set[str]) -> list[str]:
    """The entry of one routine name (its overloads together): signature and result, how it runs, its comment."""
    r = routines[0]
    signatures = [signature(x) for x in routines]
    runs = "as its owner (SECURITY DEFINER)" if r.security_definer else "as the caller"
    facts = [
        r.kind,
        LANGUAGES.get(r.language, r.language),
        r.volatility,
        f"runs {runs}",
        "executable by " + (", ".join(r.executable_by) or "its owner only"),
    ]
    lines = ["```text", *("\n\n".join(signatures).splitlines()), "```", "", " · ".join(facts), ""]
    for x in routines:
        does, raises = split_raises(x.comment or "(no comment)")
        lines += [prose(does, names), ""]
        if raises:
            lines += [prose(raises.removeprefix("Raises "), names, lead="**Raises** "), ""]
    return lines


def signature(r: Routine) -> str:
    """``nls.name(arguments)`` and its RETURNS line; one argument a line when that is wider than WIDTH."""
    line = f"nls.{r.name}({r.arguments})"
    if len(line) > WIDTH:
        line = f"nls.{r.name}(\n" + ",\n".join("    " + a for a in arguments(r.arguments)) + "\n)"
    return line + (f"\nRETURNS {r.result}" if r.result else "")


def arguments(text: str) -> list[str]:
    """The arguments of ``pg_get_function_arguments``, split at the commas outside quotes and parentheses."""
    out, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch in "()":
            depth += 1 if ch == "(" else -1
        elif not quoted and depth == 0 and text.startswith(", ", i):
            out.append(text[start:i])
            start = i + 2
    return [*out, text[start:]] if text else out


def split_raises(comment: str) -> tuple[str, str]:
    """``comment`` as (what the routine does and returns, its sentences that start with "Raises")."""
    sentences = re.split(r"(?<=\.)\s+(?=[A-Z])", " ".join(comment.split()))
    raises = [s for s in sentences if s.startswith("Raises ")]
    return " ".join(s for s in sentences if s not in raises), " ".join(raises)


def _view_entry(view: View, names: set[str]) -> list[str]:
    """The entry of one view: whose rights it reads with and who may read it, its comment, its columns."""
    reads = (
        "reads as the caller (security_invoker: row-level security holds)"
        if view.security_invoker
        else "reads as its owner"
    )
    facts = ["view", reads, "readable by " + (", ".join(view.readable_by) or "its owner only")]
    lines = [" · ".join(facts), "", prose(view.comment or "(no comment)", names), "", "| column | type |", "|---|---|"]
    lines += [f"| `{column}` | {cell(kind)} |" for column, kind in view.columns]
    return [*lines, ""]


def reference(conn: psycopg.Connection) -> str:
    """The SQL reference: an index of the sections, then per section each object's entry in SECTIONS' order."""
    objects: dict[str, list] = {}
    for r in routines(conn):
        objects.setdefault(r.name, []).append(r)
    for v in views(conn):
        objects.setdefault(v.name, []).append(v)
    _placed(objects)
    names = set(objects)
    lines = []
    for title, _about, members in SECTIONS:
        links = ", ".join(f"[{n}](#{anchor('nls.' + n)})" for n in members)
        lines.append(wrap(f"- [{title}](#{anchor(title)}): {links}", indent="  "))
    for title, about, members in SECTIONS:
        lines += ["", f"## {title}", "", wrap(about)]
        for name in members:
            first = objects[name][0]
            lines += ["", f"### nls.{name}", ""]
            entry = _view_entry(first, names) if isinstance(first, View) else _routine_entry(objects[name], names)
            lines += entry[:-1]
    return "\n".join(lines) + "\n"


GENERATORS: dict[str, Callable[[psycopg.Connection], str]] = {"settings": settings_table, "reference": reference}


# ---- the parts in the files -------------------------------------------------------------------------------------


def parts(paths: list[Path]) -> dict[Path, list[str]]:
    """The names of the generated parts of each file that has some; DocsError for a part nobody generates."""
    found: dict[Path, list[str]] = {}
    for path in paths:
        for m in PART.finditer(path.read_text()):
            if m["name"] not in GENERATORS:
                raise DocsError(
                    f"{os.path.relpath(path, ROOT)}: no generator of part {m['name']!r} "
                    f"(scripts/docs.py makes {', '.join(GENERATORS)})"
                )
            found.setdefault(path, []).append(m["name"])
    return found


def regenerate(conn: psycopg.Connection, paths: list[Path]) -> dict[Path, str]:
    """The text of each file of ``paths`` that has generated parts, each part as ``conn``'s schema gives it."""
    made: dict[str, str] = {}
    texts = {}
    for path in parts(paths):

        def fill(m: re.Match) -> str:
            body = made.setdefault(m["name"], GENERATORS[m["name"]](conn))
            return m[0][: m.start("body") - m.start()] + body + m[0][m.end("body") - m.start() :]

        texts[path] = PART.sub(fill, path.read_text())
    return texts


def differences(texts: dict[Path, str]) -> str:
    """A unified diff of each file whose committed text differs from ``texts`` ('' when none does)."""
    out: list[str] = []
    for path, text in texts.items():
        name = os.path.relpath(path, ROOT)
        out.extend(
            difflib.unified_diff(path.read_text().splitlines(True), text.splitlines(True), name, f"{name} (generated)")
        )
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with --check, compare) the generated parts of the checkout's markdown files; the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 with a diff when a part differs")
    args = parser.parse_args(argv)
    with fresh_install("nls_docs") as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        texts = regenerate(conn, markdown_files())
    return check_or_write(texts, lambda: differences(texts), args.check, "the generated parts")


if __name__ == "__main__":
    sys.exit(main())
