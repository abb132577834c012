"""The client's own retry loop (nls_engine.notion.client.NotionClient.request) against a stand-in HTTP session: every
attempt counted and paced, 429s handed to the budget, writes never retried blindly, timeouts fitted to the deadline,
and the waiter that lets PostgreSQL act between slices (nls_engine.notion.waiting)."""

from __future__ import annotations

import json
import time

import pytest
import requests

from fakes import FakeClock, stand_in
from nls_engine.notion.client import NotionClient, NotionError, RetryPolicy, RunDeadline
from nls_engine.notion.waiting import Waiter


class Answer:
    def __init__(self, status: int, body: dict | None = None, headers: dict | None = None, text: str | None = None):
        self.status_code, self._body, self.headers = status, body or {}, headers or {}
        self.text = json.dumps(self._body) if text is None else text

    def json(self):
        return json.loads(self.text)


class Session:
    """Answers (or raises) from a script, one item per attempt; records each attempt's timeout."""

    def __init__(self, script):
        self.script, self.timeouts, self.headers = list(script), [], {}

    def request(self, method, url, params=None, data=None, timeout=None):
        self.timeouts.append(timeout)
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    def close(self):
        pass


class Pacer:
    def __init__(self):
        self.waits, self.throttles, self.waited_s = 0, [], 0.0

    def wait(self, deadline):
        self.waits += 1

    def throttled(self, seconds, scope, deadline):
        self.throttles.append((seconds, scope))


def client(script, deadline=None, max_attempts=4, pacer=None):
    c = NotionClient(
        "secret",
        "http://notion.test",
        "2025-09-03",
        timeouts=(5, 30),
        policy=RetryPolicy(max_attempts, backoff_s=0.01),
        deadline=deadline,
        pacer=pacer,
        waiter=Waiter(sleep=lambda s: None),
    )
    c.session = stand_in(Session(script))
    return c


OK = Answer(200, {"object": "page", "id": "p"})
LIMITED = Answer(
    429,
    {
        "object": "error",
        "code": "rate_limited",
        "message": "slow down",
        "additional_data": {"rate_limit_reason": "workspace_rate_limit"},
    },
    {"Retry-After": "2"},
)


def test_every_attempt_is_counted_and_each_waits_its_turn_in_the_budget():
    pacer = Pacer()
    c = client([Answer(500), Answer(503), requests.ConnectionError("reset"), OK], pacer=pacer)
    assert c.request("GET", "/v1/pages/p", endpoint="pages.retrieve") == OK.json()
    assert (c.requests_made, c.retries, c.by_endpoint) == (4, 3, {"pages.retrieve": 4})
    assert pacer.waits == 4 and c.backoff_s > 0


def test_a_429_goes_to_the_budget_with_its_scope_and_is_counted():
    pacer = Pacer()
    c = client([LIMITED, OK], pacer=pacer)
    c.request("POST", "/v1/data_sources/d/query", body={}, endpoint="data_sources.query")
    assert pacer.throttles == [(2, "workspace")] and c.rate_limited == 1 and c.requests_made == 2


def test_after_the_last_attempt_notions_error_is_raised_with_every_attempt_counted():
    c = client([Answer(502)] * 4)
    with pytest.raises(NotionError) as e:
        c.request("GET", "/v1/databases/d")
    assert e.value.code == "bad_gateway" and c.requests_made == 4


def test_a_write_that_may_have_reached_notion_is_not_sent_again():
    c = client([requests.ReadTimeout("read timed out"), OK])
    with pytest.raises(NotionError) as e:
        c.request("POST", "/v1/pages", body={}, idempotent=False)
    assert e.value.code == "no_answer" and c.requests_made == 1 and c.timeouts_by_endpoint == {"/v1/pages": 1}


def test_a_write_that_never_connected_is_sent_again():
    c = client([requests.ConnectTimeout("connect timed out"), OK])
    assert c.request("POST", "/v1/pages", body={}, idempotent=False) == OK.json() and c.requests_made == 2


