"""What a delivery of Notion's webhooks is let in as (its events are applied by
:mod:`nls_engine.webhooks.events`).

Receiving (``nls.webhook_receive(path, body, signature)``, called by ``nls webhooks serve`` for every POST): the
verification happens here, inside PostgreSQL, because the verification token is a secret kept encrypted with the key
ring, which only the server holds; the receiver holds no secret and may run only that one function (role
``nls_webhook``). A body over ``webhook_max_body_bytes`` is refused (413) before anything is read; an unknown path
answers 404; Notion's handshake (an unsigned ``{"verification_token": ...}``) is taken only while the path is armed
(``nls.webhook_endpoint``, for ``webhook_handshake_window_s``), else 401; every other delivery must carry
``X-Notion-Signature: sha256=<HMAC-SHA256 of the raw body keyed by the token>``, compared in constant time over the
bytes exactly as they arrived (401 otherwise), and name the subscription the first signed delivery named. A verified
event is stored once per event id (a retry only counts a delivery) and answered 200 at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from .. import crypto
from ..settings import Settings
from ..store import Store

CONTEXT = "webhook"  # bound into the token's ciphertext beside the owner


def signature_ok(token: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is ``sha256=<hex HMAC-SHA256 of body keyed by token>``, compared in constant time."""
    if not header or not token:
        return False
    expected = "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode("ascii", "replace"))


def handshake_token(body: bytes) -> str | None:
    """The verification token of a handshake body (``{"verification_token": "..."}`` and nothing that makes it an
    event), or None."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    token = data.get("verification_token") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token and "type" not in data else None


def receive(store: Store, settings: Settings, path: str, body: bytes, signature: str | None) -> int:
    """What a delivery to ``path`` is answered (HTTP status), storing what is let in: 413 too large, 404 unknown
    path, 200 a handshake taken or a verified event stored (or a retry of one), 401 anything else, 400 a verified
    body that is no event. A 401 or 400 is counted on its subscription (``webhook_status.refused``); a 413 or 404 is
    not (no subscription was looked up). The store acts with the rights of ``nls.webhook_receive`` (its owner's)."""
    if len(body) > settings.webhook_max_body_bytes:
        return 413
    sub = store.webhook_subscription(path)
    if sub is None:
        return 404
    if not signature:
        token = handshake_token(body)
        if token is None or not sub["armed"]:
            store.webhook_refused(path)
            return 401
        ring = crypto.load_ring(settings.encryption_key_file)
        store.save_webhook_token(path, *crypto.encrypt(ring, sub["user_id"], token, CONTEXT))
        return 200
    if sub["token_ciphertext"] is None or not signature_ok(_token(settings, sub), body, signature):
        store.webhook_refused(path)
        return 401
    event = _event(body)
    if event is None:
        store.webhook_refused(path)
        return 400
    if sub["subscription_id"] not in (None, event.get("subscription_id")):
        store.webhook_refused(path)
        return 401
    store.save_webhook_event(path, event)
    return 200


def _token(settings: Settings, sub: dict) -> str:
    ring = crypto.load_ring(settings.encryption_key_file)
    return crypto.decrypt(
        ring, sub["key_version"], sub["user_id"], sub["token_nonce"], sub["token_ciphertext"], CONTEXT
    )


def _event(body: bytes) -> dict | None:
    """The event a verified body holds (``id`` and ``type`` at least), or None."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        return None
    return data


def shown_token(store: Store, settings: Settings, user_id: str) -> str:
    """``nls.webhook_verification_token(user_id)``: the token Notion's handshake brought, decrypted, once. Raises
    LookupError (no handshake yet) or PermissionError (already shown)."""
    sub = store.webhook_subscription(user_id=user_id)
    if sub is None or sub["token_ciphertext"] is None:
        raise LookupError(user_id)
    if sub["token_shown_at"] is not None:
        raise PermissionError(user_id)
    store.webhook_token_shown(user_id)
    return _token(settings, sub)
