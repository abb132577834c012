"""The webhook receiver: a small ASGI application (starlette) served by uvicorn, outside PostgreSQL.

``POST /notion/<path>``: the body is read up to ``max_body_bytes``, then handed as it arrived, with its
``X-Notion-Signature`` header, to ``nls.webhook_receive`` over one PostgreSQL connection; the status it returns is
the answer (200, 401, 404, 413, 400). Once an event is stored (200), the receiver applies the waiting events of the
path's user in the background (``nls.webhook_apply``, over connections of its own: the answer never waits for it),
one apply per path at a time (a delivery during one makes one more after it; one skipped because another run of that
user's events held them is tried again a second later). A larger body (by its Content-Length, or as a chunked body
grows) gets 413 and nothing is stored: the rest of it is read and thrown away first (up to DRAIN_BYTES within
DRAIN_SECONDS, as HTTP
servers do), so that a client that writes its whole body before reading gets the 413 rather than a reset
connection, and the connection is then closed. The receiver holds no secret:
the verification token stays encrypted in the database, and the role it connects as (a member of ``nls_webhook``)
may run that one function. ``GET /healthz`` answers 200 while the database answers. Anything else: 404.
Systemd-friendly: logs to stderr, stops on SIGTERM, exits non-zero when the database cannot be reached at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import psycopg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from . import queries

log = logging.getLogger("nls.webhooks")
DEFAULT_MAX_BODY = 262_144
# what is read of a refused body past the limit, at most, so that its sender reads the 413: bytes, seconds
DRAIN_BYTES = 16 * 1024 * 1024
DRAIN_SECONDS = 10.0
REASONS = {
    200: "ok",
    400: "not an event",
    401: "not verified",
    404: "unknown endpoint",
    413: "too large",
    500: "not verified: the server cannot read its key ring",
    503: "database unavailable",
}


class TooLarge(Exception):
    pass


def _first(row: tuple | None) -> Any:
    """The first column of the row of a statement that always returns one (a function call). Raises LookupError
    when there was none."""
    if row is None:
        raise LookupError("the statement returned no row")
    return row[0]


class Database:
    """One connection to PostgreSQL, opened on first use and again after it broke; statements one at a time."""

    def __init__(self, dsn: str):
        self.dsn, self.lock = dsn, asyncio.Lock()
        self.conn: psycopg.AsyncConnection | None = None

    async def receive(self, path: str, body: bytes, signature: str | None) -> int:
        """``nls.webhook_receive(path, body, signature)``: the status to answer; 503 when the database is down."""
        async with self.lock:
            for _attempt in (1, 2):
                try:
                    if self.conn is None or self.conn.closed:
                        self.conn = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True)
                    cur = await self.conn.execute(queries.RECEIVE, (path, body, signature))
                    return int(_first(await cur.fetchone()))
                except psycopg.OperationalError as e:
                    log.warning("database: %s", str(e).strip())
                    self.conn = None
            return 503

    async def apply(self, path: str) -> dict | None:
        """``nls.webhook_apply(path)``: what applying the path's user's events did; None when it failed."""
        async with self.lock:
            try:
                if self.conn is None or self.conn.closed:
                    self.conn = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True)
                cur = await self.conn.execute(queries.APPLY, (path,))
                return _first(await cur.fetchone())
            except psycopg.Error as e:
                log.warning("applying the events of %s: %s", shown_path(path), str(e).strip())
                if isinstance(e, psycopg.OperationalError):
                    self.conn = None
                return None

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()


class Applier:
    """The background applies of stored events: at most ``connections`` at once (a connection each), one per path
    at a time. ``soon(path)`` asks for one and returns at once."""

    BUSY_RETRIES, BUSY_WAIT_S = 30, 1.0  # another run of the user's events holds them: try again, a second later

    def __init__(self, dsn: str, connections: int = 2):
        self.free = [Database(dsn) for _ in range(connections)]
        self.slots = asyncio.Semaphore(connections)
        self.again: dict[str, bool] = {}  # path being applied -> an event came for it since the apply began
        self.tasks: set[asyncio.Task] = set()

    def soon(self, path: str) -> None:
        if path in self.again:
            self.again[path] = True
            return
        self.again[path] = False
        task = asyncio.get_running_loop().create_task(self._run(path))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(self, path: str) -> None:
        busy = 0
        try:
            while True:
                self.again[path] = False
                async with self.slots:
                    db = self.free.pop()
                    try:
                        result = await db.apply(path)
                    finally:
                        self.free.append(db)
                skipped = any(r.get("status") == "skipped" for r in (result or {}).get("results", []))
                if skipped and busy < self.BUSY_RETRIES:
                    busy += 1
                    await asyncio.sleep(self.BUSY_WAIT_S)
                    continue
                if not self.again[path]:
                    return
        finally:
            del self.again[path]

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for db in self.free:
            await db.close()


def shown_path(secret: str) -> str:
    """What a log may say of the path a post came to: ``/notion/`` and the first 4 characters of its secret part (16
    bits of 256, enough to tell one subscription from another in ``nls.webhook_status``, of no help in guessing it)."""
    return f"/notion/{secret[:4]}..."


async def _body(request: Request, limit: int) -> bytes:
    """The raw body; TooLarge past ``limit`` bytes (by Content-Length at once, else while it streams), once the rest
    was thrown away (:func:`_drain`)."""
    declared = request.headers.get("content-length")
    stream = request.stream()
    if declared and declared.isdigit() and int(declared) > limit:
        if int(declared) <= DRAIN_BYTES:
            await _drain(stream)
        raise TooLarge
    chunks, size = [], 0
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            await _drain(stream)
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def _drain(stream) -> None:
    """Read and throw away what is left of a request body (``request.stream()``'s iterator): up to DRAIN_BYTES
    within DRAIN_SECONDS, then stop (the connection closes after the answer, unread bytes and all)."""

    async def discard() -> None:
        size = 0
        async for chunk in stream:
            size += len(chunk)
            if size > DRAIN_BYTES:
                return

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(discard(), DRAIN_SECONDS)


def build_app(dsn: str, max_body_bytes: int = DEFAULT_MAX_BODY) -> Starlette:
    """The ASGI application (``db`` and ``applier`` on ``app.state``)."""
    db = Database(dsn)
    applier = Applier(dsn)

    async def deliver(request: Request) -> Response:
        try:
            body = await _body(request, max_body_bytes)
        except TooLarge:
            status = 413
        else:
            status = await db.receive(request.path_params["path"], body, request.headers.get("x-notion-signature"))
            if status == 200 and request.headers.get("x-notion-signature"):  # an event stored (not a handshake)
                applier.soon(request.path_params["path"])
        if status != 200:
            log.info("POST %s: %s %s", shown_path(request.path_params["path"]), status, REASONS.get(status, ""))
        # a refused body may not have been read to its end: the connection is not used again
        headers = {"Connection": "close"} if status == 413 else None
        return PlainTextResponse(REASONS.get(status, ""), status_code=status, headers=headers)

    async def healthz(request: Request) -> Response:
        try:
            status = await db.receive("0" * 64, b"", None)
        except Exception:  # noqa: BLE001 - any failure is "unhealthy"
            status = 503
        return PlainTextResponse(
            "ok" if status == 404 else "database unavailable", status_code=200 if status == 404 else 503
        )

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await applier.close()
        await db.close()

    app = Starlette(
        routes=[Route("/notion/{path:str}", deliver, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])],
        lifespan=lifespan,
    )
    app.state.db, app.state.applier = db, applier
    return app


def check(dsn: str) -> str | None:
    """Why the receiver cannot work with ``dsn`` (cannot connect, or may not run nls.webhook_receive), or None."""
    try:
        with psycopg.connect(dsn, connect_timeout=10) as conn:
            if not _first(conn.execute(queries.CAN_RECEIVE).fetchone()):
                return (
                    f"role {conn.info.user} may not run nls.webhook_receive(text, bytea, text): "
                    f"GRANT nls_webhook TO {conn.info.user}"
                )
    except psycopg.Error as e:
        return f"cannot use PostgreSQL: {str(e).strip()}"
    return None


def server_config(app: Starlette, host: str, port: int, max_body_bytes: int, log_level: str = "info"):
    """The uvicorn configuration the receiver is served with (a ``uvicorn.Config``)."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        proxy_headers=True,
        server_header=False,
        h11_max_incomplete_event_size=max_body_bytes + 65536,
    )


def serve(dsn: str, host: str, port: int, max_body_bytes: int, log_level: str = "info") -> int:
    """Serve until SIGTERM or SIGINT; returns the exit code."""
    import uvicorn

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    problem = check(dsn)
    if problem:
        log.error(problem)
        return 2
    uvicorn.Server(server_config(build_app(dsn, max_body_bytes), host, port, max_body_bytes, log_level)).run()
    return 0