CUT = Answer(200, text='{"object": "list", "results": [{"obj')
PORTAL = Answer(200, text="<html><body>Checking your browser...</body></html>")


def test_a_200_whose_body_is_not_json_is_sent_again_after_a_backoff_and_counted():
    pacer = Pacer()
    c = client([CUT, PORTAL, OK], pacer=pacer)
    assert c.request("POST", "/v1/data_sources/d/query", body={}, endpoint="data_sources.query") == OK.json()
    assert (c.requests_made, c.retries, c.invalid_json) == (3, 2, {"data_sources.query": 2})
    assert pacer.waits == 3 and c.backoff_s > 0


def test_answers_that_are_never_json_end_the_run_after_the_last_attempt():
    c = client([CUT] * 4)
    with pytest.raises(NotionError) as e:
        c.request("GET", "/v1/databases/d", endpoint="databases.retrieve")
    assert (e.value.status, e.value.code, e.value.ends_run, c.requests_made) == (200, "invalid_json", True, 4)
    assert "was not JSON" in e.value.message and c.invalid_json == {"databases.retrieve": 4}


def test_a_write_whose_answer_is_not_json_is_not_sent_again():
    c = client([PORTAL, OK])
    with pytest.raises(NotionError) as e:
        c.request("POST", "/v1/pages", body={}, idempotent=False)
    assert (e.value.status, e.value.code, c.requests_made) == (0, "no_answer", 1)  # the create happened


def test_errors_about_one_object_are_not_retried():
    c = client([Answer(404, {"object": "error", "code": "object_not_found", "message": "no"})])
    with pytest.raises(NotionError) as e:
        c.request("GET", "/v1/pages/p")
    assert e.value.status == 404 and c.requests_made == 1


def test_timeouts_shrink_to_end_before_the_deadline_and_no_request_starts_that_cannot():
    c = client([OK], deadline=time.monotonic() + 10)
    c.request("GET", "/v1/pages/p")
    connect, read = c.session.timeouts[0]
    assert connect <= 5 and read < 30 and connect + read <= 10  # together they end by the deadline
    late = client([OK], deadline=time.monotonic() + 1.5)
    with pytest.raises(RunDeadline, match="deadline"):
        late.request("GET", "/v1/pages/p")
    assert late.requests_made == 0


def test_a_deadline_message_says_what_timed_out():
    c = client([requests.ReadTimeout("stall"), requests.ReadTimeout("stall"), OK], deadline=time.monotonic() + 2.5)
    c.policy.backoff_s = 1.0
    with pytest.raises(RunDeadline, match=r"timed out \(/v1/pages/p 1\)"):
        c.request("GET", "/v1/pages/p")


def test_the_waiter_sleeps_in_slices_and_checks_between_them():
    clock, checks = FakeClock(), []
    waiter = Waiter(check=lambda: checks.append(clock.now), slice_s=0.2, clock=clock, sleep=clock.sleep)
    waiter.sleep(1.0)
    assert clock.slept == pytest.approx([0.2] * 5) and len(checks) == 5


class Cancel(Exception):
    pass


def test_a_cancel_seen_while_a_request_is_pending_is_raised_at_once():
    checks = []

    def check():
        checks.append(1)
        if len(checks) == 3:
            raise Cancel()

    waiter = Waiter(check=check, slice_s=0.01)
    started = time.monotonic()
    with pytest.raises(Cancel):
        waiter.call(time.sleep, 5)
    assert time.monotonic() - started < 1.0


def test_a_request_in_the_worker_thread_gives_back_its_answer_or_its_error():
    waiter = Waiter(check=lambda: None, slice_s=0.01)
    assert waiter.call(lambda x: x * 2, 21) == 42
    with pytest.raises(ZeroDivisionError):
        waiter.call(lambda: 1 / 0)
