"""Typed views: a view per synced data source with one typed column per property (``nls.create_typed_view``),
following the data source's schema after every sync of its source (:func:`refresh`, called by ``schedule``).

The columns are decided by :mod:`.columns` from what the stored pages show (``nls._typed_observed``); the
registry row (``nls.typed_views``) is written under the session's row-level security, every change goes to
``nls.typed_view_history``, and the view is built from the row by ``nls._build_typed_views`` (SQL, the one place
that writes a view's text). Names in the field's terms: a source is one Notion database a user syncs, which holds
one or more data sources.
"""

from __future__ import annotations

from ..errors import NlsError
from ..integration import acting_for
from ..report import RunStatus
from ..run import Commit
from ..store import Store
from .columns import identifier, plan_follow, plan_fresh, plan_recreate

DEFAULT_SCHEMA = "notion"


class TypedViewError(NlsError):
    """A typed view cannot be made as asked: ``sqlstate`` (22023 bad argument, 42P07 name taken), ``hint``."""

    def __init__(self, message: str, sqlstate: str = "22023", hint: str | None = None):
        super().__init__(message, sqlstate, hint)


def _check_name(view_name: str | None) -> None:
    if view_name is not None and (not view_name.strip() or len(view_name.encode()) > 63 or "\x00" in view_name):
        raise TypedViewError(
            f"nls: view_name {view_name!r} is not a name PostgreSQL can give a view",
            hint="Give a name of 1 to 63 bytes (e.g. 'tasks'), or NULL for one made from the database's name.",
        )


def _sources(store: Store, database_id: str | None, user_id: str | None, view_name: str | None) -> list[dict]:
    """The sources a call of create_typed_view names; raises TypedViewError when there are none or the call is
    ambiguous."""
    if database_id is None and user_id is None:
        raise TypedViewError(
            "nls: create_typed_view needs a database_id or a user_id",
            hint="Give one: nls.create_typed_view('<database id>') for one database, or "
            "nls.create_typed_view(user_id => '<user>') for every source of a user.",
        )
    sources = store.typed_sources(database_id, user_id)
    what = f"database {database_id}" if database_id else "any database"
    if not sources:
        raise TypedViewError(
            f"nls: no source of {what}" + (f" for user {user_id!r}" if user_id else "") + " that this session can see",
            sqlstate="P0002",
            hint="Add it first with nls.add_source(user_id, database_id); act for its user "
            "(SET nls.user_id) unless you are an administrator.",
        )
    if database_id and len({s["user_id"] for s in sources}) > 1:
        raise TypedViewError(
            f"nls: {what} is synced by several users; say whose view to make with user_id",
            hint="Give it: nls.create_typed_view(database_id, user_id => '<user>')",
        )
    if view_name is not None and len(sources) > 1:
        raise TypedViewError(
            f"nls: view_name names one view, and this call makes one for each of {len(sources)} sources",
            hint="Give a database_id with the view_name, or no view_name.",
        )
    return sources


def _save_named(store: Store, row: dict, explicit: str | None, derived: str) -> tuple[int, str]:
    """Save ``row`` under ``explicit`` (the name asked for: taken raises 42P07) or, when None, its current name or
    ``derived`` (``derived_2``... when taken). Returns (row id, the view's qualified name)."""
    if explicit is None and row.get("view_name") and row.get("schema_name_was") == row["schema_name"]:
        explicit_or_kept, candidates = True, [row["view_name"]]
    else:
        explicit_or_kept = explicit is not None
        candidates = [explicit] if explicit is not None else [derived] + [f"{derived[:58]}_{n}" for n in range(2, 100)]
    for name in candidates:
        qualified = store.quoted(row["schema_name"], name)
        if qualified != row.get("built_as") and store.relation_exists(qualified):
            if explicit_or_kept:
                raise TypedViewError(
                    f"nls: relation {qualified} already exists", sqlstate="42P07", hint="Give another view_name."
                )
            continue
        try:
            return store.save_typed_view({**row, "view_name": name}), qualified
        except store.error as e:
            if getattr(e, "sqlstate", None) != "23505" or explicit_or_kept:
                raise
    raise TypedViewError(
        f"nls: no free name for a typed view of {derived} in schema {row['schema_name']}",
        sqlstate="42P07",
        hint="Give a view_name.",
    )


