"""Webhooks' statements (``sql/85_webhooks.sql``): the subscriptions and their tokens, the events stored once and
applied, where their pages and data sources are stored."""

from __future__ import annotations

import json

from .base import Statements


class WebhookStatements(Statements):
    """The statements of Notion's webhooks: receiving deliveries, applying events."""

    def webhook_subscription(self, path: str | None = None, user_id: str | None = None) -> dict | None:
        """The subscription served on ``path`` (as nls.webhook_receive, its owner, sees it), or the one of
        ``user_id`` (as this session sees it): {user_id, armed, token_ciphertext, token_nonce, key_version,
        subscription_id, token_shown_at}; None when there is none."""
        return self._one(
            "SELECT user_id, armed_until > now() AS armed, token_ciphertext, token_nonce, key_version, "
            "subscription_id, token_shown_at FROM nls.webhook_subscriptions "
            "WHERE path = $1 OR user_id = $2",
            ["text", "text"],
            [path, user_id],
        )

    def webhook_refused(self, path: str) -> None:
        """Count a delivery refused on ``path`` (nothing of it is stored)."""
        self.db.execute("UPDATE nls.webhook_subscriptions SET refused = refused + 1 WHERE path = $1", ["text"], [path])

    def save_webhook_token(self, path: str, key_version: int, nonce: bytes, ciphertext: bytes) -> None:
        """Keep the verification token Notion's handshake brought (encrypted); the path is disarmed, the token is
        to be shown once and confirmed in Notion, and the next signed delivery names the subscription."""
        self.db.execute(
            "UPDATE nls.webhook_subscriptions SET token_ciphertext = $2, token_nonce = $3, "
            "key_version = $4, armed_until = NULL, verified_at = NULL, token_shown_at = NULL, "
            "subscription_id = NULL WHERE path = $1",
            ["text", "bytea", "bytea", "int"],
            [path, ciphertext, nonce, key_version],
        )

    def webhook_token_shown(self, user_id: str) -> None:
        self.db.execute(
            "UPDATE nls.webhook_subscriptions SET token_shown_at = now() WHERE user_id = $1", ["text"], [user_id]
        )

    def save_webhook_event(self, path: str, event: dict) -> None:
        """Store a verified event once per event id (``nls._save_webhook_event``)."""
        self.db.execute(
            "SELECT nls._save_webhook_event($1, $2)", ["text", "jsonb"], [path, json.dumps(event, ensure_ascii=False)]
        )

    def pending_events(self, user_id: str, limit: int) -> list[dict]:
        """Up to ``limit`` of the user's events not applied yet, oldest first, locked (another run skips them):
        {event_id, event_type, entity_id, entity_type, payload}."""
        rows = self._rows(
            "SELECT event_id, event_type, entity_id, entity_type, payload::text AS payload "
            "FROM nls.webhook_events WHERE user_id = $1 AND applied_at IS NULL "
            "ORDER BY received_at, event_id LIMIT $2 FOR UPDATE SKIP LOCKED",
            ["text", "int"],
            [user_id, limit],
        )
        return [{**r, "payload": json.loads(r["payload"])} for r in rows]

    def events_applied(self, user_id: str, outcomes: list[dict], log_id: str | None) -> None:
        """Mark events applied with their outcome ([{event_id, outcome}]) and the run that applied them."""
        self.db.execute(
            "UPDATE nls.webhook_events e SET applied_at = now(), outcome = o.outcome, sync_log_id = $3 "
            "FROM jsonb_to_recordset($2) AS o(event_id text, outcome text) "
            "WHERE e.user_id = $1 AND e.event_id = o.event_id",
            ["text", "jsonb", "uuid"],
            [user_id, json.dumps(outcomes), log_id],
        )

    def users_with_events(self) -> list[str]:
        """Every user with webhook events waiting (``nls._webhook_users``: the scheduled job sees every user)."""
        return [r["u"] for r in self._rows("SELECT nls._webhook_users() AS u")]

    def pending_count(self, user_id: str) -> int:
        """How many of the user's webhook events this session sees waiting."""
        return self._row(
            "SELECT count(*) AS n FROM nls.webhook_events WHERE user_id = $1 AND applied_at IS NULL",
            ["text"],
            [user_id],
        )["n"]

    def pending_users(self) -> list[str]:
        """The users whose waiting webhook events this session sees (row-level security)."""
        return [
            r["user_id"]
            for r in self._rows("SELECT DISTINCT user_id FROM nls.webhook_events WHERE applied_at IS NULL ORDER BY 1")
        ]

    def locate_pages(self, user_id: str, page_ids: list[str]) -> dict[str, dict]:
        """{page id: {source_id, data_source_id}} of the user's stored pages among ``page_ids`` (of an enabled
        source; when several store one page, a live copy before one marked gone (a page that moved), then the first
        source by id)."""
        return {
            r["page_id"]: r
            for r in self._rows(
                "SELECT DISTINCT ON (p.page_id) p.page_id, p.source_id, p.data_source_id FROM nls.stg_notion_pages p "
                "JOIN nls.sources s ON s.id = p.source_id AND s.enabled WHERE p.user_id = $1 AND p.page_id = ANY ($2) "
                "ORDER BY p.page_id, p.deleted_at IS NOT NULL, p.source_id",
                ["text", "text[]"],
                [user_id, page_ids],
            )
        }

    def locate_data_sources(self, user_id: str, ds_ids: list[str]) -> dict[str, dict]:
        """{data source id: {source_id, data_source_id}} of the data sources among ``ds_ids`` that the user's
        enabled sources read."""
        return {
            r["data_source_id"]: r
            for r in self._rows(
                "SELECT DISTINCT ON (st.data_source_id) st.data_source_id, st.source_id FROM nls.sync_state st "
                "JOIN nls.sources s ON s.id = st.source_id AND s.enabled AND s.user_id = $1 "
                "WHERE st.data_source_id = ANY ($2) AND st.listed ORDER BY st.data_source_id, st.source_id",
                ["text", "text[]"],
                [user_id, ds_ids],
            )
        }

    def forget_listing(self, user_id: str, ids: list[str]) -> int:
        """The user's sources whose database, or one of whose data sources, is among ``ids`` list their data
        sources again on their next run; returns how many sources."""
        if not ids:
            return 0
        return len(
            self._rows(
                "UPDATE nls.sources s SET data_sources_listed_at = NULL "
                "WHERE s.user_id = $1 AND (s.database_id = ANY ($2) "
                "OR EXISTS (SELECT 1 FROM nls.sync_state st WHERE "
                "st.source_id = s.id AND st.data_source_id = ANY ($2))) "
                "RETURNING s.id",
                ["text", "text[]"],
                [user_id, ids],
            )
        )
