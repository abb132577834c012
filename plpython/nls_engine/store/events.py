"""The events' delivery step (``sql/87_events.sql``): what the scheduled jobs run after their work committed."""

from __future__ import annotations

import json

from .base import Statements


class EventStatements(Statements):
    def deliver_events(self) -> dict:
        """``nls.deliver_events()``: with pg_net, settle the deliveries pg_net answered and hand it the next due one
        of each endpoint (sent once the caller commits). Returns {"transport": "pg_net" | "worker" | "none",
        "sent", "collected", "busy"?}; nothing to do (one statement) outside pg_net's server runtime."""
        answer = self._row("SELECT nls.deliver_events()::text AS r")["r"]
        return json.loads(answer)
