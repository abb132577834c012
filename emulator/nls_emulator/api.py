"""The emulator's HTTP API: a WSGI application that answers the read endpoints of api.notion.com.

Endpoints (Notion-Version 2025-09-03, 2026-03-11 and 2026-12-01; 2022-06-28 where Notion still serves it):
``GET /v1/users/me``, ``GET /v1/users``, ``GET /v1/users/{id}``, ``GET /v1/databases/{id}``,
``POST /v1/databases/{id}/query`` (2022-06-28), ``GET /v1/data_sources/{id}``, ``POST /v1/data_sources/{id}/query``,
``GET /v1/pages/{id}``, ``GET /v1/pages/{id}/properties/{property_id}``, ``GET /v1/pages/{id}/markdown``,
``GET /v1/blocks/{id}``, ``GET /v1/blocks/{id}/children``, ``POST /v1/search``; and the writes
``PATCH /v1/pages/{id}`` and ``POST /v1/pages``, checked as Notion checks them (:mod:`nls_emulator.writes`), each
moving ``last_edited_time`` and recording the integration's bot as the author.

From 2026-12-01 on, search and data source queries list each page with its title only unless ``filter_properties``
names properties (query parameters, each id once), a status ``equals`` filter matches an option only (before, also
the name of a status group), ``markdown_version`` ``v1`` is refused (``v2`` is the default), and a person's name may
be null. A request URL longer than ``max_url_length`` is refused with 414, as the proxies in front of an API refuse
it. A workspace in ``block_limit_reached`` (a free workspace with more than one member past its 1,000 blocks) has
creates of pages refused with 403 ``restricted_resource``, except for personal access tokens.
"""

from __future__ import annotations

import base64
import contextlib
import json
import random
import socket
import struct
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import markdown as md, writes
from .limits import AFTER_THE_REQUEST, Faults, RateLimits
from .model import (
    TITLE_ONLY_FROM,
    VERSIONS,
    Workspace,
    norm_id,
    parse_time,
    render_block,
    render_data_source,
    render_database,
    render_page,
)
from .webhooks import Webhooks

QUERY_RESULT_LIMIT = 10_000
MAX_URL_LENGTH = 8192
BLOCK_LIMIT_MESSAGE = "This workspace has reached its block limit. Upgrade the workspace's plan to create more blocks."


class ApiError(Exception):
    """An error answer in Notion's shape: ``{"object": "error", "status", "code", "message", "request_id"}``."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict | None = None, additional_data: dict | None = None
    ):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.additional_data = additional_data


@dataclass
class Integration:
    """A token's integration: the workspace it reaches and the bot user it acts as."""

    token: str
    workspace: Workspace
    bot: dict
    # Notion's 404 message named the integration (and gave its id in additional_data) until 2026; off: today's
    # wording, which does not
    named_in_not_found: bool = False
    # a personal access token: the block limit of a free workspace does not apply to it
    personal: bool = False


def _validation(message: str) -> ApiError:
    return ApiError(400, "validation_error", message)


def _not_found(kind: str, object_id: str) -> ApiError:
    return ApiError(
        404,
        "object_not_found",
        f"Could not find {kind} with ID: {object_id}. Make sure the "
        "relevant pages and databases are shared with your integration.",
    )


_GATEWAY_HTML = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}"
    "</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)


