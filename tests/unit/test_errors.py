"""The engine's one root exception (nls_engine.errors.NlsError) and the one place every entry point turns what goes
wrong into a PostgreSQL error (nls_engine.entry.entry_point), against a stand-in for PL/Python's plpy module."""

from __future__ import annotations

import pytest

from nls_engine import crypto
from nls_engine.anki import account as anki_account, collection as anki_collection
from nls_engine.entry import entry_point
from nls_engine.errors import NlsError, message_of
from nls_engine.notion.client import NotionError, RunDeadline
from nls_engine.settings import SettingsError
from nls_engine.typed_views import views as typed_views


class Plpy:
    """What PL/Python gives: ``Error`` (whose sqlstate, hint and detail it reports) and ``SPIError`` (an error of
    PostgreSQL's own, its sqlstate a class attribute, detail and hint in ``spidata``)."""

    class Error(Exception):
        sqlstate: str
        hint: str
        detail: str

    class SPIError(Exception):
        sqlstate: str
        spidata: tuple

    class QueryCanceled(SPIError):
        sqlstate = "57014"


def raising(error):
    @entry_point
    def function(plpy, GD):
        raise error

    return function


def test_every_error_the_engine_raises_on_purpose_is_an_nls_error_with_its_sqlstate():
    errors = [
        NotionError(404, "object_not_found", "gone"),
        NotionError(502, "bad_gateway", "down"),
        RunDeadline("late"),
        crypto.KeyError_("no key", "set it"),
        crypto.TokenUnreadable("unreadable"),
        anki_account.AccountError("endpoint", "not a URL", "give one"),
        anki_collection.AnkiUnavailable("no"),
        anki_collection.EndpointError("sync_failed", "refused"),
        SettingsError("missing"),
        typed_views.TypedViewError("taken", "42P07", "another name"),
    ]
    assert all(isinstance(e, NlsError) for e in errors)
    assert [e.sqlstate for e in errors] == [
        "22023",
        "58000",
        "57000",
        "55000",
        "55000",
        "22023",
        "58000",
        "58000",
        "55000",
        "42P07",
    ]
    assert errors[3].hint == "set it" and str(errors[5]) == "not a URL (argument endpoint)"


def test_an_nls_error_reaches_postgresql_as_nls_with_its_sqlstate_hint_and_detail():
    with pytest.raises(Plpy.Error) as e:
        raising(NlsError("push_notion needs dry_run", "22004", "true or false", "it was NULL"))(Plpy, {})
    error = e.value
    # PL/Python prints an exception of module builtins by its bare name: "ERROR:  nls: push_notion needs dry_run"
    assert (type(error).__name__, type(error).__module__, str(error)) == (
        "nls",
        "builtins",
        "push_notion needs dry_run",
    )
    assert (error.sqlstate, error.hint, error.detail) == ("22004", "true or false", "it was NULL")
    assert error.__cause__ is None and error.__suppress_context__


def test_postgresqls_own_error_keeps_its_sqlstate_and_hint_and_says_nls_once():
    cancel = Plpy.QueryCanceled("canceling statement due to statement timeout")
    with pytest.raises(Plpy.Error) as e:
        raising(cancel)(Plpy, {})
    assert (str(e.value), e.value.sqlstate, getattr(e.value, "hint", None)) == (
        "canceling statement due to statement timeout",
        "57014",
        None,
    )
    refused = Plpy.SPIError('nls: user "x" has no Notion integration')  # nls's SQL functions say nls: themselves
    refused.sqlstate, refused.spidata = "P0002", (0, "the detail", "Store the token first", None, 0)
    with pytest.raises(Plpy.Error) as e:
        raising(refused)(Plpy, {})
    assert (str(e.value), e.value.sqlstate, e.value.hint, e.value.detail) == (
        'user "x" has no Notion integration',
        "P0002",
        "Store the token first",
        "the detail",
    )


def test_a_defect_is_an_internal_error_that_keeps_its_traceback():
    with pytest.raises(Plpy.Error) as e:
        raising(KeyError("status"))(Plpy, {})
    assert str(e.value) == "internal error: KeyError: 'status'" and e.value.sqlstate == "XX000"
    frames = []
    tb = e.value.__traceback__
    while tb:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert "function" in frames  # where it happened, for the CONTEXT


def test_an_entry_point_that_succeeds_answers_as_it_would_alone():
    @entry_point
    def answer(plpy, GD, x):
        return x * 2

    assert answer(Plpy, {}, 21) == 42 and answer.__name__ == "answer"


def test_the_products_prefix_is_said_once():
    assert message_of("nls: no such source") == "no such source" and message_of("no such source") == "no such source"
