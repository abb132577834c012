"""Notion access tokens encrypted at rest: AES-256-GCM (the ``cryptography`` package), a fresh 96-bit nonce
per encryption, the owner's ``user_id`` bound as associated data (seed 004, hardened).

The key reaches the server's Python from its environment (``NLS_ENCRYPTION_KEY``) or from the file named by
the ``encryption_key_file`` setting; never from a table, a SQL literal or a GUC. A key is 32 bytes, written as
64 hex digits or base64.
"""
from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_ENV = "NLS_ENCRYPTION_KEY"
KEY_VERSION = 1


class KeyError_(Exception):
    """The encryption key is missing or malformed. ``hint`` says how to provide it."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


class TokenUnreadable(Exception):
    """A stored token does not decrypt with this key and owner (wrong key, tampered or moved ciphertext)."""


_HINT = ("Set NLS_ENCRYPTION_KEY (64 hex digits or base64 of 32 random bytes, e.g. from `openssl rand -hex 32`) in "
         "the PostgreSQL server's environment (systemd unit or pg_ctl's environment) and restart it, or put the key "
         "in a file readable only by the server's OS user and run: SELECT nls.set_setting('encryption_key_file', "
         "'/path/to/key')")


def parse_key(raw: str) -> bytes:
    raw = raw.strip()
    try:
        key = bytes.fromhex(raw) if len(raw) == 64 else base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_"
                                                                           if ("-" in raw or "_" in raw) else None)
    except (ValueError, binascii.Error):
        raise KeyError_("the nls encryption key is neither 64 hex digits nor base64", _HINT)
    if len(key) != 32:
        raise KeyError_(f"the nls encryption key is {len(key)} bytes long; AES-256 needs 32", _HINT)
    return key


def load_key(key_file: str | None) -> bytes:
    """The key from $NLS_ENCRYPTION_KEY, else from ``key_file``. Raises KeyError_ with a hint when absent."""
    raw = os.environ.get(KEY_ENV)
    if raw:
        return parse_key(raw)
    if key_file:
        try:
            with open(key_file) as fh:
                return parse_key(fh.read())
        except OSError as e:
            raise KeyError_(f"the nls key file {key_file} cannot be read by the server: {e.strerror}", _HINT)
    raise KeyError_("no nls encryption key: NLS_ENCRYPTION_KEY is not in the server's environment and the "
                    "setting encryption_key_file is empty", _HINT)


def encrypt(key: bytes, user_id: str, token: str) -> tuple[bytes, bytes]:
    """Encrypt ``token`` for ``user_id``: returns (nonce, ciphertext with tag)."""
    nonce = os.urandom(12)
    return nonce, AESGCM(key).encrypt(nonce, token.encode(), user_id.encode())


def decrypt(key: bytes, user_id: str, nonce: bytes, ciphertext: bytes) -> str:
    """Decrypt a token stored for ``user_id``. Raises TokenUnreadable when the key, owner or bytes differ."""
    try:
        return AESGCM(key).decrypt(bytes(nonce), bytes(ciphertext), user_id.encode()).decode()
    except (InvalidTag, ValueError):
        raise TokenUnreadable(f"the stored Notion token of user {user_id!r} does not decrypt with this key "
                              "(wrong key, or the ciphertext was changed or belongs to another user)") from None
