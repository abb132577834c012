"""Every statement ``nls webhooks serve`` runs against PostgreSQL, in one place. The receiver runs one: it hands each
POST as it arrived to ``nls.webhook_receive``, which verifies it inside the server and answers the status."""

from __future__ import annotations

# path (text), the raw body (bytea), the X-Notion-Signature header (text or NULL) -> the HTTP status (int)
RECEIVE = "SELECT nls.webhook_receive(%s, %s, %s)"
# path (text) -> what applying the path's user's stored events did (jsonb: {"success", "results": [{"status"}...]})
APPLY = "SELECT nls.webhook_apply(%s)"
# what the role the receiver connects as may do: it must be able to run RECEIVE
CAN_RECEIVE = "SELECT has_function_privilege('nls.webhook_receive(text, bytea, text)', 'EXECUTE')"
