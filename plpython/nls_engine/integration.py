"""A user's Notion integration: its token (stored encrypted with the key ring, seed 004), the workspace it is in, the
client that acts with it, and the user a session acts for.

The token is decrypted only into a :class:`NotionClient`; it is never returned, logged or put in an error.
"""
from __future__ import annotations

import time
from contextlib import contextmanager

from . import crypto
from .client import NotionClient, NotionError, RetryPolicy
from .pacing import Pacer
from .settings import Settings
from .store import Store
from .waiting import Waiter

# one pacer per user and backend, kept between sources and calls: a new client does not start a new burst
_PACERS: dict[str, Pacer] = {}


@contextmanager
def acting_for(store: Store, user_id: str):
    """``with acting_for(store, user_id):`` the statements inside act for ``user_id`` (the ``nls.user_id`` setting,
    which row-level security reads), so that a row written under another user fails; the setting is put back."""
    before = store.acting_user()
    store.act_as(user_id)
    try:
        yield
    finally:
        store.act_as(before)


class Budget:
    """This backend's place in the request budget of a token (the user's integration) and of its workspace: held
    from :func:`open_client` to the client's close (``nls._budget_member``), so that every backend counts it."""

    def __init__(self, store: Store, user_id: str, workspace_id: str | None):
        self.store, self.user_id, self.workspace_id = store, user_id, workspace_id
        store.budget_member(user_id, workspace_id, True)

    def share(self) -> tuple[int, int, bool]:
        """(token_share, workspace_share, held): see :meth:`Store.sync_share`."""
        return self.store.sync_share(self.user_id, self.workspace_id)

    def in_workspace(self, workspace_id: str) -> None:
        """The token turned out to be in ``workspace_id``: count this backend in that workspace's budget too."""
        if self.workspace_id is None:
            self.store.budget_member(None, workspace_id, True)
            self.workspace_id = workspace_id

    def take(self, scope: str) -> bool:
        """Hold back every backend of the token (scope "token") or workspace ("workspace") while a 429 lasts."""
        return self.store.hold_budget(*self._key(scope))

    def release(self, scope: str) -> None:
        self.store.release_budget(*self._key(scope))

    def leave(self) -> None:
        self.store.budget_member(self.user_id, self.workspace_id, False)

    def _key(self, scope: str) -> tuple[str, str]:
        if scope == "workspace" and self.workspace_id:
            return "workspace", self.workspace_id
        return "token", self.user_id


def open_client(store: Store, user_id: str, settings: Settings) -> NotionClient:
    """A Notion client for ``user_id``'s integration, paced to this backend's share of the token's and workspace's
    budget (:class:`Budget`, held until ``client.close()``), with the run's deadline (``run_deadline_s`` from now),
    waiting in slices that let PostgreSQL act on a cancel or terminate. Reads the integration under the session's
    row-level security. Sends nothing (see :func:`note_workspace`). ``client.workspace`` holds {"id": the
    workspace id or None}. Raises NotionError (status 0 ``no_integration``; 401 when the integration is not
    active), crypto.KeyError_ or crypto.TokenUnreadable."""
    row = store.integration(user_id)
    if row is None:
        raise NotionError(0, "no_integration", f"user {user_id!r} has no integration")
    if row["status"] != "active":
        raise NotionError(401, f"integration_{row['status']}", f"the integration of user {user_id!r} is "
                          f"{row['status']}; store a new token with nls.add_integration()")
    ring = crypto.load_ring(settings.encryption_key_file)
    token = crypto.decrypt(ring, row["key_version"], user_id, row["token_nonce"], row["token_ciphertext"])
    waiter = Waiter(store.check_interrupts, sleep=store.db.sleep, join=store.db.join)
    pacer = _PACERS.setdefault(user_id, Pacer(lambda: (1, 1, False), 1.0, 1.0, 1.0))
    client = NotionClient(
        token, settings.api_base_url, settings.notion_version,
        timeouts=(settings.connect_timeout_s, settings.read_timeout_s),
        policy=RetryPolicy(settings.max_attempts, settings.backoff_base_s, settings.retry_after_cap_s),
        deadline=time.monotonic() + settings.run_deadline_s, pacer=pacer, waiter=waiter)
    client.workspace = {"id": row["workspace_id"]}
    client.bot_id = row.get("bot_id")   # the integration's bot user: the author of nls's own writes
    budget = client.budget = Budget(store, user_id, row["workspace_id"])
    client.closers.append(budget.leave)
    pacer.configure(budget.share, settings.rate_limit_per_s, settings.workspace_rate_limit_per_s,
                    settings.rate_limit_burst, sleep=waiter.sleep, holds=budget)
    return client


def note_workspace(store: Store, user_id: str, client: NotionClient) -> None:
    """The first time a token is used, ask ``GET /v1/users/me`` which workspace it is in and keep it
    (nls.integrations.workspace_id, nls.active_syncs): users of one workspace share its request budget."""
    if client.workspace["id"] is not None:
        return
    me = client.users_me()
    bot = me.get("bot") or {}
    if me.get("id") and not client.bot_id:
        client.bot_id = me["id"]
        store.save_bot_id(user_id, me["id"])
    if bot.get("workspace_id"):
        client.workspace["id"] = bot["workspace_id"]
        store.save_workspace(user_id, bot["workspace_id"], bot.get("workspace_name"))
        client.budget.in_workspace(bot["workspace_id"])
        client.pacer.next_refresh = 0.0


def store_token(store: Store, settings: Settings, user_id: str, access_token: str, workspace_id=None,
                workspace_name=None, workspace_icon=None, bot_id=None) -> int:
    """``nls.add_integration``: encrypt ``access_token`` for ``user_id`` with the ring's newest key and store it
    (replacing any token the user had; the integration becomes active). Returns the integration id. Raises
    crypto.KeyError_ when no key is set."""
    ring = crypto.load_ring(settings.encryption_key_file)
    version, nonce, ciphertext = crypto.encrypt(ring, user_id, access_token.strip())
    return store.save_token(user_id, version, nonce, ciphertext, workspace_id, workspace_name, workspace_icon, bot_id)


def rotate_keys(store: Store, settings: Settings) -> dict:
    """``nls.rotate_encryption_key``: re-encrypt every token not under the ring's newest key (fresh nonce, owner
    still bound). Returns {"key_version", "rotated", "already_current", "unreadable": [user ids]}; an unreadable
    token is left as it is (never re-encrypted from a guess). Raises crypto.KeyError_ when no key is set."""
    ring = crypto.load_ring(settings.encryption_key_file)
    newest = max(ring)
    rotated, unreadable = 0, []
    for row in store.tokens_to_rotate(newest):
        try:
            token = crypto.decrypt(ring, row["key_version"], row["user_id"], row["token_nonce"],
                                   row["token_ciphertext"])
        except crypto.TokenUnreadable:
            unreadable.append(row["user_id"])
            continue
        version, nonce, ciphertext = crypto.encrypt(ring, row["user_id"], token)
        store.replace_token(row["user_id"], version, nonce, ciphertext)
        rotated += 1
    current = store.tokens_at(newest)
    return {"key_version": newest, "rotated": rotated, "already_current": current - rotated,
            "unreadable": unreadable}
