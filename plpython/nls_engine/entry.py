"""What the PL/Python function bodies of ``plpython/functions.sql`` call: one function per SQL entry point, each
taking ``plpy`` and PL/Python's ``GD`` (plan cache), then the SQL arguments. Glue only: each builds the store and
the settings, calls the part that does the work, and turns its errors into ``plpy.error`` with a hint."""
from __future__ import annotations

import json

from . import anki_account, anki_sync as anki_flow, crypto, schedule, typed_views, webhooks
from .client import NotionError
from .db import Db
from .discover import discover as _discover
from .integration import open_client, rotate_keys, store_token
from .settings import Settings
from .store import Store


def _open(plpy, GD) -> tuple[Store, Settings]:
    store = Store(Db(plpy, GD))
    return store, Settings.from_catalogue(store.settings_rows())


def add_integration(plpy, GD, user_id, access_token, workspace_id, workspace_name, workspace_icon, bot_id) -> int:
    """Store (or replace) a user's Notion token, encrypted; returns the integration id. The token is never
    echoed: not in the return value, an error, a NOTICE or a log."""
    if user_id is None or access_token is None:
        plpy.error(f"nls: add_integration needs {'user_id' if user_id is None else 'access_token'}; it was NULL",
                   hint="add_integration(user_id text, access_token text, ...): the application's id of the user and "
                        "the integration's secret or OAuth access token, as bound parameters.", sqlstate="22004")
    if not user_id.strip():
        plpy.error("nls: add_integration needs a user_id, not an empty text", hint="Any application id: a uuid or text.",
                   sqlstate="22023")
    if not access_token.strip():
        plpy.error(f"nls: add_integration for user {user_id!r} got an empty access_token",
                   hint="Pass the integration's secret or the OAuth access token.", sqlstate="22023")
    store, settings = _open(plpy, GD)
    try:
        return store_token(store, settings, user_id, access_token, workspace_id, workspace_name, workspace_icon,
                           bot_id)
    except crypto.KeyError_ as e:
        plpy.error(f"nls: cannot store the token of user {user_id!r}: {e}", hint=e.hint, sqlstate="55000")


def sync_notion(plpy, GD, database_id, database_name, user_id, full_sync) -> str:
    """``nls.sync_notion(...)``: runs in the caller's transaction; returns seed 002's JSON as text."""
    store, settings = _open(plpy, GD)
    return json.dumps(schedule.sync_notion(store, settings, database_id, database_name, user_id, full_sync))


def push_notion(plpy, GD, user_id, dry_run) -> str:
    """``nls.push_notion(user_id, dry_run)``: writes back to Notion what changed locally, in the caller's
    transaction (see :mod:`nls_engine.push`); returns seed 002's JSON as text. Notion's failures are in the answer
    and nls.sync_log, never raised."""
    if dry_run is None:
        plpy.error("nls: push_notion needs dry_run (true or false); it was NULL",
                   hint="push_notion(user_id => ..., dry_run => false): true lists what would be sent and sends "
                        "nothing.", sqlstate="22004")
    if user_id is not None and not user_id.strip():
        plpy.error("nls: push_notion needs a user_id (argument user_id), not an empty text",
                   hint="Name the user, or NULL for every user this session sees.", sqlstate="22023")
    store, settings = _open(plpy, GD)
    return json.dumps(schedule.push_notion(store, settings, user_id, bool(dry_run)))


def sync_all(plpy, GD) -> None:
    """``CALL nls.sync_all_users_notion_databases()``: one scheduled worker; takes users of the round until none is
    left (every pg_cron worker job runs it), committing as it goes."""
    store, settings = _open(plpy, GD)
    result = schedule.sync_all(store, settings, plpy.commit)
    failed = [u["user_id"] for u in result["users"] if u["status"] == "failed"]
    if failed:
        plpy.warning(f"nls: {len(failed)} of {len(result['users'])} users' syncs failed in this worker; "
                     "see SELECT * FROM nls.sync_status WHERE last_status = 'failed'")


def rotate_encryption_key(plpy, GD) -> str:
    """``nls.rotate_encryption_key()``: see :func:`nls_engine.integration.rotate_keys`; returns its JSON as text."""
    store, settings = _open(plpy, GD)
    try:
        result = rotate_keys(store, settings)
    except crypto.KeyError_ as e:
        plpy.error(f"nls: cannot rotate the token encryption key: {e}", hint=e.hint, sqlstate="55000")
    anki = anki_account.rotate(store, settings)
    if anki["rotated"] or anki["unreadable"]:
        result["anki"] = anki
    if result["unreadable"] or anki["unreadable"]:
        plpy.warning(f"nls: {len(result['unreadable']) + len(anki['unreadable'])} stored token(s) or Anki "
                     "credential(s) do not decrypt with any key of the ring and were left as they are; keep the old "
                     "key until their users store new ones (nls.add_integration, nls.add_anki_account)")
    return json.dumps(result)


