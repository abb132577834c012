"""The Notion API client the sync uses inside PostgreSQL: requests, with the engine's own retry loop.

Every attempt, the first and each retry, waits its turn in the request budget (:class:`nls_engine.notion.pacing.Pacer`),
shared with every backend of the same token and workspace; the retries are the engine's own loop (not urllib3's
inside the transport) so that they can. Retried: 429 and 529 after their ``Retry-After`` (capped by
retry_after_cap_s; a 429 also holds back every backend of the token, or of the workspace when Notion says the
workspace's budget is spent), 409, 500, 502, 503, 504, a 2xx answer whose body is not JSON (cut short, or a proxy's
HTML page), connection errors and timeouts with exponential backoff and jitter, POST queries included (they only
read). 400, 401, 403 and 404 are never retried, and a write that may have reached Notion (a timeout or reset after
it was sent, an answer that is not JSON) is not retried blindly. No request starts that cannot finish
before the run's deadline (its timeouts shrink to fit), and every wait lets PostgreSQL process a cancel or terminate
(:mod:`nls_engine.notion.waiting`). Counters: ``requests_made`` (every attempt Notion saw), ``retries``,
``by_endpoint``, ``timeouts`` (by endpoint), ``invalid_json`` (by endpoint: answers whose body was not JSON),
``rate_limited`` (429 answers), ``backoff_s`` (seconds waited between attempts).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, unquote

import requests
from urllib3.util.retry import Retry

from ..errors import NlsError
from .waiting import Waiter


class Pacing(Protocol):
    """What the client asks of its request budget (:class:`nls_engine.notion.pacing.Pacer`, which imports this
    module): wait for a request's turn; hold every backend back after Notion's 429."""

    def wait(self, deadline: float | None) -> None: ...
    def throttled(self, seconds: float, scope: str, deadline: float | None) -> None: ...


RETRY_STATUSES = (409, 429, 500, 502, 503, 504, 529)
# answers after which a write may or may not have happened (a gateway or server failing mid-way)
AMBIGUOUS_STATUSES = (500, 502, 504)
GATEWAY_CODES = {
    500: "internal_server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
    529: "service_overload",
    429: "rate_limited",
    409: "conflict_error",
}
# a request needs at least this long to be worth starting before the deadline
MIN_REQUEST_S = 1.0
# the Notion-Version from which search and data source queries carry only the title unless filter_properties is given
TITLE_ONLY_FROM = "2026-12-01"
# the longest request URL sent: Notion documents no limit on filter_properties, but the proxies in front of an API
# commonly refuse request lines past 8 KiB; the property ids of a wider data source go in several queries
MAX_URL = 8000
FILTER_PARAM = "filter_properties"


class NotionError(NlsError):
    """A request Notion (or the network) answered with an error, after any retries.

    ``status`` is the HTTP status (0 when no usable answer came), ``code`` Notion's error code (``unauthorized``,
    ``object_not_found``, ``rate_limited``, ..., ``connection_error`` when no connection could be made,
    ``no_answer`` when a request was sent but no usable answer came: a write may then have happened,
    ``invalid_json`` when every answer to a read was a body that is not JSON), ``message`` Notion's message,
    ``additional_data`` Notion's (e.g. ``rate_limit_reason``). SQLSTATE 58000 (Notion or the network failed) when
    it ends a run, 22023 (about the object asked for) when not.
    """

    def __init__(
        self, status: int, code: str, message: str, request_id: str | None = None, additional_data: dict | None = None
    ):
        self.status, self.code = status, code
        super().__init__(f"Notion API {status} {code}: {message}", "58000" if self.ends_run else "22023")
        self.message, self.request_id = message, request_id
        self.additional_data = additional_data or {}
        self.unconfirmed = False  # a create that may have happened (its answer lost), not found afterwards

    @property
    def ends_run(self) -> bool:
        """True when the error is about the token or Notion itself (401, 429 after retries, 5xx, no response), so
        the run stops; False when it is about one object (400, 403, 404, ...), which the run records and passes."""
        return self.status in (401, 429) or self.status >= 500 or self.status == 0 or self.code == "invalid_json"

    @property
    def block_limit(self) -> bool:
        """A write refused because the workspace reached its block limit (a free workspace with more than one member
        may create 1,000 blocks through the API, for good): 403 ``restricted_resource`` saying so."""
        return self.status == 403 and self.code == "restricted_resource" and "block" in self.message.lower()

    @property
    def workspace_limit(self) -> bool:
        """A 429 whose reason is the workspace's budget (all its integrations), not this token's."""
        return "workspace" in str(self.additional_data.get("rate_limit_reason") or "")


class RunDeadline(NlsError):
    """The run reached its deadline (or a Retry-After longer than it may wait); the next run resumes. SQLSTATE
    57000 (an operator's limit: run_deadline_s, retry_after_cap_s)."""

    sqlstate = "57000"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class RetryPolicy:
    """How often and how long to retry: ``max_attempts`` per request (the first included), exponential backoff from
    ``backoff_s`` with jitter (x0.5 to x1.5) up to ``max_backoff_s``, Retry-After honoured up to
    ``retry_after_cap_s`` (seconds)."""

    max_attempts: int = 6
    backoff_s: float = 0.5
    retry_after_cap_s: float = 60.0
    max_backoff_s: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1, 2, ...)."""
        return min(self.max_backoff_s, self.backoff_s * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5))

    def retry_after(self, resp: requests.Response) -> float | None:
        """The answer's Retry-After in seconds (urllib3 parses it: seconds or an HTTP date), or None. Raises
        RunDeadline when it is longer than retry_after_cap_s."""
        value = resp.headers.get("Retry-After")
        if value is None:
            return None
        try:
            seconds = Retry().parse_retry_after(value)
        except Exception:  # noqa: BLE001 - a Retry-After urllib3 cannot read is no wait at all
            return None
        if seconds > self.retry_after_cap_s:
            raise RunDeadline(
                f"Notion asked to wait {seconds:.0f} s (Retry-After), more than retry_after_cap_s "
                f"({self.retry_after_cap_s:.0f} s)"
            )
        return seconds


class NotionClient:
    """One integration's view of the Notion API.

    Args: ``token`` (the integration's secret, never logged), ``base_url`` (``https://api.notion.com`` or the
    emulator's), ``version`` (Notion-Version), ``timeouts`` (connect, read) in seconds, ``policy`` (a
    :class:`RetryPolicy`), ``deadline`` (a ``time.monotonic()`` value or None), ``pacer`` (a
    :class:`nls_engine.notion.pacing.Pacer` every attempt waits on, or None), ``waiter`` (a
    :class:`nls_engine.notion.waiting.Waiter`: how requests and pauses wait; plain when None).
    """

    def __init__(
        self,
        token: str,
        base_url: str,
        version: str,
        timeouts: tuple[float, float] = (5.0, 30.0),
        policy: RetryPolicy | None = None,
        deadline: float | None = None,
        pacer: Pacing | None = None,
        waiter: Waiter | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.version, self.timeouts, self.deadline = version, timeouts, deadline
        self.policy = policy or RetryPolicy()
        self.pacer, self.waiter = pacer, waiter or Waiter()
        self.workspace: dict = {"id": None}  # the workspace the token is in, once known (GET /v1/users/me)
        self.bot_id: str | None = None  # the integration's bot user, once known: the author of nls's writes
        self.session = requests.Session()  # its adapters do not retry: every attempt is this client's
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Notion-Version": version,
                "Content-Type": "application/json",
                "User-Agent": "nls/0.1",
            }
        )
        self.requests_made = self.retries = self.rate_limited = 0
        self.backoff_s = 0.0
        self.by_endpoint: dict[str, int] = {}
        self.timeouts_by_endpoint: dict[str, int] = {}
        self.invalid_json: dict[str, int] = {}
        self.budget: Any = None  # the integration's Budget, when opened by integration.open_client

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    @property
    def lists_title_only(self) -> bool:
        """Whether this client's Notion-Version (2026-12-01 on) lists pages (search, data source queries) with their
        title only unless ``filter_properties`` names the properties wanted."""
        return self.version >= TITLE_ONLY_FROM

    def request(
        self,
        method: str,
        path: str,
        params: dict | None = None,
        body: dict | None = None,
        endpoint: str = "",
        idempotent: bool = True,
    ) -> dict:
        """Send one request, with its retries; returns the JSON body. ``idempotent``: whether sending it twice is
        harmless (reads, and updates of given values); a request that is not (a create) is retried only when it
        surely did not reach Notion. Raises NotionError, RunDeadline, or a cancel from the waiter."""
        key = endpoint or path
        data = json.dumps(body) if body is not None else None
        attempt = 0
        while True:
            attempt += 1
            timeout = self._start_attempt()
            try:
                resp = self.waiter.call(
                    self.session.request, method, self.base_url + path, params=params, data=data, timeout=timeout
                )
            except (requests.ConnectionError, requests.Timeout) as e:
                self._count(key, attempt)
                wait = self._after_transport_error(e, key, attempt, idempotent)
            else:
                self._count(key, attempt)
                if resp.status_code in RETRY_STATUSES:
                    wait = self._after_retryable_status(resp, attempt, idempotent)
                elif resp.status_code >= 400:
                    raise _error_from(resp)
                else:
                    try:
                        answer = resp.json()
                    except ValueError:
                        wait = self._after_invalid_json(resp, key, attempt, idempotent)
                    else:
                        return answer
            self._pause(wait, "a backoff")

    def _start_attempt(self) -> tuple[float, float]:
        """Wait this attempt's turn in the budget; returns its (connect, read) timeouts, shrunk to end before the
        deadline. Raises RunDeadline when not even a short request fits."""
        if self.pacer is not None:
            self.pacer.wait(self.deadline)
        connect, read = self.timeouts
        if self.deadline is None:
            return connect, read
        left = self.deadline - time.monotonic()
        if left < 2 * MIN_REQUEST_S:
            raise RunDeadline("the run reached its deadline (run_deadline_s)" + self._timeouts_said())
        connect = min(connect, left / 2)
        return connect, min(read, left - connect)

    def _after_transport_error(self, error: Exception, key: str, attempt: int, idempotent: bool) -> float:
        """A request that got no answer: the seconds to wait before the next attempt, or NotionError."""
        sent = not isinstance(error, requests.ConnectTimeout) and not _refused(error)
        if isinstance(error, requests.Timeout):
            self.timeouts_by_endpoint[key] = self.timeouts_by_endpoint.get(key, 0) + 1
        code = "no_answer" if sent else "connection_error"
        if (sent and not idempotent) or attempt >= self.policy.max_attempts:
            raise NotionError(
                0,
                code,
                f"{type(error).__name__} after {attempt} attempt(s): {_short(str(error))}" + self._timeouts_said(),
            ) from None
        return self.policy.backoff(attempt)

    def _after_invalid_json(self, resp: requests.Response, key: str, attempt: int, idempotent: bool) -> float:
        """A 2xx answer whose body is not JSON (cut short on the way, or a proxy's HTML page), counted by endpoint:
        the seconds to wait before sending a read again, as after a 502. Raises NotionError ``invalid_json`` after
        the last attempt, and ``no_answer`` (status 0) at once for a request that is not idempotent: it was carried
        out, and only its answer is lost."""
        self.invalid_json[key] = self.invalid_json.get(key, 0) + 1
        said = f"the answer (HTTP {resp.status_code}) was not JSON: {_short(resp.text or '', 120)}"
        if not idempotent:
            raise NotionError(0, "no_answer", f"{said}; the write happened, its answer is lost")
        if attempt >= self.policy.max_attempts:
            raise NotionError(resp.status_code, "invalid_json", f"{said} (after {attempt} attempts)")
        return self.policy.backoff(attempt)

    def _after_retryable_status(self, resp: requests.Response, attempt: int, idempotent: bool = True) -> float:
        """A 409/429/5xx answer: the seconds to wait before the next attempt, or NotionError after the last. A 429
        holds back every backend of the token (or workspace) for its Retry-After (the pacer's next wait waits it
        out). A request that is not idempotent is not sent again after a 500, 502 or 504, which do not say whether
        it happened."""
        error = _error_from(resp)
        if resp.status_code == 429:
            self.rate_limited += 1
        if attempt >= self.policy.max_attempts or (not idempotent and resp.status_code in AMBIGUOUS_STATUSES):
            raise error
        seconds = self.policy.retry_after(resp)
        if resp.status_code != 429:
            return seconds if seconds is not None else self.policy.backoff(attempt)
        seconds = seconds if seconds is not None else self.policy.backoff(attempt)
        if self.pacer is not None:
            self._check_deadline(seconds, "a Retry-After wait")
            self.pacer.throttled(seconds, "workspace" if error.workspace_limit else "token", self.deadline)
            return 0.0
        return seconds

    def _pause(self, seconds: float, what: str) -> None:
        """Wait ``seconds`` before the next attempt (interruptible); RunDeadline rather than past the deadline."""
        if seconds <= 0:
            return
        self._check_deadline(seconds, what)
        self.waiter.sleep(seconds)
        self.backoff_s += seconds

    def _check_deadline(self, seconds: float, what: str) -> None:
        if self.deadline is not None and time.monotonic() + seconds > self.deadline:
            raise RunDeadline(f"{what} of {seconds:.0f} s would pass the run's deadline" + self._timeouts_said())

    def _timeouts_said(self) -> str:
        """What timed out so far, for a message: '' or '; 3 requests timed out (data_sources.query 3)'."""
        if not self.timeouts_by_endpoint:
            return ""
        n = sum(self.timeouts_by_endpoint.values())
        return (
            f"; {n} request(s) timed out (" + ", ".join(f"{k} {v}" for k, v in self.timeouts_by_endpoint.items()) + ")"
        )

    def _count(self, key: str, attempt: int) -> None:
        self.requests_made += 1
        if attempt > 1:
            self.retries += 1
        self.by_endpoint[key] = self.by_endpoint.get(key, 0) + 1

    def paginate(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        params: dict | None = None,
        page_size: int = 100,
        endpoint: str = "",
    ) -> Iterator[dict]:
        """Yield each response of a paged list endpoint (``results``, ``has_more``, ``next_cursor``)."""
        cursor = None
        while True:
            if method == "POST":
                b = dict(body or {}, page_size=page_size)
                if cursor:
                    b["start_cursor"] = cursor
                data = self.request("POST", path, params=params, body=b, endpoint=endpoint)
            else:
                p = dict(params or {}, page_size=page_size)
                if cursor:
                    p["start_cursor"] = cursor
                data = self.request("GET", path, params=p, endpoint=endpoint)
            yield data
            if not data.get("has_more") or not data.get("next_cursor"):
                return
            cursor = data["next_cursor"]

    # ---- the endpoints a sync reads ------------------------------------------------------------------------
    def users_me(self) -> dict:
        """``GET /v1/users/me``: the integration's bot user (``bot.workspace_id``, ``bot.workspace_name``)."""
        return self.request("GET", "/v1/users/me", endpoint="users.me")

    def search_data_sources(self) -> Iterator[dict]:
        """``POST /v1/search`` filtered to data sources: every data source the integration can see."""
        for data in self.paginate(
            "POST", "/v1/search", body={"filter": {"property": "object", "value": "data_source"}}, endpoint="search"
        ):
            yield from data.get("results", [])

    def trash(self, since: str) -> Iterator[dict]:
        """``POST /v1/search`` with ``filter: {"property": "object", "value": "page", "in_trash": true}``, sorted by
        ``last_edited_time`` descending: the pages in the trash, the most recently trashed first, up to those edited
        before ``since`` (ISO time): a page of 100 asked at a time, the next only while the last one read is not
        older than ``since``."""
        body = {
            "filter": {"property": "object", "value": "page", "in_trash": True},
            "sort": {"timestamp": "last_edited_time", "direction": "descending"},
        }
        for data in self.paginate("POST", "/v1/search", body=body, endpoint="search.trash"):
            results = [p for p in data.get("results") or [] if isinstance(p, dict) and p.get("object") == "page"]
            for page in results:
                if str(page.get("last_edited_time") or "") >= since:
                    yield page
            if not results or str(results[-1].get("last_edited_time") or "") < since:
                return

    def database(self, database_id: str) -> dict:
        """``GET /v1/databases/{id}``: the database with its ``data_sources: [{id, name}]``."""
        return self.request("GET", f"/v1/databases/{database_id}", endpoint="databases.retrieve")

    def page(self, page_id: str) -> dict:
        """``GET /v1/pages/{id}``."""
        return self.request("GET", f"/v1/pages/{page_id}", endpoint="pages.retrieve")

    def data_source(self, data_source_id: str) -> dict:
        """``GET /v1/data_sources/{id}``: the data source with its schema (``properties``: {name: {id, type,
        <type>: config}}; a rollup's config names its ``relation_property_id``)."""
        return self.request("GET", f"/v1/data_sources/{data_source_id}", endpoint="data_sources.retrieve")

    def query(self, data_source_id: str, body: dict, property_ids: list[str] | None = None) -> Iterator[dict]:
        """``POST /v1/data_sources/{id}/query``, every page of results. ``property_ids`` (Notion's percent-encoded
        ids) sends ``filter_properties``: the pages then carry only those properties. Ids too many for one URL of
        at most MAX_URL characters go in several queries, answer by answer (:meth:`_merged`)."""
        path = f"/v1/data_sources/{data_source_id}/query"
        if property_ids is None:
            return self.paginate("POST", path, body=body, endpoint="data_sources.query")
        groups = id_groups(property_ids, MAX_URL - len(self.base_url + path) - 1)
        if len(groups) > 1:
            return self._merged(path, body, groups)
        params = {FILTER_PARAM: [unquote(p) for p in groups[0]]}
        return self.paginate("POST", path, body=body, params=params, endpoint="data_sources.query")

    def _merged(self, path: str, body: dict, groups: list[list[str]]) -> Iterator[dict]:
        """The same query once per group of property ids, answer by answer: each answer of the first carries the
        properties of every group. A page another group's answer lacks or gives with another last_edited_time
        (an edit during the read moved it) is read whole instead (``GET /v1/pages/{id}``)."""
        pagers = [
            self.paginate(
                "POST",
                path,
                body=body,
                params={FILTER_PARAM: [unquote(p) for p in group]},
                endpoint="data_sources.query",
            )
            for group in groups
        ]
        for answer in pagers[0]:
            parts: dict[str, list[dict]] = {}
            for other in pagers[1:]:
                for page in (next(other, None) or {}).get("results") or []:
                    if isinstance(page, dict):
                        parts.setdefault(str(page.get("id")), []).append(page)
            for page in answer.get("results") or []:
                if not isinstance(page, dict) or not isinstance(page.get("properties"), dict):
                    continue
                more = parts.get(str(page.get("id")), [])
                if len(more) == len(pagers) - 1 and all(
                    m.get("last_edited_time") == page.get("last_edited_time") for m in more
                ):
                    for m in more:
                        page["properties"].update(m.get("properties") or {})
                elif page.get("id"):
                    page.update(self.page(page["id"]))
            yield answer

    def markdown(self, page_id: str) -> dict:
        """``GET /v1/pages/{id}/markdown``: ``{"markdown": str, "truncated": bool, "unknown_block_ids": [...]}``."""
        return self.request("GET", f"/v1/pages/{page_id}/markdown", endpoint="pages.markdown")

    def block(self, block_id: str) -> dict:
        """``GET /v1/blocks/{id}``."""
        return self.request("GET", f"/v1/blocks/{block_id}", endpoint="blocks.retrieve")

    def property_items(self, page_id: str, property_id: str) -> list[dict]:
        """``GET /v1/pages/{id}/properties/{property_id}``, every page of a paged ``property_item`` list (title,
        rich_text, relation, people): returns the items in order. The property id goes into the path
        URL-encoded once (Notion's ids are already percent-encoded, e.g. ``%3CnJT``)."""
        items: list[dict] = []
        path = f"/v1/pages/{page_id}/properties/{quote(property_id, safe='%')}"
        for data in self.paginate("GET", path, endpoint="pages.properties.retrieve"):
            if data.get("object") != "list":  # a single-value property: nothing was cut
                return [data]
            items.extend(data.get("results", []))
        return items

    # ---- the endpoints a push writes with ---------------------------------------------------------
    def update_page(self, page_id: str, properties: dict) -> dict:
        """``PATCH /v1/pages/{id}`` with ``properties`` ({property id: value}): Notion sets those only and answers
        the whole updated page (its new ``last_edited_time``). Setting given values again changes nothing, so it is
        retried as a read is."""
        return self.request("PATCH", f"/v1/pages/{page_id}", body={"properties": properties}, endpoint="pages.update")

    def create_page(self, data_source_id: str, properties: dict) -> dict:
        """``POST /v1/pages`` of a row of ``data_source_id`` with ``properties`` ({property id: value}); answers the
        new page. Not idempotent: sent again only when it surely did not reach Notion (a 429, 503, 529, 409, or no
        connection); otherwise NotionError (status 0 ``no_answer``, 500, 502, 504) and the create may have
        happened."""
        body = {"parent": {"type": "data_source_id", "data_source_id": data_source_id}, "properties": properties}
        return self.request("POST", "/v1/pages", body=body, endpoint="pages.create", idempotent=False)

    def find_pages(self, data_source_id: str, flt: dict, property_ids: list[str] | None = None) -> list[dict]:
        """``POST /v1/data_sources/{id}/query`` with ``filter`` ``flt``: every page that matches (with the properties
        ``property_ids`` names, as :meth:`query`; every one when None, before 2026-12-01)."""
        pages: list[dict] = []
        for data in self.query(data_source_id, {"filter": flt}, property_ids):
            pages.extend(data.get("results", []))
        return pages

    def block_tree(
        self, block_id: str, max_depth: int, visited: set | None = None, depth: int = 1
    ) -> tuple[list, bool]:
        """``GET /v1/blocks/{id}/children``, recursively where ``has_children``: returns (blocks with nested
        ``children``, whether the depth cap cut anything). Does not descend into child pages or databases;
        follows a synced block copy once (cycle-guarded)."""
        visited = visited if visited is not None else set()
        blocks, cut = [], False
        for data in self.paginate("GET", f"/v1/blocks/{block_id}/children", endpoint="blocks.children"):
            for block in data.get("results", []):
                blocks.append(block)
                if not block.get("has_children") or block.get("type") in ("child_page", "child_database"):
                    continue
                if block["id"] in visited:
                    continue
                visited.add(block["id"])
                if depth >= max_depth:
                    cut = True
                    continue
                kids, kcut = self.block_tree(block["id"], max_depth, visited, depth + 1)
                block["children"] = kids
                cut = cut or kcut
        return blocks, cut


def id_groups(property_ids: list[str], room: int) -> list[list[str]]:
    """``property_ids`` cut into groups whose ``filter_properties=<id>`` query parameters (the ids URL-encoded
    once, joined by ``&``) each fit in ``room`` characters; one group when they all fit (or there are none). Ids
    keep their order; a group holds one id at least."""
    groups: list[list[str]] = [[]]
    used = 0
    for pid in property_ids:
        size = len(FILTER_PARAM) + 2 + len(quote(unquote(pid), safe=""))
        if groups[-1] and used + size > room:
            groups.append([])
            used = 0
        groups[-1].append(pid)
        used += size
    return groups


def title_text(obj: dict) -> str | None:
    """The plain text of a database's or data source's ``title`` (rich text), or None when empty."""
    return "".join(t.get("plain_text", "") for t in obj.get("title") or []) or None


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def _error_from(resp: requests.Response) -> NotionError:
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("object") == "error":
        extra = body.get("additional_data")
        return NotionError(
            resp.status_code,
            body.get("code", "unknown"),
            body.get("message", ""),
            body.get("request_id"),
            extra if isinstance(extra, dict) else None,
        )
    code = GATEWAY_CODES.get(resp.status_code, f"http_{resp.status_code}")
    return NotionError(resp.status_code, code, "non-JSON answer: " + _short(resp.text or ""))


def _refused(error: Exception) -> bool:
    """Whether a connection error happened before the request was sent (no connection could be made)."""
    text = repr(error)
    return "NewConnectionError" in text or "Connection refused" in text or "Name or service not known" in text
