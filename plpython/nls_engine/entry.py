"""What the PL/Python function bodies of ``plpython/functions.sql`` call: one function per SQL entry point, each
taking ``plpy`` and PL/Python's ``GD`` (plan cache), then the SQL arguments. Glue only: each builds the store and
the settings, checks its arguments and calls the part that does the work. Every entry point is an
:func:`entry_point`: the one place where what goes wrong becomes a PostgreSQL error (``ERROR:  nls: ...`` with its
SQLSTATE, HINT and DETAIL; no Python class name in the message)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

from . import crypto, schedule
from .anki import account as anki_account, sync as anki_flow
from .db import Db, Plpy
from .errors import NlsError, message_of
from .integration import open_client, rotate_keys, store_token
from .notion.client import NotionError
from .read.discover import discover as _discover
from .settings import Settings
from .store import Store
from .typed_views import views as typed_views
from .webhooks import receive as webhooks

T = TypeVar("T")


def entry_point(function: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate an entry point ``function(plpy, GD, *arguments)`` so that whatever it raises reaches PostgreSQL as
    ``ERROR:  nls: <message>``: an :class:`NlsError` with its SQLSTATE, hint and detail; an error of PostgreSQL's own
    that the engine passes on (a cancel or statement_timeout: 57014, a constraint, a privilege) with its SQLSTATE,
    hint and detail; anything else (a defect of nls) as SQLSTATE XX000 with its Python traceback in the CONTEXT."""

    @functools.wraps(function)
    def call(plpy: Plpy, GD: dict[Any, Any], *arguments: Any) -> Any:
        try:
            return function(plpy, GD, *arguments)
        except NlsError as e:
            raise postgres_error(plpy, str(e), e.sqlstate, e.hint, e.detail) from None
        except plpy.SPIError as e:
            data = tuple(getattr(e, "spidata", None) or ()) + (None,) * 3
            raise postgres_error(plpy, str(e), getattr(e, "sqlstate", None) or "XX000", data[2], data[1]) from None
        except Exception as e:  # noqa: BLE001 - a defect: the traceback goes with it
            raise postgres_error(
                plpy,
                f"internal error: {type(e).__name__}: {e}",
                "XX000",
                "This is a defect of nls; the CONTEXT below says where.",
            ).with_traceback(e.__traceback__) from None

    return call


@functools.cache
def _error_class(base: type) -> type:
    """The exception PL/Python turns into ``ERROR:  nls: <message>``: a subclass of ``plpy.Error`` (whose
    ``sqlstate``, ``hint`` and ``detail`` attributes PL/Python reports) named ``nls`` in module ``builtins``, which
    PL/Python prints by its bare name."""
    return type("nls", (base,), {"__module__": "builtins", "__doc__": "An error of nls, as PostgreSQL reports it."})


def postgres_error(
    plpy: Plpy, message: str, sqlstate: str, hint: str | None = None, detail: str | None = None
) -> Exception:
    """The ``plpy.Error`` to raise for ``message`` (prefixed ``nls: `` once), with its SQLSTATE, hint and detail."""
    error = _error_class(plpy.Error)(message_of(message))
    error.sqlstate = sqlstate
    if hint:
        error.hint = hint
    if detail:
        error.detail = detail
    return error


def _open(plpy: Plpy, GD: dict[Any, Any]) -> tuple[Store, Settings]:
    store = Store(Db(plpy, GD))
    return store, Settings.from_catalogue(store.settings_rows())


@overload
def _given(function: str, name: str, value: T | None, hint: str, null: Literal[False] = False) -> T: ...
@overload
def _given(function: str, name: str, value: T | None, hint: str, null: Literal[True]) -> T | None: ...
def _given(function: str, name: str, value: T | None, hint: str, null: bool = False) -> T | None:
    """Refuse argument ``name`` of ``function`` when it is NULL (22004; unless ``null`` allows it) or an empty text
    (22023); ``hint`` says what is allowed. Returns ``value``."""
    if value is None and not null:
        raise NlsError(f"{function} needs {name} (argument {name}); it was NULL", "22004", hint)
    if isinstance(value, str) and not value.strip():
        raise NlsError(f"{function} needs {name} (argument {name}), not an empty text", "22023", hint)
    return value


