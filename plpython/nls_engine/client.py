"""The Notion API client the sync uses inside PostgreSQL: requests with urllib3's Retry.

Retries 429 and 529 after their ``Retry-After`` (capped), and 500, 502, 503, 504, connection resets and
timeouts with exponential backoff and jitter, POST queries included (they only read). 400, 401, 403 and 404
are never retried. Every request has connect and read timeouts, and no wait runs past the run's deadline.
Works with the urllib3 1.26 that Debian 12's python3-urllib3 ships and with urllib3 2.
"""
from __future__ import annotations

import json
import random
import time
from urllib.parse import quote, unquote
from typing import Iterator

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

RETRY_STATUSES = (429, 500, 502, 503, 504, 529)
GATEWAY_CODES = {500: "internal_server_error", 502: "bad_gateway", 503: "service_unavailable",
                 504: "gateway_timeout", 529: "service_overload", 429: "rate_limited"}


class NotionError(Exception):
    """A request Notion (or the network) answered with an error, after any retries.

    ``status`` is the HTTP status (0 when no response came), ``code`` Notion's error code
    (``unauthorized``, ``object_not_found``, ``rate_limited``, ..., or ``connection_error``).
    """

    def __init__(self, status: int, code: str, message: str, request_id: str | None = None):
        super().__init__(f"Notion API {status} {code}: {message}")
        self.status, self.code, self.message, self.request_id = status, code, message, request_id

    @property
    def ends_run(self) -> bool:
        """True when the error is about the token or Notion itself (401, 429 after retries, 5xx, no response), so
        the run stops; False when it is about one object (400, 403, 404, ...), which the run records and passes."""
        return self.status in (401, 429) or self.status >= 500 or self.status == 0


