"""Generated workspaces, deterministic from a seed, at any size (10 to 200,000 pages).

``learning``: Programs, Tracks, Modules, Concept Areas, Concept Clusters, Concepts and Flashcards with the
property names the learning targets read (``CardID``, ``Question``, ``Answer``, ``Concept``, ``Module``,
``Status`` ...). ``creative``: Characters, Worlds, Stories and Chat Sessions with the property names the creative
targets read (sql/05_targets.sql).
With ``hard=True`` the workspace also holds the cases that make other syncs lose data: U+0000 and lone
surrogates in text, emoji, 2,000-character text runs, relations of 40+ items, deeply nested and synced
blocks, trashed pages, and a database with two data sources.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from nls_install.catalogue import targets_of_kind

from .model import Workspace, iso_minute, rich_text

# name -> (title property, [(property name, type, options)])
LEARNING = {
    "Programs": (
        "Name",
        [("Description", "rich_text"), ("Status", "select"), ("Start Date", "date"), ("End Date", "date")],
    ),
    "Tracks": ("Name", [("Description", "rich_text"), ("Program", "relation:Programs"), ("Order", "number")]),
    "Modules": (
        "Name",
        [("Description", "rich_text"), ("Track", "relation:Tracks"), ("Week", "number"), ("Status", "select")],
    ),
    "Concept Areas": ("Name", [("Description", "rich_text"), ("Domain", "select"), ("Order", "number")]),
    "Concept Clusters": (
        "Name",
        [
            ("Description", "rich_text"),
            ("Area", "relation:Concept Areas"),
            ("Exam Weight", "number"),
            ("Order", "number"),
        ],
    ),
    "Concepts": (
        "Name",
        [
            ("Definition", "rich_text"),
            ("Domain", "select"),
            ("Status", "select"),
            ("Cluster", "relation:Concept Clusters"),
            ("Area", "relation:Concept Areas"),
            ("DEC Score", "number"),
            ("PROC Score", "number"),
            ("APP Score", "number"),
            ("Last Reviewed", "date"),
            ("Flashcards", "relation:Flashcards"),
        ],
    ),
    "Flashcards": (
        "Question",
        [
            ("CardID", "rich_text"),
            ("Answer", "rich_text"),
            ("Concept", "relation:Concepts"),
            ("Module", "relation:Modules"),
            ("Status", "select"),
            ("Tags", "multi_select"),
        ],
    ),
}
CREATIVE = {
    "Worlds": ("World Name", [("Concept/Premise", "rich_text"), ("Genre", "select")]),
    "Characters": (
        "Name",
        [("Description", "rich_text"), ("Bio", "rich_text"), ("Backstory", "rich_text"), ("World", "relation:Worlds")],
    ),
    "Stories": (
        "Story Title",
        [("Premise", "rich_text"), ("Characters", "relation:Characters"), ("World", "relation:Worlds")],
    ),
    "Chat Sessions": (
        "Session Title",
        [("Raw Transcript", "rich_text"), ("Message Count", "number"), ("Characters", "relation:Characters")],
    ),
}

# the nls sync target (nls.add_source(..., target)) each generated database feeds, by database name: from the one list
# of targets (sql/05_targets.sql); a database generated here that no target names is caught by the tests
LEARNING_TARGETS = targets_of_kind("learning")
CREATIVE_TARGETS = targets_of_kind("creative")

# share of the pages each database gets
LEARNING_SHARE = {
    "Programs": 0.002,
    "Tracks": 0.008,
    "Modules": 0.04,
    "Concept Areas": 0.005,
    "Concept Clusters": 0.02,
    "Concepts": 0.125,
    "Flashcards": 0.8,
}
CREATIVE_SHARE = {"Worlds": 0.05, "Characters": 0.3, "Stories": 0.15, "Chat Sessions": 0.5}

WORDS = (
    "packet",
    "router",
    "kernel",
    "process",
    "thread",
    "cache",
    "latency",
    "graph",
    "vertex",
    "edge",
    "matrix",
    "vector",
    "proof",
    "lemma",
    "enzyme",
    "protein",
    "cell",
    "orbit",
    "entropy",
    "signal",
    "socket",
    "buffer",
    "queue",
    "stack",
    "heap",
    "tree",
    "hash",
    "index",
    "query",
    "schema",
)
STATUS = {
    "Programs": ["active", "completed", "paused", "archived"],
    "Modules": ["not_started", "in_progress", "completed", "reviewing"],
    "Concepts": ["to_learn", "active", "reviewing", "mastered", "stale"],
    "Flashcards": ["Active", "Draft", "Suspended"],
}
DOMAINS = ["STEM", "Humanities", "Networks", "Systems", "Mathematics"]


@dataclass
class Generated:
    """What a generator made: the workspace, and the ids by database name."""

    workspace: Workspace
    database_ids: dict[str, str] = field(default_factory=dict)
    data_source_ids: dict[str, str] = field(default_factory=dict)
    page_ids: dict[str, list[str]] = field(default_factory=dict)
    hard_cases: dict[str, list[str]] = field(default_factory=dict)


def _prop_id(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()[:4]


def generate(
    kind: str = "learning",
    pages: int = 200,
    seed: int = 1,
    hard: bool = False,
    workspace: Workspace | None = None,
    now: float | None = None,
) -> Generated:
    """Build a workspace of ``kind`` ('learning' or 'creative') holding about ``pages`` pages, the same for
    the same seed. Times lie in the year before ``now`` (epoch seconds; default the workspace clock)."""
    _check_arguments(kind, pages)
    rng = random.Random(seed)
    ws = workspace or Workspace(name=f"Generated {kind} workspace (seed {seed})")

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    now = ws.clock() if now is None else now
    start = now - 365 * 86400
    person = _person(uid())
    ws.add_user(person)
    spec = LEARNING if kind == "learning" else CREATIVE
    counts = _page_counts(LEARNING_SHARE if kind == "learning" else CREATIVE_SHARE, pages)
    out = Generated(ws)
    _add_databases(ws, out, spec, counts, person["id"], iso_minute(start), uid)
    _add_pages(ws, out, spec, sum(counts.values()), rng, uid, person["id"], start, now)
    if kind == "learning":
        _link_flashcards_back(ws, out)
    if hard:
        _hard_cases(ws, out, rng, uid, now)
    return out


def _check_arguments(kind: str, pages: int) -> None:
    """Refuse an unknown workspace kind or a page count outside 10 to 200,000."""
    if kind not in ("learning", "creative"):
        raise ValueError(f"unknown workspace kind {kind!r}: use 'learning' or 'creative'")
    if not 10 <= pages <= 200_000:
        raise ValueError(f"pages must be between 10 and 200,000, not {pages}")


def _person(user_id: str) -> dict:
    """The one person user who creates and edits everything generated."""
    return {
        "object": "user",
        "id": user_id,
        "name": "Ada Learner",
        "avatar_url": None,
        "type": "person",
        "person": {"email": "ada@example.com"},
    }


def _page_counts(share: dict[str, float], pages: int) -> dict[str, int]:
    """Pages per database by ``share``, at least one each, the biggest taking the rounding so they sum to ``pages``."""
    counts = {name: max(1, round(pages * s)) for name, s in share.items()}
    biggest = max(counts, key=lambda name: counts[name])
    counts[biggest] = max(1, pages - (sum(counts.values()) - counts[biggest]))
    return counts


def _add_databases(
    ws: Workspace, out: Generated, spec: dict, counts: dict[str, int], person_id: str, created: str, uid
) -> None:
    """Add each database of ``spec`` with its one data source, and draw the ids of the pages each will hold."""
    for name in spec:
        db_id, ds_id = uid(), uid()
        out.database_ids[name], out.data_source_ids[name] = db_id, ds_id
    for name, (title, props) in spec.items():
        db_id, ds_id = out.database_ids[name], out.data_source_ids[name]
        title_rt = [rich_text(name)]
        ws.add_database(
            {
                "object": "database",
                "id": db_id,
                "title": title_rt,
                "description": [],
                "parent": {"type": "workspace", "workspace": True},
                "is_inline": False,
                "in_trash": False,
                "is_locked": False,
                "created_time": created,
                "last_edited_time": created,
                "data_sources": [],
                "icon": None,
                "cover": None,
                "url": f"https://www.notion.so/{db_id.replace('-', '')}",
                "public_url": None,
                "archived": False,
            }
        )
        ws.add_data_source(
            {
                "object": "data_source",
                "id": ds_id,
                "cover": None,
                "icon": None,
                "created_time": created,
                "created_by": {"object": "user", "id": person_id},
                "last_edited_by": {"object": "user", "id": person_id},
                "last_edited_time": created,
                "title": title_rt,
                "description": [],
                "is_inline": False,
                "properties": _schema(name, title, props, out),
                "parent": {"type": "database_id", "database_id": db_id},
                "database_parent": {"type": "workspace", "workspace": True},
                "url": f"https://www.notion.so/{ds_id.replace('-', '')}",
                "public_url": None,
                "archived": False,
                "in_trash": False,
            }
        )
        out.page_ids[name] = [uid() for _ in range(counts[name])]


def _schema(name: str, title: str, props: list, out: Generated) -> dict:
    """The property schema of database ``name``: its title, then each ``(name, type[:target])`` of ``props``."""
    schema = {title: {"id": "title", "name": title, "type": "title", "title": {}}}
    for pname, ptype in props:
        t, _, target = ptype.partition(":")
        entry = {"id": _prop_id(name + "/" + pname), "name": pname, "type": t}
        if t == "relation":
            entry["relation"] = {
                "database_id": out.database_ids[target],
                "data_source_id": out.data_source_ids[target],
                "type": "single_property",
                "single_property": {},
            }
        elif t in ("select", "multi_select"):
            opts = STATUS.get(name, DOMAINS) if pname in ("Status", "Domain") else WORDS[:6]
            entry[t] = {"options": [{"id": _prop_id(o), "name": o, "color": "default"} for o in opts]}
        elif t == "number":
            entry["number"] = {"format": "number"}
        else:
            entry[t] = {}
        schema[pname] = entry
    return schema


def _add_pages(
    ws: Workspace, out: Generated, spec: dict, total: int, rng, uid, person_id: str, start: float, now: float
) -> None:
    """Add every drawn page with its values and content, created evenly from ``start`` to an hour before ``now``."""
    step = max(1.0, (now - 3600 - start) / max(total, 1))
    n = 0
    for name, (title, props) in spec.items():
        ds_id = out.data_source_ids[name]
        schema = ws.data_sources[ds_id]["properties"]
        for i, pid in enumerate(out.page_ids[name]):
            created_at = start + n * step
            edited_at = min(now - 3600, created_at + rng.randint(0, 30) * 60)
            n += 1
            values = _values(rng, name, i, title, props, out)
            ws.add_page(
                {
                    "object": "page",
                    "id": pid,
                    "created_time": iso_minute(created_at),
                    "last_edited_time": iso_minute(edited_at),
                    "created_by": {"object": "user", "id": person_id},
                    "last_edited_by": {"object": "user", "id": person_id},
                    "cover": None,
                    "icon": None,
                    "parent": {
                        "type": "data_source_id",
                        "data_source_id": ds_id,
                        "database_id": out.database_ids[name],
                    },
                    "archived": False,
                    "in_trash": False,
                    "is_locked": False,
                    "properties": _page_properties(schema, values),
                    "url": f"https://www.notion.so/{pid.replace('-', '')}",
                    "public_url": None,
                }
            )
            ws.add_block_tree(pid, _content(rng, uid, pid, name, i))


def _page_properties(schema: dict, values: dict) -> dict:
    """A page's ``properties`` as the API gives them, from its plain ``values`` by property name."""
    page_props = {}
    for pname, entry in schema.items():
        t = entry["type"]
        v = values.get(pname)
        if t in ("title", "rich_text"):
            v = [rich_text(v)] if v else []
        elif t == "relation":
            v = [{"id": x} for x in (v or [])]
        elif t == "select":
            v = {"id": _prop_id(v), "name": v, "color": "default"} if v else None
        elif t == "multi_select":
            v = [{"id": _prop_id(x), "name": x, "color": "default"} for x in (v or [])]
        elif t == "date":
            v = {"start": v, "end": None, "time_zone": None} if v else None
        page_props[pname] = {"id": entry["id"], "type": t, t: v}
        if t == "relation":
            page_props[pname]["has_more"] = False
    return page_props


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _pick(rng: random.Random, ids: list[str]) -> list[str]:
    return [rng.choice(ids)] if ids else []


