"""An in-memory Store for the flows' unit tests: the methods of :class:`nls_engine.store.Store` the flows call, with
the same signatures (tests/unit/test_memory_store.py checks it, so that it cannot drift), their state in dicts, and
only as much of the SQL functions' behaviour as the flows' decisions need: watermarks that never move back, a
copy never overwritten by an older one, the read's record of what it saw, pages gone or trashed, a push object's
state, the notes nls put into Anki, webhook events stored once. What the database alone can tell (row-level
security, constraints, plans, the cleaning) is the integration tests' (tests/test_*.py against a real PostgreSQL).

Times are ISO texts as Notion writes them; ``now`` is the store's clock (``advance(seconds)`` moves it). A test
sets up state through the plain dicts (``sources``, ``pages``, ``atoms``, ...) or the helpers below, runs a flow,
and reads what the flow left in them.
"""

from __future__ import annotations

import copy
import itertools
import json
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, cast

from nls_engine.pages.schema import schema_of

if TYPE_CHECKING:
    from nls_engine.store import Store


class SQLError(Exception):
    """What an SQL error raises in the server (plpy.SPIError): its SQLSTATE in ``sqlstate``."""

    def __init__(self, message: str, sqlstate: str = "XX000"):
        super().__init__(message)
        self.sqlstate = sqlstate


