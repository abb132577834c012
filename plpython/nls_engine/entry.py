"""What the PL/Python function bodies of ``plpython/functions.sql`` call: one function per SQL entry point.
Each takes ``plpy`` and PL/Python's ``GD`` (plan cache), then the SQL arguments."""
from __future__ import annotations

import json

from . import crypto
from .db import Db
from .client import NotionError, title_text
from .sync import load_settings, note_workspace, open_client
from .sync import sync_all as _sync_all
from .sync import sync_notion as _sync_notion


def add_integration(plpy, GD, user_id, access_token, workspace_id, workspace_name, workspace_icon, bot_id) -> int:
    """Store (or replace) a user's Notion token, encrypted; returns the integration id. The token is never
    echoed: not in the return value, an error, a NOTICE or a log."""
    if not user_id:
        plpy.error("nls: add_integration needs a user_id", hint="Any application id: a uuid or text.")
    if not access_token or not access_token.strip():
        plpy.error(f"nls: add_integration for user {user_id!r} got an empty access_token",
                   hint="Pass the integration's secret or the OAuth access token.")
    db = Db(plpy, GD)
    try:
        ring = crypto.load_ring(_setting(db, "encryption_key_file"))
    except crypto.KeyError_ as e:
        plpy.error(f"nls: cannot store the token of user {user_id!r}: {e}", hint=e.hint)
    version, nonce, ciphertext = crypto.encrypt(ring, user_id, access_token.strip())
    row = db.one(
        "INSERT INTO nls.integrations AS i (user_id, token_ciphertext, token_nonce, key_version, workspace_id, "
        "workspace_name, workspace_icon, bot_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (user_id) DO UPDATE SET token_ciphertext = excluded.token_ciphertext, "
        "token_nonce = excluded.token_nonce, key_version = excluded.key_version, "
        "workspace_id = coalesce(excluded.workspace_id, i.workspace_id), "
        "workspace_name = coalesce(excluded.workspace_name, i.workspace_name), "
        "workspace_icon = coalesce(excluded.workspace_icon, i.workspace_icon), "
        "bot_id = coalesce(excluded.bot_id, i.bot_id), status = 'active', updated_at = now() RETURNING id",
        ["text", "bytea", "bytea", "int", "text", "text", "text", "text"],
        [user_id, ciphertext, nonce, version, workspace_id, workspace_name, workspace_icon, bot_id])
    return row["id"]


def _setting(db: Db, name: str) -> str | None:
    row = db.one("SELECT value FROM nls.settings WHERE name = $1", ["text"], [name])
    return row["value"] if row else None


def sync_notion(plpy, GD, database_id, database_name, user_id, full_sync) -> str:
    """``nls.sync_notion(...)``: runs in the caller's transaction; returns seed 002's JSON as text."""
    return json.dumps(_sync_notion(Db(plpy, GD), database_id, database_name, user_id, full_sync))


def sync_all(plpy, GD) -> None:
    """``CALL nls.sync_all_users_notion_databases()``: one scheduled worker; takes users of the round until none is
    left (every pg_cron worker job runs it), committing as it goes."""
    result = _sync_all(Db(plpy, GD), plpy.commit)
    failed = [u["user_id"] for u in result["users"] if u["status"] == "failed"]
    if failed:
        plpy.warning(f"nls: {len(failed)} of {len(result['users'])} users' syncs failed in this worker; "
                     "see SELECT * FROM nls.sync_status WHERE last_status = 'failed'")


