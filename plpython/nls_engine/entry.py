"""What the PL/Python function bodies of ``plpython/functions.sql`` call: one function per SQL entry point.
Each takes ``plpy`` and PL/Python's ``GD`` (plan cache), then the SQL arguments."""
from __future__ import annotations

import json

from . import crypto
from .db import Db
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
        key = crypto.load_key(_setting(db, "encryption_key_file"))
    except crypto.KeyError_ as e:
        plpy.error(f"nls: cannot store the token of user {user_id!r}: {e}", hint=e.hint)
    nonce, ciphertext = crypto.encrypt(key, user_id, access_token.strip())
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
        [user_id, ciphertext, nonce, crypto.KEY_VERSION, workspace_id, workspace_name, workspace_icon, bot_id])
    return row["id"]


def _setting(db: Db, name: str) -> str | None:
    row = db.one("SELECT value FROM nls.settings WHERE name = $1", ["text"], [name])
    return row["value"] if row else None


def sync_notion(plpy, GD, database_id, database_name, user_id, full_sync) -> str:
    """``nls.sync_notion(...)``: runs in the caller's transaction; returns seed 002's JSON as text."""
    return json.dumps(_sync_notion(Db(plpy, GD), database_id, database_name, user_id, full_sync))


def sync_all(plpy, GD) -> None:
    """``CALL nls.sync_all_users_notion_databases()``: every enabled source of every active integration,
    committing as it goes (pg_cron's entry point)."""
    db = Db(plpy, GD)
    db.execute("SELECT nls._close_stale_runs()")
    plpy.commit()
    result = _sync_notion(db, None, None, None, False, commit=plpy.commit)
    failed = [r for r in result.get("results", []) if r.get("status") == "failed"]
    if failed:
        plpy.warning(f"nls: {len(failed)} of {len(result.get('results', []))} sources failed; "
                     "see SELECT * FROM nls.sync_status WHERE last_status = 'failed'")


def engine_status(plpy, GD) -> str:
    """What the installer checks: the server's Python, requests/urllib3/cryptography versions, the key."""
    import sys

    import cryptography
    import requests
    import urllib3
    db = Db(plpy, GD)
    try:
        crypto.load_key(_setting(db, "encryption_key_file"))
        key = "ok"
    except crypto.KeyError_ as e:
        key = f"{e} -- {e.hint}"
    return json.dumps({"python": sys.version.split()[0], "requests": requests.__version__,
                       "urllib3": urllib3.__version__, "cryptography": cryptography.__version__,
                       "encryption_key": key})