class RunDeadline(Exception):
    """The run reached its deadline (or a Retry-After longer than it may wait); the next run resumes."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _Retry(Retry):
    """urllib3 Retry with jitter, a cap on Retry-After, and a run deadline."""

    RETRY_AFTER_STATUS_CODES = frozenset({413, 429, 503, 529})

    def __init__(self, *args, deadline: float | None = None, retry_after_cap: float = 60.0,
                 max_backoff: float = 30.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline
        self.retry_after_cap = retry_after_cap
        self.max_backoff = max_backoff

    def new(self, **kw):
        kw.setdefault("deadline", self.deadline)
        kw.setdefault("retry_after_cap", self.retry_after_cap)
        kw.setdefault("max_backoff", self.max_backoff)
        return super().new(**kw)

    def get_backoff_time(self) -> float:
        base = super().get_backoff_time()
        return min(self.max_backoff, base * random.uniform(0.5, 1.5)) if base else 0.0

    def _check_wait(self, seconds: float, what: str) -> None:
        if self.deadline is not None and time.monotonic() + seconds > self.deadline:
            raise RunDeadline(f"{what} of {seconds:.0f} s would pass the run's deadline")

    def get_retry_after(self, response) -> float | None:
        seconds = super().get_retry_after(response)
        if seconds is None:
            return None
        if seconds > self.retry_after_cap:
            raise RunDeadline(f"Notion asked to wait {seconds:.0f} s (Retry-After), more than retry_after_cap_s "
                              f"({self.retry_after_cap:.0f} s)")
        self._check_wait(seconds, "a Retry-After wait")
        return seconds

    def _sleep_backoff(self) -> None:
        backoff = self.get_backoff_time()
        self._check_wait(backoff, "a backoff")
        if backoff > 0:
            time.sleep(backoff)


class NotionClient:
    """One integration's view of the Notion API.

    Args: ``token`` (the integration's secret, never logged), ``base_url`` (``https://api.notion.com`` or the
    emulator's), ``version`` (Notion-Version), ``timeouts`` (connect, read) in seconds, ``max_attempts`` per
    request (first included), ``retry_after_cap`` seconds, ``backoff`` base seconds, ``deadline`` (a
    ``time.monotonic()`` value or None), ``pacer`` (a :class:`nls_engine.pacing.Pacer` waited on before each
    request, or None).
    Counters: ``requests_made`` (HTTP attempts), ``retries``, ``by_endpoint``.
    """

    def __init__(self, token: str, base_url: str, version: str, timeouts: tuple[float, float] = (5.0, 30.0),
                 max_attempts: int = 6, retry_after_cap: float = 60.0, backoff: float = 0.5,
                 deadline: float | None = None, pacer=None):
        self.base_url = base_url.rstrip("/")
        self.pacer = pacer
        self.workspace: dict = {"id": None}   # the workspace the token is in, once known (GET /v1/users/me)
        self.version = version
        self.timeouts = timeouts
        self.deadline = deadline
        retry = _Retry(total=max_attempts - 1, connect=max_attempts - 1, read=max_attempts - 1,
                       status=max_attempts - 1, other=0, backoff_factor=backoff,
                       status_forcelist=RETRY_STATUSES, allowed_methods=frozenset({"GET", "POST"}),
                       raise_on_status=False, respect_retry_after_header=True,
                       deadline=deadline, retry_after_cap=retry_after_cap)
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        self.session.headers.update({"Authorization": f"Bearer {token}", "Notion-Version": version,
                                     "Content-Type": "application/json", "User-Agent": "nls/0.1"})
        self.requests_made = 0
        self.retries = 0
        self.by_endpoint: dict[str, int] = {}

    def close(self) -> None:
        self.session.close()

    def request(self, method: str, path: str, params: dict | None = None, body: dict | None = None,
                endpoint: str = "") -> dict:
        """Send one request (with its retries); returns the JSON body. Raises NotionError or RunDeadline."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise RunDeadline("the run reached its deadline (run_deadline_s)")
        key = endpoint or path
        if self.pacer is not None:
            self.pacer.wait(self.deadline)
        try:
            resp = self.session.request(method, self.base_url + path, params=params,
                                        data=json.dumps(body) if body is not None else None,
                                        timeout=self.timeouts)
        except (requests.ConnectionError, requests.Timeout) as e:
            attempts = self.session.get_adapter(self.base_url).max_retries.total + 1
            self._count(key, attempts)
            raise NotionError(0, "connection_error", f"{type(e).__name__} after {attempts} attempts: "
                              f"{_short(str(e))}") from None
        history = getattr(getattr(resp.raw, "retries", None), "history", ()) or ()
        self._count(key, 1 + len(history))
        if resp.status_code >= 400:
            raise _error_from(resp)
        try:
            return resp.json()
        except ValueError:
            raise NotionError(resp.status_code, "invalid_json", "the response was not JSON: " + _short(resp.text))

    def _count(self, key: str, attempts: int) -> None:
        self.requests_made += attempts
        self.retries += attempts - 1
        self.by_endpoint[key] = self.by_endpoint.get(key, 0) + attempts

    def paginate(self, method: str, path: str, body: dict | None = None, params: dict | None = None,
                 page_size: int = 100, endpoint: str = "") -> Iterator[dict]:
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
        for data in self.paginate("POST", "/v1/search", body={"filter": {"property": "object", "value": "data_source"}},
                                  endpoint="search"):
            yield from data.get("results", [])

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
        ids) sends ``filter_properties``: the pages then carry only those properties."""
        params = {"filter_properties": [unquote(p) for p in property_ids]} if property_ids is not None else None
        return self.paginate("POST", f"/v1/data_sources/{data_source_id}/query", body=body, params=params,
                             endpoint="data_sources.query")

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
            if data.get("object") != "list":   # a single-value property: nothing was cut
                return [data]
            items.extend(data.get("results", []))
        return items

    def block_tree(self, block_id: str, max_depth: int, visited: set | None = None, depth: int = 1) -> tuple[list, bool]:
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


def title_text(obj: dict) -> str | None:
    """The plain text of a database's or data source's ``title`` (rich text), or None when empty."""
    return "".join(t.get("plain_text", "") for t in obj.get("title") or []) or None


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def _error_from(resp) -> NotionError:
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("object") == "error":
        return NotionError(resp.status_code, body.get("code", "unknown"), body.get("message", ""),
                           body.get("request_id"))
    code = GATEWAY_CODES.get(resp.status_code, f"http_{resp.status_code}")
    return NotionError(resp.status_code, code, "non-JSON answer: " + _short(resp.text or ""))