def rotate_encryption_key(plpy, GD) -> str:
    """``nls.rotate_encryption_key()``: re-encrypt every token not under the ring's newest key version (fresh
    nonce, owner still bound). Returns {"key_version", "rotated", "already_current", "unreadable": [user ids]}
    as JSON text; an unreadable token is left as it is and named (fails closed: it is never re-encrypted from
    a guess)."""
    db = Db(plpy, GD)
    try:
        ring = crypto.load_ring(_setting(db, "encryption_key_file"))
    except crypto.KeyError_ as e:
        plpy.error(f"nls: cannot rotate the token encryption key: {e}", hint=e.hint)
    newest = max(ring)
    rotated, unreadable = 0, []
    rows = db.execute("SELECT user_id, token_ciphertext, token_nonce, key_version FROM nls.integrations "
                      "WHERE key_version <> $1 ORDER BY user_id FOR UPDATE", ["int"], [newest])
    for row in rows:
        try:
            token = crypto.decrypt(ring, row["key_version"], row["user_id"], row["token_nonce"], row["token_ciphertext"])
        except crypto.TokenUnreadable:
            unreadable.append(row["user_id"])
            continue
        version, nonce, ciphertext = crypto.encrypt(ring, row["user_id"], token)
        db.execute("UPDATE nls.integrations SET token_ciphertext = $2, token_nonce = $3, key_version = $4, "
                   "updated_at = now() WHERE user_id = $1", ["text", "bytea", "bytea", "int"],
                   [row["user_id"], ciphertext, nonce, version])
        rotated += 1
    current = db.one("SELECT count(*) AS n FROM nls.integrations WHERE key_version = $1", ["int"], [newest])["n"]
    if unreadable:
        plpy.warning(f"nls: {len(unreadable)} stored token(s) do not decrypt with any key of the ring and were left "
                     "as they are; keep the old key until their users store new tokens (nls.add_integration)")
    return json.dumps({"key_version": newest, "rotated": rotated, "already_current": current - rotated,
                       "unreadable": unreadable})


def discover(plpy, GD, user_id, add) -> list[dict]:
    """``nls.discover(user_id, add)``: the data sources the user's integration can see (``POST /v1/search``), each
    with the target its database's name suggests (nls.targets(), else 'pages') and its source id if synced; with
    ``add``, every database not yet a source is added. Rows: {database_id, data_source_id, name, target,
    source_id, added}."""
    db = Db(plpy, GD)
    settings = load_settings(db)
    known = {r["name"].lower(): r["target"] for r in db.execute(
        "SELECT notion_database_name AS name, target FROM nls.targets() WHERE notion_database_name IS NOT NULL")}
    # the session must already be able to see the user's integration (row-level security): discover never
    # switches the user a session acts for
    if db.one("SELECT count(*) AS n FROM nls.integrations WHERE user_id = $1", ["text"], [user_id])["n"] == 0:
        plpy.error(f"nls: user {user_id!r} has no Notion integration this session can see",
                   hint="Store the user's token with nls.add_integration(user_id, access_token), and act for that "
                        "user (SET nls.user_id) when not an administrator.")
    try:
        client = open_client(db, user_id, settings)
    except (NotionError, crypto.TokenUnreadable, crypto.KeyError_) as e:
        plpy.error(f"nls: cannot list what the integration of user {user_id!r} sees: {e}",
                   hint="Store the user's token with nls.add_integration(user_id, access_token).")
    try:
        note_workspace(db, user_id, client)
        found = list(client.search_data_sources())
    except NotionError as e:
        plpy.error(f"nls: POST /v1/search for user {user_id!r} failed: {e.message} (HTTP {e.status})")
    finally:
        client.close()
    out, seen = [], set()
    for ds in sorted(found, key=lambda d: title_text(d) or ""):
        parent = ds.get("parent") or {}
        database_id = parent.get("database_id")
        if not database_id:
            continue
        name = title_text(ds)
        target = known.get((name or "").strip().lower(), "pages")
        row = db.one("SELECT id FROM nls.sources WHERE user_id = $1 AND database_id = $2", ["text", "text"],
                     [user_id, database_id])
        added = False
        if row is None and add and database_id not in seen:
            row = db.one("SELECT nls.add_source($1, $2, $3, $4) AS id", ["text", "text", "text", "text"],
                         [user_id, database_id, target, name])
            added = True
        seen.add(database_id)
        out.append({"database_id": database_id, "data_source_id": ds.get("id"), "name": name, "target": target,
                    "source_id": row["id"] if row else None, "added": added})
    return out


def engine_status(plpy, GD) -> str:
    """What the installer checks: the server's Python, requests/urllib3/cryptography versions, the key."""
    import sys

    import cryptography
    import requests
    import urllib3
    db = Db(plpy, GD)
    try:
        ring = crypto.load_ring(_setting(db, "encryption_key_file"))
        key = "ok" if len(ring) == 1 else f"ok (versions {sorted(ring)}; newest {max(ring)} encrypts)"
    except crypto.KeyError_ as e:
        key = f"{e} -- {e.hint}"
    return json.dumps({"python": sys.version.split()[0], "requests": requests.__version__,
                       "urllib3": urllib3.__version__, "cryptography": cryptography.__version__,
                       "encryption_key": key})
