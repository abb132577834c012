"""Two-way sync's statements (``sql/80_push.sql``): what a push works with, each object's step in a subtransaction
of its own, and what it did."""

from __future__ import annotations

import json
from contextlib import contextmanager

from .base import Statements


class PushStatements(Statements):
    """The statements of the push."""

    def push_sources(self, user_id: str | None, retried: list[str]) -> list[dict]:
        """The sources with something to push (``nls._push_sources``; ``retried``: the error codes after which a
        failed object is tried again): {id, user_id, database_id, database_name, target, with_content}."""
        return self._rows(
            "SELECT id, user_id, database_id, database_name, target, with_content FROM nls._push_sources($1, $2)",
            ["text", "text[]"],
            [user_id, retried],
        )

    def push_plan(self, source_id: int) -> dict:
        """What a push of the source works with (``nls._push_plan``): {table, key, columns, create, data_source_id,
        schema}."""
        return json.loads(self._row("SELECT nls._push_plan($1)::text AS p", ["bigint"], [source_id])["p"])

    def push_prune(self, source_id: int) -> int:
        """Drop the state rows of the source's objects whose local row is gone (``nls._push_prune``)."""
        return self._row("SELECT nls._push_prune($1) AS n", ["bigint"], [source_id])["n"]

    def push_objects(self, source_id: int, create: bool) -> list[dict]:
        """The objects of the source to push (``nls._push_objects``; with ``create``, atoms with no page too)."""
        return [
            json.loads(r["o"])
            for r in self._rows(
                "SELECT o::text AS o FROM nls._push_objects($1, $2) AS o", ["bigint", "bool"], [source_id, create]
            )
        ]

    @contextmanager
    def push_object_scope(self):
        """A subtransaction for one step of a push's object: an SQL error in it rolls back what the step wrote, and
        leaves the run's transaction usable. As it ends, the atoms' unique card ids (a deferred constraint, else
        checked only at commit, where a violation would fail the whole run and lose every outcome since the last
        commit) are checked, so that a violation fails that object alone. Raises ``self.error`` (23505)."""
        with self.db.subtransaction():
            yield
            self.db.execute("SET CONSTRAINTS nls.learning_atoms_user_card_id_key IMMEDIATE")
            self.db.execute("SET CONSTRAINTS nls.learning_atoms_user_card_id_key DEFERRED")

    def push_outcome(self, state_id: str, outcome: dict) -> None:
        """Record what the push did with one object (``nls._push_outcome``)."""
        self.db.execute(
            "SELECT nls._push_outcome($1, $2)", ["uuid", "jsonb"], [state_id, json.dumps(outcome, ensure_ascii=False)]
        )

    def push_create_state(self, source_id: int, atom_id: str, card_id: str, ds_id: str | None, attempted: bool) -> str:
        """The state row of an atom whose page the push creates, the card id given to the atom, and with
        ``attempted`` that a create is being sent (``nls._push_create_state``); returns the row's id."""
        return str(
            self._row(
                "SELECT nls._push_create_state($1, $2, $3, $4, $5) AS id",
                ["bigint", "uuid", "text", "text", "bool"],
                [source_id, atom_id, card_id, ds_id, attempted],
            )["id"]
        )

    def push_created(
        self, state_id: str, page_id: str, ds_id: str, last_edited_time: str | None, sync_hash: str, agreed: dict
    ) -> bool:
        """A page created (or found) for an atom (``nls._push_created``; ``agreed``: {column: the page's value});
        False when another atom holds it."""
        return self._row(
            "SELECT nls._push_created($1, $2, $3, $4::timestamptz, $5, $6) AS ok",
            ["uuid", "text", "text", "text", "text", "jsonb"],
            [state_id, page_id, ds_id, last_edited_time, sync_hash, json.dumps(agreed, ensure_ascii=False)],
        )["ok"]
