"""Every SQL statement the engine runs, each a named method of :class:`Store`, and no statement anywhere else (a
test checks that no other module of the engine holds SQL text).

The set-based work is in SQL functions (``sql/10_engine.sql``: ``nls._upsert_pages``, ``nls._begin_run``, ...);
the statements here call them or read a row. Arguments are always bound (``$1``...), never formatted into the text.
Each statement runs in its own subtransaction (:class:`nls_engine.db.Db`), so an SQL error never leaves the caller's
transaction unusable. The statements are split along the engine's seams, one class each, and :class:`Store`
composes them, so that every caller has one ``store`` and calls ``store.<statement>(...)``:

- ``base``          :class:`Statements`, what every part shares (the database, ``error``), and the session: the
                    settings, the user the session acts for, interrupts, the clock
- ``runs``          the advisory locks of a source and of a user's flow, ``nls.sync_log`` rows, the cleaning, the
                    scheduled workers' rounds
- ``integrations``  tokens and their rotation, what runs note about an integration, the shared request budget
- ``read``          sources, data sources and watermarks, schemas, the stored pages
- ``push``          two-way sync (``sql/80_push.sql``)
- ``anki``          the Anki sync (``sql/60_anki.sql``)
- ``typed_views``   typed views (``sql/70_typed_views.sql``)
- ``webhooks``      Notion's webhooks (``sql/85_webhooks.sql``)
- ``events``        the delivery step of nls's own events (``sql/87_events.sql``)
"""

from __future__ import annotations

from .anki import AnkiStatements
from .events import EventStatements
from .integrations import IntegrationStatements
from .push import PushStatements
from .read import ReadStatements
from .runs import RunStatements
from .typed_views import TypedViewStatements
from .webhooks import WebhookStatements


class Store(
    RunStatements,
    IntegrationStatements,
    ReadStatements,
    PushStatements,
    AnkiStatements,
    TypedViewStatements,
    WebhookStatements,
    EventStatements,
):
    """The engine's view of the ``nls`` schema, one method per statement. ``db`` is a :class:`nls_engine.db.Db`
    (plpy inside PostgreSQL)."""