def _make(
    store: Store,
    src: dict,
    ds: dict,
    row: dict | None,
    name: str | None,
    derived: str,
    schema: str,
    keywords: frozenset[str],
) -> dict:
    """Make (or make again) the view of one data source: columns from the stored pages, names from the property
    names; the changes from the view it had go to the history."""
    observed = store.typed_observed(src["id"], ds["data_source_id"])
    columns, changes = plan_recreate(row["columns"] if row else [], observed, keywords)
    base = {
        "id": row["id"] if row else None,
        "user_id": src["user_id"],
        "source_id": src["id"],
        "data_source_id": ds["data_source_id"],
        "schema_name": schema,
        "columns": columns,
        "view_name": row["view_name"] if row else None,
        "schema_name_was": row["schema_name"] if row else None,
        "built_as": row["built_as"] if row else None,
    }
    view_id, qualified = _save_named(store, base, name, derived)
    store.typed_history(src["user_id"], view_id, qualified, ds["data_source_id"], changes)
    return {
        "id": view_id,
        "view": qualified,
        "database_id": src["database_id"],
        "data_source_id": ds["data_source_id"],
        "columns": len(columns),
    }


def _for_source(
    store: Store, src: dict, view_name: str | None, schema: str, keywords: frozenset[str], rows: dict
) -> list[dict]:
    """Views of every data source a source's runs have read; before its first sync, a row that waits for it."""
    data_sources = store.data_sources_of(src["id"])
    pending = rows.pop(None, None)
    if not data_sources:
        row = {
            **(pending or {}),
            "user_id": src["user_id"],
            "source_id": src["id"],
            "data_source_id": None,
            "schema_name": schema,
            "view_name": view_name,
            "columns": [],
        }
        return [
            {
                "id": store.save_typed_view(row),
                "view": None,
                "database_id": src["database_id"],
                "data_source_id": None,
                "columns": 0,
            }
        ]
    if pending:
        store.delete_typed_view_row(pending["id"])
    base = identifier(src.get("database_name") or f"database {src['database_id'][:8]}")
    out = []
    for ds in data_sources:
        several = len(data_sources) > 1
        part = identifier(ds.get("data_source_name") or ds["data_source_id"][:8])
        name = None if view_name is None else f"{view_name}_{part}" if several else view_name
        derived = f"{base}_{part}" if several else base
        out.append(_make(store, src, ds, rows.get(ds["data_source_id"]), name, derived[:63], schema, keywords))
    return out


def _built(store: Store, ids: set[int]) -> list[dict]:
    """Build what waits; the failures among ``ids``: [{typed_view_id, built_as, error, error_code}]."""
    return [b for b in store.build_typed_views() if b["error"] and b["typed_view_id"] in ids]


def create(
    store: Store, database_id: str | None, view_name: str | None, schema_name: str | None, user_id: str | None
) -> list[dict]:
    """``nls.create_typed_view``: (re)make the typed views of one database's data sources, or of every source of
    a user. Returns [{"id", "view" (qualified; None until the source's first sync), "database_id",
    "data_source_id", "columns" (how many property columns)}]. Raises TypedViewError (22023 bad arguments, P0002
    no such source, 42P07 name taken) or the store's error (the schema's checks: 22023, 42P06)."""
    _check_name(view_name)
    schema = DEFAULT_SCHEMA if schema_name is None else schema_name
    sources = _sources(store, database_id, user_id, view_name)
    store.check_typed_schema(schema)  # the builder creates it, when it builds a view there
    keywords = store.sql_keywords()
    out = []
    for src in sources:
        rows = {r["data_source_id"]: r for r in store.typed_view_rows([src["id"]])}
        out += _for_source(store, src, view_name, schema, keywords, rows)
    failed = _built(store, {r["id"] for r in out})
    if failed:
        raise TypedViewError(
            f"nls: {failed[0]['error']}",
            sqlstate=failed[0]["error_code"] or "XX000",
            hint="nls.typed_view_history (newest changed_at first) says what happened.",
        )
    return out


