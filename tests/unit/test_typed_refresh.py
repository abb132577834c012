"""Typed views after a sync (nls_engine.typed_views.views.refresh), with a stand-in store: one view's failure is
reported and the others go on, but a cancel or statement_timeout (SQLSTATE 57014) ends the call."""

from __future__ import annotations

import pytest

from fakes import stand_in
from nls_engine.run import Source
from nls_engine.typed_views import views as typed_views


class SQLError(Exception):
    """What an SQL error raises in the server (plpy.SPIError): its SQLSTATE in ``sqlstate``."""

    def __init__(self, message: str, sqlstate: str):
        super().__init__(message)
        self.sqlstate = sqlstate


class Store:
    """Two typed views of one source; reading what the pages show of the first raises ``error``."""

    error = SQLError

    def __init__(self, error: SQLError):
        self.raises, self.user, self.built = error, None, False
        self.observed: list[str] = []  # the data sources whose pages were read

    @staticmethod
    def interrupted(error):
        return getattr(error, "sqlstate", None) == "57014"

    def acting_user(self):
        return self.user

    def act_as(self, user_id):
        self.user = user_id

    def typed_view_rows(self, source_ids):
        return [
            {
                "id": n,
                "user_id": "alice",
                "source_id": 1,
                "data_source_id": f"ds-{n}",
                "schema_name": "notion",
                "view_name": f"v{n}",
                "columns": [],
                "build_wanted": True,
                "built_as": f"notion.v{n}",
            }
            for n in (1, 2)
        ]

    def sql_keywords(self):
        return frozenset()

    def typed_observed(self, source_id, ds_id):
        self.observed.append(ds_id)
        if ds_id == "ds-1":
            raise self.raises
        return []

    def build_typed_views(self):
        self.built = True
        return []


SOURCE = Source(1, "alice", "db-1", "Cards", "flashcards", False)
RAN = [{"status": "success", "synced_count": 3}]


def test_one_views_error_is_reported_and_the_others_go_on():
    store = Store(SQLError("function nls.notion_text(jsonb) does not exist", "42883"))
    out = typed_views.refresh(stand_in(store), [SOURCE], RAN)
    assert out == [{"view": "notion.v1", "error": "function nls.notion_text(jsonb) does not exist"}]
    assert store.observed == ["ds-1", "ds-2"] and store.built and store.user is None


def test_a_cancel_or_statement_timeout_while_views_follow_their_schema_is_raised_to_the_caller():
    cancel = SQLError("canceling statement due to statement timeout", "57014")
    store = Store(cancel)
    with pytest.raises(SQLError) as e:
        typed_views.refresh(stand_in(store), [SOURCE], RAN, commit=lambda: pytest.fail("committed after a cancel"))
    assert e.value is cancel
    # nothing more is read or built, and the acting user is put back
    assert store.observed == ["ds-1"] and not store.built and store.user is None
