"""The Notion client's decisions that need no server (nls_engine.notion.client): which errors end a run, how an
error answer reads, and the retry's deadline and Retry-After cap."""

from __future__ import annotations

import pytest

from fakes import stand_in
from nls_engine.notion.client import NotionError, RetryPolicy, RunDeadline, _error_from, title_text


@pytest.mark.parametrize(
    "status, ends",
    [
        (401, True),
        (429, True),
        (500, True),
        (503, True),
        (0, True),
        (400, False),
        (403, False),
        (404, False),
        (409, False),
    ],
)
def test_errors_about_the_token_or_notion_end_the_run_and_errors_about_one_object_do_not(status, ends):
    assert NotionError(status, "x", "m").ends_run is ends


class Answer:
    def __init__(self, status, body=None, text=""):
        self.status_code, self._body, self.text = status, body, text

    def json(self):
        if self._body is None:
            raise ValueError("not json")
        return self._body


def test_an_error_answer_reads_as_notions_code_and_message():
    e = _error_from(
        stand_in(
            Answer(
                404,
                {"object": "error", "code": "object_not_found", "message": "Could not find page", "request_id": "r-1"},
            )
        )
    )
    assert (e.status, e.code, e.message, e.request_id) == (404, "object_not_found", "Could not find page", "r-1")


def test_a_gateway_page_reads_as_its_status():
    e = _error_from(stand_in(Answer(502, None, "<html>  Bad\n gateway </html>")))
    assert (e.code, e.message) == ("bad_gateway", "non-JSON answer: <html> Bad gateway </html>")


class Headers:
    def __init__(self, retry_after):
        self.headers = {"Retry-After": retry_after}


def test_a_retry_after_longer_than_the_cap_ends_the_run_instead_of_waiting():
    policy = RetryPolicy(max_attempts=3, retry_after_cap_s=10)
    assert policy.retry_after(stand_in(Headers("4"))) == 4
    with pytest.raises(RunDeadline, match="more than retry_after_cap_s"):
        policy.retry_after(stand_in(Headers("30")))


def test_the_backoff_doubles_with_jitter_and_stops_at_its_cap():
    policy = RetryPolicy(backoff_s=0.5, max_backoff_s=3)
    for attempt, base in ((1, 0.5), (2, 1.0), (3, 2.0)):
        assert base * 0.5 <= policy.backoff(attempt) <= base * 1.5
    assert policy.backoff(10) == 3


def test_the_title_of_a_database_is_its_plain_text():
    assert title_text({"title": [{"plain_text": "Flash"}, {"plain_text": "cards"}]}) == "Flashcards"
    assert title_text({"title": []}) is None
