"""A user's Notion integration: its token (stored encrypted with the key ring, :mod:`nls_engine.crypto`), the
workspace it is in, the client that acts with it, and the user a session acts for.

The token is decrypted only into a :class:`NotionClient`; it is never returned, logged or put in an error.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from . import crypto
from .notion.client import NotionClient, NotionError, RetryPolicy
from .notion.pacing import Pacer
from .notion.waiting import Waiter
from .settings import Settings
from .store import Store


@contextmanager
def acting_for(store: Store, user_id: str) -> Iterator[None]:
    """``with acting_for(store, user_id):`` the statements inside act for ``user_id`` (the ``nls.user_id`` setting,
    which row-level security reads), so that a row written under another user fails; the setting is put back."""
    before = store.acting_user()
    store.act_as(user_id)
    try:
        yield
    finally:
        store.act_as(before)


UNPACED = 100000.0  # the rate given nls._take_budget for a scope its window budget paces instead


class Budget:
    """The request budget of a user's token and of its workspace, as every backend shares it. Each is first a
    window budget (``nls._take_window``: requests per ``rate_limit_window_s`` seconds, spent at any pace: in a burst;
    until one is learned from a 429, ``rate_limit_per_s`` (``workspace_rate_limit_per_s``) times the window); a scope
    whose 429s say its limit is a rate is paced instead, with the burst its first 429 showed. The pacing
    (``nls._take_budget``, ``nls._hold_budget``): ``rate_limit_per_s`` for the token, ``workspace_rate_limit_per_s``
    for the workspace (the workspaces not known yet share one until ``GET /v1/users/me`` says which),
    ``rate_limit_burst`` at once. With ``rate_limit_model`` ``rate`` only the pacing is used, from the first
    request on."""

    def __init__(self, store: Store, user_id: str, workspace_id: str | None, settings: Settings):
        self.store, self.user_id, self.workspace_id = store, user_id, workspace_id
        self.rate, self.workspace_rate = settings.rate_limit_per_s, settings.workspace_rate_limit_per_s
        self.burst, self.window_s = settings.rate_limit_burst, settings.rate_limit_window_s
        self.windows = settings.rate_limit_model == "window"
        self.known = {"token": 0, "workspace": 0}  # the window budgets last seen (0: paced, or not known)
        self.rate_burst = 0.0  # the burst the token's rate limit let through (0: not known)
        self.paced = {"token": True, "workspace": True}  # whether the scope was paced at its last request

    def take(self) -> tuple[float, bool]:
        """One request: (seconds to wait before sending it, reserved); not reserved: wait, then ask again. The
        token's window first, then the workspace's, then the pacing of the scopes whose limit is a rate."""
        rates = {"token": self.rate, "workspace": self.workspace_rate}
        for scope, key in (("token", self.user_id), ("workspace", self.workspace_id)):
            if key is None or not self.windows:
                continue
            wait, budget, paced = self.store.take_window(scope, key, self.window_s, int(rates[scope] * self.window_s))
            self.known[scope], self.paced[scope] = (0 if paced else budget), paced
            if wait > 0:
                return wait, False
            if not paced:
                rates[scope] = UNPACED
            elif budget and scope == "token":  # a rate limit's burst, as its first 429 showed it
                self.rate_burst = budget
        return self.store.take_budget(
            self.user_id, self.workspace_id, rates["token"], rates["workspace"], self._burst()
        )

    def _burst(self) -> float:
        """The burst the pacing allows (less one kept for the network's jitter): rate_limit_burst, or the one the
        token's rate limit showed and one more."""
        return max(self.burst, self.rate_burst + 1.0) if self.rate_burst else self.burst

    def hold(self, scope: str, seconds: float) -> bool:
        """Hold back every backend of the token (scope "token") or workspace ("workspace") for ``seconds`` (a 429's
        Retry-After), learning its window budget or that it is a rate (:meth:`Store.learn_window`). False when the
        budget could not note it."""
        key = self.workspace_id if scope == "workspace" else self.user_id
        if key is not None and self.windows:
            learned = self.store.learn_window(scope, key, seconds, self.window_s)
            self.known[scope], self.paced[scope] = max(learned, 0), learned < 0
            if scope == "token" and learned < 0:  # a rate limit, and the burst it let through
                self.rate_burst = -learned
        # held as the next request takes it (its rate and burst), else the pacing would spend the hold at once
        rate = {"token": self.rate, "workspace": self.workspace_rate}[scope]
        rate = rate if self.paced[scope] or not self.windows else UNPACED
        if scope == "workspace":
            return self.store.hold_budget("workspace", self.workspace_id, seconds, rate, self._burst())
        return self.store.hold_budget("token", self.user_id, seconds, rate, self._burst())

    def in_workspace(self, workspace_id: str) -> None:
        """The token turned out to be in ``workspace_id``: its requests count in that workspace's budget."""
        self.workspace_id = workspace_id


def open_client(store: Store, user_id: str, settings: Settings) -> NotionClient:
    """A Notion client for ``user_id``'s integration, paced in the budget of the token and its workspace that every
    backend shares (:class:`Budget`), with the run's deadline (``run_deadline_s`` from now),
    waiting in slices that let PostgreSQL act on a cancel or terminate. Reads the integration under the session's
    row-level security. Sends nothing (see :func:`note_workspace`). ``client.workspace`` holds {"id": the
    workspace id or None}. Raises NotionError (status 0 ``no_integration``; 401 when the integration is not
    active), crypto.KeyError_ or crypto.TokenUnreadable."""
    row = store.integration(user_id)
    if row is None:
        raise NotionError(0, "no_integration", f"user {user_id!r} has no integration")
    if row["status"] != "active":
        raise NotionError(
            401,
            f"integration_{row['status']}",
            f"the integration of user {user_id!r} is {row['status']}; store a new token with nls.add_integration()",
        )
    ring = crypto.load_ring(settings.encryption_key_file)
    token = crypto.decrypt(ring, row["key_version"], user_id, row["token_nonce"], row["token_ciphertext"])
    waiter = Waiter(store.check_interrupts, sleep=store.db.sleep, join=store.db.join)
    budget = Budget(store, user_id, row["workspace_id"], settings)
    client = NotionClient(
        token,
        settings.api_base_url,
        settings.notion_version,
        timeouts=(settings.connect_timeout_s, settings.read_timeout_s),
        policy=RetryPolicy(settings.max_attempts, settings.backoff_base_s, settings.retry_after_cap_s),
        deadline=time.monotonic() + settings.run_deadline_s,
        pacer=Pacer(budget, sleep=waiter.sleep),
        waiter=waiter,
    )
    client.workspace = {"id": row["workspace_id"]}
    client.bot_id = row.get("bot_id")  # the integration's bot user: the author of nls's own writes
    client.budget = budget
    return client


def note_workspace(store: Store, user_id: str, client: NotionClient) -> None:
    """The first time a token is used, ask ``GET /v1/users/me`` which workspace it is in and note it with the bot
    user's id (nls.integration_notes, folded into nls.integrations as the transaction commits): users of one
    workspace share its request budget."""
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


def store_token(
    store: Store,
    settings: Settings,
    user_id: str,
    access_token: str,
    workspace_id: str | None = None,
    workspace_name: str | None = None,
    workspace_icon: str | None = None,
    bot_id: str | None = None,
) -> int:
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
            token = crypto.decrypt(
                ring, row["key_version"], row["user_id"], row["token_nonce"], row["token_ciphertext"]
            )
        except crypto.TokenUnreadable:
            unreadable.append(row["user_id"])
            continue
        version, nonce, ciphertext = crypto.encrypt(ring, row["user_id"], token)
        store.replace_token(row["user_id"], version, nonce, ciphertext)
        rotated += 1
    current = store.tokens_at(newest)
    return {"key_version": newest, "rotated": rotated, "already_current": current - rotated, "unreadable": unreadable}