@entry_point
def add_integration(
    plpy: Plpy,
    GD: dict[Any, Any],
    user_id: str | None,
    access_token: str | None,
    workspace_id: str | None,
    workspace_name: str | None,
    workspace_icon: str | None,
    bot_id: str | None,
) -> int:
    """Store (or replace) a user's Notion token, encrypted; returns the integration id. The token is never
    echoed: not in the return value, an error, a NOTICE or a log."""
    hint = (
        "add_integration(user_id text, access_token text, ...): the application's id of the user (a uuid or "
        "text) and the integration's secret or OAuth access token, as bound parameters."
    )
    user_id = _given("add_integration", "user_id", user_id, hint)
    access_token = _given("add_integration", "access_token", access_token, hint)
    store, settings = _open(plpy, GD)
    try:
        return store_token(store, settings, user_id, access_token, workspace_id, workspace_name, workspace_icon, bot_id)
    except crypto.KeyError_ as e:
        raise NlsError(f"cannot store the token of user {user_id!r}: {e}", e.sqlstate, e.hint) from None


@entry_point
def sync_notion(
    plpy: Plpy,
    GD: dict[Any, Any],
    database_id: str | None,
    database_name: str | None,
    user_id: str | None,
    full_sync: bool | None,
) -> str:
    """``nls.sync_notion(...)``: runs in the caller's transaction; returns its JSON answer as text."""
    store, settings = _open(plpy, GD)
    return json.dumps(schedule.sync_notion(store, settings, database_id, database_name, user_id, full_sync))


@entry_point
def push_notion(plpy: Plpy, GD: dict[Any, Any], user_id: str | None, dry_run: bool | None) -> str:
    """``nls.push_notion(user_id, dry_run)``: writes back to Notion what changed locally, in the caller's
    transaction (see :mod:`nls_engine.push.flow`); returns its JSON answer as text. Notion's failures are in the answer
    and nls.sync_log, never raised."""
    _given(
        "push_notion",
        "dry_run",
        dry_run,
        "push_notion(user_id => ..., dry_run => false): true lists what would be sent and sends nothing.",
    )
    _given("push_notion", "user_id", user_id, "Name the user, or NULL for every user this session sees.", null=True)
    store, settings = _open(plpy, GD)
    return json.dumps(schedule.push_notion(store, settings, user_id, bool(dry_run)))


@entry_point
def sync_all(plpy: Plpy, GD: dict[Any, Any]) -> None:
    """``CALL nls.sync_all_users_notion_databases()``: one scheduled worker; takes users of the round until none is
    left (every pg_cron worker job runs it), committing as it goes."""
    store, settings = _open(plpy, GD)
    result = schedule.sync_all(store, settings, plpy.commit)
    failed = [u["user_id"] for u in result["users"] if u["status"] == "failed"]
    if failed:
        plpy.warning(
            f"nls: {len(failed)} of {len(result['users'])} users' syncs failed in this worker; "
            "see SELECT * FROM nls.sync_status WHERE last_status = 'failed'"
        )


@entry_point
def rotate_encryption_key(plpy: Plpy, GD: dict[Any, Any]) -> str:
    """``nls.rotate_encryption_key()``: see :func:`nls_engine.integration.rotate_keys`; returns its JSON as text."""
    store, settings = _open(plpy, GD)
    try:
        result = rotate_keys(store, settings)
    except crypto.KeyError_ as e:
        raise NlsError(f"cannot rotate the token encryption key: {e}", e.sqlstate, e.hint) from None
    anki = anki_account.rotate(store, settings)
    if anki["rotated"] or anki["unreadable"]:
        result["anki"] = anki
    if result["unreadable"] or anki["unreadable"]:
        plpy.warning(
            f"nls: {len(result['unreadable']) + len(anki['unreadable'])} stored token(s) or Anki "
            "credential(s) do not decrypt with any key of the ring and were left as they are; keep the old "
            "key until their users store new ones (nls.add_integration, nls.add_anki_account)"
        )
    return json.dumps(result)


