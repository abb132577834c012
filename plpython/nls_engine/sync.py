"""The sync: Notion data sources into ``nls.stg_notion_pages``, run inside PostgreSQL by PL/Python.

``db`` is a :class:`nls_engine.db.Db` (plpy underneath). Every SQL statement it runs is one of the set-based
functions of ``sql/10_engine.sql``; this module does the HTTP and the bookkeeping.

How a run goes (issue "Sync Notion into PostgreSQL from inside PostgreSQL"):
resolve the database's data sources (``GET /v1/databases/{id}``), page through
``POST /v1/data_sources/{id}/query`` sorted by ``last_edited_time`` ascending (incremental: ``on_or_after`` the
watermark minus an overlap; past the 10,000-row cap, ``created_time`` windows), hash each page's properties +
``last_edited_time`` + ``in_trash``, skip what did not change, complete values cut at 25 items, mark what is not
Notion's true value, read the content of what changed, upsert each batch and move the watermark with it. A complete
full read also checks every stored page it did not see (``GET /v1/pages/{id}``): trashed pages are marked, 404s
marked gone. Once every ``reconcile_interval_s`` a run reconciles: an ids-only read of every data source
(``filter_properties``), the pages that drifted fetched whole, the unseen ones checked as after a full read.
"""
from __future__ import annotations

import hashlib
import json
import time
import traceback

from . import crypto
from .client import NotionClient, NotionError, Pacer, RunDeadline, title_text
from .db import Db
from .text import clean


