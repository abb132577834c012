"""The engine's one root exception: :class:`NlsError`, what a DBA reads of an error (its message, SQLSTATE, hint and
detail). Every error the engine raises on purpose is an NlsError (the Notion client's, the key ring's, the typed
views', the Anki account's, ...); the runtime that runs the engine turns it into its own error in one place (inside
PostgreSQL: :func:`nls_engine.entry.entry_point`, which raises it as ``ERROR:  nls: <message>`` with the SQLSTATE,
HINT and DETAIL). Pure Python: no ``plpy`` here, so that the unit tests and any other runtime use the same classes.
"""

from __future__ import annotations

# a message of the product starts with this once; the SQL functions of nls write it themselves
PREFIX = "nls: "


class NlsError(Exception):
    """An error of nls. ``str(error)`` is the message (it names the argument or object and what is allowed),
    ``sqlstate`` its five-character SQLSTATE (the class's unless given: ``XX000`` here, each subclass its own),
    ``hint`` what to do (or None), ``detail`` more about what happened (or None)."""

    sqlstate = "XX000"
    hint: str | None = None
    detail: str | None = None

    def __init__(self, message: str, sqlstate: str | None = None, hint: str | None = None, detail: str | None = None):
        super().__init__(message)
        if sqlstate:
            self.sqlstate = sqlstate
        if hint:
            self.hint = hint
        if detail:
            self.detail = detail


def message_of(text: str) -> str:
    """``text`` as a message that reads ``nls: ...`` once shown: without the prefix it may already carry (the SQL
    functions of nls raise with it), the runtime adding it."""
    text = str(text).strip()
    return text[len(PREFIX) :] if text.startswith(PREFIX) else text
