"""The webhook receiver (nls webhooks serve): what it writes in its log of a refused post (nothing that helps guess
the secret path), and the 413 a client gets for a body too large, on a real uvicorn server over a raw socket, also
when it writes the whole body before reading and asks to close the connection."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from fakes import stand_in
from nls_webhooks.receiver import shown_path

SECRET = "33158011d3ad43ac9694cec7911ba6940005224bceca424fa97efd848eca9400"


def test_a_logged_path_shows_4_characters_of_the_secret_and_no_more():
    shown = shown_path(SECRET)
    assert shown == "/notion/3315..."
    assert SECRET[:5] not in shown
    assert shown_path("ab") == "/notion/ab..."


def _post(app, path: str, body: bytes) -> int:
    """POST ``body`` to ``path`` of an ASGI app, without a server; returns the status."""
    import asyncio

    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-length", str(len(body)).encode()), (b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8790),
    }
    asyncio.run(app(scope, receive, send))
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


def test_the_log_of_a_refused_post_does_not_hold_the_secret(caplog):
    from nls_webhooks.receiver import build_app

    app = build_app("host=127.0.0.1 port=1 dbname=none connect_timeout=1", max_body_bytes=16)
    with caplog.at_level("INFO", logger="nls.webhooks"):
        assert _post(app, "/notion/" + SECRET, b"x" * 64) == 413  # refused before the database is asked
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "/notion/3315..." in logged and "413" in logged
    assert SECRET[:5] not in logged


LIMIT = 1024
POST = b"POST /notion/" + SECRET.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


@pytest.fixture(scope="module")
def served():
    """The receiver on a real uvicorn server (the configuration `nls webhooks serve` runs), on a free port of
    127.0.0.1, with a body limit of LIMIT bytes and no database (a refused post never reaches one)."""
    import uvicorn

    from nls_webhooks.receiver import build_app, server_config

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = build_app("host=127.0.0.1 port=1 dbname=none connect_timeout=1", max_body_bytes=LIMIT)
    server = uvicorn.Server(server_config(app, "127.0.0.1", port, LIMIT, "warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    yield port
    server.should_exit = True
    thread.join(10)


def _send_all_then_read(port: int, request: bytes) -> bytes:
    """Write the whole of ``request`` first, as a client that does not wait for an early answer does, then read one
    answer (its head and its Content-Length of body). A connection reset raises ConnectionResetError (or
    BrokenPipeError while writing)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(65536)
            assert chunk, f"closed before an answer: {answer!r}"
            answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        length = int(
            next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
        )
        while len(body) < length:
            chunk = s.recv(65536)
            assert chunk, f"closed inside the answer: {answer!r}"
            body += chunk
    return head + b"\r\n\r\n" + body


# a client that keeps the connection open, and one that asks to close it after the answer (urllib, many others)
CONNECTIONS = {"keep-alive": b"", "close": b"Connection: close\r\n"}


@pytest.mark.parametrize("connection", CONNECTIONS)
@pytest.mark.parametrize("size", [LIMIT + 1, 4 * 1024 * 1024])
def test_a_client_that_writes_a_whole_oversized_body_first_gets_413(served, size, connection):
    body = b"{" + b" " * (size - 2) + b"}"
    answer = _send_all_then_read(served, POST + CONNECTIONS[connection] + b"Content-Length: %d\r\n\r\n" % size + body)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert answer.endswith(b"too large")


@pytest.mark.parametrize("connection", CONNECTIONS)
def test_a_chunked_body_that_grows_past_the_limit_gets_413(served, connection):
    piece = 64 * 1024
    chunks = b"".join(b"%x\r\n%s\r\n" % (piece, b"x" * piece) for _ in range(64)) + b"0\r\n\r\n"  # 4 MiB
    answer = _send_all_then_read(
        served, POST + CONNECTIONS[connection] + b"Transfer-Encoding: chunked\r\n\r\n" + chunks
    )
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]


def test_a_body_within_the_limit_is_read_whole(served):
    """A post within the limit goes on to the database (here none: 503), its body read, not refused."""
    body = b"{" + b" " * (LIMIT - 2) + b"}"
    answer = _send_all_then_read(served, POST + b"Content-Length: %d\r\n\r\n" % LIMIT + body)
    assert answer.startswith(b"HTTP/1.1 503 "), answer[:200]


def test_the_background_applies_are_one_per_path_at_a_time_and_a_skipped_one_is_tried_again():
    """The receiver's applies (nls_webhooks.receiver.Applier) over a stand-in for nls.webhook_apply: events stored
    during an apply of their path make one more apply after it, not one each; an apply skipped because another run
    holds the user's events is tried again; another path is applied beside."""
    import asyncio

    from nls_webhooks.receiver import Applier

    calls: list[str] = []

    class Db:
        def __init__(self, answers: dict):
            self.answers = answers

        async def apply(self, path: str) -> dict:
            calls.append(path)
            await asyncio.sleep(0.01)
            queue = self.answers[path]
            return queue.pop(0) if queue else {"results": [{"status": "completed"}]}

        async def close(self) -> None:
            pass

    async def scenario() -> None:
        answers = {"a": [], "b": [{"results": [{"status": "skipped"}]}]}
        applier = Applier("", connections=2)
        applier.free = [stand_in(Db(answers)), stand_in(Db(answers))]
        applier.BUSY_WAIT_S = 0.01
        applier.soon("a")
        applier.soon("b")
        await asyncio.sleep(0.005)  # both applies running
        for _ in range(3):  # three more events of a
            applier.soon("a")
        while applier.tasks:
            await asyncio.sleep(0.01)
        await applier.close()

    asyncio.run(scenario())
    # a: once, then once more for the three events stored while it ran; b: skipped, then tried again
    assert calls.count("a") == 2 and calls.count("b") == 2