def discover(plpy, GD, user_id, add) -> list[dict]:
    """``nls.discover(user_id, add)``: see :func:`nls_engine.discover.discover`. The session must already see the
    user's integration (row-level security): discover never switches the user a session acts for."""
    if user_id is None:
        plpy.error("nls: discover needs user_id; it was NULL", hint="discover(user_id text, add boolean => false)",
                   sqlstate="22004")
    store, settings = _open(plpy, GD)
    if not store.has_integration(user_id):
        plpy.error(f"nls: user {user_id!r} has no Notion integration this session can see",
                   hint="Store the user's token with nls.add_integration(user_id, access_token), and act for that "
                        "user (SET nls.user_id) when not an administrator.", sqlstate="P0002")
    try:
        client = open_client(store, user_id, settings)
    except (NotionError, crypto.TokenUnreadable, crypto.KeyError_) as e:
        plpy.error(f"nls: cannot list what the integration of user {user_id!r} sees: {e}",
                   hint="Store the user's token with nls.add_integration(user_id, access_token).", sqlstate="55000")
    try:
        return _discover(store, client, user_id, bool(add))
    except NotionError as e:
        plpy.error(f"nls: POST /v1/search for user {user_id!r} failed: {e.message} (HTTP {e.status})",
                   sqlstate="58000" if e.ends_run else "22023")
    finally:
        client.close()


def create_typed_view(plpy, GD, database_id, view_name, schema_name, user_id) -> list[dict]:
    """``nls.create_typed_view(...)``: see :func:`nls_engine.typed_views.create`; one row per view."""
    store, _ = _open(plpy, GD)
    try:
        return [{"view": r["view"], "database_id": r["database_id"], "data_source_id": r["data_source_id"],
                 "columns": r["columns"]} for r in typed_views.create(store, database_id, view_name, schema_name,
                                                                       user_id)]
    except typed_views.TypedViewError as e:
        plpy.error(str(e), hint=e.hint, sqlstate=e.sqlstate)


def typed_select(plpy, GD, source_id, data_source_id) -> dict:
    """``nls.typed_select(source_id, data_source_id)``: {"columns" (JSON text), "query"}."""
    store, _ = _open(plpy, GD)
    try:
        d = typed_views.definition(store, source_id, data_source_id)
    except typed_views.TypedViewError as e:
        plpy.error(str(e), hint=e.hint, sqlstate=e.sqlstate)
    return {"columns": json.dumps(d["columns"]), "query": d["query"]}


def engine_status(plpy, GD) -> str:
    """What the installer checks: the server's Python, requests/urllib3/cryptography versions, the key."""
    import sys

    import cryptography
    import requests
    import urllib3
    _, settings = _open(plpy, GD)
    try:
        ring = crypto.load_ring(settings.encryption_key_file)
        key = "ok" if len(ring) == 1 else f"ok (versions {sorted(ring)}; newest {max(ring)} encrypts)"
    except crypto.KeyError_ as e:
        key = f"{e} -- {e.hint}"
    return json.dumps({"python": sys.version.split()[0], "requests": requests.__version__,
                       "urllib3": urllib3.__version__, "cryptography": cryptography.__version__,
                       "encryption_key": key, "anki": _anki_status(settings)})


def _anki_status(settings: Settings) -> str:
    """Anki's library as the Anki sync would import it: its version, or what is missing and how to install it."""
    from . import anki_collection
    try:
        return anki_collection.library(settings.anki_python_path)
    except anki_collection.AnkiUnavailable as e:
        return f"not importable: {e} -- {e.hint}"


def add_anki_account(plpy, GD, user_id, username, password, endpoint) -> int:
    """``nls.add_anki_account(...)``: store (or replace) a user's Anki credential, encrypted; returns the account
    id. The password is never echoed: not in the return value, an error, a NOTICE or a log. Needs no Anki library
    and no network (the first nls.anki_sync logs in)."""
    if user_id is None or not user_id.strip():
        plpy.error("nls: add_anki_account needs a user_id (argument user_id), "
                   + ("not NULL" if user_id is None else "not an empty text"), hint="Any application id: a uuid or text.",
                   sqlstate="22004" if user_id is None else "22023")
    store, settings = _open(plpy, GD)
    try:
        return anki_account.store_account(store, settings, user_id, username, password, endpoint)
    except anki_account.AccountError as e:
        plpy.error(f"{e} (argument {e.argument})", hint=e.hint, sqlstate=e.sqlstate)
    except crypto.KeyError_ as e:
        plpy.error(f"nls: cannot store the Anki credential of user {user_id!r}: {e}", hint=e.hint, sqlstate="55000")