def _values(rng, name, i, title, props, out) -> dict:
    ids = out.page_ids
    v: dict = {}
    if name == "Flashcards":
        front = f"What is the {_text(rng, rng.randint(2, 6))}?"
        if i % 7 == 3:
            front = "The {{c1::" + rng.choice(WORDS) + "}} " + _text(rng, 4) + "."
        v = {
            "Question": front,
            "CardID": f"NET-M{1 + i % 9}-{i:03d}-{rng.choice(['DEC', 'PROC', 'APP'])}",
            "Answer": _text(rng, rng.choice([3, 8, 15, 30, 60])).capitalize() + ".",
            "Concept": _pick(rng, ids.get("Concepts", [])),
            "Module": _pick(rng, ids.get("Modules", [])),
            "Status": rng.choice(STATUS["Flashcards"]),
            "Tags": rng.sample(WORDS[:6], rng.randint(0, 2)),
        }
        return v
    v[title] = f"{name[:-1] if name.endswith('s') else name} {i + 1}: {_text(rng, 2).title()}"
    for pname, ptype in props:
        t, _, target = ptype.partition(":")
        if t == "relation":
            if target == "Flashcards":
                continue
            v[pname] = _pick(rng, ids.get(target, []))
        elif t == "rich_text":
            v[pname] = _text(rng, rng.randint(5, 25)).capitalize() + "."
        elif t == "select":
            v[pname] = rng.choice(STATUS.get(name, DOMAINS)) if pname in ("Status", "Domain") else rng.choice(WORDS)
        elif t == "number":
            v[pname] = {
                "Order": i + 1,
                "Week": 1 + i % 12,
                "Exam Weight": round(rng.uniform(0, 30), 2),
                "Message Count": rng.randint(1, 400),
            }.get(pname, round(rng.uniform(0, 10), 2))
        elif t == "date":
            v[pname] = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
    if name == "Characters":  # the target reads Description, else Bio, else Backstory: some characters lack the first
        for pname in ("Description", "Bio")[: i % 3]:
            v.pop(pname, None)
    return v


