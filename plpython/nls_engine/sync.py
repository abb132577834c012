"""The sync: Notion data sources into ``nls.stg_notion_pages``, run inside PostgreSQL by PL/Python.

``db`` is a :class:`nls_engine.db.Db` (plpy underneath). Every SQL statement it runs is one of the set-based
functions of ``sql/10_engine.sql``; this module does the HTTP and the bookkeeping.

How a run goes (issue "Sync Notion into PostgreSQL from inside PostgreSQL"):
resolve the database's data sources (``GET /v1/databases/{id}``), page through
``POST /v1/data_sources/{id}/query`` sorted by ``last_edited_time`` ascending (incremental: ``on_or_after`` the
watermark minus an overlap), hash each page's properties + ``last_edited_time`` + ``in_trash``, skip what did not
change, read the content of what did, upsert each batch and move the watermark with it. A complete full read
also checks every stored page it did not see (``GET /v1/pages/{id}``): trashed pages are marked, 404s marked gone.
"""
from __future__ import annotations

import hashlib
import json
import time
import traceback
from datetime import datetime

from . import crypto
from .client import NotionClient, NotionError, Pacer, RunDeadline, title_text
from .db import Db
from .text import clean


def page_hash(page: dict) -> str:
    """SHA-256 of the page's properties, ``last_edited_time`` and ``in_trash`` (canonical JSON)."""
    payload = json.dumps([page.get("properties"), page.get("last_edited_time"), bool(page.get("in_trash"))],
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


# Notion cuts these values at 25 items in page objects (GET /v1/pages/{id}, data source queries)
CUT_AT = 25
# a paginated read whose pages bring no new row this many times in a row is not advancing
STALE_PAGES = 3
CUT_TYPES = ("title", "rich_text", "people")


def staged_row(page: dict, ds_id: str, sync_hash: str) -> dict:
    """The JSON row ``nls._upsert_pages`` takes for one page object (``GET /v1/pages/{id}`` shape)."""
    return {"page_id": page["id"], "data_source_id": ds_id, "properties": page.get("properties") or {},
            "page": {k: v for k, v in page.items() if k != "properties"},
            "created_time": page["created_time"], "last_edited_time": page["last_edited_time"],
            "in_trash": bool(page.get("in_trash")), "sync_hash": sync_hash}


def _iso(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


_PACERS: dict[str, Pacer] = {}


def open_client(db: Db, user_id: str, settings: dict) -> NotionClient:
    """A Notion client for ``user_id``'s integration, paced to this backend's share of the token's and workspace's
    budget. Reads the integration under the session's row-level security; its token is decrypted here and lives
    only in the client (``client.workspace`` holds {"id": the workspace id or None}).
    Sends nothing (see note_workspace). Raises NotionError (401 when the integration is not active),
    crypto.KeyError_ or crypto.TokenUnreadable."""
    row = db.one("SELECT token_ciphertext, token_nonce, key_version, status, workspace_id FROM nls.integrations "
                 "WHERE user_id = $1", ["text"], [user_id])
    if row is None:
        raise NotionError(0, "no_integration", f"user {user_id!r} has no integration")
    if row["status"] != "active":
        raise NotionError(401, f"integration_{row['status']}", f"the integration of user {user_id!r} is "
                          f"{row['status']}; store a new token with nls.add_integration()")
    ring = crypto.load_ring(settings.get("encryption_key_file"))
    token = crypto.decrypt(ring, row["key_version"], user_id, row["token_nonce"], row["token_ciphertext"])

    def share():
        r = db.one("SELECT token_share, workspace_share FROM nls._sync_share($1, $2)", ["text", "text"],
                   [user_id, client.workspace["id"]])
        return r["token_share"], r["workspace_share"]

    # one pacer per user and backend, kept between sources and calls: a new client does not start a new burst
    pacer = _PACERS.get(user_id)
    if pacer is None:
        pacer = _PACERS[user_id] = Pacer(share, 0, 0, 0)
    pacer.share, pacer.next_refresh, pacer.waited_s = share, 0.0, 0.0
    pacer.rate, pacer.workspace_rate = float(settings["rate_limit_per_s"]), float(settings["workspace_rate_limit_per_s"])
    pacer.burst = float(settings["rate_limit_burst"])
    client = NotionClient(
        token, settings["api_base_url"], settings["notion_version"],
        timeouts=(float(settings["connect_timeout_s"]), float(settings["read_timeout_s"])),
        max_attempts=int(settings["max_attempts"]), retry_after_cap=float(settings["retry_after_cap_s"]),
        backoff=float(settings["backoff_base_s"]),
        deadline=time.monotonic() + float(settings["run_deadline_s"]), pacer=pacer)
    client.workspace["id"] = row["workspace_id"]
    return client


def note_workspace(db: Db, user_id: str, client: NotionClient) -> None:
    """The first time a token is used, ask ``GET /v1/users/me`` which workspace it is in and keep it
    (nls.integrations.workspace_id, nls.active_syncs): users of one workspace share its request budget."""
    workspace = client.workspace
    if workspace["id"] is not None:
        return
    bot = client.users_me().get("bot") or {}
    if bot.get("workspace_id"):
        workspace["id"] = bot["workspace_id"]
        db.execute("UPDATE nls.integrations SET workspace_id = $2, workspace_name = coalesce(workspace_name, $3), "
                   "updated_at = now() WHERE user_id = $1", ["text", "text", "text"],
                   [user_id, bot["workspace_id"], bot.get("workspace_name")])
        db.execute("SELECT nls._workspace_of($1, $2)", ["text", "text"], [user_id, bot["workspace_id"]])
        client.pacer.next_refresh = 0.0


class as_user:
    """``with as_user(db, user_id):`` the statements inside act for ``user_id`` (the ``nls.user_id`` setting, which
    row-level security reads), so that a row written under another user fails; the setting is put back after."""

    def __init__(self, db: Db, user_id: str):
        self.db, self.user_id = db, user_id

    def __enter__(self):
        self.before = self.db.one("SELECT current_setting('nls.user_id', true) AS v")["v"]
        self.db.execute("SELECT set_config('nls.user_id', $1, false)", ["text"], [self.user_id])
        return self

    def __exit__(self, *exc):
        self.db.execute("SELECT set_config('nls.user_id', $1, false)", ["text"], [self.before or ""])
        return False


class SourceRun:
    """One run of one source. ``commit`` is plpy.commit in the scheduled procedure, None in sync_notion()."""

    def __init__(self, db: Db, source: dict, settings: dict, full: bool, commit=None):
        self.db, self.source, self.settings, self.full, self.commit = db, source, settings, full, commit
        self.processed = self.added = self.updated = self.removed = 0
        self.details: dict = {"data_sources": [], "cleaned_characters": 0, "page_errors": [], "limits": []}
        self.client: NotionClient | None = None
        self._hold: str | None = None
        self._schemas: set[tuple[str, str]] = set()

    # -- entry -------------------------------------------------------------------------------------------------
    def run(self) -> dict:
        src = self.source
        db = self.db
        got = db.one("SELECT pg_try_advisory_lock(nls._lock_key(), $1::int) AS ok", ["bigint"], [src["id"]])
        if not got["ok"]:
            return {"database_name": src["database_name"], "database_id": src["database_id"], "synced_count": 0,
                    "status": "skipped", "message": "another sync of this source is running; this call did nothing"}
        try:
            with as_user(db, src["user_id"]):
                return self._locked()
        finally:
            db.one("SELECT pg_advisory_unlock(nls._lock_key(), $1::int) AS ok", ["bigint"], [src["id"]])

    def _locked(self) -> dict:
        src, db, settings = self.source, self.db, self.settings
        # a full read when asked, on the first run, and when the last complete full read (which reconciles
        # deletions) is older than reconcile_interval_s (default a day)
        state = db.one("SELECT count(*) FILTER (WHERE watermark IS NOT NULL) > 0 AS any, "
                       "coalesce(bool_or(last_full_sync_at IS NULL OR last_full_sync_at < now() - "
                       "make_interval(secs => $2)), true) AS due FROM nls.sync_state WHERE source_id = $1",
                       ["bigint", "float8"], [src["id"], float(settings.get("reconcile_interval_s") or 86400)])
        if not self.full and state["any"] and state["due"]:
            self.details["reconciliation"] = "due: the last complete full read is older than reconcile_interval_s"
        self.full = self.full or not state["any"] or state["due"]
        sync_type = "notion_full" if self.full else "notion_incremental"
        log_id = db.one("SELECT nls._begin_run($1, $2, $3, $4) AS id", ["bigint", "text", "text", "text"],
                        [src["id"], src["user_id"], sync_type, settings["notion_version"]])["id"]
        if self.commit:
            self.commit()
        status, code, message = "completed", None, None
        try:
            self.client = open_client(self.db, src["user_id"], settings)
            note_workspace(self.db, src["user_id"], self.client)
            self._sync()
            if self.details["page_errors"] or self.details["limits"]:
                status = "partial"
        except RunDeadline as e:
            status = "partial"
            self.details["limits"].append({"limit": "deadline", "reason": e.reason})
            message = f"stopped early: {e.reason}; the next run resumes from the watermark"
        except NotionError as e:
            status, code, message = "failed", e.code, f"{e.message} (HTTP {e.status})"
            if e.status == 401 and e.code == "unauthorized":  # Notion refused the token itself
                db.execute("UPDATE nls.integrations SET status = 'needs_reauth', updated_at = now() "
                           "WHERE user_id = $1 AND status = 'active'", ["text"], [src["user_id"]])
                message += "; the integration is marked needs_reauth and is not synced until a new token is stored"
        except crypto.TokenUnreadable as e:
            status, code, message = "failed", "token_unreadable", str(e)
        except crypto.KeyError_ as e:
            status, code, message = "failed", "encryption_key_missing", f"{e} ({e.hint})"
        except Exception as e:  # a bug or a database error: recorded, never left running
            status, code, message = "failed", "internal_error", f"{type(e).__name__}: {e}"
            self.details["traceback"] = traceback.format_exc(limit=8)
        finally:
            if self.client:
                self.client.close()
        requests_made = self.client.requests_made if self.client else 0
        retries = self.client.retries if self.client else 0
        if self.client:
            self.details["requests_by_endpoint"] = self.client.by_endpoint
            if self.client.pacer and self.client.pacer.waited_s:
                self.details["paced_s"] = round(self.client.pacer.waited_s, 3)
        if not self.details["page_errors"]:
            del self.details["page_errors"]
        if not self.details["limits"]:
            del self.details["limits"]
        db.execute("SELECT nls._finish_run($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                   ["uuid", "text", "int", "int", "int", "int", "int", "int", "text", "text", "jsonb"],
                   [log_id, status, self.processed, self.added, self.updated, self.removed, requests_made, retries,
                    code, message, json.dumps(self.details)])
        if self.commit:
            self.commit()
        result = {"database_name": src["database_name"], "database_id": src["database_id"],
                  "synced_count": self.added + self.updated,
                  "status": {"completed": "success"}.get(status, status), "sync_log_id": str(log_id),
                  "sync_type": sync_type, "items_processed": self.processed, "items_added": self.added,
                  "items_updated": self.updated, "items_removed": self.removed, "requests_made": requests_made}
        if message:
            result["error"] = message
        if code:
            result["error_code"] = code
        return result

    # -- the read ----------------------------------------------------------------------------------------------
    def _sync(self) -> None:
        src = self.source
        database = self.client.database(src["database_id"])
        name = title_text(database)
        if name and not src.get("database_name"):
            self.db.execute("UPDATE nls.sources SET database_name = $2 WHERE id = $1", ["bigint", "text"],
                            [src["id"], name])
            src["database_name"] = name
        for ds in database.get("data_sources") or []:
            self._sync_data_source(ds["id"], ds.get("name"))

    def _sync_data_source(self, ds_id: str, ds_name: str | None) -> None:
        src, db = self.source, self.db
        state = db.one("SELECT to_char((watermark - make_interval(secs => $3)) AT TIME ZONE 'UTC', "
                       "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS since FROM nls.sync_state "
                       "WHERE source_id = $1 AND data_source_id = $2 AND watermark IS NOT NULL",
                       ["bigint", "text", "float8"], [src["id"], ds_id, float(self.settings["overlap_s"])])
        full = self.full or state is None
        info = {"id": ds_id, "name": ds_name, "mode": "full" if full else "incremental", "pages": 0}
        self.details["data_sources"].append(info)
        self._hold = None
        since = None if full else _iso(state["since"])
        seen: set[str] = set()
        complete = True
        while True:
            body: dict = {"sorts": [{"timestamp": "last_edited_time", "direction": "ascending"}]}
            if since is not None:
                body["filter"] = {"timestamp": "last_edited_time",
                                  "last_edited_time": {"on_or_after": since.isoformat().replace("+00:00", "Z")}}
            capped, last_time, new_ids, stale = False, None, 0, 0
            for data in self.client.query(ds_id, body):
                batch = [p for p in data.get("results", []) if p.get("id") not in seen]
                for p in batch:
                    seen.add(p["id"])
                new_ids += len(batch)
                stale = 0 if batch or not data.get("results") else stale + 1
                if batch:
                    self._write_batch(ds_id, ds_name, batch)
                    last_time = batch[-1].get("last_edited_time") or last_time
                info["pages"] = len(seen)
                if (data.get("request_status") or {}).get("type") == "incomplete":
                    capped = True
                if stale >= STALE_PAGES:   # the cursor hands back only rows this read already has: stop, say so
                    complete = False
                    self.details["limits"].append({"limit": "cursor_not_advancing", "data_source_id": ds_id,
                                                   "pages_without_new_rows": stale})
                    break
            if not capped or stale >= STALE_PAGES:
                break
            # The query stopped at Notion's 10,000-row cap: read on from the last time seen (de-duplicated by id).
            if new_ids == 0 or last_time is None:
                complete = False
                self.details["limits"].append({"limit": "query_result_limit", "data_source_id": ds_id,
                                               "reason": "more than 10,000 rows share one last_edited_time minute"})
                break
            since = _iso(last_time)
            info["windows"] = info.get("windows", 0) + 1
        if full and complete and not self.details["page_errors"]:
            self._reconcile(ds_id, seen)
            db.execute("SELECT nls._save_state($1, $2, $3, NULL, true)", ["bigint", "text", "text"],
                       [src["id"], ds_id, ds_name])
        if self.commit:
            self.commit()

    def _write_batch(self, ds_id: str, ds_name: str | None, batch: list[dict]) -> None:
        src, db = self.source, self.db
        self.processed += len(batch)
        self._note_schema(ds_id, batch[0])
        stored = {r["page_id"]: r for r in db.execute(
            "SELECT page_id, sync_hash, has_content, gone FROM nls._stored_hashes($1, $2)", ["bigint", "text[]"],
            [src["id"], [p["id"] for p in batch]])}
        rows = []
        for page in batch:
            page, cleaned = clean(page)
            self.details["cleaned_characters"] += cleaned
            h = page_hash(page)
            old = stored.get(page["id"])
            if (old is not None and old["sync_hash"] == h and not old["gone"]
                    and (old["has_content"] or not src["with_content"])):
                continue
            try:
                self._complete_values(page)
            except NotionError as e:
                if e.status in (401, 429) or e.status >= 500 or e.status == 0:
                    raise
                self._page_error(page, f"property items: {e.code}: {e.message}")
                continue
            row = staged_row(page, ds_id, h)
            if src["with_content"]:
                try:
                    content = self._content(page["id"])
                except NotionError as e:
                    if e.status in (401, 429) or e.status >= 500 or e.status == 0:
                        raise
                    self._page_error(page, f"content: {e.code}: {e.message}")
                    continue
                content, cleaned = clean(content)
                self.details["cleaned_characters"] += cleaned
                row.update(content)
            rows.append(row)
        if rows:
            self._upsert(rows)
        # a page that could not be stored holds the watermark at its time, so the next run reads it again
        watermark = self._hold or batch[-1]["last_edited_time"]
        db.execute("SELECT nls._save_state($1, $2, $3, $4::timestamptz, false)",
                   ["bigint", "text", "text", "text"], [src["id"], ds_id, ds_name, watermark])
        if self.commit:
            self.commit()

    def _content(self, page_id: str) -> dict:
        """A new or changed page's content, as the content_format setting says: ``{"markdown": str}`` from
        ``GET /v1/pages/{id}/markdown`` (one request), with ``{"content": [blocks]}`` beside it for what Markdown
        could not hold (the whole block walk for a truncated page, the unknown blocks' trees otherwise), or the
        block walk alone (``blocks``), or both. Where the markdown endpoint is not served (400/404 on it), the
        block walk stands in."""
        fmt = self.settings.get("content_format") or "markdown"
        depth = int(self.settings["content_max_depth"])
        out: dict = {}
        if fmt in ("markdown", "both"):
            try:
                md = self.client.markdown(page_id)
            except NotionError as e:
                if e.status not in (400, 404):
                    raise
                self._count("markdown_unavailable")
                fmt = "blocks"
            else:
                out["markdown"] = md.get("markdown") or ""
                if md.get("truncated"):
                    self._count("markdown_truncated")
                    fmt = "both"
                elif md.get("unknown_block_ids") and fmt == "markdown":
                    self._count("markdown_unknown_blocks", len(md["unknown_block_ids"]))
                    out["content"] = [self._block_with_children(b, depth) for b in md["unknown_block_ids"]]
        if fmt in ("blocks", "both"):
            out["content"] = self._walk(page_id, depth)
        return out

    def _block_with_children(self, block_id: str, depth: int) -> dict:
        block = self.client.block(block_id)
        if block.get("has_children") and block.get("type") not in ("child_page", "child_database"):
            block["children"] = self._walk(block_id, depth)
        return block

    def _walk(self, block_id: str, depth: int) -> list[dict]:
        """The block tree under ``block_id``; a cut at ``depth`` is recorded as a limit (the run ends partial)."""
        blocks, cut = self.client.block_tree(block_id, depth)
        if cut:
            self.details["limits"].append({"limit": "content_max_depth", "page_id": block_id})
        return blocks

    def _count(self, key: str, n: int = 1) -> None:
        self.details[key] = self.details.get(key, 0) + n

    def _note_schema(self, ds_id: str, page: dict) -> None:
        """Keep the data source's schema as its pages show it ({name: {id, type}}; no extra request) in
        nls.data_source_schemas, once per distinct schema and run: renames and type changes leave a history."""
        schema = {name: {"id": p.get("id"), "type": p.get("type")} for name, p in (page.get("properties") or {}).items()}
        key = (ds_id, json.dumps(schema, sort_keys=True))
        if key in self._schemas:
            return
        self._schemas.add(key)
        self.db.one("SELECT nls._save_schema($1, $2, $3) AS h", ["bigint", "text", "jsonb"],
                    [self.source["id"], ds_id, key[1]])

    def _complete_values(self, page: dict) -> None:
        """Read past Notion's 25-item cut: a relation with ``has_more``, or a title, rich_text or people value of
        exactly 25 items, is fetched whole from ``GET /v1/pages/{id}/properties/{property_id}`` and replaces the
        cut value in ``page`` (text cleaned as the rest). Values under the cut cost no request."""
        for name, prop in (page.get("properties") or {}).items():
            kind = prop.get("type")
            value = prop.get(kind)
            cut = (prop.get("has_more") is True if kind == "relation"
                   else kind in CUT_TYPES and isinstance(value, list) and len(value) == CUT_AT)
            if not cut:
                continue
            items = self.client.property_items(page["id"], prop["id"])
            full = [item[kind] for item in items if item.get("type") == kind and kind in item]
            if kind == "relation":
                full = [{"id": v["id"]} for v in full if isinstance(v, dict) and v.get("id")]
                prop["has_more"] = False
            full, cleaned = clean(full)
            self.details["cleaned_characters"] += cleaned
            prop[kind] = full
            self._count("completed_values")

    def _upsert(self, rows: list[dict]) -> None:
        src, db = self.source, self.db
        try:
            with db.subtransaction():
                r = db.one("SELECT added, updated FROM nls._upsert_pages($1, $2, $3)", ["bigint", "text", "jsonb"],
                           [src["id"], src["user_id"], json.dumps(rows, ensure_ascii=False)])
                db.one("SELECT nls._write_edges($1, $2) AS n", ["bigint", "text[]"],
                       [src["id"], [row["page_id"] for row in rows]])
            self.added += r["added"]
            self.updated += r["updated"]
        except db.error as batch_error:
            if len(rows) == 1:
                self._page_error(rows[0], f"database: {batch_error}")
                return
            for row in rows:  # find the bad page: the rest of the batch still lands
                self._upsert([row])

    def _page_error(self, page: dict, error: str) -> None:
        pid = page.get("id") or page.get("page_id")
        self.details["page_errors"].append({"page_id": pid, "error": error[:500]})
        if self._hold is None or page["last_edited_time"] < self._hold:
            self._hold = page["last_edited_time"]

    def _reconcile(self, ds_id: str, seen: set[str]) -> None:
        """After a complete full read: every stored page it did not return is checked one by one."""
        src, db = self.source, self.db
        unseen = [r["page_id"] for r in db.execute("SELECT nls._unseen_pages($1, $2, $3) AS page_id",
                                                    ["bigint", "text", "text[]"], [src["id"], ds_id, sorted(seen)])]
        for pid in unseen:
            try:
                page = self.client.page(pid)
            except NotionError as e:
                if e.status == 404:
                    db.execute("SELECT nls._mark_gone($1, $2)", ["bigint", "text"], [src["id"], pid])
                    self.removed += 1
                    continue
                raise
            page, cleaned = clean(page)
            self.details["cleaned_characters"] += cleaned
            if page.get("in_trash"):
                self.removed += 1
            self._upsert([staged_row(page, ds_id, page_hash(page))])


def load_settings(db: Db) -> dict:
    return {r["name"]: r["value"] for r in db.execute("SELECT name, value FROM nls.settings")}


def select_sources(db: Db, database_id: str | None, database_name: str | None, user_id: str | None) -> list[dict]:
    rows = db.execute(
        "SELECT s.id, s.user_id, s.database_id, s.database_name, s.target, s.with_content FROM nls.sources s "
        "JOIN nls.integrations i ON i.user_id = s.user_id "
        "WHERE s.enabled AND ($1::text IS NULL OR s.user_id = $1) "
        "AND ($2::text IS NULL OR s.database_id = nls._normalize_id($2, 'database_id')) "
        "AND ($3::text IS NULL OR $2::text IS NOT NULL OR lower(s.database_name) = lower($3)) "
        "ORDER BY s.user_id, s.id", ["text", "text", "text"], [user_id, database_id, database_name])
    return [dict(r) for r in rows]


def sync_notion(db: Db, database_id=None, database_name=None, user_id=None, full_sync=False, commit=None) -> dict:
    """What ``nls.sync_notion(...)`` returns (seed 002): for one database
    ``{"success", "synced_count", "database_name", ...}``, for several ``{"success", "results": [...]}``."""
    settings = load_settings(db)
    sources = select_sources(db, database_id, database_name, user_id)
    if not sources:
        what = database_id or database_name or "any database"
        who = f" for user {user_id!r}" if user_id else ""
        return {"success": False, "synced_count": 0, "database_name": database_name,
                "error": f"no enabled source matches {what}{who}; add one with nls.add_source(user_id, database_id)"}
    results = [SourceRun(db, s, settings, bool(full_sync), commit).run() for s in sources]
    cleaning = clean_learning(db, sources, results, commit)
    extra = {"cleaning": cleaning} if cleaning else {}
    if database_id or database_name:
        if len(results) == 1:
            r = results[0]
            return {"success": r["status"] in ("success", "partial"), **r, **extra}
    return {"success": all(r["status"] in ("success", "partial") for r in results), "results": results, **extra}


def clean_learning(db: Db, sources: list[dict], results: list[dict], commit=None) -> list[dict]:
    """Run the cleaning pipeline (``nls.clean(user_id)``, sql/30_learning.sql) once for every user one of whose
    learning or creative sources (target other than 'pages') was synced, acting for that user. Returns the
    pipeline's answers; a failed cleaning is reported there (and in sync_log), never raised."""
    users = sorted({s["user_id"] for s, r in zip(sources, results)
                    if s["target"] != "pages" and r.get("status") != "skipped"})
    out = []
    for user in users:
        with as_user(db, user):
            out.append(json.loads(db.one("SELECT nls.clean($1)::text AS r", ["text"], [user])["r"]))
        if commit:
            commit()
    return out


def sync_all(db: Db, commit) -> dict:
    """One scheduled worker (``CALL nls.sync_all_users_notion_databases()``, run by every pg_cron worker job):
    takes the round's users one at a time (``nls._claim_sync_user``: each user goes to one worker, so N workers sync
    N users side by side and a slow user holds up only its own worker), syncs each user's enabled sources and cleans them acting
    for that user, committing as it goes. Returns {"users": [{"user_id", "status", "sources"}], "round"}."""
    db.execute("SELECT nls._close_stale_runs()")
    commit()
    done, round_ = [], None
    while True:
        claim = db.one("SELECT p_round::text AS r, p_user AS u FROM nls._claim_sync_user($1::timestamptz)",
                       ["text"], [round_])
        commit()
        round_, user = claim["r"], claim["u"]
        if user is None:
            break
        status = "failed"
        try:
            with as_user(db, user):
                result = sync_notion(db, None, None, user, False, commit=commit)
            runs = result.get("results", [])
            status = ("completed" if runs and all(r.get("status") == "success" for r in runs)
                      else "partial" if result.get("success") else "failed")
            done.append({"user_id": user, "status": status, "sources": len(runs)})
        finally:
            db.execute("SELECT nls._finish_sync_user($1::timestamptz, $2, $3)", ["text", "text", "text"],
                       [round_, user, status])
            commit()
    return {"round": round_, "users": done}
