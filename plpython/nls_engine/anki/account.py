"""A user's Anki account, kept like a Notion token: the credential encrypted with the same key ring
(:mod:`nls_engine.crypto`; the owner and ``anki`` bound as associated data), never returned, logged or put in an error.

``nls.add_anki_account`` stores {"username", "password"} (``credential_kind`` password). The first exchange logs in
and keeps {"username", "hkey", "endpoint"} instead (``session_key``): the password is dropped, as Anki's own
clients do. A refused login or session key marks the account ``needs_reauth`` until add_anki_account runs again.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from .. import crypto
from ..errors import NlsError
from ..settings import Settings
from ..store import Store

CONTEXT = "anki"


class AccountError(NlsError):
    """Bad input to add_anki_account: ``argument`` names it (the message ends with it), ``sqlstate`` is 22023 or
    22004, ``hint`` says what is allowed."""

    def __init__(self, argument: str, message: str, hint: str, sqlstate: str = "22023"):
        super().__init__(f"{message} (argument {argument})", sqlstate, hint)
        self.argument = argument


def check_endpoint(endpoint: str | None) -> str | None:
    """The endpoint as stored: None (AnkiWeb) or an http(s) URL without credentials, ending in ``/``. Raises
    AccountError (22023) for anything else."""
    if endpoint is None or not endpoint.strip():
        return None
    url = endpoint.strip()
    parts = urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username
        or parts.password
        or parts.query
        or parts.fragment
    ):
        raise AccountError(
            "endpoint",
            f"nls: add_anki_account got endpoint {url!r}, which is not a sync server URL",
            "Give the URL of an Anki sync server (http:// or https://host[:port]/[path], no user, "
            "password, query or fragment), or NULL for AnkiWeb.",
        )
    return url if url.endswith("/") else url + "/"


def check_login(username: str | None, password: str | None) -> tuple[str, str]:
    """Returns (username, password). Raises AccountError (22004 for NULL, 22023 for empty) naming the argument."""
    for name, value in (("username", username), ("password", password)):
        if value is None:
            raise AccountError(
                name,
                f"nls: add_anki_account needs a {name}, not NULL",
                "Pass the learner's AnkiWeb (or sync server) username and password, as bound parameters.",
                "22004",
            )
        if not value.strip():
            raise AccountError(
                name,
                f"nls: add_anki_account got an empty {name}",
                "Pass the learner's AnkiWeb (or sync server) username and password.",
            )
    assert username is not None and password is not None  # the loop above refused None
    return username, password


def _seal(settings: Settings, user_id: str, secret: dict) -> tuple[int, bytes, bytes]:
    ring = crypto.load_ring(settings.encryption_key_file)
    return crypto.encrypt(ring, user_id, json.dumps(secret), CONTEXT)


def credential(settings: Settings, user_id: str, row: dict) -> dict:
    """The decrypted credential of an account row: {"username", "password"} or {"username", "hkey", "endpoint"}.
    Raises crypto.KeyError_ or crypto.TokenUnreadable."""
    ring = crypto.load_ring(settings.encryption_key_file)
    return json.loads(
        crypto.decrypt(
            ring, row["key_version"], user_id, row["credential_nonce"], row["credential_ciphertext"], CONTEXT
        )
    )


def store_account(
    store: Store, settings: Settings, user_id: str, username: str | None, password: str | None, endpoint: str | None
) -> int:
    """``nls.add_anki_account``: check the arguments, encrypt {"username", "password"} and store it (the account
    becomes active). Storing again for the same username and endpoint keeps the collection nls holds (a new
    password after needs_reauth); another username or endpoint is another collection, so the one kept goes.
    Returns the account id. Raises AccountError, crypto.KeyError_."""
    username, password = check_login(username, password)
    endpoint = check_endpoint(endpoint)
    username = username.strip()
    before = store.anki_account(user_id)
    same = False
    if before is not None and before["endpoint"] == endpoint:
        try:
            same = credential(settings, user_id, before).get("username") == username
        except crypto.TokenUnreadable:
            same = False
    version, nonce, ciphertext = _seal(settings, user_id, {"username": username, "password": password})
    return store.save_anki_account(
        user_id, endpoint, "password", version, nonce, ciphertext, forget_collection=before is not None and not same
    )


def keep_session(store: Store, settings: Settings, user_id: str, username: str, session: dict) -> None:
    """After a login: keep the session key (and the endpoint the server named) encrypted; the password goes."""
    version, nonce, ciphertext = _seal(settings, user_id, {"username": username, **session})
    store.replace_anki_credential(user_id, "session_key", version, nonce, ciphertext)


def rotate(store: Store, settings: Settings) -> dict:
    """Re-encrypt every Anki credential not under the ring's newest key (``nls.rotate_encryption_key``).
    Returns {"rotated", "unreadable": [user ids]}."""
    ring = crypto.load_ring(settings.encryption_key_file)
    rotated, unreadable = 0, []
    for row in store.anki_credentials_to_rotate(max(ring)):
        try:
            secret = credential(settings, row["user_id"], row)
        except crypto.TokenUnreadable:
            unreadable.append(row["user_id"])
            continue
        version, nonce, ciphertext = _seal(settings, row["user_id"], secret)
        store.replace_anki_credential(row["user_id"], row["credential_kind"], version, nonce, ciphertext)
        rotated += 1
    return {"rotated": rotated, "unreadable": unreadable}