def page_hash(page: dict) -> str:
    """SHA-256 of the page's properties, ``last_edited_time`` and ``in_trash`` (canonical JSON). A Notion-hosted
    file's url is signed anew on every read: only its path (the file itself) counts."""
    props = page.get("properties") or {}
    if any(isinstance(p, dict) and p.get("type") == "files" for p in props.values()):
        props = {name: _unsigned(p) if isinstance(p, dict) and p.get("type") == "files" else p
                 for name, p in props.items()}
    payload = json.dumps([props, page.get("last_edited_time"), bool(page.get("in_trash"))],
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def _unsigned(prop: dict) -> dict:
    files = [dict(f, file={"url": str((f.get("file") or {}).get("url", "")).split("?")[0]})
             if isinstance(f, dict) and f.get("type") == "file" else f for f in prop.get("files") or []]
    return dict(prop, files=files)


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


def schema_of(properties: dict | None) -> dict:
    """A schema as nls.data_source_schemas keeps it, {name: {"id", "type"}}, from a page's ``properties`` or a
    data source's (``GET /v1/data_sources/{id}``)."""
    return {name: {"id": p.get("id"), "type": p.get("type")} for name, p in (properties or {}).items()}


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
        self._ds_properties: dict[str, dict] = {}
        self.reconciling = False

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
        # a full read when asked and on the first run; a reconciling run (the incremental read, then every id of
        # the data source checked against the copy) when the last reconciliation is older than
        # reconcile_interval_s (default a day)
        state = db.one("SELECT count(*) FILTER (WHERE watermark IS NOT NULL) > 0 AS any, "
                       "coalesce(bool_or(last_full_sync_at IS NULL OR last_full_sync_at < now() - "
                       "make_interval(secs => $2)), true) AS due FROM nls.sync_state WHERE source_id = $1",
                       ["bigint", "float8"], [src["id"], float(settings.get("reconcile_interval_s") or 86400)])
        self.full = self.full or not state["any"]
        self.reconciling = not self.full and state["due"]
        sync_type = "notion_full" if self.full else "notion_reconcile" if self.reconciling else "notion_incremental"
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
        if not full and self.reconciling and self._schema_changed(ds_id):
            # a rename or type change moves no page: every stored page's properties are read again
            full, info["mode"] = True, "full (the data source's schema changed)"
        self._hold = None
        seen, complete, upto = self._read(ds_id, None if full else state["since"], info,
                                          lambda batch, in_order: self._write_batch(ds_id, ds_name, batch, in_order))
        if complete and seen:   # a page that could not be stored holds the watermark at its time
            self._save_state(ds_id, ds_name, self._hold or upto)
        if complete and not self.details["page_errors"]:
            if full:
                self._reconcile(ds_id, set(seen))
                self._save_state(ds_id, ds_name, None, reconciled=True)
            elif self.reconciling:
                self._reconcile_ids(ds_id, ds_name, info)
        if self.commit:
            self.commit()

    def _save_state(self, ds_id: str, ds_name: str | None, watermark: str | None, reconciled: bool = False) -> None:
        """Move the data source's watermark forward (never back; None leaves it) and, when ``reconciled``, note a
        complete reconciliation (sync_state.last_full_sync_at)."""
        self.db.execute("SELECT nls._save_state($1, $2, $3, $4::timestamptz, $5)",
                        ["bigint", "text", "text", "text", "bool"],
                        [self.source["id"], ds_id, ds_name, watermark, reconciled])

    def _read(self, ds_id: str, since: str | None, info: dict, on_batch,
              property_ids: list[str] | None = None) -> tuple[dict[str, str], bool, str | None]:
        """Every page of data source ``ds_id`` edited on or after ``since`` (ISO time; every page when None), by
        ``POST /v1/data_sources/{id}/query``, handed to ``on_batch(batch, in_order)`` a response at a time. A row
        comes once, or again when it comes back edited (a change between the pages of the read).
        First one query sorted by last_edited_time ascending (``in_order``: a watermark may follow the batches).
        Where Notion stops it at its 10,000-row cap (``request_status`` "incomplete"), the rest (edited on or after
        the last time read) in windows of ``created_time``, which edits during the read do not move: each window
        sorted by created_time, the next starting at the last created_time of the one before (de-duplicated by id).
        Returns ({page id: last_edited_time} of every row read, whether the read is whole, the watermark a whole
        read supports: the latest edit read, or where windows were read, no later than the minute they began, since
        an edit made during the windows to a page of a window already read is seen only by the next run, which
        reads on from there less overlap_s). A read that could not be finished records why in details["limits"]
        (the run ends partial)."""
        seen: dict[str, str] = {}
        sort, created_from, windows_from = "last_edited_time", None, None
        while True:
            filters = []
            if since:
                filters.append({"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": since}})
            if created_from:
                filters.append({"timestamp": "created_time", "created_time": {"on_or_after": created_from}})
            body: dict = {"sorts": [{"timestamp": sort, "direction": "ascending"}]}
            if filters:
                body["filter"] = filters[0] if len(filters) == 1 else {"and": filters}
            capped, last, stale, answers = False, None, 0, set()
            for data in self.client.query(ds_id, body, property_ids):
                results = data.get("results", [])
                batch = [p for p in results if seen.get(p.get("id")) != p.get("last_edited_time")]
                for p in batch:
                    seen[p["id"]] = p["last_edited_time"]
                # rows read before may come again (a window re-reads the minute it starts at, which a bulk import
                # can fill); an answer this query already gave, with nothing new, means the cursor went back
                answer = (results[0].get("id"), results[-1].get("id"), len(results)) if results else None
                stale = stale + 1 if answer in answers and not batch else 0
                answers.add(answer)
                if batch:
                    on_batch(batch, sort == "last_edited_time")
                last = results[-1] if results else last
                info["pages"] = len(seen)
                if (data.get("request_status") or {}).get("type") == "incomplete":
                    capped = True
                if stale >= STALE_PAGES:   # the cursor hands back only rows this read already has: stop, say so
                    self.details["limits"].append({"limit": "cursor_not_advancing", "data_source_id": ds_id,
                                                   "pages_without_new_rows": stale})
                    return seen, False, None
            if not capped:
                upto = max(seen.values()) if seen else None
                return seen, True, min(upto, windows_from) if upto and windows_from else upto
            if sort == "last_edited_time" and last is not None:   # past the cap: the rest, by created_time windows
                since, sort = last["last_edited_time"], "created_time"
                windows_from = time.strftime("%Y-%m-%dT%H:%M:00.000Z", time.gmtime())
            elif last is None or (created_from is not None and last["created_time"] <= created_from):
                self.details["limits"].append({"limit": "query_result_limit", "data_source_id": ds_id,
                                               "reason": "more than 10,000 rows edited since "
                                                         f"{since} were created in the same minute"})
                return seen, False, None
            else:
                created_from = last["created_time"]
            info["windows"] = info.get("windows", 0) + 1

    def _write_batch(self, ds_id: str, ds_name: str | None, batch: list[dict], in_order: bool = True) -> None:
        """Store the new and changed pages of ``batch`` (whole values, content, marks); unchanged ones (same hash,
        content stored where wanted) cost nothing. ``in_order``: the batch follows last_edited_time, so the
        watermark moves to its last row."""
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
                cut = self._complete_values(page)
                marks = self._mark_values(ds_id, page, cut)
            except NotionError as e:
                if e.ends_run:
                    raise
                self._page_error(page, f"property items: {e.code}: {e.message}")
                continue
            row = staged_row(page, ds_id, h)
            row["value_marks"] = marks
            if src["with_content"] and not page.get("in_trash"):   # a trashed page keeps the content stored
                try:
                    content = self._content(page["id"])
                except NotionError as e:
                    if e.ends_run:
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
        if in_order:
            self._save_state(ds_id, ds_name, self._hold or batch[-1]["last_edited_time"])
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
        key = (ds_id, json.dumps(schema_of(page.get("properties")), sort_keys=True))
        if key in self._schemas:
            return
        self._schemas.add(key)
        self.db.one("SELECT nls._save_schema($1, $2, $3) AS h", ["bigint", "text", "jsonb"],
                    [self.source["id"], ds_id, key[1]])

    def _complete_values(self, page: dict) -> dict[str, int]:
        """Read past Notion's 25-item cut: a relation with ``has_more``, or a title, rich_text or people value of
        exactly 25 items, is fetched whole from ``GET /v1/pages/{id}/properties/{property_id}`` and replaces the
        cut value in ``page`` (text cleaned as the rest). Values under the cut cost no request.
        Returns {relation property id: its whole length} of the relations that were cut (see _mark_values)."""
        cut_relations: dict[str, int] = {}
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
                cut_relations[prop["id"]] = len(full)
            full, cleaned = clean(full)
            self.details["cleaned_characters"] += cleaned
            prop[kind] = full
            self._count("completed_values")
        return cut_relations

    def _mark_values(self, ds_id: str, page: dict, cut_relations: dict[str, int]) -> dict:
        """The page's value_marks (nls.stg_notion_pages.value_marks): formulas and rollups Notion answered
        ``unsupported`` (unknown, not null), and rollups over a relation it cut at 25 items (``cut_relations``:
        {relation property id: whole length}), which Notion computed over the first 25 only. Which relation a
        rollup reads comes from the data source's schema (``GET /v1/data_sources/{id}``, once a run, and only when
        a page has both a cut relation and a rollup); where the schema does not say, every rollup of such a page
        is marked. Returns {property id: {"property", "type", "mark", ...}}."""
        marks: dict = {}
        rollups = []
        for name, prop in (page.get("properties") or {}).items():
            kind = prop.get("type")
            value = prop.get(kind)
            if kind == "unsupported" or (kind in ("formula", "rollup") and isinstance(value, dict)
                                         and value.get("type") == "unsupported"):
                marks[prop.get("id") or name] = {"property": name, "type": kind, "mark": "unsupported"}
                self._count("unsupported_values")
            elif kind == "rollup" and cut_relations:
                rollups.append((name, prop))
        if rollups:
            relation_of = self._rollup_relations_of(ds_id)
            for name, prop in rollups:
                rel = relation_of.get(prop.get("id"))
                over = [rel] if rel in cut_relations else [] if rel else sorted(cut_relations)
                if over:
                    marks[prop.get("id") or name] = {"property": name, "type": "rollup",
                                                     "mark": "computed_over_cut_relation",
                                                     "relation_property_id": over[0],
                                                     "related": cut_relations[over[0]]}
                    self._count("rollups_over_cut_relations")
        return marks

    def _data_source_properties(self, ds_id: str) -> dict:
        """The data source's schema, ``GET /v1/data_sources/{id}`` ``properties`` ({name: {id, type, <type>:
        config}}), read once a run; {} when Notion will not give it (400, 403, 404)."""
        if ds_id not in self._ds_properties:
            try:
                self._ds_properties[ds_id] = self.client.data_source(ds_id).get("properties") or {}
            except NotionError as e:
                if e.ends_run:
                    raise
                self._ds_properties[ds_id] = {}
        return self._ds_properties[ds_id]

    def _rollup_relations_of(self, ds_id: str) -> dict[str, str]:
        """{rollup property id: the id of the relation property it reads} (the data source's schema)."""
        return {p.get("id"): (p.get("rollup") or {}).get("relation_property_id")
                for p in self._data_source_properties(ds_id).values()
                if isinstance(p, dict) and p.get("type") == "rollup"}

    def _schema_changed(self, ds_id: str) -> bool:
        """Whether stored pages of the data source hold another schema (names, ids, types) than Notion gives now
        (``GET /v1/data_sources/{id}``): a rename, type change, added or removed property moves no page, so an
        incremental read never brings it."""
        props = self._data_source_properties(ds_id)
        if not props:
            return False
        off = self.db.one("SELECT nls._pages_off_schema($1, $2, $3) AS n", ["bigint", "text", "jsonb"],
                          [self.source["id"], ds_id, json.dumps(schema_of(props))])["n"]
        return off > 0

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
        """After a complete read of every id: each stored page it did not return is asked for
        (``GET /v1/pages/{id}``): a 404 marks it gone (deleted or unshared), a trashed one is stored trashed."""
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
            if page.get("in_trash"):
                self.removed += 1
            self._write_batch(ds_id, None, [page], in_order=False)

    def _reconcile_ids(self, ds_id: str, ds_name: str | None, info: dict) -> None:
        """The scheduled reconciliation (every reconcile_interval_s), after the incremental read: the whole data
        source read again as cheaply as the API allows, ``filter_properties`` keeping only the title and the
        formula and rollup properties (a page object still carries its id, ``last_edited_time`` and
        ``in_trash``); the pages that differ from the copy (nls._drifted_pages: missed edits, and formulas and
        rollups that changed with the pages they read) are fetched whole (``GET /v1/pages/{id}``), and the
        stored pages the read did not return are checked (_reconcile). Nothing is marked gone unless the read
        was whole."""
        schema = schema_of(self._data_source_properties(ds_id))   # read by _schema_changed just before
        computed = {p["id"] for p in schema.values() if p.get("type") in ("formula", "rollup") and p.get("id")}
        wanted = [p["id"] for p in schema.values() if p.get("type") == "title" and p.get("id")] or ["title"]
        drifted: list[str] = []

        def check(batch: list[dict], _in_order: bool) -> None:
            rows = []
            for page in batch:
                page, _ = clean(page)
                rows.append({"id": page["id"], "last_edited_time": page["last_edited_time"],
                             "in_trash": bool(page.get("in_trash")),
                             "computed": {p["id"]: p for p in (page.get("properties") or {}).values()
                                          if p.get("id") in computed}})
            drifted.extend(r["id"] for r in self.db.execute("SELECT nls._drifted_pages($1, $2) AS id",
                                                            ["bigint", "jsonb"],
                                                            [self.source["id"], json.dumps(rows)]))

        checked: dict = {"pages": 0}
        seen, complete, _ = self._read(ds_id, None, checked, check, property_ids=wanted + sorted(computed))
        info["reconciled"] = {"ids_read": len(seen), "drifted": len(set(drifted)), "windows": checked.get("windows", 0)}
        if not complete:
            return
        for pid in dict.fromkeys(drifted):
            try:
                page = self.client.page(pid)
            except NotionError as e:
                if e.status != 404:
                    raise
                self.db.execute("SELECT nls._mark_gone($1, $2)", ["bigint", "text"], [self.source["id"], pid])
                self.removed += 1   # gone since the read
                continue
            self._write_batch(ds_id, ds_name, [page], in_order=False)
        if not self.details["page_errors"]:
            self._reconcile(ds_id, set(seen))
            self._save_state(ds_id, ds_name, None, reconciled=True)


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