class NotionApi:
    """The WSGI application. Holds integrations (token → workspace), rate limits, faults and the request log."""

    url_map = Map(
        [
            Rule("/v1/users/me", endpoint="users_me", methods=["GET"]),
            Rule("/v1/users", endpoint="users_list", methods=["GET"]),
            Rule("/v1/users/<user_id>", endpoint="user_retrieve", methods=["GET"]),
            Rule("/v1/databases/<database_id>", endpoint="database_retrieve", methods=["GET"]),
            Rule("/v1/databases/<database_id>/query", endpoint="database_query", methods=["POST"]),
            Rule("/v1/data_sources/<data_source_id>", endpoint="data_source_retrieve", methods=["GET"]),
            Rule("/v1/data_sources/<data_source_id>/query", endpoint="data_source_query", methods=["POST"]),
            Rule("/v1/pages/<page_id>", endpoint="page_retrieve", methods=["GET"]),
            Rule("/v1/pages/<page_id>", endpoint="page_update", methods=["PATCH"]),
            Rule("/v1/pages", endpoint="page_create", methods=["POST"]),
            Rule("/v1/pages/<page_id>/properties/<path:property_id>", endpoint="page_property", methods=["GET"]),
            Rule("/v1/pages/<page_id>/markdown", endpoint="page_markdown", methods=["GET"]),
            Rule("/v1/blocks/<block_id>", endpoint="block_retrieve", methods=["GET"]),
            Rule("/v1/blocks/<block_id>/children", endpoint="block_children", methods=["GET"]),
            Rule("/v1/search", endpoint="search", methods=["POST"]),
        ],
        strict_slashes=False,
        merge_slashes=False,
    )

    def __init__(self, query_result_limit: int = QUERY_RESULT_LIMIT, markdown_block_limit: int = 1000):
        self.integrations: dict[str, Integration] = {}
        self.rate_limits = RateLimits()
        self.faults = Faults()
        self.refuse_cursor_every = 0  # every that many'th start_cursor is refused as expired (0: none)
        self._cursors_seen = 0
        self.max_url_length = MAX_URL_LENGTH
        self.block_limit_reached: set[str] = set()  # ids of workspaces past the free plan's block limit
        self.query_result_limit = query_result_limit
        self.markdown_block_limit = markdown_block_limit
        self.log: list[dict] = []
        self.counters: Counter = Counter()
        self._lock = threading.Lock()
        self._cursor_keys: dict[tuple, tuple] = {}
        self._ordered_cache: dict[tuple, tuple] = {}
        self._stop = threading.Event()
        self.corruptions: dict[str, Callable[[dict], object]] = {}
        self.latency: tuple[float, float] | None = None  # (low, high) seconds each answer is held, as Notion takes
        self.webhooks = Webhooks(self)

    def corrupt_page(self, page_id: str, change: Callable[[dict], object]) -> None:
        """Serve page ``page_id`` as ``change(its page object)`` returns it (in queries and GET /v1/pages/{id}),
        as a broken Notion answer would: no id, a time that is not a time, a value of the wrong shape. The
        workspace itself is unchanged; ``corruptions.clear()`` ends it."""
        self.corruptions[norm_id(page_id) or page_id] = change

    def _served(self, page_id: str, page: dict):
        change = self.corruptions.get(page_id)
        return change(page) if change else page

    # ---- integrations ---------------------------------------------------------------------------------
    def add_integration(
        self, token: str, workspace: Workspace, bot_name: str = "nls-emulator", bot_id: str | None = None
    ) -> Integration:
        """Let ``token`` read ``workspace``; returns the integration (its bot user is ``GET /v1/users/me``)."""
        bot = {
            "object": "user",
            "id": bot_id or str(uuid.uuid5(uuid.NAMESPACE_URL, "bot:" + token)),
            "name": bot_name,
            "avatar_url": None,
            "type": "bot",
            "bot": {
                "owner": {"type": "workspace", "workspace": True},
                "workspace_name": workspace.name,
                "workspace_id": workspace.id,
                "workspace_limits": {"max_file_upload_size_in_bytes": 5242880},
            },
        }
        integ = Integration(token, workspace, bot)
        self.integrations[token] = integ
        return integ

    def revoke(self, token: str) -> None:
        """Revoke a token: every later request with it answers 401 ``unauthorized``."""
        self.integrations.pop(token, None)

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()
            self.counters.clear()

    # ---- WSGI -----------------------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        started = time.monotonic()
        endpoint, token, fault = "unknown", None, None
        if request.path.startswith("/_emulator/"):
            return self._admin(request)(environ, start_response)
        try:
            adapter = self.url_map.bind_to_environ(environ)
            try:
                endpoint, args = adapter.match()
            except (NotFound, MethodNotAllowed):
                raise ApiError(400, "invalid_request_url", "Invalid request URL.") from None
            token = _bearer(request)
            if len(request.url) > self.max_url_length:
                self._record(request, endpoint, 414, token, started)
                return Response(
                    _GATEWAY_HTML.format(code=414, reason="Request-URI Too Large"), status=414, content_type="text/html"
                )(environ, start_response)
            fault = self.faults.pick(request.method, request.path, _has_cursor(request)) or self._expired(request)
            if fault and fault not in AFTER_THE_REQUEST:
                response = self._fault(fault, environ, request)
                if response is None:  # the connection was reset: nothing to send
                    self._record(request, "reset", 0, token, started)
                    return []
            else:
                integ, version = self._authorise(request, token)
                limited = self.rate_limits.check(integ.token, integ.workspace.id)
                if limited:
                    retry_after, reason = limited
                    raise ApiError(
                        429,
                        "rate_limited",
                        "You have been rate limited. Please try again in a few minutes.",
                        headers={"Retry-After": str(retry_after)},
                        additional_data={"rate_limit_reason": reason},
                    )
                with integ.workspace.lock:
                    try:
                        body = getattr(self, "_" + endpoint)(request, integ, version, **args)
                    except ApiError as e:
                        if e.code == "object_not_found" and integ.named_in_not_found:
                            e.message = e.message.rstrip(".") + f' "{integ.bot.get("name")}".'
                            e.additional_data = {"integration_id": integ.bot["id"]}
                        raise
                body["request_id"] = str(uuid.uuid4())
                response = _json(200, body)
        except ApiError as e:
            response = self._error(e)
        if self.latency:
            self._stop.wait(random.uniform(*self.latency))
        if fault == "reset_after_write":  # done, and the answer is lost on the way
            _reset(environ)
            self._record(request, endpoint, 0, token, started)
            return []
        if fault in ("200_truncated", "200_html") and response.status_code == 200:  # done, the answer damaged
            response = _damaged(fault, response)
        self._record(request, endpoint, response.status_code, token, started, fault)
        return response(environ, start_response)

    def _expired(self, request: Request) -> str | None:
        """``invalid_cursor`` for every ``refuse_cursor_every``'th request that sends a start_cursor (cursors are
        session-scoped: Notion refuses one that expired in the middle of a read), else None."""
        if not self.refuse_cursor_every or not _has_cursor(request):
            return None
        with self._lock:
            self._cursors_seen += 1
            return "invalid_cursor" if self._cursors_seen % self.refuse_cursor_every == 0 else None

    def _record(
        self, request: Request, endpoint: str, status: int, token: str | None, started: float, fault: str | None = None
    ) -> None:
        with self._lock:
            self.counters[endpoint] += 1
            self.log.append(
                {
                    "at": time.time(),
                    "method": request.method,
                    "path": request.path,
                    "query": request.query_string.decode(),
                    "endpoint": endpoint,
                    "body": request.get_data(cache=True)[:4000].decode("utf-8", "replace")
                    if request.method in ("POST", "PATCH")
                    else None,
                    "status": status,
                    "token": token,
                    "fault": fault,
                    "ms": round((time.monotonic() - started) * 1000, 2),
                }
            )

    def _admin(self, request: Request) -> Response:
        """The control endpoints a separate process is driven through (not part of Notion's API):
        ``GET /_emulator/stats``, ``POST /_emulator/reset``, ``POST /_emulator/rate_limits`` and
        ``POST /_emulator/faults`` (with ``refuse_every_nth_cursor``) and ``POST /_emulator/block_limit``
        ({"token", "reached": bool}: the token's workspace is past the free plan's block limit, or not)."""
        action = request.path[len("/_emulator/") :]
        body = _json_body(request) if request.method == "POST" else {}
        if action == "stats":
            with self._lock:
                return _json(
                    200,
                    {
                        "requests": len(self.log),
                        "by_endpoint": dict(self.counters),
                        "by_status": dict(Counter(str(r["status"]) for r in self.log)),
                    },
                )
        if action == "reset" and request.method == "POST":
            self.reset_log()
            self.rate_limits.reset()
            return _json(200, {"ok": True})
        if action == "rate_limits" and request.method == "POST":
            try:
                self.rate_limits.set(body)
            except ValueError as e:
                return _json(400, {"ok": False, "error": str(e)})
            return _json(200, {"ok": True})
        if action == "webhooks" and request.method == "POST":
            return self._admin_webhooks(body)
        if action == "latency" and request.method == "POST":
            self.latency = (float(body["low"]), float(body["high"])) if body.get("high") else None
            return _json(200, {"ok": True})
        if action == "faults" and request.method == "POST":
            return self._admin_faults(body)
        if action == "block_limit" and request.method == "POST":
            return self._admin_block_limit(body)
        return _json(
            404,
            {
                "object": "error",
                "status": 404,
                "code": "invalid_request_url",
                "message": f"unknown emulator control endpoint {request.path}",
            },
        )

    def _admin_faults(self, body: dict) -> Response:
        """``POST /_emulator/faults``: {"probabilities", "seed", "script", "refuse_every_nth_cursor"} replace the
        faults set before."""
        self.faults.clear()
        self.faults.set_probabilities(body.get("probabilities") or {}, body.get("seed"))
        for f in body.get("script") or []:
            self.faults.add(f["kind"], f.get("path", ""), f.get("method"), f.get("times", 1))
        self.refuse_cursor_every, self._cursors_seen = int(body.get("refuse_every_nth_cursor") or 0), 0
        return _json(200, {"ok": True})

    def _admin_block_limit(self, body: dict) -> Response:
        """``POST /_emulator/block_limit``: {"token", "reached": bool (true)}: the token's workspace is past the
        free plan's block limit, or not; 400 for a token of no integration."""
        integ = self.integrations.get(body.get("token") or "")
        if integ is None:
            return _json(
                400,
                {
                    "object": "error",
                    "status": 400,
                    "code": "validation_error",
                    "message": "block_limit needs the token of an integration",
                },
            )
        (self.block_limit_reached.add if body.get("reached", True) else self.block_limit_reached.discard)(
            integ.workspace.id
        )
        return _json(200, {"ok": True})

    def _admin_webhooks(self, body: dict) -> Response:
        """``POST /_emulator/webhooks``: {"token", "url"} subscribes (the handshake is sent; the answer holds the
        subscription id), {"token", "verification_token"} confirms, and "aggregate_s", "retry_s", "drop",
        "duplicate", "fold_s" (null: off) set how deliveries go; ``GET``-less: the answer says what is set."""
        hooks = self.webhooks
        for k in ("aggregate_s", "retry_s", "drop", "duplicate", "fold_s"):
            if k in body:
                setattr(hooks, k, None if body[k] is None else float(body[k]))
        out: dict = {"ok": True}
        if body.get("url"):
            out["subscription_id"] = hooks.subscribe(body["token"], body["url"]).id
        if body.get("verification_token"):
            out["confirmed"] = hooks.confirm(body["token"], body["verification_token"])
        return _json(200, out)

    def _error(self, e: ApiError) -> Response:
        body: dict[str, Any] = {"object": "error", "status": e.status, "code": e.code, "message": e.message}
        if e.additional_data:
            body["additional_data"] = e.additional_data
        body["request_id"] = str(uuid.uuid4())
        resp = _json(e.status, body)
        for k, v in e.headers.items():
            resp.headers[k] = v
        return resp

    def _fault(self, kind: str, environ, request: Request) -> Response | None:
        if kind in ("502", "504"):
            reason = "Bad Gateway" if kind == "502" else "Gateway Time-out"
            return Response(_GATEWAY_HTML.format(code=kind, reason=reason), status=int(kind), content_type="text/html")
        if kind == "500":
            return self._error(ApiError(500, "internal_server_error", "Unexpected error occurred."))
        if kind == "503":
            return self._error(ApiError(503, "service_unavailable", "Notion is unavailable, please try again later."))
        if kind == "529":
            return self._error(
                ApiError(
                    529,
                    "service_overload",
                    "Notion is currently overloaded. Please try again later.",
                    headers={"Retry-After": "1"},
                )
            )
        if kind == "429_long":
            return self._error(
                ApiError(
                    429,
                    "rate_limited",
                    "You have been rate limited. Please try again in a few minutes.",
                    headers={"Retry-After": str(self.faults.long_retry_after)},
                    additional_data={"rate_limit_reason": "workspace_rate_limit"},
                )
            )
        if kind == "invalid_cursor":
            return self._error(_validation("The start_cursor provided is invalid: " + _cursor_of(request)))
        if kind == "stall":
            self._stop.wait(self.faults.stall_seconds)
            return self._error(ApiError(504, "gateway_timeout", "Notion timed out."))
        if kind == "reset":
            _reset(environ)
            return None
        raise AssertionError(kind)

    def _authorise(self, request: Request, token: str | None) -> tuple[Integration, str]:
        integ = self.integrations.get(token or "")
        if integ is None:
            raise ApiError(401, "unauthorized", "API token is invalid.")
        version = request.headers.get("Notion-Version")
        if not version:
            raise ApiError(
                400,
                "missing_version",
                "Notion-Version header failed validation: Notion-Version "
                "header should be defined, instead was `undefined`.",
            )
        if version not in VERSIONS:
            raise _validation(
                f"Notion-Version header failed validation: Notion-Version header should be one of "
                f"{', '.join(VERSIONS)}, instead was `{version}`."
            )
        return integ, version

    # ---- helpers -------------------------------------------------------------------------------------------
    @staticmethod
    def _id(raw: str, kind: str) -> str:
        oid = norm_id(unquote(raw))
        if oid is None:
            raise _validation(f'path failed validation: path.{kind}_id should be a valid uuid, instead was `"{raw}"`.')
        return oid

    @staticmethod
    def _visible(ws: Workspace, obj: dict | None, *chain: str | None) -> bool:
        if obj is None or obj["id"] in ws.hidden:
            return False
        return not any(c in ws.hidden for c in chain if c)

    def _page_visible(self, ws: Workspace, page: dict | None) -> bool:
        if page is None:
            return False
        ds_id = (page.get("parent") or {}).get("data_source_id")
        ds = ws.data_sources.get(ds_id or "") or {}
        db_id = (ds.get("parent") or {}).get("database_id")
        return self._visible(ws, page, ds_id, db_id)

    @staticmethod
    def _page_size(raw: Any) -> int:
        if raw is None or raw == "":
            return 100
        try:
            size = int(raw)
        except (TypeError, ValueError):
            raise _validation(
                f"body failed validation: body.page_size should be a number, instead was `{raw}`."
            ) from None
        if not 1 <= size <= 100:
            raise _validation(
                f"body failed validation: body.page_size should be ≤ `100`, instead was `{size}`."
                if size > 100
                else f"body failed validation: body.page_size should be ≥ `1`, instead was `{size}`."
            )
        return size

    def _list(self, results: list, next_cursor: str | None, kind: str, extra: dict | None = None) -> dict:
        body: dict[str, Any] = {
            "object": "list",
            "results": results,
            "next_cursor": next_cursor,
            "has_more": next_cursor is not None,
            "type": kind,
            kind: {},
        }
        if extra:
            body.update(extra)
        return body

    @staticmethod
    def _slice_by_id(ids: list[str], cursor: str | None, size: int) -> tuple[list[str], str | None]:
        start = 0
        if cursor:
            cid = norm_id(cursor)
            if cid is None or cid not in ids:
                raise _validation(f"The start_cursor provided is invalid: {cursor}")
            start = ids.index(cid)
        chunk = ids[start : start + size]
        nxt = ids[start + size] if start + size < len(ids) else None
        return chunk, nxt

    # ---- users ---------------------------------------------------------------------------------------------
    def _users_me(self, request, integ, version):
        return dict(integ.bot)

    def _users_list(self, request, integ, version):
        ws = integ.workspace
        ids = list(ws.users)
        chunk, nxt = self._slice_by_id(
            ids, request.args.get("start_cursor"), self._page_size(request.args.get("page_size"))
        )
        return self._list([ws.users[i] for i in chunk], nxt, "user")

    def _user_retrieve(self, request, integ, version, user_id):
        uid = self._id(user_id, "user")
        user = integ.workspace.users.get(uid)
        if user is None:
            raise _not_found("user", uid)
        return dict(user)

    # ---- databases and data sources ---------------------------------------------------------------------
    def _database_retrieve(self, request, integ, version, database_id):
        ws = integ.workspace
        did = self._id(database_id, "database")
        db = ws.databases.get(did)
        if not self._visible(ws, db):
            raise _not_found("database", did)
        return render_database(db, version, ws)

    def _data_source_retrieve(self, request, integ, version, data_source_id):
        ws = integ.workspace
        dsid = self._id(data_source_id, "data_source")
        ds = ws.data_sources.get(dsid)
        if ds is None or not self._visible(ws, ds, (ds.get("parent") or {}).get("database_id")):
            raise _not_found("database", dsid)
        return render_data_source(ds, version, ws)

    def _database_query(self, request, integ, version, database_id):
        ws = integ.workspace
        did = self._id(database_id, "database")
        db = ws.databases.get(did)
        if not self._visible(ws, db):
            raise _not_found("database", did)
        if version >= "2025-09-03":
            raise ApiError(400, "invalid_request_url", "Invalid request URL.")
        sources = db.get("data_sources") or []
        if len(sources) != 1:
            raise _validation("Databases with multiple data sources are not supported in this API version.")
        return self._query(request, integ, version, sources[0]["id"], "page")  # as recorded at 2022-06-28

    def _data_source_query(self, request, integ, version, data_source_id):
        ws = integ.workspace
        dsid = self._id(data_source_id, "data_source")
        ds = ws.data_sources.get(dsid)
        if ds is None or not self._visible(ws, ds, (ds.get("parent") or {}).get("database_id")):
            raise _not_found("database", dsid)
        if version < "2025-09-03":
            raise ApiError(400, "invalid_request_url", "Invalid request URL.")
        return self._query(request, integ, version, dsid, "page_or_data_source")

    def _query(self, request: Request, integ: Integration, version: str, dsid: str, kind: str) -> dict:
        ws = integ.workspace
        body = _json_body(request)
        size = self._page_size(body.get("page_size"))
        sorts = _parse_sorts(body.get("sorts"))
        flt = body.get("filter")
        ds = ws.data_sources[dsid]
        predicate = _compile_filter(flt, ds, version) if flt else None
        fprops = request.args.getlist("filter_properties") or request.args.getlist("filter_properties[]") or None
        if fprops:
            fprops = [unquote(p) for p in fprops]
        ordered, capped, positions = self._ordered(ws, dsid, sorts, flt, predicate, version >= TITLE_ONLY_FROM)
        cursor = body.get("start_cursor")
        start = 0
        if cursor:
            start = self._resume(ws, dsid, sorts, ordered, cursor, positions)
        chunk = ordered[start : start + size]
        end = start + size
        nxt = ordered[end] if end < len(ordered) else None
        if nxt:
            self._remember(ws, dsid, sorts, nxt)
        results = [
            self._served(i, render_page(ws.pages[i], version, ws, filter_properties=fprops, listed=True)) for i in chunk
        ]
        extra = None
        if capped and nxt is None:
            extra = {"request_status": {"type": "incomplete", "incomplete_reason": "query_result_limit_reached"}}
        return self._list(results, nxt, kind, extra)

    def _ordered(
        self, ws: Workspace, dsid: str, sorts: tuple, flt, predicate, options_only: bool = True
    ) -> tuple[list[str], bool, dict]:
        """The rows a query answers (at most query_result_limit), whether it was capped, and each row's position;
        kept while the workspace does not change, so that paging through a large data source costs each answer
        its own rows, not the whole data source. ``options_only``: a status filter matches options only (its
        version's rule)."""
        key = (ws.id, ws.version, dsid, sorts, json.dumps(flt, sort_keys=True), len(ws.hidden), options_only)
        with self._lock:
            hit = self._ordered_cache.get(key)
        if hit is not None:
            return hit
        ordered = [
            i
            for i in ws.sorted_ids(dsid, sorts)
            if not ws.pages[i].get("in_trash")
            and self._page_visible(ws, ws.pages[i])
            and (predicate is None or predicate(ws.pages[i]))
        ]
        capped = len(ordered) > self.query_result_limit
        ordered = ordered[: self.query_result_limit]
        hit = (ordered, capped, {pid: n for n, pid in enumerate(ordered)})
        with self._lock:
            if len(self._ordered_cache) > 64:
                self._ordered_cache.clear()
            self._ordered_cache[key] = hit
        return hit

    # Cursors are the id of the next row (as Notion's are). The emulator remembers the sort key that row had
    # when the cursor was handed out, so a row edited between two pages of a read moves past the cursor and
    # is read again, instead of making the rest of the read skip ahead.
    def _sort_key(self, ws: Workspace, sorts: tuple, page_id: str) -> tuple:
        page = ws.pages[page_id]
        return (*(page[f] for f, _ in sorts), page_id)  # the id breaks ties, as in sorted_ids

    def _remember(self, ws: Workspace, dsid: str, sorts: tuple, page_id: str) -> None:
        with self._lock:
            self._cursor_keys[(ws.id, dsid, sorts, page_id)] = self._sort_key(ws, sorts, page_id)

    def _resume(
        self, ws: Workspace, dsid: str, sorts: tuple, ordered: list[str], cursor: str, positions: dict[str, int]
    ) -> int:
        cid = norm_id(cursor)
        if cid is None:
            raise _validation(f"The start_cursor provided is invalid: {cursor}")
        with self._lock:
            key = self._cursor_keys.get((ws.id, dsid, sorts, cid))
        if key is None or not sorts:
            if cid in positions:
                return positions[cid]
            raise _validation(f"The start_cursor provided is invalid: {cursor}")
        if cid in positions and self._sort_key(ws, sorts, cid) == key:  # the row is where the cursor left it
            return positions[cid]
        for n, pid in enumerate(ordered):
            if pid == cid:
                return n
            k = self._sort_key(ws, sorts, pid)
            if _at_or_after(k, key, sorts):
                return n
        return len(ordered)

    # ---- pages --------------------------------------------------------------------------------------------
    def _get_page(self, ws: Workspace, raw_id: str) -> dict:
        pid = self._id(raw_id, "page")
        page = ws.pages.get(pid)
        if page is None or not self._page_visible(ws, page):
            raise _not_found("page", pid)
        return page

    def _page_retrieve(self, request, integ, version, page_id):
        ws = integ.workspace
        page = self._get_page(ws, page_id)
        fprops = request.args.getlist("filter_properties") or None
        return self._served(page["id"], render_page(page, version, ws, filter_properties=fprops))

    def _page_property(self, request, integ, version, page_id, property_id):
        ws = integ.workspace
        page_key = self._id(page_id, "page")
        prop_id = unquote(property_id)
        recorded = next(
            (
                ws.property_items[(page_key, k)]
                for k in (property_id, prop_id, quote(prop_id, safe=""))
                if (page_key, k) in ws.property_items
            ),
            None,
        )
        page = None
        if page_key in ws.pages or recorded is None:  # a page of the workspace: shared with this integration?
            page = self._get_page(ws, page_id)
        if recorded is not None and "single" in recorded:
            return dict(recorded["single"])
        found = None
        for prop in (page or {}).get("properties", {}).values():
            if prop.get("id") in (prop_id, property_id) or unquote(prop.get("id", "")) == prop_id:
                found = prop
                break
        if found is None and recorded is not None:
            found = {"id": recorded["property_item"]["id"], "type": recorded["property_item"]["type"]}
        if found is None:
            raise _validation(f"Could not find property with id: {prop_id}")
        pid = found["id"]
        t = found["type"]
        size = self._page_size(request.args.get("page_size"))
        cursor = request.args.get("start_cursor")
        if recorded is None and t not in ("title", "rich_text", "relation", "people", "rollup"):
            return {"object": "property_item", "id": pid, "type": t, t: found.get(t)}
        if recorded is not None:
            items = recorded["results"]
            cursors = recorded.get("cursors", {})
            header = recorded["property_item"]
        else:
            values = found.get(t) if t != "rollup" else []
            items = [{"object": "property_item", "type": t, "id": pid, t: v} for v in values]
            cursors = {}
            header = {"id": pid, "next_url": None, "type": t, t: {} if t != "rollup" else found.get("rollup")}
        start = _start_at(cursor, dict(cursors.items()))
        end = start + size
        nxt = None
        if end < len(items):
            nxt = next((c for c, off in cursors.items() if off == end), None) or _encode_offset(end)
        header = dict(header)
        if nxt:
            header["next_url"] = (
                f"https://api.notion.com/v1/pages/{page_key.replace('-', '')}/properties/"
                f"{pid}?start_cursor={nxt}&page_size={size}"
            )
        else:
            header["next_url"] = None
        return self._list(items[start:end], nxt, "property_item", {"property_item": header})

    def _page_markdown(self, request, integ, version, page_id):
        ws = integ.workspace
        page = self._get_page(ws, page_id)
        asked = request.args.get("markdown_version")
        if asked not in (None, "v1", "v2") or (asked == "v1" and version >= TITLE_ONLY_FROM):
            allowed = '`"v2"`' if version >= TITLE_ONLY_FROM else '`"v1"` or `"v2"`'
            raise _validation(f"markdown_version should be {allowed}, instead was `\"{asked}\"`.")
        text, truncated, unknown = md.render(ws, page["id"], self.markdown_block_limit)
        return {
            "object": "page_markdown",
            "id": page["id"],
            "markdown": text,
            "truncated": truncated,
            "unknown_block_ids": unknown,
        }

    # ---- writes (PATCH /v1/pages/{id}, POST /v1/pages) ----------------------------------------------------------
    def _write_body(self, request: Request, allowed: tuple[str, ...]) -> dict:
        if len(request.get_data(cache=True)) > writes.MAX_BODY_BYTES:
            raise _validation(f"Request body too large: at most {writes.MAX_BODY_BYTES} bytes.")
        body = _json_body(request)
        extra = sorted(set(body) - set(allowed))
        if extra:
            raise _validation(
                f"body failed validation: body.{extra[0]} should be not present, instead was "
                f"`{json.dumps(body[extra[0]])[:60]}`."
            )
        return body

    def _page_update(self, request, integ, version, page_id):
        ws = integ.workspace
        page = self._get_page(ws, page_id)
        body = self._write_body(request, ("properties", "in_trash", "archived", "icon", "cover", "is_locked"))
        trash = body.get("in_trash", body.get("archived"))
        if page.get("in_trash") and trash is not False:
            raise _validation("Can't edit block that is archived. You must unarchive the block before editing.")
        ds = ws.data_source_of_page(page)
        try:
            values = writes.page_values(ds or {"properties": {}}, body.get("properties") or {}, ws)
        except writes.Invalid as e:
            raise _validation(str(e)) from None
        for key in ("icon", "cover", "is_locked"):
            if key in body:
                page[key] = body[key]
        ws.write_page(page["id"], values, integ.bot, in_trash=trash)
        return self._served(page["id"], render_page(page, version, ws))

    def _page_create(self, request, integ, version):
        ws = integ.workspace
        body = self._write_body(request, ("parent", "properties", "icon", "cover", "children", "content"))
        raw_parent = body.get("parent")
        parent: dict[str, Any] = raw_parent if isinstance(raw_parent, dict) else {}
        ds_id = norm_id(parent.get("data_source_id") or "")
        if ds_id is None and norm_id(parent.get("database_id") or ""):
            db = ws.databases.get(norm_id(parent["database_id"])) or {}
            sources = db.get("data_sources") or []
            ds_id = sources[0]["id"] if len(sources) == 1 else None
        ds = ws.data_sources.get(ds_id or "")
        if ds is None or not self._visible(ws, ds, (ds.get("parent") or {}).get("database_id")) or ds.get("in_trash"):
            raise _not_found("data source", parent.get("data_source_id") or parent.get("database_id") or "")
        if ws.id in self.block_limit_reached and not integ.personal:  # a page is a block: nothing is created
            raise ApiError(403, "restricted_resource", BLOCK_LIMIT_MESSAGE)
        try:
            values = writes.page_values(ds, body.get("properties") or {}, ws)
        except writes.Invalid as e:
            raise _validation(str(e)) from None
        pid = ws.create_page(ds["id"], {}, author=integ.bot)
        page = ws.write_page(pid, values, integ.bot)
        for key in ("icon", "cover"):
            if key in body:
                page[key] = body[key]
        return render_page(page, version, ws)

    # ---- blocks ---------------------------------------------------------------------------------------------
    def _get_block(self, ws: Workspace, raw_id: str) -> dict:
        bid = self._id(raw_id, "block")
        block = ws.blocks.get(bid)
        if block is None or bid in ws.hidden:
            raise _not_found("block", bid)
        return block

    def _block_retrieve(self, request, integ, version, block_id):
        ws = integ.workspace
        return render_block(self._get_block(ws, block_id), version, ws)

    def _block_children(self, request, integ, version, block_id):
        ws = integ.workspace
        bid = self._id(block_id, "block")
        if bid in ws.pages:
            self._get_page(ws, block_id)
        elif bid not in ws.blocks and bid in ws.children:
            pass  # a parent known only by its recorded children
        else:
            block = self._get_block(ws, block_id)
            if block.get("type") == "synced_block":
                source = ((block.get("synced_block") or {}).get("synced_from") or {}).get("block_id")
                if source and source in ws.blocks:
                    bid = source
        ids = [i for i in ws.children.get(bid, []) if i in ws.blocks and i not in ws.hidden]
        chunk, nxt = self._slice_by_id(
            ids, request.args.get("start_cursor"), self._page_size(request.args.get("page_size"))
        )
        return self._list([render_block(ws.blocks[i], version, ws) for i in chunk], nxt, "block")

    # ---- search ---------------------------------------------------------------------------------------------
    def _search(self, request, integ, version):
        ws = integ.workspace
        body = _json_body(request)
        size = self._page_size(body.get("page_size"))
        want = (body.get("filter") or {}).get("value")
        trash = bool((body.get("filter") or {}).get("in_trash"))  # the trash listing (since July 2026)
        text = (body.get("query") or "").lower()
        container = "data_source" if version >= "2025-09-03" else "database"
        if want not in (None, "page", container):
            raise _validation(
                f"body failed validation: body.filter.value should be `\"page\"` or "
                f"`\"{container}\"`, instead was `\"{want}\"`."
            )
        found: list[tuple[str, dict]] = []
        if want in (None, container):
            if container == "data_source":
                for ds in ws.data_sources.values():
                    if (
                        self._visible(ws, ds, (ds.get("parent") or {}).get("database_id"))
                        and bool(ds.get("in_trash")) == trash
                    ):
                        found.append((ds["id"], render_data_source(ds, version, ws)))
            else:
                for db in ws.databases.values():
                    if self._visible(ws, db) and len(db.get("data_sources") or []) <= 1:
                        found.append((db["id"], render_database(db, version, ws)))
        if want in (None, "page"):
            fprops = [unquote(p) for p in request.args.getlist("filter_properties")] or None
            for page in ws.pages.values():
                if self._page_visible(ws, page) and bool(page.get("in_trash")) == trash:
                    found.append((page["id"], render_page(page, version, ws, filter_properties=fprops, listed=True)))
        if text:
            found = [(i, o) for i, o in found if text in _title_of(o).lower()]
        found = _search_sorted(found, body.get("sort"))
        ids = [i for i, _ in found]
        objs = dict(found)
        chunk, nxt = self._slice_by_id(ids, body.get("start_cursor"), size)
        kind = "page_or_data_source" if container == "data_source" else "page_or_database"
        return self._list([objs[i] for i in chunk], nxt, kind)