def moment(text: str) -> datetime:
    """An ISO time (``...Z`` or with an offset) as an aware datetime."""
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def iso(when: datetime, ms: bool = True) -> str:
    """``when`` as Notion writes times (UTC, ``Z``; milliseconds unless ``ms`` is False)."""
    text = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{when.microsecond // 1000:03d}Z" if ms else "Z")


class MemoryStore:
    """The engine's store, in memory. ``error`` is the exception its statements raise (:class:`SQLError`)."""

    error = SQLError

    def __init__(self, now: str = "2026-02-01T12:00:00.000Z"):
        self.now = moment(now)
        self._ids = itertools.count(1)
        self.user: str | None = None  # the user the session acts for
        self.locks: set[tuple] = set()
        self.runs: dict[str, dict] = {}  # sync_log rows by id
        self.integrations: dict[str, dict] = {}
        self.source_rows: dict[int, dict] = {}  # nls.sources by id (store.sources() reads them)
        self.states: dict[tuple[int, str], dict] = {}  # sync_state by (source id, data source id)
        self.schemas: dict[tuple[int, str], list[dict]] = {}
        self.pages: dict[tuple[int, str], dict] = {}  # stg_notion_pages by (source id, page id)
        self.seen: dict[str, str] = {}  # the read's record: {page id: last_edited_time}
        self.refused: set[str] = set()  # page ids whose rows the database refuses (a constraint)
        self.targets: dict[str, str] = {}  # {lower-case database name: target}
        self.plans: dict[int, dict] = {}  # the push plan of each source
        self.local: dict[int, dict[str, dict]] = {}  # the pushed local rows of each source, by local id
        self.push_states: dict[str, dict] = {}  # notion_sync_state rows by id
        self.anki_accounts: dict[str, dict] = {}
        self.collections: dict[str, bytes] = {}
        self.atoms: dict[str, list[dict]] = {}  # learning_atoms of each user (flashcards and clozes)
        self.notes: dict[str, dict[str, dict]] = {}  # anki_notes of each user, by guid
        self.review_queue: list[dict] = []
        self.subscriptions: dict[str, dict] = {}  # webhook_subscriptions by path
        self.events: dict[str, dict] = {}  # webhook_events by event id
        self.typed_views: dict[int, dict] = {}
        self.typed_changes: list[dict] = []
        self.observed: dict[tuple[int, str], list[dict]] = {}  # what nls._typed_observed gives
        self.relations: set[str] = set()
        self.keywords = frozenset({"select", "from", "where", "order", "group", "user", "table"})

    # -- test helpers ---------------------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def add_user(self, user_id: str, bot_id: str | None = None, workspace_id: str | None = "ws-1") -> None:
        """An active integration of ``user_id``."""
        self.integrations[user_id] = {
            "id": next(self._ids),
            "token_ciphertext": b"c",
            "token_nonce": b"n",
            "key_version": 1,
            "status": "active",
            "workspace_id": workspace_id,
            "bot_id": bot_id,
            "trash_checked_at": None,
        }

    def add_source_row(
        self,
        user_id: str,
        database_id: str,
        target: str = "pages",
        with_content: bool = False,
        database_name: str | None = None,
    ) -> int:
        """A source of ``user_id`` (an enabled row of nls.sources); returns its id."""
        sid = next(self._ids)
        self.source_rows[sid] = {
            "id": sid,
            "user_id": user_id,
            "database_id": database_id,
            "database_name": database_name,
            "target": target,
            "with_content": with_content,
            "enabled": True,
            "listed": False,
        }
        return sid

    def stored(self, source_id: int, page_id: str) -> dict | None:
        """The stored copy of a page, or None."""
        return self.pages.get((source_id, page_id))

    def stored_copy(self, source_id: int, page_id: str) -> dict:
        """The stored copy of a page. Raises KeyError when there is none."""
        return self.pages[(source_id, page_id)]

    def _snapshot(self) -> dict:
        return copy.deepcopy({k: v for k, v in vars(self).items() if k not in ("now", "_ids")})

    def _restore(self, snapshot: dict) -> None:
        vars(self).update(snapshot)

    # -- base: the session ----------------------------------------------------------------------------------
    def acting_user(self) -> str | None:
        return self.user

    def act_as(self, user_id: str | None) -> None:
        self.user = user_id or None

    def check_interrupts(self) -> None:
        return None

    @staticmethod
    def interrupted(error: BaseException) -> bool:
        return getattr(error, "sqlstate", None) == "57014"

    def clock(self) -> str:
        return iso(self.now)

    # -- runs -----------------------------------------------------------------------------------------------
    def _lock(self, key: tuple) -> bool:
        if key in self.locks:
            return False
        self.locks.add(key)
        return True

    def try_lock_source(self, source_id: int) -> bool:
        return self._lock(("source", source_id))

    def unlock_source(self, source_id: int) -> None:
        self.locks.discard(("source", source_id))

    def try_lock_user(self, kind: str, user_id: str) -> bool:
        return self._lock(("user", kind, user_id))

    def unlock_user(self, kind: str, user_id: str) -> None:
        self.locks.discard(("user", kind, user_id))

    def begin_run(self, source_id: int | None, user_id: str, sync_type: str, notion_version: str | None) -> str:
        log_id = f"log-{next(self._ids)}"
        self.runs[log_id] = {"source_id": source_id, "user_id": user_id, "sync_type": sync_type, "status": "running"}
        return log_id

    def begin_user_run(self, user_id: str, sync_type: str) -> str:
        return self.begin_run(None, user_id, sync_type, None)

    def progress_run(self, log_id: str, report) -> None:
        self.runs[log_id].update(
            processed=report.processed, added=report.added, updated=report.updated, removed=report.removed
        )

    def finish_run(self, log_id: str, report) -> None:
        self.progress_run(log_id, report)
        self.runs[log_id].update(
            status=report.status.value,
            error_code=report.error_code,
            error=report.error_message,
            details=report.details(),
        )

    # -- integrations ---------------------------------------------------------------------------------------
    def integration(self, user_id: str) -> dict | None:
        row = self.integrations.get(user_id)
        return (
            None
            if row is None
            else {
                k: row[k]
                for k in ("token_ciphertext", "token_nonce", "key_version", "status", "workspace_id", "bot_id")
            }
        )

    def integration_bot(self, user_id: str) -> str | None:
        return (self.integrations.get(user_id) or {}).get("bot_id")

    def save_token(
        self,
        user_id: str,
        key_version: int,
        nonce: bytes,
        ciphertext: bytes,
        workspace_id,
        workspace_name,
        workspace_icon,
        bot_id,
    ) -> int:
        before = self.integrations.get(user_id) or {"id": next(self._ids), "trash_checked_at": None}
        self.integrations[user_id] = {
            **before,
            "token_ciphertext": ciphertext,
            "token_nonce": nonce,
            "key_version": key_version,
            "status": "active",
            "workspace_id": workspace_id or before.get("workspace_id"),
            "bot_id": bot_id or before.get("bot_id"),
        }
        return self.integrations[user_id]["id"]

    def tokens_to_rotate(self, newest: int) -> list[dict]:
        return [
            {
                "user_id": u,
                "token_ciphertext": r["token_ciphertext"],
                "token_nonce": r["token_nonce"],
                "key_version": r["key_version"],
            }
            for u, r in sorted(self.integrations.items())
            if r["key_version"] != newest
        ]

    def replace_token(self, user_id: str, key_version: int, nonce: bytes, ciphertext: bytes) -> None:
        self.integrations[user_id].update(key_version=key_version, token_nonce=nonce, token_ciphertext=ciphertext)

    def tokens_at(self, key_version: int) -> int:
        return sum(1 for r in self.integrations.values() if r["key_version"] == key_version)

    def mark_needs_reauth(self, user_id: str) -> None:
        self.integrations[user_id]["status"] = "needs_reauth"

    def save_workspace(self, user_id: str, workspace_id: str, workspace_name: str | None) -> None:
        self.integrations[user_id]["workspace_id"] = workspace_id

    def save_bot_id(self, user_id: str, bot_id: str | None) -> None:
        self.integrations[user_id]["bot_id"] = bot_id

    def save_trash_checked(self, user_id: str, began: str) -> None:
        self.integrations[user_id]["trash_checked_at"] = began

    def trash_since(self, user_id: str, overlap_s: float) -> str | None:
        checked = (self.integrations.get(user_id) or {}).get("trash_checked_at")
        return None if checked is None else iso(moment(checked) - timedelta(seconds=overlap_s))

    def take_budget(
        self, user_id: str, workspace_id: str | None, rate: float, workspace_rate: float, burst: float
    ) -> tuple[float, bool]:
        return 0.0, True

    def hold_budget(self, kind: str, key: str | None, seconds: float, rate: float, burst: float) -> bool:
        return True

    def take_window(self, kind: str, key: str, window_s: float, default: int) -> tuple[float, int, bool]:
        return 0.0, 0, True

    def learn_window(self, kind: str, key: str, retry_after_s: float, window_s: float) -> int:
        return 0

    # -- the read: sources, data sources, watermarks, schemas -----------------------------------------------
    def sources(self, database_id: str | None, database_name: str | None, user_id: str | None) -> list[dict]:
        return [
            _source_fields(r)
            for _, r in sorted(self.source_rows.items())
            if r["enabled"]
            and r["user_id"] in self.integrations
            and user_id in (None, r["user_id"])
            and database_id in (None, r["database_id"])
            and (database_id or database_name is None or (r["database_name"] or "").lower() == database_name.lower())
        ]

    def source_row(self, source_id: int) -> dict | None:
        row = self.source_rows.get(source_id)
        return None if row is None else _source_fields(row)

    def source_id(self, user_id: str, database_id: str) -> int | None:
        return next(
            (s for s, r in self.source_rows.items() if (r["user_id"], r["database_id"]) == (user_id, database_id)), None
        )

    def set_database_name(self, source_id: int, name: str) -> None:
        self.source_rows[source_id]["database_name"] = name

    def add_source(self, user_id: str, database_id: str, target: str, name: str | None) -> int:
        return self.add_source_row(user_id, database_id, target, database_name=name)

    def targets_by_database_name(self) -> dict[str, str]:
        return dict(self.targets)

    def run_plan(self, source_id: int, reconcile_interval_s: float) -> tuple[bool, bool]:
        states = [st for (s, _), st in self.states.items() if s == source_id]
        due = [
            st.get("reconciled_at") is None
            or moment(st["reconciled_at"]) < self.now - timedelta(seconds=reconcile_interval_s)
            for st in states
        ]
        return any(st.get("watermark") for st in states), any(due) if due else True

    def _state(self, source_id: int, ds_id: str) -> dict:
        return self.states.setdefault(
            (source_id, ds_id), {"name": None, "watermark": None, "reconciled_at": None, "listed": False}
        )

    def read_since(self, source_id: int, ds_id: str, overlap_s: float) -> str | None:
        mark = (self.states.get((source_id, ds_id)) or {}).get("watermark")
        return None if mark is None else iso(moment(mark) - timedelta(seconds=overlap_s), ms=False)

    def save_state(
        self, source_id: int, ds_id: str, name: str | None, watermark: str | None, reconciled: bool = False
    ) -> None:
        st = self._state(source_id, ds_id)
        st["name"] = name or st["name"]
        if watermark is not None and (st["watermark"] is None or moment(watermark) > moment(st["watermark"])):
            st["watermark"] = watermark  # never moved back
        if reconciled:
            st["reconciled_at"] = iso(self.now)

    def listed_data_sources(self, source_id: int) -> list[dict] | None:
        if not self.source_rows[source_id]["listed"]:
            return None
        return [
            {"id": ds, "name": st["name"]}
            for (s, ds), st in sorted(self.states.items())
            if s == source_id and st["listed"]
        ]

    def save_data_sources(self, source_id: int, data_sources: list[dict]) -> None:
        ids = {d["id"] for d in data_sources}
        for (s, ds), st in self.states.items():
            if s == source_id and ds not in ids:
                st["listed"] = False
        for d in data_sources:
            st = self._state(source_id, d["id"])
            st.update(listed=True, name=d.get("name") or st["name"])
        self.source_rows[source_id]["listed"] = True

    def forget_data_sources(self, source_id: int) -> None:
        self.source_rows[source_id]["listed"] = False

    def save_schema(self, source_id: int, ds_id: str, schema: dict) -> None:
        history = self.schemas.setdefault((source_id, ds_id), [])
        if schema not in history:
            history.append(copy.deepcopy(schema))
        self._state(source_id, ds_id)

    def _live(self, source_id: int, ds_id: str | None = None) -> list[dict]:
        return [
            p
            for (s, _), p in sorted(self.pages.items())
            if s == source_id and not p["in_trash"] and not p["gone"] and ds_id in (None, p["data_source_id"])
        ]

    def current_schema(self, source_id: int, ds_id: str) -> dict | None:
        history = self.schemas.get((source_id, ds_id))
        return copy.deepcopy(history[-1]) if history else None

    def pages_off_schema(self, source_id: int, ds_id: str, schema: dict) -> int:
        return sum(1 for p in self._live(source_id, ds_id) if schema_of(p["properties"]) != schema)

    # -- the read: the stored pages -------------------------------------------------------------------------
    def stored_hashes(self, source_id: int, page_ids: list[str]) -> dict[str, dict]:
        return {
            pid: {
                "page_id": pid,
                "sync_hash": p["sync_hash"],
                "gone": p["gone"],
                "has_content": p.get("markdown") is not None or p.get("content") is not None,
            }
            for pid in page_ids
            for p in [self.pages.get((source_id, pid))]
            if p is not None
        }

    def upsert_pages(self, source_id: int, user_id: str, rows: list[dict]) -> tuple[int, int]:
        """As nls._upsert_pages: a row is written when its hash changed, the copy is gone or content comes for the
        first time, never over a newer copy; all of the rows or none (a refused page fails the batch)."""
        bad = [r["page_id"] for r in rows if r["page_id"] in self.refused]
        if bad:
            raise SQLError(f"new row for relation \"stg_notion_pages\" violates a check constraint ({bad[0]})", "23514")
        added = updated = 0
        for row in copy.deepcopy(rows):
            old = self.pages.get((source_id, row["page_id"]))
            content = "content" in row or "markdown" in row
            if old is not None and not (
                (
                    old["sync_hash"] != row["sync_hash"]
                    or old["gone"]
                    or (content and old.get("markdown") is None and old.get("content") is None)
                )
                and moment(old["last_edited_time"]) <= moment(row["last_edited_time"])
            ):
                continue
            kept = {} if old is None or content else {k: old.get(k) for k in ("markdown", "content")}
            self.pages[(source_id, row["page_id"])] = {
                **row,
                **kept,
                "user_id": user_id,
                "gone": False,
                "synced_at": iso(self.now),
            }
            added, updated = added + (old is None), updated + (old is not None)
        return added, updated

    def seen_begin(self) -> None:
        self.seen = {}

    def seen_fresh(self, rows: list[tuple[str, str]]) -> tuple[set[str], int]:
        fresh, new = set(), 0
        for page_id, edited in rows:
            if self.seen.get(page_id) != edited:
                new += page_id not in self.seen
                fresh.add(page_id)
                self.seen[page_id] = edited
        return fresh, new

    def unseen_pages(self, source_id: int, ds_id: str) -> list[str]:
        return [p["page_id"] for p in self._live(source_id, ds_id) if p["page_id"] not in self.seen]

    def mark_gone(self, source_id: int, page_id: str) -> None:
        page = self.pages.get((source_id, page_id))
        if page is not None:
            page["gone"] = True

    def mark_trashed(self, user_id: str, pages: list[dict]) -> int:
        """As nls._mark_trashed: live stored pages of the user, never over a copy edited after the given time."""
        marked = 0
        for given in pages:
            for p in self.pages.values():
                at = given.get("last_edited_time") or given.get("event_time") or p["last_edited_time"]
                if (
                    (p["user_id"], p["page_id"]) == (user_id, given["page_id"])
                    and not p["in_trash"]
                    and not p["gone"]
                    and moment(p["last_edited_time"]) <= moment(at)
                ):
                    p.update(
                        in_trash=True,
                        last_edited_time=given.get("last_edited_time") or p["last_edited_time"],
                        sync_hash=given.get("sync_hash") or "trashed:" + p["sync_hash"],
                    )
                    marked += 1
        return marked

    def drifted_pages(self, source_id: int, pages: list[dict]) -> list[str]:
        out = []
        for page in pages:
            old = self.pages.get((source_id, page["id"]))
            stored = {p.get("id"): p for p in (old or {}).get("properties", {}).values()}
            if (
                old is None
                or old["gone"]
                or moment(old["last_edited_time"]) != moment(page["last_edited_time"])
                or old["in_trash"] != page["in_trash"]
                or any(stored.get(pid) != value for pid, value in (page.get("computed") or {}).items())
            ):
                out.append(page["id"])
        return out

    # -- the push -------------------------------------------------------------------------------------------
    def change_locally(self, source_id: int, local_id: str, column: str, value, base) -> None:
        """What the trigger of sql/80_push.sql notes when a pushed column changes locally: the new value, and the
        object pending with ``base`` (the Notion value the change was based on) for that column."""
        self.local[source_id][local_id]["local"][column] = value
        st = self._push_state(source_id, local_id)
        st["base_values"].setdefault(column, base)
        st.update(status="pending", local_changed_at=iso(self.now), updated_at=iso(self.now))

    def _push_state(self, source_id: int, local_id: str) -> dict:
        for st in self.push_states.values():
            if (st["source_id"], st["local_id"]) == (source_id, local_id):
                return st
        state_id = f"state-{next(self._ids)}"
        st = self.push_states[state_id] = {
            "id": state_id,
            "source_id": source_id,
            "local_id": local_id,
            "status": None,
            "base_values": {},
            "conflict": None,
            "sync_hash": None,
            "failed_hash": None,
            "last_error_code": None,
            "last_error": None,
            "local_changed_at": None,
            "create_attempted_at": None,
            "agreed_values": {},
            "updated_at": iso(self.now),
        }
        return st

    def push_plan(self, source_id: int) -> dict:
        return copy.deepcopy(self.plans[source_id])

    def push_prune(self, source_id: int) -> int:
        gone = [
            i
            for i, st in self.push_states.items()
            if st["source_id"] == source_id and st["local_id"] not in self.local.get(source_id, {})
        ]
        for i in gone:
            del self.push_states[i]
        return len(gone)

    def push_objects(self, source_id: int, create: bool) -> list[dict]:
        """As nls._push_objects: the objects with a local change waiting or a failure, and with ``create`` the rows
        with no page (those wanting one: a ``new_card``), each with its state and the stored copy of its page."""
        out = []
        for local_id, row in self.local.get(source_id, {}).items():
            st = next(
                (s for s in self.push_states.values() if (s["source_id"], s["local_id"]) == (source_id, local_id)), None
            )
            if row["page_id"] is not None and not (st and st["status"] in ("pending", "failed")):
                continue
            if row["page_id"] is None and not (create and "new_card" in row):
                continue
            st = st or {}
            page = self.pages.get((source_id, row["page_id"])) if row["page_id"] else None
            out.append(
                copy.deepcopy(
                    {
                        "state_id": st.get("id"),
                        "local_table": row["local_table"],
                        "local_id": local_id,
                        "page_id": row["page_id"],
                        "status": st.get("status"),
                        "base_values": st.get("base_values") or {},
                        "conflict": st.get("conflict"),
                        "sync_hash": st.get("sync_hash"),
                        "failed_hash": st.get("failed_hash"),
                        "last_error_code": st.get("last_error_code"),
                        "local_changed_at": st.get("local_changed_at"),
                        "create_attempted_at": st.get("create_attempted_at"),
                        "new_card": row.get("new_card"),
                        "seen_at": iso(self.now),
                        "local": row["local"],
                        "copy": None
                        if page is None
                        else {
                            "properties": page["properties"],
                            "data_source_id": page["data_source_id"],
                            "last_edited_time": page["last_edited_time"],
                            "in_trash": page["in_trash"],
                            "gone": page["gone"],
                            "fresh_as_of": page["synced_at"],
                        },
                    }
                )
            )
        return sorted(out, key=lambda o: (o["page_id"] is None, o["local_changed_at"] or ""))

    @contextmanager
    def push_object_scope(self):
        """A subtransaction: what a step wrote is rolled back when it raises."""
        snapshot = self._snapshot()
        try:
            yield
        except BaseException:
            self._restore(snapshot)
            raise

    def push_outcome(self, state_id: str, outcome: dict) -> None:
        st = self.push_states[state_id]
        settled = outcome.get("settled") or {}
        st["base_values"] = {c: v for c, v in st["base_values"].items() if c not in settled}
        st["agreed_values"].update({c: v for c, v in settled.items() if v is not None})
        st.update(
            status=outcome["status"],
            conflict=outcome.get("conflict"),
            last_error=outcome.get("error"),
            last_error_code=outcome.get("error_code"),
            failed_hash=outcome.get("failed_hash"),
            sync_hash=outcome.get("sync_hash") or st["sync_hash"],
            updated_at=iso(self.now),
        )
        if outcome["status"] == "synced":
            st["local_changed_at"] = None

    def push_create_state(self, source_id: int, atom_id: str, card_id: str, ds_id: str | None, attempted: bool) -> str:
        st = self._push_state(source_id, atom_id)
        self.local[source_id][atom_id]["local"]["card_id"] = card_id
        if attempted:
            st["create_attempted_at"] = iso(self.now)
        return st["id"]

    def push_created(
        self, state_id: str, page_id: str, ds_id: str, last_edited_time: str | None, sync_hash: str, agreed: dict
    ) -> bool:
        st = self.push_states[state_id]
        if any(r["page_id"] == page_id for rows in self.local.values() for i, r in rows.items() if i != st["local_id"]):
            return False
        self.local[st["source_id"]][st["local_id"]]["page_id"] = page_id
        st.update(
            status="synced",
            sync_hash=sync_hash,
            base_values={},
            agreed_values=dict(agreed),
            local_changed_at=None,
            updated_at=iso(self.now),
        )
        return True

    # -- Anki -----------------------------------------------------------------------------------------------
    def anki_account(self, user_id: str) -> dict | None:
        return copy.deepcopy(self.anki_accounts.get(user_id))

    def save_anki_account(
        self,
        user_id: str,
        endpoint: str | None,
        kind: str,
        key_version: int,
        nonce: bytes,
        ciphertext: bytes,
        forget_collection: bool,
    ) -> int:
        if forget_collection:
            self.collections.pop(user_id, None)
            self.notes.pop(user_id, None)
        before = self.anki_accounts.get(user_id) or {"id": next(self._ids)}
        self.anki_accounts[user_id] = {
            **before,
            "endpoint": endpoint,
            "credential_kind": kind,
            "key_version": key_version,
            "credential_nonce": nonce,
            "credential_ciphertext": ciphertext,
            "status": "active",
        }
        return self.anki_accounts[user_id]["id"]

    def replace_anki_credential(
        self, user_id: str, kind: str, key_version: int, nonce: bytes, ciphertext: bytes
    ) -> None:
        self.anki_accounts[user_id].update(
            credential_kind=kind, key_version=key_version, credential_nonce=nonce, credential_ciphertext=ciphertext
        )

    def anki_needs_reauth(self, user_id: str) -> None:
        if self.anki_accounts[user_id]["status"] == "active":
            self.anki_accounts[user_id]["status"] = "needs_reauth"

    def anki_credentials_to_rotate(self, newest: int) -> list[dict]:
        return [
            {
                "user_id": u,
                **{k: a[k] for k in ("credential_kind", "credential_ciphertext", "credential_nonce", "key_version")},
            }
            for u, a in sorted(self.anki_accounts.items())
            if a["key_version"] != newest
        ]

    def try_lock_anki(self, account_id: int) -> bool:
        return self._lock(("anki", account_id))

    def unlock_anki(self, account_id: int) -> None:
        self.locks.discard(("anki", account_id))

    def anki_collection(self, user_id: str) -> bytes | None:
        return self.collections.get(user_id)

    def save_anki_collection(self, user_id: str, data: bytes) -> None:
        self.collections[user_id] = data

    def anki_atoms(self, user_id: str) -> list[dict]:
        keys = (
            "atom_id",
            "notion_id",
            "card_id",
            "atom_type",
            "front",
            "back",
            "program",
            "track",
            "module",
            "area",
            "cluster",
            "concept",
            "anki_note_id",
            "anki_deck",
        )
        return [
            {k: a.get(k) for k in keys}
            for a in sorted(self.atoms.get(user_id, []), key=lambda a: (a.get("card_id") or "", a["atom_id"]))
        ]

    def anki_notes(self, user_id: str) -> dict[str, dict]:
        return {
            g: {
                "guid": g,
                **{k: n.get(k) for k in ("atom_key", "notetype", "note_id", "content_hash", "fields_hash")},
                "removed": n.get("removed_at") is not None,
                "deleted": n.get("deleted_at") is not None,
            }
            for g, n in self.notes.get(user_id, {}).items()
        }

    def _atom(self, user_id: str, atom_id: str | None) -> dict | None:
        return next((a for a in self.atoms.get(user_id, []) if a["atom_id"] == atom_id), None)

    def anki_pushed(self, user_id: str, rows: list[dict]) -> int:
        """As nls._anki_pushed: the notes upserted, the atoms' note, card, deck and (given) schedule set."""
        notes, updated = self.notes.setdefault(user_id, {}), 0
        for r in rows:
            old = notes.get(r["guid"], {})
            notes[r["guid"]] = {
                **old,
                **{
                    k: r.get(k)
                    for k in ("atom_key", "notetype", "note_id", "card_id", "deck", "content_hash", "fields_hash")
                },
                "atom_key": old.get("atom_key") or r.get("atom_key"),
                "removed_at": (old.get("removed_at") or iso(self.now)) if r.get("removed") else None,
                "deleted_at": None,
                "reviews": old.get("reviews", 0),
            }
            atom = self._atom(user_id, r.get("atom_id"))
            if (
                atom is not None
                and not r.get("removed")
                and (
                    r.get("stats")
                    or (atom.get("anki_note_id"), atom.get("anki_card_id"), atom.get("anki_deck"))
                    != (r["note_id"], r["card_id"], r["deck"])
                )
            ):
                atom.update(
                    anki_note_id=r["note_id"], anki_card_id=r["card_id"], anki_deck=r["deck"], **(r.get("stats") or {})
                )
                updated += 1
        return updated

    def anki_pull_rows(self, user_id: str) -> list[dict]:
        out = []
        for guid, n in sorted(self.notes.get(user_id, {}).items()):
            atom = next(
                (
                    a
                    for a in self.atoms.get(user_id, [])
                    if (a.get("notion_id") or f"atom:{a['atom_id']}") == n.get("atom_key")
                ),
                None,
            )
            if atom is None or n.get("removed_at") or n.get("deleted_at") or n.get("note_id") is None:
                continue
            stats = {
                k: atom.get(k)
                for k in (
                    "anki_interval",
                    "anki_ease_factor",
                    "anki_review_count",
                    "anki_lapses",
                    "anki_queue",
                    "anki_stability",
                    "anki_difficulty",
                )
            }
            out.append(
                {
                    "guid": guid,
                    "note_id": n["note_id"],
                    "fields_hash": n.get("fields_hash"),
                    "edit_hash": n.get("edit_hash"),
                    "reviews": n.get("reviews"),
                    "atom_id": atom["atom_id"],
                    "atom_type": atom["atom_type"],
                    "front": atom.get("front"),
                    "back": atom.get("back"),
                    "stats": stats,
                }
            )
        return out

    def anki_pulled(self, user_id: str, rows: list[dict]) -> dict:
        """As nls._anki_pulled: the atoms' schedule, the learner's edits offered for review, notes deleted."""
        counts = {"atoms": 0, "edits": 0, "deleted": 0}
        for r in rows:
            atom, note = self._atom(user_id, r.get("atom_id")), self.notes[user_id][r["guid"]]
            if r.get("stats") and atom is not None:
                atom.update(r["stats"])
                counts["atoms"] += 1
            if r.get("edit") and atom is not None:
                self.review_queue.append(
                    {
                        "user_id": user_id,
                        "original_atom_id": atom["atom_id"],
                        "source": "anki_edit",
                        "front": r["edit"]["front"] or atom.get("front"),
                        "back": r["edit"]["back"],
                    }
                )
                counts["edits"] += 1
            note.update(
                reviews=r.get("reviews", note.get("reviews")),
                last_review_at=r.get("last_review_at") or note.get("last_review_at"),
                edit_hash=(r.get("edit") or {}).get("fields_hash") or note.get("edit_hash"),
            )
            if r.get("deleted"):
                note["deleted_at"] = iso(self.now)
                counts["deleted"] += 1
                if atom is not None:
                    atom.update(anki_note_id=None, anki_card_id=None)
        return counts

    # -- webhooks -------------------------------------------------------------------------------------------
    def webhook_subscription(self, path: str | None = None, user_id: str | None = None) -> dict | None:
        sub = next((s for p, s in self.subscriptions.items() if p == path or s["user_id"] == user_id), None)
        return None if sub is None else {**copy.deepcopy(sub), "armed": bool(sub.get("armed"))}

    def webhook_refused(self, path: str) -> None:
        self.subscriptions[path]["refused"] = self.subscriptions[path].get("refused", 0) + 1

    def save_webhook_token(self, path: str, key_version: int, nonce: bytes, ciphertext: bytes) -> None:
        self.subscriptions[path].update(
            token_ciphertext=ciphertext,
            token_nonce=nonce,
            key_version=key_version,
            armed=False,
            token_shown_at=None,
            subscription_id=None,
        )

    def webhook_token_shown(self, user_id: str) -> None:
        for sub in self.subscriptions.values():
            if sub["user_id"] == user_id:
                sub["token_shown_at"] = iso(self.now)

    def save_webhook_event(self, path: str, event: dict) -> None:
        sub = self.subscriptions[path]
        sub["subscription_id"] = sub.get("subscription_id") or event.get("subscription_id")
        if event["id"] in self.events:
            self.events[event["id"]]["deliveries"] += 1
            return
        self.events[event["id"]] = {
            "user_id": sub["user_id"],
            "event_id": event["id"],
            "event_type": event["type"],
            "entity_id": (event.get("entity") or {}).get("id"),
            "entity_type": (event.get("entity") or {}).get("type"),
            "payload": {k: v for k, v in event.items() if k != "attempt_number"},
            "received_at": iso(self.now),
            "applied_at": None,
            "outcome": None,
            "deliveries": 1,
        }
        self.advance(0.001)  # the next one is received later

    def pending_events(self, user_id: str, limit: int) -> list[dict]:
        waiting = sorted(
            (e for e in self.events.values() if e["user_id"] == user_id and e["applied_at"] is None),
            key=lambda e: (e["received_at"], e["event_id"]),
        )
        return [
            copy.deepcopy({k: e[k] for k in ("event_id", "event_type", "entity_id", "entity_type", "payload")})
            for e in waiting[:limit]
        ]

    def events_applied(self, user_id: str, outcomes: list[dict], log_id: str | None) -> None:
        for o in outcomes:
            self.events[o["event_id"]].update(applied_at=iso(self.now), outcome=o["outcome"], sync_log_id=log_id)

    def locate_pages(self, user_id: str, page_ids: list[str]) -> dict[str, dict]:
        found = sorted(
            (p["gone"], s, p["page_id"], p["data_source_id"])
            for (s, _), p in self.pages.items()
            if p["user_id"] == user_id and p["page_id"] in page_ids and self.source_rows[s]["enabled"]
        )
        out: dict[str, dict] = {}
        for _, s, page_id, ds_id in found:  # a live copy before one marked gone, then the first source
            out.setdefault(page_id, {"page_id": page_id, "source_id": s, "data_source_id": ds_id})
        return out

    def locate_data_sources(self, user_id: str, ds_ids: list[str]) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for (s, ds), st in sorted(self.states.items()):
            if (
                ds in ds_ids
                and st["listed"]
                and self.source_rows[s]["enabled"]
                and self.source_rows[s]["user_id"] == user_id
            ):
                out.setdefault(ds, {"data_source_id": ds, "source_id": s})
        return out

    def forget_listing(self, user_id: str, ids: list[str]) -> int:
        hit = {
            s
            for s, r in self.source_rows.items()
            if r["user_id"] == user_id
            and (r["database_id"] in ids or any(k == s and ds in ids for k, ds in self.states))
        }
        for s in hit:
            self.source_rows[s]["listed"] = False
        return len(hit)

    # -- typed views ----------------------------------------------------------------------------------------
    def typed_sources(self, database_id: str | None, user_id: str | None) -> list[dict]:
        return [
            {k: r[k] for k in ("id", "user_id", "database_id", "database_name")}
            for _, r in sorted(self.source_rows.items())
            if user_id in (None, r["user_id"]) and database_id in (None, r["database_id"])
        ]

    def data_sources_of(self, source_id: int) -> list[dict]:
        return [
            {"data_source_id": ds, "data_source_name": st["name"]}
            for (s, ds), st in sorted(self.states.items())
            if s == source_id
        ]

    def typed_view_rows(self, source_ids: list[int]) -> list[dict]:
        return [copy.deepcopy(r) for _, r in sorted(self.typed_views.items()) if r["source_id"] in source_ids]

    def typed_observed(self, source_id: int, ds_id: str) -> list[dict]:
        return copy.deepcopy(self.observed.get((source_id, ds_id), []))

    def sql_keywords(self) -> frozenset[str]:
        return self.keywords

    def relation_exists(self, qualified: str) -> bool:
        return qualified in self.relations

    def quoted(self, schema: str, name: str) -> str:
        def quote(part: str) -> str:
            plain = part.isidentifier() and part == part.lower() and part not in self.keywords
            return part if plain else '"' + part.replace('"', '""') + '"'

        return f"{quote(schema)}.{quote(name)}"

    def check_typed_schema(self, schema: str) -> None:
        if schema in ("nls", "public", "pg_catalog", "information_schema") or schema.startswith("pg_"):
            raise SQLError(f"schema {schema} is reserved: typed views go to a schema of their own", "22023")

    def save_typed_view(self, row: dict) -> int:
        taken = [
            i
            for i, r in self.typed_views.items()
            if i != row.get("id")
            and r["view_name"] is not None
            and (r["schema_name"], r["view_name"]) == (row["schema_name"], row.get("view_name"))
        ]
        if taken:
            raise SQLError(
                "duplicate key value violates unique constraint \"typed_views_schema_name_view_name_key\"", "23505"
            )
        view_id = row.get("id") or next(self._ids)
        keep = {k: row.get(k) for k in ("user_id", "source_id", "data_source_id", "schema_name", "view_name")}
        built = (self.typed_views.get(view_id) or {}).get("built_as")
        self.typed_views[view_id] = {
            "id": view_id,
            **keep,
            "columns": copy.deepcopy(row.get("columns") or []),
            "build_wanted": True,
            "built_as": built,
        }
        return view_id

    def delete_typed_view_row(self, typed_view_id: int) -> None:
        self.typed_views.pop(typed_view_id, None)

    def typed_history(
        self, user_id: str, typed_view_id: int | None, view: str | None, ds_id: str | None, changes: list[dict]
    ) -> None:
        self.typed_changes += [
            {"user_id": user_id, "typed_view_id": typed_view_id, "view": view, "data_source_id": ds_id, **c}
            for c in changes
        ]

    def build_typed_views(self) -> list[dict]:
        out = []
        for view_id, r in sorted(self.typed_views.items()):
            if r["build_wanted"] and r["view_name"] and r["data_source_id"]:
                self.relations.discard(r["built_as"])
                r.update(built_as=self.quoted(r["schema_name"], r["view_name"]), build_wanted=False)
                self.relations.add(r["built_as"])
                out.append({"typed_view_id": view_id, "built_as": r["built_as"], "error": None, "error_code": None})
        return out

    def typed_view_query(self, source_id: int, ds_id: str, columns: list[dict]) -> str:
        return (
            f"SELECT page_id, {', '.join(json.dumps(c.get('column')) for c in columns) or 'NULL'} FROM "
            f"nls.stg_notion_pages WHERE source_id = {source_id} AND data_source_id = '{ds_id}'"
        )


def _source_fields(row: dict) -> dict:
    """A row of nls.sources as Store.sources and Store.source_row give it."""
    return {k: row[k] for k in ("id", "user_id", "database_id", "database_name", "target", "with_content")}


def as_store(store: MemoryStore) -> Store:
    """``store`` typed as the Store it stands in for: it has what the flows call of one (test_memory_store.py
    checks the methods and their parameters)."""
    return cast("Store", store)


def context(
    store: MemoryStore,
    client,
    source_id: int | None = None,
    user: str | None = None,
    sync_type: str = "notion_full",
    commit=None,
    **settings,
):
    """A RunContext of one run over ``store`` (a source's when ``source_id`` is given, else ``user``'s), with its
    sync_log row begun, ``client`` as the run's Notion client, and the settings' defaults but ``settings``."""
    from nls_engine.report import RunReport
    from nls_engine.run import RunContext, Source
    from nls_engine.settings import Settings
    from test_settings import rows

    row = store.source_row(source_id) if source_id is not None else None
    source = Source.from_row(row) if row is not None else None
    who = source.user_id if source else user
    assert who is not None, "a context names its source or its user"
    log_id = store.begin_run(source_id, who, sync_type, "2025-09-03")
    return RunContext(
        as_store(store),
        Settings.from_catalogue(rows(**settings)),
        source,
        RunReport(sync_type),
        commit,
        client,
        log_id,
        user=None if source else user,
    )