def _content(rng, uid, page_id, name, i) -> list[dict]:
    def block(t: str, text: str, children=None) -> dict:
        b = {
            "object": "block",
            "id": uid(),
            "parent": {"type": "page_id", "page_id": page_id},
            "created_time": "2025-01-01T00:00:00.000Z",
            "last_edited_time": "2025-01-01T00:00:00.000Z",
            "created_by": {"object": "user", "id": "00000000-0000-0000-0000-000000000000"},
            "last_edited_by": {"object": "user", "id": "00000000-0000-0000-0000-000000000000"},
            "has_children": bool(children),
            "archived": False,
            "in_trash": False,
            "type": t,
            t: {"rich_text": [rich_text(text)], "color": "default"},
        }
        if children:
            b["children"] = children
        return b

    if name == "Flashcards" and i % 3:
        return []
    return [
        block("heading_2", "Notes"),
        block("paragraph", _text(rng, 12).capitalize() + "."),
        block("bulleted_list_item", _text(rng, 4), [block("paragraph", _text(rng, 6))]),
    ]


def _link_flashcards_back(ws: Workspace, out: Generated) -> None:
    """Fill each concept's ``Flashcards`` relation with the cards that name it (the dual property)."""
    by_concept: dict[str, list[str]] = {}
    for pid in out.page_ids["Flashcards"]:
        for rel in ws.pages[pid]["properties"]["Concept"]["relation"]:
            by_concept.setdefault(rel["id"], []).append(pid)
    for cid in out.page_ids["Concepts"]:
        ws.pages[cid]["properties"]["Flashcards"]["relation"] = [{"id": x} for x in by_concept.get(cid, [])]