def _follow(store: Store, row: dict, src: dict, keywords: frozenset[str]) -> list[dict]:
    """One registry row after its source's sync: a waiting row becomes the views of the data sources read; a view
    follows its data source's schema. Returns [{"view", "changes": [change names]}] where something changed."""
    if row["data_source_id"] is None:
        made = _for_source(store, src, row["view_name"], row["schema_name"], keywords, {None: row})
        return [{"view": m["view"], "changes": ["created"]} for m in made if m["view"]]
    observed = store.typed_observed(src["id"], row["data_source_id"])
    if not observed:
        return []
    columns, changes = plan_follow(row["columns"], observed, keywords)
    if changes:
        store.save_typed_view({**row, "columns": columns})
        store.typed_history(row["user_id"], row["id"], row["built_as"], row["data_source_id"], changes)
    if not changes and not row["build_wanted"]:
        return []
    return [
        {
            "view": row["built_as"] or store.quoted(row["schema_name"], row["view_name"]),
            "changes": [c["change"] for c in changes],
        }
    ]


def refresh(store: Store, sources: list, results: list[dict], commit: Commit = None) -> list[dict]:
    """After a sync: every typed view of the sources that ran (and wrote something, or waits for its first build)
    follows its data source's schema, acting for each source's user. Returns [{"view", "changes"}] and
    [{"view", "error"}]; never raises for one view (its error is reported, the others go on)."""
    out: list[dict] = []
    by_user: dict[str, list] = {}
    for s, r in zip(sources, results, strict=True):
        if r.get("status") != RunStatus.SKIPPED.answer:
            by_user.setdefault(s.user_id, []).append((s, r))
    for user, ran in sorted(by_user.items()):
        with acting_for(store, user):
            out += _refresh_user(store, ran)
        if commit:
            commit()
    return out


def _refresh_user(store: Store, ran: list) -> list[dict]:
    rows = store.typed_view_rows([s.id for s, _ in ran])
    wrote = {s.id for s, r in ran if r.get("synced_count") or r.get("items_removed")}
    todo = [r for r in rows if r["data_source_id"] is None or r["build_wanted"] or r["source_id"] in wrote]
    if not todo:
        return []
    by_id = {
        s.id: {"id": s.id, "user_id": s.user_id, "database_id": s.database_id, "database_name": s.database_name}
        for s, _ in ran
    }
    keywords, out = store.sql_keywords(), []
    for row in todo:
        try:
            out += _follow(store, row, by_id[row["source_id"]], keywords)
        except (store.error, TypedViewError) as e:
            if store.interrupted(e):  # a cancel or statement_timeout ends the call, not one view
                raise
            out.append({"view": row["built_as"] or row["view_name"], "error": str(e)})
    failed = {b["typed_view_id"]: b for b in store.build_typed_views() if b["error"]}
    return out + [{"view": b["built_as"], "error": b["error"]} for b in failed.values()]


def definition(store: Store, source_id: int | None, ds_id: str | None) -> dict:
    """``nls.typed_select``: the columns and the SELECT text of a data source's typed rows: its typed view's
    columns when it has one, else the columns a view made now would have. {"columns", "query", "view"}. Raises
    TypedViewError: 22004 for a NULL argument, P0002 for a source this session does not see."""
    if source_id is None or ds_id is None:
        name = "source_id" if source_id is None else "data_source_id"
        raise TypedViewError(
            f"nls: typed_select needs a {name}, not NULL",
            sqlstate="22004",
            hint="nls.typed_views and nls.sync_state list the sources and data sources.",
        )
    if store.source_row(source_id) is None:
        raise TypedViewError(
            f"nls: no source {source_id} that this session can see",
            sqlstate="P0002",
            hint="Act for its user (SET nls.user_id) unless you are an administrator.",
        )
    row = next((r for r in store.typed_view_rows([source_id]) if r["data_source_id"] == ds_id), None)
    columns = (
        row["columns"]
        if row and row["columns"]
        else plan_fresh(store.typed_observed(source_id, ds_id), store.sql_keywords())
    )
    return {
        "columns": columns,
        "query": store.typed_view_query(source_id, ds_id, columns),
        "view": row["built_as"] if row else None,
    }
