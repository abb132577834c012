"""The Anki sync's statements (``sql/60_anki.sql``): the account and its credential, its advisory lock, the collection
nls keeps, the atoms pushed as notes and the reviews pulled back."""

from __future__ import annotations

import json

from .base import Statements


class AnkiStatements(Statements):
    """The statements of the Anki sync."""

    def anki_account(self, user_id: str) -> dict | None:
        """The user's Anki account as this session may see it: {id, endpoint, credential_kind,
        credential_ciphertext, credential_nonce, key_version, status}; None when there is none."""
        return self._one(
            "SELECT id, endpoint, credential_kind, credential_ciphertext, credential_nonce, key_version, "
            "status FROM nls.anki_accounts WHERE user_id = $1",
            ["text"],
            [user_id],
        )

    def save_anki_account(
        self,
        user_id: str,
        endpoint: str | None,
        kind: str,
        key_version: int,
        nonce: bytes,
        ciphertext: bytes,
        forget_collection: bool,
    ) -> int:
        """Store (or replace) a user's encrypted Anki credential and set the account active; with
        ``forget_collection`` (another account or endpoint) the collection nls kept and its notes go. Returns the
        account id."""
        with self.db.subtransaction():
            if forget_collection:
                self.db.execute("DELETE FROM nls.anki_collections WHERE user_id = $1", ["text"], [user_id])
                self.db.execute("DELETE FROM nls.anki_notes WHERE user_id = $1", ["text"], [user_id])
            return self._row(
                "INSERT INTO nls.anki_accounts AS a (user_id, endpoint, "
                "credential_kind, key_version, credential_nonce, "
                "credential_ciphertext) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE "
                "SET endpoint = excluded.endpoint, credential_kind = excluded.credential_kind, "
                "credential_ciphertext = excluded.credential_ciphertext, credential_nonce = excluded.credential_nonce, "
                "key_version = excluded.key_version, status = 'active', updated_at = now() RETURNING id",
                ["text", "text", "text", "int", "bytea", "bytea"],
                [user_id, endpoint, kind, key_version, nonce, ciphertext],
            )["id"]

    def replace_anki_credential(
        self, user_id: str, kind: str, key_version: int, nonce: bytes, ciphertext: bytes
    ) -> None:
        """Keep the session key a login returned (the password goes), or a credential under a newer key."""
        self.db.execute(
            "UPDATE nls.anki_accounts SET credential_kind = $2, key_version = $3, credential_nonce = $4, "
            "credential_ciphertext = $5, updated_at = now() WHERE user_id = $1",
            ["text", "text", "int", "bytea", "bytea"],
            [user_id, kind, key_version, nonce, ciphertext],
        )

    def anki_needs_reauth(self, user_id: str) -> None:
        """The endpoint refused the login or the session key: the account waits for add_anki_account."""
        self.db.execute(
            "UPDATE nls.anki_accounts SET status = 'needs_reauth', updated_at = now() "
            "WHERE user_id = $1 AND status = 'active'",
            ["text"],
            [user_id],
        )

    def anki_credentials_to_rotate(self, newest: int) -> list[dict]:
        """Every Anki credential not under key version ``newest``, locked."""
        return self._rows(
            "SELECT user_id, credential_kind, credential_ciphertext, credential_nonce, key_version "
            "FROM nls.anki_accounts WHERE key_version <> $1 ORDER BY user_id FOR UPDATE",
            ["int"],
            [newest],
        )

    def active_anki_account(self, user_id: str) -> bool:
        """Whether the user has an active Anki account (the schedule syncs it after the Notion read)."""
        return (
            self._row(
                "SELECT count(*) AS n FROM nls.anki_accounts WHERE user_id = $1 AND status = 'active'",
                ["text"],
                [user_id],
            )["n"]
            > 0
        )

    def try_lock_anki(self, account_id: int) -> bool:
        """The user's Anki advisory lock (session level), if nobody holds it."""
        return self._row("SELECT pg_try_advisory_lock(nls._anki_lock_key(), $1::int) AS ok", ["bigint"], [account_id])[
            "ok"
        ]

    def unlock_anki(self, account_id: int) -> None:
        self._one("SELECT pg_advisory_unlock(nls._anki_lock_key(), $1::int) AS ok", ["bigint"], [account_id])

    def anki_collection(self, user_id: str) -> bytes | None:
        """The collection file nls keeps for the user, or None before the first exchange."""
        row = self._one("SELECT collection FROM nls.anki_collections WHERE user_id = $1", ["text"], [user_id])
        return bytes(row["collection"]) if row else None

    def save_anki_collection(self, user_id: str, data: bytes) -> None:
        self.db.execute(
            "INSERT INTO nls.anki_collections AS c (user_id, collection, bytes) VALUES ($1, $2, $3) "
            "ON CONFLICT (user_id) DO UPDATE SET collection = excluded.collection, bytes = excluded.bytes, "
            "saved_at = now()",
            ["text", "bytea", "int"],
            [user_id, data, len(data)],
        )

    def anki_atoms(self, user_id: str) -> list[dict]:
        """The user's flashcard and cloze atoms with their deck and tag names (``nls._anki_atoms``)."""
        return self._rows(
            "SELECT atom_id::text, notion_id, card_id, atom_type, front, back, program, track, module, "
            "area, cluster, concept, anki_note_id, anki_deck FROM nls._anki_atoms($1)",
            ["text"],
            [user_id],
        )

    def anki_notes(self, user_id: str) -> dict[str, dict]:
        """{guid: {atom_key, notetype, note_id, content_hash, fields_hash, removed, deleted}} of the notes nls put
        into the user's collection."""
        return {
            r["guid"]: r
            for r in self._rows(
                "SELECT guid, atom_key, notetype, note_id, content_hash, "
                "fields_hash, removed_at IS NOT NULL AS removed, "
                "deleted_at IS NOT NULL AS deleted FROM nls.anki_notes WHERE user_id = $1",
                ["text"],
                [user_id],
            )
        }

    def anki_pushed(self, user_id: str, rows: list[dict]) -> int:
        """Record the notes a push wrote (``nls._anki_pushed``); returns the atoms updated."""
        return self._row(
            "SELECT nls._anki_pushed($1, $2) AS n", ["text", "jsonb"], [user_id, json.dumps(rows, ensure_ascii=False)]
        )["n"]

    def anki_pull_rows(self, user_id: str) -> list[dict]:
        """The notes a pull reads, with their atoms (``nls._anki_pull_rows``)."""
        return self._rows(
            "SELECT guid, note_id, fields_hash, edit_hash, reviews, atom_id::text, atom_type, front, "
            "back, stats FROM nls._anki_pull_rows($1)",
            ["text"],
            [user_id],
        )

    def anki_pulled(self, user_id: str, rows: list[dict]) -> dict:
        """Record what a pull read (``nls._anki_pulled``): {atoms, edits, deleted}."""
        return self._row(
            "SELECT atoms, edits, deleted FROM nls._anki_pulled($1, $2)",
            ["text", "jsonb"],
            [user_id, json.dumps(rows, ensure_ascii=False)],
        )
