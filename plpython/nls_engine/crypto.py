"""Notion access tokens encrypted at rest: AES-256-GCM (the ``cryptography`` package), a fresh 96-bit nonce
per encryption, the owner's ``user_id`` bound as associated data.

The keys reach the server's Python from the file named by the ``encryption_key_file`` setting when it is set, else
from the server's environment (``NLS_ENCRYPTION_KEY``); never from a table, a SQL literal or a GUC. Either holds
a key ring: one or more entries ``<version>:<key>`` separated by commas, spaces or new lines (a bare key is
version 1); a key is 32 bytes, written as 64 hex digits or base64. The highest version encrypts; every version in
the ring decrypts the tokens stored under it (``nls.integrations.key_version``). Rotation: add a higher version,
run ``SELECT nls.rotate_encryption_key()``, then drop the old entry.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import NlsError

KEY_ENV = "NLS_ENCRYPTION_KEY"


class KeyError_(NlsError):
    """The encryption key is missing or malformed (SQLSTATE 55000). ``hint`` says how to provide it."""

    sqlstate = "55000"

    def __init__(self, message: str, hint: str):
        super().__init__(message, hint=hint)


class TokenUnreadable(NlsError):
    """A stored token does not decrypt with this key and owner (wrong key, tampered or moved ciphertext): SQLSTATE
    55000."""

    sqlstate = "55000"
    hint = "Keep the key it was stored under in the key ring, or store the token again (nls.add_integration)."


_HINT = (
    "Set NLS_ENCRYPTION_KEY (64 hex digits or base64 of 32 random bytes, e.g. from `openssl rand -hex 32`; "
    "several versions as '2:<key>,1:<key>') in the PostgreSQL server's environment (systemd unit or pg_ctl's "
    "environment) and restart it, or put the key ring in a file readable only by the server's OS user and "
    "run: SELECT nls.set_setting('encryption_key_file', '/path/to/key')"
)


def parse_key(raw: str) -> bytes:
    raw = raw.strip()
    try:
        key = (
            bytes.fromhex(raw)
            if len(raw) == 64
            else base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_" if ("-" in raw or "_" in raw) else None)
        )
    except (ValueError, binascii.Error):
        raise KeyError_("the nls encryption key is neither 64 hex digits nor base64", _HINT) from None
    if len(key) != 32:
        raise KeyError_(f"the nls encryption key is {len(key)} bytes long; AES-256 needs 32", _HINT)
    return key


def parse_ring(raw: str) -> dict[int, bytes]:
    """A key ring ``"2:<key>,1:<key>"`` (or one bare key, version 1) as {version: 32-byte key}. Raises KeyError_."""
    ring: dict[int, bytes] = {}
    for entry in raw.replace(",", " ").split():
        version, sep, key = entry.partition(":")
        if not sep:
            version, key = "1", entry
        if not version.isdigit() or int(version) < 1:
            raise KeyError_(f"nls key ring entry version {version!r} is not a whole number of at least 1", _HINT)
        if int(version) in ring:
            raise KeyError_(f"nls key ring holds version {version} twice", _HINT)
        ring[int(version)] = parse_key(key)
    if not ring:
        raise KeyError_("the nls key ring is empty", _HINT)
    return ring


def load_ring(key_file: str | None) -> dict[int, bytes]:
    """The key ring from the file named by the ``encryption_key_file`` setting when it is set (read on each call,
    so that a rotation needs no restart), else from $NLS_ENCRYPTION_KEY. Raises KeyError_ with a hint when
    neither holds a key or the ring is malformed."""
    if key_file:
        try:
            with open(key_file) as fh:
                return parse_ring(fh.read())
        except OSError as e:
            raise KeyError_(f"the nls key file {key_file} cannot be read by the server: {e.strerror}", _HINT) from None
    raw = os.environ.get(KEY_ENV)
    if raw:
        return parse_ring(raw)
    raise KeyError_(
        "no nls encryption key: NLS_ENCRYPTION_KEY is not in the server's environment and the "
        "setting encryption_key_file is empty",
        _HINT,
    )


def _owner(user_id: str, context: str) -> bytes:
    """The associated data: the owner's user_id, and for a secret other than a Notion token what it is
    (``anki``), so that a ciphertext moved to another user or another kind of secret does not decrypt."""
    return user_id.encode() + (b"\x1f" + context.encode() if context else b"")


def encrypt(ring: dict[int, bytes], user_id: str, token: str, context: str = "") -> tuple[int, bytes, bytes]:
    """Encrypt ``token`` for ``user_id`` (and ``context``: '' for a Notion token, ``anki`` for an Anki credential)
    with the ring's newest key: returns (key version, nonce, ciphertext+tag)."""
    version = max(ring)
    nonce = os.urandom(12)
    return version, nonce, AESGCM(ring[version]).encrypt(nonce, token.encode(), _owner(user_id, context))


def decrypt(
    ring: dict[int, bytes], version: int, user_id: str, nonce: bytes, ciphertext: bytes, context: str = ""
) -> str:
    """Decrypt a token stored for ``user_id`` (and ``context``, as :func:`encrypt` took it) under key ``version``.
    Raises TokenUnreadable when that version is not in the ring, or when the key, owner, context or bytes differ
    (AES-GCM's tag does not verify)."""
    what, again = (
        ("Anki credential", "nls.add_anki_account()")
        if context == "anki"
        else ("Notion token", "nls.add_integration()")
    )
    key = ring.get(version)
    if key is None:
        raise TokenUnreadable(
            f"the stored {what} of user {user_id!r} was encrypted with key version "
            f"{version}, which is not in the key ring (versions {sorted(ring)}); put it back or "
            f"store it again with {again}"
        )
    try:
        return AESGCM(key).decrypt(bytes(nonce), bytes(ciphertext), _owner(user_id, context)).decode()
    except (InvalidTag, ValueError):
        raise TokenUnreadable(
            f"the stored {what} of user {user_id!r} does not decrypt with key version "
            f"{version} (wrong key, or the ciphertext was changed or belongs to another user)"
        ) from None