@entry_point
def discover(plpy: Plpy, GD: dict[Any, Any], user_id: str | None, add: bool | None) -> list[dict]:
    """``nls.discover(user_id, add)``: see :func:`nls_engine.read.discover.discover`. The session must already see the
    user's integration (row-level security): discover never switches the user a session acts for."""
    user_id = _given("discover", "user_id", user_id, "discover(user_id text, add boolean => false)")
    store, settings = _open(plpy, GD)
    if not store.has_integration(user_id):
        raise NlsError(
            f"user {user_id!r} has no Notion integration this session can see",
            "P0002",
            "Store the user's token with nls.add_integration(user_id, access_token), and act for that user "
            "(SET nls.user_id) when not an administrator.",
        )
    try:
        client = open_client(store, user_id, settings)
    except (NotionError, crypto.TokenUnreadable, crypto.KeyError_) as e:
        raise NlsError(
            f"cannot list what the integration of user {user_id!r} sees: {e}",
            "55000",
            "Store the user's token with nls.add_integration(user_id, access_token).",
        ) from None
    try:
        return _discover(store, client, user_id, bool(add))
    except NotionError as e:
        raise NlsError(
            f"POST /v1/search for user {user_id!r} failed: {e.message} (HTTP {e.status})", e.sqlstate
        ) from None
    finally:
        client.close()


@entry_point
def create_typed_view(
    plpy: Plpy,
    GD: dict[Any, Any],
    database_id: str | None,
    view_name: str | None,
    schema_name: str | None,
    user_id: str | None,
) -> list[dict]:
    """``nls.create_typed_view(...)``: see :func:`nls_engine.typed_views.views.create`; one row per view."""
    store, _ = _open(plpy, GD)
    return [
        {
            "view": r["view"],
            "database_id": r["database_id"],
            "data_source_id": r["data_source_id"],
            "columns": r["columns"],
        }
        for r in typed_views.create(store, database_id, view_name, schema_name, user_id)
    ]


@entry_point
def typed_select(plpy: Plpy, GD: dict[Any, Any], source_id: int | None, data_source_id: str | None) -> dict:
    """``nls.typed_select(source_id, data_source_id)``: {"columns" (JSON text), "query"}."""
    store, _ = _open(plpy, GD)
    d = typed_views.definition(store, source_id, data_source_id)
    return {"columns": json.dumps(d["columns"]), "query": d["query"]}


@entry_point
def engine_status(plpy: Plpy, GD: dict[Any, Any]) -> str:
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
    return json.dumps(
        {
            "python": sys.version.split()[0],
            "requests": requests.__version__,
            "urllib3": urllib3.__version__,
            "cryptography": cryptography.__version__,
            "encryption_key": key,
            "anki": _anki_status(settings),
        }
    )


def _anki_status(settings: Settings) -> str:
    """Anki's library as the Anki sync would import it: its version, or what is missing and how to install it."""
    from .anki import collection as anki_collection

    try:
        return anki_collection.library(settings.anki_python_path)
    except anki_collection.AnkiUnavailable as e:
        return f"not importable: {e} -- {e.hint}"


@entry_point
def add_anki_account(
    plpy: Plpy,
    GD: dict[Any, Any],
    user_id: str | None,
    username: str | None,
    password: str | None,
    endpoint: str | None,
) -> int:
    """``nls.add_anki_account(...)``: store (or replace) a user's Anki credential, encrypted; returns the account
    id. The password is never echoed: not in the return value, an error, a NOTICE or a log. Needs no Anki library
    and no network (the first nls.anki_sync logs in)."""
    user_id = _given("add_anki_account", "user_id", user_id, "Any application id: a uuid or text.")
    store, settings = _open(plpy, GD)
    try:
        return anki_account.store_account(store, settings, user_id, username, password, endpoint)
    except crypto.KeyError_ as e:
        raise NlsError(f"cannot store the Anki credential of user {user_id!r}: {e}", e.sqlstate, e.hint) from None


@entry_point
def anki_sync(plpy: Plpy, GD: dict[Any, Any], user_id: str | None) -> str:
    """``nls.anki_sync(user_id)``: one Anki run of the user in the caller's transaction (see
    :mod:`nls_engine.anki.sync`); returns its JSON as text. The endpoint's failures are in the answer and
    nls.sync_log, never raised; a missing user_id or account is."""
    user_id = _given(
        "anki_sync",
        "user_id",
        user_id,
        "Name the user: nls.anki_sync(user_id => '...'); the view nls.anki_status lists the accounts.",
    )
    store, settings = _open(plpy, GD)
    try:
        return json.dumps(anki_flow.sync_user(store, settings, user_id))
    except LookupError:
        raise NlsError(
            f"user {user_id!r} has no Anki account this session can see (argument user_id)",
            "P0002",
            "Store it with nls.add_anki_account(user_id, username, password, endpoint => NULL), and act "
            "for that user (SET nls.user_id) when not an administrator.",
        ) from None