def _hard_cases(ws: Workspace, out: Generated, rng, uid, now: float) -> None:
    """Plant the cases that make other syncs lose data in the pages of the flashcards (or characters) database."""
    name = "Flashcards" if "Flashcards" in out.page_ids else "Characters"
    ids = out.page_ids[name]
    ds = ws.data_sources[out.data_source_ids[name]]
    _hard_texts(ws, ds, ids, out.hard_cases)
    _many_relations(ws, ds, ids, rng, out.hard_cases)
    deep_page = ids[5 % len(ids)]
    _deep_and_synced_blocks(ws, deep_page, uid)
    out.hard_cases["deep_blocks"] = [deep_page]
    # trashed pages
    trashed = ids[6 % len(ids)]
    ws.pages[trashed]["in_trash"] = ws.pages[trashed]["archived"] = True
    out.hard_cases["trashed"] = [trashed]
    _two_data_sources(ws, out, uid, now)
    ws.touch()


def _hard_texts(ws: Workspace, ds: dict, ids: list[str], cases: dict) -> None:
    """Put U+0000, lone surrogates, emoji and two 2,000-character runs in the first rich text of four pages."""
    text_prop = next(p for p, e in ds["properties"].items() if e["type"] == "rich_text")

    def set_text(pid: str, text: str) -> None:
        ws.pages[pid]["properties"][text_prop]["rich_text"] = [rich_text(text)]

    set_text(ids[0], "before\x00after")
    set_text(ids[1 % len(ids)], "lone \ud800 surrogate and \udfff another")
    set_text(ids[2 % len(ids)], "emoji \U0001f9e0\U0001f4da and accents éàü and 中文")
    ws.pages[ids[3 % len(ids)]]["properties"][text_prop]["rich_text"] = [rich_text("x" * 2000), rich_text("y" * 2000)]
    cases["nul"], cases["surrogate"], cases["emoji"], cases["long_text"] = (
        [ids[0]],
        [ids[1 % len(ids)]],
        [ids[2 % len(ids)]],
        [ids[3 % len(ids)]],
    )