def anki_sync(plpy, GD, user_id) -> str:
    """``nls.anki_sync(user_id)``: one Anki run of the user in the caller's transaction (see
    :mod:`nls_engine.anki_sync`); returns its JSON as text. The endpoint's failures are in the answer and
    nls.sync_log, never raised; a missing user_id or account is."""
    if user_id is None or not user_id.strip():
        plpy.error("nls: anki_sync needs a user_id (argument user_id), " + ("not NULL" if user_id is None else
                                                                            "not an empty text"),
                   hint="Name the user: nls.anki_sync(user_id => '...'); the view nls.anki_status lists the "
                        "accounts.", sqlstate="22004" if user_id is None else "22023")
    store, settings = _open(plpy, GD)
    try:
        return json.dumps(anki_flow.sync_user(store, settings, user_id))
    except LookupError:
        plpy.error(f"nls: user {user_id!r} has no Anki account this session can see (argument user_id)",
                   hint="Store it with nls.add_anki_account(user_id, username, password, endpoint => NULL), and act "
                        "for that user (SET nls.user_id) when not an administrator.", sqlstate="P0002")


def webhook_receive(plpy, GD, path, body, signature) -> int:
    """``nls.webhook_receive(path, body, signature)``: the HTTP status a delivery is answered
    (:func:`nls_engine.webhooks.receive`); what it lets in is stored. Never raises for what Notion (or anyone)
    sends; a missing key is the server's fault (500)."""
    if path is None or body is None:
        return 400
    store, settings = _open(plpy, GD)
    path = path.rsplit("/", 1)[-1]
    try:
        return webhooks.receive(store, settings, path, bytes(body), signature)
    except (crypto.KeyError_, crypto.TokenUnreadable) as e:
        plpy.warning(f"nls: a webhook delivery could not be verified: {e}")
        return 500


def webhook_verification_token(plpy, GD, user_id) -> str:
    """``nls.webhook_verification_token(user_id)``: the handshake's token, once."""
    if user_id is None:
        plpy.error("nls: webhook_verification_token needs user_id; it was NULL", sqlstate="22004",
                   hint="webhook_verification_token(user_id text)")
    store, settings = _open(plpy, GD)
    try:
        return webhooks.shown_token(store, settings, user_id)
    except LookupError:
        plpy.error(f"nls: no verification token has come for user {user_id!r} (argument user_id)", sqlstate="P0002",
                   hint="Arm the path (nls.webhook_endpoint(user_id)), add it in Notion's webhook settings while "
                        "it is armed, then call this again.")
    except PermissionError:
        plpy.error(f"nls: the verification token of user {user_id!r} was shown already", sqlstate="55000",
                   hint="It is shown once. To get a new one, arm the path again (nls.webhook_endpoint(user_id)) "
                        "and have Notion send the handshake again (re-add the subscription).")
    except (crypto.KeyError_, crypto.TokenUnreadable) as e:
        plpy.error(f"nls: the verification token of user {user_id!r} cannot be read: {e}", sqlstate="55000")


def apply_webhook_events(plpy, GD, user_id) -> str:
    """``nls.apply_webhook_events(user_id)``: in the caller's transaction; returns its JSON as text. An empty
    user_id is refused (22023); NULL means every user the session sees."""
    if user_id is not None and not user_id.strip():
        plpy.error("nls: apply_webhook_events needs a user_id (argument user_id), not an empty text",
                   hint="Name the user, or NULL for every user this session sees.", sqlstate="22023")
    store, settings = _open(plpy, GD)
    return json.dumps(schedule.apply_webhooks(store, settings, user_id))


def apply_all_webhook_events(plpy, GD) -> None:
    """``CALL nls.apply_all_webhook_events()`` (pg_cron, every minute): every user's waiting events, committing.
    With nothing waiting it costs the one statement that says so (:meth:`Store.users_with_events`)."""
    store = Store(Db(plpy, GD))
    users = store.users_with_events()
    if not users:
        return
    settings = Settings.from_catalogue(store.settings_rows())
    result = schedule.apply_webhooks(store, settings, None, plpy.commit, users=users)
    failed = [r["user_id"] for r in result["results"] if r["status"] == "failed"]
    if failed:
        plpy.warning(f"nls: applying the webhook events of {len(failed)} user(s) failed; see SELECT * FROM "
                     "nls.sync_log WHERE sync_type = 'notion_webhook' ORDER BY started_at DESC")