def _equals(schema: dict, x, value_of: Callable, version: str) -> Callable:
    """The predicate of an ``equals`` filter on a property of ``schema``; ``value_of(page)`` gives its value."""
    t = schema["type"]
    if t == "status" and version < TITLE_ONLY_FROM:  # before 2026-12-01, the name of a group matched too
        names = _group_options(schema, x)
        return lambda p: (value_of(p) or {}).get("name") in names
    if t in ("select", "status"):
        return lambda p: (value_of(p) or {}).get("name") == x
    if t in ("title", "rich_text"):
        return lambda p: "".join(r.get("plain_text", "") for r in value_of(p) or []) == x
    return lambda p: value_of(p) == x


def _group_options(schema: dict, name: str) -> set:
    """The option names a status ``equals`` matched before 2026-12-01: the option ``name``, and the options of the
    status group of that name."""
    config = schema.get("status") or {}
    by_id = {o.get("id"): o.get("name") for o in config.get("options") or []}
    names = {name}
    for group in config.get("groups") or []:
        if group.get("name") == name:
            names.update(n for i in group.get("option_ids") or [] if (n := by_id.get(i)) is not None)
    return names


# ---- request parsing ------------------------------------------------------------------------------------------
def _reset(environ) -> None:
    """Drop the connection with no answer (RST): the client sees a reset."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # the client sees the connection drop with no answer
        sock.close()


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("Authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def _has_cursor(request: Request) -> bool:
    return bool(_cursor_of(request))


def _cursor_of(request: Request) -> str:
    if request.args.get("start_cursor"):
        return request.args["start_cursor"]
    if request.method == "POST":
        try:
            return (json.loads(request.get_data(cache=True) or b"{}") or {}).get("start_cursor") or ""
        except ValueError:
            return ""
    return ""


def _json_body(request: Request) -> dict:
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "invalid_json", "Error parsing JSON body.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "Error parsing JSON body.")
    return body


def _damaged(kind: str, response: Response) -> Response:
    """A 200 answer as a broken proxy passes it on: its JSON cut in the middle (``200_truncated``), or an HTML page
    instead of it (``200_html``)."""
    if kind == "200_truncated":
        body = response.get_data()
        return Response(body[: max(1, len(body) // 2)], status=200, content_type="application/json; charset=utf-8")
    return Response(
        "<html><head><title>Please wait</title></head><body>Checking your browser...</body></html>",
        status=200,
        content_type="text/html",
    )


def _json(status: int, body: dict) -> Response:
    # ASCII escapes keep lone surrogates (which Notion text can hold) representable, as \\uD800 in JSON
    return Response(json.dumps(body), status=status, content_type="application/json; charset=utf-8")


def _encode_offset(n: int) -> str:
    return base64.urlsafe_b64encode(f"o:{n}".encode()).decode().rstrip("=")


def _start_at(cursor: str | None, cursors: dict[str, int]) -> int:
    """Where a list of property items starts: at a recorded cursor, at an offset cursor, or at 0. Raises ApiError
    (400) for a cursor that is neither."""
    if not cursor:
        return 0
    if cursor in cursors:
        return cursors[cursor]
    offset = _decode_offset(cursor)
    if offset is None:
        raise _validation(f"The start_cursor provided is invalid: {cursor}")
    return offset


def _decode_offset(cursor: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not raw.startswith("o:") or not raw[2:].isdigit():
        return None
    return int(raw[2:])


def _title_of(obj: dict) -> str:
    if obj.get("object") in ("data_source", "database"):
        return "".join(t.get("plain_text", "") for t in obj.get("title") or [])
    for prop in (obj.get("properties") or {}).values():
        if prop.get("type") == "title":
            return "".join(t.get("plain_text", "") for t in prop.get("title") or [])
    return ""


def _search_sorted(found: list[tuple[str, dict]], sort: Any) -> list[tuple[str, dict]]:
    """Search results in the order ``sort`` asks (``{"timestamp": "last_edited_time", "direction"}``; ties by id),
    else as found."""
    if not sort:
        return found
    if (
        not isinstance(sort, dict)
        or sort.get("timestamp") != "last_edited_time"
        or sort.get("direction", "descending") not in ("ascending", "descending")
    ):
        raise _validation(
            "body failed validation: body.sort should be `{\"timestamp\": \"last_edited_time\", "
            "\"direction\": \"ascending\" | \"descending\"}`."
        )
    found = sorted(found, key=lambda f: f[0])
    return sorted(found, key=lambda f: f[1].get("last_edited_time") or "", reverse=sort.get("direction") != "ascending")


def _parse_sorts(raw: Any) -> tuple:
    if not raw:
        return ()
    out = []
    for s in raw:
        ts = s.get("timestamp")
        if ts not in ("created_time", "last_edited_time"):
            raise _validation(
                "body failed validation: the emulator sorts on `timestamp` created_time or last_edited_time only."
            )
        direction = s.get("direction", "ascending")
        if direction not in ("ascending", "descending"):
            raise _validation(
                f"body failed validation: body.sorts[0].direction should be `\"ascending\"` or "
                f"`\"descending\"`, instead was `\"{direction}\"`."
            )
        out.append((ts, direction))
    return tuple(out)


def _at_or_after(key: tuple, ref: tuple, sorts: tuple) -> bool:
    for k, r, (_, direction) in zip(key, ref, (*sorts, ("id", "ascending")), strict=True):
        if k == r:
            continue
        return (k > r) if direction == "ascending" else (k < r)
    return True


_TIME_OPS = {
    "after": lambda v, x: v > x,
    "on_or_after": lambda v, x: v >= x,
    "before": lambda v, x: v < x,
    "on_or_before": lambda v, x: v <= x,
    "equals": lambda v, x: v == x,
}


def _timestamp_filter(flt: dict) -> Callable[[dict], bool]:
    """A ``timestamp`` filter (created_time / last_edited_time with before, after, on_or_before, ...) as a
    predicate over stored pages. Raises ApiError (400) for another timestamp, operator or a date that is none."""
    field = flt["timestamp"]
    if field not in ("created_time", "last_edited_time"):
        raise _validation(
            f"body failed validation: body.filter.timestamp should be `\"created_time\"` or "
            f"`\"last_edited_time\"`, instead was `\"{field}\"`."
        )
    checks = []
    for op, value in (flt.get(field) or {}).items():
        if op not in _TIME_OPS:
            raise _validation(f"body failed validation: body.filter.{field}.{op} is not supported.")
        try:
            x = parse_time(value)
        except (TypeError, ValueError):
            raise _validation(
                f"body failed validation: body.filter.{field}.{op} should be a valid ISO "
                f"8601 date string, instead was `\"{value}\"`."
            ) from None
        checks.append((_TIME_OPS[op], x))
    return lambda p: all(fn(parse_time(p[field]), x) for fn, x in checks)


def _compile_filter(flt: dict, ds: dict, version: str = TITLE_ONLY_FROM) -> Callable[[dict], bool]:
    """Turn a Notion filter object into a predicate over stored pages. Supports timestamp filters on
    created_time / last_edited_time, compound ``and`` / ``or``, and equality filters on select, status,
    checkbox, number and text properties."""
    if "and" in flt or "or" in flt:
        op = "and" if "and" in flt else "or"
        parts = [_compile_filter(f, ds, version) for f in flt[op]]
        return (lambda p: all(f(p) for f in parts)) if op == "and" else (lambda p: any(f(p) for f in parts))
    if "timestamp" in flt:
        return _timestamp_filter(flt)
    name = flt.get("property")
    if name is not None:
        props = ds.get("properties", {})
        schema = props.get(name) or next((v for v in props.values() if v.get("id") == name), None)
        if schema is None:
            raise _validation(f"Could not find property with name or id: {name}")
        t = schema["type"]
        cond = flt.get(t) or next((flt[k] for k in flt if k != "property"), dict[str, Any]())
        pname = schema.get("name", name)

        def value_of(p):
            prop = p["properties"].get(pname) or {}
            return prop.get(prop.get("type"))

        if "equals" in cond:
            return _equals(schema, cond["equals"], value_of, version)
        if "contains" in cond:
            x = cond["contains"]
            if t == "multi_select":
                return lambda p: any(o.get("name") == x for o in value_of(p) or [])
            if t == "relation":
                return lambda p: any(norm_id(o.get("id")) == norm_id(x) for o in value_of(p) or [])
            return lambda p: x in "".join(r.get("plain_text", "") for r in value_of(p) or [])
        if "is_empty" in cond:
            return lambda p: not value_of(p)
        if "is_not_empty" in cond:
            return lambda p: bool(value_of(p))
    raise _validation("body failed validation: the filter is not one the emulator understands.")
