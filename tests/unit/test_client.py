"""The Notion client's decisions that need no server (nls_engine.client): which errors end a run, how an error answer
reads, and the retry's deadline and Retry-After cap."""
from __future__ import annotations

import time

import pytest

from nls_engine.client import NotionError, RunDeadline, _error_from, _Retry, title_text


@pytest.mark.parametrize("status, ends", [(401, True), (429, True), (500, True), (503, True), (0, True),
                                          (400, False), (403, False), (404, False), (409, False)])
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
    e = _error_from(Answer(404, {"object": "error", "code": "object_not_found", "message": "Could not find page",
                                 "request_id": "r-1"}))
    assert (e.status, e.code, e.message, e.request_id) == (404, "object_not_found", "Could not find page", "r-1")


def test_a_gateway_page_reads_as_its_status():
    e = _error_from(Answer(502, None, "<html>  Bad\n gateway </html>"))
    assert (e.code, e.message) == ("bad_gateway", "non-JSON answer: <html> Bad gateway </html>")


class Headers:
    def __init__(self, retry_after):
        self.headers = {"Retry-After": retry_after}


def test_a_retry_after_longer_than_the_cap_ends_the_run_instead_of_waiting():
    retry = _Retry(total=3, retry_after_cap=10, deadline=None)
    assert retry.get_retry_after(Headers("4")) == 4
    with pytest.raises(RunDeadline, match="more than retry_after_cap_s"):
        retry.get_retry_after(Headers("30"))


def test_no_wait_runs_past_the_deadline():
    retry = _Retry(total=3, retry_after_cap=60, deadline=time.monotonic() + 1)
    with pytest.raises(RunDeadline, match="deadline"):
        retry.get_retry_after(Headers("5"))
    assert retry.new(total=2).deadline == retry.deadline


def test_the_title_of_a_database_is_its_plain_text():
    assert title_text({"title": [{"plain_text": "Flash"}, {"plain_text": "cards"}]}) == "Flashcards"
    assert title_text({"title": []}) is None