@entry_point
def webhook_receive(plpy: Plpy, GD: dict[Any, Any], path: str | None, body: bytes | None, signature: str | None) -> int:
    """``nls.webhook_receive(path, body, signature)``: the HTTP status a delivery is answered
    (:func:`nls_engine.webhooks.receive.receive`); what it lets in is stored. Never raises for what Notion (or anyone)
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


@entry_point
def webhook_apply(plpy: Plpy, GD: dict[Any, Any], path: str | None) -> str:
    """``nls.webhook_apply(path)`` (the receiver, once an event on ``path`` is stored): the waiting events of the
    path's user applied now, in the caller's transaction, as ``nls.apply_webhook_events(user_id)``; returns its JSON
    as text ({"success", "results"}: a result "skipped" when another run of that user's events holds them). An
    unknown path or a user with nothing waiting costs a statement or two and applies nothing."""
    if path is None:
        return json.dumps({"success": True, "results": []})
    store, settings = _open(plpy, GD)
    sub = store.webhook_subscription(path.rsplit("/", 1)[-1])
    if sub is None:
        return json.dumps({"success": True, "results": []})
    return json.dumps(schedule.apply_webhooks(store, settings, sub["user_id"]))


@entry_point
def webhook_verification_token(plpy: Plpy, GD: dict[Any, Any], user_id: str | None) -> str:
    """``nls.webhook_verification_token(user_id)``: the handshake's token, once."""
    user_id = _given("webhook_verification_token", "user_id", user_id, "webhook_verification_token(user_id text)")
    store, settings = _open(plpy, GD)
    try:
        return webhooks.shown_token(store, settings, user_id)
    except LookupError:
        raise NlsError(
            f"no verification token has come for user {user_id!r} (argument user_id)",
            "P0002",
            "Arm the path (nls.webhook_endpoint(user_id)), add it in Notion's webhook settings while it "
            "is armed, then call this again.",
        ) from None
    except PermissionError:
        raise NlsError(
            f"the verification token of user {user_id!r} was shown already",
            "55000",
            "It is shown once. To get a new one, arm the path again (nls.webhook_endpoint(user_id)) and "
            "have Notion send the handshake again (re-add the subscription).",
        ) from None
    except (crypto.KeyError_, crypto.TokenUnreadable) as e:
        raise NlsError(f"the verification token of user {user_id!r} cannot be read: {e}", e.sqlstate, e.hint) from None


@entry_point
def apply_webhook_events(plpy: Plpy, GD: dict[Any, Any], user_id: str | None) -> str:
    """``nls.apply_webhook_events(user_id)``: in the caller's transaction; returns its JSON as text. An empty
    user_id is refused (22023); NULL means every user the session sees."""
    _given(
        "apply_webhook_events",
        "user_id",
        user_id,
        "Name the user, or NULL for every user this session sees.",
        null=True,
    )
    store, settings = _open(plpy, GD)
    return json.dumps(schedule.apply_webhooks(store, settings, user_id))


@entry_point
def apply_all_webhook_events(plpy: Plpy, GD: dict[Any, Any]) -> None:
    """``CALL nls.apply_all_webhook_events()`` (pg_cron, every minute): first the delivery of nls's own events
    (:func:`schedule.deliver_events`, committing, while deliveries are out), then every user's waiting webhook
    events, committing. With nothing waiting it costs the statements that say so."""
    store = Store(Db(plpy, GD))
    schedule.deliver_events(store, plpy.commit, schedule.DELIVERY_BUDGET_S)  # nls's own events, with pg_net
    users = store.users_with_events()
    if not users:
        return
    settings = Settings.from_catalogue(store.settings_rows())
    result = schedule.apply_webhooks(store, settings, None, plpy.commit, users=users)
    failed = [r["user_id"] for r in result["results"] if r["status"] == "failed"]
    if failed:
        plpy.warning(
            f"nls: applying the webhook events of {len(failed)} user(s) failed; see SELECT * FROM "
            "nls.sync_log WHERE sync_type = 'notion_webhook' ORDER BY started_at DESC"
        )