def _many_relations(ws: Workspace, ds: dict, ids: list[str], rng, cases: dict) -> None:
    """Give one page a relation of 60 items (past the 25 a page object holds), where the database has a relation."""
    rel_prop = next((p for p, e in ds["properties"].items() if e["type"] == "relation"), None)
    if rel_prop:
        target = ds["properties"][rel_prop]["relation"]["data_source_id"]
        pool = [p["id"] for p in ws.pages_of(target)]
        many = rng.sample(pool, min(60, len(pool)))  # 60 distinct pages where the target holds that many
        ws.pages[ids[4 % len(ids)]]["properties"][rel_prop]["relation"] = [{"id": x} for x in many]
        cases["many_relations"] = [ids[4 % len(ids)]]


def _deep_and_synced_blocks(ws: Workspace, deep_page: str, uid: Callable[[], str]) -> None:
    """Add toggles nested eight deep, and an original synced block with a copy, to ``deep_page``."""
    _deep_toggles(ws, deep_page, uid)
    _synced_blocks(ws, deep_page, uid)


def _deep_toggles(ws: Workspace, deep_page: str, uid: Callable[[], str]) -> None:
    """Toggles nested eight deep on ``deep_page``."""
    parent = deep_page
    for depth in range(8):
        bid = uid()
        ws.add_block(
            {
                "object": "block",
                "id": bid,
                "type": "toggle",
                "has_children": depth < 7,
                "parent": {
                    "type": "page_id" if parent == deep_page else "block_id",
                    ("page_id" if parent == deep_page else "block_id"): parent,
                },
                "archived": False,
                "in_trash": False,
                "toggle": {"rich_text": [rich_text(f"level {depth + 1}")], "color": "default"},
            },
            parent,
        )
        parent = bid


def _synced_blocks(ws: Workspace, deep_page: str, uid: Callable[[], str]) -> None:
    """An original synced block holding a paragraph, and a copy of it, on ``deep_page``."""
    original, copy_ = uid(), uid()
    ws.add_block(
        {
            "object": "block",
            "id": original,
            "type": "synced_block",
            "has_children": True,
            "parent": {"type": "page_id", "page_id": deep_page},
            "archived": False,
            "in_trash": False,
            "synced_block": {"synced_from": None},
        },
        deep_page,
    )
    ws.add_block(
        {
            "object": "block",
            "id": uid(),
            "type": "paragraph",
            "has_children": False,
            "parent": {"type": "block_id", "block_id": original},
            "archived": False,
            "in_trash": False,
            "paragraph": {"rich_text": [rich_text("synced text")], "color": "default"},
        },
        original,
    )
    ws.add_block(
        {
            "object": "block",
            "id": copy_,
            "type": "synced_block",
            "has_children": True,
            "parent": {"type": "page_id", "page_id": deep_page},
            "archived": False,
            "in_trash": False,
            "synced_block": {"synced_from": {"type": "block_id", "block_id": original}},
        },
        deep_page,
    )


def _two_data_sources(ws: Workspace, out: Generated, uid, now: float) -> None:
    """Add a database holding two data sources of three rows each, created a day before ``now``."""
    db_id, ds_a, ds_b = uid(), uid(), uid()
    created = iso_minute(now - 86400)
    ws.add_database(
        {
            "object": "database",
            "id": db_id,
            "title": [rich_text("Two Sources")],
            "description": [],
            "parent": {"type": "workspace", "workspace": True},
            "is_inline": False,
            "in_trash": False,
            "created_time": created,
            "last_edited_time": created,
            "data_sources": [],
            "archived": False,
        }
    )
    for ds_id, label in ((ds_a, "Source A"), (ds_b, "Source B")):
        ws.add_data_source(
            {
                "object": "data_source",
                "id": ds_id,
                "title": [rich_text(label)],
                "created_time": created,
                "last_edited_time": created,
                "description": [],
                "properties": {"Name": {"id": "title", "name": "Name", "type": "title", "title": {}}},
                "parent": {"type": "database_id", "database_id": db_id},
                "archived": False,
                "in_trash": False,
            }
        )
        for k in range(3):
            ws.create_page(ds_id, {"Name": f"{label} row {k + 1}"})
    out.database_ids["Two Sources"] = db_id
    out.hard_cases["two_data_sources"] = [ds_a, ds_b]
